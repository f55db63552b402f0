// In-app notifications: a row per event a person should hear about
// (published, rejected, merged, commented on, …). Written in the transaction
// of the change that caused it, together with its email in the outbox
// (email-outbox.server.ts), so the two commit or roll back as one; or, for a
// person whose settings say daily or weekly, marked for their digest
// (digest.server.ts), or with no email when they say off. Reading
// and marking read always filter by the owner in SQL.
import type { Executor } from "../../db/client";
import { nowIso } from "~/lib/time";
import type { EmailFrequency } from "../../db/schema";
import {
  type EmailRecipient,
  type EmailToWrite,
  insertEmails,
  loadTargetTitles,
  mailSettings,
  notificationEmailRow,
  notificationTarget,
  queueNotificationEmail,
} from "./email-outbox.server";
import {
  type EmailDelivery,
  emailDeliveryFor,
  emailDeliveryOf,
  needsSourceAuthorship,
  sourceAuthorsOf,
  unsubscribeKey,
} from "./notification-settings.server";

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
  | "progress"
  // a moderator translated the recipient's suggestion (issue 18)
  | "translated";

export interface NotificationInput {
  userId: number;
  kind: NotificationKind;
  submissionId?: number | null;
  recommendationId?: number | null;
  data?: unknown;
}

/** The notifications row of one notification (notify and notifyMany write the same). */
function notificationValues(n: NotificationInput, delivery: EmailDelivery, now: Date) {
  return {
    user_id: n.userId,
    kind: n.kind,
    submission_id: n.submissionId ?? null,
    recommendation_id: n.recommendationId ?? null,
    data: n.data === undefined ? null : JSON.stringify(n.data),
    created_at: nowIso(now),
    digest_state: delivery === "daily" || delivery === "weekly" ? ("pending" as const) : null,
  };
}

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
  const item = { ...n, userId: n.userId };
  // The person's settings decide the email (ADR 0028): at once, later in their digest, or none.
  const delivery = await emailDeliveryFor(db, { userId: n.userId, kind: n.kind, recommendationId: n.recommendationId });
  const row = await db
    .insertInto("notifications")
    .values(notificationValues(item, delivery, now))
    .returning("id")
    .executeTakeFirstOrThrow();
  if (delivery !== "instant") return;
  await queueNotificationEmail(db, { ...item, notificationId: row.id }, now);
}

/** Ids per `in (…)` list and rows per multi-row INSERT of notifications (7 columns): far inside SQLite's 32,766 bound values. */
const CHUNK = 500;

/**
 * The fan-out of notify(): many notifications (one event told to thousands of
 * people) in the caller's transaction, with the same rows notify() would
 * write one by one, in the same order: the recipients' settings, language,
 * address and status read 500 at a time, the targets' titles and the
 * unsubscribe key once, the delivery decided per person by the same rule
 * (emailDeliveryOf), the notifications and the `instant` people's emails
 * written as multi-row INSERTs.
 */
export async function notifyMany(db: Executor, items: NotificationInput[], now: Date = new Date()): Promise<void> {
  if (!items.length) return;
  const userIds = [...new Set(items.map((n) => n.userId))];
  const users = new Map<number, EmailRecipient & { email_frequency: EmailFrequency | null }>();
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom("users")
      .select(["id", "email", "display_name", "locale", "status", "email_frequency"])
      .where("id", "in", userIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) users.set(r.id, r);
  }
  const responseRecs = items.filter((n) => needsSourceAuthorship(n.kind, n.recommendationId)).map((n) => n.recommendationId as number);
  const authors = responseRecs.length ? await sourceAuthorsOf(db, responseRecs) : new Map<number, Set<number>>();
  const deliveries = items.map((n) => {
    const chosen = users.get(n.userId)?.email_frequency ?? null;
    const wrote = needsSourceAuthorship(n.kind, n.recommendationId) && !!authors.get(n.recommendationId as number)?.has(n.userId);
    return emailDeliveryOf(n.kind, chosen, wrote);
  });

  // The notifications, in order; their ids (ascending within one INSERT, on both databases) for the emails.
  const ids: number[] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    const rows = await db
      .insertInto("notifications")
      .values(items.slice(i, i + CHUNK).map((n, j) => notificationValues(n, deliveries[i + j], now)))
      .returning(["id", "user_id"])
      .execute();
    // Matched by person, not by position: RETURNING's order is not promised.
    const byUser = new Map<number, number[]>();
    for (const r of [...rows].sort((a, b) => a.id - b.id)) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r.id]);
    for (const n of items.slice(i, i + CHUNK)) {
      const id = byUser.get(n.userId)?.shift();
      if (id === undefined) throw new Error("notifyMany: a notification was not written");
      ids.push(id);
    }
  }

  const instant = items.map((n, i) => ({ n, i })).filter(({ i }) => deliveries[i] === "instant");
  if (!instant.length) return;
  const targets = instant
    .map(({ n }) =>
      notificationTarget({ kind: n.kind, submission_id: n.submissionId ?? null, recommendation_id: n.recommendationId ?? null }),
    )
    .filter((t) => t !== null);
  const titles = await loadTargetTitles(db, targets);
  const key = await unsubscribeKey(db);
  const settings = mailSettings();
  const emails: EmailToWrite[] = [];
  const shared = new Map<string, string>(); // the sentences everyone told of this event in one language shares
  for (const { n, i } of instant) {
    const email = notificationEmailRow({ ...n, notificationId: ids[i] }, users.get(n.userId), titles, key, settings, shared);
    if (email) emails.push(email);
  }
  await insertEmails(db, emails, now);
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
