// Two-factor sign-in over HTTP (issue 15, item 5; ADR 0026). With
// STAFF_TWO_FACTOR=required a staff member's password opens only
// /me/two-factor until they enrol (QR code and otpauth:// address, a code from
// it, ten recovery codes shown once); later sign-ins stop at /login/two-factor
// until a code: a wrong or reused code is refused, a recovery code works once,
// wrong codes are limited per account. With "optional" staff choose, as
// stakeholders always may.
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { totpCode, totpStep } from "~/lib/totp.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, setCookieLine, signIn, SESSION_COOKIE } from "../support/http";
import { useServer } from "../support/suite";

const PENDING_COOKIE = "mashwara_sign_in";
const RECOVERY_CODE = /\b[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}\b/g;

/** The otpauth:// address the page shows as text. */
function shownUri(html: string): string {
  const m = pageText(html).match(/otpauth:\/\/totp\/\S+/);
  if (!m) throw new Error("no otpauth:// address on the page");
  return m[0];
}

const secretOf = (uri: string) => new URL(uri).searchParams.get("secret")!;
/** The app's code `ahead` steps from now (a step once used cannot be used again: the next sign-in takes the next step). */
const codeFor = (secret: string, ahead = 0) => totpCode(secret, totpStep(Date.now()) + ahead);
/** A six-digit code that is not the right one for any step near now. */
function wrongCodeFor(secret: string): string {
  const near = new Set([-1, 0, 1, 2].map((d) => codeFor(secret, d)));
  for (let n = 123456; ; n++) if (!near.has(String(n))) return String(n);
}

async function enrol(client: Client): Promise<{ secret: string; codes: string[] }> {
  const page = await client.get("/me/two-factor");
  expect(page.status).toBe(200);
  const secret = secretOf(shownUri(page.text));
  const res = await client.post("/me/two-factor", { intent: "enable", code: codeFor(secret) });
  expect(res.status).toBe(200);
  return { secret, codes: pageText(res.text).match(RECOVERY_CODE) ?? [] };
}

/** Password then code: the client ends up signed in (or the test fails). */
async function signInWithCode(base: string, user: MadeUser, code: string): Promise<Client> {
  const client = new Client(base);
  const first = await signIn(client, user.email, user.password);
  expect([first.status, first.location]).toEqual([303, "/login/two-factor?redirectTo=%2Fme"]);
  const second = await client.post("/login/two-factor", { code, redirectTo: "/me" });
  expect([second.status, second.location]).toEqual([303, "/me"]);
  return client;
}

describe(`two-factor sign-in, required for staff (${testDialect})`, () => {
  const { t, server } = useServer({ env: { STAFF_TWO_FACTOR: "required" } });

  it("before enrolling, a staff member's password opens no staff view of a public page, even through the client router's data request", async () => {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const author = await makeUser(t.db);
    const id = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Hidden until a moderator decides on the reports" },
    });
    await t.db.updateTable("submissions").set({ status: "hidden" }).where("id", "=", id).execute();
    const client = new Client(server.url);
    expect((await signIn(client, moderator.email, moderator.password)).location).toBe("/me/two-factor");
    // The document is sent to enrol; the route's own data (no root loader runs) must not be the moderator's view either.
    const data = await client.get(`/submissions/${id}.data?_routes=routes/submission`);
    expect(data.text).not.toContain("Hidden until a moderator decides on the reports");
    // Once enrolled, the same request is the moderator's view.
    await enrol(client);
    const after = await client.get(`/submissions/${id}.data?_routes=routes/submission`);
    expect(after.text).toContain("Hidden until a moderator decides on the reports");
  });

  it("a moderator's password opens only /me/two-factor; enrolling shows the QR code, the address and then ten codes once", async () => {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const client = new Client(server.url);
    const login = await signIn(client, moderator.email, moderator.password);
    expect(login.status).toBe(302);
    expect(login.location).toBe("/me/two-factor");
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);

    // No staff page (nor any other signed-in page) before enrolment.
    for (const path of ["/moderation", "/me", "/", "/me/password"]) {
      const res = await client.get(path);
      expect(res.status, path).toBe(302);
      expect(res.location, path).toMatch(/^\/me\/two-factor/);
    }
    expect((await client.get("/moderation")).location).toBe("/me/two-factor?redirectTo=%2Fmoderation");
    const post = await client.post("/moderation/submissions/1", { intent: "approve" });
    expect([post.status, post.location]).toEqual([302, "/me/two-factor"]);

    const page = await client.get("/me/two-factor");
    expect(page.status).toBe(200);
    const uri = shownUri(page.text);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Mashwara:/);
    expect(decodeURIComponent(uri)).toContain(moderator.email);
    expect(pageText(page.text)).toContain(en.twoFactor.settings.mustEnrol);
    const svg = page.text.match(/<div class="qr-code"[^>]*>(<svg[\s\S]*?<\/svg>)/)?.[1] ?? "";
    expect(svg).toContain("<path");
    expect(svg).not.toMatch(/<script|on\w+=|href=/i);
    // A reload shows the same secret (an app that scanned it keeps working).
    expect(shownUri((await client.get("/me/two-factor")).text)).toBe(uri);

    const secret = secretOf(uri);
    const wrong = await client.post("/me/two-factor", { intent: "enable", code: wrongCodeFor(secret) });
    expect(wrong.status).toBe(400);
    expect(pageText(wrong.text)).toContain(en.twoFactor.errors.wrongCode);
    expect(shownUri(wrong.text)).toBe(uri);
    expect((await client.get("/moderation")).status).toBe(302);

    const enabled = await client.post("/me/two-factor", { intent: "enable", code: codeFor(secret) });
    expect(enabled.status).toBe(200);
    const codes = pageText(enabled.text).match(RECOVERY_CODE) ?? [];
    expect(new Set(codes).size).toBe(10);
    expect(pageText(enabled.text)).toContain(en.twoFactor.codes.advice);
    // Shown once: the page does not show them again, nor the secret.
    const after = await client.get("/me/two-factor");
    expect(after.status).toBe(200);
    expect(pageText(after.text).match(RECOVERY_CODE)).toBeNull();
    expect(after.text).not.toContain("otpauth://");
    expect(pageText(after.text)).toContain(en.twoFactor.status.on);
    // Stored only as hashes.
    const rows = await t.db.selectFrom("two_factor_recovery_codes").select("code_hash").where("user_id", "=", moderator.id).execute();
    expect(rows).toHaveLength(10);
    for (const code of codes) expect(rows.map((r) => r.code_hash).join(" ")).not.toContain(code.replace(/-/g, ""));

    expect((await client.get("/moderation")).status).toBe(200);
  });

  it("later sign-ins stop at /login/two-factor: a wrong code is refused, the right one signs in, the same one again does not", async () => {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const first = new Client(server.url);
    await signIn(first, moderator.email, moderator.password);
    const { secret } = await enrol(first);
    expect((await first.post("/logout")).status).toBe(302);

    const client = new Client(server.url);
    const login = await signIn(client, moderator.email, moderator.password, { redirectTo: "/moderation" });
    expect([login.status, login.location]).toEqual([303, "/login/two-factor?redirectTo=%2Fmoderation"]);
    // No session yet: only the pending sign-in's cookie, HttpOnly and SameSite=Lax, for ten minutes.
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    const cookie = setCookieLine(login.headers, PENDING_COOKIE) ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=600/i);
    expect((await client.get("/moderation")).location).toBe("/login?redirectTo=%2Fmoderation");
    const row = await t.db
      .selectFrom("account_tokens")
      .select(["token_hash"])
      .where("user_id", "=", moderator.id)
      .where("purpose", "=", "sign-in")
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(cookie).not.toContain(row.token_hash);

    const form = await client.get("/login/two-factor?redirectTo=%2Fmoderation");
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="code"');

    const wrong = await client.post("/login/two-factor", { code: wrongCodeFor(secret), redirectTo: "/moderation" });
    expect(wrong.status).toBe(400);
    expect(pageText(wrong.text)).toContain(en.twoFactor.errors.wrongCode);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    const failure = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("actor_id", "=", moderator.id)
      .where("action", "=", "security.login.failure")
      .execute();
    expect(failure).toHaveLength(1);

    // The enrolment used this step's code: the sign-in takes the next one (the app shows it within 30 seconds).
    const code = codeFor(secret, 1);
    const right = await client.post("/login/two-factor", { code, redirectTo: "/moderation" });
    expect([right.status, right.location]).toEqual([303, "/moderation"]);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
    expect(client.cookies.has(PENDING_COOKIE)).toBe(false);
    expect((await client.get("/moderation")).status).toBe(200);
    // The pending sign-in is used up.
    expect((await client.get("/login/two-factor")).status).toBe(302);

    // The same code in a second sign-in (same 30-second step): refused.
    const again = new Client(server.url);
    await signIn(again, moderator.email, moderator.password);
    const replay = await again.post("/login/two-factor", { code });
    expect(replay.status).toBe(400);
    expect(pageText(replay.text)).toContain(en.twoFactor.errors.codeUsed);
    expect(again.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("a recovery code signs in once and not twice", async () => {
    const organiser = await makeUser(t.db, { role: "organiser" });
    const first = new Client(server.url);
    await signIn(first, organiser.email, organiser.password);
    const { codes } = await enrol(first);
    expect(codes).toHaveLength(10);

    const client = await signInWithCode(server.url, organiser, codes[3].toUpperCase());
    expect((await client.get("/organiser")).status).toBe(200);

    const again = new Client(server.url);
    await signIn(again, organiser.email, organiser.password);
    const reused = await again.post("/login/two-factor", { code: codes[3] });
    expect(reused.status).toBe(400);
    expect(again.cookies.has(SESSION_COOKIE)).toBe(false);
    // Another one still works; new codes end the old ones.
    await signInWithCode(server.url, organiser, codes[4]);
    const fresh = await client.post("/me/two-factor", { intent: "recovery-codes" });
    expect(fresh.status).toBe(200);
    const newCodes: string[] = [...(pageText(fresh.text).match(RECOVERY_CODE) ?? [])];
    expect(newCodes).toHaveLength(10);
    const old = new Client(server.url);
    await signIn(old, organiser.email, organiser.password);
    expect((await old.post("/login/two-factor", { code: codes[5] })).status).toBe(400);
    expect((await old.post("/login/two-factor", { code: newCodes[0] })).status).toBe(303);
  });

  it("past five wrong codes per account: 429 with Retry-After, and the pending sign-in stays", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const first = new Client(server.url);
    await signIn(first, admin.email, admin.password);
    const { secret } = await enrol(first);

    const client = new Client(server.url);
    await signIn(client, admin.email, admin.password);
    const wrong = wrongCodeFor(secret);
    for (let i = 0; i < 5; i++) expect((await client.post("/login/two-factor", { code: wrong })).status).toBe(400);
    const limited = await client.post("/login/two-factor", { code: wrong });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await client.get("/login/two-factor")).status).toBe(200);
    expect((await client.post("/login/two-factor", { code: codeFor(secret, 1) })).status).toBe(429);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    // Per account: a new sign-in (which ends the earlier pending one) is limited too.
    const elsewhere = new Client(server.url);
    await signIn(elsewhere, admin.email, admin.password);
    expect((await elsewhere.post("/login/two-factor", { code: codeFor(secret, 1) })).status).toBe(429);
    expect(elsewhere.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("staff may not turn two-factor off while it is required: 409 with the reason", async () => {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const client = new Client(server.url);
    await signIn(client, moderator.email, moderator.password);
    const { secret } = await enrol(client);
    const page = await client.get("/me/two-factor");
    expect(pageText(page.text)).toContain(en.twoFactor.disable.required);
    const res = await client.post("/me/two-factor", { intent: "disable", code: codeFor(secret, 1) });
    expect(res.status).toBe(409);
    expect(pageText(res.text)).toContain(en.twoFactor.errors.requiredForStaff);
    const row = await t.db.selectFrom("users").select("two_factor_enabled_at").where("id", "=", moderator.id).executeTakeFirstOrThrow();
    expect(row.two_factor_enabled_at).not.toBeNull();
  });

  it("a stakeholder signs in with a password alone, may opt in, and is then asked for a code", async () => {
    const stakeholder = await makeUser(t.db);
    const client = new Client(server.url);
    const login = await signIn(client, stakeholder.email, stakeholder.password);
    expect([login.status, login.location]).toEqual([302, "/me"]);
    const me = await client.get("/me");
    expect(me.status).toBe(200);
    expect(me.text).toContain('href="/me/two-factor"');
    const { secret } = await enrol(client);
    await client.post("/logout");
    await signInWithCode(server.url, stakeholder, codeFor(secret, 1));
  });

  it("without a pending sign-in, /login/two-factor sends the person back to sign in, with a notice", async () => {
    const client = new Client(server.url);
    const res = await client.get("/login/two-factor?redirectTo=%2Fmoderation");
    expect([res.status, res.location]).toEqual([303, "/login?twoFactor=expired&redirectTo=%2Fmoderation"]);
    const post = await client.post("/login/two-factor", { code: "123456" });
    expect([post.status, post.location]).toEqual([303, "/login?twoFactor=expired"]);
    const login = await client.get(res.location!);
    expect(pageText(login.text)).toContain(en.twoFactor.signIn.expired);
  });
});

describe(`two-factor sign-in, optional for staff (${testDialect})`, () => {
  const { t, server } = useServer({ env: { STAFF_TWO_FACTOR: "optional" } });

  it("staff sign in with a password alone; one who opts in is asked for a code, and may turn it off with one", async () => {
    const organiser = await makeUser(t.db, { role: "organiser" });
    const client = new Client(server.url);
    const login = await signIn(client, organiser.email, organiser.password);
    expect([login.status, login.location]).toEqual([302, "/me"]);
    expect((await client.get("/organiser")).status).toBe(200);

    const { secret, codes } = await enrol(client);
    await client.post("/logout");
    const signedIn = await signInWithCode(server.url, organiser, codeFor(secret, 1));
    const wrong = await signedIn.post("/me/two-factor", { intent: "disable", code: wrongCodeFor(secret) });
    expect(wrong.status).toBe(400);
    // This step's and the next one's codes are used: a recovery code does it.
    const off = await signedIn.post("/me/two-factor", { intent: "disable", code: codes[0] });
    expect([off.status, off.location]).toEqual([303, "/me/two-factor?disabled=1"]);
    const again = new Client(server.url);
    expect((await signIn(again, organiser.email, organiser.password)).location).toBe("/me");
  });
});
