// Reports: any signed-in person may report a submission or a comment once,
// with a reason. At the consultation's threshold of distinct reporters the
// item is hidden from the public until a moderator reviews it.
//
// Counts you can defend (issue 15, item 6): a report counts towards the
// threshold only when, as it is made, its reporter's address is confirmed and
// their account is older than the consultation's report_min_account_age_hours
// (`reportCountDecision`). That is fixed on the report row
// (counts_towards_hide, not_counted_reason) in the transaction that inserts it
// and recounts, never evaluated again: accounts made to report at once and
// left to age do not come to count later. Reports that do not count are kept
// and listed to moderators, marked with the reason.
import type { DB } from "../../db/client";
import { PUBLIC_STATUSES } from "~/lib/reference";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { defineRefusals } from "~/lib/refusal";
import { participantRefusalFor, PARTICIPATION_REFUSALS, reportsRefusal, type ParticipationRefusal } from "./consultation.server";
import { notify } from "./notification.server";
import { recordEvent } from "./submission.server";

export type ReportTarget = { type: "submission"; id: number } | { type: "comment"; id: number; submissionId: number };

/** Why a report is refused, and the status each answers with. */
export const REPORT_REFUSALS = defineRefusals({ ...PARTICIPATION_REFUSALS, notFound: 404, invalid: 400 });

/** Why a report does not count towards hiding; null: it counts. */
export type NotCountedReason = "unconfirmed" | "newAccount";

const HOUR_MS = 3_600_000;

/**
 * The rule for whether a report counts towards the hiding threshold, decided
 * at the moment it is made: the reporter's address confirmed by then, and the
 * account at least `minAccountAgeHours` old (0: any confirmed account).
 * Times are compared as instants (any ISO form).
 */
export function reportCountDecision(
  reporter: { email_confirmed_at: string | null; created_at: string } | undefined,
  minAccountAgeHours: number,
  now: Date,
): { counts: true; reason: null } | { counts: false; reason: NotCountedReason } {
  const at = now.getTime();
  const confirmedAt = reporter?.email_confirmed_at ? Date.parse(reporter.email_confirmed_at) : NaN;
  if (!reporter || Number.isNaN(confirmedAt) || confirmedAt > at) return { counts: false, reason: "unconfirmed" };
  const createdAt = Date.parse(reporter.created_at);
  if (Number.isNaN(createdAt) || at - createdAt < Math.max(0, minAccountAgeHours) * HOUR_MS) return { counts: false, reason: "newAccount" };
  return { counts: true, reason: null };
}

export type ReportResult =
  { ok: true; alreadyReported: boolean; hidden: boolean } | { ok: false; reason: "notFound" } | ParticipationRefusal;

export async function reportItem(
  db: DB,
  params: { target: ReportTarget; reporterId: number; reason: string; details: string; now?: Date },
): Promise<ReportResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  return db.transaction().execute(async (trx): Promise<ReportResult> => {
    // Only a confirmed address may report (issue 15): refused before anything is written.
    const unconfirmed = await participantRefusalFor(trx, params.reporterId);
    if (unconfirmed) return unconfirmed;
    const t = params.target;
    // Lock the reported item first: simultaneous reports then count one after
    // another, so the threshold is crossed exactly once (PostgreSQL row lock;
    // on SQLite the first write takes the database's write lock).
    if (t.type === "submission") {
      await trx
        .updateTable("submissions")
        .set((eb) => ({ updated_at: eb.ref("updated_at") }))
        .where("id", "=", t.id)
        .execute();
    } else {
      await trx
        .updateTable("comments")
        .set((eb) => ({ updated_at: eb.ref("updated_at") }))
        .where("id", "=", t.id)
        .execute();
    }
    const item =
      t.type === "submission"
        ? await trx
            .selectFrom("submissions as s")
            .innerJoin("consultations as c", "c.id", "s.consultation_id")
            .select(["s.id", "s.status", "s.author_id", "c.reports_to_hide", "c.report_min_account_age_hours", "c.archived_at"])
            .where("s.id", "=", t.id)
            .where("s.status", "in", [...PUBLIC_STATUSES])
            .executeTakeFirst()
        : await trx
            .selectFrom("comments as cm")
            .innerJoin("submissions as s", "s.id", "cm.submission_id")
            .innerJoin("consultations as c", "c.id", "s.consultation_id")
            .select(["cm.id", "cm.status", "cm.author_id", "c.reports_to_hide", "c.report_min_account_age_hours", "c.archived_at"])
            .where("cm.id", "=", t.id)
            .where("cm.submission_id", "=", t.submissionId)
            .where("cm.status", "=", "visible")
            .where("s.status", "=", "published")
            .executeTakeFirst();
    if (!item) return { ok: false, reason: "notFound" };
    const archived = reportsRefusal(item);
    if (archived) return archived;
    // Read in this transaction, after the item's lock: the decision is fixed on the row it inserts.
    const reporter = await trx
      .selectFrom("users")
      .select(["email_confirmed_at", "created_at"])
      .where("id", "=", params.reporterId)
      .executeTakeFirst();
    const counting = reportCountDecision(reporter, item.report_min_account_age_hours, now);
    const inserted = await trx
      .insertInto("reports")
      .values({
        target_type: t.type,
        target_id: t.id,
        reporter_id: params.reporterId,
        reason: params.reason,
        details: params.details,
        status: "open",
        created_at: iso,
        counts_towards_hide: counting.counts ? 1 : 0,
        not_counted_reason: counting.reason,
      })
      .onConflict((oc) => oc.columns(["target_type", "target_id", "reporter_id"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return { ok: true, alreadyReported: true, hidden: false };

    const open = await trx
      .selectFrom("reports")
      .select((eb) => eb.fn.count<number>("reporter_id").distinct().as("n"))
      .where("target_type", "=", t.type)
      .where("target_id", "=", t.id)
      .where("status", "=", "open")
      .where("counts_towards_hide", "=", 1)
      .executeTakeFirstOrThrow();
    const threshold = item.reports_to_hide;
    const visible = t.type === "submission" ? item.status === "published" : item.status === "visible";
    if (threshold <= 0 || Number(open.n) < threshold || !visible) return { ok: true, alreadyReported: false, hidden: false };

    if (t.type === "submission") {
      const r = await trx
        .updateTable("submissions")
        .set({ status: "hidden", updated_at: iso })
        .where("id", "=", t.id)
        .where("status", "=", "published")
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return { ok: true, alreadyReported: false, hidden: false };
      await recordEvent(
        trx,
        { submissionId: t.id, event: "hidden", actorId: null, actorRole: "system", data: { reports: Number(open.n) } },
        now,
      );
      await notify(trx, { userId: item.author_id, kind: "hidden", submissionId: t.id }, now);
    } else {
      const r = await trx
        .updateTable("comments")
        .set({ status: "hidden", updated_at: iso })
        .where("id", "=", t.id)
        .where("status", "=", "visible")
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return { ok: true, alreadyReported: false, hidden: false };
      await trx
        .updateTable("submissions")
        .set((eb) => ({ comments_count: eb("comments_count", "-", 1) }))
        .where("id", "=", t.submissionId)
        .execute();
    }
    await recordAudit(
      trx,
      {
        actorId: null,
        actorRole: "system",
        action: `${t.type}.auto-hide`,
        targetType: t.type,
        targetId: t.id,
        after: { reports: Number(open.n), threshold },
      },
      now,
    );
    return { ok: true, alreadyReported: false, hidden: true };
  });
}
