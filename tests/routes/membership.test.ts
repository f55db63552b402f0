// Organisation membership over real HTTP (issue 15, item 4), as a browser
// without JavaScript posts it: the attack from the issue (typing a firm's
// known registration number at registration) no longer makes a member, nor
// lets the stranger rename the firm, move its province or show the name its
// members hid; members approve on /me/organisation, nobody else can; a
// verified organisation's name, type and province: moderators only.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { setOrganisationVerified } from "~/models/organisation.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, registrationForm, type MadeUser } from "../support/factories";
import { Client, pageText, signIn, type HttpResponse } from "../support/http";
import { useServer } from "../support/suite";

describe(`organisation membership over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ env: { REGISTRATIONS_PER_IP: "1000" } });
  let moderatorUser: MadeUser;
  let moderator: Client;

  const signedIn = async (user: { email: string; password: string }) => {
    const client = new Client(server.url);
    const res = await signIn(client, user.email, user.password);
    if (res.status !== 302) throw new Error(`sign-in answered ${res.status}`);
    return client;
  };
  const orgRow = (id: number) => t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const userByEmail = (email: string) =>
    t.db.selectFrom("users").selectAll().where("email_normalised", "=", email.toLowerCase()).executeTakeFirstOrThrow();
  const expectStatus = (res: HttpResponse, status: number) => expect(res.status, pageText(res.text).slice(0, 300)).toBe(status);
  let counter = 0;
  const unique = (s: string) => `${s} ${Date.now() % 100000}-${++counter}`;

  /** A firm whose member hides its name, with a registration number. */
  async function firm() {
    const number = `NTN-${Date.now() % 10_000_000}-${++counter}`;
    const name = unique("Hidden Cutlery Works");
    const member = await makeUser(t.db, {
      displayName: "Real Member",
      showOrganisation: false,
      organisation: {
        name,
        type: "firm",
        sizeBand: "small",
        city: "Wazirabad",
        province: "punjab",
        clusterSlug: "leather",
        registrationNumber: number,
      },
    });
    return { number, name, member, orgId: member.organisationId! };
  }

  /** Registers over HTTP with the firm's number; the client is signed in as the new person. */
  async function register(number: string, overrides: Record<string, string> = {}) {
    const form = registrationForm({ registrationNumber: number, ...overrides });
    const client = new Client(server.url);
    const res = await client.post("/register", form);
    expectStatus(res, 302);
    return { client, form, user: await userByEmail(form.email) };
  }

  beforeAll(async () => {
    moderatorUser = await makeUser(t.db, { role: "moderator", organisation: null });
    moderator = await signedIn(moderatorUser);
  });

  it("the attack: typing a known number does not make you a member, rename it, move its province or reveal its hidden name", async () => {
    const { number, name, member, orgId } = await firm();
    const before = await orgRow(orgId);
    const attacker = await register(` ${number.toLowerCase()} `, {
      displayName: "Stranger Danger",
      organisationName: "Renamed By Stranger",
      organisationType: "other",
      province: "sindh",
      showOrganisation: "on",
    });
    expect(attacker.user.organisation_id).toBeNull();
    expect(attacker.user.requested_organisation_id).toBe(orgId);
    expect(await orgRow(orgId)).toEqual(before);

    // The page after registration (and /me/organisation) say the request waits for approval; the firm's name is not shown.
    const me = await attacker.client.get("/me");
    expectStatus(me, 200);
    expect(pageText(me.text)).toContain(en.membership.pending.notice);
    expect(pageText(me.text)).not.toContain(name);
    const page = await attacker.client.get("/me/organisation");
    expectStatus(page, 200);
    expect(pageText(page.text)).toContain(en.membership.pending.title);
    expect(pageText(page.text)).not.toContain(name);

    // The profile form has no organisation to change: posting one changes nothing.
    const profile = await attacker.client.post("/me/profile", {
      displayName: "Stranger Danger",
      locale: "en",
      showOrganisation: "on",
      organisationName: "Renamed By Stranger",
      organisationType: "other",
      sizeBand: "large",
      city: "Karachi",
      province: "sindh",
    });
    expectStatus(profile, 303);
    expect(await orgRow(orgId)).toEqual(before);

    // The stranger's published suggestion carries no organisation: the hidden name stays hidden.
    const s = await makePublishedSubmission(t.db, { authorId: attacker.user.id, moderatorId: moderatorUser.id });
    expect(
      (await t.db.selectFrom("submissions").select("organisation_id").where("id", "=", s).executeTakeFirstOrThrow()).organisation_id,
    ).toBeNull();
    const publicPage = await new Client(server.url).get(`/submissions/${s}`);
    expectStatus(publicPage, 200);
    expect(pageText(publicPage.text)).not.toContain(name);

    // Nor can the stranger decide requests (their own included), here or on the moderators' page.
    const self = await attacker.client.post("/me/organisation", { intent: "approve", userId: String(attacker.user.id) });
    expectStatus(self, 403);
    expect(pageText(self.text)).toContain(en.membership.refused.notMember);
    expectStatus(
      await attacker.client.post(`/moderation/organisations/${orgId}`, { intent: "join-approve", userId: String(attacker.user.id) }),
      403,
    );
    expect((await userByEmail(attacker.form.email)).organisation_id).toBeNull();

    // The real member's page lists the request by name and date, never the email.
    const memberPage = await (await signedIn(member)).get("/me/organisation");
    expectStatus(memberPage, 200);
    expect(pageText(memberPage.text)).toContain("Stranger Danger");
    expect(memberPage.text).not.toContain(attacker.form.email);
  });

  it("a member approves via /me/organisation; someone else's requester answers 404; an individual 403; nothing changes", async () => {
    const { number, member, orgId } = await firm();
    const other = await firm();
    const asker = await register(number, { displayName: "Colleague Asif" });
    const otherAsker = await register(other.number, { displayName: "Other Asker" });
    const client = await signedIn(member);

    // Someone else's requester (of another organisation): not found, nothing changes.
    const foreign = await client.post("/me/organisation", { intent: "approve", userId: String(otherAsker.user.id) });
    expectStatus(foreign, 404);
    expect((await userByEmail(otherAsker.form.email)).requested_organisation_id).toBe(other.orgId);
    // An individual (no organisation) cannot decide anything.
    const individual = await signedIn(await makeUser(t.db, { organisation: null }));
    expectStatus(await individual.post("/me/organisation", { intent: "approve", userId: String(asker.user.id) }), 403);
    expect(pageText((await individual.get("/me/organisation")).text)).toContain(en.membership.none);
    // Bad input: 400, never a 500.
    for (const form of [{}, { intent: "approve" }, { intent: "approve", userId: "abc" }, { intent: "promote", userId: "1" }]) {
      expectStatus(await client.post("/me/organisation", form as Record<string, string>), 400);
    }
    expect((await userByEmail(asker.form.email)).organisation_id).toBeNull();

    const approved = await client.post("/me/organisation", { intent: "approve", userId: String(asker.user.id) });
    expectStatus(approved, 303);
    expect(approved.location).toBe("/me/organisation?done=approved");
    const row = await userByEmail(asker.form.email);
    expect(row).toMatchObject({ organisation_id: orgId, requested_organisation_id: null, organisation_requested_at: null });
    expect(pageText((await client.get("/me/organisation?done=approved")).text)).toContain(en.membership.done.approved);
    // The new member now sees the organisation.
    expect(pageText((await asker.client.get("/me/organisation")).text)).toContain(en.membership.requests.title);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("target_type", "=", "organisation")
      .where("target_id", "=", String(orgId))
      .where("action", "like", "organisation.join-%")
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      { action: "organisation.join-request", actor_id: asker.user.id },
      { action: "organisation.join-approve", actor_id: member.id },
    ]);

    // A requester withdraws; a member declines.
    const third = await register(number, { displayName: "Third Person" });
    expectStatus(await third.client.post("/me/organisation", { intent: "withdraw" }), 303);
    expect((await userByEmail(third.form.email)).requested_organisation_id).toBeNull();
    expectStatus(await third.client.post("/me/organisation", { intent: "withdraw" }), 409);
    const fourth = await register(number, { displayName: "Fourth Person" });
    expectStatus(await client.post("/me/organisation", { intent: "decline", userId: String(fourth.user.id) }), 303);
    expect(await userByEmail(fourth.form.email)).toMatchObject({ organisation_id: null, requested_organisation_id: null });
  });

  it("moderators see and decide requests on the organisation's page, and must where no member is active", async () => {
    const { number, member, orgId } = await firm();
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", member.id).execute();
    const asker = await register(number, { displayName: "Needs A Moderator" });
    const page = await moderator.get(`/moderation/organisations/${orgId}`);
    expectStatus(page, 200);
    expect(pageText(page.text)).toContain("Needs A Moderator");
    expect(pageText(page.text)).toContain(en.organisations.requestsNoMember);
    const list = await moderator.get(`/moderation/organisations?q=${encodeURIComponent(number)}`);
    expect(pageText(list.text)).toContain("1 request to join");
    expectStatus(await moderator.post(`/moderation/organisations/${orgId}`, { intent: "join-approve", userId: "99999999" }), 404);
    expectStatus(
      await moderator.post(`/moderation/organisations/${orgId}`, { intent: "join-approve", userId: String(asker.user.id) }),
      303,
    );
    expect((await userByEmail(asker.form.email)).organisation_id).toBe(orgId);
  });

  it("a verified organisation's name, type and province: a member cannot change them, a moderator can", async () => {
    const { member, orgId, name } = await firm();
    await setOrganisationVerified(t.db, { id: orgId, verified: true, moderatorId: moderatorUser.id, moderatorRole: "moderator" });
    const client = await signedIn(member);
    const form = await client.get("/me/profile");
    expectStatus(form, 200);
    expect(form.text).not.toMatch(/name="organisationName"/);
    expect(form.text).not.toMatch(/name="organisationType"/);
    expect(form.text).not.toMatch(/name="province"/);
    const post = await client.post("/me/profile", {
      displayName: "Real Member",
      locale: "en",
      organisationName: "Renamed By Member",
      organisationType: "other",
      sizeBand: "medium",
      city: "Wazirabad",
      province: "sindh",
    });
    expectStatus(post, 303);
    expect(await orgRow(orgId)).toMatchObject({ name, type: "firm", province: "punjab", size_band: "medium" });

    // A stakeholder cannot use the moderators' correction form.
    const edit = { intent: "edit", organisationName: "Corrected Cutlery Works", organisationType: "association", province: "sindh" };
    expectStatus(await client.post(`/moderation/organisations/${orgId}`, edit), 403);
    expect(await orgRow(orgId)).toMatchObject({ name, type: "firm", province: "punjab" });
    expectStatus(await moderator.post(`/moderation/organisations/${orgId}`, { ...edit, province: "mars" }), 400);
    expectStatus(await moderator.post(`/moderation/organisations/${orgId}`, edit), 303);
    expect(await orgRow(orgId)).toMatchObject({ name: "Corrected Cutlery Works", type: "association", province: "sindh", verified: 1 });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "reason"])
      .where("action", "=", "organisation.update")
      .where("target_id", "=", String(orgId))
      .orderBy("id")
      .execute();
    expect(audit.at(-1)).toEqual({ actor_id: moderatorUser.id, reason: "moderator" });
  });
});
