// Moderation decisions: approve, reject, tag, merge, hide, restore. Each
// decision, its history event, its audit-log entry and its notifications are
// one transaction. Every update is guarded by the state it was decided on, so
// two moderators acting on one suggestion at once make one decision, not two.
import type { DB, Executor } from "../../db/client";
import type { Role, SubmissionStatus } from "../../db/schema";
import { inTransaction } from "../../db/transaction";
import { REJECT_REASONS, type RejectReason } from "~/lib/reference";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { notify } from "./notification.server";
import { autoFollow, notifyFollowers } from "./follow.server";
import { recordEvent } from "./submission.server";
import { trendingWeight } from "./support.server";

export interface Moderator {
  moderatorId: number;
  moderatorRole: Role;
  now?: Date;
}

// ─────────────────────────── what may be decided ──────────────────────────

/**
 * The decisions that apply to a suggestion in each state: the one place this
 * rule is written. The decisions below check it, and the loaders return it
 * with the suggestion so the pages offer exactly these.
 */
const DECISIONS_BY_STATUS: Readonly<Record<SubmissionStatus, readonly ModerationDecision[]>> = {
  pending: ["approve", "tag", "merge", "reject"],
  published: ["tag", "merge", "reject", "hide"],
  merged: ["tag"],
  hidden: ["tag", "reject", "restore"],
  rejected: [],
  withdrawn: [],
};

export type ModerationDecision = "approve" | "tag" | "merge" | "reject" | "hide" | "restore";

export interface Decisions {
  canApprove: boolean;
  canTag: boolean;
  /** a re-tag apart from an approval: a pending suggestion gets its categories by being approved */
  canRetag: boolean;
  canMerge: boolean;
  canReject: boolean;
  canHide: boolean;
  canRestore: boolean;
  /** no decision applies */
  none: boolean;
}

/** What a moderator may decide on a suggestion in this state. */
export function decisionsFor(status: SubmissionStatus): Decisions {
  const offered = DECISIONS_BY_STATUS[status] ?? [];
  const can = (d: ModerationDecision) => offered.includes(d);
  return {
    canApprove: can("approve"),
    canTag: can("tag"),
    canRetag: can("tag") && !can("approve"),
    canMerge: can("merge"),
    canReject: can("reject"),
    canHide: can("hide"),
    canRestore: can("restore"),
    none: offered.length === 0,
  };
}

/**
 * The bulk decisions the queue offers for the suggestions of one state: the
 * first look at pending ones (approve, re-tag, reject) and a second look at
 * published ones (re-tag, reject). Each suggestion is still checked by its
 * own decision.
 */
export function bulkDecisionsFor(status: SubmissionStatus): { canApprove: boolean; canTag: boolean; canReject: boolean; any: boolean } {
  const offered = status === "pending" || status === "published";
  const d = decisionsFor(status);
  return { canApprove: offered && d.canApprove, canTag: offered && d.canTag, canReject: offered && d.canReject, any: offered };
}

/** Why a decision is refused, and the status each answers with. */
export const MODERATION_REFUSALS = defineRefusals({
  notFound: 404,
  invalid: 400,
  /** the suggestion is not in a state this decision applies to (someone else decided it meanwhile) */
  wrongState: 409,
  notPending: 409,
  // A merge refused for its target: said next to the target's field.
  self: 422,
  targetNotFound: 422,
  targetNotPublished: 422,
  targetMerged: 422,
  otherConsultation: 422,
  cycle: 422,
});
export type ModerationRefusal = keyof typeof MODERATION_REFUSALS;

/** The refusals of a merge that are about its target (said next to the target's field). */
export const MERGE_TARGET_REFUSALS: readonly ModerationRefusal[] = [
  "self",
  "targetNotFound",
  "targetNotPublished",
  "targetMerged",
  "otherConsultation",
  "cycle",
];

export type DecisionRefusal =
  | { ok: false; reason: "notFound" }
  /** the suggestion is not in a state this decision applies to */
  | { ok: false; reason: "wrongState"; status: SubmissionStatus }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> };

export type DecisionResult = { ok: true; changed: boolean } | DecisionRefusal;

async function loadSubmission(trx: Executor, id: number) {
  return trx
    .selectFrom("submissions")
    .select(["id", "status", "author_id", "consultation_id", "cluster_id", "merged_into_id", "published_at", "title"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Moves a submission from `from` to `set.status`; false when someone else changed its state meanwhile. */
async function transition(trx: Executor, id: number, from: SubmissionStatus, set: Record<string, unknown>): Promise<boolean> {
  const r = await trx
    .updateTable("submissions")
    .set(set as never)
    .where("id", "=", id)
    .where("status", "=", from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Category slugs → ids (active ones only); null with a field error when any is
 * unknown or none given. Re-tagging (`keepFor` = the submission) may keep an
 * archived category the submission already has, but never add one.
 */
async function resolveCategories(db: Executor, slugs: string[], keepFor?: number) {
  const unique = [...new Set(slugs)];
  if (!unique.length) return { ok: false as const, fieldErrors: { category: ["errors.categoryRequired"] } };
  const rows = await db
    .selectFrom("categories")
    .select(["id", "slug"])
    .where("slug", "in", unique)
    .where((eb) =>
      keepFor === undefined
        ? eb("archived", "=", 0)
        : eb.or([
            eb("archived", "=", 0),
            eb("id", "in", eb.selectFrom("submission_categories").select("category_id").where("submission_id", "=", keepFor)),
          ]),
    )
    .execute();
  if (rows.length !== unique.length) return { ok: false as const, fieldErrors: { category: ["errors.invalid"] } };
  return { ok: true as const, categories: rows };
}

async function currentCategorySlugs(trx: Executor, id: number): Promise<string[]> {
  const rows = await trx
    .selectFrom("submission_categories as sc")
    .innerJoin("categories as c", "c.id", "sc.category_id")
    .select("c.slug")
    .where("sc.submission_id", "=", id)
    .execute();
  return rows.map((r) => r.slug).sort();
}

/** Replaces a submission's categories and writes the tag log row; returns [before, after]. */
async function replaceCategories(
  trx: Executor,
  id: number,
  categories: Array<{ id: number; slug: string }>,
  actorId: number,
  reason: string | null,
  iso: string,
): Promise<[string[], string[]]> {
  const before = await currentCategorySlugs(trx, id);
  const after = categories.map((c) => c.slug).sort();
  await trx.deleteFrom("submission_categories").where("submission_id", "=", id).execute();
  await trx
    .insertInto("submission_categories")
    .values(categories.map((c) => ({ submission_id: id, category_id: c.id, tagged_by: actorId, tagged_at: iso })))
    .execute();
  await trx
    .insertInto("tag_log")
    .values({ submission_id: id, actor_id: actorId, before: JSON.stringify(before), after: JSON.stringify(after), reason, created_at: iso })
    .execute();
  return [before, after];
}

// ─────────────────────────────── approve ───────────────────────────────

export type ApproveResult =
  { ok: true } | { ok: false; reason: "notFound" | "notPending" } | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> };

/** Publishes a pending submission with one or more issue categories. */
export async function approveSubmission(db: Executor, params: Moderator & { id: number; categorySlugs: string[] }): Promise<ApproveResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const resolved = await resolveCategories(db, params.categorySlugs);
  if (!resolved.ok) return { ok: false, reason: "invalid", fieldErrors: resolved.fieldErrors };
  return inTransaction(db, async (trx): Promise<ApproveResult> => {
    const s = await loadSubmission(trx, params.id);
    if (!s) return { ok: false, reason: "notFound" };
    if (!decisionsFor(s.status).canApprove) return { ok: false, reason: "notPending" };
    // Another moderator published it a moment ago: one decision, not two.
    if (!(await transition(trx, s.id, "pending", { status: "published", published_at: iso, updated_at: iso })))
      return { ok: false, reason: "notPending" };
    const [, after] = await replaceCategories(trx, s.id, resolved.categories, params.moderatorId, null, iso);
    await recordEvent(trx, { submissionId: s.id, event: "published", actorId: params.moderatorId, actorRole: "moderator" }, now);
    await recordEvent(
      trx,
      { submissionId: s.id, event: "tagged", actorId: params.moderatorId, actorRole: "moderator", data: { categories: after } },
      now,
    );
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "submission.approve",
        targetType: "submission",
        targetId: s.id,
        before: { status: "pending" },
        after: { status: "published", categories: after },
      },
      now,
    );
    await notify(trx, { userId: s.author_id, kind: "published", submissionId: s.id }, now);
    await notifyFollowers(trx, { target: { type: "submission", id: s.id }, event: "published", except: [s.author_id ?? 0], now });
    return { ok: true };
  });
}

// ─────────────────────────────── reject ────────────────────────────────

/**
 * Rejects a pending suggestion (or a published or hidden one, e.g. after
 * reports) with a reason code and a text the author reads on the suggestion
 * and on /me, and is notified of. A published one leaves the public lists.
 */
export async function rejectSubmission(
  db: Executor,
  params: Moderator & { id: number; reasonCode: string; reason: string },
): Promise<DecisionResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const reason = params.reason.trim();
  const fieldErrors: Record<string, string[]> = {};
  if (!(REJECT_REASONS as readonly string[]).includes(params.reasonCode)) fieldErrors.reasonCode = ["errors.required"];
  if (!reason) fieldErrors.reason = ["errors.required"];
  else if (reason.length > 2000) fieldErrors.reason = ["errors.tooLong|2000"];
  if (Object.keys(fieldErrors).length) return { ok: false, reason: "invalid", fieldErrors };
  return inTransaction(db, async (trx): Promise<DecisionResult> => {
    const s = await loadSubmission(trx, params.id);
    if (!s) return { ok: false, reason: "notFound" };
    if (!decisionsFor(s.status).canReject) return { ok: false, reason: "wrongState", status: s.status };
    const set = { status: "rejected", reject_reason_code: params.reasonCode as RejectReason, reject_reason: reason, updated_at: iso };
    if (!(await transition(trx, s.id, s.status, set))) return { ok: false, reason: "wrongState", status: s.status };
    await recordEvent(
      trx,
      {
        submissionId: s.id,
        event: "rejected",
        actorId: params.moderatorId,
        actorRole: "moderator",
        data: { reasonCode: params.reasonCode, from: s.status },
      },
      now,
    );
    await resolveOpenReports(trx, "submission", s.id, "actioned", params.moderatorId, iso);
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "submission.reject",
        targetType: "submission",
        targetId: s.id,
        before: { status: s.status },
        after: { status: "rejected", reasonCode: params.reasonCode },
        reason,
      },
      now,
    );
    await notify(trx, { userId: s.author_id, kind: "rejected", submissionId: s.id, data: { reasonCode: params.reasonCode, reason } }, now);
    return { ok: true, changed: true };
  });
}

// ──────────────────────────────── tag ──────────────────────────────────

/** Replaces a submission's categories, keeping a log row (who, when, before, after, why). */
export async function tagSubmission(
  db: Executor,
  params: Moderator & { id: number; categorySlugs: string[]; reason?: string | null },
): Promise<DecisionResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const resolved = await resolveCategories(db, params.categorySlugs, params.id);
  if (!resolved.ok) return { ok: false, reason: "invalid", fieldErrors: resolved.fieldErrors };
  const reason = params.reason?.trim() || null;
  if (reason && reason.length > 2000) return { ok: false, reason: "invalid", fieldErrors: { reason: ["errors.tooLong|2000"] } };
  return inTransaction(db, async (trx): Promise<DecisionResult> => {
    const s = await loadSubmission(trx, params.id);
    if (!s) return { ok: false, reason: "notFound" };
    if (!decisionsFor(s.status).canTag) return { ok: false, reason: "wrongState", status: s.status };
    const current = await currentCategorySlugs(trx, s.id);
    const wanted = resolved.categories.map((c) => c.slug).sort();
    if (JSON.stringify(current) === JSON.stringify(wanted)) return { ok: true, changed: false };
    // Touch the row under the state read, so a concurrent state change is not tagged over.
    if (!(await transition(trx, s.id, s.status, { updated_at: iso }))) return { ok: false, reason: "wrongState", status: s.status };
    const [before, after] = await replaceCategories(trx, s.id, resolved.categories, params.moderatorId, reason, iso);
    await recordEvent(
      trx,
      { submissionId: s.id, event: "tagged", actorId: params.moderatorId, actorRole: "moderator", data: { categories: after, before } },
      now,
    );
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "submission.tag",
        targetType: "submission",
        targetId: s.id,
        before: { categories: before },
        after: { categories: after },
        reason,
      },
      now,
    );
    return { ok: true, changed: true };
  });
}

/** The tag log of a submission, newest first, with the actor's name. */
export async function listTagLog(db: Executor, submissionId: number) {
  const rows = await db
    .selectFrom("tag_log as t")
    .leftJoin("users as u", "u.id", "t.actor_id")
    .select(["t.id", "t.before", "t.after", "t.reason", "t.created_at", "u.display_name as actor_name", "u.role as actor_role"])
    .where("t.submission_id", "=", submissionId)
    .orderBy("t.id", "desc")
    .execute();
  return rows.map((r) => ({ ...r, before: JSON.parse(r.before) as string[], after: JSON.parse(r.after) as string[] }));
}

// ─────────────────────────────── merge ─────────────────────────────────

export type MergeRefusalReason = "self" | "targetNotFound" | "targetNotPublished" | "targetMerged" | "otherConsultation" | "cycle";
export type MergeResult = { ok: true; carried: number; supporters: number } | DecisionRefusal | { ok: false; reason: MergeRefusalReason };

/**
 * Merges a duplicate (`id`, pending or published) into a published target.
 * The source becomes `merged`, stays readable and points to its target. Its
 * supporters are added to the target's as rows carried over
 * (`merged_from_id` = source), skipping anyone who already supports the target
 * — a person behind both counts once — and the target's author (unless the
 * consultation allows self-support). The source's own rows stay for the
 * record. The target's counters are recomputed from its rows in the same
 * transaction. Both authors are notified.
 */
export async function mergeSubmission(
  db: Executor,
  params: Moderator & { id: number; into: number; reason?: string | null },
): Promise<MergeResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const reason = params.reason?.trim() || null;
  if (params.id === params.into) return { ok: false, reason: "self" };
  return inTransaction(db, async (trx): Promise<MergeResult> => {
    const s = await loadSubmission(trx, params.id);
    if (!s) return { ok: false, reason: "notFound" };
    if (!decisionsFor(s.status).canMerge) return { ok: false, reason: "wrongState", status: s.status };
    const target = await loadSubmission(trx, params.into);
    if (!target) return { ok: false, reason: "targetNotFound" };
    if (target.status === "merged") return { ok: false, reason: "targetMerged" };
    if (target.status !== "published") return { ok: false, reason: "targetNotPublished" };
    if (target.consultation_id !== s.consultation_id) return { ok: false, reason: "otherConsultation" };
    // A published target points nowhere, but walk its chain anyway: a cycle must never be written.
    for (let at: number | null = target.merged_into_id, hops = 0; at !== null; hops++) {
      if (at === s.id || hops > 100) return { ok: false, reason: "cycle" };
      at = (await loadSubmission(trx, at))?.merged_into_id ?? null;
    }
    // Lock the target under its state first, then move the source.
    if (!(await transition(trx, target.id, "published", { updated_at: iso }))) return { ok: false, reason: "targetNotPublished" };
    if (!(await transition(trx, s.id, s.status, { status: "merged", merged_into_id: target.id, updated_at: iso }))) {
      return { ok: false, reason: "wrongState", status: s.status };
    }

    const consultation = await trx
      .selectFrom("consultations")
      .select(["allow_self_support", "created_at"])
      .where("id", "=", target.consultation_id)
      .executeTakeFirstOrThrow();
    const before = await trx
      .selectFrom("submissions")
      .select(["supporters_count", "supporting_organisations", "supporting_provinces"])
      .where("id", "=", target.id)
      .executeTakeFirstOrThrow();
    // The source's supporters not yet behind the target.
    let carry = trx
      .selectFrom("supports as sp")
      .select(["sp.user_id", "sp.organisation_id", "sp.province", "sp.created_at"])
      .where("sp.submission_id", "=", s.id)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("supports as t")
              .select("t.user_id")
              .where("t.submission_id", "=", target.id)
              .whereRef("t.user_id", "=", "sp.user_id"),
          ),
        ),
      );
    if (!consultation.allow_self_support && target.author_id !== null) carry = carry.where("sp.user_id", "!=", target.author_id);
    const rows = await carry.execute();
    if (rows.length) {
      await trx
        .insertInto("supports")
        .values(
          rows.map((r) => ({
            submission_id: target.id,
            user_id: r.user_id,
            cluster_id: target.cluster_id,
            consultation_id: target.consultation_id,
            merged_from_id: s.id,
            organisation_id: r.organisation_id,
            province: r.province,
            created_at: r.created_at,
          })),
        )
        .onConflict((oc) => oc.columns(["submission_id", "user_id"]).doNothing())
        .execute();
    }
    const weight = rows.reduce((sum, r) => sum + trendingWeight(r.created_at, consultation.created_at), 0);
    const counted = await trx
      .selectFrom("supports")
      .select((eb) => [
        eb.fn.countAll<number>().as("supporters"),
        eb.fn.count<number>("organisation_id").distinct().as("organisations"),
        eb.fn.count<number>("province").distinct().as("provinces"),
      ])
      .where("submission_id", "=", target.id)
      .executeTakeFirstOrThrow();
    const after = {
      supporters_count: Number(counted.supporters),
      supporting_organisations: Number(counted.organisations),
      supporting_provinces: Number(counted.provinces),
    };
    await trx
      .updateTable("submissions")
      .set((eb) => ({ ...after, trending_score: eb("trending_score", "+", weight) }))
      .where("id", "=", target.id)
      .execute();

    await recordEvent(
      trx,
      { submissionId: s.id, event: "merged", actorId: params.moderatorId, actorRole: "moderator", data: { into: target.id } },
      now,
    );
    await recordEvent(
      trx,
      {
        submissionId: target.id,
        event: "merged",
        actorId: params.moderatorId,
        actorRole: "moderator",
        data: { from: s.id, carried: rows.length },
      },
      now,
    );
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "submission.merge",
        targetType: "submission",
        targetId: s.id,
        before: { status: s.status, target: { id: target.id, ...before } },
        after: { status: "merged", mergedInto: target.id, carried: rows.length, target: { id: target.id, ...after } },
        reason,
      },
      now,
    );
    await notify(trx, { userId: s.author_id, kind: "merged", submissionId: s.id, data: { into: target.id } }, now);
    if (target.author_id !== s.author_id)
      await notify(trx, { userId: target.author_id, kind: "merged", submissionId: target.id, data: { from: s.id } }, now);
    // Followers of either suggestion hear of the merge once; the duplicate's followers (its
    // supporters among them) follow the target from now on, unless they unfollowed it.
    const told = new Set([s.author_id ?? 0, target.author_id ?? 0]);
    for (const u of await notifyFollowers(trx, {
      target: { type: "submission", id: s.id },
      event: "merged",
      data: { into: target.id },
      except: told,
      now,
    }))
      told.add(u);
    await notifyFollowers(trx, { target: { type: "submission", id: target.id }, event: "merged", data: { from: s.id }, except: told, now });
    const duplicateFollowers = await trx
      .selectFrom("follows")
      .select("user_id")
      .where("target_type", "=", "submission")
      .where("target_id", "=", s.id)
      .where("following", "=", 1)
      .execute();
    await autoFollow(
      trx,
      { userIds: duplicateFollowers.map((f) => f.user_id), target: { type: "submission", id: target.id }, origin: "merge" },
      now,
    );
    return { ok: true, carried: rows.length, supporters: after.supporters_count };
  });
}

// ──────────────────────────── hide / restore ───────────────────────────

/** Hides a published suggestion from the public until a moderator restores it. */
export async function hideSubmission(db: Executor, params: Moderator & { id: number; reason?: string | null }): Promise<DecisionResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const reason = params.reason?.trim() || null;
  return inTransaction(db, async (trx): Promise<DecisionResult> => {
    const s = await loadSubmission(trx, params.id);
    if (!s) return { ok: false, reason: "notFound" };
    if (s.status === "hidden") return { ok: true, changed: false };
    if (!decisionsFor(s.status).canHide) return { ok: false, reason: "wrongState", status: s.status };
    if (!(await transition(trx, s.id, "published", { status: "hidden", updated_at: iso })))
      return { ok: false, reason: "wrongState", status: s.status };
    await recordEvent(trx, { submissionId: s.id, event: "hidden", actorId: params.moderatorId, actorRole: "moderator" }, now);
    await resolveOpenReports(trx, "submission", s.id, "actioned", params.moderatorId, iso);
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "submission.hide",
        targetType: "submission",
        targetId: s.id,
        before: { status: "published" },
        after: { status: "hidden" },
        reason,
      },
      now,
    );
    await notify(trx, { userId: s.author_id, kind: "hidden", submissionId: s.id }, now);
    return { ok: true, changed: true };
  });
}

/**
 * Restores a hidden suggestion (by a moderator, or hidden automatically by
 * reports) to published; its open reports are dismissed, so they do not hide
 * it again.
 */
export async function restoreSubmission(db: Executor, params: Moderator & { id: number; reason?: string | null }): Promise<DecisionResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const reason = params.reason?.trim() || null;
  return inTransaction(db, async (trx): Promise<DecisionResult> => {
    const s = await loadSubmission(trx, params.id);
    if (!s) return { ok: false, reason: "notFound" };
    if (!decisionsFor(s.status).canRestore) return { ok: false, reason: "wrongState", status: s.status };
    if (!(await transition(trx, s.id, "hidden", { status: "published", published_at: s.published_at ?? iso, updated_at: iso }))) {
      return { ok: false, reason: "wrongState", status: s.status };
    }
    await recordEvent(trx, { submissionId: s.id, event: "restored", actorId: params.moderatorId, actorRole: "moderator" }, now);
    await resolveOpenReports(trx, "submission", s.id, "dismissed", params.moderatorId, iso);
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "submission.restore",
        targetType: "submission",
        targetId: s.id,
        before: { status: "hidden" },
        after: { status: "published" },
        reason,
      },
      now,
    );
    return { ok: true, changed: true };
  });
}

/** Closes the open reports on one item. */
export async function resolveOpenReports(
  trx: Executor,
  targetType: "submission" | "comment",
  targetId: number,
  status: "dismissed" | "actioned",
  moderatorId: number,
  iso: string,
): Promise<number> {
  const r = await trx
    .updateTable("reports")
    .set({ status, resolved_by: moderatorId, resolved_at: iso })
    .where("target_type", "=", targetType)
    .where("target_id", "=", targetId)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ──────────────────────────────── bulk ─────────────────────────────────

export type BulkDecision =
  | { intent: "approve"; categorySlugs: string[] }
  | { intent: "tag"; categorySlugs: string[]; reason?: string | null }
  | { intent: "reject"; reasonCode: string; reason: string };

export interface BulkOutcome {
  done: number[];
  refused: Array<{ id: number; reason: string }>;
}

/**
 * The same decision on each selected suggestion, each in its own transaction
 * (one suggestion decided by someone else meanwhile does not undo the rest).
 * An invalid decision (no category, no reason) is refused before anything is done.
 */
export async function bulkDecide(
  db: DB,
  params: Moderator & { ids: number[]; decision: BulkDecision },
): Promise<{ ok: true; outcome: BulkOutcome } | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> }> {
  const d = params.decision;
  if (d.intent === "approve" || d.intent === "tag") {
    const resolved = await resolveCategories(db, d.categorySlugs);
    if (!resolved.ok) return { ok: false, reason: "invalid", fieldErrors: resolved.fieldErrors };
  } else {
    const fieldErrors: Record<string, string[]> = {};
    if (!(REJECT_REASONS as readonly string[]).includes(d.reasonCode)) fieldErrors.reasonCode = ["errors.required"];
    if (!d.reason.trim()) fieldErrors.reason = ["errors.required"];
    if (Object.keys(fieldErrors).length) return { ok: false, reason: "invalid", fieldErrors };
  }
  const outcome: BulkOutcome = { done: [], refused: [] };
  for (const id of [...new Set(params.ids)]) {
    const common = { id, moderatorId: params.moderatorId, moderatorRole: params.moderatorRole, now: params.now };
    const r =
      d.intent === "approve"
        ? await approveSubmission(db, { ...common, categorySlugs: d.categorySlugs })
        : d.intent === "tag"
          ? await tagSubmission(db, { ...common, categorySlugs: d.categorySlugs, reason: d.reason })
          : await rejectSubmission(db, { ...common, reasonCode: d.reasonCode, reason: d.reason });
    if (r.ok) outcome.done.push(id);
    else outcome.refused.push({ id, reason: r.reason });
  }
  return { ok: true, outcome };
}
