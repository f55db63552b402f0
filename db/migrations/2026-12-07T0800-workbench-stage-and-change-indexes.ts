// Two indexes the synthesis workbench and the coverage page needed at national
// scale (issue 19, item 4; docs/benchmarks.md "Synthesis workbench"):
// - (consultation_id, stage, status, id): the workbench filtered by stage
//   counted its rows by reading every public suggestion's row for its stage
//   (~85,000 table reads, 200–370 ms of CPU per page on the 100,000 set); with
//   the stage in an index the count reads index entries only (under 1 ms).
//   It holds no support counter, so a support does not write it.
// - (consultation_id, updated_at): the coverage snapshot's freshness check
//   reads the newest change to a suggestion on every page view; without an
//   index that was a scan of the whole table (~200 ms per view), with it one
//   index step.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex("submissions_stage_idx").on("submissions").columns(["consultation_id", "stage", "status", "id"]).execute();
  await db.schema.createIndex("submissions_changed_idx").on("submissions").columns(["consultation_id", "updated_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("submissions_changed_idx").execute();
  await db.schema.dropIndex("submissions_stage_idx").execute();
}
