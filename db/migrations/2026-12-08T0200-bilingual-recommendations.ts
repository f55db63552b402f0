// Bilingual recommendations (issue 18, item 4; docs/decisions/0032-bilingual-recommendations.md).
// A recommendation's title, text and dissent were one version in whatever language
// the organiser wrote. Now each recommendation has an English and an Urdu version.
// The existing columns (title, text, dissent) stay the MAIN version and are never
// emptied: `language` says which language they are in (the English version whenever
// there is one), and other_title / other_text / other_dissent hold the version in the
// other language ('' = no such version). Every page, feed or email that does not
// choose a language (notifications, follows, the workbench, coverage, dashboards)
// keeps reading `title` exactly as before.
// Existing rows: their language is decided by script (Arabic-script letters outnumber
// Latin ones in title + text: Urdu), so an Urdu recommendation is not called English.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

/** "ur" when Arabic-script letters outnumber Latin ones (the same rule the app uses: app/lib/recommendation-language.ts). */
function scriptLanguage(s: string): "en" | "ur" {
  const arabic = (s.match(/[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/g) ?? []).length;
  const latin = (s.match(/[A-Za-z]/g) ?? []).length;
  return arabic > latin ? "ur" : "en";
}

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("recommendations")
    .addColumn("language", "text", (c) => c.notNull().defaultTo("en"))
    .execute();
  for (const column of ["other_title", "other_text", "other_dissent"])
    await db.schema
      .alterTable("recommendations")
      .addColumn(column, "text", (c) => c.notNull().defaultTo(""))
      .execute();
  const rows = await db.selectFrom("recommendations").select(["id", "title", "text"]).execute();
  const urdu = rows.filter((r) => scriptLanguage(`${r.title} ${r.text}`) === "ur").map((r) => Number(r.id));
  for (let i = 0; i < urdu.length; i += 500)
    await db
      .updateTable("recommendations")
      .set({ language: "ur" })
      .where("id", "in", urdu.slice(i, i + 500))
      .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ["language", "other_title", "other_text", "other_dissent"])
    await db.schema.alterTable("recommendations").dropColumn(column).execute();
}
