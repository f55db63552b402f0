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
