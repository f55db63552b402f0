// The synthesis workbench (issue 19, ADR 0029): the public suggestions of a
// consultation, filtered like a cluster page plus "covered by a
// recommendation", most supported first; linking many of them to one draft
// recommendation (or a new one) in one transaction; and, on a
// recommendation's page, the published suggestions most like its sources.
import { sql, type Expression, type SqlBool } from "kysely";
import type { Executor } from "../../db/client";
import { inTransaction } from "../../db/transaction";
import { ListingCache } from "~/lib/listing-cache.server";
import { scriptLanguage } from "~/lib/recommendation-language";
import { defineRefusals } from "~/lib/refusal";
import { PUBLIC_STATUSES, isPublicStatus } from "~/lib/reference";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { getActiveConsultation } from "./consultation.server";
import type { Actor } from "./recommendation.server";
import { findSimilarIds, matchAllTerms, searchKey, similarityTerms } from "./search.server";
import { listSubmissionCategories } from "./submission.server";

/** Rows of one workbench page. */
export const SYNTHESIS_PAGE_SIZE = 50;
/** The most suggestions one bulk link takes (the workbench offers a page of 50; a script may send more). */
export const LINK_MANY_MAX = 1000;
/** Rows per INSERT/SELECT … IN (…) statement: far under SQLite's variable limit (4 values a row). */
const CHUNK = 200;

export interface WorkbenchQuery {
  consultationId: number;
  clusterId?: number;
  categoryId?: number;
  stage?: string;
  q?: string;
  /** yes: linked to at least one recommendation (any status); no: to none (see `coveredCondition`) */
  covered?: "yes" | "no";
  page: number;
  pageSize?: number;
}

/**
 * "Covered" on the workbench: linked as a source to at least one
 * recommendation, draft or final. A merged suggestion is covered through
 * itself or through the suggestion it was merged into (its supporters were
 * carried there), like the rest of the app counts a merge's supports. The
 * coverage page counts the stricter "in a FINAL recommendation" (ADR 0029).
 */
function coveredCondition(negate: boolean): Expression<SqlBool> {
  // The covered ids as one set read from the (small) link table, not a test per suggestion: the
  // planner drives "yes" from the set, and "no" checks each row against it once materialised.
  const covered = sql`select rs.submission_id from recommendation_submissions rs
    union select m.id from submissions m where m.merged_into_id in (select rm.submission_id from recommendation_submissions rm)`;
  return negate ? sql<SqlBool>`s.id not in (${covered})` : sql<SqlBool>`s.id in (${covered})`;
}

/** `match`: the words' condition (matchAllTerms), read once for both of listWorkbench's queries. */
function workbenchBase(db: Executor, q: WorkbenchQuery, match: Expression<SqlBool> | null) {
  let query = db
    .selectFrom("submissions as s")
    .where("s.consultation_id", "=", q.consultationId)
    .where("s.status", "in", [...PUBLIC_STATUSES]);
  if (q.clusterId) query = query.where("s.cluster_id", "=", q.clusterId);
  if (q.stage) query = query.where("s.stage", "=", q.stage);
  if (q.categoryId) {
    // `id in (the category's ids)`, not `exists (…)` per row: SQLite reads the
    // category's ids once (a Bloom filter) instead of one index probe per
    // public suggestion, 50–370 ms against 3–10 ms on the 100,000 set.
    const categoryId = q.categoryId;
    query = query.where("s.id", "in", (eb) =>
      eb.selectFrom("submission_categories as f").select("f.submission_id").where("f.category_id", "=", categoryId),
    );
  }
  if (match) query = query.where(match);
  if (q.covered) query = query.where(coveredCondition(q.covered === "no"));
  return query;
}

const searchMemos = new WeakMap<object, ListingCache>();
function searchMemoOf(db: Executor): ListingCache {
  let memo = searchMemos.get(db);
  if (!memo) searchMemos.set(db, (memo = new ListingCache()));
  return memo;
}

/** How many links there are and the newest: moves with every link added or removed (`covered`). */
async function linksMark(db: Executor): Promise<string> {
  const row = await db
    .selectFrom("recommendation_submissions")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("linked_at").as("last")])
    .executeTakeFirst();
  return `${Number(row?.n ?? 0)}:${row?.last ?? ""}`;
}

export interface WorkbenchRow {
  id: number;
  title: string;
  status: string;
  /** where a merged suggestion went */
  mergedInto: number | null;
  cluster: { slug: string; name_en: string; name_ur: string };
  categories: Array<{ slug: string; name_en: string; name_ur: string }>;
  /** support breadth: the suggestion's own counters (a merged one keeps its own rows; they were also carried to its target) */
  breadth: { supporters: number; organisations: number; provinces: number };
  /** recommendations it is a source of, or (`viaMerge`) its merge target is */
  recommendations: Array<{ id: number; title: string; status: string; viaMerge: boolean }>;
}

/**
 * One page of the workbench, most supported first (unique supporters, then
 * newest id), with the total. The filters are the cluster page's (cluster,
 * category, stage, words) plus `covered`.
 */
export async function listWorkbench(db: Executor, q: WorkbenchQuery): Promise<{ total: number; rows: WorkbenchRow[] }> {
  const pageSize = q.pageSize ?? SYNTHESIS_PAGE_SIZE;
  const offset = (q.page - 1) * pageSize;
  const match = q.q ? await matchAllTerms(db, q.q, "s.id") : null;
  const memo = q.q && !db.isTransaction ? searchMemoOf(db) : null;
  if (memo && match) {
    // A search orders every match once and serves each page from that list
    // (as the cluster page's search, ADR 0021): a word that matches most of
    // the consultation costs one read, not a count and a sort per page and per
    // organiser. Kept until a listing changes (publication, merge, an edit, a
    // translation, the glossary: the listings' generation), a link is added
    // or removed (the key holds the link table's count and last link, so
    // `covered` is never stale), or 10 s pass (support counts move the order).
    const key = JSON.stringify([
      q.consultationId,
      q.clusterId ?? 0,
      q.categoryId ?? 0,
      q.stage ?? "",
      q.covered ?? "",
      searchKey(q.q!),
      await linksMark(db),
    ]);
    const { ids } = await memo.get(key, async () => ({
      ids: (await workbenchBase(db, q, match).select("s.id").orderBy("s.supporters_count", "desc").orderBy("s.id", "desc").execute()).map(
        (r) => r.id,
      ),
    }));
    return { total: ids.length, rows: await workbenchRows(db, ids.slice(offset, offset + pageSize)) };
  }
  const [countRow, idRows] = await Promise.all([
    workbenchBase(db, q, match)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
    workbenchBase(db, q, match)
      .select("s.id")
      .orderBy("s.supporters_count", "desc")
      .orderBy("s.id", "desc")
      .limit(pageSize)
      .offset(offset)
      .execute(),
  ]);
  const ids = idRows.map((r) => r.id);
  return { total: Number(countRow.n), rows: await workbenchRows(db, ids) };
}

async function workbenchRows(db: Executor, ids: number[]): Promise<WorkbenchRow[]> {
  if (!ids.length) return [];
  const [rows, categories] = await Promise.all([
    db
      .selectFrom("submissions as s")
      .innerJoin("clusters as c", "c.id", "s.cluster_id")
      .select([
        "s.id",
        "s.title",
        "s.status",
        "s.merged_into_id",
        "s.supporters_count",
        "s.supporting_organisations",
        "s.supporting_provinces",
        "c.slug as cluster_slug",
        "c.name_en as cluster_name_en",
        "c.name_ur as cluster_name_ur",
      ])
      .where("s.id", "in", ids)
      .execute(),
    listSubmissionCategories(db, ids),
  ]);
  const targets = rows.map((r) => r.merged_into_id).filter((id): id is number => id !== null);
  const links = await db
    .selectFrom("recommendation_submissions as rs")
    .innerJoin("recommendations as r", "r.id", "rs.recommendation_id")
    .select(["rs.submission_id", "r.id", "r.title", "r.status"])
    .where("rs.submission_id", "in", [...new Set([...ids, ...targets])])
    .orderBy("r.id")
    .execute();
  const linksOf = (id: number) => links.filter((l) => l.submission_id === id);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids
    .map((id) => byId.get(id))
    .filter((r): r is NonNullable<typeof r> => Boolean(r))
    .map((r) => {
      const own = linksOf(r.id).map((l) => ({ id: l.id, title: l.title, status: l.status, viaMerge: false }));
      const viaMerge =
        r.merged_into_id === null
          ? []
          : linksOf(r.merged_into_id)
              .filter((l) => !own.some((o) => o.id === l.id))
              .map((l) => ({ id: l.id, title: l.title, status: l.status, viaMerge: true }));
      return {
        id: r.id,
        title: r.title,
        status: r.status,
        mergedInto: r.merged_into_id,
        cluster: { slug: r.cluster_slug, name_en: r.cluster_name_en, name_ur: r.cluster_name_ur },
        categories: categories.get(r.id) ?? [],
        breadth: { supporters: r.supporters_count, organisations: r.supporting_organisations, provinces: r.supporting_provinces },
        recommendations: [...own, ...viaMerge],
      };
    });
}

/** The recommendations a bulk link may add to: the drafts of the consultation, newest first. */
export async function listLinkTargets(db: Executor, consultationId: number) {
  return db
    .selectFrom("recommendations")
    .select(["id", "title"])
    .where("consultation_id", "=", consultationId)
    .where("status", "=", "draft")
    .orderBy("id", "desc")
    .execute();
}

// ───────────────────────────── linking many ─────────────────────────────

/**
 * Why a bulk link is refused, and the status of each. Nothing is linked (and
 * no draft is made) when any of them applies:
 * nothing chosen, or a new draft without a usable title (400); no such
 * recommendation (404); no active consultation, or a recommendation that is
 * final (a final one takes sources one at a time on its page, where the
 * inclusion is announced) (409); a chosen suggestion unknown, not public, or
 * of another consultation (422).
 */
export const SYNTHESIS_REFUSALS = defineRefusals({
  empty: 400,
  tooMany: 400,
  titleRequired: 400,
  titleLength: 400,
  notFound: 404,
  noConsultation: 409,
  final: 409,
  submissionNotFound: 422,
  notPublic: 422,
  otherConsultation: 422,
});
export type LinkManyRefusal = keyof typeof SYNTHESIS_REFUSALS;

export type LinkManyResult =
  | { ok: true; recommendationId: number; created: boolean; added: number; already: number }
  | { ok: false; reason: LinkManyRefusal; submissionIds?: number[] };

const TITLE_MIN = 5;
const TITLE_MAX = 200;

/** What a bulk link is refused for before anything is read: the same rule for the route and the model. */
export function linkManyInputRefusal(input: {
  submissionIds: number[];
  recommendation: number | "new";
  title?: string;
}): LinkManyRefusal | null {
  if (!input.submissionIds.length) return "empty";
  if (new Set(input.submissionIds).size > LINK_MANY_MAX) return "tooMany";
  if (input.recommendation === "new") {
    const title = (input.title ?? "").trim();
    if (!title) return "titleRequired";
    if (title.length < TITLE_MIN || title.length > TITLE_MAX) return "titleLength";
  }
  return null;
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Links every chosen suggestion to one draft recommendation, or to a new draft
 * titled `title` (its clusters those of the suggestions), in ONE transaction
 * with one audit entry. Links already there are skipped (insert … on conflict
 * do nothing on the (recommendation, submission) key), so two organisers
 * linking overlapping sets at once neither fail nor duplicate a row. Ids are
 * inserted in ascending order so that two such transactions on PostgreSQL
 * wait for each other instead of deadlocking.
 */
export async function linkMany(
  db: Executor,
  params: Actor & { submissionIds: number[]; recommendation: number | "new"; title?: string },
): Promise<LinkManyResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const early = linkManyInputRefusal(params);
  if (early) return { ok: false, reason: early };
  const ids = [...new Set(params.submissionIds)].sort((a, b) => a - b);
  return inTransaction(db, async (trx): Promise<LinkManyResult> => {
    let consultationId: number;
    if (params.recommendation === "new") {
      const consultation = await getActiveConsultation(trx);
      if (!consultation) return { ok: false, reason: "noConsultation" };
      consultationId = consultation.id;
    } else {
      const r = await trx
        .selectFrom("recommendations")
        .select(["id", "consultation_id", "status"])
        .where("id", "=", params.recommendation)
        .executeTakeFirst();
      if (!r) return { ok: false, reason: "notFound" };
      if (r.status === "final") return { ok: false, reason: "final" };
      consultationId = r.consultation_id;
    }
    // Every chosen suggestion is checked before anything is written.
    const found: Array<{ id: number; status: string; consultation_id: number; cluster_id: number }> = [];
    for (const part of chunks(ids)) {
      found.push(
        ...(await trx
          .selectFrom("submissions")
          .select(["id", "status", "consultation_id", "cluster_id"])
          .where("id", "in", part)
          .execute()),
      );
    }
    if (found.length !== ids.length) {
      const known = new Set(found.map((s) => s.id));
      return { ok: false, reason: "submissionNotFound", submissionIds: ids.filter((id) => !known.has(id)) };
    }
    const notPublic = found.filter((s) => !isPublicStatus(s.status)).map((s) => s.id);
    if (notPublic.length) return { ok: false, reason: "notPublic", submissionIds: notPublic.sort((a, b) => a - b) };
    const other = found.filter((s) => s.consultation_id !== consultationId).map((s) => s.id);
    if (other.length) return { ok: false, reason: "otherConsultation", submissionIds: other.sort((a, b) => a - b) };

    let recommendationId: number;
    const created = params.recommendation === "new";
    if (params.recommendation === "new") {
      const title = (params.title ?? "").trim();
      const row = await trx
        .insertInto("recommendations")
        .values({
          consultation_id: consultationId,
          title,
          // An Urdu title is the Urdu version (ADR 0032): the recommendation page's Urdu fields show it.
          language: scriptLanguage(title),
          text: "",
          priority: 3,
          dissent: "",
          status: "draft",
          created_by: params.actorId,
          created_at: iso,
          updated_at: iso,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      recommendationId = row.id;
      const clusterIds = [...new Set(found.map((s) => s.cluster_id))].sort((a, b) => a - b);
      await trx
        .insertInto("recommendation_clusters")
        .values(clusterIds.map((cluster_id) => ({ recommendation_id: recommendationId, cluster_id })))
        .execute();
      await recordAudit(
        trx,
        {
          actorId: params.actorId,
          actorRole: params.actorRole,
          action: "recommendation.create",
          targetType: "recommendation",
          targetId: recommendationId,
          after: { title, status: "draft", from: "synthesis" },
        },
        now,
      );
    } else {
      recommendationId = params.recommendation;
    }
    const added: number[] = [];
    for (const part of chunks(ids)) {
      const rows = await trx
        .insertInto("recommendation_submissions")
        .values(
          part.map((submission_id) => ({ recommendation_id: recommendationId, submission_id, linked_by: params.actorId, linked_at: iso })),
        )
        .onConflict((oc) => oc.columns(["recommendation_id", "submission_id"]).doNothing())
        .returning("submission_id")
        .execute();
      added.push(...rows.map((r) => r.submission_id));
    }
    added.sort((a, b) => a - b);
    if (added.length) {
      await trx.updateTable("recommendations").set({ updated_at: iso }).where("id", "=", recommendationId).execute();
      await recordAudit(
        trx,
        {
          actorId: params.actorId,
          actorRole: params.actorRole,
          action: "recommendation.link-many",
          targetType: "recommendation",
          targetId: recommendationId,
          after: { added: added.length, already: ids.length - added.length, submissions: added },
        },
        now,
      );
    }
    return { ok: true, recommendationId, created, added: added.length, already: ids.length - added.length };
  });
}

// ───────────────────────────── more like these ─────────────────────────────

/** Sources read for "more like these" (the most supported), terms kept, results shown. */
const LIKE_SOURCES = 50;
const LIKE_TERMS = 12;
export const LIKE_RESULTS = 20;

/**
 * The words that stand for a recommendation's sources: each source's title,
 * problem and proposal reduced to search terms (stop words out, English and
 * Urdu alike), counted over the sources (a title's words count twice), the
 * most frequent first. Bounded: at most LIKE_TERMS.
 */
export function topTerms(sources: Array<{ title: string; problem: string; proposal: string }>, max = LIKE_TERMS): string[] {
  const counts = new Map<string, number>();
  const add = (text: string, weight: number) => {
    // similarityTerms keeps 12 words of a text: read long texts a line/sentence at a time.
    for (const part of text.split(/[\n.!?؟۔]+/u))
      for (const term of similarityTerms(part)) counts.set(term, (counts.get(term) ?? 0) + weight);
  };
  for (const s of sources) {
    add(s.title, 2);
    add(s.problem, 1);
    add(s.proposal, 1);
  }
  return [...counts.entries()]
    .filter(([term]) => !/^\p{N}+$/u.test(term))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([term]) => term);
}

export interface MoreLikeRow {
  id: number;
  title: string;
  supporters: number;
  cluster: { slug: string; name_en: string; name_ur: string };
}

/**
 * The published suggestions most like a recommendation's sources (full text
 * over titles, problems and proposals, ranked by BM25 on SQLite and ts_rank on
 * PostgreSQL through findSimilarIds), not linked to it yet, best first, at most
 * `limit`. Empty when it has no sources.
 */
export async function moreLikeThese(
  db: Executor,
  params: { recommendationId: number; limit?: number; chunkIds?: number },
): Promise<MoreLikeRow[]> {
  const limit = params.limit ?? LIKE_RESULTS;
  const r = await db
    .selectFrom("recommendations")
    .select(["id", "consultation_id"])
    .where("id", "=", params.recommendationId)
    .executeTakeFirst();
  if (!r) return [];
  const linked = await db.selectFrom("recommendation_submissions").select("submission_id").where("recommendation_id", "=", r.id).execute();
  if (!linked.length) return [];
  const sources = await db
    .selectFrom("recommendation_submissions as rs")
    .innerJoin("submissions as s", "s.id", "rs.submission_id")
    .select(["s.title", "s.problem", "s.proposal"])
    .where("rs.recommendation_id", "=", r.id)
    .orderBy("s.supporters_count", "desc")
    .orderBy("s.id")
    .limit(LIKE_SOURCES)
    .execute();
  const terms = topTerms(sources);
  if (!terms.length) return [];
  const linkedIds = new Set(linked.map((l) => l.submission_id));
  // Ask for enough to fill `limit` after the linked ones are set aside.
  const ids = await findSimilarIds(db, {
    text: terms.join(" "),
    consultationId: r.consultation_id,
    statuses: ["published"],
    limit: limit + linkedIds.size,
    chunkIds: params.chunkIds,
  });
  const wanted = ids.filter((id) => !linkedIds.has(id)).slice(0, limit);
  if (!wanted.length) return [];
  const rows = await db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .select(["s.id", "s.title", "s.supporters_count", "c.slug", "c.name_en", "c.name_ur"])
    .where("s.id", "in", wanted)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return wanted
    .map((id) => byId.get(id))
    .filter((row): row is NonNullable<typeof row> => Boolean(row))
    .map((row) => ({
      id: row.id,
      title: row.title,
      supporters: row.supporters_count,
      cluster: { slug: row.slug, name_en: row.name_en, name_ur: row.name_ur },
    }));
}
