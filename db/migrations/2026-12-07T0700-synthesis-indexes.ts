// The synthesis workbench (issue 19, ADR 0029) lists a consultation's public
// suggestions most supported first across every cluster. The existing
// indexes lead with the cluster, so without a cluster filter SQLite read
// every public suggestion of the consultation and sorted them for each page
// ("USE TEMP B-TREE FOR ORDER BY" in EXPLAIN QUERY PLAN; bench/synthesis.ts
// prints the plans). With (consultation_id, supporters_count, id) a page is a
// walk down the index that stops after its rows, the status and the other
// filters checked on the way.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex("submissions_synthesis_idx")
    .on("submissions")
    .columns(["consultation_id", "supporters_count", "id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("submissions_synthesis_idx").execute();
}
