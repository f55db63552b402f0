// Several consultations over time: one is active, past ones stay
// readable; an archived one can no longer be made active.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("consultations").addColumn("archived_at", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("consultations").dropColumn("archived_at").execute();
}
