// Migration 2026-12-08T0100-translations on a database that already has
// suggestions and comments: taken down and up again, it backfills
// original_language by script in id ranges (issue 18, item 1).
import { describe, expect, it } from "vitest";
import * as translations from "../../db/migrations/2026-12-08T0100-translations";
import { addComment } from "~/models/comment.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser } from "../support/factories";
import { useTestDb } from "../support/suite";

describe(`the translations migration's backfill (${testDialect})`, () => {
  const t = useTestDb();

  it("sets Urdu on the rows written mostly in Arabic script and leaves English on the others", async () => {
    const author = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    const english = await makeSubmission(t.db, { authorId: author.id, input: { cluster: "leather" } });
    const urdu = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: {
        cluster: "leather",
        title: "چمڑے کی برآمدات کے لیے ٹیکس میں چھوٹ",
        problem: "چھوٹے کارخانوں پر برآمدی ٹیکس کا بوجھ بہت زیادہ ہے۔",
        proposal: "پہلے تین سال برآمدی آمدنی پر ٹیکس کی شرح آدھی کی جائے۔",
      },
    });
    const comment = await addComment(t.db, { submissionId: urdu, authorId: author.id, body: "میں اس تجویز سے متفق ہوں۔" });
    expect(comment.ok).toBe(true);
    await translations.down(t.db as never);
    await translations.up(t.db as never, testDialect);
    const rows = await t.db
      .selectFrom("submissions")
      .select(["id", "original_language"])
      .where("id", "in", [english, urdu])
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { id: english, original_language: "en" },
      { id: urdu, original_language: "ur" },
    ]);
    const c = await t.db.selectFrom("comments").select("original_language").where("submission_id", "=", urdu).executeTakeFirstOrThrow();
    expect(c.original_language).toBe("ur");
  });
});
