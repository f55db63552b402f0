// Recommendations on a real migrated database (SQLite, and PostgreSQL with
// TEST_DATABASE_URL): validation, the unique-supporter arithmetic across
// sources (shared supporters and a merge's carried rows count once), the
// breakdowns, link refusals, "included" and "response" events, notifications
// to authors and supporters once each, and the audit entries.
import { beforeAll, describe, expect, it } from "vitest";
import { listPublicRecommendations } from "~/models/export.server";
import { hideSubmission, mergeSubmission, rejectSubmission } from "~/models/moderation.server";
import {
  createRecommendation,
  getRecommendation,
  linkSource,
  listRecommendations,
  recommendationFigures,
  recordResponse,
  unlinkSource,
  updateRecommendation,
} from "~/models/recommendation.server";
import { setOrganisationVerified } from "~/models/organisation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

const validInput = (overrides: Record<string, unknown> = {}) => ({
  title: "Refund duties on export inputs within 30 days",
  text: "Exporters of leather goods should get duty drawback within thirty days of shipment.",
  cluster: ["leather"],
  category: ["export-markets"],
  priority: "2",
  dissent: "",
  status: "draft",
  ...overrides,
});

describe(`recommendations (${testDialect})`, () => {
  const t = useTestDb();
  let organiser: MadeUser;
  let moderator: MadeUser;
  let org: { actorId: number; actorRole: string };

  beforeAll(async () => {
    organiser = await makeUser(t.db, { role: "organiser" });
    moderator = await makeUser(t.db, { role: "moderator" });
    org = { actorId: organiser.id, actorRole: "organiser" };
    // Supports need an open support window.
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
  });

  const published = (by: MadeUser, title: string, cluster = "leather") =>
    makePublishedSubmission(t.db, { authorId: by.id, moderatorId: moderator.id, input: { title, cluster } });
  const support = async (submissionId: number, user: MadeUser) => {
    const r = await supportSubmission(t.db, { submissionId, userId: user.id });
    if (!r.ok) throw new Error(`support refused: ${JSON.stringify(r)}`);
  };
  const create = async (overrides: Record<string, unknown> = {}) => {
    const r = await createRecommendation(t.db, { ...org, input: validInput(overrides) });
    if (!r.ok) throw new Error(`create refused: ${JSON.stringify(r)}`);
    return r.id;
  };
  const events = async (id: number) =>
    (await t.db.selectFrom("submission_events").select(["event"]).where("submission_id", "=", id).orderBy("id").execute()).map(
      (e) => e.event,
    );
  const notes = (kind: string, recommendationId: number) =>
    t.db
      .selectFrom("notifications")
      .select(["user_id", "submission_id"])
      .where("kind", "=", kind)
      .where("recommendation_id", "=", recommendationId)
      .orderBy("user_id")
      .execute();
  const audits = (id: number) =>
    t.db
      .selectFrom("audit_log")
      .select(["action"])
      .where("target_type", "=", "recommendation")
      .where("target_id", "=", String(id))
      .orderBy("id")
      .execute();

  describe("validation", () => {
    it("refuses bad input by field and writes nothing", async () => {
      const before = await t.db
        .selectFrom("recommendations")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      const r = await createRecommendation(t.db, {
        ...org,
        input: {
          title: "abc",
          text: "short",
          cluster: ["no-such-cluster"],
          category: [],
          priority: "9",
          dissent: "x".repeat(5001),
          status: "maybe",
        },
      });
      expect(r.ok).toBe(false);
      if (r.ok || r.reason !== "invalid") throw new Error("expected invalid");
      expect(Object.keys(r.fieldErrors).sort()).toEqual(["category", "dissent", "priority", "status", "text", "title"]);
      expect(r.fieldErrors.title).toEqual(["errors.tooShort|5"]);
      expect(r.fieldErrors.category).toEqual(["errors.categoryRequired"]);
      const unknownCluster = await createRecommendation(t.db, { ...org, input: validInput({ cluster: ["no-such-cluster"] }) });
      expect(unknownCluster).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { cluster: ["errors.invalid"] } });
      const after = await t.db
        .selectFrom("recommendations")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it("creates a cross-cluster recommendation (no cluster) with an audit entry; update is audited too", async () => {
      const id = await create({ cluster: [], category: ["export-markets", "financial-assistance"] });
      const r = await getRecommendation(t.db, { id });
      expect(r?.clusters).toEqual([]);
      expect(r?.status).toBe("draft");
      const u = await updateRecommendation(t.db, {
        ...org,
        id,
        input: validInput({ title: "A clearer title for the duty refund", priority: 1 }),
      });
      expect(u.ok).toBe(true);
      expect((await getRecommendation(t.db, { id }))?.priority).toBe(1);
      expect((await audits(id)).map((a) => a.action)).toEqual(["recommendation.create", "recommendation.update"]);
      expect(await updateRecommendation(t.db, { ...org, id: 999_999, input: validInput() })).toEqual({ ok: false, reason: "notFound" });
    });
  });

  describe("unique supporters across sources", () => {
    it("counts a person behind two sources once, and a merge's carried rows once; breakdowns by cluster, size and province", async () => {
      const author = await makeUser(t.db);
      const a = await published(author, "Cheaper export credit for tanneries in Sialkot");
      const b = await published(author, "Faster duty drawback for surgical exporters", "surgical-instruments");
      const shared = await makeUser(t.db, {
        organisation: {
          name: "Karachi Medium Works",
          type: "firm",
          sizeBand: "medium",
          city: "Karachi",
          province: "sindh",
          clusterSlug: "leather",
        },
      });
      const onlyA = await makeUser(t.db);
      const onlyB = await makeUser(t.db);
      await support(a, shared);
      await support(b, shared);
      await support(a, onlyA);
      await support(b, onlyB);

      // A duplicate merged into b: its supporter is carried to b (merged_from_id) and also still on the duplicate.
      const dupAuthor = await makeUser(t.db);
      const dup = await published(dupAuthor, "Duty drawback for surgical instrument exporters again", "surgical-instruments");
      const carried = await makeUser(t.db);
      await support(dup, carried);
      await support(dup, shared);
      const m = await mergeSubmission(t.db, { id: dup, into: b, moderatorId: moderator.id, moderatorRole: "moderator" });
      expect(m.ok).toBe(true);
      const carriedRows = await t.db
        .selectFrom("supports")
        .select(["user_id", "merged_from_id"])
        .where("submission_id", "=", b)
        .where("merged_from_id", "=", dup)
        .execute();
      expect(carriedRows.map((r) => r.user_id)).toEqual([carried.id]);

      const id = await create();
      for (const s of [a, b, dup]) expect(await linkSource(t.db, { ...org, id, submissionId: s })).toEqual({ ok: true, changed: true });
      // Sum of the sources' own counts: a 2, b 3 (shared, onlyB, carried), dup 2 = 7 rows; 4 people.
      const f = (await recommendationFigures(t.db, [id])).get(id)!;
      expect(f.uniqueSupporters).toBe(4);
      const distinctOrgs = new Set([shared, onlyA, onlyB, carried].map((u) => u.organisationId)).size;
      expect(f.organisations).toBe(distinctOrgs);
      expect(f.provinces).toBe(2);
      expect(Object.fromEntries(f.byCluster.map((c) => [c.slug, c.supporters]))).toEqual({ leather: 2, "surgical-instruments": 3 });
      expect(Object.fromEntries(f.bySize.map((s) => [s.sizeBand, s.supporters]))).toEqual({ small: 3, medium: 1 });
      expect(Object.fromEntries(f.byProvince.map((p) => [p.province, p.supporters]))).toEqual({ punjab: 3, sindh: 1 });

      // The list shows the same figure and the source count.
      const consultation = await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow();
      const listed = (await listRecommendations(t.db, { consultationId: consultation.id })).find((r) => r.id === id)!;
      expect(listed.sources).toBe(3);
      expect(listed.figures.uniqueSupporters).toBe(4);

      // Unlinking takes a source's people out unless they are behind another source.
      expect(await unlinkSource(t.db, { ...org, id, submissionId: a })).toEqual({ ok: true, changed: true });
      expect((await recommendationFigures(t.db, [id])).get(id)!.uniqueSupporters).toBe(3);
      expect(await unlinkSource(t.db, { ...org, id, submissionId: a })).toEqual({ ok: true, changed: false });
      // An id with no sources has zeros, not a missing entry.
      const empty = await create();
      expect((await recommendationFigures(t.db, [empty])).get(empty)).toMatchObject({
        uniqueSupporters: 0,
        organisations: 0,
        byCluster: [],
      });
      expect((await audits(id)).map((x) => x.action)).toEqual([
        "recommendation.create",
        "recommendation.link",
        "recommendation.link",
        "recommendation.link",
        "recommendation.unlink",
      ]);
    });
  });

  describe("supporters from verified organisations (issue 15)", () => {
    it("are counted apart, a person once across two sources and a merge's carried rows, in the figures, the list and the API rows", async () => {
      const author = await makeUser(t.db);
      const a = await published(author, "Verified figures: a shared testing laboratory for tanneries");
      const b = await published(author, "Verified figures: a shared testing laboratory for instrument makers", "surgical-instruments");
      const dup = await published(author, "Verified figures: a testing laboratory for instrument makers, again", "surgical-instruments");
      // Two people of one verified organisation, one of another verified one, two of unverified ones.
      const verifiedA = await makeUser(t.db);
      const colleague = await makeUser(t.db, { organisation: undefined });
      await t.db.updateTable("users").set({ organisation_id: verifiedA.organisationId }).where("id", "=", colleague.id).execute();
      const verifiedB = await makeUser(t.db);
      const plain1 = await makeUser(t.db);
      const plain2 = await makeUser(t.db);
      for (const o of [verifiedA.organisationId!, verifiedB.organisationId!])
        expect(
          (await setOrganisationVerified(t.db, { id: o, verified: true, moderatorId: moderator.id, moderatorRole: "moderator" })).ok,
        ).toBe(true);
      // verifiedA behind a and b; colleague behind a; verifiedB only on the duplicate, carried into b by the merge; plain1 on a and b.
      await support(a, verifiedA);
      await support(b, verifiedA);
      await support(a, colleague);
      await support(dup, verifiedB);
      await support(a, plain1);
      await support(b, plain1);
      await support(b, plain2);
      expect((await mergeSubmission(t.db, { id: dup, into: b, moderatorId: moderator.id, moderatorRole: "moderator" })).ok).toBe(true);

      const id = await create({ status: "final" });
      for (const s of [a, b, dup]) expect((await linkSource(t.db, { ...org, id, submissionId: s })).ok).toBe(true);
      const f = (await recommendationFigures(t.db, [id])).get(id)!;
      // People: verifiedA, colleague, verifiedB, plain1, plain2 = 5; of them from verified organisations: verifiedA, colleague, verifiedB = 3.
      expect([f.uniqueSupporters, f.verifiedSupporters]).toEqual([5, 3]);
      // Organisations: verifiedA's (shared with colleague), verifiedB's, plain1's, plain2's = 4; verified: 2.
      expect([f.organisations, f.verifiedOrganisations]).toEqual([4, 2]);

      const consultation = await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow();
      const listed = (await listRecommendations(t.db, { consultationId: consultation.id })).find((r) => r.id === id)!;
      expect([listed.figures.verifiedSupporters, listed.figures.verifiedOrganisations]).toEqual([3, 2]);
      const api = (await listPublicRecommendations(t.db, { after: id - 1, limit: 1 })).find((r) => r.id === `R-${id}`)!;
      expect([api.unique_supporters, api.unique_supporters_verified_organisations, api.organisations, api.verified_organisations]).toEqual([
        5, 3, 4, 2,
      ]);

      // Unverifying an organisation moves its people back to the rest at once.
      expect(
        (
          await setOrganisationVerified(t.db, {
            id: verifiedB.organisationId!,
            verified: false,
            moderatorId: moderator.id,
            moderatorRole: "moderator",
          })
        ).ok,
      ).toBe(true);
      const after = (await recommendationFigures(t.db, [id])).get(id)!;
      expect([after.uniqueSupporters, after.verifiedSupporters, after.organisations, after.verifiedOrganisations]).toEqual([5, 2, 4, 1]);
      // No sources: zeros.
      const empty = await create();
      expect((await recommendationFigures(t.db, [empty])).get(empty)).toMatchObject({ verifiedSupporters: 0, verifiedOrganisations: 0 });
    });
  });

  describe("link refusals", () => {
    it("refuses pending, rejected and other-consultation suggestions, with the reason, and unknown ones", async () => {
      const author = await makeUser(t.db);
      const id = await create();
      const pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "A pending suggestion about export credit" } });
      expect(await linkSource(t.db, { ...org, id, submissionId: pending })).toEqual({ ok: false, reason: "notPublic", status: "pending" });
      const rejected = await makeSubmission(t.db, { authorId: author.id, input: { title: "A rejected suggestion about export credit" } });
      expect(
        (
          await rejectSubmission(t.db, {
            id: rejected,
            moderatorId: moderator.id,
            moderatorRole: "moderator",
            reasonCode: "off-topic",
            reason: "Off topic",
          })
        ).ok,
      ).toBe(true);
      expect(await linkSource(t.db, { ...org, id, submissionId: rejected })).toEqual({
        ok: false,
        reason: "notPublic",
        status: "rejected",
      });
      expect(await linkSource(t.db, { ...org, id, submissionId: 999_999 })).toEqual({ ok: false, reason: "submissionNotFound" });
      const other = await published(author, "A suggestion of another consultation");
      const k = await t.db
        .insertInto("consultations")
        .values({
          slug: `other-${Date.now()}`,
          title_en: "Other",
          title_ur: "دیگر",
          description_en: "",
          description_ur: "",
          is_active: 0,
          submission_opens_at: "2000-01-01T00:00:00.000Z",
          submission_closes_at: "2000-02-01T00:00:00.000Z",
          support_opens_at: "2000-01-01T00:00:00.000Z",
          support_closes_at: "2000-02-01T00:00:00.000Z",
          support_budget: 0,
          allow_self_support: 0,
          reports_to_hide: 3,
          archived_at: null,
          created_at: "2000-01-01T00:00:00.000Z",
          updated_at: "2000-01-01T00:00:00.000Z",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await t.db.updateTable("submissions").set({ consultation_id: k.id }).where("id", "=", other).execute();
      expect(await linkSource(t.db, { ...org, id, submissionId: other })).toEqual({ ok: false, reason: "otherConsultation" });
      expect(await linkSource(t.db, { ...org, id: 999_999, submissionId: other })).toEqual({ ok: false, reason: "notFound" });
      const links = await t.db
        .selectFrom("recommendation_submissions")
        .select("submission_id")
        .where("recommendation_id", "=", id)
        .execute();
      expect(links).toEqual([]);
      expect((await audits(id)).map((x) => x.action)).toEqual(["recommendation.create"]);
    });
  });

  describe("final recommendations and the government response", () => {
    it("tells authors once when their source becomes part of a final recommendation, with an 'included' event", async () => {
      const author = await makeUser(t.db);
      const a = await published(author, "Common effluent treatment for Kasur tanneries");
      const b = await published(author, "Shared effluent plant financing for tanneries");
      const id = await create();
      await linkSource(t.db, { ...org, id, submissionId: a });
      expect(await notes("recommended", id)).toEqual([]);
      expect(await events(a)).not.toContain("included");
      expect((await updateRecommendation(t.db, { ...org, id, input: validInput({ status: "final" }) })).ok).toBe(true);
      expect(await events(a)).toContain("included");
      await linkSource(t.db, { ...org, id, submissionId: b });
      expect((await events(b)).filter((e) => e === "included")).toHaveLength(1);
      // The same author behind two sources: told once.
      expect(await notes("recommended", id)).toEqual([{ user_id: author.id, submission_id: a }]);
      // Final → draft → final again: no second event or notification.
      await updateRecommendation(t.db, { ...org, id, input: validInput({ status: "draft" }) });
      await updateRecommendation(t.db, { ...org, id, input: validInput({ status: "final" }) });
      expect((await events(a)).filter((e) => e === "included")).toHaveLength(1);
      expect(await notes("recommended", id)).toHaveLength(1);
    });

    it("records a response: validation, drafts refused, authors and supporters notified once each, events and audit", async () => {
      const authorA = await makeUser(t.db);
      const authorB = await makeUser(t.db);
      const a = await published(authorA, "Digital export certificates for leather goods");
      const b = await published(authorB, "Online certificates of origin for exporters");
      const both = await makeUser(t.db);
      const onlyA = await makeUser(t.db);
      await support(a, both);
      await support(b, both);
      await support(a, onlyA);
      await support(b, authorA); // an author who also supports the other source: told once
      const id = await create();
      await linkSource(t.db, { ...org, id, submissionId: a });
      await linkSource(t.db, { ...org, id, submissionId: b });
      const good = {
        responseStatus: "accepted",
        responseText: "The ministry will issue certificates online.",
        responsibleAgency: "Ministry of Commerce",
        responseDate: "2027-03-01",
      };

      expect(await recordResponse(t.db, { ...org, id, input: good })).toEqual({ ok: false, reason: "notFinal" });
      await updateRecommendation(t.db, { ...org, id, input: validInput({ status: "final" }) });
      const bad = await recordResponse(t.db, {
        ...org,
        id,
        input: { responseStatus: "maybe", responseText: "", responsibleAgency: "", responseDate: "2027-02-30" },
      });
      expect(bad).toMatchObject({ ok: false, reason: "invalid" });
      if (bad.ok || bad.reason !== "invalid") throw new Error("expected invalid");
      expect(Object.keys(bad.fieldErrors).sort()).toEqual(["responseDate", "responseStatus", "responseText", "responsibleAgency"]);
      expect((await getRecommendation(t.db, { id }))?.response_status).toBeNull();
      expect(await recordResponse(t.db, { ...org, id: 999_999, input: good })).toEqual({ ok: false, reason: "notFound" });

      const r = await recordResponse(t.db, { ...org, id, input: good });
      expect(r).toEqual({ ok: true, notified: 4 });
      const told = await notes("responded", id);
      expect(told.map((n) => n.user_id)).toEqual([authorA.id, authorB.id, both.id, onlyA.id].sort((x, y) => x - y));
      expect(told.find((n) => n.user_id === both.id)?.submission_id).toBe(Math.min(a, b));
      expect(await events(a)).toContain("response");
      expect(await events(b)).toContain("response");
      const rec = await getRecommendation(t.db, { id });
      expect(rec).toMatchObject({ response_status: "accepted", responsible_agency: "Ministry of Commerce", response_date: "2027-03-01" });
      expect((await audits(id)).map((x) => x.action)).toContain("recommendation.respond");
    });

    it("finalOnly hides drafts", async () => {
      const id = await create();
      expect(await getRecommendation(t.db, { id, finalOnly: true })).toBeNull();
      expect(await getRecommendation(t.db, { id })).not.toBeNull();
    });
  });

  describe("sources that are no longer public (issue 13, finding 4)", () => {
    it("public readers get only published or merged sources and a count of the others; organisers get all", async () => {
      const author = await makeUser(t.db);
      const kept = await published(author, "Public source that stays published");
      const mergedAway = await published(author, "Public source merged into the kept one");
      const rejected = await published(author, "Public source rejected after it was linked");
      const hidden = await published(author, "Public source hidden after it was linked");
      const id = await create({ status: "final", title: "Recommendation whose sources change state" });
      for (const s of [kept, mergedAway, rejected, hidden])
        expect(await linkSource(t.db, { ...org, id, submissionId: s })).toMatchObject({ ok: true });
      const mod = { moderatorId: moderator.id, moderatorRole: "moderator" as const };
      expect(await mergeSubmission(t.db, { ...mod, id: mergedAway, into: kept })).toMatchObject({ ok: true });
      expect(await rejectSubmission(t.db, { ...mod, id: rejected, reasonCode: "abusive", reason: "Abusive language." })).toMatchObject({
        ok: true,
      });
      expect(await hideSubmission(t.db, { ...mod, id: hidden })).toMatchObject({ ok: true });

      const pub = await getRecommendation(t.db, { id, finalOnly: true, publicSources: true });
      expect(pub?.sources.map((s) => s.id)).toEqual([kept, mergedAway]);
      expect(pub?.sourcesNotPublic).toBe(2);
      const organisers = await getRecommendation(t.db, { id });
      expect(organisers?.sources.map((s) => s.id)).toEqual([kept, mergedAway, rejected, hidden]);
      expect(organisers?.sourcesNotPublic).toBe(0);

      const consultationId = (
        await t.db.selectFrom("recommendations").select("consultation_id").where("id", "=", id).executeTakeFirstOrThrow()
      ).consultation_id;
      const listed = (await listRecommendations(t.db, { consultationId, finalOnly: true, publicSources: true })).find((r) => r.id === id);
      expect(listed).toMatchObject({ sources: 2, sources_not_public: 2 });
      expect((await listRecommendations(t.db, { consultationId })).find((r) => r.id === id)).toMatchObject({ sources: 4 });

      const api = (await listPublicRecommendations(t.db, { after: id - 1, limit: 1 }))[0];
      expect(api).toMatchObject({ id: `R-${id}`, sources: `${kept};${mergedAway}`, sources_not_public: 2 });
    });
  });
});
