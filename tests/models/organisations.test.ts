// Organisation verification on a real migrated database (SQLite, and
// PostgreSQL with TEST_DATABASE_URL): the moderators' list (search by name or
// registration number, the verified filter, member counts), one organisation
// with its members, suggestions and history, verify/unverify with their audit
// rows, and the verified-organisation count of the dashboards.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  countVerifiedOrganisations,
  getOrganisationForModerator,
  listOrganisations,
  setOrganisationVerified,
} from "~/models/organisation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { approveJoin, type MadeUser, makePublishedSubmission, makeUser } from "../support/factories";

describe(`organisations for moderators (${testDialect})`, () => {
  const t = useTestDb();
  let moderator: MadeUser;
  let mod: { moderatorId: number; moderatorRole: "moderator" };

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator", organisation: null });
    mod = { moderatorId: moderator.id, moderatorRole: "moderator" };
  });

  /** A word no other organisation of this file has. */
  const token = () => `zq${randomBytes(4).toString("hex")}`;
  /** A member of a new (or, with the same registration number, existing) organisation. */
  const member = (name: string, registrationNumber?: string, displayName = "Test Person") =>
    makeUser(t.db, {
      displayName,
      organisation: {
        name,
        type: "association",
        sizeBand: "medium",
        city: "Sialkot",
        province: "punjab",
        clusterSlug: "surgical-instruments",
        registrationNumber,
      },
    });
  const orgRow = (id: number) => t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const audits = (id: number) =>
    t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("target_type", "=", "organisation")
      .where("target_id", "=", String(id))
      .orderBy("id")
      .execute();
  const list = (q: Partial<Parameters<typeof listOrganisations>[1]>) => listOrganisations(t.db, { page: 1, pageSize: 50, ...q });

  describe("the list", () => {
    it("finds an organisation by part of its name, whatever the case and spacing", async () => {
      const word = token();
      const a = await member(`Sialkot  ${word} Surgical Works`);
      await member(`Another ${token()} Works`);
      const rows = await list({ q: `  ${word.toUpperCase()}  SURGICAL ` });
      expect(rows.map((r) => r.id)).toEqual([a.organisationId]);
      expect(rows[0]).toMatchObject({
        name: `Sialkot  ${word} Surgical Works`,
        type: "association",
        size_band: "medium",
        city: "Sialkot",
        province: "punjab",
        cluster_slug: "surgical-instruments",
        verified: false,
        verified_at: null,
        verified_by_name: null,
      });
    });

    it("finds an organisation by its registration number as people type it", async () => {
      const digits = String(1_000_000 + Math.floor(Math.random() * 8_999_999));
      const a = await member(`Numbered ${token()} Ltd`, `ntn ${digits}-4`);
      expect((await orgRow(a.organisationId!)).registration_number).toBe(`NTN${digits}-4`);
      expect((await list({ q: `NTN ${digits}-4` })).map((r) => r.id)).toEqual([a.organisationId]);
      expect((await list({ q: digits })).map((r) => r.id)).toEqual([a.organisationId]);
      expect((await list({ q: `${digits}-4`.toLowerCase() }))[0]).toMatchObject({ registration_number: `NTN${digits}-4` });
    });

    it("takes LIKE wildcards in the search as text, not as patterns", async () => {
      const word = token();
      await member(`Percent ${word} Traders`);
      expect(await list({ q: "%" })).toEqual(await list({}));
      expect(await list({ q: `${word}_` })).toHaveLength(1);
      expect(await list({ q: `zz%${word}` })).toEqual([]);
    });

    it("counts the members of each organisation (colleagues join by registration number)", async () => {
      const word = token();
      const number = `SECP-${randomBytes(3).toString("hex")}`;
      const first = await member(`Members ${word} Guild`, number);
      // The colleague's registration is a request to join until a member approves it (issue 15).
      const second = await approveJoin(t.db, await member(`Members ${word} Guild (typed again)`, number), first);
      await member(`Members ${word} Solo`);
      expect(second.organisationId).toBe(first.organisationId);
      const rows = await list({ q: word });
      expect(rows.map((r) => [r.name, r.members])).toEqual([
        [`Members ${word} Guild`, 2],
        [`Members ${word} Solo`, 1],
      ]);
    });

    it("filters verified and unverified organisations", async () => {
      const word = token();
      const yes = await member(`Filter ${word} Verified`);
      const no = await member(`Filter ${word} Unverified`);
      await setOrganisationVerified(t.db, { ...mod, id: yes.organisationId!, verified: true });
      expect((await list({ q: word, verified: "yes" })).map((r) => r.id)).toEqual([yes.organisationId]);
      expect((await list({ q: word, verified: "no" })).map((r) => r.id)).toEqual([no.organisationId]);
      expect(await list({ q: word })).toHaveLength(2);
      expect((await list({ q: word, verified: "yes" }))[0]).toMatchObject({ verified: true, verified_by_name: "Test Person" });
    });

    it("pages by name", async () => {
      const word = token();
      for (const n of ["c", "a", "b"]) await member(`${word} ${n}`);
      const p1 = await listOrganisations(t.db, { q: word, page: 1, pageSize: 2 });
      const p2 = await listOrganisations(t.db, { q: word, page: 2, pageSize: 2 });
      // pageSize + 1 rows: the extra one says there is a next page.
      expect(p1.map((r) => r.name)).toEqual([`${word} a`, `${word} b`, `${word} c`]);
      expect(p2.map((r) => r.name)).toEqual([`${word} c`]);
    });
  });

  describe("verify and unverify", () => {
    it("sets verified, when and by whom, with an audit row; unverify clears them, with its own", async () => {
      const a = await member(`Verify ${token()} Exports`);
      const id = a.organisationId!;
      const at = new Date("2026-12-01T10:00:00.000Z");
      expect(await setOrganisationVerified(t.db, { ...mod, id, verified: true, reason: "NTN checked with FBR", now: at })).toEqual({
        ok: true,
        changed: true,
      });
      expect(await orgRow(id)).toMatchObject({ verified: 1, verified_at: "2026-12-01T10:00:00.000Z", verified_by: moderator.id });
      let log = await audits(id);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        action: "organisation.verify",
        actor_id: moderator.id,
        actor_role: "moderator",
        reason: "NTN checked with FBR",
      });
      expect(JSON.parse(log[0].before!)).toEqual({ verified: false, verifiedAt: null, verifiedBy: null });
      expect(JSON.parse(log[0].after!)).toEqual({ verified: true, verifiedAt: "2026-12-01T10:00:00.000Z", verifiedBy: moderator.id });

      // The state it already has: nothing changes, nothing is logged.
      expect(await setOrganisationVerified(t.db, { ...mod, id, verified: true })).toEqual({ ok: true, changed: false });
      expect(await audits(id)).toHaveLength(1);

      expect(await setOrganisationVerified(t.db, { ...mod, id, verified: false, reason: "Number belongs to another firm" })).toEqual({
        ok: true,
        changed: true,
      });
      expect(await orgRow(id)).toMatchObject({ verified: 0, verified_at: null, verified_by: null });
      log = await audits(id);
      expect(log.map((l) => l.action)).toEqual(["organisation.verify", "organisation.unverify"]);
      expect(JSON.parse(log[1].before!)).toEqual({ verified: true, verifiedAt: "2026-12-01T10:00:00.000Z", verifiedBy: moderator.id });
      expect(JSON.parse(log[1].after!)).toEqual({ verified: false, verifiedAt: null, verifiedBy: null });
      expect(log[1].reason).toBe("Number belongs to another firm");
    });

    it("refuses an unknown organisation and a note over 2000 characters, changing nothing", async () => {
      expect(await setOrganisationVerified(t.db, { ...mod, id: 999_999, verified: true })).toEqual({ ok: false, reason: "notFound" });
      const a = await member(`Long ${token()} Note`);
      expect(
        await setOrganisationVerified(t.db, { ...mod, id: a.organisationId!, verified: true, reason: "x".repeat(2001) }),
      ).toMatchObject({ ok: false, reason: "invalid" });
      expect((await orgRow(a.organisationId!)).verified).toBe(0);
      expect(await audits(a.organisationId!)).toEqual([]);
    });

    it("two moderators verifying at once make one change and one audit row", async () => {
      const a = await member(`Race ${token()} Co`);
      const results = await Promise.all(
        [1, 2, 3].map(() => setOrganisationVerified(t.db, { ...mod, id: a.organisationId!, verified: true })),
      );
      expect(results.filter((r) => r.ok && r.changed)).toHaveLength(1);
      expect(await audits(a.organisationId!)).toHaveLength(1);
    });
  });

  describe("one organisation", () => {
    it("has its members with emails and roles, its suggestions and its verification history, newest first", async () => {
      const number = `REG${randomBytes(3).toString("hex")}`;
      const name = `Page ${token()} Instruments`;
      const first = await member(name, number, "Farah Qureshi");
      const second = await approveJoin(t.db, await member(name, number, "Imran Butt"), first);
      const id = first.organisationId!;
      const s = await makePublishedSubmission(t.db, {
        authorId: second.id,
        moderatorId: moderator.id,
        input: { title: "Sterilisation lab shared by the cluster" },
      });
      await setOrganisationVerified(t.db, { ...mod, id, verified: true, now: new Date("2026-12-01T10:00:00.000Z") });
      await setOrganisationVerified(t.db, {
        ...mod,
        id,
        verified: false,
        reason: "Wrong number",
        now: new Date("2026-12-02T10:00:00.000Z"),
      });

      const o = await getOrganisationForModerator(t.db, id);
      expect(o).toMatchObject({
        id,
        name,
        registration_number: number.toUpperCase(),
        verified: false,
        cluster_slug: "surgical-instruments",
        submissionCount: 1,
      });
      expect(o!.members.map((m) => [m.display_name, m.email, m.role])).toEqual([
        ["Farah Qureshi", first.email, "stakeholder"],
        ["Imran Butt", second.email, "stakeholder"],
      ]);
      expect(o!.submissions.map((x) => [x.id, x.title, x.status])).toEqual([[s, "Sterilisation lab shared by the cluster", "published"]]);
      expect(o!.history.map((h) => [h.action, h.actor_name, h.reason])).toEqual([
        ["organisation.unverify", "Test Person", "Wrong number"],
        ["organisation.verify", "Test Person", null],
      ]);
    });

    it("is null when unknown", async () => {
      expect(await getOrganisationForModerator(t.db, 999_999)).toBeNull();
    });
  });

  describe("countVerifiedOrganisations", () => {
    it("counts verified organisations, overall and among those taking part in a consultation", async () => {
      const consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
      const overall0 = await countVerifiedOrganisations(t.db);
      const inConsultation0 = await countVerifiedOrganisations(t.db, consultationId);

      const author = await member(`Count ${token()} Author`);
      const supporter = await member(`Count ${token()} Supporter`);
      const bystander = await member(`Count ${token()} Bystander`);
      const unverifiedAuthor = await member(`Count ${token()} Unverified`);
      const s = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      await makePublishedSubmission(t.db, { authorId: unverifiedAuthor.id, moderatorId: moderator.id });
      expect((await supportSubmission(t.db, { submissionId: s, userId: supporter.id })).ok).toBe(true);

      for (const u of [author, supporter, bystander])
        await setOrganisationVerified(t.db, { ...mod, id: u.organisationId!, verified: true });
      expect(await countVerifiedOrganisations(t.db)).toBe(overall0 + 3);
      // The bystander took no part; the unverified author is not verified.
      expect(await countVerifiedOrganisations(t.db, consultationId)).toBe(inConsultation0 + 2);
      expect(await countVerifiedOrganisations(t.db, 999_999)).toBe(0);

      await setOrganisationVerified(t.db, { ...mod, id: author.organisationId!, verified: false });
      expect(await countVerifiedOrganisations(t.db)).toBe(overall0 + 2);
      expect(await countVerifiedOrganisations(t.db, consultationId)).toBe(inConsultation0 + 1);
    });
  });
});
