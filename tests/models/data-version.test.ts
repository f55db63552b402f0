// The database version the page cache keys on (server/page-cache.ts): it
// stays put while only reads happen, and it moves with every committed write,
// whether this connection made it or another one (another worker, the CLI,
// another instance) did. On both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../../db/client";
import { dataVersionOf, type DataVersion } from "../../server/page-cache";
import { supportSubmission } from "~/models/support.server";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";

let t: TestDb;
let other: DbHandle;
let version: DataVersion;
let submissionId: number;

describe(`dataVersionOf (${testDialect})`, () => {
  beforeAll(async () => {
    t = await createTestDb();
    other = createDb(t.url);
    version = dataVersionOf(t);
    const author = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    submissionId = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
  });
  afterAll(async () => {
    await other?.close();
    await t?.destroy();
  });

  it("stays the same while only reads happen, on either connection", async () => {
    // On PostgreSQL the snapshot belongs to the whole server: another test file
    // writing at the same moment moves it too. So: some attempt out of 20 must
    // see it unmoved (reads that moved it would fail every attempt); SQLite's is this file's alone.
    const attempts = testDialect === "postgres" ? 20 : 1;
    const unmoved: boolean[] = [];
    for (let i = 0; i < attempts && !unmoved.includes(true); i++) {
      const before = await version();
      await t.db.selectFrom("submissions").selectAll().execute();
      await other.db.selectFrom("supports").selectAll().execute();
      await other.db.transaction().execute((trx) => trx.selectFrom("users").selectAll().execute());
      unmoved.push((await version()) === before);
    }
    expect(unmoved).toContain(true);
  });

  it("moves with a write on its own connection", async () => {
    const before = await version();
    const supporter = await makeUser(t.db);
    expect(await version()).not.toBe(before);
    const between = await version();
    expect((await supportSubmission(t.db, { submissionId, userId: supporter.id })).ok).toBe(true);
    expect(await version()).not.toBe(between);
  });

  it("moves with a write committed on another connection", async () => {
    const before = await version();
    const supporter = await makeUser(other.db);
    expect(await version()).not.toBe(before);
    const between = await version();
    expect((await supportSubmission(other.db, { submissionId, userId: supporter.id })).ok).toBe(true);
    expect(await version()).not.toBe(between);
  });

  it("is not the same before and after another connection's transaction commits", async () => {
    let inside = "";
    const before = await version();
    await other.db.transaction().execute(async (trx) => {
      await trx.updateTable("submissions").set({ title: "Changed while a page renders" }).where("id", "=", submissionId).execute();
      inside = await version();
    });
    const after = await version();
    // Whatever the version said while the write was uncommitted, the committed state reads as a new one.
    expect(after).not.toBe(before);
    expect(after).not.toBe(inside);
  });
});
