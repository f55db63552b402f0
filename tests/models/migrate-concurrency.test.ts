// Two app instances starting at once on one fresh database: both
// migrate and seed, and the result is one schema and one seed. Tried twice:
// with independent handles in this process, and with separate processes
// (tests/models/helpers/start-instance.ts), which is how instances really run.
import { execFile } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { createDb, type DbHandle } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { getMigrations } from "../../db/migrations/index";
import { seedTaxonomy, type SeedOutcome } from "../../db/seed";
import { createEmptyDatabase, testDialect } from "../support/db";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A fresh empty database and `n` independent handles on it (as `n` app instances would open). */
async function freshDatabase(n: number): Promise<{ url: string; handles: DbHandle[] }> {
  const { url, drop } = await createEmptyDatabase();
  const handles = Array.from({ length: n }, () => createDb(url, { poolSize: 4 }));
  cleanups.push(async () => {
    for (const h of handles) await h.close();
    await drop();
  });
  return { url, handles };
}

interface InstanceOutcome {
  ok: boolean;
  applied?: string[];
  seed?: SeedOutcome;
  error?: string;
  code?: string | null;
}

const TSX = path.resolve("node_modules/.bin/tsx");
const INSTANCE = path.resolve("tests/models/helpers/start-instance.ts");

/** Runs `n` processes that all begin `step` at the same moment. */
function runInstances(url: string, step: "migrate" | "seed" | "start", n: number): Promise<InstanceOutcome[]> {
  // far enough ahead that every process has loaded before it
  const startAt = String(Date.now() + 4_000);
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<InstanceOutcome>((resolve, reject) => {
          execFile(TSX, [INSTANCE, url, step, startAt], { timeout: 90_000 }, (error, stdout, stderr) => {
            const line = stdout.trim().split("\n").pop() ?? "";
            try {
              resolve(JSON.parse(line) as InstanceOutcome);
            } catch {
              reject(new Error(`instance gave no outcome (${error?.message ?? "no error"}): ${stdout} ${stderr}`));
            }
          });
        }),
    ),
  );
}

async function count(h: DbHandle, table: "clusters" | "categories" | "stages" | "consultations"): Promise<number> {
  const r = await h.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function expectOneSeed(h: DbHandle) {
  expect(await count(h, "clusters")).toBe(5);
  expect(await count(h, "categories")).toBe(14);
  expect(await count(h, "stages")).toBe(8);
  expect(await count(h, "consultations")).toBe(1);
  const active = await h.db.selectFrom("consultations").select(["slug", "is_active"]).where("is_active", "=", 1).execute();
  expect(active).toEqual([{ slug: "sme-export-clusters", is_active: 1 }]);
}

async function appliedMigrations(h: DbHandle): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(h.db);
  return r.rows.map((row) => row.name);
}

const MIGRATIONS = Object.keys(getMigrations(testDialect)).sort();

describe(`concurrent start-up (${testDialect})`, () => {
  // On SQLite, Kysely runs migrations without a transaction and without a lock
  // (SqliteAdapter.supportsTransactionalDdl is false, acquireMigrationLock does
  // nothing), so both instances see "nothing applied" and the second fails with
  // 'table "clusters" already exists'. db/migrate.ts: see the report.
  it("two handles migrating at once both succeed and the schema exists once", async () => {
    const { handles } = await freshDatabase(2);
    const [a, b] = handles as [DbHandle, DbHandle];
    expect(MIGRATIONS.length).toBeGreaterThan(0);

    const outcomes = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
    // every migration was applied by exactly one of them
    expect([...outcomes[0].applied, ...outcomes[1].applied].sort()).toEqual(MIGRATIONS);
    expect(await appliedMigrations(a)).toEqual(MIGRATIONS);

    // the schema is there and usable from both handles
    for (const h of [a, b]) {
      expect(await h.db.selectFrom("users").select("id").execute()).toEqual([]);
      expect(await h.db.selectFrom("rate_limits").select("key").execute()).toEqual([]);
    }
    // and running again (either instance) applies nothing
    expect((await migrateToLatest(a)).applied).toEqual([]);
    expect((await migrateToLatest(b)).applied).toEqual([]);
  }, 120_000);

  it("three processes migrating at once all succeed and the schema exists once", async () => {
    const { url, handles } = await freshDatabase(1);
    const outcomes = await runInstances(url, "migrate", 3);
    expect(outcomes.map((o) => o.error ?? "ok")).toEqual(["ok", "ok", "ok"]);
    expect(outcomes.flatMap((o) => o.applied ?? []).sort()).toEqual(MIGRATIONS);
    expect(await appliedMigrations(handles[0]!)).toEqual(MIGRATIONS);
    expect((await migrateToLatest(handles[0]!)).applied).toEqual([]);
  }, 120_000);

  it("seedTaxonomy twice at once leaves 5 clusters and exactly one active consultation", async () => {
    const { handles } = await freshDatabase(2);
    await migrateToLatest(handles[0]!);
    // On PostgreSQL: two pools, as two instances. On SQLite both calls share one
    // handle: two better-sqlite3 connections in one thread cannot wait for each
    // other (the busy wait blocks the event loop the other one needs); separate
    // processes are covered by the next test.
    const [a, b] = testDialect === "postgres" ? handles : [handles[0]!, handles[0]!];
    const now = new Date("2026-12-01T00:00:00.000Z");
    const outcomes = await Promise.all([seedTaxonomy(a!.db, now), seedTaxonomy(b!.db, now)]);
    expect(outcomes.map((o) => o.clusters).reduce((x, y) => x + y, 0)).toBe(5);
    expect(outcomes.map((o) => o.categories).reduce((x, y) => x + y, 0)).toBe(14);
    expect(outcomes.map((o) => o.stages).reduce((x, y) => x + y, 0)).toBe(8);
    expect(outcomes.filter((o) => o.consultationCreated)).toHaveLength(1);
    await expectOneSeed(handles[1]!);
  });

  it("two processes seeding at once leave 5 clusters and exactly one active consultation", async () => {
    const { url, handles } = await freshDatabase(1);
    await migrateToLatest(handles[0]!);
    const outcomes = await runInstances(url, "seed", 2);
    expect(outcomes.map((o) => o.error ?? "ok")).toEqual(["ok", "ok"]);
    expect(outcomes.map((o) => o.seed!.clusters).reduce((x, y) => x + y, 0)).toBe(5);
    expect(outcomes.filter((o) => o.seed!.consultationCreated)).toHaveLength(1);
    await expectOneSeed(handles[0]!);
  }, 120_000);

  it("three processes starting at once (migrate, then seed) end in one schema and one seed", async () => {
    const { url, handles } = await freshDatabase(1);
    const outcomes = await runInstances(url, "start", 3);
    expect(outcomes.map((o) => o.error ?? "ok")).toEqual(["ok", "ok", "ok"]);
    expect(outcomes.flatMap((o) => o.applied ?? []).sort()).toEqual(MIGRATIONS);
    expect(outcomes.filter((o) => o.seed!.consultationCreated)).toHaveLength(1);
    expect(await appliedMigrations(handles[0]!)).toEqual(MIGRATIONS);
    await expectOneSeed(handles[0]!);
    const slugs = await handles[0]!.db.selectFrom("clusters").select("slug").orderBy("sort_order").execute();
    expect(slugs.map((s) => s.slug)).toEqual(["it", "food-processing", "surgical-instruments", "leather", "pharmaceutical"]);
  }, 120_000);

  it("seeding keeps an admin's renames and never adds a second active consultation", async () => {
    const a = (await freshDatabase(1)).handles[0];
    await migrateToLatest(a!);
    await seedTaxonomy(a!.db);
    await a!.db.updateTable("clusters").set({ name_en: "Leather goods" }).where("slug", "=", "leather").execute();
    // an admin made another consultation the active one
    await a!.db.updateTable("consultations").set({ is_active: 0 }).execute();
    const iso = new Date().toISOString();
    await a!.db
      .insertInto("consultations")
      .values({
        slug: "second-round",
        title_en: "Second round",
        title_ur: "دوسرا دور",
        description_en: "",
        description_ur: "",
        is_active: 1,
        submission_opens_at: iso,
        submission_closes_at: iso,
        support_opens_at: iso,
        support_closes_at: iso,
        support_budget: 0,
        allow_self_support: 0,
        reports_to_hide: 3,
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    expect(await seedTaxonomy(a!.db)).toEqual({ clusters: 0, categories: 0, stages: 0, consultationCreated: false });
    const leather = await a!.db.selectFrom("clusters").select("name_en").where("slug", "=", "leather").executeTakeFirstOrThrow();
    expect(leather.name_en).toBe("Leather goods");
    const active = await a!.db.selectFrom("consultations").select("slug").where("is_active", "=", 1).execute();
    expect(active).toEqual([{ slug: "second-round" }]);
  });

  it("the database allows only one active consultation", async () => {
    const a = (await freshDatabase(1)).handles[0];
    await migrateToLatest(a!);
    await seedTaxonomy(a!.db);
    const iso = new Date().toISOString();
    const insert = a!.db
      .insertInto("consultations")
      .values({
        slug: "rogue",
        title_en: "Rogue",
        title_ur: "—",
        description_en: "",
        description_ur: "",
        is_active: 1,
        submission_opens_at: iso,
        submission_closes_at: iso,
        support_opens_at: iso,
        support_closes_at: iso,
        support_budget: 0,
        allow_self_support: 0,
        reports_to_hide: 3,
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    await expect(insert).rejects.toThrow();
    expect(await count(a!, "consultations")).toBe(1);
  });
});
