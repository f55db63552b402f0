// Report review: the moderators' list of items (suggestions and
// comments) with open reports, one entry per item, and the three decisions on
// an item: dismiss (the reports were unfounded; an item hidden by them comes
// back), hide, reject (suggestions only). Suggestions are decided by the
// decisions of moderation.server.ts; the comment decisions live here.
//
// Each decision on an item is one transaction: the state change, its audit
// entry and the closing of the item's open reports commit together or not at
// all. A decision needs open reports on the item: a moderator acting on a page
// someone else has already handled gets a refusal, not a second decision.
import { sql } from "kysely";
import type { DB, Executor } from "../../db/client";
import type { Role, SubmissionStatus } from "../../db/schema";
import type { Trx } from "../../db/transaction";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import type { NotCountedReason } from "./report.server";
import {
  decisionsFor,
  hideSubmission,
  rejectSubmission,
  resolveOpenReports,
  restoreSubmission,
  type DecisionResult,
} from "./moderation.server";

export type ReportTargetType = "submission" | "comment";

/** How many reports of one item the review page lists (the count covers them all). */
export const REPORTS_SHOWN_PER_ITEM = 20;

// ─────────────────────────────── the list ───────────────────────────────

export interface ReviewReport {
  id: number;
  reason: string;
  details: string;
  createdAt: string;
  /** null: it counts towards hiding; else why not (fixed when it was made, report.server.ts) */
  notCounted: NotCountedReason | null;
}

/** A suggestion out of public view: hiding it only closes its reports. */
const SUBMISSION_OUT_OF_VIEW: readonly string[] = ["hidden", "rejected", "withdrawn"];

/** What the review may decide on an item in its state: the rule the decisions below check. */
export interface ReviewDecisions {
  /** already out of public view: "hide" keeps it so and closes its reports */
  outOfView: boolean;
  canHide: boolean;
  /** suggestions only, in a state a rejection applies to */
  canReject: boolean;
}

export function reviewDecisionsFor(targetType: ReportTargetType, status: string): ReviewDecisions {
  if (targetType === "comment") return { outOfView: status !== "visible", canHide: true, canReject: false };
  const outOfView = SUBMISSION_OUT_OF_VIEW.includes(status);
  return {
    outOfView,
    canHide: outOfView || decisionsFor(status as SubmissionStatus).canHide,
    canReject: decisionsFor(status as SubmissionStatus).canReject,
  };
}

export interface ReviewItem {
  targetType: ReportTargetType;
  targetId: number;
  /** the suggestion the item is (or, for a comment, belongs to) */
  submissionId: number;
  submissionTitle: string;
  submissionStatus: string;
  /** the comment's text and state; null for a suggestion */
  commentBody: string | null;
  commentStatus: string | null;
  /** the item's own state: the suggestion's status or the comment's */
  status: string;
  /** what may be decided on it */
  decisions: ReviewDecisions;
  /** hidden, and the last hiding was the automatic one at the reports threshold */
  hiddenAutomatically: boolean;
  itemCreatedAt: string;
  /** distinct people with an open report on the item */
  reporters: number;
  /** of them, those whose report counts towards hiding (confirmed accounts old enough when they reported) */
  countedReporters: number;
  /** the item's consultation's minimum account age (hours) for a report to count, as set now */
  minAccountAgeHours: number;
  openReports: number;
  firstReportedAt: string;
  lastReportedAt: string;
  /** the oldest open reports, at most REPORTS_SHOWN_PER_ITEM */
  reports: ReviewReport[];
}

/**
 * Items with open reports, most COUNTED reporters first (a wave of new
 * accounts must not push down what established ones reported, issue 15),
 * then most reporters, then the longest waiting,
 * `pageSize` a page. Two queries whatever the page size: the items (grouped
 * and counted in SQL, with their suggestion or comment), then the open reports
 * of those items.
 */
export async function listOpenReportItems(
  db: Executor,
  params: { page: number; pageSize: number },
): Promise<{ items: ReviewItem[]; hasMore: boolean }> {
  const grouped = db
    .selectFrom("reports")
    .select(["target_type", "target_id"])
    .select((eb) => [
      eb.fn.count<number>("reporter_id").distinct().as("reporters"),
      eb.fn
        .count<number>(eb.case().when("counts_towards_hide", "=", 1).then(eb.ref("reporter_id")).end())
        .distinct()
        .as("counted_reporters"),
      eb.fn.countAll<number>().as("open_reports"),
      eb.fn.min<string>("created_at").as("first_at"),
      eb.fn.max<string>("created_at").as("last_at"),
    ])
    .where("status", "=", "open")
    .groupBy(["target_type", "target_id"]);

  const rows = await db
    .with("g", () => grouped)
    .selectFrom("g")
    .leftJoin("submissions as s", (j) => j.on("g.target_type", "=", "submission").onRef("s.id", "=", "g.target_id"))
    .leftJoin("comments as c", (j) => j.on("g.target_type", "=", "comment").onRef("c.id", "=", "g.target_id"))
    .leftJoin("submissions as cs", "cs.id", "c.submission_id")
    .leftJoin("consultations as con", (j) => j.on((eb) => eb("con.id", "=", eb.fn.coalesce("s.consultation_id", "cs.consultation_id"))))
    .select([
      "g.target_type",
      "g.target_id",
      "g.reporters",
      "g.counted_reporters",
      "con.report_min_account_age_hours",
      "g.open_reports",
      "g.first_at",
      "g.last_at",
      "s.id as s_id",
      "s.title as s_title",
      "s.status as s_status",
      "s.created_at as s_created_at",
      "c.body as c_body",
      "c.status as c_status",
      "c.created_at as c_created_at",
      "cs.id as cs_id",
      "cs.title as cs_title",
      "cs.status as cs_status",
    ])
    // Who hid the item last: the system (at the reports threshold) or a moderator.
    .select(
      sql<string | null>`(select a.actor_role from audit_log a
        where a.target_type = g.target_type and a.target_id = cast(g.target_id as text)
          and a.action in (g.target_type || '.auto-hide', g.target_type || '.hide')
        order by a.id desc limit 1)`.as("last_hidden_by"),
    )
    // Reports always name an existing item (nothing is deleted), but never let a stray one break the page.
    .where((eb) => eb.or([eb("s.id", "is not", null), eb("c.id", "is not", null)]))
    .orderBy("g.counted_reporters", "desc")
    .orderBy("g.reporters", "desc")
    .orderBy("g.first_at", "asc")
    .orderBy("g.target_type", "asc")
    .orderBy("g.target_id", "asc")
    .limit(params.pageSize + 1)
    .offset((params.page - 1) * params.pageSize)
    .execute();

  const hasMore = rows.length > params.pageSize;
  const page = rows.slice(0, params.pageSize);
  const ids = (type: ReportTargetType) => page.filter((r) => r.target_type === type).map((r) => Number(r.target_id));
  const submissionIds = ids("submission");
  const commentIds = ids("comment");

  const reports = new Map<string, ReviewReport[]>();
  if (page.length) {
    const ranked = db
      .selectFrom("reports as r")
      .select(["r.id", "r.target_type", "r.target_id", "r.reason", "r.details", "r.created_at", "r.not_counted_reason"])
      .select(sql<number>`row_number() over (partition by r.target_type, r.target_id order by r.created_at, r.id)`.as("rn"))
      .where("r.status", "=", "open")
      .where((eb) =>
        eb.or([
          ...(submissionIds.length ? [eb.and([eb("r.target_type", "=", "submission"), eb("r.target_id", "in", submissionIds)])] : []),
          ...(commentIds.length ? [eb.and([eb("r.target_type", "=", "comment"), eb("r.target_id", "in", commentIds)])] : []),
        ]),
      );
    const reportRows = await db
      .selectFrom(ranked.as("x"))
      .select(["x.id", "x.target_type", "x.target_id", "x.reason", "x.details", "x.created_at", "x.not_counted_reason"])
      .where("x.rn", "<=", REPORTS_SHOWN_PER_ITEM)
      .orderBy("x.created_at")
      .orderBy("x.id")
      .execute();
    for (const r of reportRows) {
      const key = `${r.target_type}:${r.target_id}`;
      const list = reports.get(key) ?? [];
      list.push({
        id: r.id,
        reason: r.reason,
        details: r.details,
        createdAt: r.created_at,
        notCounted: (r.not_counted_reason as NotCountedReason | null) ?? null,
      });
      reports.set(key, list);
    }
  }

  const items = page.map((r): ReviewItem => {
    const isSubmission = r.target_type === "submission";
    const status = (isSubmission ? r.s_status : r.c_status) ?? "";
    return {
      targetType: r.target_type as ReportTargetType,
      targetId: Number(r.target_id),
      submissionId: Number(isSubmission ? r.s_id : r.cs_id),
      submissionTitle: (isSubmission ? r.s_title : r.cs_title) ?? "",
      submissionStatus: (isSubmission ? r.s_status : r.cs_status) ?? "",
      commentBody: isSubmission ? null : r.c_body,
      commentStatus: isSubmission ? null : r.c_status,
      status,
      decisions: reviewDecisionsFor(r.target_type as ReportTargetType, status),
      hiddenAutomatically: status === "hidden" && r.last_hidden_by === "system",
      itemCreatedAt: (isSubmission ? r.s_created_at : r.c_created_at) ?? r.first_at,
      reporters: Number(r.reporters),
      countedReporters: Number(r.counted_reporters),
      minAccountAgeHours: Number(r.report_min_account_age_hours ?? 0),
      openReports: Number(r.open_reports),
      firstReportedAt: r.first_at,
      lastReportedAt: r.last_at,
      reports: reports.get(`${r.target_type}:${r.target_id}`) ?? [],
    };
  });
  return { items, hasMore };
}

/** Items (not reports) waiting for review: what the moderators' overview can show beside the open reports. */
export async function countOpenReportItems(db: Executor): Promise<number> {
  const grouped = db
    .selectFrom("reports")
    .select(["target_type", "target_id"])
    .where("status", "=", "open")
    .groupBy(["target_type", "target_id"]);
  const row = await db
    .selectFrom(grouped.as("g"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ────────────────────────────── decisions ───────────────────────────────

export interface Reviewer {
  moderatorId: number;
  moderatorRole: Role;
  now?: Date;
}

export interface ReviewTarget {
  targetType: ReportTargetType;
  targetId: number;
}

/** Why a review decision is refused, and the status each answers with. */
export const REVIEW_REFUSALS = defineRefusals({ notFound: 404, invalid: 400, noOpenReports: 409, wrongState: 409 });

export type ReviewResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: "notFound" }
  /** no open reports on the item: someone else has decided it meanwhile */
  | { ok: false; reason: "noOpenReports" }
  /** the item is in a state this decision does not apply to */
  | { ok: false; reason: "wrongState"; status: string }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> };

/** Thrown inside a transaction to roll it back and answer with a refusal. */
class Refused extends Error {
  constructor(readonly result: ReviewResult) {
    super(`refused: ${result.ok ? "ok" : result.reason}`);
  }
}

/** Runs one item's decision in one transaction; a thrown Refused rolls it back and becomes the answer. */
async function decide(db: DB, work: (trx: Trx) => Promise<ReviewResult>): Promise<ReviewResult> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    if (error instanceof Refused) return error.result;
    throw error;
  }
}

/** A refusal of a moderation.server.ts decision, as a review refusal (rolls back). */
function refusedBy(r: DecisionResult): never {
  if (r.ok) throw new Error("refusedBy called with a success");
  throw new Refused(r.reason === "wrongState" ? { ok: false, reason: "wrongState", status: r.status } : r);
}

interface LockedItem {
  status: string;
  submissionId: number;
}

/**
 * Locks the reported item for the decision (a PostgreSQL row lock; SQLite
 * transactions hold the write lock from their start) and reads its state. A
 * report arriving meanwhile (reportItem locks the same row) waits, so it is
 * either closed with the others or left open for the next review.
 */
async function lockItem(trx: Trx, t: ReviewTarget): Promise<LockedItem | undefined> {
  if (t.targetType === "submission") {
    await trx
      .updateTable("submissions")
      .set((eb) => ({ updated_at: eb.ref("updated_at") }))
      .where("id", "=", t.targetId)
      .execute();
    const s = await trx.selectFrom("submissions").select(["id", "status"]).where("id", "=", t.targetId).executeTakeFirst();
    return s && { status: s.status, submissionId: s.id };
  }
  await trx
    .updateTable("comments")
    .set((eb) => ({ updated_at: eb.ref("updated_at") }))
    .where("id", "=", t.targetId)
    .execute();
  const c = await trx.selectFrom("comments").select(["status", "submission_id"]).where("id", "=", t.targetId).executeTakeFirst();
  return c && { status: c.status, submissionId: c.submission_id };
}

async function countOpen(trx: Executor, t: ReviewTarget): Promise<number> {
  const row = await trx
    .selectFrom("reports")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("target_type", "=", t.targetType)
    .where("target_id", "=", t.targetId)
    .where("status", "=", "open")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Locks the item and checks it has open reports; returns the item and how many. */
async function openItem(trx: Trx, t: ReviewTarget): Promise<LockedItem & { open: number }> {
  const item = await lockItem(trx, t);
  if (!item) throw new Refused({ ok: false, reason: "notFound" });
  const open = await countOpen(trx, t);
  if (open === 0) throw new Refused({ ok: false, reason: "noOpenReports" });
  return { ...item, open };
}

function cleanReason(reason: string | null | undefined): string | null {
  return reason?.trim() || null;
}

function tooLong(reason: string | null): ReviewResult | null {
  return reason && reason.length > 2000 ? { ok: false, reason: "invalid", fieldErrors: { reason: ["errors.tooLong|2000"] } } : null;
}

/** Moves a comment between visible and hidden; the suggestion's comment counter follows (it counts visible comments). */
async function setCommentVisibility(
  trx: Trx,
  commentId: number,
  submissionId: number,
  from: "visible" | "hidden",
  iso: string,
): Promise<void> {
  const to = from === "visible" ? "hidden" : "visible";
  const r = await trx
    .updateTable("comments")
    .set({ status: to, updated_at: iso })
    .where("id", "=", commentId)
    .where("status", "=", from)
    .executeTakeFirst();
  // The row is locked: its state cannot have moved since it was read.
  if (Number(r.numUpdatedRows) !== 1) throw new Error(`comment ${commentId} was not ${from}`);
  await trx
    .updateTable("submissions")
    .set((eb) => ({ comments_count: eb("comments_count", to === "visible" ? "+" : "-", 1) }))
    .where("id", "=", submissionId)
    .execute();
}

/**
 * A reported comment restored (from hidden: reports dismissed) or hidden
 * (from visible: reports actioned), its reports closed and the audit entry
 * written.
 */
async function flipComment(
  trx: Trx,
  by: Reviewer & ReviewTarget,
  item: LockedItem & { open: number },
  from: "visible" | "hidden",
  reason: string | null,
  now: Date,
) {
  const iso = nowIso(now);
  const to = from === "visible" ? "hidden" : "visible";
  const reports = from === "visible" ? "actioned" : "dismissed";
  await setCommentVisibility(trx, by.targetId, item.submissionId, from, iso);
  const closed = await resolveOpenReports(trx, "comment", by.targetId, reports, by.moderatorId, iso);
  await recordAudit(
    trx,
    {
      actorId: by.moderatorId,
      actorRole: by.moderatorRole,
      action: from === "visible" ? "comment.hide" : "comment.restore",
      targetType: "comment",
      targetId: by.targetId,
      before: { status: from, openReports: item.open },
      after: { status: to, reports, closed },
      reason,
    },
    now,
  );
}

/** Closes the open reports and writes the audit entry for a decision that changed nothing else. */
async function closeReportsOnly(
  trx: Trx,
  t: ReviewTarget,
  item: LockedItem & { open: number },
  status: "dismissed" | "actioned",
  by: Reviewer,
  reason: string | null,
  now: Date,
) {
  const closed = await resolveOpenReports(trx, t.targetType, t.targetId, status, by.moderatorId, nowIso(now));
  await recordAudit(
    trx,
    {
      actorId: by.moderatorId,
      actorRole: by.moderatorRole,
      action: `${t.targetType}.reports-${status}`,
      targetType: t.targetType,
      targetId: t.targetId,
      before: { status: item.status, openReports: item.open },
      after: { status: item.status, reports: status, closed },
      reason,
    },
    now,
  );
}

/**
 * The reports were unfounded: closes the item's open reports as dismissed.
 * An item hidden meanwhile (by the reports, or otherwise) is restored: a
 * suggestion through restoreSubmission, a comment back to visible.
 */
export async function dismissReports(db: DB, params: Reviewer & ReviewTarget & { reason?: string | null }): Promise<ReviewResult> {
  const now = params.now ?? new Date();
  const reason = cleanReason(params.reason);
  const invalid = tooLong(reason);
  if (invalid) return invalid;
  return decide(db, async (trx) => {
    const item = await openItem(trx, params);
    if (params.targetType === "submission") {
      if (item.status === "hidden") {
        // Restores it and dismisses its open reports, with its own audit entry.
        const r = await restoreSubmission(trx, {
          id: params.targetId,
          moderatorId: params.moderatorId,
          moderatorRole: params.moderatorRole,
          reason,
          now,
        });
        if (!r.ok) refusedBy(r);
        return { ok: true, changed: true };
      }
      await closeReportsOnly(trx, params, item, "dismissed", params, reason, now);
      return { ok: true, changed: true };
    }
    if (item.status !== "hidden") {
      await closeReportsOnly(trx, params, item, "dismissed", params, reason, now);
      return { ok: true, changed: true };
    }
    await flipComment(trx, params, item, "hidden", reason, now);
    return { ok: true, changed: true };
  });
}

/**
 * The reports were right: hides the item and closes its open reports as
 * actioned. A published suggestion goes through hideSubmission (its author is
 * told); a visible comment becomes hidden. An item already out of public view
 * (hidden by the reports, rejected, withdrawn) keeps its state and only its
 * reports are closed. A merged suggestion cannot be hidden (it is part of its
 * target's record): dismiss or reject it instead.
 */
export async function hideReportedItem(db: DB, params: Reviewer & ReviewTarget & { reason?: string | null }): Promise<ReviewResult> {
  const now = params.now ?? new Date();
  const reason = cleanReason(params.reason);
  const invalid = tooLong(reason);
  if (invalid) return invalid;
  return decide(db, async (trx) => {
    const item = await openItem(trx, params);
    if (params.targetType === "submission") {
      if (item.status === "published") {
        // Hides it and marks its open reports actioned, with its own audit entry.
        const r = await hideSubmission(trx, {
          id: params.targetId,
          moderatorId: params.moderatorId,
          moderatorRole: params.moderatorRole,
          reason,
          now,
        });
        if (!r.ok) refusedBy(r);
        return { ok: true, changed: true };
      }
      if (!reviewDecisionsFor("submission", item.status).outOfView)
        throw new Refused({ ok: false, reason: "wrongState", status: item.status });
      await closeReportsOnly(trx, params, item, "actioned", params, reason, now);
      return { ok: true, changed: true };
    }
    if (item.status !== "visible") {
      await closeReportsOnly(trx, params, item, "actioned", params, reason, now);
      return { ok: true, changed: true };
    }
    await flipComment(trx, params, item, "visible", reason, now);
    return { ok: true, changed: true };
  });
}

/**
 * Rejects a reported suggestion through rejectSubmission (reason code and a
 * text its author reads and is notified of), then closes its open reports as
 * actioned, with an audit entry for them: all in one transaction.
 */
export async function rejectReportedSubmission(
  db: DB,
  params: Reviewer & { targetId: number; reasonCode: string; reason: string },
): Promise<ReviewResult> {
  const now = params.now ?? new Date();
  const target: ReviewTarget = { targetType: "submission", targetId: params.targetId };
  return decide(db, async (trx) => {
    const item = await openItem(trx, target);
    const r = await rejectSubmission(trx, {
      id: params.targetId,
      moderatorId: params.moderatorId,
      moderatorRole: params.moderatorRole,
      reasonCode: params.reasonCode,
      reason: params.reason,
      now,
    });
    if (!r.ok) refusedBy(r);
    // rejectSubmission closes the open reports itself (as actioned); this records that they were the reason.
    const closed = item.open;
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "submission.reports-actioned",
        targetType: "submission",
        targetId: params.targetId,
        before: { status: item.status, openReports: item.open },
        after: { status: "rejected", reports: "actioned", closed },
        reason: params.reason.trim(),
      },
      now,
    );
    return { ok: true, changed: true };
  });
}
