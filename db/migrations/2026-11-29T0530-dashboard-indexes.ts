// Covering indexes for the organiser dashboard. Without them, on the
// national data set (100,000 suggestions, 1,000,000 supports) the per-day
// supports count and the per-cluster distinct supporters each read the whole
// supports table, and the matrix read every suggestion's row: seconds per
// page. With them every dashboard query is an index range read (no table
// rows); see docs/benchmarks.md "Organiser dashboard".
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  // Matrix: per cluster, published + merged, authors' organisations and supporters summed.
  await db.schema
    .createIndex("submissions_dashboard_idx")
    .on("submissions")
    .columns(["consultation_id", "cluster_id", "status", "organisation_id", "supporters_count", "id"])
    .execute();
  // Top ten by supporting organisations, in index order (no sort of a whole cluster).
  await db.schema
    .createIndex("submissions_organisations_idx")
    .on("submissions")
    .columns(["consultation_id", "cluster_id", "status", "supporting_organisations", "supporters_count", "id"])
    .execute();
  // Distinct supporters (and their organisations) per cluster, grouped in index order.
  await db.schema
    .createIndex("supports_dashboard_cluster_idx")
    .on("supports")
    .columns(["consultation_id", "cluster_id", "user_id", "organisation_id"])
    .execute();
  // Supports per day: a range of the consultation's supports by time.
  await db.schema.createIndex("supports_dashboard_day_idx").on("supports").columns(["consultation_id", "created_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("supports_dashboard_day_idx").execute();
  await db.schema.dropIndex("supports_dashboard_cluster_idx").execute();
  await db.schema.dropIndex("submissions_organisations_idx").execute();
  await db.schema.dropIndex("submissions_dashboard_idx").execute();
}
