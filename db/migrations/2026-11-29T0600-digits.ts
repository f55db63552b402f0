// Which digits a person reads numbers and dates in (issue 7): Urdu pages use
// Extended Arabic-Indic digits (۱۲۳) by default; "western" keeps 123. English
// pages always use Western digits. The choice also rides in the `digits`
// cookie (app/lib/format.ts); this column remembers it for a signed-in person.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("digits", "text", (c) => c.notNull().defaultTo("native"))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("digits").execute();
}
