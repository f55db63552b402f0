// Confirmed addresses and password recovery (ADR 0026): the links go out by the
// outbox in the person's language, work once, change the address only when the
// new one is confirmed, and a reset ends every session and tells the person.
import { describe, expect, it } from "vitest";
import { verifyPassword } from "~/auth/password.server";
import {
  confirmEmail,
  confirmEmailByAdmin,
  passwordResetLink,
  peekEmailConfirmation,
  peekPasswordReset,
  requestEmailChange,
  requestPasswordReset,
  resetPassword,
  saveProfile,
  sendEmailConfirmation,
} from "~/models/account-email.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makeUser, uniqueEmail, type MadeUser } from "../support/factories";

const t = useTestDb();

const T0 = new Date("2026-12-07T09:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const NEW_PASSWORD = "tea stall near the Anarkali bazaar";

async function outboxTo(email: string) {
  return t.db
    .selectFrom("email_outbox")
    .select(["id", "subject", "body", "status", "user_id"])
    .where("to_email", "=", email)
    .orderBy("id")
    .execute();
}
function tokenIn(body: string, path: "confirm-email" | "reset-password"): string {
  const m = body.match(new RegExp(`/${path}/([a-z2-7]{32})`));
  if (!m) throw new Error(`no ${path} link in: ${body}`);
  return m[1];
}
async function unconfirmed(overrides: Parameters<typeof makeUser>[1] = {}): Promise<MadeUser> {
  const user = await makeUser(t.db, overrides);
  await t.db.updateTable("users").set({ email_confirmed_at: null }).where("id", "=", user.id).execute();
  return user;
}
async function addSession(userId: number, id: string) {
  await t.db
    .insertInto("sessions")
    .values({
      id,
      user_id: userId,
      expires_at: at(86_400_000).toISOString(),
      created_at: T0.toISOString(),
      last_seen_at: T0.toISOString(),
      user_agent: null,
      ip: null,
    })
    .execute();
}

describe(`confirming an address (${testDialect})`, () => {
  it("sends a link in the person's language that confirms once, and then there is nothing to confirm", async () => {
    const user = await unconfirmed({ locale: "ur" });
    const sent = await sendEmailConfirmation(t.db, { userId: user.id, now: T0 });
    expect(sent).toEqual({ ok: true, to: user.email });
    const [email] = await outboxTo(user.email);
    expect(email.status).toBe("held");
    expect(email.subject).toMatch(/[\u0600-\u06FF]/);
    const token = tokenIn(email.body, "confirm-email");
    expect(await peekEmailConfirmation(t.db, { token, now: at(1000) })).toEqual({ email: user.email });

    const r = await confirmEmail(t.db, { token, now: at(2000) });
    expect(r).toEqual({ ok: true, userId: user.id, email: user.email, changedFrom: null });
    const row = await t.db.selectFrom("users").select("email_confirmed_at").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.email_confirmed_at).toBe(at(2000).toISOString());
    expect(await confirmEmail(t.db, { token, now: at(3000) })).toEqual({ ok: false, reason: "invalidToken" });
    expect(await sendEmailConfirmation(t.db, { userId: user.id, now: at(4000) })).toEqual({ ok: false, reason: "alreadyConfirmed" });
    const audit = await t.db.selectFrom("audit_log").select("action").where("target_id", "=", String(user.id)).execute();
    expect(audit.map((a) => a.action)).toContain("user.email-confirm");
  });

  it("a link sent again ends the earlier one, and a link past seven days does nothing", async () => {
    const user = await unconfirmed();
    await sendEmailConfirmation(t.db, { userId: user.id, now: T0 });
    await sendEmailConfirmation(t.db, { userId: user.id, now: at(1000) });
    const [first, second] = await outboxTo(user.email);
    expect(await confirmEmail(t.db, { token: tokenIn(first.body, "confirm-email"), now: at(2000) })).toEqual({
      ok: false,
      reason: "invalidToken",
    });
    expect(await confirmEmail(t.db, { token: tokenIn(second.body, "confirm-email"), now: at(7 * 86_400_000 + 1001) })).toEqual({
      ok: false,
      reason: "invalidToken",
    });
    const row = await t.db.selectFrom("users").select("email_confirmed_at").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.email_confirmed_at).toBeNull();
  });

  it("a new address replaces the old only once confirmed, and the old address is told", async () => {
    const user = await makeUser(t.db);
    const next = uniqueEmail("moved");
    await t.db.updateTable("users").set({ pending_email: next }).where("id", "=", user.id).execute();
    expect(await sendEmailConfirmation(t.db, { userId: user.id, now: T0 })).toEqual({ ok: true, to: next });
    const before = await t.db.selectFrom("users").select("email").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(before.email).toBe(user.email);

    const [link] = await outboxTo(next);
    const r = await confirmEmail(t.db, { token: tokenIn(link.body, "confirm-email"), now: at(1000) });
    expect(r).toEqual({ ok: true, userId: user.id, email: next, changedFrom: user.email });
    const after = await t.db
      .selectFrom("users")
      .select(["email", "email_normalised", "pending_email"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ email: next, email_normalised: next.toLowerCase(), pending_email: null });
    const told = await outboxTo(user.email);
    expect(told.map((e) => e.subject)).toContain("Your Mashwara email address was changed");
    expect(told.find((e) => e.subject.includes("changed"))!.body).toContain(next);
  });

  it("refuses a new address that someone else took meanwhile, and a link for an address no longer asked for", async () => {
    const user = await makeUser(t.db);
    const wanted = uniqueEmail("wanted");
    await t.db.updateTable("users").set({ pending_email: wanted }).where("id", "=", user.id).execute();
    await sendEmailConfirmation(t.db, { userId: user.id, now: T0 });
    const token = tokenIn((await outboxTo(wanted))[0].body, "confirm-email");
    await makeUser(t.db, { email: wanted });
    expect(await confirmEmail(t.db, { token, now: at(1000) })).toEqual({ ok: false, reason: "emailTaken" });

    const other = await makeUser(t.db);
    const first = uniqueEmail("first");
    await t.db.updateTable("users").set({ pending_email: first }).where("id", "=", other.id).execute();
    await sendEmailConfirmation(t.db, { userId: other.id, now: T0 });
    const stale = tokenIn((await outboxTo(first))[0].body, "confirm-email");
    await t.db
      .updateTable("users")
      .set({ pending_email: uniqueEmail("second") })
      .where("id", "=", other.id)
      .execute();
    expect(await confirmEmail(t.db, { token: stale, now: at(1000) })).toEqual({ ok: false, reason: "invalidToken" });
    const row = await t.db.selectFrom("users").select("email").where("id", "=", other.id).executeTakeFirstOrThrow();
    expect(row.email).toBe(other.email);
  });

  it("an admin confirms someone, which also ends their links; audited as the admin", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const user = await unconfirmed();
    await sendEmailConfirmation(t.db, { userId: user.id, now: T0 });
    const token = tokenIn((await outboxTo(user.email))[0].body, "confirm-email");
    expect(await confirmEmailByAdmin(t.db, { userId: user.id, actor: { id: admin.id, role: "admin" }, now: at(1000) })).toEqual({
      ok: true,
      changed: true,
    });
    expect(await confirmEmailByAdmin(t.db, { userId: user.id, actor: { id: admin.id, role: "admin" }, now: at(2000) })).toEqual({
      ok: true,
      changed: false,
    });
    expect(await peekEmailConfirmation(t.db, { token, now: at(3000) })).toBeNull();
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("target_id", "=", String(user.id))
      .where("action", "=", "user.email-confirm")
      .execute();
    expect(audit).toEqual([{ action: "user.email-confirm", actor_id: admin.id }]);
    expect(await confirmEmailByAdmin(t.db, { userId: 2_000_000_000, actor: { id: admin.id, role: "admin" } })).toEqual({
      ok: false,
      reason: "notFound",
    });
  });
});

describe(`password recovery (${testDialect})`, () => {
  it("an unknown address gets nothing, and leaves no trace", async () => {
    const nobody = uniqueEmail("nobody");
    const tokensBefore = await t.db
      .selectFrom("account_tokens")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    await requestPasswordReset(t.db, { email: nobody, now: T0 });
    expect(await outboxTo(nobody)).toEqual([]);
    const tokensAfter = await t.db
      .selectFrom("account_tokens")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(tokensAfter.n)).toBe(Number(tokensBefore.n));
  });

  it("a reset sets the new password, ends every session, tells the person, and works once", async () => {
    const user = await makeUser(t.db);
    await addSession(user.id, `s-${user.id}-a`);
    await addSession(user.id, `s-${user.id}-b`);
    await requestPasswordReset(t.db, { email: user.email.toUpperCase(), now: T0 });
    const [mail] = await outboxTo(user.email);
    expect(mail.subject).toBe("Reset your Mashwara password");
    const token = tokenIn(mail.body, "reset-password");
    expect(await peekPasswordReset(t.db, { token, now: at(1000) })).toBe(true);

    // A password the rules refuse leaves the link working.
    expect(await resetPassword(t.db, { token, newPassword: "short", now: at(1000) })).toMatchObject({ ok: false, reason: "invalid" });
    expect(await peekPasswordReset(t.db, { token, now: at(1000) })).toBe(true);

    const r = await resetPassword(t.db, { token, newPassword: NEW_PASSWORD, now: at(2000) });
    expect(r).toEqual({ ok: true, userId: user.id, endedSessions: 2 });
    const row = await t.db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, NEW_PASSWORD)).toBe(true);
    expect(await verifyPassword(row.password_hash, user.password)).toBe(false);
    const sessions = await t.db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute();
    expect(sessions).toEqual([]);
    expect((await outboxTo(user.email)).map((e) => e.subject)).toContain("Your Mashwara password was changed");
    expect(await resetPassword(t.db, { token, newPassword: NEW_PASSWORD + " again", now: at(3000) })).toEqual({
      ok: false,
      reason: "invalidToken",
    });
    const audit = await t.db.selectFrom("audit_log").select("action").where("target_id", "=", String(user.id)).execute();
    expect(audit.map((a) => a.action)).toContain("user.password-reset");
  });

  it("a reset link lasts one hour", async () => {
    const user = await makeUser(t.db);
    const link = await passwordResetLink(t.db, { userId: user.id, email: user.email, now: T0 });
    const token = link.split("/reset-password/")[1];
    expect(await resetPassword(t.db, { token, newPassword: NEW_PASSWORD, now: at(3_600_000) })).toEqual({
      ok: false,
      reason: "invalidToken",
    });
  });

  it("of five resets with one link at once, exactly one changes the password", async () => {
    const user = await makeUser(t.db);
    const link = await passwordResetLink(t.db, { userId: user.id, email: user.email, now: T0 });
    const token = link.split("/reset-password/")[1];
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => resetPassword(t.db, { token, newPassword: `${NEW_PASSWORD} ${i}`, now: at(1000) })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("a disabled account gets no reset link", async () => {
    const user = await makeUser(t.db);
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", user.id).execute();
    await requestPasswordReset(t.db, { email: user.email, now: T0 });
    expect(await outboxTo(user.email)).toEqual([]);
  });
});

describe(`changing the address from the profile (${testDialect})`, () => {
  async function userRow(id: number) {
    return t.db.selectFrom("users").select(["email", "pending_email", "email_confirmed_at"]).where("id", "=", id).executeTakeFirstOrThrow();
  }

  it("keeps the old address until the new one is confirmed, tells the old one at once, and audits the request", async () => {
    const user = await makeUser(t.db);
    const next = uniqueEmail("new");
    const r = await requestEmailChange(t.db, { userId: user.id, email: next, now: T0 });
    expect(r).toEqual({ ok: true, change: "requested", to: next });
    expect(await userRow(user.id)).toMatchObject({ email: user.email, pending_email: next });
    const toOld = await outboxTo(user.email);
    expect(toOld).toHaveLength(1);
    expect(toOld[0].body).toContain(next);
    expect(toOld[0].body).not.toMatch(/confirm-email/);
    const [toNew] = await outboxTo(next);
    const token = tokenIn(toNew.body, "confirm-email");
    expect(await confirmEmail(t.db, { token, now: at(1000) })).toMatchObject({ ok: true, email: next, changedFrom: user.email });
    expect(await userRow(user.id)).toMatchObject({ email: next, pending_email: null });
    const audit = await t.db.selectFrom("audit_log").select("action").where("target_id", "=", String(user.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["user.email-change-request", "user.email-change"]));
  });

  it("the current address again cancels the change and its link; the waiting address again sends nothing more", async () => {
    const user = await makeUser(t.db);
    const next = uniqueEmail("new");
    await requestEmailChange(t.db, { userId: user.id, email: next, now: T0 });
    expect(await requestEmailChange(t.db, { userId: user.id, email: next.toUpperCase(), now: at(1000) })).toEqual({
      ok: true,
      change: "none",
      to: next,
    });
    expect(await outboxTo(next)).toHaveLength(1);
    const token = tokenIn((await outboxTo(next))[0].body, "confirm-email");
    expect(await requestEmailChange(t.db, { userId: user.id, email: ` ${user.email} `, now: at(2000) })).toEqual({
      ok: true,
      change: "cancelled",
      to: null,
    });
    expect(await userRow(user.id)).toMatchObject({ email: user.email, pending_email: null });
    expect(await confirmEmail(t.db, { token, now: at(3000) })).toEqual({ ok: false, reason: "invalidToken" });
    expect((await userRow(user.id)).email).toBe(user.email);
  });

  it("refuses an address another account has, and changes nothing", async () => {
    const user = await makeUser(t.db);
    const other = await makeUser(t.db);
    expect(await requestEmailChange(t.db, { userId: user.id, email: other.email, now: T0 })).toEqual({ ok: false, reason: "emailTaken" });
    expect(await userRow(user.id)).toMatchObject({ email: user.email, pending_email: null });
    expect(await outboxTo(user.email)).toEqual([]);
    expect(await outboxTo(other.email)).toEqual([]);
  });

  it("the profile form is saved as one: a taken address or the daily limit saves none of the other fields", async () => {
    const user = await makeUser(t.db);
    const other = await makeUser(t.db);
    const input = { displayName: "Renamed Person", showOrganisation: false, locale: "ur" as const, organisation: null };
    const name = async () =>
      await t.db.selectFrom("users").select(["display_name", "locale"]).where("id", "=", user.id).executeTakeFirstOrThrow();
    const before = await name();
    expect(await saveProfile(t.db, { userId: user.id, input, email: other.email, now: T0 })).toEqual({ ok: false, reason: "emailTaken" });
    expect(await name()).toEqual(before);
    // Five new addresses a day; the sixth is refused and the name given with it is not saved.
    for (let i = 0; i < 5; i++) {
      const r = await saveProfile(t.db, {
        userId: user.id,
        input: { ...input, displayName: before.display_name, locale: "en" },
        email: uniqueEmail(`n${i}`),
        now: at(i * 1000),
      });
      expect(r).toEqual({ ok: true, email: "requested" });
    }
    const sixth = await saveProfile(t.db, { userId: user.id, input, email: uniqueEmail("n6"), now: at(6000) });
    expect(sixth).toMatchObject({ ok: false, reason: "rateLimited" });
    expect(await name()).toEqual({ display_name: before.display_name, locale: "en" });
    // The current address cancels the waiting change and is not a new address: no limit, and the rest is saved.
    expect(await saveProfile(t.db, { userId: user.id, input, email: user.email, now: at(7000) })).toEqual({ ok: true, email: "cancelled" });
    expect(await name()).toEqual({ display_name: "Renamed Person", locale: "ur" });
  });

  it("an unconfirmed person who changes the address confirms the new one, and is confirmed by it", async () => {
    const user = await unconfirmed();
    const next = uniqueEmail("new");
    await requestEmailChange(t.db, { userId: user.id, email: next, now: T0 });
    const token = tokenIn((await outboxTo(next))[0].body, "confirm-email");
    expect(await confirmEmail(t.db, { token, now: at(1000) })).toMatchObject({ ok: true, email: next });
    expect((await userRow(user.id)).email_confirmed_at).not.toBeNull();
  });
});
