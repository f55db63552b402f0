// Group commit (db/group-commit.ts, ADR 0034) and the write lock waited for
// without blocking the event loop (db/client.ts beginImmediate). Supports sent
// together are all kept, each answered only once its commit is visible to
// another connection; a write that fails is undone alone. On SQLite the writes
// of one process share commits; on PostgreSQL each is its own transaction.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, SQLITE_LOCK_WAIT_MS, type DbHandle } from "../../db/client";
import { groupCommit, groupCommitStats } from "../../db/group-commit";
import { changeSupport } from "~/models/support.server";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";

let t: TestDb;
let other: DbHandle;
let submissionId: number;

const supportersOf = async (db: DbHandle, id: number) =>
  Number(
    (
      await db.db
        .selectFrom("supports")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("submission_id", "=", id)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Which of `people` support the test's suggestion, as another connection reads it (ids, ascending). */
const supportersAmong = async (people: Array<{ id: number }>) =>
  (
    await other.db
      .selectFrom("supports")
      .select("user_id")
      .where("submission_id", "=", submissionId)
      .where(
        "user_id",
        "in",
        people.map((p) => p.id),
      )
      .orderBy("user_id")
      .execute()
  ).map((r) => r.user_id);

describe(`group commit (${testDialect})`, () => {
  beforeAll(async () => {
    t = await createTestDb();
    other = createDb(t.url);
    const author = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    submissionId = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
  });
  afterAll(async () => {
    await other?.close();
    await t?.destroy();
  });

  it("keeps every one of 40 supports sent at once, each visible to another connection when it is answered", async () => {
    const people = await Promise.all(Array.from({ length: 40 }, () => makeUser(t.db)));
    const before = groupCommitStats(t.db);
    const seen: number[] = [];
    const outcomes = await Promise.all(
      people.map((p) =>
        changeSupport(t.db, { intent: "support", submissionId, userId: p.id }).then(async (outcome) => {
          // Answered: the support must already be committed (another connection reads it).
          const row = await other.db
            .selectFrom("supports")
            .select("user_id")
            .where("submission_id", "=", submissionId)
            .where("user_id", "=", p.id)
            .executeTakeFirst();
          seen.push(row ? 1 : 0);
          return outcome;
        }),
      ),
    );
    expect(outcomes.every((o) => !o.limited && o.result.ok && "changed" in o.result && o.result.changed)).toBe(true);
    expect(seen).toEqual(people.map(() => 1));
    expect(await supportersOf(other, submissionId)).toBe(40);
    const counter = await other.db
      .selectFrom("submissions")
      .select("supporters_count")
      .where("id", "=", submissionId)
      .executeTakeFirstOrThrow();
    expect(counter.supporters_count).toBe(40);
    const after = groupCommitStats(t.db);
    if (testDialect === "sqlite") {
      expect(after.writes - before.writes).toBe(40);
      // They arrived together: fewer commits than writes.
      expect(after.commits - before.commits).toBeLessThan(40);
    } else {
      expect(after).toEqual(before);
    }
  });

  it("undoes a write that fails, alone: the others of its batch are kept and it gets its error", async () => {
    const people = await Promise.all(Array.from({ length: 6 }, () => makeUser(t.db)));
    const failing = groupCommit(t.db, async (trx) => {
      await sql`insert into supports (submission_id, user_id, cluster_id, consultation_id, created_at)
        select id, ${people[0].id}, cluster_id, consultation_id, '2026-01-01T00:00:00.000Z' from submissions where id = ${submissionId}`.execute(
        trx,
      );
      throw new Error("refused after writing");
    });
    const rest = people.slice(1).map((p) => changeSupport(t.db, { intent: "support", submissionId, userId: p.id }));
    await expect(failing).rejects.toThrow("refused after writing");
    const outcomes = await Promise.all(rest);
    expect(outcomes.every((o) => !o.limited && o.result.ok)).toBe(true);
    expect(await supportersAmong(people)).toEqual(
      people
        .slice(1)
        .map((p) => p.id)
        .sort((a, b) => a - b),
    );
  });

  it("writes that arrive while a transaction waits for the write lock join it (SQLite): one commit, each kept", async () => {
    const people = await Promise.all(Array.from({ length: 11 }, () => makeUser(t.db)));
    const before = groupCommitStats(t.db);
    if (testDialect === "sqlite") {
      // Another process holds the write lock: the first support's transaction waits for it.
      other.sqlite!.exec("begin immediate");
      setTimeout(() => other.sqlite!.exec("commit"), 200);
    }
    const first = changeSupport(t.db, { intent: "support", submissionId, userId: people[0].id });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rest = people.slice(1).map((p) => changeSupport(t.db, { intent: "support", submissionId, userId: p.id }));
    const outcomes = await Promise.all([first, ...rest]);
    expect(outcomes.every((o) => !o.limited && o.result.ok && "changed" in o.result && o.result.changed)).toBe(true);
    expect(await supportersAmong(people)).toHaveLength(11);
    const after = groupCommitStats(t.db);
    if (testDialect === "sqlite") {
      expect({ commits: after.commits - before.commits, writes: after.writes - before.writes }).toEqual({ commits: 1, writes: 11 });
    } else {
      expect(after).toEqual(before);
    }
  });

  // SQLite only (PostgreSQL has no database-wide write lock): not listed at all on PostgreSQL, rather than skipped.
  if (testDialect === "sqlite") {
    it("a write lock that stays taken past the wait fails the writes waiting for it, and the next write goes through", async () => {
      const person = await makeUser(t.db);
      const waitMs = SQLITE_LOCK_WAIT_MS;
      other.sqlite!.exec("begin immediate");
      const refused = changeSupport(t.db, { intent: "support", submissionId, userId: person.id });
      const caught = refused.then(
        () => null,
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs + 300));
      other.sqlite!.exec("commit");
      expect(((await caught) as { code?: string } | null)?.code).toBe("SQLITE_BUSY");
      const outcome = await changeSupport(t.db, { intent: "support", submissionId, userId: person.id });
      expect(!outcome.limited && outcome.result.ok && "changed" in outcome.result && outcome.result.changed).toBe(true);
    }, 20_000);
  }

  it("waits for another connection's write lock with the event loop free (SQLite), or on the server (PostgreSQL)", async () => {
    const person = await makeUser(t.db);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      if (testDialect === "sqlite") {
        // Another process holds the write lock for 300 ms; only a timer can let it go.
        other.sqlite!.exec("begin immediate");
        setTimeout(() => other.sqlite!.exec("commit"), 300);
      }
      const t0 = performance.now();
      const outcome = await changeSupport(t.db, { intent: "support", submissionId, userId: person.id });
      expect(!outcome.limited && outcome.result.ok).toBe(true);
      if (testDialect === "sqlite") {
        expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
        // SQLite's own busy handler sleeps inside the call: no timer would fire, and the lock would never be let go.
        expect(ticks).toBeGreaterThan(20);
      }
      expect(await supportersOf(other, submissionId)).toBeGreaterThan(40);
    } finally {
      clearInterval(timer);
    }
  });
});
