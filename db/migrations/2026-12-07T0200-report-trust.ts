// Counts you can defend (issue 15, item 6): reports hide an item only when
// they come from people whose address is confirmed and whose account is older
// than the consultation's setting; the others still reach the moderators.
//
// consultations.report_min_account_age_hours: how old (hours) a reporter's
// account must be when they report for the report to count towards
// `reports_to_hide` (default 24; 0 = any confirmed account).
// reports.counts_towards_hide: decided once, when the report is made (by the
// reporter's confirmation and account age at that moment, in the transaction
// that inserts it and recounts), so a count never changes afterwards: three
// throwaway accounts that report at once and then wait do not come to count
// later. reports.not_counted_reason says why one does not count
// ("unconfirmed" | "newAccount"; null when it counts), for the moderators.
// Reports made before this change keep counting: they were made when no
// address could be confirmed, and an item they hid stays hidden until a
// moderator decides, as before.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("consultations")
    .addColumn("report_min_account_age_hours", "integer", (c) => c.notNull().defaultTo(24))
    .execute();
  await db.schema
    .alterTable("reports")
    .addColumn("counts_towards_hide", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable("reports").addColumn("not_counted_reason", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("reports").dropColumn("not_counted_reason").execute();
  await db.schema.alterTable("reports").dropColumn("counts_towards_hide").execute();
  await db.schema.alterTable("consultations").dropColumn("report_min_account_age_hours").execute();
}
