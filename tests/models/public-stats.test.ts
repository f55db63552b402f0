// Public participation statistics (/stats; issue 16, item 6): the figures by
// cluster, province, size, type and week, with every figure that fewer than 5
// people stand behind suppressed, and a column's lone suppressed figure
// protected by a second one. A merged duplicate's supporters count once.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mergeSubmission } from "~/models/moderation.server";
import { computePublicStats, suppressColumn } from "~/models/public-stats.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { publicStatsBySql } from "../support/public-stats-oracle";
import { nowIso } from "~/lib/time";
import { useActiveConsultation, useTestDb } from "../support/suite";

const t = useTestDb();
const consultation = useActiveConsultation(t);

const org = (province: string) => ({
  name: `Stats Organisation ${randomBytes(3).toString("hex")}`,
  type: "firm" as const,
  sizeBand: "small" as const,
  city: "Karachi",
  province,
  clusterSlug: "leather",
});

describe("suppressing small figures", () => {
  it("hides a non-zero figure with fewer than 5 people behind it, never a zero", () => {
    expect(
      suppressColumn([
        { value: 12, people: 12 },
        { value: 3, people: 3 },
        { value: 0, people: 0 },
        { value: 4, people: 4 },
      ]),
    ).toEqual([12, null, 0, null]);
  });
  it("a column's lone suppressed figure takes the smallest other non-zero one with it", () => {
    expect(
      suppressColumn([
        { value: 40, people: 40 },
        { value: 2, people: 2 },
        { value: 9, people: 9 },
        { value: 0, people: 0 },
      ]),
    ).toEqual([40, null, null, 0]);
  });
  it("counts the people behind a figure, not the figure: 30 supports from 3 people are hidden", () => {
    expect(
      suppressColumn([
        { value: 30, people: 3 },
        { value: 50, people: 50 },
        { value: 60, people: 60 },
      ]),
    ).toEqual([null, null, 60]);
  });
});

describe(`the figures of a consultation (${testDialect})`, () => {
  it("by cluster, province and week, with small cells suppressed and merged supporters counted once", async () => {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const authorA = await makeUser(t.db, { organisation: org("punjab") });
    const authorB = await makeUser(t.db, { organisation: org("punjab") });
    const now = new Date();
    const s1 = await makePublishedSubmission(t.db, { authorId: authorA.id, moderatorId: moderator.id });
    const s2 = await makePublishedSubmission(t.db, {
      authorId: authorB.id,
      moderatorId: moderator.id,
      input: { title: "Duty drawback for leather exporters, paid within a month" },
    });
    const punjab = [];
    for (let i = 0; i < 7; i++) punjab.push(await makeUser(t.db, { organisation: org("punjab") }));
    const sindh = [await makeUser(t.db, { organisation: org("sindh") }), await makeUser(t.db, { organisation: org("sindh") })];
    const individual = await makeUser(t.db, { organisation: undefined });
    for (const p of [...punjab.slice(0, 6), ...sindh, individual]) {
      expect((await supportSubmission(t.db, { submissionId: s1, userId: p.id, now })).ok).toBe(true);
    }
    // P1 supports both duplicates; P7 only the one merged away.
    expect((await supportSubmission(t.db, { submissionId: s2, userId: punjab[0].id, now })).ok).toBe(true);
    expect((await supportSubmission(t.db, { submissionId: s2, userId: punjab[6].id, now })).ok).toBe(true);
    const merged = await mergeSubmission(t.db, { id: s2, into: s1, moderatorId: moderator.id, moderatorRole: "moderator" });
    expect(merged.ok).toBe(true);

    const stats = await computePublicStats(t.db, { consultationId: consultation.id, now });
    // 2 authors + 7 + 2 + 1 supporters; 11 organisations; 10 supports behind the
    // published suggestion (P1 once); 2 suggestions from 2 people: suppressed.
    expect(stats.totals).toEqual({ participants: 12, organisations: 11, suggestions: null, supports: 10 });
    const leather = stats.by.cluster.find((r) => r.key === "leather");
    expect(leather).toEqual({ key: "leather", participants: 12, organisations: 11, suggestions: null, supports: 10 });
    // Organisations: Sindh's 2 is the column's only small figure, and the total
    // (11) less Punjab's 9 would give it away, so Punjab's is suppressed too.
    expect(stats.by.province).toEqual([
      { key: "punjab", participants: 9, organisations: null, suggestions: null, supports: 7 },
      { key: "sindh", participants: null, organisations: null, suggestions: 0, supports: null },
      { key: "none", participants: null, organisations: 0, suggestions: 0, supports: null },
    ]);
    const week = stats.weeks[stats.weeks.length - 1];
    expect(week.supports).toBe(10);
    expect(week.suggestions).toBeNull();
    // Nothing in the figures names anyone.
    expect(JSON.stringify(stats)).not.toMatch(/@|Stats Organisation/);
  });
});

describe(`the figures read in one pass are those of the plain SQL (${testDialect})`, () => {
  it("gives the same figures as one grouped query per breakdown, on random data over several weeks", async () => {
    // A small random consultation: organisations in several provinces, sizes and types;
    // people with and without one; suggestions published, merged, withdrawn and a
    // workshop's without an author; supports spread over eight weeks.
    let seed = 20261207;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const moderator = await makeUser(t.db, { role: "moderator" });
    const clusters = await t.db.selectFrom("clusters").select(["id", "slug"]).execute();
    const iso = nowIso(new Date());
    const orgIds: number[] = [];
    for (let i = 0; i < 12; i++) {
      const row = await t.db
        .insertInto("organisations")
        .values({
          name: `Oracle Org ${i} ${randomBytes(3).toString("hex")}`,
          name_normalised: `oracle org ${i} ${randomBytes(3).toString("hex")}`,
          type: pick(["firm", "association", "chamber"] as const),
          size_band: pick(["micro", "small", "medium"] as const),
          city: "Lahore",
          province: pick(["punjab", "sindh", "kp", "balochistan"]),
          cluster_id: pick(clusters).id,
          registration_number: null,
          created_at: iso,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      orgIds.push(row.id);
    }
    const people: Array<{ id: number; organisationId: number | null }> = [];
    for (let i = 0; i < 40; i++) {
      const organisationId = random() < 0.8 ? pick(orgIds) : null;
      const email = `oracle.${i}.${randomBytes(4).toString("hex")}@example.pk`;
      const row = await t.db
        .insertInto("users")
        .values({
          email,
          email_normalised: email,
          display_name: `Oracle ${i}`,
          password_hash: "x",
          role: "stakeholder",
          status: "active",
          organisation_id: organisationId,
          show_organisation: 0,
          locale: "en",
          created_at: iso,
          updated_at: iso,
          email_confirmed_at: iso,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      people.push({ id: row.id, organisationId });
    }
    const weekAgo = (w: number) => new Date(Date.now() - w * 7 * 86_400_000 - Math.floor(random() * 6) * 86_400_000);
    const suggestions: Array<{ id: number; clusterId: number }> = [];
    for (let i = 0; i < 16; i++) {
      const author = pick(people);
      const id = await makePublishedSubmission(t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { title: `Oracle suggestion number ${i} about export finance`, cluster: pick(clusters).slug },
      });
      const status = i % 8 === 3 ? "merged" : i % 8 === 5 ? "withdrawn" : "published";
      const workshop = i % 8 === 6;
      await t.db
        .updateTable("submissions")
        .set({
          status,
          created_at: nowIso(weekAgo(Math.floor(random() * 8))),
          ...(workshop ? { author_id: null, organisation_id: pick(orgIds) } : { organisation_id: author.organisationId }),
        })
        .where("id", "=", id)
        .execute();
      const row = await t.db.selectFrom("submissions").select("cluster_id").where("id", "=", id).executeTakeFirstOrThrow();
      suggestions.push({ id, clusterId: row.cluster_id });
    }
    for (const s of suggestions) {
      for (const p of people) {
        if (random() < 0.35) {
          await t.db
            .insertInto("supports")
            .values({
              submission_id: s.id,
              user_id: p.id,
              cluster_id: s.clusterId,
              consultation_id: consultation.id,
              merged_from_id: null,
              organisation_id: random() < 0.9 ? p.organisationId : null,
              province: null,
              created_at: nowIso(weekAgo(Math.floor(random() * 8))),
            })
            .execute();
        }
      }
    }
    const now = new Date();
    const fast = await computePublicStats(t.db, { consultationId: consultation.id, now });
    const plain = await publicStatsBySql(t.db, { consultationId: consultation.id, now });
    expect(fast).toEqual(plain);
    // The data reach both sides of the line: some figures are shown, some suppressed.
    const figures = JSON.stringify(fast.by);
    expect(figures).toContain("null");
    expect(fast.totals.supports).toBeGreaterThan(100);
    expect(fast.weeks.length).toBeGreaterThanOrEqual(8);
  });
});
