// In-app notifications: a row per event a person should hear about
// (published, rejected, merged, commented on, …). Written in the transaction
// of the change that caused it.
import type { Executor } from "../../db/client";
import { nowIso } from "../lib/time";

export type NotificationKind = "published" | "rejected" | "merged" | "commented" | "recommended" | "responded" | "hidden";

export async function notify(
  db: Executor,
  n: { userId: number | null | undefined; kind: NotificationKind; submissionId?: number | null; recommendationId?: number | null; data?: unknown },
  now: Date = new Date(),
): Promise<void> {
  if (!n.userId) return;
  await db
    .insertInto("notifications")
    .values({
      user_id: n.userId,
      kind: n.kind,
      submission_id: n.submissionId ?? null,
      recommendation_id: n.recommendationId ?? null,
      data: n.data === undefined ? null : JSON.stringify(n.data),
      created_at: nowIso(now),
    })
    .execute();
}

export async function listNotifications(db: Executor, userId: number, limit = 50) {
  return db
    .selectFrom("notifications as n")
    .leftJoin("submissions as s", "s.id", "n.submission_id")
    .select(["n.id", "n.kind", "n.submission_id", "n.recommendation_id", "n.data", "n.read_at", "n.created_at", "s.title as submission_title"])
    .where("n.user_id", "=", userId)
    .orderBy("n.id", "desc")
    .limit(limit)
    .execute();
}

export async function markNotificationsRead(db: Executor, userId: number, now: Date = new Date()): Promise<void> {
  await db.updateTable("notifications").set({ read_at: nowIso(now) }).where("user_id", "=", userId).where("read_at", "is", null).execute();
}

export async function countUnread(db: Executor, userId: number): Promise<number> {
  const r = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
