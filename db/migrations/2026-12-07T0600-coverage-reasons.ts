// Coverage and "what was left out" (issue 19, item 3): the authority must be able
// to say that no widely supported suggestion was dropped without a reason. The
// coverage figures are computed from what is already stored (final
// recommendations and their sources); what is new is the organisers' recorded
// reason for leaving a suggestion out, one per suggestion, with who set it and
// when (the last change; the audit log keeps every change). Clearing a reason
// deletes its row. See docs/decisions/0030-coverage-and-left-out.md.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("coverage_reasons")
    .addColumn("submission_id", "integer", (c) => c.primaryKey().references("submissions.id"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("set_by", "integer", (c) => c.references("users.id"))
    .addColumn("set_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("coverage_reasons").execute();
}
