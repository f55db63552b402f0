// Notification settings, digests and one-click unsubscribe (issue 16, item 3;
// ADR 0028). Why each piece:
// - users.email_frequency: the person's choice of email for notifications,
//   'off' | 'instant' | 'daily' | 'weekly'; NULL = never chosen, and the default
//   rule applies (instant for decisions on what they wrote, weekly for the rest:
//   app/models/notification-settings.server.ts). NULL rather than a backfilled
//   value, so the default can be told apart from a choice.
// - notifications.digest_state: 'pending' = waits for the person's next digest
//   (no email was written when it happened); 'done' = listed in a digest, or
//   dropped because the person turned email off since; NULL = not for a digest
//   (emailed at once, or in-app only). Indexed with the user for the builder.
// - email_digests: one row per person and period (a UTC day 'D2026-12-07' or an
//   ISO week 'W2026-W50'), inserted in the transaction that writes the digest
//   email: a second builder (another process or instance) conflicts on the
//   primary key and writes nothing, so a digest is written once.
// - email_outbox.unsubscribe_url: the signed one-click link a notification or
//   digest email carries; the sender turns it into List-Unsubscribe headers.
//   NULL for account and security emails, which settings do not stop.
// - app_secrets: a random key made here, once per installation, kept in the
//   database every instance shares; unsubscribe links are signed with it (HMAC).
//   The app had no secret of its own to sign with (its tokens are random and
//   stored hashed), and a new environment variable would be a Contract change.
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("users").addColumn("email_frequency", "text").execute();
  await db.schema.alterTable("notifications").addColumn("digest_state", "text").execute();
  await db.schema.createIndex("notifications_digest_idx").on("notifications").columns(["digest_state", "user_id", "created_at"]).execute();
  await db.schema.alterTable("email_outbox").addColumn("unsubscribe_url", "text").execute();
  await db.schema
    .createTable("email_digests")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("email_id", "integer", (c) => c.references("email_outbox.id"))
    .addColumn("notifications", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("email_digests_pk", ["user_id", "period"])
    .execute();
  await db.schema
    .createTable("app_secrets")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db
    .insertInto("app_secrets")
    .values({ name: "unsubscribe", value: randomBytes(32).toString("base64url"), created_at: new Date().toISOString() })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("app_secrets").execute();
  await db.schema.dropTable("email_digests").execute();
  await db.schema.alterTable("email_outbox").dropColumn("unsubscribe_url").execute();
  await db.schema.dropIndex("notifications_digest_idx").execute();
  await db.schema.alterTable("notifications").dropColumn("digest_state").execute();
  await db.schema.alterTable("users").dropColumn("email_frequency").execute();
}
