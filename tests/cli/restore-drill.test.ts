// The restore drill of docs/operations.md, performed: back up a serving
// instance, restore the backup into a fresh database, start a new instance on
// it and read a known suggestion over HTTP. On SQLite with `db:backup` (while
// the first instance serves); on PostgreSQL with pg_dump and pg_restore
// (Debian's wrappers on PATH, or /usr/lib/postgresql/15/bin), which must be
// installed: a PostgreSQL run never passes without them.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyDatabase, createTestDb, testDialect, type TestDb } from "../support/db";
import { cli } from "../support/cli";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { startServer, type RunningServer } from "../support/server";

const run = promisify(execFile);

/** pg_dump / pg_restore: on PATH, else PostgreSQL 15's own directory. */
function pgTool(name: "pg_dump" | "pg_restore"): string {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/lib/postgresql/15/bin"]) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found on PATH nor in /usr/lib/postgresql/15/bin: install postgresql-client-15`);
}

describe(`restore drill (${testDialect})`, () => {
  let t: TestDb;
  let dir: string;
  let kept: { id: number; title: string };
  let later: number;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    t = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-drill-"));
    const moderator = await makeUser(t.db, { role: "moderator" });
    const author = await makeUser(t.db);
    kept = { title: "Restore drill: bonded warehouse for surgical steel", id: 0 };
    kept.id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: kept.title } });

    // The instance serving while the backup is taken.
    const serving = await startServer({ databaseUrl: t.url });
    cleanups.push(() => serving.stop());
    expect((await fetch(`${serving.url}/submissions/${kept.id}`)).status).toBe(200);
    if (testDialect === "sqlite") {
      const backup = await cli(t.url, "db:backup", path.join(dir, "drill.sqlite"));
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toMatch(/integrity ok/);
    } else {
      await run(pgTool("pg_dump"), ["-Fc", "-f", path.join(dir, "drill.dump"), t.url]);
    }
    // Written after the backup: must not be in the restored database.
    later = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Written after the backup was taken" },
    });
    expect(await serving.stop()).toBe(0);
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await t?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("restores into a fresh database; a new instance on it serves the suggestion written before the backup, not the one after", async () => {
    const fresh = await createEmptyDatabase();
    cleanups.push(() => fresh.drop());
    if (testDialect === "sqlite") {
      // As the guide says: the backup file in place of the database, and no -wal or -shm beside it.
      fs.copyFileSync(path.join(dir, "drill.sqlite"), fresh.url);
      expect(fs.existsSync(`${fresh.url}-wal`)).toBe(false);
    } else {
      await run(pgTool("pg_restore"), ["--no-owner", "--exit-on-error", "-d", fresh.url, path.join(dir, "drill.dump")]);
    }
    const migrate = await cli(fresh.url, "db:migrate");
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain("already up to date");

    let restored: RunningServer | undefined;
    try {
      restored = await startServer({ databaseUrl: fresh.url });
      const page = await fetch(`${restored.url}/submissions/${kept.id}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(kept.title);
      expect((await fetch(`${restored.url}/submissions/${later}`)).status).toBe(404);
      expect((await fetch(`${restored.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await restored?.stop()).toBe(0);
    }
  });
});
