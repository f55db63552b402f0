// Identity (issue 15): confirmed emails, account recovery and two-factor sign-in
// for staff (ADR 0026).
//
// users.email_confirmed_at: when the person proved they read the address (null:
// unconfirmed). Accounts made before this change: staff (moderator, organiser,
// admin) are taken as confirmed from their creation, because the CLI that made
// them is the operator's word; participants start unconfirmed and confirm at
// their next sign-in (ADR 0026 says why).
// users.pending_email: a new address asked for in the profile, in force only
// once confirmed (the old one stays until then).
// users.two_factor_*: the TOTP secret (base32), when enrolment was confirmed
// (null: not enrolled, or enrolment started and not confirmed), and the last
// time step a code was accepted at, so a code is never accepted twice.
//
// account_tokens: links sent by email (confirm an address, reset a password).
// Only the SHA-256 of a token is stored; a use is one conditional UPDATE that
// sets used_at, so two uses of one link never both succeed.
// two_factor_recovery_codes: the ten single-use codes shown once at enrolment,
// stored as SHA-256 (each has 80 random bits).
//
// email_outbox.logged_at: without SMTP_URL an email is held for /admin/outbox
// and also written once to the server log, so a person trying the app locally
// can follow a confirmation or reset link; the row is claimed for the log by a
// conditional UPDATE of this column, so several processes log it once. Emails
// held before this change are marked logged (their links are old).
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const id = (t: any) =>
    dialect === "postgres"
      ? t.addColumn("id", "integer", (c: any) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn("id", "integer", (c: any) => c.primaryKey().autoIncrement());

  for (const [column, type] of [
    ["email_confirmed_at", "text"],
    ["pending_email", "text"],
    ["two_factor_secret", "text"],
    ["two_factor_enabled_at", "text"],
    ["two_factor_last_step", "integer"],
  ] as const) {
    await db.schema.alterTable("users").addColumn(column, type).execute();
  }
  await db
    .updateTable("users")
    .set({ email_confirmed_at: sql.ref("created_at") })
    .where("role", "in", ["moderator", "organiser", "admin"])
    .execute();

  await db.schema.alterTable("email_outbox").addColumn("logged_at", "text").execute();
  await db
    .updateTable("email_outbox")
    .set({ logged_at: sql.ref("created_at") })
    .execute();

  await id(db.schema.createTable("account_tokens"))
    .addColumn("user_id", "integer", (c: any) => c.notNull().references("users.id").onDelete("cascade"))
    /** "confirm-email" | "reset-password" */
    .addColumn("purpose", "text", (c: any) => c.notNull())
    .addColumn("token_hash", "text", (c: any) => c.notNull().unique())
    /** the address a confirmation link confirms (a reset link: the address it was sent to) */
    .addColumn("email", "text", (c: any) => c.notNull())
    .addColumn("created_at", "text", (c: any) => c.notNull())
    .addColumn("expires_at", "text", (c: any) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema.createIndex("account_tokens_user_idx").on("account_tokens").columns(["user_id", "purpose"]).execute();

  await id(db.schema.createTable("two_factor_recovery_codes"))
    .addColumn("user_id", "integer", (c: any) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c: any) => c.notNull())
    .addColumn("created_at", "text", (c: any) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema
    .createIndex("two_factor_recovery_codes_user_idx")
    .on("two_factor_recovery_codes")
    .columns(["user_id", "code_hash"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("two_factor_recovery_codes").execute();
  await db.schema.dropTable("account_tokens").execute();
  await db.schema.alterTable("email_outbox").dropColumn("logged_at").execute();
  for (const column of ["two_factor_last_step", "two_factor_enabled_at", "two_factor_secret", "pending_email", "email_confirmed_at"]) {
    await db.schema.alterTable("users").dropColumn(column).execute();
  }
}
