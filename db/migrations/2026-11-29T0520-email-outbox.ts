// Notifications by email, and the unread count in the header.
//
// email_outbox gains what a sender shared by several processes needs: who the
// message is for (so a recipient disabled or deleted since is not written to),
// the notification it tells of, when the next attempt is due (retries back off),
// and who claimed it for sending and when (a claim is one conditional UPDATE,
// so two senders never send one message; a claim left by a process that died
// mid-send can be recognised by its age). The sender's query reads due rows in
// order: an index on (status, next_attempt_at, id) replaces (status, created_at).
//
// notifications: the header counts a user's unread notifications on every
// page; (user_id, read_at) makes that count an index range of only the unread
// ones, however many the user has read.
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("email_outbox")
    .addColumn("user_id", "integer", (c) => c.references("users.id"))
    .execute();
  await db.schema
    .alterTable("email_outbox")
    .addColumn("notification_id", "integer", (c) => c.references("notifications.id"))
    .execute();
  await db.schema.alterTable("email_outbox").addColumn("next_attempt_at", "text").execute();
  await db.schema.alterTable("email_outbox").addColumn("claimed_by", "text").execute();
  await db.schema.alterTable("email_outbox").addColumn("claimed_at", "text").execute();
  // Rows written before this migration (there were none: nothing wrote the outbox) would be due at once.
  await db
    .updateTable("email_outbox")
    .set({ next_attempt_at: sql.ref("created_at") })
    .execute();
  await db.schema.dropIndex("email_outbox_status_idx").execute();
  await db.schema.createIndex("email_outbox_due_idx").on("email_outbox").columns(["status", "next_attempt_at", "id"]).execute();
  await db.schema.createIndex("email_outbox_user_idx").on("email_outbox").column("user_id").execute();
  await db.schema.createIndex("notifications_unread_idx").on("notifications").columns(["user_id", "read_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("notifications_unread_idx").execute();
  await db.schema.dropIndex("email_outbox_user_idx").execute();
  await db.schema.dropIndex("email_outbox_due_idx").execute();
  await db.schema.createIndex("email_outbox_status_idx").on("email_outbox").columns(["status", "created_at"]).execute();
  for (const column of ["claimed_at", "claimed_by", "next_attempt_at", "notification_id", "user_id"]) {
    await db.schema.alterTable("email_outbox").dropColumn(column).execute();
  }
}
