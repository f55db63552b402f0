// In-app notifications: a row per event a person should hear about
// (published, rejected, merged, commented on, …). Written in the transaction
// of the change that caused it, together with its email in the outbox
// (email-outbox.server.ts), so the two commit or roll back as one; or, for a
// person whose settings say daily or weekly, marked for their digest
// (digest.server.ts), or with no email when they say off. Reading
// and marking read always filter by the owner in SQL.
import type { Executor } from "../../db/client";
import { nowIso } from "~/lib/time";
import { queueNotificationEmail } from "./email-outbox.server";
import { emailDeliveryFor } from "./notification-settings.server";

export type NotificationKind =
  | "published"
  | "rejected"
  | "merged"
  | "commented"
  | "recommended"
  | "responded"
  | "hidden"
  // what followers hear (follow.server.ts): texts for someone who did not write the suggestion
  | "followed.published"
  | "followed.merged"
  | "followed.recommended"
  | "followed.commented"
  | "progress";

export async function notify(
  db: Executor,
  n: {
    userId: number | null | undefined;
    kind: NotificationKind;
    submissionId?: number | null;
    recommendationId?: number | null;
    data?: unknown;
  },
  now: Date = new Date(),
): Promise<void> {
  if (!n.userId) return;
  // The person's settings decide the email (ADR 0028): at once, later in their digest, or none.
  const delivery = await emailDeliveryFor(db, { userId: n.userId, kind: n.kind, recommendationId: n.recommendationId });
  const row = await db
    .insertInto("notifications")
    .values({
      user_id: n.userId,
      kind: n.kind,
      submission_id: n.submissionId ?? null,
      recommendation_id: n.recommendationId ?? null,
      data: n.data === undefined ? null : JSON.stringify(n.data),
      created_at: nowIso(now),
      digest_state: delivery === "daily" || delivery === "weekly" ? "pending" : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (delivery !== "instant") return;
  await queueNotificationEmail(
    db,
    {
      notificationId: row.id,
      userId: n.userId,
      kind: n.kind,
      submissionId: n.submissionId,
      recommendationId: n.recommendationId,
      data: n.data,
    },
    now,
  );
}

/** A user's notifications, newest first, with the title of what each is about. */
export async function listNotifications(db: Executor, userId: number, params: { limit?: number; offset?: number } = {}) {
  return db
    .selectFrom("notifications as n")
    .leftJoin("submissions as s", "s.id", "n.submission_id")
    .leftJoin("recommendations as r", "r.id", "n.recommendation_id")
    .select([
      "n.id",
      "n.kind",
      "n.submission_id",
      "n.recommendation_id",
      "n.data",
      "n.read_at",
      "n.created_at",
      "s.title as submission_title",
      "r.title as recommendation_title",
    ])
    .where("n.user_id", "=", userId)
    .orderBy("n.created_at", "desc")
    .orderBy("n.id", "desc")
    .limit(params.limit ?? 50)
    .offset(params.offset ?? 0)
    .execute();
}

/** Marks all of a user's notifications read; returns how many were unread. */
export async function markAllNotificationsRead(db: Executor, userId: number, now: Date = new Date()): Promise<number> {
  const r = await db
    .updateTable("notifications")
    .set({ read_at: nowIso(now) })
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Marks one notification read, only if it is the user's: false when the user
 * has no notification with that id (someone else's is not found, not forbidden).
 */
export async function markNotificationRead(db: Executor, params: { id: number; userId: number }, now: Date = new Date()): Promise<boolean> {
  const r = await db
    .updateTable("notifications")
    .set({ read_at: nowIso(now) })
    .where("id", "=", params.id)
    .where("user_id", "=", params.userId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1) return true;
  const mine = await db
    .selectFrom("notifications")
    .select("id")
    .where("id", "=", params.id)
    .where("user_id", "=", params.userId)
    .executeTakeFirst();
  return mine !== undefined;
}

/** The header's badge: one count over the (user_id, read_at) index. */
export async function countUnread(db: Executor, userId: number): Promise<number> {
  const r = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
