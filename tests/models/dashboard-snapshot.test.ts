// The dashboard snapshot (ADR 0017) on a real migrated database: its figures
// are exactly the database's at its "as of" time; within a minute a view shows
// that snapshot (and says when it was read); after a minute, or on a refresh
// older than a few seconds, the figures are read again and equal the rows
// (after a support, after a merge); ten views at once compute it once; and the
// computation lets the event loop turn between its queries.
import { beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_MAX_AGE_MS, DASHBOARD_MIN_REFRESH_MS, getDashboardSnapshot } from "~/models/dashboard-snapshot.server";
import { getDashboard } from "~/models/dashboard.server";
import { mergeSubmission } from "~/models/moderation.server";
import { supportSubmission } from "~/models/support.server";
import { listClusters } from "~/models/taxonomy.server";
import { createTestDb, testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";

describe(`organiser dashboard snapshot (${testDialect})`, () => {
  const t = useTestDb();
  let mod: MadeUser;
  let author: MadeUser;
  let consultationId: number;
  let clusterIds: number[];
  let leather: number;
  let taxRelief: number;
  let s1: number;
  let s2: number;

  beforeAll(async () => {
    mod = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    s1 = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: mod.id,
      input: { title: "Bonded warehouses for tanneries" },
      categories: ["tax-relief"],
    });
    s2 = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: mod.id,
      input: { title: "Bonded warehouses for all tanneries" },
      categories: ["tax-relief"],
    });
    const clusters = await listClusters(t.db);
    clusterIds = clusters.map((c) => c.id);
    leather = clusters.find((c) => c.slug === "leather")!.id;
    taxRelief = (await t.db.selectFrom("categories").select("id").where("slug", "=", "tax-relief").executeTakeFirstOrThrow()).id;
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
  });

  const cell = (d: Awaited<ReturnType<typeof getDashboard>>) => d.matrix.find((m) => m.clusterId === leather && m.categoryId === taxRelief);
  const at = (t0: Date, ms: number) => new Date(t0.getTime() + ms);
  /** The same figures read from the database now, with the snapshot's window. */
  const fresh = (now: Date) => getDashboard(t.db, { consultationId, clusterIds, now });

  it("keeps its figures and time for a minute, then reads them again: after a support they equal the rows", async () => {
    const t0 = new Date(Date.now() + 1_000_000); // a time of its own, so no other test's snapshot is reused
    const first = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: t0 });
    expect(first.asOf).toBe(t0.toISOString());
    expect(first.dashboard).toEqual(await fresh(t0));
    expect(cell(first.dashboard)).toMatchObject({ submissions: 2, supporters: 0 });

    const supporter = await makeUser(t.db);
    expect((await supportSubmission(t.db, { submissionId: s1, userId: supporter.id })).ok).toBe(true);

    // Within the minute: the same snapshot, and it says when it was read.
    const within = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: at(t0, DASHBOARD_MAX_AGE_MS - 1) });
    expect(within.asOf).toBe(t0.toISOString());
    expect(cell(within.dashboard)).toMatchObject({ submissions: 2, supporters: 0 });

    // Once the minute has passed: read again, exactly the rows.
    const t1 = at(t0, DASHBOARD_MAX_AGE_MS);
    const after = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: t1 });
    expect(after.asOf).toBe(t1.toISOString());
    expect(after.dashboard).toEqual(await fresh(t1));
    expect(cell(after.dashboard)).toMatchObject({ submissions: 2, supporters: 1, organisations: 1 });
    expect(after.dashboard.participation.byCluster.find((p) => p.key === String(leather))).toEqual({
      key: String(leather),
      supporters: 1,
      organisations: 1,
    });
    const supportsToday = after.dashboard.perDay.reduce((sum, p) => sum + p.supports, 0);
    const rows = await t.db
      .selectFrom("supports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("consultation_id", "=", consultationId)
      .executeTakeFirstOrThrow();
    expect(supportsToday).toBe(Number(rows.n));
  });

  it("reads again on a refresh, unless the snapshot is only seconds old; after a merge the figures equal the rows", async () => {
    const t0 = new Date(Date.now() + 2_000_000);
    const before = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: t0 });
    const supporter = await makeUser(t.db);
    expect((await supportSubmission(t.db, { submissionId: s2, userId: supporter.id })).ok).toBe(true);
    expect((await mergeSubmission(t.db, { moderatorId: mod.id, moderatorRole: "moderator", id: s2, into: s1 })).ok).toBe(true);

    // A refresh seconds after the last reading reuses it (a button pressed ten times is one computation).
    const soon = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: at(t0, DASHBOARD_MIN_REFRESH_MS - 1), refresh: true });
    expect(soon).toBe(before);

    const t1 = at(t0, DASHBOARD_MIN_REFRESH_MS);
    const refreshed = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: t1, refresh: true });
    expect(refreshed.asOf).toBe(t1.toISOString());
    expect(refreshed.dashboard).toEqual(await fresh(t1));
    const target = await t.db
      .selectFrom("submissions")
      .select(["supporters_count", "status"])
      .where("id", "=", s1)
      .executeTakeFirstOrThrow();
    // The merged suggestion still counts in the matrix, its supporters only once (at the target).
    expect(cell(refreshed.dashboard)).toMatchObject({ submissions: 2, supporters: Number(target.supporters_count) });
    expect(Number(target.supporters_count)).toBe(2);
    const leatherTop = refreshed.dashboard.top.find((x) => x.clusterId === leather)!;
    expect(leatherTop.bySupporters.map((s) => [s.id, s.supporters])).toEqual([[s1, 2]]);
    // Later plain views show the refreshed snapshot.
    expect((await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: at(t1, 1_000) })).asOf).toBe(t1.toISOString());
  });

  it("computes once for ten views arriving together", async () => {
    const t0 = new Date(Date.now() + 3_000_000);
    const views = await Promise.all(
      Array.from({ length: 10 }, (_, i) => getDashboardSnapshot(t.db, { consultationId, clusterIds, now: at(t0, i) })),
    );
    expect(new Set(views).size).toBe(1);
    expect(views[0].asOf).toBe(t0.toISOString());
  });

  it("does not trust a snapshot from a later time (a clock set back), nor share one between databases", async () => {
    const t0 = new Date(Date.now() + 4_000_000);
    const late = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: t0 });
    const earlier = await getDashboardSnapshot(t.db, { consultationId, clusterIds, now: at(t0, -1_000) });
    expect(earlier.asOf).not.toBe(late.asOf);
    const other = await createTestDb();
    try {
      const c = (await other.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
      const ids = (await listClusters(other.db)).map((x) => x.id);
      const snap = await getDashboardSnapshot(other.db, { consultationId: c, clusterIds: ids, now: at(t0, -1_000) });
      expect(snap.dashboard.matrix).toEqual([]);
    } finally {
      await other.destroy();
    }
  });

  it("lets the event loop turn between its queries", async () => {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    await getDashboard(t.db, { consultationId, clusterIds, now: new Date() });
    running = false;
    // At least one turn per query of the per-cluster parts and of the 60 days.
    expect(turns).toBeGreaterThanOrEqual(60 + 4 * clusterIds.length);
  });
});
