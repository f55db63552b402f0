// Consultation administration on a real migrated database: settings with
// their audit entry (only what changed), several consultations (create,
// activate, archive) with exactly one active, and the settings form's schema
// (times as ISO 8601 or datetime-local UTC; windows that close after they open).
import { beforeAll, describe, expect, it } from "vitest";
import { ConsultationSettingsSchema, ConsultationSlugSchema } from "~/lib/query-schemas.server";
import {
  activateConsultation,
  archiveConsultation,
  createConsultation,
  getActiveConsultation,
  getConsultation,
  listConsultations,
  participationRefusal,
  reportsRefusal,
  updateConsultation,
  type ConsultationSettings,
} from "~/models/consultation.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makeUser, type MadeUser } from "../support/factories";

const settings = (overrides: Partial<ConsultationSettings> = {}): ConsultationSettings => ({
  titleEn: "SME export consultation 2027",
  titleUr: "ایس ایم ای برآمدی مشاورت 2027",
  descriptionEn: "Second round.",
  descriptionUr: "دوسرا مرحلہ۔",
  submissionOpensAt: "2027-01-01T00:00:00.000Z",
  submissionClosesAt: "2027-02-01T00:00:00.000Z",
  supportOpensAt: "2027-01-01T00:00:00.000Z",
  supportClosesAt: "2027-02-15T00:00:00.000Z",
  supportBudget: 5,
  allowSelfSupport: false,
  reportsToHide: 3,
  ...overrides,
});

describe(`consultation administration (${testDialect})`, () => {
  const t = useTestDb();
  let admin: MadeUser;
  const actor = () => ({ actorId: admin.id, actorRole: "admin" });
  const audits = (action: string) => t.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

  beforeAll(async () => {
    admin = await makeUser(t.db, { role: "admin" });
  });

  it("saves the active consultation's settings; the audit entry holds only what changed", async () => {
    const active = (await getActiveConsultation(t.db))!;
    const current = (await getConsultation(t.db, active.id))!;
    const next = settings({
      titleEn: current.title_en,
      titleUr: current.title_ur,
      descriptionEn: current.description_en,
      descriptionUr: current.description_ur,
      submissionOpensAt: current.submission_opens_at,
      submissionClosesAt: current.submission_closes_at,
      supportOpensAt: current.support_opens_at,
      supportClosesAt: "2026-01-01T00:00:00.000Z", // closes the support window
      supportBudget: 1,
      allowSelfSupport: false,
      reportsToHide: current.reports_to_hide,
    });
    expect(await updateConsultation(t.db, { id: active.id, settings: next, ...actor() })).toEqual({ ok: true, id: active.id });
    const after = (await getConsultation(t.db, active.id))!;
    expect(after.support_closes_at).toBe("2026-01-01T00:00:00.000Z");
    expect(after.support_budget).toBe(1);
    const [entry] = await audits("consultation.update");
    expect(JSON.parse(entry.after!)).toEqual({ supportClosesAt: "2026-01-01T00:00:00.000Z", supportBudget: 1 });
    expect(Object.keys(JSON.parse(entry.before!))).toEqual(["supportClosesAt", "supportBudget"]);
    expect(entry.actor_id).toBe(admin.id);
    // The same again: nothing to record.
    expect(await updateConsultation(t.db, { id: active.id, settings: next, ...actor() })).toEqual({ ok: true, id: active.id });
    expect(await audits("consultation.update")).toHaveLength(1);
    expect(await updateConsultation(t.db, { id: 999_999, settings: next, ...actor() })).toEqual({ ok: false, reason: "notFound" });
  });

  it("creates, activates (exactly one active) and archives consultations; an archived one never comes back", async () => {
    const first = (await getActiveConsultation(t.db))!;
    const created = await createConsultation(t.db, { slug: "sme-export-2027", settings: settings(), ...actor() });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect((await getConsultation(t.db, created.id))!.is_active).toBe(0);
    expect(await createConsultation(t.db, { slug: "sme-export-2027", settings: settings(), ...actor() })).toEqual({
      ok: false,
      reason: "slugTaken",
    });

    expect(await activateConsultation(t.db, { id: created.id, ...actor() })).toEqual({ ok: true, id: created.id });
    expect((await getActiveConsultation(t.db))!.id).toBe(created.id);
    const actives = (await listConsultations(t.db)).filter((c) => c.is_active === 1);
    expect(actives.map((c) => c.id)).toEqual([created.id]);
    // The active one cannot be archived; the previous one can, and then cannot be activated or edited.
    expect(await archiveConsultation(t.db, { id: created.id, ...actor() })).toEqual({ ok: false, reason: "active" });
    expect(await archiveConsultation(t.db, { id: first.id, ...actor() })).toEqual({ ok: true, id: first.id });
    expect(await activateConsultation(t.db, { id: first.id, ...actor() })).toEqual({ ok: false, reason: "archived" });
    expect(await updateConsultation(t.db, { id: first.id, settings: settings(), ...actor() })).toEqual({ ok: false, reason: "archived" });
    expect((await getActiveConsultation(t.db))!.id).toBe(created.id);
    expect((await audits("consultation.activate")).map((a) => JSON.parse(a.after!))).toEqual([{ active: created.id }]);
    expect(await audits("consultation.archive")).toHaveLength(1);
    expect(await audits("consultation.create")).toHaveLength(1);
  });

  it("two activations at once leave exactly one active", async () => {
    const a = await createConsultation(t.db, { slug: "race-a", settings: settings(), ...actor() });
    const b = await createConsultation(t.db, { slug: "race-b", settings: settings(), ...actor() });
    if (!a.ok || !b.ok) throw new Error("setup");
    const results = await Promise.all([
      activateConsultation(t.db, { id: a.id, ...actor() }),
      activateConsultation(t.db, { id: b.id, ...actor() }),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const actives = (await listConsultations(t.db)).filter((c) => c.is_active === 1);
    expect(actives).toHaveLength(1);
  });

  describe("the settings form's schema", () => {
    const form = (overrides: Record<string, string | undefined> = {}) => ({
      titleEn: "SME export consultation",
      titleUr: "ایس ایم ای برآمدی مشاورت",
      descriptionEn: "",
      descriptionUr: "",
      submissionOpensAt: "2027-01-01T09:00",
      submissionClosesAt: "2027-02-01T09:00",
      supportOpensAt: "2027-01-01T09:00:00Z",
      supportClosesAt: "2027-02-01T14:00:00+05:00",
      supportBudget: "0",
      reportsToHide: "3",
      ...overrides,
    });

    it("reads datetime-local values as UTC and ISO 8601 with any zone; a checkbox is on or absent", () => {
      const r = ConsultationSettingsSchema.parse({ ...form(), allowSelfSupport: "on" });
      expect(r.submissionOpensAt).toBe("2027-01-01T09:00:00.000Z");
      expect(r.supportClosesAt).toBe("2027-02-01T09:00:00.000Z");
      expect(r.allowSelfSupport).toBe(true);
      expect(ConsultationSettingsSchema.parse(form()).allowSelfSupport).toBe(false);
      expect(r.supportBudget).toBe(0);
    });

    it("refuses a window that closes before (or when) it opens, bad times and numbers, naming the field", () => {
      const issues = (o: Record<string, string | undefined>) => {
        const r = ConsultationSettingsSchema.safeParse(form(o));
        return r.success ? [] : r.error.issues.map((i) => `${String(i.path[0])}:${i.message}`);
      };
      expect(issues({ submissionClosesAt: "2027-01-01T09:00" })).toEqual([
        "submissionClosesAt:admin.consultation.errors.closesBeforeOpens",
      ]);
      expect(issues({ supportClosesAt: "2026-12-31T09:00" })).toEqual(["supportClosesAt:admin.consultation.errors.closesBeforeOpens"]);
      expect(issues({ supportOpensAt: "tomorrow" })).toEqual(["supportOpensAt:admin.consultation.errors.time"]);
      expect(issues({ supportOpensAt: "2027-13-45T99:00" })).toEqual(["supportOpensAt:admin.consultation.errors.time"]);
      expect(issues({ supportOpensAt: "" })).toEqual(["supportOpensAt:errors.required"]);
      expect(issues({ supportBudget: "-1" })).toEqual(["supportBudget:admin.consultation.errors.number"]);
      expect(issues({ supportBudget: "2.5" })).toEqual(["supportBudget:admin.consultation.errors.number"]);
      expect(issues({ supportBudget: "5000" })).toEqual(["supportBudget:admin.consultation.errors.range|1000"]);
      expect(issues({ reportsToHide: "0" })).toEqual(["reportsToHide:admin.consultation.errors.range|100"]);
      expect(issues({ titleEn: "ab" })).toEqual(["titleEn:errors.tooShort|3"]);
      expect(ConsultationSettingsSchema.safeParse({ ...form(), allowSelfSupport: "yes" }).success).toBe(false);
    });

    it("slugs: lower-case letters, digits and hyphens", () => {
      expect(ConsultationSlugSchema.safeParse("sme-export-2027").success).toBe(true);
      for (const bad of ["SME", "a", "has space", "-lead", "x".repeat(61), "ur-اردو"])
        expect(ConsultationSlugSchema.safeParse(bad).success, bad).toBe(false);
    });
  });
});

describe("the participation rule (issue 13, finding 10; ADR 0022)", () => {
  const c = (
    patch: Partial<{ is_active: number; archived_at: string | null; submission_closes_at: string; support_closes_at: string }> = {},
  ) => ({
    is_active: 1,
    archived_at: null,
    submission_closes_at: "2026-12-01T00:00:00.000Z",
    support_closes_at: "2026-12-10T00:00:00.000Z",
    ...patch,
  });
  it("accepts until the later window closes (exclusive), then refuses as closed", () => {
    expect(participationRefusal(c(), new Date("2026-12-05T00:00:00.000Z"))).toBeNull();
    expect(participationRefusal(c(), new Date("2026-12-09T23:59:59.999Z"))).toBeNull();
    expect(participationRefusal(c(), new Date("2026-12-10T00:00:00.000Z"))).toEqual({ ok: false, reason: "consultationClosed" });
    // Whichever window closes last decides.
    expect(participationRefusal(c({ submission_closes_at: "2026-12-20T00:00:00Z" }), new Date("2026-12-15T00:00:00Z"))).toBeNull();
  });
  it("refuses a consultation that is not the active one, and says archived before closed", () => {
    expect(participationRefusal(c({ is_active: 0 }), new Date("2026-12-05T00:00:00Z"))).toEqual({
      ok: false,
      reason: "consultationClosed",
    });
    expect(participationRefusal(c({ is_active: 0, archived_at: "2026-12-04T00:00:00Z" }), new Date("2026-12-05T00:00:00Z"))).toEqual({
      ok: false,
      reason: "consultationArchived",
    });
  });
  it("keeps reports open until archived", () => {
    expect(reportsRefusal({ archived_at: null })).toBeNull();
    expect(reportsRefusal({ archived_at: "2026-12-04T00:00:00Z" })).toEqual({ ok: false, reason: "consultationArchived" });
  });
});
