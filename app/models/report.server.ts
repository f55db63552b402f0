// Reports: any signed-in person may report a submission or a comment once,
// with a reason. At the consultation's threshold of distinct reporters the
// item is hidden from the public until a moderator reviews it.
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
            .select(["s.id", "s.status", "s.author_id", "c.reports_to_hide", "c.archived_at"])
            .where("s.id", "=", t.id)
            .where("s.status", "in", [...PUBLIC_STATUSES])
            .executeTakeFirst()
        : await trx
            .selectFrom("comments as cm")
            .innerJoin("submissions as s", "s.id", "cm.submission_id")
            .innerJoin("consultations as c", "c.id", "s.consultation_id")
            .select(["cm.id", "cm.status", "cm.author_id", "c.reports_to_hide", "c.archived_at"])
            .where("cm.id", "=", t.id)
            .where("cm.submission_id", "=", t.submissionId)
            .where("cm.status", "=", "visible")
            .where("s.status", "=", "published")
            .executeTakeFirst();
    if (!item) return { ok: false, reason: "notFound" };
    const archived = reportsRefusal(item);
    if (archived) return archived;
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
