// The moderation queue reads one state of one consultation, oldest first
// (optionally one cluster): an index in that order, so a page is an index
// range and not a sort of every pending suggestion. The cluster filter uses
// a second one with the cluster. They replace the first migration's
// (status, created_at) index, which ignored the consultation.
//
// submission_similar: each suggestion's likely duplicates, found by full-text
// similarity once when it is submitted or edited (a similarity search costs
// tens of milliseconds at national scale: too much for 50 rows of a queue
// page), stored both ways with their rank.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("submission_similar")
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id").onDelete("cascade"))
    .addColumn("similar_id", "integer", (c) => c.notNull().references("submissions.id").onDelete("cascade"))
    .addColumn("rank", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("submission_similar_pk", ["submission_id", "similar_id"])
    .execute();
  await db.schema.createIndex("submission_similar_similar_idx").on("submission_similar").column("similar_id").execute();
  await db.schema.dropIndex("submissions_queue_idx").execute();
  await db.schema
    .createIndex("submissions_moderation_idx")
    .on("submissions")
    .columns(["consultation_id", "status", "created_at", "id"])
    .execute();
  await db.schema
    .createIndex("submissions_cluster_moderation_idx")
    .on("submissions")
    .columns(["consultation_id", "cluster_id", "status", "created_at", "id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("submission_similar").execute();
  await db.schema.dropIndex("submissions_cluster_moderation_idx").execute();
  await db.schema.dropIndex("submissions_moderation_idx").execute();
  await db.schema.createIndex("submissions_queue_idx").on("submissions").columns(["status", "created_at"]).execute();
}
