// A suggestion's comments are paged by top-level thread (newest threads first,
// `?comments=N` on /submissions/:id). Without this index the page query on the
// national data set (200,000 comments) walks comments_parent_idx over every
// top-level comment of every suggestion for `parent_id IS NULL ORDER BY id
// DESC` (26–70 ms a page, worse the older the suggestion's comments); with it
// both the page and the "which page holds this comment" count are a range of
// one suggestion's top-level comments (under 1 ms). See docs/benchmarks.md
// "Comment pages".
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex("comments_thread_idx").on("comments").columns(["submission_id", "parent_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("comments_thread_idx").execute();
}
