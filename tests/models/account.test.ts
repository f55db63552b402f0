// Account self-service through the real model on a real migrated
// database: profile and organisation details, password change with
// re-authentication and session renewal, the data export, deletion by
// anonymisation, and the sessions list (only one's own).
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import commonPasswords from "~/auth/common-passwords.json";
import { createAuth, type Auth } from "~/auth/session.server";
import {
  ACCOUNT_EXPORT_FORMAT,
  changePassword,
  deleteAccount,
  deletedEmailPlaceholder,
  describeUserAgent,
  endAccountSession,
  endOtherSessions,
  exportAccountData,
  getAccountProfile,
  listAccountSessions,
  sessionRef,
  updateProfile,
  type ProfileInput,
} from "~/models/account.server";
import { addComment } from "~/models/comment.server";
import { getMembership } from "~/models/membership.server";
import { rejectSubmission } from "~/models/moderation.server";
import { setOrganisationVerified } from "~/models/organisation.server";
import { reportItem } from "~/models/report.server";
import { getSubmissionForViewer, withdrawSubmission } from "~/models/submission.server";
import { supportSubmission } from "~/models/support.server";
import { authenticate, createUser } from "~/models/user.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import {
  approveJoin,
  GOOD_PASSWORD,
  type MadeUser,
  makePublishedSubmission,
  makeSubmission,
  makeUser,
  uniqueEmail,
} from "../support/factories";

const NEW_PASSWORD = "lanterns along the Ravi at night";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

const t = useTestDb();
let auth: Auth;
let moderator: MadeUser;

beforeAll(async () => {
  auth = createAuth(t.db, { secureCookies: false });
  moderator = await makeUser(t.db, { role: "moderator" });
});

const tokenOf = (cookie: string) => cookie.split(";")[0].split("=")[1];
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const userRow = (id: number) => t.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const orgRow = (id: number) => t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const sessionIds = async (userId: number) =>
  (await t.db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute()).map((r) => r.id).sort();
const auditOf = (action: string, targetId: number) =>
  t.db.selectFrom("audit_log").selectAll().where("action", "=", action).where("target_id", "=", String(targetId)).orderBy("id").execute();

async function signedIn(user: MadeUser, userAgent: string | null = null) {
  const cookie = await auth.signIn(user.id, { userAgent, ip: "203.0.113.7" });
  return tokenOf(cookie);
}

function profileInput(
  overrides: Partial<ProfileInput> = {},
  organisation: Partial<NonNullable<ProfileInput["organisation"]>> = {},
): ProfileInput {
  return {
    displayName: "Test Person",
    showOrganisation: false,
    locale: "en",
    ...overrides,
    organisation: { type: "firm", sizeBand: "small", city: "Sialkot", province: "punjab", ...organisation },
  };
}

describe(`profile (${testDialect})`, () => {
  it("saves name, language and privacy choice, with an audit entry that holds no name", async () => {
    const u = await makeUser(t.db, { displayName: "Saima Akhtar", showOrganisation: true });
    const before = await getAccountProfile(t.db, u.id);
    expect(before).toMatchObject({ displayName: "Saima Akhtar", locale: "en", showOrganisation: true });
    const r = await updateProfile(t.db, {
      userId: u.id,
      input: profileInput({ displayName: "Saima A. Khan", locale: "ur", showOrganisation: false }, { name: before!.organisation!.name }),
    });
    expect(r).toEqual({ ok: true, changed: expect.arrayContaining(["display_name", "locale", "show_organisation"]) });
    expect(await userRow(u.id)).toMatchObject({ display_name: "Saima A. Khan", locale: "ur", show_organisation: 0 });
    const audit = await auditOf("user.profile", u.id);
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(u.id);
    const logged = JSON.stringify(audit[0]);
    expect(logged).not.toContain("Saima");
    expect(JSON.parse(audit[0].after!)).toMatchObject({ locale: "ur", show_organisation: 0 });
  });

  it("changes nothing and logs nothing when nothing changed", async () => {
    const u = await makeUser(t.db);
    const p = (await getAccountProfile(t.db, u.id))!;
    const r = await updateProfile(t.db, {
      userId: u.id,
      input: profileInput({ displayName: p.displayName, showOrganisation: p.showOrganisation }, { name: p.organisation!.name }),
    });
    expect(r).toEqual({ ok: true, changed: [] });
    expect(await auditOf("user.profile", u.id)).toEqual([]);
    expect(await auditOf("organisation.update", p.organisation!.id)).toEqual([]);
  });

  it("lets any member correct the shared organisation, logs before/after, and the colleague sees it", async () => {
    const number = `NTN-${Date.now() % 1_000_000}`;
    const org = {
      name: "Wazirabad Cutlery House",
      type: "firm" as const,
      sizeBand: "small" as const,
      city: "Wazirabad",
      province: "punjab",
      clusterSlug: "surgical-instruments",
      registrationNumber: number,
    };
    const a = await makeUser(t.db, { organisation: org });
    // The colleague's registration is a request to join; a member approves it (issue 15).
    const b = await approveJoin(t.db, await makeUser(t.db, { organisation: org }), a);
    expect(b.organisationId).toBe(a.organisationId);
    expect((await getAccountProfile(t.db, a.id))!.organisation!.otherMembers).toBe(1);
    // /me/profile and /me/organisation count the same people: a disabled colleague shares
    // the record but is not one of the members either page speaks of.
    const c = await approveJoin(t.db, await makeUser(t.db, { organisation: org }), a);
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", c.id).execute();
    expect((await getAccountProfile(t.db, a.id))!.organisation!.otherMembers).toBe(1);
    expect(await getMembership(t.db, a.id)).toMatchObject({ status: "member", organisation: { otherMembers: 1 } });

    const r = await updateProfile(t.db, {
      userId: b.id,
      input: profileInput(
        {},
        { name: "Wazirabad Cutlery House (Pvt) Ltd", sizeBand: "medium", city: "Gujranwala", province: "punjab", type: "firm" },
      ),
    });
    expect(r.ok).toBe(true);
    expect(await orgRow(a.organisationId!)).toMatchObject({
      name: "Wazirabad Cutlery House (Pvt) Ltd",
      name_normalised: "wazirabad cutlery house (pvt) ltd",
      size_band: "medium",
      city: "Gujranwala",
    });
    expect((await getAccountProfile(t.db, a.id))!.organisation).toMatchObject({
      name: "Wazirabad Cutlery House (Pvt) Ltd",
      sizeBand: "medium",
    });
    const audit = await auditOf("organisation.update", a.organisationId!);
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(b.id);
    expect(JSON.parse(audit[0].before!)).toEqual({ name: "Wazirabad Cutlery House", size_band: "small", city: "Wazirabad" });
    expect(JSON.parse(audit[0].after!)).toEqual({ name: "Wazirabad Cutlery House (Pvt) Ltd", size_band: "medium", city: "Gujranwala" });
  });

  it("locks a verified organisation's name (nothing at all is saved) but lets the other details change", async () => {
    const u = await makeUser(t.db, { displayName: "Imran Butt" });
    const orgId = u.organisationId!;
    const v = await setOrganisationVerified(t.db, { id: orgId, verified: true, moderatorId: moderator.id, moderatorRole: "moderator" });
    expect(v.ok).toBe(true);
    const name = (await orgRow(orgId)).name;

    const refused = await updateProfile(t.db, {
      userId: u.id,
      input: profileInput({ displayName: "Imran B." }, { name: "Another Name Entirely" }),
    });
    expect(refused).toEqual({ ok: false, reason: "invalid", fieldErrors: { organisationName: ["account.profile.nameLocked"] } });
    expect((await orgRow(orgId)).name).toBe(name);
    expect((await userRow(u.id)).display_name).toBe("Imran Butt");

    const ok = await updateProfile(t.db, { userId: u.id, input: profileInput({ displayName: "Imran B." }, { sizeBand: "micro" }) });
    expect(ok.ok).toBe(true);
    expect(await orgRow(orgId)).toMatchObject({ name, size_band: "micro", verified: 1 });
    expect((await userRow(u.id)).display_name).toBe("Imran B.");
  });

  it("saves a user without an organisation and never creates one", async () => {
    const r0 = await createUser(t.db, {
      email: uniqueEmail("noorg"),
      password: GOOD_PASSWORD,
      displayName: "No Org Person",
      role: "admin",
    });
    if (!r0.ok) throw new Error("createUser");
    const r = await updateProfile(t.db, {
      userId: r0.userId,
      input: { displayName: "Still No Org", showOrganisation: true, locale: "ur", organisation: null },
    });
    expect(r.ok).toBe(true);
    expect(await userRow(r0.userId)).toMatchObject({ display_name: "Still No Org", organisation_id: null, locale: "ur" });
    expect((await getAccountProfile(t.db, r0.userId))!.organisation).toBeNull();
  });
});

describe(`password change (${testDialect})`, () => {
  it("refuses a wrong current password and changes nothing", async () => {
    const u = await makeUser(t.db);
    const token = await signedIn(u);
    const hash = (await userRow(u.id)).password_hash;
    const r = await changePassword(t.db, auth, {
      userId: u.id,
      currentPassword: "not my password at all",
      newPassword: NEW_PASSWORD,
      sessionToken: token,
      endOtherSessions: true,
    });
    expect(r).toEqual({ ok: false, reason: "wrongPassword" });
    expect((await userRow(u.id)).password_hash).toBe(hash);
    expect(await sessionIds(u.id)).toEqual([sha256(token)]);
    expect(await auditOf("user.password", u.id)).toEqual([]);
  });

  it("applies the registration rules to the new password and refuses the same one again", async () => {
    const u = await makeUser(t.db, { displayName: "Farah Naz" });
    const token = await signedIn(u);
    const common = (commonPasswords as string[]).find((p) => p.length >= 10)!;
    const cases: Array<[string, string]> = [
      ["short", "errors.passwordTooShort"],
      ["x".repeat(257), "errors.passwordTooLong"],
      [common, "errors.passwordCommon"],
      ["Mashwara-2026!", "errors.passwordContext"],
      ["FarahNaz 1990!!", "errors.passwordContext"],
      [GOOD_PASSWORD, "account.password.unchanged"],
    ];
    for (const [newPassword, key] of cases) {
      const r = await changePassword(t.db, auth, {
        userId: u.id,
        currentPassword: u.password,
        newPassword,
        sessionToken: token,
        endOtherSessions: false,
      });
      expect(r, newPassword.slice(0, 20)).toEqual({ ok: false, reason: "invalid", fieldErrors: { newPassword: [key] } });
    }
    expect((await authenticate(t.db, u.email, u.password)).ok).toBe(true);
    expect(await sessionIds(u.id)).toEqual([sha256(token)]);
  });

  it("changes the password, renews this session and keeps the others when not asked", async () => {
    const u = await makeUser(t.db);
    const here = await signedIn(u);
    const phone = await signedIn(u, CHROME_ANDROID);
    const r = await changePassword(t.db, auth, {
      userId: u.id,
      currentPassword: u.password,
      newPassword: NEW_PASSWORD,
      sessionToken: here,
      endOtherSessions: false,
      meta: { userAgent: FIREFOX_WINDOWS, ip: "198.51.100.4" },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.endedSessions).toBe(0);
    const renewed = tokenOf(r.cookie);
    expect(renewed).not.toBe(here);
    // The old session id is gone; the new one works; the phone still does.
    expect(await auth.validate(here)).toBeNull();
    expect((await auth.validate(renewed))?.user.id).toBe(u.id);
    expect((await auth.validate(phone))?.user.id).toBe(u.id);
    expect(await sessionIds(u.id)).toEqual([sha256(renewed), sha256(phone)].sort());
    expect((await authenticate(t.db, u.email, u.password)).ok).toBe(false);
    expect((await authenticate(t.db, u.email, NEW_PASSWORD)).ok).toBe(true);
    const row = await t.db.selectFrom("sessions").selectAll().where("id", "=", sha256(renewed)).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_agent: FIREFOX_WINDOWS, ip: "198.51.100.4" });
    const audit = await auditOf("user.password", u.id);
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].after!)).toEqual({ endedOtherSessions: 0 });
  });

  it("ends every other session when asked, and no other account's", async () => {
    const u = await makeUser(t.db);
    const other = await makeUser(t.db);
    const here = await signedIn(u);
    const a = await signedIn(u, CHROME_ANDROID);
    const b = await signedIn(u, FIREFOX_WINDOWS);
    const theirs = await signedIn(other);
    const r = await changePassword(t.db, auth, {
      userId: u.id,
      currentPassword: u.password,
      newPassword: NEW_PASSWORD,
      sessionToken: here,
      endOtherSessions: true,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.endedSessions).toBe(2);
    expect(await auth.validate(a)).toBeNull();
    expect(await auth.validate(b)).toBeNull();
    expect(await auth.validate(here)).toBeNull();
    expect(await sessionIds(u.id)).toEqual([sha256(tokenOf(r.cookie))]);
    expect((await auth.validate(theirs))?.user.id).toBe(other.id);
  });
});

describe(`data export (${testDialect})`, () => {
  it("holds the account, organisation, every submission with its history, comments, supports, notifications and reports — and no secret", async () => {
    const u = await makeUser(t.db, { displayName: "Nadia Export" });
    const other = await makeUser(t.db);
    const token = await signedIn(u, CHROME_ANDROID);
    const published = await makePublishedSubmission(t.db, {
      authorId: u.id,
      moderatorId: moderator.id,
      input: { title: "Export credit insurance for small tanneries" },
    });
    const rejected = await makeSubmission(t.db, { authorId: u.id, input: { title: "A suggestion the moderators will reject" } });
    const rej = await rejectSubmission(t.db, {
      id: rejected,
      moderatorId: moderator.id,
      moderatorRole: "moderator",
      reasonCode: "outside-remit",
      reason: "Provincial matter.",
    });
    expect(rej.ok).toBe(true);
    const withdrawn = await makeSubmission(t.db, { authorId: u.id, input: { title: "A suggestion its author withdraws again" } });
    expect((await withdrawSubmission(t.db, { id: withdrawn, userId: u.id })).ok).toBe(true);
    const theirs = await makePublishedSubmission(t.db, {
      authorId: other.id,
      moderatorId: moderator.id,
      input: { title: "Someone else's suggestion about tanneries" },
    });
    const comment = await addComment(t.db, { submissionId: theirs, authorId: u.id, body: "I agree, and the same holds in Kasur." });
    expect(comment.ok).toBe(true);
    expect((await supportSubmission(t.db, { submissionId: theirs, userId: u.id })).ok).toBe(true);
    expect(
      (
        await reportItem(t.db, {
          target: { type: "submission", id: theirs },
          reporterId: u.id,
          reason: "duplicate",
          details: "Same as another one.",
        })
      ).ok,
    ).toBe(true);

    const doc = await exportAccountData(t.db, u.id);
    expect(doc).not.toBeNull();
    const d = doc!;
    expect(d.format).toBe(ACCOUNT_EXPORT_FORMAT);
    expect(d.account).toMatchObject({ id: u.id, email: u.email, display_name: "Nadia Export", role: "stakeholder", status: "active" });
    expect(d.organisation).toMatchObject({ id: u.organisationId, city: "Sialkot", cluster: "leather" });
    expect(d.submissions.map((s) => [s.id, s.status])).toEqual([
      [published, "published"],
      [rejected, "rejected"],
      [withdrawn, "withdrawn"],
    ]);
    const pub = d.submissions[0];
    expect(pub).toMatchObject({ title: "Export credit insurance for small tanneries", cluster: "leather", categories: ["export-markets"] });
    expect(pub.problem.length).toBeGreaterThan(20);
    expect(pub.history.map((h) => h.event)).toEqual(["submitted", "published", "tagged"]);
    expect(d.submissions[1]).toMatchObject({ reject_reason_code: "outside-remit", reject_reason: "Provincial matter." });
    expect(d.submissions[1].history.map((h) => h.event)).toContain("rejected");
    expect(d.submissions[2].history.map((h) => h.event)).toContain("withdrawn");
    expect(d.comments).toEqual([expect.objectContaining({ submission_id: theirs, body: "I agree, and the same holds in Kasur." })]);
    expect(d.supports).toEqual([expect.objectContaining({ submission_id: theirs, cluster: "leather" })]);
    expect(d.reports).toEqual([expect.objectContaining({ target_type: "submission", target_id: theirs, reason: "duplicate" })]);
    expect(d.notifications.map((n) => n.kind).sort()).toEqual(["published", "rejected"]);
    expect(d.sessions).toEqual([expect.objectContaining({ user_agent: CHROME_ANDROID })]);

    // Valid JSON, and no secret in it: no hash, no session id, no token.
    const text = JSON.stringify(d);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(d)));
    const row = await userRow(u.id);
    expect(text).not.toContain(row.password_hash);
    expect(text).not.toContain("argon2");
    expect(text).not.toContain("password");
    expect(text).not.toContain(token);
    expect(text).not.toContain(sha256(token));
    for (const s of d.sessions) expect(Object.keys(s)).not.toContain("id");
    // Moderators stay anonymous in the history, as on the public page.
    expect(text).not.toMatch(/"actor_id"/);
  });

  it("carries a waiting new address, the email choice and a pending request to join, by the number typed", async () => {
    const number = `NTN-X${Date.now() % 1_000_000}`;
    const org = {
      name: "Kasur Tanners",
      type: "firm" as const,
      sizeBand: "small" as const,
      city: "Kasur",
      province: "punjab",
      clusterSlug: "leather",
      registrationNumber: number,
    };
    await makeUser(t.db, { organisation: org });
    const asker = await makeUser(t.db, { organisation: org });
    await t.db
      .updateTable("users")
      .set({ pending_email: "next@example.org", email_frequency: "weekly" })
      .where("id", "=", asker.id)
      .execute();
    const d = (await exportAccountData(t.db, asker.id))!;
    expect(d.organisation).toBeNull();
    expect(d.organisation_request).toEqual({ registration_number: number, requested_at: expect.any(String) });
    expect(d.account).toMatchObject({
      pending_email: "next@example.org",
      email_confirmed_at: expect.any(String),
      email_frequency: "weekly",
    });
    expect(JSON.stringify(d)).not.toContain("Kasur Tanners");
  });

  it("is null for an account that is not active", async () => {
    const u = await makeUser(t.db);
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", u.id).execute();
    expect(await exportAccountData(t.db, u.id)).toBeNull();
  });
});

describe(`account deletion (${testDialect})`, () => {
  it("refuses a wrong password and changes nothing", async () => {
    const u = await makeUser(t.db);
    const token = await signedIn(u);
    expect(await deleteAccount(t.db, { userId: u.id, password: "wrong password here" })).toEqual({ ok: false, reason: "wrongPassword" });
    expect(await userRow(u.id)).toMatchObject({ status: "active", email: u.email });
    expect(await sessionIds(u.id)).toEqual([sha256(token)]);
  });

  it("anonymises the account, ends its sessions, keeps its contributions and frees the email", async () => {
    const email = uniqueEmail("Leaving");
    const u = await makeUser(t.db, { email, displayName: "Kamran Leaving" });
    const other = await makeUser(t.db);
    const a = await signedIn(u);
    const b = await signedIn(u, CHROME_ANDROID);
    const mine = await makePublishedSubmission(t.db, {
      authorId: u.id,
      moderatorId: moderator.id,
      input: { title: "Bonded warehouses for leather exporters" },
    });
    const theirs = await makePublishedSubmission(t.db, { authorId: other.id, moderatorId: moderator.id });
    const c = await addComment(t.db, { submissionId: theirs, authorId: u.id, body: "A comment that stays after I leave." });
    expect(c.ok).toBe(true);
    expect((await supportSubmission(t.db, { submissionId: theirs, userId: u.id })).ok).toBe(true);
    await t.db
      .insertInto("email_outbox")
      .values({
        to_email: email.toUpperCase(),
        subject: "s",
        body: "b",
        status: "held",
        attempts: 0,
        last_error: null,
        created_at: new Date().toISOString(),
      })
      .execute();

    expect(await deleteAccount(t.db, { userId: u.id, password: u.password, ip: "203.0.113.9" })).toEqual({ ok: true });

    const row = await userRow(u.id);
    expect(row).toMatchObject({
      email: deletedEmailPlaceholder(u.id),
      email_normalised: deletedEmailPlaceholder(u.id),
      display_name: "",
      password_hash: "",
      status: "deleted",
      show_organisation: 0,
      organisation_id: u.organisationId,
    });
    expect(row.deleted_at).not.toBeNull();
    expect(await sessionIds(u.id)).toEqual([]);
    expect(await auth.validate(a)).toBeNull();
    expect(await auth.validate(b)).toBeNull();
    expect(await t.db.selectFrom("notifications").select("id").where("user_id", "=", u.id).execute()).toEqual([]);
    expect(await t.db.selectFrom("email_outbox").select("id").where("to_email", "=", email.toUpperCase()).execute()).toEqual([]);

    // Contributions and the organisation stay.
    expect(await t.db.selectFrom("submissions").select(["author_id", "status"]).where("id", "=", mine).executeTakeFirstOrThrow()).toEqual({
      author_id: u.id,
      status: "published",
    });
    expect(await t.db.selectFrom("comments").select("body").where("author_id", "=", u.id).execute()).toHaveLength(1);
    expect(await t.db.selectFrom("supports").select("submission_id").where("user_id", "=", u.id).execute()).toEqual([
      { submission_id: theirs },
    ]);
    expect(
      (await t.db.selectFrom("submissions").select("supporters_count").where("id", "=", theirs).executeTakeFirstOrThrow()).supporters_count,
    ).toBe(1);
    expect(await orgRow(u.organisationId!)).toBeTruthy();
    const page = await getSubmissionForViewer(t.db, { id: mine, viewer: null });
    expect(page).toMatchObject({ author_status: "deleted", showOrganisationName: false });

    // The audit entry says what happened, without personal data.
    const audit = await auditOf("user.delete", u.id);
    expect(audit).toHaveLength(1);
    const logged = JSON.stringify(audit[0]);
    expect(logged).not.toContain(email);
    expect(logged.toLowerCase()).not.toContain(email.toLowerCase());
    expect(logged).not.toContain("Kamran");

    // Nobody signs in as the deleted account; the address registers again.
    expect(await authenticate(t.db, email, u.password)).toEqual({ ok: false, reason: "invalid", userId: null });
    expect(await authenticate(t.db, deletedEmailPlaceholder(u.id), "")).toMatchObject({ ok: false });
    const again = await createUser(t.db, { email, password: GOOD_PASSWORD, displayName: "Kamran Again" });
    expect(again.ok).toBe(true);
    if (again.ok) expect(again.userId).not.toBe(u.id);
    // Deleting twice is "not found".
    expect(await deleteAccount(t.db, { userId: u.id, password: u.password })).toEqual({ ok: false, reason: "notFound" });
  });

  it("refuses to delete the last active admin", async () => {
    // The database may already hold admins from other tests: keep exactly one.
    await t.db.updateTable("users").set({ role: "stakeholder" }).where("role", "=", "admin").execute();
    const admin = await makeUser(t.db, { role: "admin" });
    expect(await deleteAccount(t.db, { userId: admin.id, password: admin.password })).toEqual({ ok: false, reason: "lastAdmin" });
    expect((await userRow(admin.id)).status).toBe("active");
    await makeUser(t.db, { role: "admin" });
    expect(await deleteAccount(t.db, { userId: admin.id, password: admin.password })).toEqual({ ok: true });
  });
});

describe(`sessions (${testDialect})`, () => {
  it("describes browsers and systems from the User-Agent", () => {
    expect(describeUserAgent(CHROME_ANDROID)).toEqual({ browser: "Chrome", os: "Android" });
    expect(describeUserAgent(FIREFOX_WINDOWS)).toEqual({ browser: "Firefox", os: "Windows" });
    expect(
      describeUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ),
    ).toEqual({ browser: "Safari", os: "iOS" });
    expect(
      describeUserAgent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
      ),
    ).toEqual({ browser: "Edge", os: "Windows" });
    expect(
      describeUserAgent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      ),
    ).toEqual({
      browser: "Safari",
      os: "macOS",
    });
    expect(describeUserAgent("node")).toEqual({ browser: null, os: null });
    expect(describeUserAgent(null)).toEqual({ browser: null, os: null });
  });

  it("lists only my unexpired sessions, this one first, with refs that are not the stored ids", async () => {
    const u = await makeUser(t.db);
    const other = await makeUser(t.db);
    const here = await signedIn(u, FIREFOX_WINDOWS);
    const phone = await signedIn(u, CHROME_ANDROID);
    const expired = await signedIn(u);
    await t.db
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", sha256(expired))
      .execute();
    await signedIn(other);
    const list = await listAccountSessions(t.db, { userId: u.id, sessionToken: here });
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({
      current: true,
      device: { browser: "Firefox", os: "Windows" },
      ip: "203.0.113.7",
      ref: sessionRef(sha256(here)),
    });
    expect(list[1]).toMatchObject({ current: false, device: { browser: "Chrome", os: "Android" }, ref: sessionRef(sha256(phone)) });
    const text = JSON.stringify(list);
    for (const token of [here, phone]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(sha256(token));
    }
  });

  it("ends one of my sessions by its ref, and never another account's", async () => {
    const u = await makeUser(t.db);
    const other = await makeUser(t.db);
    const here = await signedIn(u);
    const phone = await signedIn(u, CHROME_ANDROID);
    const theirs = await signedIn(other);

    expect(await endAccountSession(t.db, { userId: u.id, ref: sessionRef(sha256(theirs)), sessionToken: here })).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect((await auth.validate(theirs))?.user.id).toBe(other.id);
    expect(await endAccountSession(t.db, { userId: u.id, ref: "A".repeat(22), sessionToken: here })).toEqual({
      ok: false,
      reason: "notFound",
    });

    expect(await endAccountSession(t.db, { userId: u.id, ref: sessionRef(sha256(phone)), sessionToken: here })).toEqual({
      ok: true,
      current: false,
    });
    expect(await auth.validate(phone)).toBeNull();
    expect((await auth.validate(here))?.user.id).toBe(u.id);
    expect(await auditOf("user.sessions.end", u.id)).toHaveLength(1);

    expect(await endAccountSession(t.db, { userId: u.id, ref: sessionRef(sha256(here)), sessionToken: here })).toEqual({
      ok: true,
      current: true,
    });
    expect(await sessionIds(u.id)).toEqual([]);
  });

  it("ends all my other sessions, keeping this one and other accounts'", async () => {
    const u = await makeUser(t.db);
    const other = await makeUser(t.db);
    const here = await signedIn(u);
    await signedIn(u, CHROME_ANDROID);
    await signedIn(u, FIREFOX_WINDOWS);
    const theirs = await signedIn(other);
    expect(await endOtherSessions(t.db, { userId: u.id, sessionToken: here })).toBe(2);
    expect(await sessionIds(u.id)).toEqual([sha256(here)]);
    expect((await auth.validate(theirs))?.user.id).toBe(other.id);
    expect(await endOtherSessions(t.db, { userId: u.id, sessionToken: here })).toBe(0);
  });
});
