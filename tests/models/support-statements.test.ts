// The support button's statements (ADR 0035) and its locking under concurrency.
// On PostgreSQL every statement is a round trip: a support and a withdrawal
// through changeSupport run BEGIN, three statements and COMMIT (they ran 9 and
// 8: the rate-limit count, two row-lock updates, the load, the write, the
// counters, the follow, each alone). On SQLite (group commit, ADR 0034)
// nothing changed; the count is held where it was. The three are prepared once
// per connection on PostgreSQL (PREPARE, db/client.ts). Then the rules that the
// merged statements must keep when requests meet: people of one organisation
// and one province supporting one suggestion at once, one person sending the
// same support twice or a support and its withdrawal at once, and the
// per-cluster budget.
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../../db/client";
import { countSupportBreadth, getSupportBreadth } from "~/models/submission.server";
import { changeSupport } from "~/models/support.server";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { approveJoin, makePublishedSubmission, makeUser, type MadeUser, organisationIn } from "../support/factories";

/** Statements per call, BEGIN and COMMIT included: PostgreSQL after ADR 0035; SQLite as ADR 0034 left it. */
const MOST = {
  postgres: { support: 5, withdraw: 5, limited: 3 },
  // pragma busy_timeout = 0, begin immediate, pragma busy_timeout, savepoint, count, load, insert, counters, follow, release, commit
  sqlite: { support: 11, withdraw: 10, limited: 7 },
} as const;

describe(`the support button's statements and locking (${testDialect})`, () => {
  let t: TestDb;
  let counted: DbHandle;
  const statements: string[] = [];
  let author: MadeUser;
  let moderator: MadeUser;
  let consultationId: number;
  let budget: number;

  beforeAll(async () => {
    t = await createTestDb();
    counted = createDb(t.url, { poolSize: 4, onStatement: (s) => statements.push(s) });
    author = await makeUser(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
    const c = await t.db.selectFrom("consultations").select(["id", "support_budget"]).where("is_active", "=", 1).executeTakeFirstOrThrow();
    consultationId = c.id;
    budget = c.support_budget;
  });
  afterEach(async () => {
    await t.db.updateTable("consultations").set({ support_budget: budget }).where("id", "=", consultationId).execute();
  });
  afterAll(async () => {
    await counted?.close();
    await t?.destroy();
  });

  const published = (title?: string) =>
    makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: title ? { title } : undefined });
  const stored = async (id: number) => (await getSupportBreadth(t.db, [id])).get(id);
  const statementsOf = async <T>(work: () => Promise<T>) => {
    statements.length = 0;
    const value = await work();
    return { value, statements: statements.map((s) => s.trim().split(/\s+/)[0].toLowerCase()) };
  };

  it("a support and a withdrawal each run BEGIN, three statements and COMMIT on PostgreSQL (SQLite as before)", async () => {
    const id = await published();
    const person = await makeUser(t.db);
    const support = await statementsOf(() => changeSupport(counted.db, { intent: "support", submissionId: id, userId: person.id }));
    expect(support.value).toMatchObject({ limited: false, result: { ok: true, changed: true, supporters: 1 } });
    const withdraw = await statementsOf(() => changeSupport(counted.db, { intent: "withdraw", submissionId: id, userId: person.id }));
    expect(withdraw.value).toMatchObject({ limited: false, result: { ok: true, changed: true, supporters: 0 } });
    if (testDialect === "postgres") {
      // the count and the person's lock; the load and the suggestion's lock; the write with its counters (and follow)
      expect(support.statements).toEqual(["begin", "with", "select", "with", "commit"]);
      expect(withdraw.statements).toEqual(["begin", "with", "select", "with", "commit"]);
    }
    expect(support.statements.length).toBeLessThanOrEqual(MOST[testDialect].support);
    expect(withdraw.statements.length).toBeLessThanOrEqual(MOST[testDialect].withdraw);
    // What the merged statements wrote: no row, counters back to nothing, and the follow the support added stays.
    expect(await stored(id)).toEqual({ supporters: 0, organisations: 0, provinces: 0 });
    const follow = await t.db
      .selectFrom("follows")
      .select(["following", "origin"])
      .where("user_id", "=", person.id)
      .where("target_type", "=", "submission")
      .where("target_id", "=", id)
      .executeTakeFirst();
    expect(follow).toEqual({ following: 1, origin: "supporter" });
  });

  it("prepares the support's three statements once per connection on PostgreSQL (marked, a comment on SQLite)", async () => {
    const id = await published();
    const person = await makeUser(t.db);
    const one = createDb(t.url, { poolSize: 1 });
    try {
      const support = await statementsOf(() => changeSupport(counted.db, { intent: "support", submissionId: id, userId: person.id }));
      expect(support.value).toMatchObject({ limited: false, result: { ok: true, changed: true } });
      // PostgreSQL: the count with the person's lock, the load, the write, each marked; SQLite runs the load only of those
      expect(statements.filter((s) => s.includes("/* prepare */"))).toHaveLength(testDialect === "postgres" ? 3 : 1);
      await changeSupport(one.db, { intent: "withdraw", submissionId: id, userId: person.id });
      await changeSupport(one.db, { intent: "support", submissionId: id, userId: person.id });
      if (testDialect === "postgres") {
        // the pool's one connection: the count, the load, the delete and the insert, each prepared once
        const prepared = await sql<{ name: string }>`select name from pg_prepared_statements where name like 'm\_%'`.execute(one.db);
        expect(prepared.rows).toHaveLength(4);
      }
      expect(await changeSupport(one.db, { intent: "withdraw", submissionId: id, userId: person.id })).toMatchObject({
        limited: false,
        result: { ok: true, changed: true, supporters: 0 },
      });
      if (testDialect === "postgres")
        expect((await sql`select name from pg_prepared_statements where name like 'm\_%'`.execute(one.db)).rows).toHaveLength(4);
      expect(await stored(id)).toEqual({ supporters: 0, organisations: 0, provinces: 0 });
      expect(await countSupportBreadth(t.db, id)).toEqual(await stored(id));
    } finally {
      await one.close();
    }
  });

  it("supporting what one already supports and withdrawing what one does not support write nothing but the rate-limit count", async () => {
    const id = await published();
    const person = await makeUser(t.db);
    await changeSupport(t.db, { intent: "support", submissionId: id, userId: person.id });
    const again = await statementsOf(() => changeSupport(counted.db, { intent: "support", submissionId: id, userId: person.id }));
    expect(again.value).toMatchObject({ limited: false, result: { ok: true, changed: false, supporters: 1 } });
    const other = await makeUser(t.db);
    const none = await statementsOf(() => changeSupport(counted.db, { intent: "withdraw", submissionId: id, userId: other.id }));
    expect(none.value).toMatchObject({ limited: false, result: { ok: true, changed: false, supporters: 1 } });
    if (testDialect === "postgres") {
      expect(again.statements).toEqual(["begin", "with", "select", "commit"]);
      expect(none.statements).toEqual(["begin", "with", "select", "commit"]);
    }
    expect(await stored(id)).toEqual({ supporters: 1, organisations: 1, provinces: 1 });
  });

  it("a limited attempt runs only its count: BEGIN, one statement, COMMIT on PostgreSQL", async () => {
    const id = await published();
    const person = await makeUser(t.db);
    // 300 an hour: fill the person's current bucket.
    const bucket = Math.floor(Date.now() / 3_600_000);
    await t.db
      .insertInto("rate_limits")
      .values({ key: `support-user:${person.id}`, bucket, count: 300, expires_at: new Date((bucket + 2) * 3_600_000).toISOString() })
      .execute();
    const limited = await statementsOf(() => changeSupport(counted.db, { intent: "support", submissionId: id, userId: person.id }));
    expect(limited.value).toMatchObject({ limited: true });
    if (testDialect === "postgres") expect(limited.statements).toHaveLength(3);
    expect(limited.statements.length).toBeLessThanOrEqual(MOST[testDialect].limited);
    expect(await stored(id)).toEqual({ supporters: 0, organisations: 0, provinces: 0 });
  });

  it("people of one organisation and one province supporting and withdrawing one suggestion at once keep every counter equal to a recount", async () => {
    const id = await published();
    const first = await makeUser(t.db, { organisation: organisationIn("sindh", "2345678-9") });
    const colleagues = [first];
    for (let i = 0; i < 5; i++)
      colleagues.push(await approveJoin(t.db, await makeUser(t.db, { organisation: organisationIn("sindh", "2345678-9") }), first));
    const sameProvince = [
      await makeUser(t.db, { organisation: organisationIn("sindh") }),
      await makeUser(t.db, { organisation: organisationIn("sindh") }),
    ];
    const people = [...colleagues, ...sameProvince];
    for (let round = 0; round < 3; round++) {
      const supported = await Promise.all(people.map((p) => changeSupport(t.db, { intent: "support", submissionId: id, userId: p.id })));
      expect(supported.every((o) => !o.limited && o.result.ok && o.result.changed)).toBe(true);
      expect(await stored(id)).toEqual({ supporters: 8, organisations: 3, provinces: 1 });
      expect(await countSupportBreadth(t.db, id)).toEqual(await stored(id));
      // All of one organisation's withdraw at once, with repeated supports of the others.
      const mixed = await Promise.all(
        people.map((p, i) =>
          changeSupport(t.db, { intent: i < colleagues.length ? "withdraw" : "support", submissionId: id, userId: p.id }),
        ),
      );
      expect(mixed.every((o) => !o.limited && o.result.ok)).toBe(true);
      expect(await stored(id)).toEqual({ supporters: 2, organisations: 2, provinces: 1 });
      expect(await countSupportBreadth(t.db, id)).toEqual(await stored(id));
      await Promise.all(sameProvince.map((p) => changeSupport(t.db, { intent: "withdraw", submissionId: id, userId: p.id })));
      expect(await stored(id)).toEqual({ supporters: 0, organisations: 0, provinces: 0 });
    }
  });

  it("one person sending a support twice, or a support and its withdrawal at once: at most one row, the counters equal to it", async () => {
    const id = await published();
    const person = await makeUser(t.db);
    const twice = await Promise.all(
      Array.from({ length: 8 }, () => changeSupport(t.db, { intent: "support", submissionId: id, userId: person.id })),
    );
    expect(twice.filter((o) => !o.limited && o.result.ok && o.result.changed)).toHaveLength(1);
    expect(await stored(id)).toEqual({ supporters: 1, organisations: 1, provinces: 1 });
    for (let round = 0; round < 5; round++) {
      const both = await Promise.all(
        (["withdraw", "support", "withdraw", "support"] as const).map((intent) =>
          changeSupport(t.db, { intent, submissionId: id, userId: person.id }),
        ),
      );
      expect(both.every((o) => !o.limited && o.result.ok)).toBe(true);
      const rows = await t.db.selectFrom("supports").select("user_id").where("submission_id", "=", id).execute();
      expect(rows.length).toBeLessThanOrEqual(1);
      expect(await stored(id)).toEqual(await countSupportBreadth(t.db, id));
      expect((await stored(id))?.supporters).toBe(rows.length);
    }
  });

  it("keeps to the per-cluster budget when one person's supports arrive at once through the button", async () => {
    await t.db.updateTable("consultations").set({ support_budget: 2 }).where("id", "=", consultationId).execute();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await published(`Budget through the button, suggestion ${i} on leather`));
    const person = await makeUser(t.db);
    const outcomes = await Promise.all(ids.map((id) => changeSupport(t.db, { intent: "support", submissionId: id, userId: person.id })));
    expect(outcomes.filter((o) => !o.limited && o.result.ok && o.result.changed)).toHaveLength(2);
    expect(outcomes.filter((o) => !o.limited && !o.result.ok && o.result.reason === "budgetSpent")).toHaveLength(4);
    const mine = await t.db.selectFrom("supports").select("submission_id").where("user_id", "=", person.id).execute();
    expect(mine).toHaveLength(2);
  });
});
