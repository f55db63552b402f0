// Supports: one per person per submission, enforced by the primary key
// (submission_id, user_id) and an idempotent insert; the stored counter moves
// in the same transaction as the row, so the count shown always equals the rows.
import { sql } from "kysely";
import { PREPARE, type Executor } from "../../db/client";
import { groupCommit } from "../../db/group-commit";
import { dialectOf, inTransaction } from "../../db/transaction";
import { hitRateLimit, rateLimitHit, RULES, type RateState } from "~/lib/rate-limit.server";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { autoFollow, autoFollowFromRows } from "./follow.server";
import {
  emailConfirmedOf,
  participantRefusal,
  participationRefusal,
  PARTICIPATION_REFUSALS,
  windowPhase,
  type ParticipationRefusal,
} from "./consultation.server";

/** Half-life of the "trending" weight of a support or comment. */
const TRENDING_HALF_LIFE_MS = 24 * 3_600_000;

/**
 * 2^((t − t0)/half-life): ordering by the sum of these equals ordering by the
 * time-decayed sum at any moment. t0 is the consultation's creation, which
 * never moves (a support window can), so a withdrawal takes off what was added.
 */
export function trendingWeight(at: Date | string, origin: string): number {
  const exponent = (new Date(at).getTime() - new Date(origin).getTime()) / TRENDING_HALF_LIFE_MS;
  return 2 ** Math.min(1000, Math.max(-1000, exponent));
}

export type SupportRefusal =
  | { ok: false; reason: "notFound" }
  | { ok: false; reason: "notPublished" }
  | { ok: false; reason: "ownSubmission" }
  | { ok: false; reason: "windowNotOpen"; opensAt: string }
  | { ok: false; reason: "windowClosed"; closesAt: string }
  | { ok: false; reason: "budgetSpent"; budget: number }
  | ParticipationRefusal;

/** Why a support (or its withdrawal) is refused, and the status each answers with. */
export const SUPPORT_REFUSALS = defineRefusals({
  ...PARTICIPATION_REFUSALS,
  notFound: 404,
  invalid: 400,
  notPublished: 422,
  ownSubmission: 422,
  windowNotOpen: 409,
  windowClosed: 409,
  budgetSpent: 409,
});

/** Why this person may not support this suggestion now (what the page shows instead of the button). */
export type SupportBlockedReason = Exclude<SupportRefusal["reason"], "notFound">;

/**
 * The support decision, with what the page needs to say why not: `at` is when
 * the window opens or closed, `budget` the per-cluster budget that is spent.
 */
export type SupportDecision =
  { canSupport: true } | { canSupport: false; blockedReason: SupportBlockedReason; at?: string; budget?: number };

/** The suggestion's and its consultation's columns the support rule reads. */
export interface SupportRules {
  status: string;
  author_id: number | null;
  allow_self_support: number;
  support_opens_at: string;
  support_closes_at: string;
  support_budget: number;
  is_active: number;
  archived_at: string | null;
  submission_closes_at: string;
}

/** Who asks: their id, their supports counted against the cluster's budget, and whether their address is confirmed. */
export interface Supporter {
  userId: number;
  used: number;
  emailConfirmed: boolean;
}

/**
 * The one support rule, in order: the suggestion is published, it is not the
 * person's own (unless the consultation allows it), the support window is
 * open, the consultation takes participants' writes, the person's address is
 * confirmed (`participantRefusal`), and the person has budget left in the
 * cluster (`used`: their supports counted against it). Without a person (a
 * visitor) only what does not depend on who asks.
 */
function supportRefusalOf(s: SupportRules, supporter: Supporter | null, now: Date): Exclude<SupportRefusal, { reason: "notFound" }> | null {
  if (s.status !== "published") return { ok: false, reason: "notPublished" };
  if (supporter && s.author_id === supporter.userId && !s.allow_self_support) return { ok: false, reason: "ownSubmission" };
  const windowRefusal = checkWindow(s, now) ?? participationRefusal(s, now) ?? participantRefusal(supporter);
  if (windowRefusal) return windowRefusal;
  if (supporter && s.support_budget > 0 && supporter.used >= s.support_budget)
    return { ok: false, reason: "budgetSpent", budget: s.support_budget };
  return null;
}

/** Whether this person (null: a visitor) may support the suggestion now, and if not why: the rule `supportSubmission` applies. */
export function supportDecision(s: SupportRules, supporter: Supporter | null, now: Date = new Date()): SupportDecision {
  const refusal = supportRefusalOf(s, supporter, now);
  if (!refusal) return { canSupport: true };
  const at = refusal.reason === "windowNotOpen" ? refusal.opensAt : refusal.reason === "windowClosed" ? refusal.closesAt : undefined;
  const budget = refusal.reason === "budgetSpent" ? refusal.budget : undefined;
  return { canSupport: false, blockedReason: refusal.reason, ...(at ? { at } : {}), ...(budget !== undefined ? { budget } : {}) };
}

export type SupportResult = { ok: true; changed: boolean; supporters: number; remaining: number | null } | SupportRefusal;

/** The suggestion and its consultation's support rules, as every support decision reads them. */
const SUPPORT_RULE_COLUMNS = [
  "s.id",
  "s.status",
  "s.author_id",
  "s.cluster_id",
  "s.consultation_id",
  "s.supporters_count",
  "c.support_opens_at",
  "c.support_closes_at",
  "c.created_at as trending_origin",
  "c.support_budget",
  "c.allow_self_support",
  // the participation rule's (PARTICIPATION_COLUMNS; support_closes_at is above)
  "c.is_active",
  "c.archived_at",
  "c.submission_closes_at",
] as const;

async function loadForSupport(trx: Executor, submissionId: number) {
  return trx
    .selectFrom("submissions as s")
    .innerJoin("consultations as c", "c.id", "s.consultation_id")
    .select(SUPPORT_RULE_COLUMNS)
    .where("s.id", "=", submissionId)
    .executeTakeFirst();
}

/**
 * Supports counted against the per-cluster budget: every row of the person in
 * the cluster — their own and those carried to a merge target — except rows
 * on a suggestion that was merged away. Those stay for the record, but the
 * support now lives on the target (as a carried row, or as the person's own
 * row there when they already supported it), where it is counted once.
 */
async function countSupportsInCluster(trx: Executor, userId: number, consultationId: number, clusterId: number) {
  const row = await trx
    .selectFrom("supports as sp")
    .innerJoin("submissions as s", "s.id", "sp.submission_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("sp.user_id", "=", userId)
    .where("sp.consultation_id", "=", consultationId)
    .where("sp.cluster_id", "=", clusterId)
    .where("s.status", "!=", "merged")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The row locks of ADR 0008, on PostgreSQL: first the person's row (it
 * serialises one person's supports, so two at once cannot both fit the last
 * budget slot), then the suggestion's row before its supports are counted.
 * Under READ COMMITTED, two people of one organisation supporting at once
 * each saw only their own new row without it, both counted as the
 * organisation's first, and `supporting_organisations` ended one above its
 * rows (found by tests/crash/graceful-stop.test.ts with two workers); with it
 * the second waits, and its next statement sees the first's row.
 *
 * Both are `select … for no key update`: the lock a no-op `update` took
 * (other transactions may still insert rows that reference the person or the
 * suggestion), without writing a new version of either row and its WAL. The
 * person's lock is its own statement here, or shares the rate-limit count's
 * (`changeSupport`); the suggestion's is taken by `loadForChange` itself
 * (ADR 0035).
 *
 * On SQLite every transaction begins IMMEDIATE (db/client.ts): the database's
 * write lock is held before the first read, which serialises all of this
 * already, so no row locks are taken there.
 */
async function lockPerson(trx: Executor, userId: number) {
  if (dialectOf(trx) === "sqlite") return;
  await trx.selectFrom("users").select("id").where("id", "=", userId).forNoKeyUpdate().execute();
}

/**
 * PostgreSQL: the support button's rate-limit count (`rateLimitHit`) and the
 * person's row lock in one statement, one round trip. The count comes first
 * (the main query reads it), then the lock: the order a caller that counts
 * and then calls `supportSubmission` takes them in too.
 */
async function hitLimitLockingPerson(trx: Executor, userId: number): Promise<RateState> {
  const hit = rateLimitHit(trx, RULES.supports, String(userId));
  const row = await trx
    .with("hit", () => hit.query)
    .with("person", (qc) => qc.selectFrom("users").select("id").where("id", "=", userId).forNoKeyUpdate())
    .selectFrom("hit")
    .modifyFront(PREPARE)
    .select(["hit.count", "hit.prev", (eb) => eb.selectFrom("person").select("person.id").as("person_id")])
    .executeTakeFirstOrThrow();
  return hit.read(row).state;
}

/**
 * Everything a support or withdrawal decides on, in one read: the suggestion
 * and its consultation's rules, the person's organisation and its province
 * (recorded on a new row), and the person's support row if there is one. On
 * PostgreSQL the read takes the suggestion's row lock (the second lock above:
 * `for no key update of s`); the person's was taken by an earlier statement,
 * so this one's snapshot already holds the person's own committed rows. While
 * it waits for another transaction's hold on the suggestion, PostgreSQL
 * re-reads the suggestion's row when that one commits (its counters and
 * status are current); the later statements (the counters) see that
 * transaction's supports.
 */
async function loadForChange(trx: Executor, submissionId: number, userId: number) {
  const query = trx
    .selectFrom("submissions as s")
    .innerJoin("consultations as c", "c.id", "s.consultation_id")
    .leftJoin("users as u", (join) => join.on("u.id", "=", userId))
    .leftJoin("organisations as o", "o.id", "u.organisation_id")
    .leftJoin("supports as sp", (join) => join.onRef("sp.submission_id", "=", "s.id").on("sp.user_id", "=", userId))
    .select([
      ...SUPPORT_RULE_COLUMNS,
      "s.merged_into_id",
      "u.organisation_id as supporter_organisation_id",
      "u.email_confirmed_at as supporter_email_confirmed_at",
      "o.province as supporter_province",
      "sp.user_id as support_user_id",
      "sp.created_at as support_created_at",
      "sp.organisation_id as support_organisation_id",
      "sp.province as support_province",
      "sp.merged_from_id as support_merged_from_id",
    ])
    .where("s.id", "=", submissionId)
    .modifyFront(PREPARE);
  return (dialectOf(trx) === "sqlite" ? query : query.forNoKeyUpdate("s")).executeTakeFirst();
}

/**
 * The update that moves a submission's counters for one support row added
 * (+1) or removed (−1); returns the new supporter count. One statement: the
 * distinct-organisation counter moves when the row is the organisation's
 * first on the suggestion (added) or its last (removed), and the province
 * counter likewise. Each subquery reads at most two index entries of
 * `(submission_id, organisation_id)` / `(submission_id, province)`.
 *
 * `sees`: whether the statement sees the row change. After the write (its own
 * statement, `moveCounters`) the first of its kind leaves exactly 1 row and
 * the last leaves 0; in the same statement as the write (a PostgreSQL CTE,
 * which reads the snapshot before it) the first finds 0 and the last finds 1.
 */
function countersUpdate(
  trx: Executor,
  submissionId: number,
  sign: 1 | -1,
  weight: number,
  who: { organisationId: number | null; province: string | null },
  sees: "afterWrite" | "beforeWrite",
) {
  const expected = sql.lit(sign === 1 ? (sees === "afterWrite" ? 1 : 0) : sees === "afterWrite" ? 0 : 1);
  const delta = sql.lit(sign);
  const breadth = (column: "organisation_id" | "province", value: number | string | null) =>
    value === null
      ? sql<number>`${sql.ref(column === "organisation_id" ? "supporting_organisations" : "supporting_provinces")}`
      : sql<number>`${sql.ref(column === "organisation_id" ? "supporting_organisations" : "supporting_provinces")} + case when (select count(*) from (select 1 from supports where submission_id = ${submissionId} and ${sql.ref(column)} = ${value} limit 2) as few) = ${expected} then ${delta} else 0 end`;
  return trx
    .updateTable("submissions")
    .set((eb) => ({
      supporters_count: eb("supporters_count", "+", sign),
      supporting_organisations: breadth("organisation_id", who.organisationId),
      supporting_provinces: breadth("province", who.province),
      trending_score: eb("trending_score", "+", sign * weight),
    }))
    .where("id", "=", submissionId)
    .returning("supporters_count");
}

/**
 * Moves a submission's counters for one support row added (+1) or removed
 * (−1), in the caller's transaction, after the row was written; returns the
 * new supporter count.
 */
async function moveCounters(
  trx: Executor,
  submissionId: number,
  sign: 1 | -1,
  weight: number,
  who: { organisationId: number | null; province: string | null },
): Promise<number> {
  return (await countersUpdate(trx, submissionId, sign, weight, who, "afterWrite").executeTakeFirstOrThrow()).supporters_count;
}

/** A person's own support row (not a copy carried by a merge), as both databases' paths insert it. */
function ownSupportRow(
  row: { submissionId: number; userId: number; clusterId: number; consultationId: number; createdAt: string },
  who: { organisationId: number | null; province: string | null },
) {
  return {
    submission_id: row.submissionId,
    user_id: row.userId,
    cluster_id: row.clusterId,
    consultation_id: row.consultationId,
    merged_from_id: null,
    organisation_id: who.organisationId,
    province: who.province,
    created_at: row.createdAt,
  };
}

/**
 * PostgreSQL: a new support row, the suggestion's counters and the
 * supporter's auto-follow in one statement (data-modifying CTEs; the counters
 * and the follow only when the row was inserted). Returns the new supporter
 * count, or null when the row was already there (nothing else was written).
 */
async function insertSupportWithCounters(
  trx: Executor,
  row: { submissionId: number; userId: number; clusterId: number; consultationId: number; createdAt: string },
  weight: number,
  who: { organisationId: number | null; province: string | null },
): Promise<number | null> {
  const written = await trx
    .with("written", (qc) =>
      qc
        .insertInto("supports")
        .values(ownSupportRow(row, who))
        .onConflict((oc) => oc.columns(["submission_id", "user_id"]).doNothing())
        .returning(["user_id", "submission_id as target_id", "created_at"]),
    )
    .with("followed", () => autoFollowFromRows("written", "submission", "supporter"))
    .with("moved", () =>
      countersUpdate(trx, row.submissionId, +1, weight, who, "beforeWrite").where(sql<boolean>`exists (select 1 from written)`),
    )
    .selectFrom("moved")
    .modifyFront(PREPARE)
    .select("moved.supporters_count")
    .executeTakeFirst();
  return written?.supporters_count ?? null;
}

/**
 * PostgreSQL: the withdrawal's delete and the suggestion's counters in one
 * statement (the counters only when the row was there). Returns the new
 * supporter count, or null when there was no row to delete.
 */
async function deleteSupportWithCounters(
  trx: Executor,
  params: { submissionId: number; userId: number },
  weight: number,
  who: { organisationId: number | null; province: string | null },
): Promise<number | null> {
  const moved = await trx
    .with("gone", (qc) =>
      qc.deleteFrom("supports").where("submission_id", "=", params.submissionId).where("user_id", "=", params.userId).returning("user_id"),
    )
    .with("moved", () =>
      countersUpdate(trx, params.submissionId, -1, weight, who, "beforeWrite").where(sql<boolean>`exists (select 1 from gone)`),
    )
    .selectFrom("moved")
    .modifyFront(PREPARE)
    .select("moved.supporters_count")
    .executeTakeFirst();
  return moved?.supporters_count ?? null;
}

function checkWindow(
  s: { support_opens_at: string; support_closes_at: string },
  now: Date,
): Extract<SupportRefusal, { reason: "windowNotOpen" | "windowClosed" }> | null {
  const phase = windowPhase(s.support_opens_at, s.support_closes_at, now);
  if (phase === "upcoming") return { ok: false, reason: "windowNotOpen", opensAt: s.support_opens_at };
  if (phase === "closed") return { ok: false, reason: "windowClosed", closesAt: s.support_closes_at };
  return null;
}

/**
 * Supports a suggestion (idempotent). Pass a transaction to make it part of a
 * larger one (the route counts the rate limit in the same commit).
 */
export async function supportSubmission(
  db: Executor,
  params: { submissionId: number; userId: number; now?: Date },
): Promise<SupportResult> {
  return inTransaction(db, async (trx) => {
    await lockPerson(trx, params.userId);
    return supportLocked(trx, params);
  });
}

/** supportSubmission once the person's row is locked (PostgreSQL; nothing to lock on SQLite). */
async function supportLocked(trx: Executor, params: { submissionId: number; userId: number; now?: Date }): Promise<SupportResult> {
  const now = params.now ?? new Date();
  const s = await loadForChange(trx, params.submissionId, params.userId);
  if (!s) return { ok: false, reason: "notFound" };
  const budget = s.support_budget;
  const used = budget > 0 ? await countSupportsInCluster(trx, params.userId, s.consultation_id, s.cluster_id) : 0;
  // Supporting twice is one support: answered as success, nothing changes.
  const unchanged = (): SupportResult => ({
    ok: true,
    changed: false,
    supporters: s.supporters_count,
    remaining: budget > 0 ? Math.max(0, budget - used) : null,
  });
  if (s.support_user_id !== null) {
    // A row carried here by a merge becomes the person's own once they support this suggestion
    // themselves: a later withdrawal from the merged source must not take away a support they
    // were told they have (found by the kill -9 crash test). The counters do not move.
    if (s.support_merged_from_id !== null && s.support_merged_from_id !== undefined)
      await trx
        .updateTable("supports")
        .set({ merged_from_id: null })
        .where("submission_id", "=", s.id)
        .where("user_id", "=", params.userId)
        .execute();
    return unchanged();
  }
  const emailConfirmed = s.supporter_email_confirmed_at !== null && s.supporter_email_confirmed_at !== undefined;
  const refusal = supportRefusalOf(s, { userId: params.userId, used, emailConfirmed }, now);
  if (refusal) return refusal;

  const who = { organisationId: s.supporter_organisation_id ?? null, province: s.supporter_province ?? null };
  const weight = trendingWeight(now, s.trending_origin);
  const row = {
    submissionId: s.id,
    userId: params.userId,
    clusterId: s.cluster_id,
    consultationId: s.consultation_id,
    createdAt: nowIso(now),
  };
  if (dialectOf(trx) !== "sqlite") {
    // PostgreSQL: the row, the counters and the follow in one round trip (ADR 0035).
    const supporters = await insertSupportWithCounters(trx, row, weight, who);
    if (supporters === null) return unchanged();
    return { ok: true, changed: true, supporters, remaining: budget > 0 ? budget - used - 1 : null };
  }
  const inserted = await trx
    .insertInto("supports")
    .values(ownSupportRow(row, who))
    .onConflict((oc) => oc.columns(["submission_id", "user_id"]).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return unchanged();
  const supporters = await moveCounters(trx, s.id, +1, weight, who);
  // A supporter follows what they support, unless they once unfollowed it (that row stays and wins).
  await autoFollow(trx, { userIds: [params.userId], target: { type: "submission", id: s.id }, origin: "supporter" }, now);
  return { ok: true, changed: true, supporters, remaining: budget > 0 ? budget - used - 1 : null };
}

/** What changeSupport was asked. */
export type SupportChangeRequest = { intent: "support" | "withdraw"; submissionId: number; userId: number };

/** changeSupport's answer. */
export type SupportChangeOutcome =
  { limited: true; retryAfter: number } | { limited: false; result: SupportResult | WithdrawSupportResult };

/** changeSupport's answer to a request, as the quick support path hands it to the route's action (server/quick-support.ts). */
export type SupportChange = SupportChangeOutcome & { request: SupportChangeRequest };

/** The answer already given to `request` (by the quick support path, for this very request), or null. */
export function supportChangeFor(change: SupportChange | undefined, request: SupportChangeRequest): SupportChangeOutcome | null {
  if (!change) return null;
  const asked = change.request;
  return asked.intent === request.intent && asked.submissionId === request.submissionId && asked.userId === request.userId ? change : null;
}

/**
 * A person's support or withdrawal as the support button sends it: the
 * rate-limit count and the change are one write, committed together (a
 * limited attempt still commits its count). On SQLite the supports one worker
 * receives while a commit is under way share the next commit, one fsync for
 * all, each answered after it (db/group-commit.ts, ADR 0034). On PostgreSQL
 * the count and the person's row lock are one statement, the load takes the
 * suggestion's lock, and the change is one statement: BEGIN, three
 * statements, COMMIT, the three prepared once per connection (ADR 0035).
 */
export async function changeSupport(db: Executor, params: SupportChangeRequest): Promise<SupportChangeOutcome> {
  return groupCommit(db, async (trx) => {
    const postgres = dialectOf(trx) !== "sqlite";
    const limit = postgres
      ? await hitLimitLockingPerson(trx, params.userId)
      : await hitRateLimit(trx, RULES.supports, String(params.userId));
    if (limit.limited) return { limited: true as const, retryAfter: limit.retryAfter };
    const target = { submissionId: params.submissionId, userId: params.userId };
    // The person's row is locked now (PostgreSQL; SQLite holds the write lock).
    const result = params.intent === "support" ? await supportLocked(trx, target) : await withdrawLocked(trx, target);
    return { limited: false as const, result };
  });
}

export type WithdrawSupportResult = { ok: true; changed: boolean; supporters: number } | SupportRefusal;

/** Withdraws one's own support while the support window is open (idempotent). Takes a transaction like supportSubmission. */
export async function withdrawSupport(
  db: Executor,
  params: { submissionId: number; userId: number; now?: Date },
): Promise<WithdrawSupportResult> {
  return inTransaction(db, async (trx) => {
    await lockPerson(trx, params.userId);
    return withdrawLocked(trx, params);
  });
}

/** withdrawSupport once the person's row is locked (PostgreSQL; nothing to lock on SQLite). */
async function withdrawLocked(trx: Executor, params: { submissionId: number; userId: number; now?: Date }): Promise<WithdrawSupportResult> {
  const now = params.now ?? new Date();
  const s = await loadForChange(trx, params.submissionId, params.userId);
  if (!s) return { ok: false, reason: "notFound" };
  if (s.support_user_id === null || s.support_created_at === null) return { ok: true, changed: false, supporters: s.supporters_count };
  const windowRefusal = checkWindow(s, now) ?? participationRefusal(s, now);
  if (windowRefusal) return windowRefusal;
  const who = { organisationId: s.support_organisation_id ?? null, province: s.support_province ?? null };
  const weight = trendingWeight(s.support_created_at, s.trending_origin);
  let supporters: number;
  if (dialectOf(trx) !== "sqlite") {
    // PostgreSQL: the delete and the counters in one round trip (ADR 0035).
    const moved = await deleteSupportWithCounters(trx, { submissionId: s.id, userId: params.userId }, weight, who);
    if (moved === null) return { ok: true, changed: false, supporters: s.supporters_count };
    supporters = moved;
  } else {
    const deleted = await trx
      .deleteFrom("supports")
      .where("submission_id", "=", s.id)
      .where("user_id", "=", params.userId)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) return { ok: true, changed: false, supporters: s.supporters_count };
    supporters = await moveCounters(trx, s.id, -1, weight, who);
  }
  if (s.status === "merged" && s.merged_into_id !== null)
    await withdrawCarriedCopies(trx, params.userId, s.id, s.merged_into_id, s.trending_origin);
  return { ok: true, changed: true, supporters };
}

/**
 * After a withdrawal from a merged suggestion: the copy of that support
 * carried to its target (`merged_from_id` = the source) goes too, and so on
 * down a chain of merges, each target's counters moving back like any
 * withdrawal. The walk stops at a target where the person's row is their own
 * (they supported it directly: that support stays) or came from another
 * source. When the person also supports another suggestion merged into the
 * same target, the carried row is kept and now points to that one, so they
 * stay counted there once.
 */
async function withdrawCarriedCopies(trx: Executor, userId: number, sourceId: number, targetId: number | null, trendingOrigin: string) {
  for (let from = sourceId, into = targetId, hops = 0; into !== null && hops < 100; hops++) {
    // The target's row lock (PostgreSQL), before its supports are read and counted.
    if (dialectOf(trx) !== "sqlite") await trx.selectFrom("submissions").select("id").where("id", "=", into).forNoKeyUpdate().execute();
    const copy = await trx
      .selectFrom("supports as sp")
      .innerJoin("submissions as t", "t.id", "sp.submission_id")
      .select(["sp.organisation_id", "sp.province", "sp.created_at", "t.status", "t.merged_into_id"])
      .where("sp.submission_id", "=", into)
      .where("sp.user_id", "=", userId)
      .where("sp.merged_from_id", "=", from)
      .executeTakeFirst();
    if (!copy) return;
    const otherSource = await trx
      .selectFrom("supports as sp")
      .innerJoin("submissions as o", "o.id", "sp.submission_id")
      .select("o.id")
      .where("sp.user_id", "=", userId)
      .where("o.merged_into_id", "=", into)
      .where("o.status", "=", "merged")
      .where("o.id", "!=", from)
      .orderBy("o.id")
      .limit(1)
      .executeTakeFirst();
    if (otherSource) {
      await trx
        .updateTable("supports")
        .set({ merged_from_id: otherSource.id })
        .where("submission_id", "=", into)
        .where("user_id", "=", userId)
        .execute();
      return;
    }
    const deleted = await trx
      .deleteFrom("supports")
      .where("submission_id", "=", into)
      .where("user_id", "=", userId)
      .where("merged_from_id", "=", from)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) return;
    await moveCounters(trx, into, -1, trendingWeight(copy.created_at, trendingOrigin), {
      organisationId: copy.organisation_id ?? null,
      province: copy.province ?? null,
    });
    // The target was itself merged on: its row (now gone) may have been carried further.
    if (copy.status !== "merged") return;
    from = into;
    into = copy.merged_into_id;
  }
}

/** Whether this person supports the submission, their remaining budget in its cluster, and whether they may support it now. */
export async function getSupportState(db: Executor, params: { submissionId: number; userId: number; now?: Date }) {
  const s = await loadForSupport(db, params.submissionId);
  if (!s) return null;
  const row = await db
    .selectFrom("supports")
    .select("user_id")
    .where("submission_id", "=", s.id)
    .where("user_id", "=", params.userId)
    .executeTakeFirst();
  const used = s.support_budget > 0 ? await countSupportsInCluster(db, params.userId, s.consultation_id, s.cluster_id) : 0;
  const remaining = s.support_budget > 0 ? Math.max(0, s.support_budget - used) : null;
  const emailConfirmed = await emailConfirmedOf(db, params.userId);
  return {
    supported: Boolean(row),
    remaining,
    isAuthor: s.author_id === params.userId,
    allowSelf: s.allow_self_support === 1,
    decision: supportDecision(s, { userId: params.userId, used, emailConfirmed }, params.now),
  };
}

/** The person's supports, newest first, for /me. */
export async function listUserSupports(db: Executor, userId: number) {
  return db
    .selectFrom("supports as sp")
    .innerJoin("submissions as s", "s.id", "sp.submission_id")
    .select(["s.id", "s.title", "s.status", "s.supporters_count", "sp.created_at", "sp.merged_from_id"])
    .where("sp.user_id", "=", userId)
    .orderBy("sp.created_at", "desc")
    .limit(200)
    .execute();
}
