import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "../../db/migrate";
import { seedTaxonomy } from "../../db/seed";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makeUser } from "../support/factories";
import { setUserDigits } from "~/models/user.server";

describe(`migrations and seed (${testDialect})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.destroy();
  });

  it("runs again without applying anything", async () => {
    expect((await migrateToLatest(t)).applied).toEqual([]);
  });

  it("seeds the taxonomy in both languages, once", async () => {
    const again = await seedTaxonomy(t.db);
    expect(again).toEqual({ clusters: 0, categories: 0, stages: 0, consultationCreated: false });
    const clusters = await t.db.selectFrom("clusters").select(["slug", "name_en", "name_ur"]).orderBy("sort_order").execute();
    expect(clusters.map((c) => c.slug)).toEqual(["it", "food-processing", "surgical-instruments", "leather", "pharmaceutical"]);
    expect(clusters.every((c) => c.name_ur.length > 0)).toBe(true);
    const categories = await t.db.selectFrom("categories").select("slug").execute();
    expect(categories).toHaveLength(14);
    const stages = await t.db.selectFrom("stages").select("slug").execute();
    expect(stages).toHaveLength(8);
  });

  it("users read Urdu digits unless they chose Western ones (migration 0600)", async () => {
    const u = await makeUser(t.db);
    const digitsOf = async () => (await t.db.selectFrom("users").select("digits").where("id", "=", u.id).executeTakeFirstOrThrow()).digits;
    expect(await digitsOf()).toBe("native");
    await setUserDigits(t.db, u.id, "western");
    expect(await digitsOf()).toBe("western");
  });

  it("opens the default consultation's windows for 90 days", async () => {
    const c = await t.db.selectFrom("consultations").selectAll().where("is_active", "=", 1).executeTakeFirstOrThrow();
    expect(c.slug).toBe("sme-export-clusters");
    const days = (Date.parse(c.submission_closes_at) - Date.parse(c.submission_opens_at)) / 86_400_000;
    expect(days).toBe(90);
    expect(c.support_closes_at).toBe(c.submission_closes_at);
  });
});
