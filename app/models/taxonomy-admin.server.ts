// Taxonomy administration (docs/contract.md, /admin/taxonomy): add, rename in
// both languages, reorder, archive/unarchive and — for unused items the admin
// added — delete clusters and issue categories; rename and reorder the
// value-chain stages. Each change is one transaction with its audit entry.
//
// The rules, and why (docs/decisions/0012-taxonomy-administration.md):
// - A slug never changes: it is in URLs, exports, the open-data API and the
//   workshop CSV. "Rename" changes the two names only.
// - Stages are a fixed list in docs/contract.md (the suggestion form's `stage`
//   values, the workshop CSV): they can be renamed and reordered, not added,
//   archived or deleted.
// - Archiving hides an item from every new choice (suggestion form,
//   registration, moderators' category checkboxes) and never from what
//   already uses it. At least one cluster and one category stay active, or
//   nobody could submit, and no moderator could approve.
// - Delete only what nothing refers to, and only what the seed would not put
//   back on the next start (items shipped in db/taxonomy.json are archived
//   instead): the seed adds missing shipped slugs and leaves existing rows
//   alone, so renames and archiving survive it.
// - Names: 1–120 characters after trimming and collapsing spaces, no control
//   characters; the Urdu name must contain at least one Arabic-script letter
//   (catches the English name pasted into the Urdu field; Latin letters may
//   still appear beside it, e.g. "آئی ٹی (IT)").
import { z } from "~/lib/zod-setup";
import { sql } from "kysely";
import { dialectOf, type DB, type Executor } from "../../db/client";
import { isForeignKeyViolation, isUniqueViolation } from "../../db/errors";
import shipped from "../../db/taxonomy.json";
import { listingsChanged } from "~/lib/listing-cache.server";
import { RULE_NUMBERS } from "~/lib/rules";
import { RowId } from "~/lib/row-id";
import { defineRefusals } from "~/lib/refusal";
import { recordAudit } from "./audit.server";

export const TAXONOMY_KINDS = ["cluster", "category", "stage"] as const;
export type TaxonomyKind = (typeof TAXONOMY_KINDS)[number];
/** Kinds an admin can add to, archive and delete from. */
type OpenKind = Exclude<TaxonomyKind, "stage">;

const TABLES = { cluster: "clusters", category: "categories" } as const;

const SHIPPED_SLUGS: Record<TaxonomyKind, ReadonlySet<string>> = {
  cluster: new Set(shipped.clusters.map((c) => c.slug)),
  category: new Set(shipped.categories.map((c) => c.slug)),
  stage: new Set(shipped.stages.map((s) => s.slug)),
};

// ───────────────────────────── validation ─────────────────────────────

const SLUG_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{${RULE_NUMBERS.taxonomySlugMin - 1},${RULE_NUMBERS.slugMax - 1}}$`);
export const NAME_MAX = RULE_NUMBERS.taxonomyNameMax;
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/;
const ARABIC_LETTER = /(?=\p{L})\p{Script=Arabic}/u;

const required = {
  error: (issue: { input?: unknown }) => (issue.input === undefined || issue.input === "" ? "errors.required" : "errors.invalid"),
};

const name = () =>
  z
    .string(required)
    // One line: line breaks and runs of spaces become one space.
    .transform((v) => v.replace(/\s+/gu, " ").trim())
    .pipe(
      z
        .string()
        .min(1, { error: "errors.required", abort: true })
        .max(NAME_MAX, { error: `errors.tooLong|${NAME_MAX}`, abort: true })
        .refine((v) => !CONTROL_CHARACTERS.test(v), { error: "errors.controlCharacters", abort: true }),
    );

export const TaxonomyNamesSchema = z.object({
  nameEn: name(),
  nameUr: name().refine((v) => ARABIC_LETTER.test(v), { error: "admin.taxonomy.errors.urduScript" }),
});

export const TaxonomySlugSchema = z
  .string(required)
  .trim()
  .min(1, { error: "errors.required", abort: true })
  .regex(SLUG_PATTERN, { error: "admin.taxonomy.errors.slug" });

const IdSchema = RowId;
const RefSlugSchema = z.string().regex(/^[a-z0-9-]{1,60}$/);

export type FieldErrors = Record<string, string[]>;

/** Which item a form means: `id` (clusters, categories) or `slug` (any kind). Raw form values. */
export interface ItemRef {
  id?: string | null;
  slug?: string | null;
}
type ResolvedRef = { id: number } | { slug: string };

function parseRef(kind: TaxonomyKind, ref: ItemRef): ResolvedRef | null {
  if (ref.id != null && ref.id !== "") {
    if (kind === "stage") return null;
    const id = IdSchema.safeParse(ref.id);
    return id.success ? { id: id.data } : null;
  }
  const slug = RefSlugSchema.safeParse(ref.slug ?? "");
  return slug.success ? { slug: slug.data } : null;
}

// ─────────────────────────────── results ──────────────────────────────

/** Why a change is refused, and the status each answers with. */
export const TAXONOMY_REFUSALS = defineRefusals({
  invalid: 400,
  notFound: 404,
  slugTaken: 409,
  lastActive: 409,
  inUse: 409,
  shipped: 409,
  fixedStages: 400,
});

export type TaxonomyRefusal =
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  /** no such item */
  | { ok: false; reason: "notFound" }
  /** another item of this kind has the slug */
  | { ok: false; reason: "slugTaken" }
  /** it is the last active cluster or category */
  | { ok: false; reason: "lastActive" }
  /** suggestions, organisations or recommendations refer to it */
  | { ok: false; reason: "inUse" }
  /** shipped with the app: the seed would add it again; archive it instead */
  | { ok: false; reason: "shipped" }
  /** stages are a fixed list (docs/contract.md): rename and reorder only */
  | { ok: false; reason: "fixedStages" };

export type TaxonomyResult = { ok: true; changed: boolean; slug: string } | TaxonomyRefusal;

export interface TaxonomyActor {
  actorId: number;
  actorRole: string;
  ip?: string | null;
  now?: Date;
}

// ────────────────────────────── internals ─────────────────────────────

interface Item {
  id: number | null;
  slug: string;
  name_en: string;
  name_ur: string;
  sort_order: number;
  archived: number;
}

/** One advisory lock key per kind (first half: this module's namespace). */
const LOCK_KEYS: Record<TaxonomyKind, number> = { cluster: 1, category: 2, stage: 3 };
const TAXONOMY_LOCK_NAMESPACE = 0x7461_786f; // "taxo"

/**
 * Serialises changes to one kind, so the "last active cluster" rule and the
 * renumbering of a move hold under concurrent requests: on PostgreSQL a
 * transaction-scoped advisory lock per kind, taken before anything is read,
 * so a second admin's change waits for this one to commit and then reads
 * what it wrote. (SQLite transactions here begin IMMEDIATE and are
 * serialised already.)
 *
 * It used to be a no-op UPDATE of every row of the kind's table. Under the
 * route fuzzer's concurrent posts PostgreSQL sometimes answered that UPDATE
 * with "deadlock detected" (a 500): several transactions waiting on the same
 * rows re-check them in whatever order the heap holds their new versions.
 * The advisory lock takes no row locks at all, so it cannot deadlock with
 * other transactions' row locks.
 */
async function lockKind(trx: Executor, kind: TaxonomyKind): Promise<void> {
  if (dialectOf(trx) !== "postgres") return;
  await sql`select pg_advisory_xact_lock(${TAXONOMY_LOCK_NAMESPACE}::int, ${LOCK_KEYS[kind]}::int)`.execute(trx);
}

async function findItem(trx: Executor, kind: TaxonomyKind, ref: ResolvedRef): Promise<Item | undefined> {
  if (kind === "stage") {
    if (!("slug" in ref)) return undefined;
    const s = await trx
      .selectFrom("stages")
      .select(["slug", "name_en", "name_ur", "sort_order"])
      .where("slug", "=", ref.slug)
      .executeTakeFirst();
    return s && { ...s, id: null, archived: 0 };
  }
  let q = trx.selectFrom(TABLES[kind]).select(["id", "slug", "name_en", "name_ur", "sort_order", "archived"]);
  q = "id" in ref ? q.where("id", "=", ref.id) : q.where("slug", "=", ref.slug);
  return q.executeTakeFirst();
}

/** All items of a kind in display order: sort_order, then id (or slug for stages). */
async function orderedSlugs(trx: Executor, kind: TaxonomyKind): Promise<Array<{ slug: string; sort_order: number }>> {
  if (kind === "stage") return trx.selectFrom("stages").select(["slug", "sort_order"]).orderBy("sort_order").orderBy("slug").execute();
  return trx.selectFrom(TABLES[kind]).select(["slug", "sort_order"]).orderBy("sort_order").orderBy("id").execute();
}

async function setSortOrder(trx: Executor, kind: TaxonomyKind, slug: string, sortOrder: number): Promise<void> {
  if (kind === "stage") await trx.updateTable("stages").set({ sort_order: sortOrder }).where("slug", "=", slug).execute();
  else await trx.updateTable(TABLES[kind]).set({ sort_order: sortOrder }).where("slug", "=", slug).execute();
}

/** Rows of other tables that refer to a cluster or category (any one is enough to refuse a delete). */
async function isReferenced(trx: Executor, kind: OpenKind, id: number): Promise<boolean> {
  const probes =
    kind === "cluster"
      ? [
          trx.selectFrom("submissions").select("id").where("cluster_id", "=", id).limit(1),
          trx.selectFrom("organisations").select("id").where("cluster_id", "=", id).limit(1),
          trx.selectFrom("recommendation_clusters").select("cluster_id as id").where("cluster_id", "=", id).limit(1),
        ]
      : [
          trx.selectFrom("submission_categories").select("category_id as id").where("category_id", "=", id).limit(1),
          trx.selectFrom("submissions").select("id").where("suggested_category_id", "=", id).limit(1),
          trx.selectFrom("recommendation_categories").select("category_id as id").where("category_id", "=", id).limit(1),
        ];
  for (const probe of probes) if (await probe.executeTakeFirst()) return true;
  return false;
}

async function countActive(trx: Executor, kind: OpenKind): Promise<number> {
  const r = await trx
    .selectFrom(TABLES[kind])
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("archived", "=", 0)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const audit = (trx: Executor, p: TaxonomyActor, action: string, kind: TaxonomyKind, slug: string, before: unknown, after: unknown) =>
  recordAudit(
    trx,
    { actorId: p.actorId, actorRole: p.actorRole, ip: p.ip ?? null, action, targetType: kind, targetId: slug, before, after },
    p.now,
  );

const names = (i: Pick<Item, "name_en" | "name_ur">) => ({ nameEn: i.name_en, nameUr: i.name_ur });

// ─────────────────────────────── actions ──────────────────────────────

/** Adds a cluster or category at the end of its list, active. */
export async function addTaxonomyItem(
  db: DB,
  p: TaxonomyActor & { kind: TaxonomyKind; slug: unknown; nameEn: unknown; nameUr: unknown },
): Promise<TaxonomyResult> {
  if (p.kind === "stage") return { ok: false, reason: "fixedStages" };
  const kind = p.kind;
  const slug = TaxonomySlugSchema.safeParse(p.slug);
  const namesParsed = TaxonomyNamesSchema.safeParse({ nameEn: p.nameEn, nameUr: p.nameUr });
  if (!slug.success || !namesParsed.success) {
    return {
      ok: false,
      reason: "invalid",
      fieldErrors: {
        ...(slug.success ? {} : { slug: slug.error.issues.map((i) => i.message) }),
        ...(namesParsed.success ? {} : (z.flattenError(namesParsed.error).fieldErrors as FieldErrors)),
      },
    };
  }
  const { nameEn, nameUr } = namesParsed.data;
  try {
    return await db.transaction().execute(async (trx): Promise<TaxonomyResult> => {
      await lockKind(trx, kind);
      if (await findItem(trx, kind, { slug: slug.data })) return { ok: false, reason: "slugTaken" };
      const last = await trx
        .selectFrom(TABLES[kind])
        .select((eb) => eb.fn.max("sort_order").as("m"))
        .executeTakeFirst();
      const sortOrder = last?.m == null ? 0 : Number(last.m) + 1;
      const row = { slug: slug.data, name_en: nameEn, name_ur: nameUr, sort_order: sortOrder, archived: 0 as const };
      if (kind === "cluster") await trx.insertInto("clusters").values(row).execute();
      else
        await trx
          .insertInto("categories")
          .values({ ...row, hint_en: "", hint_ur: "" })
          .execute();
      await audit(trx, p, "taxonomy.add", kind, slug.data, undefined, { slug: slug.data, nameEn, nameUr, position: "last" });
      return { ok: true, changed: true, slug: slug.data };
    });
  } catch (error) {
    // Another admin added the same slug between our check and our insert.
    if (isUniqueViolation(error, "slug")) return { ok: false, reason: "slugTaken" };
    throw error;
  }
}

/** Renames an item in both languages (the slug stays). */
export async function renameTaxonomyItem(
  db: DB,
  p: TaxonomyActor & { kind: TaxonomyKind; ref: ItemRef; nameEn: unknown; nameUr: unknown },
): Promise<TaxonomyResult> {
  const namesParsed = TaxonomyNamesSchema.safeParse({ nameEn: p.nameEn, nameUr: p.nameUr });
  if (!namesParsed.success)
    return { ok: false, reason: "invalid", fieldErrors: z.flattenError(namesParsed.error).fieldErrors as FieldErrors };
  const ref = parseRef(p.kind, p.ref);
  if (!ref) return { ok: false, reason: "invalid", fieldErrors: { item: ["errors.invalid"] } };
  const { nameEn, nameUr } = namesParsed.data;
  return db.transaction().execute(async (trx): Promise<TaxonomyResult> => {
    const item = await findItem(trx, p.kind, ref);
    if (!item) return { ok: false, reason: "notFound" };
    if (item.name_en === nameEn && item.name_ur === nameUr) return { ok: true, changed: false, slug: item.slug };
    const set = { name_en: nameEn, name_ur: nameUr };
    if (p.kind === "stage") await trx.updateTable("stages").set(set).where("slug", "=", item.slug).execute();
    else await trx.updateTable(TABLES[p.kind]).set(set).where("slug", "=", item.slug).execute();
    await audit(trx, p, "taxonomy.rename", p.kind, item.slug, names(item), { nameEn, nameUr });
    return { ok: true, changed: true, slug: item.slug };
  });
}

/**
 * Moves an item one place up or down its list (archived items keep their
 * place too). The whole list is renumbered 0…n−1, so ties left by the seed or
 * by concurrent adds never make a move a no-op.
 */
export async function moveTaxonomyItem(
  db: DB,
  p: TaxonomyActor & { kind: TaxonomyKind; ref: ItemRef; direction: unknown },
): Promise<TaxonomyResult> {
  if (p.direction !== "up" && p.direction !== "down")
    return { ok: false, reason: "invalid", fieldErrors: { direction: ["errors.invalid"] } };
  const ref = parseRef(p.kind, p.ref);
  if (!ref) return { ok: false, reason: "invalid", fieldErrors: { item: ["errors.invalid"] } };
  const step = p.direction === "up" ? -1 : 1;
  return db.transaction().execute(async (trx): Promise<TaxonomyResult> => {
    await lockKind(trx, p.kind);
    const item = await findItem(trx, p.kind, ref);
    if (!item) return { ok: false, reason: "notFound" };
    const order = await orderedSlugs(trx, p.kind);
    const from = order.findIndex((o) => o.slug === item.slug);
    const to = from + step;
    if (to < 0 || to >= order.length) return { ok: true, changed: false, slug: item.slug };
    const slugs = order.map((o) => o.slug);
    [slugs[from], slugs[to]] = [slugs[to], slugs[from]];
    const current = new Map(order.map((o) => [o.slug, o.sort_order]));
    for (const [i, slug] of slugs.entries()) if (current.get(slug) !== i) await setSortOrder(trx, p.kind, slug, i);
    await audit(trx, p, "taxonomy.move", p.kind, item.slug, { position: from + 1 }, { position: to + 1, direction: p.direction });
    return { ok: true, changed: true, slug: item.slug };
  });
}

/** Archives (hides from new choices) or unarchives a cluster or category. */
export async function setTaxonomyItemArchived(
  db: DB,
  p: TaxonomyActor & { kind: TaxonomyKind; ref: ItemRef; archived: boolean },
): Promise<TaxonomyResult> {
  if (p.kind === "stage") return { ok: false, reason: "fixedStages" };
  const kind = p.kind;
  const ref = parseRef(kind, p.ref);
  if (!ref) return { ok: false, reason: "invalid", fieldErrors: { item: ["errors.invalid"] } };
  const result = await db.transaction().execute(async (trx): Promise<TaxonomyResult> => {
    await lockKind(trx, kind);
    const item = await findItem(trx, kind, ref);
    if (!item) return { ok: false, reason: "notFound" };
    if (Boolean(item.archived) === p.archived) return { ok: true, changed: false, slug: item.slug };
    if (p.archived && (await countActive(trx, kind)) <= 1) return { ok: false, reason: "lastActive" };
    await trx
      .updateTable(TABLES[kind])
      .set({ archived: p.archived ? 1 : 0 })
      .where("slug", "=", item.slug)
      .execute();
    await audit(
      trx,
      p,
      p.archived ? "taxonomy.archive" : "taxonomy.unarchive",
      kind,
      item.slug,
      { archived: !p.archived },
      { archived: p.archived },
    );
    return { ok: true, changed: true, slug: item.slug };
  });
  // What the cluster pages list does not depend on it today, but their memo is cheap to drop.
  if (result.ok && result.changed) listingsChanged();
  return result;
}

/** Deletes a cluster or category nothing refers to and the app did not ship. */
export async function deleteTaxonomyItem(db: DB, p: TaxonomyActor & { kind: TaxonomyKind; ref: ItemRef }): Promise<TaxonomyResult> {
  if (p.kind === "stage") return { ok: false, reason: "fixedStages" };
  const kind = p.kind;
  const ref = parseRef(kind, p.ref);
  if (!ref) return { ok: false, reason: "invalid", fieldErrors: { item: ["errors.invalid"] } };
  let result: TaxonomyResult;
  try {
    result = await db.transaction().execute(async (trx): Promise<TaxonomyResult> => {
      await lockKind(trx, kind);
      const item = await findItem(trx, kind, ref);
      if (!item) return { ok: false, reason: "notFound" };
      if (await isReferenced(trx, kind, item.id!)) return { ok: false, reason: "inUse" };
      if (SHIPPED_SLUGS[kind].has(item.slug)) return { ok: false, reason: "shipped" };
      if (!item.archived && (await countActive(trx, kind)) <= 1) return { ok: false, reason: "lastActive" };
      await trx.deleteFrom(TABLES[kind]).where("slug", "=", item.slug).execute();
      await audit(
        trx,
        p,
        "taxonomy.delete",
        kind,
        item.slug,
        { slug: item.slug, ...names(item), archived: Boolean(item.archived) },
        undefined,
      );
      return { ok: true, changed: true, slug: item.slug };
    });
  } catch (error) {
    // A suggestion or organisation took it between our check and the delete.
    if (isForeignKeyViolation(error)) return { ok: false, reason: "inUse" };
    throw error;
  }
  if (result.ok) listingsChanged();
  return result;
}

// ─────────────────────────────── reading ──────────────────────────────

export interface AdminTaxonomyItem {
  id: number | null;
  slug: string;
  nameEn: string;
  nameUr: string;
  archived: boolean;
  /** suggestions (any state, any consultation) that use it: cluster, moderator's tag or the author's suggested category, or stage */
  suggestions: number;
  /** whether anything at all refers to it (suggestions, organisations, recommendations) */
  inUse: boolean;
  /** shipped in db/taxonomy.json: can be archived, never deleted */
  shipped: boolean;
}

const countMap = (rows: Array<{ k: number | string | null; n: number | string | bigint }>) => new Map(rows.map((r) => [r.k, Number(r.n)]));

/** Every cluster, category and stage (archived ones too) in display order, with how much each is used: the admin page. */
export async function listTaxonomyForAdmin(db: Executor): Promise<Record<"clusters" | "categories" | "stages", AdminTaxonomyItem[]>> {
  const [clusters, categories, stages, byCluster, orgsByCluster, recsByCluster, byCategory, recsByCategory, byStage] = await Promise.all([
    db.selectFrom("clusters").select(["id", "slug", "name_en", "name_ur", "archived"]).orderBy("sort_order").orderBy("id").execute(),
    db.selectFrom("categories").select(["id", "slug", "name_en", "name_ur", "archived"]).orderBy("sort_order").orderBy("id").execute(),
    db.selectFrom("stages").select(["slug", "name_en", "name_ur"]).orderBy("sort_order").orderBy("slug").execute(),
    db
      .selectFrom("submissions")
      .select(["cluster_id as k", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("cluster_id")
      .execute(),
    db
      .selectFrom("organisations")
      .select(["cluster_id as k", (eb) => eb.fn.countAll<number>().as("n")])
      .where("cluster_id", "is not", null)
      .groupBy("cluster_id")
      .execute(),
    db
      .selectFrom("recommendation_clusters")
      .select(["cluster_id as k", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("cluster_id")
      .execute(),
    // A suggestion counts once per category, whether a moderator tagged it, its author suggested it, or both.
    db
      .selectFrom(
        db
          .selectFrom("submission_categories")
          .select(["category_id as k", "submission_id as s"])
          .union(
            db
              .selectFrom("submissions")
              .select(["suggested_category_id as k", "id as s"])
              .where("suggested_category_id", "is not", null)
              .$narrowType<{ k: number }>(),
          )
          .as("u"),
      )
      .select(["u.k", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("u.k")
      .execute(),
    db
      .selectFrom("recommendation_categories")
      .select(["category_id as k", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("category_id")
      .execute(),
    db
      .selectFrom("submissions")
      .select(["stage as k", (eb) => eb.fn.countAll<number>().as("n")])
      .where("stage", "is not", null)
      .groupBy("stage")
      .execute(),
  ]);
  const sc = countMap(byCluster);
  const oc = countMap(orgsByCluster);
  const rc = countMap(recsByCluster);
  const scat = countMap(byCategory);
  const rcat = countMap(recsByCategory);
  const sst = countMap(byStage);
  return {
    clusters: clusters.map((c) => ({
      id: c.id,
      slug: c.slug,
      nameEn: c.name_en,
      nameUr: c.name_ur,
      archived: c.archived === 1,
      suggestions: sc.get(c.id) ?? 0,
      inUse: (sc.get(c.id) ?? 0) + (oc.get(c.id) ?? 0) + (rc.get(c.id) ?? 0) > 0,
      shipped: SHIPPED_SLUGS.cluster.has(c.slug),
    })),
    categories: categories.map((c) => ({
      id: c.id,
      slug: c.slug,
      nameEn: c.name_en,
      nameUr: c.name_ur,
      archived: c.archived === 1,
      suggestions: scat.get(c.id) ?? 0,
      inUse: (scat.get(c.id) ?? 0) + (rcat.get(c.id) ?? 0) > 0,
      shipped: SHIPPED_SLUGS.category.has(c.slug),
    })),
    stages: stages.map((s) => ({
      id: null,
      slug: s.slug,
      nameEn: s.name_en,
      nameUr: s.name_ur,
      archived: false,
      suggestions: sst.get(s.slug) ?? 0,
      inUse: (sst.get(s.slug) ?? 0) > 0,
      shipped: true,
    })),
  };
}
