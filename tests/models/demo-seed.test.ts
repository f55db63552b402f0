// The demo/benchmark data generator (db:seed --demo): the same seed gives the
// same rows, and the counters it sets in batches equal the rows it wrote.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../server/demo-seed";
import { createTestDb, type TestDb } from "../support/db";

let a: TestDb;
let b: TestDb;
const now = new Date("2026-11-20T10:00:00Z");

async function fingerprint(db: TestDb) {
  const subs = await db.db
    .selectFrom("submissions")
    .select(["title", "status", "supporters_count", "supporting_organisations", "supporting_provinces", "comments_count"])
    .orderBy("id")
    .execute();
  return subs.map((s) => Object.values(s).map(String).join("|")).join("\n");
}

describe("seedDemo", () => {
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDb(), createTestDb()]);
    await seedDemo(a, { size: "small", seed: 7, now });
    await seedDemo(b, { size: "small", seed: 7, now });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.destroy(), b?.destroy()]);
  });

  it("gives the same rows for the same seed", async () => {
    const fa = await fingerprint(a);
    expect(fa.split("\n")).toHaveLength(300);
    expect(fa).toBe(await fingerprint(b));
  });

  it("sets every counter to what the rows say, and writes some Urdu", async () => {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from submissions s
      where s.supporters_count <> (select count(*) from supports p where p.submission_id = s.id)
         or s.comments_count <> (select count(*) from comments c where c.submission_id = s.id)
         or s.supporting_organisations <> (select count(distinct p.organisation_id) from supports p where p.submission_id = s.id)`.execute(a.db);
    expect(Number(rows[0].n)).toBe(0);
    const total = await a.db.selectFrom("supports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(total.n)).toBe(3000);
    const titles = await a.db.selectFrom("submissions").select("title").execute();
    expect(titles.some((t) => /[\u0600-\u06FF]/.test(t.title))).toBe(true);
  });
});
