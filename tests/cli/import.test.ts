// `npm run cli -- import:submissions FILE.csv [--dry-run]`: the same checks as
// the page, exit 0 with what was imported, exit 1 with each bad row by line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { importCsv, importRow } from "../support/import-csv";

// Each command starts a fresh Node process with tsx: allow for a busy machine.
describe(`import:submissions (${testDialect})`, { timeout: 120_000 }, () => {
  let t: TestDb;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mashwara-import-"));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t?.destroy();
  });

  const writeFile = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const count = async (table: "submissions" | "organisations" | "submission_events") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const counts = async () => ({
    submissions: await count("submissions"),
    organisations: await count("organisations"),
    events: await count("submission_events"),
  });

  it("a good file: exit 0, 'imported N suggestions (pending)', the rows pending with source import", async () => {
    const rows = [
      importRow({ organisation: `Sialkot Glove Makers ${Date.now()}` }),
      importRow({ title: "قصور میں چمڑے کی مشترکہ فنشنگ یونٹ" }),
    ];
    const file = writeFile("good.csv", importCsv(rows, { bom: true, newline: "\r\n" }));
    const before = await counts();
    const r = await cli(t.url, "import:submissions", file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("imported 2 suggestions (pending)");
    expect(await counts()).toMatchObject({ submissions: before.submissions + 2, events: before.events + 2 });
    const imported = await t.db
      .selectFrom("submissions")
      .select(["title", "status", "source", "author_id"])
      .orderBy("id", "desc")
      .limit(2)
      .execute();
    expect(imported.reverse()).toEqual(rows.map((row) => ({ title: row.title, status: "pending", source: "import", author_id: null })));
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "submission.import")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: null, actor_role: "operator", target_id: "good.csv" });
  });

  it("--dry-run: exit 0, 'dry run: N rows valid, nothing imported', nothing written", async () => {
    const file = writeFile("check.csv", importCsv([importRow(), importRow(), importRow()]));
    const before = await counts();
    const r = await cli(t.url, "import:submissions", file, "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("dry run: 3 rows valid, nothing imported");
    expect(await counts()).toEqual(before);
  });

  it("a bad file: exit 1 naming each bad row by line and field, nothing written", async () => {
    const text = importCsv([
      importRow(),
      importRow({ problem: "A problem that spans\ntwo lines, which is fine" }),
      importRow({ title: "Too short", stage: "tanning" }),
    ]);
    const file = writeFile("bad.csv", text);
    const before = await counts();
    const r = await cli(t.url, "import:submissions", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("line 5: title: Use at least 10 characters.");
    expect(r.stderr).toMatch(/line 5: stage: .*stage/);
    expect(r.stderr).not.toMatch(/line [234]:/);
    expect(r.stdout).toBe("");
    expect(await counts()).toEqual(before);
  });

  it("a file that is missing or not a workshop CSV: exit 1 with the reason", async () => {
    const missing = await cli(t.url, "import:submissions", path.join(dir, "no-such-file.csv"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*no-such-file\.csv/);
    const wrong = await cli(t.url, "import:submissions", writeFile("wrong.csv", "name;email\nAyesha;a@example.pk\n"));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("line 1: The columns must be separated by commas");
  });
});
