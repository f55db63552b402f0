// Implementation progress (issue 16, item 4): a final recommendation's government
// response is one record, but carrying it out takes months. Organisers add dated
// updates (planned | in-progress | done | stalled, a text, an optional evidence
// link); each update is a new row, never an edit, so the public page shows the
// whole history and the accountability page can tell how long since the last one.
// progress_date is the date the update is about (YYYY-MM-DD, typed by the
// organiser); created_at is when it was recorded (orders two updates of one day).
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("recommendation_progress")
    .addColumn("id", "integer", (c) =>
      dialect === "postgres" ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn("recommendation_id", "integer", (c) => c.notNull().references("recommendations.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("progress_date", "text", (c) => c.notNull())
    .addColumn("evidence_url", "text")
    .addColumn("created_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("recommendation_progress_latest_idx")
    .on("recommendation_progress")
    .columns(["recommendation_id", "progress_date", "id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("recommendation_progress").execute();
}
