// Browsing and full-text search of submissions (the suggestions issue):
// - random_key: a random number per submission, so the "random" sort is a
//   per-visitor rotation read through an index (docs/decisions/0007);
// - trending_score: sum of 2^((t - t0)/half-life) over supports and comments,
//   whose order equals the time-decayed order at any moment;
// - full text over search_title/search_body, which the model writes already
//   normalised (NFKC, Arabic diacritics and tatweel removed, lower case) so
//   Urdu typed with or without zer/zabar/madda matches alike: FTS5 (external
//   content, kept by triggers) on SQLite, a generated tsvector with a GIN
//   index on PostgreSQL.
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("submissions")
    .addColumn("random_key", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("submissions")
    .addColumn("trending_score", "double precision", (c) => c.notNull().defaultTo(0))
    .execute();

  // Support breadth kept with the rows (docs/decisions/0008): each support
  // records the supporter's organisation and province at the time, and the
  // submission counts the distinct ones, so list pages never aggregate supports.
  await db.schema
    .alterTable("supports")
    .addColumn("organisation_id", "integer", (c) => c.references("organisations.id"))
    .execute();
  await db.schema.alterTable("supports").addColumn("province", "text").execute();
  await db.schema.createIndex("supports_submission_org_idx").on("supports").columns(["submission_id", "organisation_id"]).execute();
  await db.schema.createIndex("supports_submission_province_idx").on("supports").columns(["submission_id", "province"]).execute();
  await db.schema
    .alterTable("submissions")
    .addColumn("supporting_organisations", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("submissions")
    .addColumn("supporting_provinces", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .alterTable("submissions")
    .addColumn("search_title", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("submissions")
    .addColumn("search_body", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  const listIndex = (name: string, column: string) =>
    db.schema.createIndex(name).on("submissions").columns(["consultation_id", "cluster_id", "status", column, "id"]).execute();
  await listIndex("submissions_random_idx", "random_key");
  await listIndex("submissions_trending_idx", "trending_score");
  await listIndex("submissions_discussed_idx", "comments_count");
  // A stable tie-break for "top" (supporters, then newest id).
  await db.schema.dropIndex("submissions_list_idx").execute();
  await listIndex("submissions_top_idx", "supporters_count");

  await db.schema.createIndex("comments_parent_idx").on("comments").column("parent_id").execute();
  await db.schema.createIndex("reports_target_idx").on("reports").columns(["target_type", "target_id", "status"]).execute();

  if (dialect === "sqlite") {
    await sql`create virtual table submissions_fts using fts5(
      search_title, search_body,
      content='submissions', content_rowid='id',
      tokenize='unicode61 remove_diacritics 2'
    )`.execute(db);
    await sql`create trigger submissions_fts_insert after insert on submissions begin
      insert into submissions_fts(rowid, search_title, search_body) values (new.id, new.search_title, new.search_body);
    end`.execute(db);
    await sql`create trigger submissions_fts_delete after delete on submissions begin
      insert into submissions_fts(submissions_fts, rowid, search_title, search_body) values ('delete', old.id, old.search_title, old.search_body);
    end`.execute(db);
    await sql`create trigger submissions_fts_update after update of search_title, search_body on submissions begin
      insert into submissions_fts(submissions_fts, rowid, search_title, search_body) values ('delete', old.id, old.search_title, old.search_body);
      insert into submissions_fts(rowid, search_title, search_body) values (new.id, new.search_title, new.search_body);
    end`.execute(db);
  } else {
    // 'simple': no stemming and no stop words, so Urdu and English words are
    // matched alike; the title weighs most.
    await sql`alter table submissions add column search tsvector generated always as (
      setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'B')
    ) stored`.execute(db);
    await sql`create index submissions_search_idx on submissions using gin (search)`.execute(db);
  }
}
