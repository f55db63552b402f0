// Supports: one per person per submission, enforced by the primary key
// (submission_id, user_id) and an idempotent insert; the stored counter moves
// in the same transaction as the row, so the count shown always equals the rows.
import type { DB, Executor } from "../../db/client";
import { nowIso } from "../lib/time";
import { windowPhase } from "./consultation.server";

/** Half-life of the "trending" weight of a support or comment. */
export const TRENDING_HALF_LIFE_MS = 24 * 3_600_000;

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
  | { ok: false; reason: "budgetSpent"; budget: number };

export type SupportResult = { ok: true; changed: boolean; supporters: number; remaining: number | null } | SupportRefusal;

async function loadForSupport(trx: Executor, submissionId: number) {
  return trx
    .selectFrom("submissions as s")
    .innerJoin("consultations as c", "c.id", "s.consultation_id")
    .select([
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
    ])
    .where("s.id", "=", submissionId)
    .executeTakeFirst();
}

/** Supports counted against the per-cluster budget: the person's own, not those carried over by a merge. */
async function countOwnSupportsInCluster(trx: Executor, userId: number, consultationId: number, clusterId: number) {
  const row = await trx
    .selectFrom("supports")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("consultation_id", "=", consultationId)
    .where("cluster_id", "=", clusterId)
    .where("merged_from_id", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Takes the person's row lock first: on PostgreSQL it serialises one person's
 * supports (so two at once cannot both fit the last budget slot); on SQLite
 * the first statement being a write takes the write lock before anything is read.
 */
async function lockSupporter(trx: Executor, userId: number) {
  await trx.updateTable("users").set((eb) => ({ updated_at: eb.ref("updated_at") })).where("id", "=", userId).execute();
  const row = await trx
    .selectFrom("users as u")
    .leftJoin("organisations as o", "o.id", "u.organisation_id")
    .select(["u.organisation_id", "o.province"])
    .where("u.id", "=", userId)
    .executeTakeFirst();
  return { organisationId: row?.organisation_id ?? null, province: row?.province ?? null };
}

/**
 * Takes the suggestion's row lock before its supports are counted. On
 * PostgreSQL (READ COMMITTED) two people of one organisation supporting at
 * once each saw only their own new row, both counted as the organisation's
 * first, and `supporting_organisations` ended one above its rows (found by
 * tests/crash/graceful-stop.test.ts with two workers). With the lock the
 * second waits and then sees the first's row. On SQLite the write lock is
 * already held; the no-op update changes nothing (no trigger watches it).
 */
async function lockSubmission(trx: Executor, submissionId: number) {
  await trx.updateTable("submissions").set((eb) => ({ supporters_count: eb.ref("supporters_count") })).where("id", "=", submissionId).execute();
}

/**
 * After a support row for (organisation, province) was added or removed: does
 * the submission now have exactly `expected` rows for that organisation (and
 * province)? 1 after an insert means "first of its kind", 0 after a delete
 * means "last one gone": that is when the distinct counters move.
 */
async function breadthChange(
  trx: Executor,
  submissionId: number,
  who: { organisationId: number | null; province: string | null },
  expected: 0 | 1,
): Promise<{ organisations: number; provinces: number }> {
  const count = async (column: "organisation_id" | "province", value: number | string) =>
    Number(
      (
        await trx
          .selectFrom("supports")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("submission_id", "=", submissionId)
          .where(column, "=", value as never)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const delta = expected === 1 ? 1 : -1;
  return {
    organisations: who.organisationId !== null && (await count("organisation_id", who.organisationId)) === expected ? delta : 0,
    provinces: who.province !== null && (await count("province", who.province)) === expected ? delta : 0,
  };
}

/**
 * Moves a submission's counters for one support row added (+1) or removed (−1),
 * in the caller's transaction; returns the new supporter count.
 */
async function moveCounters(
  trx: Executor,
  submissionId: number,
  sign: 1 | -1,
  weight: number,
  breadth: { organisations: number; provinces: number },
): Promise<number> {
  const updated = await trx
    .updateTable("submissions")
    .set((eb) => ({
      supporters_count: eb("supporters_count", "+", sign),
      supporting_organisations: eb("supporting_organisations", "+", breadth.organisations),
      supporting_provinces: eb("supporting_provinces", "+", breadth.provinces),
      trending_score: eb("trending_score", "+", sign * weight),
    }))
    .where("id", "=", submissionId)
    .returning("supporters_count")
    .executeTakeFirstOrThrow();
  return updated.supporters_count;
}

function checkWindow(s: { support_opens_at: string; support_closes_at: string }, now: Date): SupportRefusal | null {
  const phase = windowPhase(s.support_opens_at, s.support_closes_at, now);
  if (phase === "upcoming") return { ok: false, reason: "windowNotOpen", opensAt: s.support_opens_at };
  if (phase === "closed") return { ok: false, reason: "windowClosed", closesAt: s.support_closes_at };
  return null;
}

export async function supportSubmission(db: DB, params: { submissionId: number; userId: number; now?: Date }): Promise<SupportResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<SupportResult> => {
    const who = await lockSupporter(trx, params.userId);
    await lockSubmission(trx, params.submissionId);
    const s = await loadForSupport(trx, params.submissionId);
    if (!s) return { ok: false, reason: "notFound" };
    const existing = await trx
      .selectFrom("supports")
      .select("user_id")
      .where("submission_id", "=", s.id)
      .where("user_id", "=", params.userId)
      .executeTakeFirst();
    const budget = s.support_budget;
    const used = budget > 0 ? await countOwnSupportsInCluster(trx, params.userId, s.consultation_id, s.cluster_id) : 0;
    // Supporting twice is one support: answered as success, nothing changes.
    if (existing) return { ok: true, changed: false, supporters: s.supporters_count, remaining: budget > 0 ? budget - used : null };
    if (s.status !== "published") return { ok: false, reason: "notPublished" };
    if (s.author_id === params.userId && !s.allow_self_support) return { ok: false, reason: "ownSubmission" };
    const windowRefusal = checkWindow(s, now);
    if (windowRefusal) return windowRefusal;
    if (budget > 0 && used >= budget) return { ok: false, reason: "budgetSpent", budget };

    const inserted = await trx
      .insertInto("supports")
      .values({
        submission_id: s.id,
        user_id: params.userId,
        cluster_id: s.cluster_id,
        consultation_id: s.consultation_id,
        merged_from_id: null,
        organisation_id: who.organisationId,
        province: who.province,
        created_at: nowIso(now),
      })
      .onConflict((oc) => oc.columns(["submission_id", "user_id"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) {
      return { ok: true, changed: false, supporters: s.supporters_count, remaining: budget > 0 ? budget - used : null };
    }
    const supporters = await moveCounters(trx, s.id, +1, trendingWeight(now, s.trending_origin), await breadthChange(trx, s.id, who, 1));
    return { ok: true, changed: true, supporters, remaining: budget > 0 ? budget - used - 1 : null };
  });
}

export type WithdrawSupportResult = { ok: true; changed: boolean; supporters: number } | SupportRefusal;

/** Withdraws one's own support while the support window is open (idempotent). */
export async function withdrawSupport(db: DB, params: { submissionId: number; userId: number; now?: Date }): Promise<WithdrawSupportResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<WithdrawSupportResult> => {
    await lockSupporter(trx, params.userId);
    await lockSubmission(trx, params.submissionId);
    const s = await loadForSupport(trx, params.submissionId);
    if (!s) return { ok: false, reason: "notFound" };
    const row = await trx
      .selectFrom("supports")
      .select(["created_at", "merged_from_id", "organisation_id", "province"])
      .where("submission_id", "=", s.id)
      .where("user_id", "=", params.userId)
      .executeTakeFirst();
    if (!row) return { ok: true, changed: false, supporters: s.supporters_count };
    const windowRefusal = checkWindow(s, now);
    if (windowRefusal) return windowRefusal;
    const deleted = await trx
      .deleteFrom("supports")
      .where("submission_id", "=", s.id)
      .where("user_id", "=", params.userId)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) return { ok: true, changed: false, supporters: s.supporters_count };
    const breadth = await breadthChange(trx, s.id, { organisationId: row.organisation_id, province: row.province }, 0);
    const supporters = await moveCounters(trx, s.id, -1, trendingWeight(row.created_at, s.trending_origin), breadth);
    return { ok: true, changed: true, supporters };
  });
}

/** Whether this person supports the submission, and their remaining budget in its cluster. */
export async function getSupportState(db: Executor, params: { submissionId: number; userId: number }) {
  const s = await loadForSupport(db, params.submissionId);
  if (!s) return null;
  const row = await db
    .selectFrom("supports")
    .select("user_id")
    .where("submission_id", "=", s.id)
    .where("user_id", "=", params.userId)
    .executeTakeFirst();
  const remaining =
    s.support_budget > 0 ? s.support_budget - (await countOwnSupportsInCluster(db, params.userId, s.consultation_id, s.cluster_id)) : null;
  return { supported: Boolean(row), remaining, isAuthor: s.author_id === params.userId, allowSelf: s.allow_self_support === 1 };
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
