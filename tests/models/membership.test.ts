// Organisation membership (issue 15, item 4) on a real migrated database
// (SQLite, and PostgreSQL with TEST_DATABASE_URL): a registration with a
// known registration number is a request to join, not a membership; members
// of that organisation and moderators approve or decline; nobody else can;
// the person withdraws their own; counts leave pending people out; two
// registrations of one new number at once; every step in the audit log.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { updateProfile } from "~/models/account.server";
import {
  decideJoinRequest,
  getMembership,
  joinDecisionRefusal,
  listJoinRequests,
  MEMBERSHIP_REFUSALS,
  withdrawJoinRequest,
} from "~/models/membership.server";
import {
  getOrganisationForModerator,
  listOrganisations,
  setOrganisationVerified,
  updateOrganisationByModerator,
} from "~/models/organisation.server";
import { countSupportBreadth, getSupportBreadth } from "~/models/submission.server";
import { supportSubmission } from "~/models/support.server";
import { createUser, type OrganisationInput } from "~/models/user.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { GOOD_PASSWORD, makePublishedSubmission, makeUser, uniqueEmail, type MadeUser } from "../support/factories";

describe(`organisation membership (${testDialect})`, () => {
  const t = useTestDb();
  let moderator: MadeUser;
  let author: MadeUser;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator", organisation: null });
    author = await makeUser(t.db);
  });

  const number = () => `NTN-${randomBytes(4).toString("hex")}`;
  const org = (registrationNumber: string, overrides: Partial<OrganisationInput> = {}): OrganisationInput => ({
    name: `Membership Works ${randomBytes(3).toString("hex")}`,
    type: "firm",
    sizeBand: "small",
    city: "Sialkot",
    province: "punjab",
    clusterSlug: "leather",
    registrationNumber,
    ...overrides,
  });
  const userRow = (id: number) =>
    t.db
      .selectFrom("users")
      .select(["organisation_id", "requested_organisation_id", "organisation_requested_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  const orgRow = (id: number) => t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const audits = (orgId: number) =>
    t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "actor_role", "after", "reason"])
      .where("target_type", "=", "organisation")
      .where("target_id", "=", String(orgId))
      .where("action", "like", "organisation.join-%")
      .orderBy("id")
      .execute();

  /** A founder of a new organisation and a person who typed its number afterwards. */
  async function founderAndRequester(overrides: Partial<OrganisationInput> = {}) {
    const n = number();
    const founder = await makeUser(t.db, { displayName: "Founding Member", organisation: org(n) });
    const requester = await makeUser(t.db, { displayName: "Asks To Join", organisation: org(n, overrides) });
    return { founder, requester, orgId: founder.organisationId! };
  }

  it("registering with a known number makes a request, not a membership, and applies none of the form's details", async () => {
    const { founder, requester, orgId } = await founderAndRequester({ name: "Renamed By A Stranger", province: "sindh", type: "other" });
    expect(founder.organisationId).not.toBeNull();
    expect(requester.organisationId).toBeNull();
    const row = await userRow(requester.id);
    expect(row.organisation_id).toBeNull();
    expect(row.requested_organisation_id).toBe(orgId);
    expect(row.organisation_requested_at).not.toBeNull();
    const o = await orgRow(orgId);
    expect(o.name).not.toBe("Renamed By A Stranger");
    expect(o).toMatchObject({ province: "punjab", type: "firm" });
    expect(await getMembership(t.db, requester.id)).toMatchObject({ status: "requested", registrationNumber: o.registration_number });
    expect(await getMembership(t.db, founder.id)).toMatchObject({
      status: "member",
      organisation: { id: orgId, name: o.name, otherMembers: 0 },
      requests: [{ userId: requester.id, displayName: "Asks To Join" }],
    });
    // The members' list shows no email of a requester.
    expect(JSON.stringify(await listJoinRequests(t.db, orgId))).not.toContain(requester.email);
    expect(await getMembership(t.db, moderator.id)).toEqual({ status: "none" });
    // The request is in the audit log, by the person who made it.
    expect(await audits(orgId)).toEqual([
      {
        action: "organisation.join-request",
        actor_id: requester.id,
        actor_role: "stakeholder",
        after: JSON.stringify({ userId: requester.id }),
        reason: null,
      },
    ]);
  });

  it("a pending person cannot edit the organisation's details (their profile has no organisation)", async () => {
    const { requester, orgId } = await founderAndRequester();
    const before = await orgRow(orgId);
    const r = await updateProfile(t.db, {
      userId: requester.id,
      input: {
        displayName: "Asks To Join",
        showOrganisation: true,
        locale: "en",
        organisation: { name: "Taken Over", type: "other", sizeBand: "large", city: "Karachi", province: "sindh" },
      },
    });
    expect(r.ok).toBe(true);
    expect(await orgRow(orgId)).toEqual(before);
  });

  it("a member approves: the person becomes a member, the request is cleared, the decision is logged", async () => {
    const { founder, requester, orgId } = await founderAndRequester();
    expect(await decideJoinRequest(t.db, { actorId: founder.id, requesterId: requester.id, decision: "approve", as: "member" })).toEqual({
      ok: true,
    });
    expect(await userRow(requester.id)).toEqual({
      organisation_id: orgId,
      requested_organisation_id: null,
      organisation_requested_at: null,
    });
    expect(await getMembership(t.db, requester.id)).toMatchObject({ status: "member", organisation: { id: orgId, otherMembers: 1 } });
    expect(await listJoinRequests(t.db, orgId)).toEqual([]);
    const log = await audits(orgId);
    expect(log.map((a) => a.action)).toEqual(["organisation.join-request", "organisation.join-approve"]);
    expect(log[1]).toMatchObject({ actor_id: founder.id, actor_role: "stakeholder", reason: "member" });
    expect(JSON.parse(log[1]!.after!)).toEqual({ userId: requester.id });
    // The member was told of the request, the requester of the decision, by email (the outbox), without the requester's address.
    const outbox = await t.db
      .selectFrom("email_outbox")
      .select(["user_id", "subject", "body"])
      .where("user_id", "in", [founder.id, requester.id])
      .orderBy("id")
      .execute();
    expect(outbox.map((e) => [e.user_id, e.subject])).toEqual([
      [founder.id, en.email.membership.requested.subject],
      [requester.id, en.email.membership.approved.subject],
    ]);
    expect(outbox[0]!.body).toContain("Asks To Join");
    expect(outbox[0]!.body).toContain("/me/organisation");
    expect(outbox[0]!.body).not.toContain(requester.email);
    // Deciding twice: the request is gone.
    expect(await decideJoinRequest(t.db, { actorId: founder.id, requesterId: requester.id, decision: "decline", as: "member" })).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect((await userRow(requester.id)).organisation_id).toBe(orgId);
  });

  it("a member declines: the request is cleared and the person stays an individual", async () => {
    const { founder, requester, orgId } = await founderAndRequester();
    expect(await decideJoinRequest(t.db, { actorId: founder.id, requesterId: requester.id, decision: "decline", as: "member" })).toEqual({
      ok: true,
    });
    expect(await userRow(requester.id)).toEqual({
      organisation_id: null,
      requested_organisation_id: null,
      organisation_requested_at: null,
    });
    expect(await getMembership(t.db, requester.id)).toEqual({ status: "none" });
    expect((await audits(orgId)).map((a) => [a.action, a.actor_id])).toEqual([
      ["organisation.join-request", requester.id],
      ["organisation.join-decline", founder.id],
    ]);
  });

  it("a moderator approves and declines, and is the only one who can for an organisation with no active member", async () => {
    const { founder, requester, orgId } = await founderAndRequester();
    const n = (await orgRow(orgId)).registration_number!;
    const second = await makeUser(t.db, { organisation: org(n) });
    expect(
      await decideJoinRequest(t.db, {
        actorId: moderator.id,
        requesterId: requester.id,
        decision: "approve",
        as: "moderator",
        organisationId: orgId,
      }),
    ).toEqual({ ok: true });
    expect((await userRow(requester.id)).organisation_id).toBe(orgId);
    expect(
      await decideJoinRequest(t.db, {
        actorId: moderator.id,
        requesterId: second.id,
        decision: "decline",
        as: "moderator",
        organisationId: orgId,
      }),
    ).toEqual({ ok: true });
    expect((await userRow(second.id)).requested_organisation_id).toBeNull();
    const log = await audits(orgId);
    expect(log.slice(-2).map((a) => [a.action, a.actor_id, a.actor_role, a.reason])).toEqual([
      ["organisation.join-approve", moderator.id, "moderator", "moderator"],
      ["organisation.join-decline", moderator.id, "moderator", "moderator"],
    ]);
    expect(founder.organisationId).toBe(orgId);

    // An organisation without an active member (its only member disabled): members cannot decide, a moderator can.
    const lone = await founderAndRequester();
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", lone.founder.id).execute();
    expect(
      await decideJoinRequest(t.db, { actorId: lone.founder.id, requesterId: lone.requester.id, decision: "approve", as: "member" }),
    ).toEqual({ ok: false, reason: "notMember" });
    const page = await getOrganisationForModerator(t.db, lone.orgId);
    expect(page).toMatchObject({ activeMembers: 0, requests: [{ userId: lone.requester.id, email: lone.requester.email }] });
    expect((await listOrganisations(t.db, { q: (await orgRow(lone.orgId)).name, page: 1, pageSize: 5 }))[0]).toMatchObject({ requests: 1 });
    expect(
      await decideJoinRequest(t.db, {
        actorId: moderator.id,
        requesterId: lone.requester.id,
        decision: "approve",
        as: "moderator",
        organisationId: lone.orgId,
      }),
    ).toEqual({ ok: true });
  });

  it("nobody else decides: another organisation's member, a stakeholder posing as moderator, a requester; nothing changes", async () => {
    const { requester, orgId } = await founderAndRequester();
    const outsider = await makeUser(t.db); // a member of another organisation
    const individual = await makeUser(t.db, { organisation: null });
    const before = await userRow(requester.id);
    for (const [actorId, as] of [
      [outsider.id, "member"],
      [individual.id, "member"],
      [outsider.id, "moderator"],
      [requester.id, "member"],
    ] as const) {
      const r = await decideJoinRequest(t.db, { actorId, requesterId: requester.id, decision: "approve", as, organisationId: orgId });
      expect(r.ok).toBe(false);
    }
    // The outsider "approving" someone else's requester as a member of their own organisation: not their request.
    expect(await decideJoinRequest(t.db, { actorId: outsider.id, requesterId: requester.id, decision: "approve", as: "member" })).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect(await decideJoinRequest(t.db, { actorId: individual.id, requesterId: requester.id, decision: "approve", as: "member" })).toEqual(
      {
        ok: false,
        reason: "notMember",
      },
    );
    expect(await userRow(requester.id)).toEqual(before);
    expect((await audits(orgId)).map((a) => a.action)).toEqual(["organisation.join-request"]);
    expect(MEMBERSHIP_REFUSALS).toEqual({ notMember: 403, notFound: 404, noRequest: 409 });
    expect(joinDecisionRefusal({ role: "stakeholder", status: "active", organisationId: orgId }, orgId, "member")).toBeNull();
    expect(joinDecisionRefusal({ role: "stakeholder", status: "active", organisationId: orgId }, orgId, "moderator")).toBe("notMember");
    expect(joinDecisionRefusal({ role: "moderator", status: "active", organisationId: null }, orgId, "moderator")).toBeNull();
    expect(joinDecisionRefusal({ role: "stakeholder", status: "disabled", organisationId: orgId }, orgId, "member")).toBe("notMember");
  });

  it("the person withdraws their own request (logged); nothing to withdraw is refused", async () => {
    const { requester, orgId } = await founderAndRequester();
    expect(await withdrawJoinRequest(t.db, { userId: requester.id })).toEqual({ ok: true });
    expect(await userRow(requester.id)).toEqual({
      organisation_id: null,
      requested_organisation_id: null,
      organisation_requested_at: null,
    });
    expect(await withdrawJoinRequest(t.db, { userId: requester.id })).toEqual({ ok: false, reason: "noRequest" });
    expect((await audits(orgId)).map((a) => [a.action, a.actor_id])).toEqual([
      ["organisation.join-request", requester.id],
      ["organisation.join-withdraw", requester.id],
    ]);
  });

  it("distinct-organisation counts leave pending people out; supports made while pending stay without an organisation once approved", async () => {
    const s = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
    const { founder, requester, orgId } = await founderAndRequester();
    const n = (await orgRow(orgId)).registration_number!;
    // Someone who typed the number of an organisation nobody of theirs supports yet.
    const other = await founderAndRequester();
    for (const u of [founder, requester, other.requester]) {
      expect((await supportSubmission(t.db, { submissionId: s, userId: u.id })).ok).toBe(true);
    }
    const rows = await t.db.selectFrom("supports").select(["user_id", "organisation_id"]).where("submission_id", "=", s).execute();
    expect(rows.find((r) => r.user_id === requester.id)!.organisation_id).toBeNull();
    expect(rows.find((r) => r.user_id === other.requester.id)!.organisation_id).toBeNull();
    // Three supporters; one organisation (the founder's): the pending people count as individuals.
    expect((await getSupportBreadth(t.db, [s])).get(s)).toMatchObject({ supporters: 3, organisations: 1 });
    expect(await countSupportBreadth(t.db, s)).toMatchObject({ supporters: 3, organisations: 1 });

    // Approval does not rewrite earlier supports: the counters and a recount still agree, nothing counted twice.
    await decideJoinRequest(t.db, { actorId: founder.id, requesterId: requester.id, decision: "approve", as: "member" });
    await decideJoinRequest(t.db, {
      actorId: moderator.id,
      requesterId: other.requester.id,
      decision: "approve",
      as: "moderator",
      organisationId: other.orgId,
    });
    expect((await getSupportBreadth(t.db, [s])).get(s)).toMatchObject({ supporters: 3, organisations: 1 });
    expect(await countSupportBreadth(t.db, s)).toMatchObject({ supporters: 3, organisations: 1 });
    // A support made after approval carries the organisation.
    const later = await makeUser(t.db, { organisation: org(n) });
    await decideJoinRequest(t.db, { actorId: requester.id, requesterId: later.id, decision: "approve", as: "member" });
    expect((await supportSubmission(t.db, { submissionId: s, userId: later.id })).ok).toBe(true);
    const laterRow = await t.db
      .selectFrom("supports")
      .select("organisation_id")
      .where("submission_id", "=", s)
      .where("user_id", "=", later.id)
      .executeTakeFirstOrThrow();
    expect(laterRow.organisation_id).toBe(orgId);
    expect((await getSupportBreadth(t.db, [s])).get(s)).toMatchObject({ supporters: 4, organisations: 1 });
    expect(await countSupportBreadth(t.db, s)).toMatchObject({ supporters: 4, organisations: 1 });
    // The moderators' member count leaves the pending out too.
    const pending = await makeUser(t.db, { organisation: org(n) });
    const listed = await listOrganisations(t.db, { q: (await orgRow(orgId)).name, page: 1, pageSize: 5 });
    expect(listed[0]).toMatchObject({ id: orgId, members: 3, requests: 1 });
    expect((await userRow(pending.id)).organisation_id).toBeNull();
  });

  it("two registrations of one new number at once: the first founds it, the second asks to join", async () => {
    for (let round = 0; round < 3; round++) {
      const n = number();
      const [a, b] = await Promise.all(
        [0, 1].map((i) =>
          createUser(t.db, { email: uniqueEmail(`race${i}`), password: GOOD_PASSWORD, displayName: `Racer ${i}`, organisation: org(n) }),
        ),
      );
      if (!a!.ok || !b!.ok) throw new Error("registration failed");
      const founders = [a, b].filter((r) => r!.ok && r!.organisationId != null);
      const requesters = [a, b].filter((r) => r!.ok && r!.requestedOrganisationId != null);
      expect(founders).toHaveLength(1);
      expect(requesters).toHaveLength(1);
      const orgs = await t.db.selectFrom("organisations").select("id").where("registration_number", "=", n.toUpperCase()).execute();
      expect(orgs).toHaveLength(1);
      if (!founders[0]!.ok || !requesters[0]!.ok) throw new Error("unreachable");
      expect(founders[0]!.organisationId).toBe(orgs[0]!.id);
      expect(requesters[0]!.requestedOrganisationId).toBe(orgs[0]!.id);
      expect(await listJoinRequests(t.db, orgs[0]!.id)).toHaveLength(1);
    }
  });

  it("two members deciding one request at once: one decision takes effect, one audit entry", async () => {
    const { founder, requester, orgId } = await founderAndRequester();
    const n = (await orgRow(orgId)).registration_number!;
    const colleague = await makeUser(t.db, { organisation: org(n) });
    await decideJoinRequest(t.db, { actorId: founder.id, requesterId: colleague.id, decision: "approve", as: "member" });
    const results = await Promise.all([
      decideJoinRequest(t.db, { actorId: founder.id, requesterId: requester.id, decision: "approve", as: "member" }),
      decideJoinRequest(t.db, { actorId: colleague.id, requesterId: requester.id, decision: "decline", as: "member" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "notFound" }]);
    const decisions = (await audits(orgId)).filter(
      (a) => JSON.parse(a.after!).userId === requester.id && a.action !== "organisation.join-request",
    );
    expect(decisions).toHaveLength(1);
  });

  it("a verified organisation's name, type and province are locked for members, other details are not", async () => {
    const { founder, orgId } = await founderAndRequester();
    await setOrganisationVerified(t.db, { id: orgId, verified: true, moderatorId: moderator.id, moderatorRole: "moderator" });
    const before = await orgRow(orgId);
    const base = { displayName: "Founding Member", showOrganisation: false, locale: "en" as const };
    const refused = await updateProfile(t.db, {
      userId: founder.id,
      input: { ...base, organisation: { type: "other", sizeBand: "small", city: "Sialkot", province: "sindh" } },
    });
    expect(refused).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { organisationType: ["account.profile.verifiedLocked"], province: ["account.profile.verifiedLocked"] },
    });
    expect(await orgRow(orgId)).toEqual(before);
    const ok = await updateProfile(t.db, { userId: founder.id, input: { ...base, organisation: { sizeBand: "medium", city: "Daska" } } });
    expect(ok.ok).toBe(true);
    expect(await orgRow(orgId)).toMatchObject({ name: before.name, type: "firm", province: "punjab", size_band: "medium", city: "Daska" });
  });
});

describe(`moderators correct an organisation (${testDialect})`, () => {
  const t = useTestDb();

  it("changes name, type and province, logged as organisation.update with reason moderator; nothing changed: nothing logged", async () => {
    const moderator = await makeUser(t.db, { role: "moderator", organisation: null });
    const member = await makeUser(t.db);
    const id = member.organisationId!;
    await setOrganisationVerified(t.db, { id, verified: true, moderatorId: moderator.id, moderatorRole: "moderator" });
    const before = await t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const edit = {
      id,
      moderatorId: moderator.id,
      moderatorRole: "moderator" as const,
      name: "  Corrected  Name Ltd ",
      type: "association" as const,
    };
    expect(await updateOrganisationByModerator(t.db, { ...edit, province: "sindh" })).toEqual({
      ok: true,
      changed: ["name", "type", "province"],
    });
    const after = await t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      name: "Corrected  Name Ltd",
      name_normalised: "corrected name ltd",
      type: "association",
      province: "sindh",
      verified: 1,
    });
    const log = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "before", "after", "reason"])
      .where("action", "=", "organisation.update")
      .where("target_id", "=", String(id))
      .execute();
    expect(log).toEqual([
      {
        actor_id: moderator.id,
        before: JSON.stringify({ name: before.name, type: before.type, province: before.province }),
        after: JSON.stringify({ name: "Corrected  Name Ltd", type: "association", province: "sindh" }),
        reason: "moderator",
      },
    ]);
    expect(await updateOrganisationByModerator(t.db, { ...edit, province: "sindh" })).toEqual({ ok: true, changed: [] });
    expect(await updateOrganisationByModerator(t.db, { ...edit, id: 99_999_999, province: "sindh" })).toEqual({
      ok: false,
      reason: "notFound",
    });
  });
});
