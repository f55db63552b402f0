// Translations of suggestions (issue 18, items 1–3; ADR 0031).
// - submissions.original_language, comments.original_language ('en' | 'ur'):
//   the language the text was written in, decided by script
//   (app/models/original-language.ts); set by the models on create and edit.
//   Existing rows are backfilled here in id ranges (a national data set has
//   100,000 suggestions: one range at a time keeps each statement small, and
//   only the Urdu rows are written, the default being 'en').
// - submission_translations: a moderator's translation of a suggestion's four
//   fields into the other language, one row per suggestion and language, with
//   its translator and dates; submission_translation_versions keeps every
//   version saved (the history on the moderation page).
// - translation_flags: an author's report that a translation is wrong, open
//   until a moderator saves a new version (shown in the moderators' queue).
// The translation queue (published suggestions without a translation, most
// supported first) walks submissions_synthesis_idx / submissions_cluster_idx
// and checks the translations' primary key: no new index on submissions.
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../client";
import { originalLanguageOf } from "../../app/models/original-language";

const RANGE = 5_000;

async function backfill(db: Kysely<any>, table: "submissions" | "comments", columns: string[]): Promise<void> {
  const top = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max("id").as("max"))
    .executeTakeFirst();
  const max = Number(top?.max ?? 0);
  for (let from = 1; from <= max; from += RANGE) {
    const rows: Array<Record<string, string | number | null>> = await db
      .selectFrom(table)
      .select(["id", ...columns])
      .where("id", ">=", from)
      .where("id", "<", from + RANGE)
      .execute();
    const urdu = rows.filter((r) => originalLanguageOf(...columns.map((c) => r[c] as string | null)) === "ur").map((r) => Number(r.id));
    for (let i = 0; i < urdu.length; i += 500) {
      await db
        .updateTable(table)
        .set({ original_language: "ur" })
        .where("id", "in", urdu.slice(i, i + 500))
        .execute();
    }
  }
}

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  for (const table of ["submissions", "comments"]) {
    await db.schema
      .alterTable(table)
      .addColumn("original_language", "text", (c) =>
        c
          .notNull()
          .defaultTo("en")
          .check(sql`original_language in ('en', 'ur')`),
      )
      .execute();
  }
  await backfill(db, "submissions", ["title", "problem", "proposal", "expected_impact"]);
  await backfill(db, "comments", ["body"]);

  await db.schema
    .createTable("submission_translations")
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("language", "text", (c) => c.notNull().check(sql`language in ('en', 'ur')`))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("problem", "text", (c) => c.notNull())
    .addColumn("proposal", "text", (c) => c.notNull())
    .addColumn("expected_impact", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("translator_id", "integer", (c) => c.references("users.id"))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("submission_translations_pk", ["submission_id", "language"])
    .execute();

  await db.schema
    .createTable("submission_translation_versions")
    .addColumn("id", "integer", (c) =>
      _dialect === "postgres" ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("language", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("problem", "text", (c) => c.notNull())
    .addColumn("proposal", "text", (c) => c.notNull())
    .addColumn("expected_impact", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("translator_id", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("submission_translation_versions_idx")
    .on("submission_translation_versions")
    .columns(["submission_id", "id"])
    .execute();

  await db.schema
    .createTable("translation_flags")
    .addColumn("id", "integer", (c) =>
      _dialect === "postgres" ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("language", "text", (c) => c.notNull())
    .addColumn("user_id", "integer", (c) => c.references("users.id"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("open")
        .check(sql`status in ('open', 'resolved')`),
    )
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("resolved_at", "text")
    .execute();
  await db.schema.createIndex("translation_flags_status_idx").on("translation_flags").columns(["status", "created_at"]).execute();
  await db.schema.createIndex("translation_flags_submission_idx").on("translation_flags").columns(["submission_id", "status"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("translation_flags").execute();
  await db.schema.dropTable("submission_translation_versions").execute();
  await db.schema.dropTable("submission_translations").execute();
  for (const table of ["comments", "submissions"]) await db.schema.alterTable(table).dropColumn("original_language").execute();
}
