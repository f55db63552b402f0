// Coverage on a real migrated database (SQLite, and PostgreSQL with
// TEST_DATABASE_URL): the share of published suggestions and of distinct
// supporters that final recommendations reflect (ADR 0030). Supporters count
// once across suggestions, a merged suggestion counts through its target, a
// draft covers nothing, a withdrawn or hidden suggestion is not counted; per
// cluster and per category. Reasons for leaving one out: saved with who and
// when, cleared, refused where nothing is left out, audited. The figures read
// in id ranges equal the plain SQL aggregates (tests/support/coverage-oracle.ts)
// on random data.
import { beforeAll, describe, expect, it } from "vitest";
import { COVERAGE_MAX_AGE_MS, coverageFigures, coverageSnapshot, listUncovered, setCoverageReason } from "~/models/coverage.server";
import { hideSubmission, mergeSubmission } from "~/models/moderation.server";
import { createRecommendation, linkSource, updateRecommendation } from "~/models/recommendation.server";
import { withdrawSubmission } from "~/models/submission.server";
import { supportSubmission } from "~/models/support.server";
import { coverageFiguresBySql } from "../support/coverage-oracle";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { useTestDb } from "../support/suite";

const recInput = (overrides: Record<string, unknown> = {}) => ({
  title: "Refund duties on export inputs within 30 days",
  text: "Exporters should get duty drawback within thirty days of shipment.",
  cluster: ["leather"],
  category: ["export-markets"],
  priority: "2",
  dissent: "",
  status: "draft",
  ...overrides,
});

describe(`coverage (${testDialect})`, () => {
  const t = useTestDb();
  let organiser: MadeUser;
  let moderator: MadeUser;
  let author: MadeUser;
  let consultationId: number;
  let leatherId: number;
  const org = () => ({ actorId: organiser.id, actorRole: "organiser" });

  beforeAll(async () => {
    organiser = await makeUser(t.db, { role: "organiser", displayName: "Organiser Amna" });
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
    leatherId = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow()).id;
  });

  const publish = (title: string, cluster = "leather", categories = ["export-markets"]) =>
    makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title, cluster }, categories });
  const support = async (submissionId: number, user: MadeUser) => {
    const r = await supportSubmission(t.db, { submissionId, userId: user.id });
    if (!r.ok) throw new Error(`support refused: ${JSON.stringify(r)}`);
  };
  const recommendation = async (sources: number[], status: "draft" | "final" = "draft") => {
    const r = await createRecommendation(t.db, { ...org(), input: recInput() });
    if (!r.ok) throw new Error(JSON.stringify(r));
    for (const s of sources) expect((await linkSource(t.db, { ...org(), id: r.id, submissionId: s })).ok).toBe(true);
    if (status === "final")
      expect((await updateRecommendation(t.db, { ...org(), id: r.id, input: recInput({ status: "final" }) })).ok).toBe(true);
    return r.id;
  };
  const figures = (clusterId?: number) => coverageFigures(t.db, { consultationId, clusterId });

  it("counts published suggestions and distinct supporters, covered only by final recommendations, per cluster and category", async () => {
    const [p1, p2, p3] = [await makeUser(t.db), await makeUser(t.db), await makeUser(t.db)];
    const a = await publish("Leather duty drawback in thirty days", "leather", ["export-markets", "tax-relief"]);
    const b = await publish("Leather testing laboratory in Sialkot", "leather", ["export-markets"]);
    const c = await publish("Cold chain for food processors", "food-processing", ["supply-chain-logistics"]);
    // p1 supports three suggestions: one supporter.
    for (const s of [a, b, c]) await support(s, p1);
    await support(b, p2);
    await support(c, p3);

    let f = await figures();
    expect(f.overall).toEqual({ suggestions: 3, coveredSuggestions: 0, supporters: 3, coveredSupporters: 0 });

    // A draft covers nothing.
    const draft = await recommendation([a]);
    f = await figures();
    expect(f.overall.coveredSuggestions).toBe(0);

    // Final: a is covered; p1 (who supports a) is covered, once, although they support three.
    await updateRecommendation(t.db, { ...org(), id: draft, input: recInput({ status: "final" }) });
    f = await figures();
    expect(f.overall).toEqual({ suggestions: 3, coveredSuggestions: 1, supporters: 3, coveredSupporters: 1 });
    const leather = f.byCluster.find((r) => r.slug === "leather")!;
    expect(leather).toMatchObject({ suggestions: 2, coveredSuggestions: 1, supporters: 2, coveredSupporters: 1 });
    const food = f.byCluster.find((r) => r.slug === "food-processing")!;
    // p1 is covered overall, but not in food processing: there, what they support (c) is not covered.
    expect(food).toMatchObject({ suggestions: 1, coveredSuggestions: 0, supporters: 2, coveredSupporters: 0 });
    expect(f.byCategory.find((r) => r.slug === "export-markets")).toMatchObject({
      suggestions: 2,
      coveredSuggestions: 1,
      supporters: 2,
      coveredSupporters: 1,
    });
    expect(f.byCategory.find((r) => r.slug === "tax-relief")).toMatchObject({ suggestions: 1, coveredSuggestions: 1 });
    expect(f.byCategory.find((r) => r.slug === "supply-chain-logistics")).toMatchObject({ suggestions: 1, coveredSuggestions: 0 });

    // One cluster only.
    const only = await figures(leatherId);
    expect(only.overall).toEqual({ suggestions: 2, coveredSuggestions: 1, supporters: 2, coveredSupporters: 1 });
    expect(only.byCluster.map((r) => r.slug)).toEqual(["leather"]);

    // The uncovered, most supported first.
    const left = await listUncovered(t.db, { consultationId, limit: 10 });
    expect(left.total).toBe(2);
    // b and c have two supporters each: then by number.
    expect(left.rows.map((r) => r.id)).toEqual([b, c]);
    expect(left.rows.find((r) => r.id === a)).toBeUndefined();
    const leatherLeft = await listUncovered(t.db, { consultationId, clusterId: leatherId, limit: 10 });
    expect(leatherLeft).toMatchObject({ total: 1, rows: [{ id: b, supporters: 2 }] });
  });

  it("counts a merged suggestion through its target: not a unit of its own, and a link to it covers the target", async () => {
    const [q1, q2] = [await makeUser(t.db), await makeUser(t.db)];
    const before = (await figures()).overall;
    const target = await publish("Single window for leather exporters");
    const dup = await publish("One window for exporters of leather");
    await support(target, q1);
    await support(dup, q2);
    expect((await mergeSubmission(t.db, { id: dup, into: target, moderatorId: moderator.id, moderatorRole: "moderator" })).ok).toBe(true);
    let f = (await figures()).overall;
    // One suggestion more, not two; both supporters (q2 carried to the target by the merge).
    expect(f.suggestions - before.suggestions).toBe(1);
    expect(f.supporters - before.supporters).toBe(2);
    expect(f.coveredSuggestions - before.coveredSuggestions).toBe(0);

    // A final recommendation that links the merged duplicate covers its target.
    await recommendation([dup], "final");
    f = (await figures()).overall;
    expect(f.coveredSuggestions - before.coveredSuggestions).toBe(1);
    expect(f.coveredSupporters - before.coveredSupporters).toBe(2);
    const left = await listUncovered(t.db, { consultationId, limit: 100 });
    expect(left.rows.map((r) => r.id)).not.toContain(target);
    expect(left.rows.map((r) => r.id)).not.toContain(dup);
  });

  it("does not count a withdrawn or hidden suggestion", async () => {
    const before = (await figures()).overall;
    const w = await publish("Withdrawn idea about tanneries");
    const h = await publish("Hidden idea about tanneries");
    const s = await makeUser(t.db);
    await support(w, s);
    await support(h, s);
    expect((await figures()).overall.suggestions - before.suggestions).toBe(2);
    expect((await withdrawSubmission(t.db, { id: w, userId: author.id })).ok).toBe(true);
    expect((await hideSubmission(t.db, { id: h, moderatorId: moderator.id, moderatorRole: "moderator" })).ok).toBe(true);
    const after = (await figures()).overall;
    expect(after).toEqual(before);
    const left = await listUncovered(t.db, { consultationId, limit: 1000 });
    expect(left.rows.map((r) => r.id)).not.toContain(w);
    expect(left.rows.map((r) => r.id)).not.toContain(h);
  });

  it("keeps a reason with who and when, edits and clears it, audits each change, and refuses where nothing is left out", async () => {
    const s = await publish("Skills centre for leather stitching", "leather", ["skilled-labour"]);
    const other = await makeUser(t.db, { role: "organiser", displayName: "Organiser Bilal" });
    const at1 = new Date("2026-12-07T06:00:00.000Z");
    expect(
      await setCoverageReason(t.db, { ...org(), consultationId, submissionId: s, reason: "  Outside the ministry's remit ", now: at1 }),
    ).toEqual({ ok: true, changed: true });
    let row = (await listUncovered(t.db, { consultationId, limit: 1000 })).rows.find((r) => r.id === s)!;
    expect(row).toMatchObject({ reason: "Outside the ministry's remit", reason_by: "Organiser Amna", reason_at: at1.toISOString() });

    // The same text again changes nothing; an edit by someone else keeps who and when of that change.
    expect(await setCoverageReason(t.db, { ...org(), consultationId, submissionId: s, reason: "Outside the ministry's remit" })).toEqual({
      ok: true,
      changed: false,
    });
    const at2 = new Date("2026-12-07T07:00:00.000Z");
    await setCoverageReason(t.db, {
      actorId: other.id,
      actorRole: "organiser",
      consultationId,
      submissionId: s,
      reason: "For the provinces",
      now: at2,
    });
    row = (await listUncovered(t.db, { consultationId, limit: 1000 })).rows.find((r) => r.id === s)!;
    expect(row).toMatchObject({ reason: "For the provinces", reason_by: "Organiser Bilal", reason_at: at2.toISOString() });

    // Cleared.
    expect(await setCoverageReason(t.db, { ...org(), consultationId, submissionId: s, reason: "" })).toEqual({ ok: true, changed: true });
    row = (await listUncovered(t.db, { consultationId, limit: 1000 })).rows.find((r) => r.id === s)!;
    expect(row).toMatchObject({ reason: null, reason_by: null, reason_at: null });

    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "before", "after"])
      .where("action", "=", "coverage.reason")
      .where("target_type", "=", "submission")
      .where("target_id", "=", String(s))
      .orderBy("id")
      .execute();
    expect(audit.map((a) => [a.actor_id, JSON.parse(a.before!).reason, JSON.parse(a.after!).reason])).toEqual([
      [organiser.id, null, "Outside the ministry's remit"],
      [other.id, "Outside the ministry's remit", "For the provinces"],
      [organiser.id, "For the provinces", null],
    ]);

    // Refusals: unknown, covered by a final recommendation, not counted (withdrawn); nothing written.
    const count = async () =>
      (
        await t.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n;
    const n = Number(await count());
    expect(await setCoverageReason(t.db, { ...org(), consultationId, submissionId: 2_000_000_000, reason: "x" })).toEqual({
      ok: false,
      reason: "notFound",
    });
    const covered = await publish("Covered leather idea");
    await recommendation([covered], "final");
    const n2 = Number(await count());
    expect(await setCoverageReason(t.db, { ...org(), consultationId, submissionId: covered, reason: "x" })).toEqual({
      ok: false,
      reason: "covered",
    });
    const gone = await publish("Withdrawn leather idea");
    await withdrawSubmission(t.db, { id: gone, userId: author.id });
    const n3 = Number(await count());
    expect(await setCoverageReason(t.db, { ...org(), consultationId, submissionId: gone, reason: "x" })).toEqual({
      ok: false,
      reason: "notCounted",
    });
    expect(Number(await count())).toBe(n3);
    expect(n2).toBeGreaterThan(n);
    expect(
      await t.db.selectFrom("coverage_reasons").select("submission_id").where("submission_id", "in", [covered, gone]).execute(),
    ).toEqual([]);
  });

  it("gives the same figures as the plain SQL aggregates, on random data, overall and for each cluster", async () => {
    // A random consultation: suggestions in several clusters with zero to three
    // categories; some merged (supports carried to the target, links to the
    // duplicate), withdrawn or hidden; people supporting several; final and
    // draft recommendations linking published and merged suggestions.
    let seed = 20261207;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const clusters = await t.db.selectFrom("clusters").select(["id", "slug"]).orderBy("id").execute();
    const categories = (await t.db.selectFrom("categories").select("slug").orderBy("id").execute()).map((c) => c.slug);
    const people: MadeUser[] = [];
    for (let i = 0; i < 14; i++) people.push(await makeUser(t.db));
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) {
      const tags = categories.filter(() => random() < 0.15).slice(0, 3);
      const id = await publish(
        `Oracle coverage idea number ${i} for exporters`,
        pick(clusters.slice(0, 4)).slug,
        tags.length ? tags : [pick(categories)],
      );
      // Some without any category: the "No category" row.
      if (i % 7 === 2) await t.db.deleteFrom("submission_categories").where("submission_id", "=", id).execute();
      ids.push(id);
    }
    for (const id of ids) for (const p of people) if (random() < 0.3) await support(id, p);
    // Merges, one of them into a suggestion merged in turn (a chain), then withdrawn and hidden ones.
    const merge = (id: number, into: number) => mergeSubmission(t.db, { id, into, moderatorId: moderator.id, moderatorRole: "moderator" });
    expect((await merge(ids[3], ids[4])).ok).toBe(true);
    expect((await merge(ids[11], ids[12])).ok).toBe(true);
    const chained = await merge(ids[4], ids[5]);
    expect((await withdrawSubmission(t.db, { id: ids[8], userId: author.id })).ok).toBe(true);
    expect((await hideSubmission(t.db, { id: ids[9], moderatorId: moderator.id, moderatorRole: "moderator" })).ok).toBe(true);
    await recommendation([ids[3], ids[14], ids[20]], "final");
    await recommendation([ids[11], ids[13], ids[25]], "final");
    await recommendation([ids[1], ids[2], ids[6]]);

    const fast = await figures();
    expect(fast).toEqual(await coverageFiguresBySql(t.db, { consultationId }));
    for (const c of clusters) expect(await figures(c.id)).toEqual(await coverageFiguresBySql(t.db, { consultationId, clusterId: c.id }));
    // The data reach every case: covered and not, several clusters, the "No category" row, a merge chain if the model allows one.
    expect(fast.overall.coveredSuggestions).toBeGreaterThan(2);
    expect(fast.overall.coveredSuggestions).toBeLessThan(fast.overall.suggestions);
    expect(fast.overall.coveredSupporters).toBeLessThan(fast.overall.supporters);
    expect(fast.byCluster.length).toBeGreaterThan(1);
    expect(fast.byCategory.some((r) => r.slug === null)).toBe(true);
    expect(typeof chained.ok).toBe("boolean");
  });

  it("serves a snapshot while nothing that decides coverage changed, and computes again at once when a recommendation goes final", async () => {
    const now = Date.parse("2026-12-07T08:00:00.000Z");
    const first = await coverageSnapshot(t.db, { consultationId, now });
    expect(first.figures).toEqual(await figures());
    // A support alone does not change the fingerprint: the snapshot is reused within its age, then read again.
    const s = await publish("Snapshot idea about leather fairs");
    const again = await coverageSnapshot(t.db, { consultationId, now: now + 1000 });
    expect(again.figures.overall.suggestions).toBe(first.figures.overall.suggestions + 1);
    const p = await makeUser(t.db);
    await support(s, p);
    const reused = await coverageSnapshot(t.db, { consultationId, now: now + 2000 });
    expect(reused).toEqual(again);
    const later = await coverageSnapshot(t.db, { consultationId, now: now + 2000 + COVERAGE_MAX_AGE_MS });
    expect(later.figures.overall.supporters).toBe(again.figures.overall.supporters + 1);
    // A recommendation made final: computed again at once.
    await recommendation([s], "final");
    const rose = await coverageSnapshot(t.db, { consultationId, now: now + 3000 + COVERAGE_MAX_AGE_MS });
    expect(rose.figures.overall.coveredSuggestions).toBe(later.figures.overall.coveredSuggestions + 1);
    expect(rose.figures).toEqual(await figures());
  });
});
