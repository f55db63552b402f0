// Workshop entry on a real migrated database: a moderator enters a paper
// suggestion on behalf of an existing or a new organisation; the form's schema;
// the organisation search that feeds the form's list.
import { beforeAll, describe, expect, it } from "vitest";
import { WorkshopFormSchema, type WorkshopInput } from "~/lib/schemas";
import { enterWorkshopSubmission, searchOrganisations } from "~/models/workshop.server";
import { entryCounts, testDialect } from "../support/db";
import { makeUser, type MadeUser } from "../support/factories";
import { useActiveConsultation, useTestDb } from "../support/suite";

const SUGGESTION = {
  cluster: "leather",
  title: "Common finishing unit for small tanneries",
  problem: "Small tanneries send hides to Lahore for finishing and lose weeks on every order.",
  proposal: "Set up a common finishing unit in Kasur with equipment leased to members by the hour.",
};

describe(`workshop entry (${testDialect})`, () => {
  const t = useTestDb();
  const consultation = useActiveConsultation(t);
  let moderator: MadeUser;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
  });

  /** The form as posted, parsed by the form's own schema. */
  const input = (fields: Record<string, string | undefined>): WorkshopInput => WorkshopFormSchema.parse({ ...SUGGESTION, ...fields });
  const enter = (fields: Record<string, string | undefined>, role: "moderator" | "admin" = "moderator") =>
    enterWorkshopSubmission(t.db, { moderator: { id: moderator.id, role }, input: input(fields) });
  const counts = () => entryCounts(t.db);
  const submission = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const clusterId = async (slug: string) =>
    (await t.db.selectFrom("clusters").select("id").where("slug", "=", slug).executeTakeFirstOrThrow()).id;
  const knownOrganisation = async (name: string, cluster = "leather") =>
    (
      await makeUser(t.db, {
        organisation: { name, type: "association", sizeBand: "medium", city: "Kasur", province: "punjab", clusterSlug: cluster },
      })
    ).organisationId!;

  it("for an existing organisation: pending, source workshop, no author, the moderator in the history and the audit log", async () => {
    const orgId = await knownOrganisation(`Kasur Tanners ${Date.now()}`);
    const before = await counts();
    const r = await enter(
      { organisationId: String(orgId), stage: "production", horizon: "medium", suggestedCategory: "technology-transfer" },
      "admin",
    );
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r).toMatchObject({ organisationId: orgId, organisationCreated: false });
    const after = await counts();
    expect(after).toEqual({ ...before, submissions: before.submissions + 1, events: before.events + 1, audit: before.audit + 1 });

    const category = await t.db.selectFrom("categories").select("id").where("slug", "=", "technology-transfer").executeTakeFirstOrThrow();
    expect(await submission(r.id)).toMatchObject({
      consultation_id: consultation.id,
      cluster_id: await clusterId("leather"),
      author_id: null,
      organisation_id: orgId,
      status: "pending",
      source: "workshop",
      title: SUGGESTION.title,
      stage: "production",
      horizon: "medium",
      suggested_category_id: category.id,
    });
    const events = await t.db.selectFrom("submission_events").selectAll().where("submission_id", "=", r.id).execute();
    // The public history names the role that acted: moderator, even for an admin doing a moderator's work.
    expect(events.map((e) => [e.event, e.actor_id, e.actor_role])).toEqual([["submitted", moderator.id, "moderator"]]);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "submission.workshop")
      .where("target_id", "=", String(r.id))
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_id: moderator.id, actor_role: "admin", target_type: "submission" });
    expect(JSON.parse(audit.after!)).toMatchObject({
      status: "pending",
      source: "workshop",
      organisationId: orgId,
      organisationCreated: false,
    });
  });

  it("for a new organisation: creates it with the typed details in the suggestion's cluster", async () => {
    const name = `Multan Leather Cooperative ${Date.now()}`;
    const before = await counts();
    const r = await enter({
      cluster: "food-processing",
      organisationName: `  ${name} `,
      organisationType: "association",
      sizeBand: "micro",
      city: "Multan",
      province: "punjab",
    });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.organisationCreated).toBe(true);
    expect((await counts()).organisations).toBe(before.organisations + 1);
    const org = await t.db.selectFrom("organisations").selectAll().where("id", "=", r.organisationId).executeTakeFirstOrThrow();
    expect(org).toMatchObject({
      name,
      name_normalised: name.toLowerCase(),
      type: "association",
      size_band: "micro",
      city: "Multan",
      province: "punjab",
      cluster_id: await clusterId("food-processing"),
      registration_number: null,
      verified: 0,
    });
    expect(await submission(r.id)).toMatchObject({
      organisation_id: r.organisationId,
      source: "workshop",
      status: "pending",
      author_id: null,
    });
  });

  it("refuses a new organisation whose name is already known (choose it instead), writing nothing", async () => {
    const name = `Sialkot Gloves ${Date.now()}`;
    await knownOrganisation(name);
    const before = await counts();
    const r = await enter({
      organisationName: name.toUpperCase(),
      organisationType: "firm",
      sizeBand: "small",
      city: "Sialkot",
      province: "punjab",
    });
    expect(r).toEqual({ ok: false, reason: "invalid", fieldErrors: { organisationName: ["workshop.errors.organisationExists"] } });
    expect(await counts()).toEqual(before);
  });

  it("refuses an unknown organisation or an archived cluster, writing nothing", async () => {
    const before = await counts();
    expect(await enter({ organisationId: "999999" })).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { organisationId: ["errors.invalid"] },
    });
    await t.db.updateTable("clusters").set({ archived: 1 }).where("slug", "=", "leather").execute();
    const orgId = await knownOrganisation(`Archived Cluster Org ${Date.now()}`, "it");
    const mid = await counts();
    expect(await enter({ organisationId: String(orgId) })).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { cluster: ["errors.invalid"] },
    });
    expect(await counts()).toEqual(mid);
    expect(mid.submissions).toBe(before.submissions);
  });

  it("is accepted outside the online submission window, refused with no active consultation (ADR 0010)", async () => {
    const orgId = await knownOrganisation(`Window Org ${Date.now()}`);
    await t.db
      .updateTable("consultations")
      .set({
        submission_opens_at: new Date(Date.now() + 86_400_000).toISOString(),
        submission_closes_at: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      })
      .where("id", "=", consultation.id)
      .execute();
    const early = await enter({ organisationId: String(orgId) });
    expect(early.ok).toBe(true);
    await t.db.updateTable("consultations").set({ is_active: 0 }).where("id", "=", consultation.id).execute();
    const before = await counts();
    expect(await enter({ organisationId: String(orgId) })).toEqual({ ok: false, reason: "noConsultation" });
    expect(await counts()).toEqual(before);
  });

  describe("the form's schema", () => {
    const parse = (fields: Record<string, string>) => WorkshopFormSchema.safeParse({ ...SUGGESTION, ...fields });

    it("asks for every new-organisation field when no organisation is chosen, with the suggestion's own errors", () => {
      const r = parse({ title: "Too short" });
      expect(r.success).toBe(false);
      const errors = r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
      expect(errors).toEqual({
        title: "errors.tooShort|10",
        organisationName: "errors.required",
        organisationType: "errors.required",
        sizeBand: "errors.required",
        city: "errors.required",
        province: "errors.required",
      });
    });

    it("ignores the new-organisation fields when an organisation is chosen", () => {
      const r = parse({ organisationId: "12", organisationName: "x", province: "atlantis" });
      expect(r.success).toBe(true);
      expect(r.success && r.data).toMatchObject({ organisationId: 12 });
      expect(r.success && r.data.organisationName).toBeUndefined();
    });

    it("refuses an organisation id that is not a positive 32-bit number", () => {
      for (const organisationId of ["abc", "0", "-3", "1.5", "99999999999"]) {
        expect(parse({ organisationId }).success, organisationId).toBe(false);
      }
    });
  });

  describe("searchOrganisations", () => {
    it("finds by part of the normalised name, in the cluster given, ordered by name; the chosen one always offered", async () => {
      const stamp = Date.now();
      const a = await knownOrganisation(`Zeta Surgical ${stamp}`, "surgical-instruments");
      const b = await knownOrganisation(`Alpha  SURGICAL ${stamp}`, "surgical-instruments");
      const other = await knownOrganisation(`Beta Surgical ${stamp}`, "leather");
      const ids = async (params: Parameters<typeof searchOrganisations>[1]) => (await searchOrganisations(t.db, params)).map((o) => o.id);

      expect(await ids({ query: `surgical ${stamp}`, clusterSlug: "surgical-instruments" })).toEqual([b, a]);
      expect(await ids({ query: `SURGICAL ${stamp}` })).toEqual([b, other, a]);
      expect(await ids({ query: `surgical ${stamp}`, clusterSlug: "surgical-instruments", includeId: other })).toEqual([other, b, a]);
      expect(await ids({ includeId: other })).toEqual([other]);
      expect(await ids({ query: `surgical ${stamp}`, clusterSlug: "no-such-cluster" })).toEqual([]);
      // With no query, the cluster's organisations.
      expect(await ids({ clusterSlug: "surgical-instruments" })).toEqual(expect.arrayContaining([a, b]));
    });

    it("treats % and _ as themselves", async () => {
      const stamp = Date.now();
      const percent = await knownOrganisation(`100% Halal Foods ${stamp}`, "food-processing");
      await knownOrganisation(`1000 Halal Foods ${stamp}`, "food-processing");
      expect((await searchOrganisations(t.db, { query: `100% halal foods ${stamp}` })).map((o) => o.id)).toEqual([percent]);
      expect(await searchOrganisations(t.db, { query: `1_0 halal foods ${stamp}` })).toEqual([]);
    });
  });
});
