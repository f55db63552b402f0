// Submissions: the suggested interventions. Owns their lifecycle as seen by
// authors (submit, edit while pending, withdraw), who may see which, the
// public history, and the cluster listing (sorts, filters, search).
import { randomInt } from "node:crypto";
import type { DB, Executor } from "../../db/client";
import { dialectOf } from "../../db/transaction";
import type { Role, SubmissionSource, SubmissionStatus } from "../../db/schema";
import { hasRole } from "~/auth/permissions";
import { listingsChanged, type ListingCache } from "~/lib/listing-cache.server";
import type { SubmissionInput } from "~/lib/schemas";
import type { Sort } from "~/lib/reference";
import { nowIso } from "~/lib/time";
import { defineRefusals } from "~/lib/refusal";
import {
  getActiveConsultation,
  participationRefusalFor,
  PARTICIPATION_REFUSALS,
  windowPhase,
  type ActiveConsultation,
  type ParticipationRefusal,
} from "./consultation.server";
import { recordAudit } from "./audit.server";
import { autoFollow } from "./follow.server";
import { originalLanguageOf } from "./original-language";
import { findSimilarIds, forEachIdRange, searchColumns, searchKey, searchMatcher, similarityTerms, type IdRange } from "./search.server";

export interface Viewer {
  id: number;
  role: Role;
}

export type FieldErrors = Record<string, string[]>;

export type WindowRefusal =
  | { ok: false; reason: "noConsultation" }
  | { ok: false; reason: "windowNotOpen"; opensAt: string }
  | { ok: false; reason: "windowClosed"; closesAt: string };

/** Refuses outside the consultation's submission window. */
function checkSubmissionWindow(c: ActiveConsultation, now: Date): WindowRefusal | null {
  const phase = windowPhase(c.submission_opens_at, c.submission_closes_at, now);
  if (phase === "upcoming") return { ok: false, reason: "windowNotOpen", opensAt: c.submission_opens_at };
  if (phase === "closed") return { ok: false, reason: "windowClosed", closesAt: c.submission_closes_at };
  return null;
}

/**
 * Cluster and suggested category slugs → ids. Archived ones are refused, except
 * the ones an edited suggestion already has (`keep`): archiving takes an item
 * out of new choices, it does not force every old suggestion to change.
 */
export async function resolveTaxonomy(
  db: Executor,
  input: Pick<SubmissionInput, "cluster" | "suggestedCategory">,
  keep: { clusterId?: number | null; categoryId?: number | null } = {},
) {
  const fieldErrors: FieldErrors = {};
  const cluster = await db
    .selectFrom("clusters")
    .select("id")
    .where("slug", "=", input.cluster)
    .where((eb) => (keep.clusterId ? eb.or([eb("archived", "=", 0), eb("id", "=", keep.clusterId)]) : eb("archived", "=", 0)))
    .executeTakeFirst();
  if (!cluster) fieldErrors.cluster = ["errors.invalid"];
  let categoryId: number | null = null;
  if (input.suggestedCategory) {
    const category = await db
      .selectFrom("categories")
      .select("id")
      .where("slug", "=", input.suggestedCategory)
      .where((eb) => (keep.categoryId ? eb.or([eb("archived", "=", 0), eb("id", "=", keep.categoryId)]) : eb("archived", "=", 0)))
      .executeTakeFirst();
    if (!category) fieldErrors.suggestedCategory = ["errors.invalid"];
    categoryId = category?.id ?? null;
  }
  return { clusterId: cluster?.id ?? null, categoryId, fieldErrors };
}

export async function recordEvent(
  db: Executor,
  e: { submissionId: number; event: string; actorId: number | null; actorRole: string; data?: unknown },
  now: Date = new Date(),
): Promise<void> {
  await db
    .insertInto("submission_events")
    .values({
      submission_id: e.submissionId,
      event: e.event,
      actor_id: e.actorId,
      actor_role: e.actorRole,
      data: e.data === undefined ? null : JSON.stringify(e.data),
      created_at: nowIso(now),
    })
    .execute();
  listingsChanged();
}

export type CreateSubmissionResult = { ok: true; id: number } | { ok: false; reason: "invalid"; fieldErrors: FieldErrors } | WindowRefusal;

/** Submits a suggestion: pending until a moderator publishes it. */
export async function createSubmission(
  db: DB,
  params: {
    authorId: number;
    authorRole: Role;
    input: SubmissionInput;
    source?: SubmissionSource;
    organisationId?: number | null;
    now?: Date;
  },
): Promise<CreateSubmissionResult> {
  const now = params.now ?? new Date();
  const consultation = await getActiveConsultation(db);
  if (!consultation) return { ok: false, reason: "noConsultation" };
  const refusal = checkSubmissionWindow(consultation, now);
  if (refusal) return refusal;
  const { clusterId, categoryId, fieldErrors } = await resolveTaxonomy(db, params.input);
  if (!clusterId || Object.keys(fieldErrors).length) return { ok: false, reason: "invalid", fieldErrors };
  return db.transaction().execute(async (trx) => {
    const author = await trx.selectFrom("users").select("organisation_id").where("id", "=", params.authorId).executeTakeFirstOrThrow();
    const id = await insertPendingSubmission(
      trx,
      {
        consultationId: consultation.id,
        clusterId,
        categoryId,
        authorId: params.authorId,
        organisationId: params.organisationId !== undefined ? params.organisationId : author.organisation_id,
        source: params.source ?? "web",
        input: params.input,
        actor: { id: params.authorId, role: params.authorRole },
      },
      now,
    );
    return { ok: true as const, id };
  });
}

/**
 * Inserts a pending submission and its "submitted" event: the one place its
 * derived columns (random key, search text) are filled, for the web form and
 * for what moderators enter on behalf of an organisation (workshop, import).
 * Rules (window, taxonomy, who may) are the caller's; pass its transaction.
 */
export async function insertPendingSubmission(
  trx: Executor,
  p: {
    consultationId: number;
    clusterId: number;
    categoryId: number | null;
    authorId: number | null;
    organisationId: number | null;
    source: SubmissionSource;
    input: Pick<SubmissionInput, "title" | "problem" | "proposal" | "expectedImpact" | "stage" | "horizon">;
    /** who is shown in the public history, by role only */
    actor: { id: number | null; role: string };
  },
  now: Date,
): Promise<number> {
  const { input } = p;
  const iso = nowIso(now);
  const row = await trx
    .insertInto("submissions")
    .values({
      consultation_id: p.consultationId,
      cluster_id: p.clusterId,
      author_id: p.authorId,
      organisation_id: p.organisationId,
      title: input.title,
      problem: input.problem,
      proposal: input.proposal,
      expected_impact: input.expectedImpact ?? "",
      stage: input.stage ?? null,
      suggested_category_id: p.categoryId,
      horizon: input.horizon ?? null,
      status: "pending",
      source: p.source,
      random_key: randomInt(0, 2 ** 31 - 1),
      ...searchColumns({ title: input.title, problem: input.problem, proposal: input.proposal, expected_impact: input.expectedImpact }),
      original_language: originalLanguageOf(input.title, input.problem, input.proposal, input.expectedImpact),
      created_at: iso,
      updated_at: iso,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await recordEvent(trx, { submissionId: row.id, event: "submitted", actorId: p.actor.id, actorRole: p.actor.role }, now);
  // The author follows what they wrote (issue 16): they hear of comments, inclusion, the response, progress.
  await autoFollow(trx, { userIds: [p.authorId], target: { type: "submission", id: row.id }, origin: "author" }, now);
  return row.id;
}

const EDITABLE_FIELDS = [
  "title",
  "problem",
  "proposal",
  "expected_impact",
  "stage",
  "horizon",
  "suggested_category_id",
  "cluster_id",
] as const;

/**
 * The submission if this viewer may edit it: its author while pending, or a
 * moderator (any state but withdrawn). Ownership is in the query.
 */
export async function getEditableSubmission(db: Executor, params: { id: number; viewer: Viewer }) {
  let q = db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .leftJoin("categories as cat", "cat.id", "s.suggested_category_id")
    .select([
      "s.id",
      "s.status",
      "s.author_id",
      "s.title",
      "s.problem",
      "s.proposal",
      "s.expected_impact",
      "s.stage",
      "s.horizon",
      "s.suggested_category_id",
      "s.cluster_id",
      "c.slug as cluster_slug",
      "cat.slug as category_slug",
    ])
    .where("s.id", "=", params.id);
  if (hasRole(params.viewer.role, "moderator")) q = q.where("s.status", "!=", "withdrawn");
  else q = q.where("s.author_id", "=", params.viewer.id).where("s.status", "=", "pending");
  return q.executeTakeFirst();
}

/**
 * Why this viewer may not edit the submission now, or null: the author's edits
 * end with the consultation; a moderator's do not (ADR 0022). For a submission
 * getEditableSubmission returned to this viewer.
 */
export async function editRefusal(db: Executor, params: { id: number; viewer: Viewer; now?: Date }): Promise<ParticipationRefusal | null> {
  if (hasRole(params.viewer.role, "moderator")) return null;
  return (await participationRefusalFor(db, params.id, params.now ?? new Date())) ?? null;
}

export type UpdateSubmissionResult =
  { ok: true } | { ok: false; reason: "notFound" } | { ok: false; reason: "invalid"; fieldErrors: FieldErrors } | ParticipationRefusal;

/** Edits a submission, keeping the text before the change in its history. */
export async function updateSubmission(
  db: DB,
  params: { id: number; viewer: Viewer; input: SubmissionInput; reason?: string; now?: Date },
): Promise<UpdateSubmissionResult> {
  const now = params.now ?? new Date();
  const current = await getEditableSubmission(db, params);
  if (!current) return { ok: false, reason: "notFound" };
  const closed = await editRefusal(db, { id: params.id, viewer: params.viewer, now });
  if (closed) return closed;
  const { clusterId, categoryId, fieldErrors } = await resolveTaxonomy(db, params.input, {
    clusterId: current.cluster_id,
    categoryId: current.suggested_category_id,
  });
  if (!clusterId || Object.keys(fieldErrors).length) return { ok: false, reason: "invalid", fieldErrors };
  const next = {
    title: params.input.title,
    problem: params.input.problem,
    proposal: params.input.proposal,
    expected_impact: params.input.expectedImpact ?? "",
    stage: params.input.stage ?? null,
    horizon: params.input.horizon ?? null,
    suggested_category_id: categoryId,
    cluster_id: clusterId,
  };
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const f of EDITABLE_FIELDS) {
    if (current[f] !== next[f]) {
      before[f] = current[f];
      after[f] = next[f];
    }
  }
  if (!Object.keys(after).length) return { ok: true };
  const byModerator = current.author_id !== params.viewer.id;
  return db.transaction().execute(async (trx) => {
    // Guard the state in the update itself: a moderator may have published it meanwhile.
    // Its translations stay searchable after the edit (issue 18): read in this transaction, indexed with the new text.
    const translations = await trx
      .selectFrom("submission_translations")
      .select(["title", "problem", "proposal", "expected_impact"])
      .where("submission_id", "=", params.id)
      .orderBy("language")
      .execute();
    const r = await trx
      .updateTable("submissions")
      .set({
        ...next,
        ...searchColumns(next, translations),
        original_language: originalLanguageOf(next.title, next.problem, next.proposal, next.expected_impact),
        updated_at: nowIso(now),
      })
      .where("id", "=", params.id)
      .where("status", "=", current.status)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return { ok: false as const, reason: "notFound" as const };
    await recordEvent(
      trx,
      {
        submissionId: params.id,
        event: "edited",
        actorId: params.viewer.id,
        actorRole: byModerator ? params.viewer.role : "author",
        data: { before, after, reason: params.reason },
      },
      now,
    );
    if (byModerator) {
      await recordAudit(
        trx,
        {
          actorId: params.viewer.id,
          actorRole: params.viewer.role,
          action: "submission.edit",
          targetType: "submission",
          targetId: params.id,
          before,
          after,
          reason: params.reason ?? null,
        },
        now,
      );
    }
    return { ok: true as const };
  });
}

/** Why an author's withdrawal or edit of their suggestion is refused, and the status each answers with. */
export const SUBMISSION_REFUSALS = defineRefusals({
  ...PARTICIPATION_REFUSALS,
  notFound: 404,
  invalid: 400,
  notWithdrawable: 409,
  noConsultation: 409,
  windowNotOpen: 409,
  windowClosed: 409,
});

/** The states from which an author may withdraw their suggestion (while the consultation takes participants' writes). */
export function isWithdrawable(status: SubmissionStatus): boolean {
  return status === "pending" || status === "published";
}

export type WithdrawResult = { ok: true } | { ok: false; reason: "notFound" | "notWithdrawable" } | ParticipationRefusal;

/** The author withdraws their own submission while pending or published. */
export async function withdrawSubmission(db: DB, params: { id: number; userId: number; now?: Date }): Promise<WithdrawResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    // Read, then update guarded by the state read; if a moderator changed the
    // state in between, read again (twice at most) rather than act on a stale one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = await trx
        .selectFrom("submissions")
        .select(["id", "status"])
        .where("id", "=", params.id)
        .where("author_id", "=", params.userId)
        .executeTakeFirst();
      if (!s) return { ok: false as const, reason: "notFound" as const };
      const closed = await participationRefusalFor(trx, params.id, now);
      if (closed) return closed;
      if (!isWithdrawable(s.status)) return { ok: false as const, reason: "notWithdrawable" as const };
      const r = await trx
        .updateTable("submissions")
        .set({ status: "withdrawn", updated_at: nowIso(now) })
        .where("id", "=", params.id)
        .where("status", "=", s.status)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue;
      await recordEvent(
        trx,
        { submissionId: params.id, event: "withdrawn", actorId: params.userId, actorRole: "author", data: { from: s.status } },
        now,
      );
      return { ok: true as const };
    }
    return { ok: false as const, reason: "notWithdrawable" as const };
  });
}

/**
 * Who may see a submission in each state: published and merged ones are
 * public; withdrawn ones stay public if they had been published (people
 * supported them); pending, rejected and withdrawn-before-publication ones
 * only to their author and moderators; hidden ones only to moderators.
 * Exported only for the tests (tests/models/submissions.test.ts).
 */
export function canView(
  s: { status: SubmissionStatus; author_id: number | null; published_at: string | null },
  viewer: Viewer | null,
): boolean {
  if (s.status === "published" || s.status === "merged") return true;
  if (viewer && hasRole(viewer.role, "moderator")) return true;
  if (s.status === "withdrawn" && s.published_at) return true;
  if (s.status === "hidden") return false;
  return viewer !== null && s.author_id === viewer.id;
}

/** Whether a submission with this id was ever made (rows are never deleted: withdrawn, hidden and merged ones stay). */
export async function submissionExists(db: Executor, id: number): Promise<boolean> {
  return (await db.selectFrom("submissions").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}

/** Everything the submission page shows, or null when the viewer may not see it (→ 404). */
export async function getSubmissionForViewer(db: Executor, params: { id: number; viewer: Viewer | null }) {
  const s = await db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .innerJoin("consultations as k", "k.id", "s.consultation_id")
    .leftJoin("organisations as o", "o.id", "s.organisation_id")
    .leftJoin("users as u", "u.id", "s.author_id")
    .leftJoin("categories as sc", "sc.id", "s.suggested_category_id")
    .leftJoin("stages as st", "st.slug", "s.stage")
    .select([
      "s.id",
      "s.consultation_id",
      "s.original_language",
      "s.cluster_id",
      "s.author_id",
      "s.title",
      "s.problem",
      "s.proposal",
      "s.expected_impact",
      "s.stage",
      "s.horizon",
      "s.status",
      "s.source",
      "s.merged_into_id",
      "s.reject_reason_code",
      "s.reject_reason",
      "s.supporters_count",
      "s.comments_count",
      "s.created_at",
      "s.published_at",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
      "o.name as organisation_name",
      "o.type as organisation_type",
      "o.size_band",
      "o.city",
      "o.province",
      "o.verified as organisation_verified",
      "u.show_organisation",
      "u.status as author_status",
      "sc.slug as suggested_category_slug",
      "sc.name_en as suggested_category_en",
      "sc.name_ur as suggested_category_ur",
      "st.name_en as stage_en",
      "st.name_ur as stage_ur",
      "k.support_opens_at",
      "k.support_closes_at",
      "k.submission_closes_at",
      "k.is_active",
      "k.archived_at",
      "k.support_budget",
      "k.allow_self_support",
    ])
    .where("s.id", "=", params.id)
    .executeTakeFirst();
  if (!s || !canView(s, params.viewer)) return null;
  const [categories, breadth, history, recommendations] = await Promise.all([
    listSubmissionCategories(db, [s.id]),
    getSupportBreadth(db, [s.id]),
    db
      .selectFrom("submission_events")
      .select(["id", "event", "actor_role", "data", "created_at"])
      .where("submission_id", "=", s.id)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("recommendation_submissions as rs")
      .innerJoin("recommendations as r", "r.id", "rs.recommendation_id")
      .select(["r.id", "r.title"])
      .where("rs.submission_id", "=", s.id)
      .where("r.status", "=", "final")
      .execute(),
  ]);
  const isModerator = params.viewer ? hasRole(params.viewer.role, "moderator") : false;
  return {
    ...s,
    showOrganisationName: s.show_organisation === 1 || isModerator,
    categories: categories.get(s.id) ?? [],
    breadth: breadth.get(s.id) ?? { supporters: s.supporters_count, organisations: 0, provinces: 0 },
    history: history.map((h) => ({
      id: h.id,
      event: h.event,
      actorRole: h.actor_role,
      createdAt: h.created_at,
      // The public history says what happened; edit contents are for moderators and the author.
      data: h.event === "edited" && !isModerator && params.viewer?.id !== s.author_id ? null : h.data,
    })),
    recommendations,
  };
}

/** Exported only for the tests (tests/models/taxonomy-admin.test.ts). */
export async function listSubmissionCategories(db: Executor, ids: number[]) {
  const map = new Map<number, Array<{ slug: string; name_en: string; name_ur: string }>>();
  if (!ids.length) return map;
  const rows = await db
    .selectFrom("submission_categories as sc")
    .innerJoin("categories as c", "c.id", "sc.category_id")
    .select(["sc.submission_id", "c.slug", "c.name_en", "c.name_ur"])
    .where("sc.submission_id", "in", ids)
    .orderBy("c.sort_order")
    .execute();
  for (const r of rows) {
    const list = map.get(r.submission_id) ?? [];
    list.push({ slug: r.slug, name_en: r.name_en, name_ur: r.name_ur });
    map.set(r.submission_id, list);
  }
  return map;
}

export interface SupportBreadth {
  supporters: number;
  organisations: number;
  provinces: number;
}

/**
 * Supporters, distinct organisations and distinct provinces behind each
 * submission ("support breadth"): the counters kept with the support rows.
 * Exported only for the tests (tests/models/supports.test.ts).
 */
export async function getSupportBreadth(db: Executor, ids: number[]): Promise<Map<number, SupportBreadth>> {
  const map = new Map<number, SupportBreadth>();
  if (!ids.length) return map;
  const rows = await db
    .selectFrom("submissions")
    .select(["id", "supporters_count", "supporting_organisations", "supporting_provinces"])
    .where("id", "in", ids)
    .execute();
  for (const r of rows) {
    map.set(r.id, { supporters: r.supporters_count, organisations: r.supporting_organisations, provinces: r.supporting_provinces });
  }
  return map;
}

/**
 * The same figures counted from the support rows themselves: what the
 * counters must always equal. Used only by the tests (the oracle of
 * tests/models/supports.test.ts): kept exported for them.
 */
export async function countSupportBreadth(db: Executor, id: number): Promise<SupportBreadth> {
  const r = await db
    .selectFrom("supports")
    .select([
      (eb) => eb.fn.countAll<number>().as("supporters"),
      (eb) => eb.fn.count<number>("organisation_id").distinct().as("organisations"),
      (eb) => eb.fn.count<number>("province").distinct().as("provinces"),
    ])
    .where("submission_id", "=", id)
    .executeTakeFirstOrThrow();
  return { supporters: Number(r.supporters), organisations: Number(r.organisations), provinces: Number(r.provinces) };
}

export interface SearchOptions {
  /** the listing memo (app/lib/listing-cache.server.ts) */
  cache?: ListingCache;
  /** called before a search the memo does not hold runs (a rate limit throws from here) */
  onSearchMiss?: () => Promise<void>;
  /** ids per statement of a search on SQLite (see SEARCH_CHUNK_IDS); tests split small tables too */
  chunkIds?: number;
}

interface SortRow {
  id: number;
  random_key: number;
  supporters_count: number;
  trending_score: number;
  comments_count: number;
  published_at: string | null;
}

/** The order of `orderBySort` in listClusterSubmissions, in JavaScript (NULL last when descending, as in SQL). */
function sortOrder(sort: Sort): (a: SortRow, b: SortRow) => number {
  if (sort === "random") return (a, b) => a.random_key - b.random_key || a.id - b.id;
  const key = (r: SortRow): number | string =>
    sort === "top"
      ? r.supporters_count
      : sort === "trending"
        ? r.trending_score
        : sort === "discussed"
          ? r.comments_count
          : (r.published_at ?? "");
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? 1 : ka > kb ? -1 : b.id - a.id;
  };
}

export interface ClusterListQuery {
  consultationId: number;
  clusterId: number;
  sort: Sort;
  page: number;
  pageSize: number;
  /** per-visitor seed for the random sort, 0 ≤ seed < 2^31 */
  seed: number;
  q?: string;
  category?: number;
  stage?: string;
  orgType?: string;
  province?: string;
  status?: "published" | "merged";
  /** moderators and organisers see every organisation's name */
  revealOrganisations?: boolean;
}

/**
 * The cluster page's list. Every sort reads an index on (consultation,
 * cluster, status, sort key); "random" is a per-visitor rotation of
 * random_key, read as two index ranges, so no request sorts the whole cluster.
 */
export async function listClusterSubmissions(db: Executor, q: ClusterListQuery, options: SearchOptions = {}) {
  const status = q.status ?? "published";
  const { cache } = options;
  const memo = <T>(key: string, compute: () => Promise<T>) => (cache ? cache.get(key, compute) : compute());
  // A search is keyed on its words as the search reads them ("Export", "export!" and "(export)" are one).
  const filterKey = JSON.stringify([
    q.consultationId,
    q.clusterId,
    status,
    q.stage,
    q.category,
    q.orgType,
    q.province,
    q.q === undefined ? undefined : searchKey(q.q),
  ]);
  // The query's words read and expanded by the glossary once, for every id range.
  const matcher = q.q ? await searchMatcher(db, q.q) : null;
  const base = (range?: IdRange) => {
    let query = db
      .selectFrom("submissions as s")
      .where("s.consultation_id", "=", q.consultationId)
      .where("s.cluster_id", "=", q.clusterId)
      .where("s.status", "=", status);
    if (q.stage) query = query.where("s.stage", "=", q.stage);
    if (q.category) {
      const categoryId = q.category;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("submission_categories as f")
            .select("f.submission_id")
            .whereRef("f.submission_id", "=", "s.id")
            .where("f.category_id", "=", categoryId),
        ),
      );
    }
    if (q.orgType || q.province) {
      const { orgType, province } = q;
      query = query.where((eb) => {
        let sub = eb.selectFrom("organisations as fo").select("fo.id").whereRef("fo.id", "=", "s.organisation_id");
        if (orgType) sub = sub.where("fo.type", "=", orgType as never);
        if (province) sub = sub.where("fo.province", "=", province);
        return eb.exists(sub);
      });
    }
    if (q.q) {
      const match = matcher?.("s.id", range);
      if (match) query = query.where(match);
      else if (range) query = query.where("s.id", ">=", range.from).where("s.id", "<=", range.to);
    }
    return query;
  };

  const offset = (q.page - 1) * q.pageSize;
  const orderBySort = <QB extends ReturnType<typeof base>>(query: QB): QB => {
    if (q.sort === "random") return query.orderBy("s.random_key").orderBy("s.id") as QB;
    let ordered = query;
    if (q.sort === "top") ordered = ordered.orderBy("s.supporters_count", "desc") as QB;
    else if (q.sort === "trending") ordered = ordered.orderBy("s.trending_score", "desc") as QB;
    else if (q.sort === "discussed") ordered = ordered.orderBy("s.comments_count", "desc") as QB;
    else ordered = ordered.orderBy("s.published_at", "desc") as QB;
    return ordered.orderBy("s.id", "desc") as QB;
  };

  if (q.q) {
    // A search orders every match once (a common word matches most of a
    // cluster) and serves every page of it from that list: its length is the
    // total, a page is a slice. The random sort keeps the list in key order and
    // starts each visitor at their seed.
    const matches = await memo(`search:${filterKey}:${q.sort === "random" ? "random" : q.sort}`, async () => {
      await options.onSearchMiss?.();
      if (dialectOf(db) === "sqlite") {
        // In id ranges with the event loop free between them (see forEachIdRange), ordered here.
        const rows: SortRow[] = [];
        await forEachIdRange(
          db,
          async (range) => {
            rows.push(
              ...(await base(range)
                .select(["s.id", "s.random_key", "s.supporters_count", "s.trending_score", "s.comments_count", "s.published_at"])
                .execute()),
            );
          },
          options.chunkIds,
        );
        rows.sort(sortOrder(q.sort));
        return { ids: rows.map((r) => r.id), keys: rows.map((r) => r.random_key) };
      }
      const rows = await orderBySort(base()).select(["s.id", "s.random_key"]).execute();
      return { ids: rows.map((r) => r.id), keys: rows.map((r) => r.random_key) };
    });
    let ids = matches.ids;
    if (q.sort === "random") {
      let [start, end] = [0, matches.keys.length]; // the first key ≥ seed
      while (start < end) {
        const mid = (start + end) >>> 1;
        if (matches.keys[mid] < q.seed) start = mid + 1;
        else end = mid;
      }
      ids = [...ids.slice(start), ...ids.slice(0, start)];
    }
    const cards = await getSubmissionCards(db, ids.slice(offset, offset + q.pageSize), { revealOrganisations: q.revealOrganisations });
    return { total: ids.length, submissions: cards };
  }

  const total = await memo(`count:${filterKey}`, async () =>
    Number(
      (
        await base()
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );
  let ids: number[] = [];
  if (offset < total) {
    if (q.sort === "random") {
      // The rotation: keys from the visitor's seed upwards, then wrapping round
      // to the lowest keys. Where the wrap falls (how many keys are ≥ seed) is
      // only counted when this page reaches it.
      const seed = q.seed;
      const fromSeed = await orderBySort(base().select("s.id").where("s.random_key", ">=", seed))
        .limit(q.pageSize)
        .offset(offset)
        .execute();
      ids = fromSeed.map((r) => r.id);
      if (ids.length < q.pageSize) {
        const atOrAboveSeed =
          ids.length > 0
            ? offset + ids.length
            : Number(
                (
                  await base()
                    .select((eb) => eb.fn.countAll<number>().as("n"))
                    .where("s.random_key", ">=", seed)
                    .executeTakeFirstOrThrow()
                ).n,
              );
        const wrapped = await orderBySort(base().select("s.id").where("s.random_key", "<", seed))
          .limit(q.pageSize - ids.length)
          .offset(Math.max(0, offset - atOrAboveSeed))
          .execute();
        ids.push(...wrapped.map((r) => r.id));
      }
    } else {
      const rows = await orderBySort(base().select("s.id")).limit(q.pageSize).offset(offset).execute();
      ids = rows.map((r) => r.id);
    }
  }
  const cards = await getSubmissionCards(db, ids, { revealOrganisations: q.revealOrganisations });
  return { total, submissions: cards };
}

/** The fields of a list card for the given ids, in the order given. */
async function getSubmissionCards(db: Executor, ids: number[], options: { revealOrganisations?: boolean } = {}) {
  if (!ids.length) return [];
  const [rows, categories] = await Promise.all([
    db
      .selectFrom("submissions as s")
      .innerJoin("clusters as c", "c.id", "s.cluster_id")
      .leftJoin("organisations as o", "o.id", "s.organisation_id")
      .leftJoin("users as u", "u.id", "s.author_id")
      .select([
        "s.id",
        "s.title",
        "s.status",
        "s.supporters_count",
        "s.supporting_organisations",
        "s.supporting_provinces",
        "s.comments_count",
        "s.published_at",
        "s.created_at",
        "c.slug as cluster_slug",
        "c.name_en as cluster_name_en",
        "c.name_ur as cluster_name_ur",
        "o.name as organisation_name",
        "o.type as organisation_type",
        "o.size_band",
        "o.city",
        "u.show_organisation",
      ])
      .where("s.id", "in", ids)
      .execute(),
    listSubmissionCategories(db, ids),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids
    .map((id) => byId.get(id))
    .filter((r): r is NonNullable<typeof r> => Boolean(r))
    .map((r) => ({
      ...r,
      // The organisation's name only where its member allowed it (moderators and organisers always see it).
      organisation_name: r.show_organisation === 1 || options.revealOrganisations ? r.organisation_name : null,
      categories: categories.get(r.id) ?? [],
      breadth: { supporters: r.supporters_count, organisations: r.supporting_organisations, provinces: r.supporting_provinces },
    }));
}

/** Similar published submissions of the consultation, for authors about to submit a duplicate. */
export async function findSimilarPublished(
  db: Executor,
  params: { consultationId: number; text: string; excludeId?: number; limit?: number },
  options: SearchOptions = {},
) {
  const limit = params.limit ?? 5;
  const search = async () => {
    await options.onSearchMiss?.();
    return findSimilarIds(db, {
      text: params.text,
      consultationId: params.consultationId,
      statuses: ["published"],
      excludeId: params.excludeId,
      limit,
      chunkIds: options.chunkIds,
    });
  };
  // The ids are memoised on the words the search reads (the rows below are read fresh).
  const key = `similar:${JSON.stringify([params.consultationId, params.excludeId ?? 0, limit, similarityTerms(params.text)])}`;
  const ids = options.cache ? await options.cache.get(key, search) : await search();
  if (!ids.length) return [];
  const rows = await db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .select([
      "s.id",
      "s.title",
      "s.supporters_count",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .where("s.id", "in", ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}

/** A stable per-visitor, per-day seed for the random sort. */
export function randomSortSeed(visitorKey: string, day: string = nowIso().slice(0, 10)): number {
  let h = 2166136261;
  for (const ch of `${day}:${visitorKey}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 2 ** 31;
}

/** My submissions, newest first, with any moderator reason. */
export async function listAuthorSubmissions(db: Executor, authorId: number) {
  return db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .select([
      "s.id",
      "s.title",
      "s.status",
      "s.reject_reason_code",
      "s.reject_reason",
      "s.merged_into_id",
      "s.supporters_count",
      "s.comments_count",
      "s.created_at",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .where("s.author_id", "=", authorId)
    .orderBy("s.id", "desc")
    .execute();
}
