// Implementation progress on a real migrated database (SQLite, and PostgreSQL
// with TEST_DATABASE_URL): the history newest first, refusals that change
// nothing (bad input, a draft, an unknown recommendation), the latest update
// per recommendation, the in-app notifications (once per person) and the audit
// entry, and the 90-day staleness with an injected `now`.
import { beforeAll, describe, expect, it } from "vitest";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { getAccountability } from "~/models/accountability.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { accountabilityStanding, latestProgress, listProgress, recordProgress, STALE_AFTER_DAYS } from "~/models/progress.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";

const recommendation = (status: string) => ({
  title: "Refund duties on export inputs within 30 days",
  text: "Exporters of leather goods should get duty drawback within thirty days of shipment.",
  cluster: ["leather"],
  category: ["export-markets"],
  priority: "2",
  dissent: "",
  status,
});
const update = (overrides: Record<string, unknown> = {}) => ({
  progressStatus: "in-progress",
  progressText: "The drawback rules were drafted; consultation with FBR is under way.",
  progressDate: "2027-02-01",
  evidenceUrl: "https://example.gov.pk/drawback",
  ...overrides,
});

describe(`recommendation progress (${testDialect})`, () => {
  const t = useTestDb();
  let organiser: MadeUser;
  let org: { actorId: number; actorRole: string };
  let finalId: number;
  let draftId: number;
  let author: MadeUser;
  let supporter: MadeUser;

  beforeAll(async () => {
    organiser = await makeUser(t.db, { role: "organiser" });
    const moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    supporter = await makeUser(t.db);
    org = { actorId: organiser.id, actorRole: "organiser" };
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    const a = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Faster duty drawback" },
    });
    const b = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Drawback in thirty days" },
    });
    for (const s of [a, b]) {
      const r = await supportSubmission(t.db, { submissionId: s, userId: supporter.id });
      if (!r.ok) throw new Error(JSON.stringify(r));
    }
    const f = await createRecommendation(t.db, { ...org, input: recommendation("final") });
    const d = await createRecommendation(t.db, { ...org, input: recommendation("draft") });
    if (!f.ok || !d.ok) throw new Error("create failed");
    finalId = f.id;
    draftId = d.id;
    for (const s of [a, b]) expect((await linkSource(t.db, { ...org, id: finalId, submissionId: s })).ok).toBe(true);
  });

  const count = async () =>
    Number(
      (
        await t.db
          .selectFrom("recommendation_progress")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("refuses bad input, a draft and an unknown recommendation, and changes nothing", async () => {
    const before = await count();
    const bad = await recordProgress(t.db, {
      ...org,
      id: finalId,
      input: update({ progressStatus: "finished", progressDate: "2027-02-30", evidenceUrl: "javascript:alert(1)", progressText: "" }),
    });
    expect(bad).toMatchObject({ ok: false, reason: "invalid" });
    if (!bad.ok && bad.reason === "invalid")
      expect(Object.keys(bad.fieldErrors).sort()).toEqual(["evidenceUrl", "progressDate", "progressStatus", "progressText"]);
    const ftp = await recordProgress(t.db, { ...org, id: finalId, input: update({ evidenceUrl: "ftp://example.org/x" }) });
    expect(ftp).toMatchObject({ ok: false, reason: "invalid" });
    expect(await recordProgress(t.db, { ...org, id: draftId, input: update() })).toEqual({ ok: false, reason: "notFinal" });
    expect(await recordProgress(t.db, { ...org, id: 999_999, input: update() })).toEqual({ ok: false, reason: "notFound" });
    expect(await count()).toBe(before);
    const audits = await t.db.selectFrom("audit_log").select("id").where("action", "=", "recommendation.progress").execute();
    expect(audits).toHaveLength(0);
  });

  it("keeps a history, newest first, notifies each person behind the sources once and audits each update", async () => {
    const now = new Date("2027-02-02T10:00:00Z");
    const first = await recordProgress(t.db, {
      ...org,
      id: finalId,
      now,
      input: update({ progressStatus: "planned", progressDate: "2027-01-10", evidenceUrl: "" }),
    });
    const second = await recordProgress(t.db, { ...org, id: finalId, now, input: update() });
    expect(first).toMatchObject({ ok: true, notified: 2 });
    expect(second).toMatchObject({ ok: true, notified: 2 });
    const history = await listProgress(t.db, finalId);
    expect(history.map((h) => [h.status, h.date, h.evidenceUrl])).toEqual([
      ["in-progress", "2027-02-01", "https://example.gov.pk/drawback"],
      ["planned", "2027-01-10", null],
    ]);
    const notes = await t.db
      .selectFrom("notifications")
      .select(["user_id", "data"])
      .where("kind", "=", "progress")
      .where("recommendation_id", "=", finalId)
      .execute();
    // Author (behind two sources) and supporter (behind both): once each per update.
    expect(notes.filter((n) => n.user_id === author.id)).toHaveLength(2);
    expect(notes.filter((n) => n.user_id === supporter.id)).toHaveLength(2);
    expect(JSON.parse(notes.find((n) => n.user_id === supporter.id)!.data!)).toHaveProperty("status");
    const audits = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "target_id", "after"])
      .where("action", "=", "recommendation.progress")
      .execute();
    expect(audits).toHaveLength(2);
    expect(audits.every((a) => a.actor_id === organiser.id && a.target_id === String(finalId))).toBe(true);
  });

  it("gives the latest update of each recommendation (by date, then the last recorded)", async () => {
    const sameDay = await recordProgress(t.db, {
      ...org,
      id: finalId,
      input: update({ progressStatus: "stalled", progressText: "Held up in FBR." }),
    });
    expect(sameDay.ok).toBe(true);
    const older = await recordProgress(t.db, {
      ...org,
      id: finalId,
      input: update({ progressStatus: "done", progressDate: "2026-12-01" }),
    });
    expect(older.ok).toBe(true);
    const latest = await latestProgress(t.db, [finalId, draftId]);
    expect(latest.get(finalId)).toMatchObject({ status: "stalled", date: "2027-02-01" });
    expect(latest.has(draftId)).toBe(false);
  });

  it(`marks no progress for ${STALE_AFTER_DAYS} days and no response`, () => {
    const base = { responseStatus: null, responseDate: null, createdAt: "2027-01-01T09:00:00.000Z", latestProgressDate: "2027-01-01" };
    expect(accountabilityStanding(base, new Date("2027-03-31T23:00:00Z"))).toMatchObject({
      stale: false,
      daysSinceUpdate: 89,
      noResponse: true,
    });
    expect(accountabilityStanding(base, new Date("2027-04-01T00:30:00Z"))).toMatchObject({ stale: true, daysSinceUpdate: 90 });
    // No progress ever: counted from the response (or creation), so a new one is not stale.
    const responded = { ...base, latestProgressDate: null, responseStatus: "accepted", responseDate: "2027-03-01" };
    expect(accountabilityStanding(responded, new Date("2027-04-01T00:00:00Z"))).toMatchObject({
      stale: false,
      noResponse: false,
      lastUpdate: "2027-03-01",
      daysSinceUpdate: 31,
    });
    expect(accountabilityStanding(responded, new Date("2027-06-01T00:00:00Z")).stale).toBe(true);
  });

  it("the accountability rows: final ones only, latest progress, markers decided with an injected now, counts by status", async () => {
    const consultation = await getActiveConsultation(t.db);
    const at = (now: string) => getAccountability(t.db, { consultationId: consultation!.id, now: new Date(now) });
    const soon = await at("2027-02-10T00:00:00Z");
    expect(soon.rows.map((r) => r.id)).toEqual([finalId]);
    expect(soon.rows[0]).toMatchObject({
      // one supporter behind both sources: once
      uniqueSupporters: 1,
      progressStatus: "stalled",
      progressDate: "2027-02-01",
      noResponse: true,
      stale: false,
      needsAttention: true,
      daysSinceUpdate: 9,
    });
    expect(soon.byResponse.find((c) => c.key === "none")!.count).toBe(1);
    expect(soon.byProgress.find((c) => c.key === "stalled")!.count).toBe(1);
    expect(soon.byProgress.find((c) => c.key === "done")!.count).toBe(0);
    const later = await at("2027-05-02T00:00:00Z");
    expect(later.rows[0]).toMatchObject({ stale: true, daysSinceUpdate: 90 });
  });
});
