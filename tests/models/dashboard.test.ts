// Dashboard figures on a real migrated database: a small known data set,
// every aggregate asserted exactly; pending, rejected, withdrawn and hidden
// suggestions never count in the matrix or the top lists.
import { beforeAll, describe, expect, it } from "vitest";
import { getDashboard } from "~/models/dashboard.server";
import { hideSubmission, mergeSubmission, rejectSubmission } from "~/models/moderation.server";
import { withdrawSubmission } from "~/models/submission.server";
import { supportSubmission } from "~/models/support.server";
import { listClusters } from "~/models/taxonomy.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

describe(`organiser dashboard figures (${testDialect})`, () => {
  const t = useTestDb();
  let mod: MadeUser;
  let ids: Record<string, number>;
  let cluster: Record<string, number>;
  let category: Record<string, number>;
  let consultationId: number;
  let clusterIds: number[];
  let pendingAt: string;

  beforeAll(async () => {
    mod = await makeUser(t.db, { role: "moderator" });
    const a1 = await makeUser(t.db);
    const a2 = await makeUser(t.db);
    const a3 = await makeUser(t.db);
    const s1u = await makeUser(t.db);
    const s2u = await makeUser(t.db);
    const s3u = await makeUser(t.db, {
      organisation: { name: "Karachi Code Works", type: "firm", sizeBand: "medium", city: "Karachi", province: "sindh", clusterSlug: "it" },
    });
    await t.db.updateTable("organisations").set({ verified: 1 }).where("id", "=", a1.organisationId!).execute();
    const pub = (authorId: number, clusterSlug: string, categories: string[], title: string) =>
      makePublishedSubmission(t.db, { authorId, moderatorId: mod.id, input: { cluster: clusterSlug, title }, categories });
    ids = {
      s1: await pub(a1.id, "leather", ["tax-relief", "export-markets"], "Faster duty drawback for leather"),
      s2: await pub(a2.id, "leather", ["tax-relief"], "Sales tax refunds within a week"),
      s3: await pub(a3.id, "it", ["export-markets"], "Remittance rules for software exporters"),
      s4: await pub(a1.id, "leather", ["tax-relief"], "Duty drawback paid quicker please"),
      hidden: await pub(a2.id, "leather", ["tax-relief"], "A hidden suggestion on tax"),
      withdrawn: await pub(a3.id, "leather", ["tax-relief"], "A withdrawn suggestion on tax"),
      pending: await makeSubmission(t.db, { authorId: a2.id, input: { title: "A pending suggestion on tax relief" } }),
      rejected: await makeSubmission(t.db, { authorId: a3.id, input: { title: "A rejected suggestion on tax relief" } }),
    };
    const m = { moderatorId: mod.id, moderatorRole: "moderator" as const };
    expect((await mergeSubmission(t.db, { ...m, id: ids.s4, into: ids.s1 })).ok).toBe(true);
    expect((await hideSubmission(t.db, { ...m, id: ids.hidden })).ok).toBe(true);
    expect((await rejectSubmission(t.db, { ...m, id: ids.rejected, reasonCode: "off-topic", reason: "Not about policy." })).ok).toBe(true);
    expect((await withdrawSubmission(t.db, { id: ids.withdrawn, userId: a3.id })).ok).toBe(true);
    for (const [sub, user] of [
      [ids.s1, s1u],
      [ids.s2, s1u],
      [ids.s1, s2u],
      [ids.s3, s3u],
    ] as const) {
      expect((await supportSubmission(t.db, { submissionId: sub, userId: user.id })).ok).toBe(true);
    }
    const clusters = await listClusters(t.db);
    clusterIds = clusters.map((c) => c.id);
    cluster = Object.fromEntries(clusters.map((c) => [c.slug, c.id]));
    category = Object.fromEntries((await t.db.selectFrom("categories").select(["id", "slug"]).execute()).map((c) => [c.slug, c.id]));
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
    pendingAt = (await t.db.selectFrom("submissions").select("created_at").where("id", "=", ids.pending).executeTakeFirstOrThrow())
      .created_at;
  });

  const dashboard = () => getDashboard(t.db, { consultationId, clusterIds, now: new Date() });

  it("counts published and merged suggestions per cluster × category, with supporters and (verified) organisations", async () => {
    const d = await dashboard();
    const cells = [...d.matrix].sort((a, b) => a.clusterId - b.clusterId || a.categoryId - b.categoryId);
    const expected = [
      {
        clusterId: cluster.leather,
        categoryId: category["tax-relief"],
        submissions: 3,
        supporters: 3,
        organisations: 2,
        verifiedOrganisations: 1,
      },
      {
        clusterId: cluster.leather,
        categoryId: category["export-markets"],
        submissions: 1,
        supporters: 2,
        organisations: 1,
        verifiedOrganisations: 1,
      },
      {
        clusterId: cluster.it,
        categoryId: category["export-markets"],
        submissions: 1,
        supporters: 1,
        organisations: 1,
        verifiedOrganisations: 0,
      },
    ].sort((a, b) => a.clusterId - b.clusterId || a.categoryId - b.categoryId);
    expect(cells).toEqual(expected);
  });

  it("lists the top suggestions per cluster by supporters and by organisations, published only", async () => {
    const d = await dashboard();
    const leather = d.top.find((x) => x.clusterId === cluster.leather)!;
    expect(leather.bySupporters.map((s) => [s.id, s.supporters, s.organisations])).toEqual([
      [ids.s1, 2, 2],
      [ids.s2, 1, 1],
    ]);
    expect(leather.byOrganisations.map((s) => s.id)).toEqual([ids.s1, ids.s2]);
    const it_ = d.top.find((x) => x.clusterId === cluster.it)!;
    expect(it_.bySupporters.map((s) => s.id)).toEqual([ids.s3]);
    expect(d.top.find((x) => x.clusterId === cluster.pharmaceutical)!.bySupporters).toEqual([]);
  });

  it("counts suggestions received and supports given per day over 60 days", async () => {
    const d = await dashboard();
    expect(d.perDay).toHaveLength(60);
    const today = new Date().toISOString().slice(0, 10);
    expect(d.perDay[59]).toEqual({ day: today, submissions: 8, supports: 4 });
    expect(d.perDay.slice(0, 59).every((p) => p.submissions === 0 && p.supports === 0)).toBe(true);
  });

  it("counts distinct supporters and organisations by cluster, size band and province", async () => {
    const d = await dashboard();
    const byKey = (rows: Array<{ key: string | null; supporters: number; organisations: number }>) =>
      Object.fromEntries(rows.map((r) => [r.key ?? "none", [r.supporters, r.organisations]]));
    expect(byKey(d.participation.byCluster)).toEqual({
      [cluster.it]: [1, 1],
      [cluster["food-processing"]]: [0, 0],
      [cluster["surgical-instruments"]]: [0, 0],
      [cluster.leather]: [2, 2],
      [cluster.pharmaceutical]: [0, 0],
    });
    expect(byKey(d.participation.bySize)).toEqual({ small: [2, 2], medium: [1, 1] });
    expect(byKey(d.participation.byProvince)).toEqual({ punjab: [2, 2], sindh: [1, 1] });
  });

  it("adds up to the same figures however the organisations are sliced (one organisation per query, or all in one)", async () => {
    const now = new Date();
    const sorted = (d: Awaited<ReturnType<typeof dashboard>>) => ({
      ...d,
      matrix: [...d.matrix].sort((a, b) => a.clusterId - b.clusterId || a.categoryId - b.categoryId),
      participation: Object.fromEntries(
        Object.entries(d.participation).map(([k, rows]) => [k, [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)))]),
      ),
    });
    const whole = sorted(await getDashboard(t.db, { consultationId, clusterIds, now, organisationSlice: 1_000_000 }));
    const one = sorted(await getDashboard(t.db, { consultationId, clusterIds, now, organisationSlice: 1 }));
    const two = sorted(await getDashboard(t.db, { consultationId, clusterIds, now, organisationSlice: 2 }));
    expect(one).toEqual(whole);
    expect(two).toEqual(whole);
    expect(sorted(await dashboard())).toEqual(whole);
    // Three authors' organisations and three supporters' ones: slices of one organisation really split them.
    const orgs = await t.db.selectFrom("organisations").select("id").execute();
    expect(orgs.length).toBeGreaterThanOrEqual(3);
  });

  it("reports the moderation backlog: pending per cluster, the oldest, open reports", async () => {
    const d = await dashboard();
    expect(d.backlog.find((b) => b.clusterId === cluster.leather)).toEqual({
      clusterId: cluster.leather,
      pending: 1,
      oldestPendingAt: pendingAt,
    });
    expect(d.backlog.find((b) => b.clusterId === cluster.it)).toEqual({ clusterId: cluster.it, pending: 0, oldestPendingAt: null });
    expect(d.openReports).toBe(0);
  });
});
