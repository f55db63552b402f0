// The demo/benchmark data generator (db:seed --demo): the same seed gives the
// same rows, and the counters it sets in batches equal the rows it wrote.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertBatches, seedDemo } from "../../server/demo-seed";
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

  it("lets timers run between its chunks (the progress bar redraws on one), on SQLite too", async () => {
    const c = await createTestDb();
    try {
      await sql`create table seed_probe (n integer not null)`.execute(c.db);
      const rows = Array.from({ length: 50_000 }, (_, n) => ({ n }));
      let fired = 0;
      let ticks = 0;
      const timer = setInterval(() => fired++, 0);
      await insertBatches(c, "seed_probe", rows, { start: () => {}, tick: () => ticks++, stop: () => {} }, 100);
      clearInterval(timer);
      expect(ticks).toBe(500);
      // Five chunks of 10,000 rows: the timer gets a turn after each (synchronous SQLite gave it none).
      expect(fired).toBeGreaterThanOrEqual(4);
      const { rows: counted } = await sql<{ n: number | string }>`select count(*) as n from seed_probe`.execute(c.db);
      expect(Number(counted[0].n)).toBe(50_000);
    } finally {
      await c.destroy();
    }
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
         or s.supporting_organisations <> (select count(distinct p.organisation_id) from supports p where p.submission_id = s.id)`.execute(
      a.db,
    );
    expect(Number(rows[0].n)).toBe(0);
    const total = await a.db
      .selectFrom("supports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(total.n)).toBe(3000);
    const titles = await a.db.selectFrom("submissions").select("title").execute();
    expect(titles.some((t) => /[\u0600-\u06FF]/.test(t.title))).toBe(true);
  });
});
