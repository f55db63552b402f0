// Account recovery over HTTP (issue 15, item 2; ADR 0026): /forgot-password
// answers an unknown and a known address the same way; the emailed link opens
// /reset-password/:token, works once, sets a password by the registration
// rules, ends every session and sends the person to sign in; a used link is a
// 410 with the way to ask again.
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { testDialect } from "../support/db";
import { makeUser, uniqueEmail } from "../support/factories";
import { Client, pageText, signIn, signedIn } from "../support/http";
import { useServer } from "../support/suite";

const NEW_PASSWORD = "lanterns over the Shalimar gardens";

describe(`account recovery over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();

  async function resetLinkFor(email: string): Promise<string> {
    const row = await t.db
      .selectFrom("email_outbox")
      .select("body")
      .where("to_email", "=", email)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const m = row.body.match(/\/reset-password\/[a-z2-7]{32}/);
    if (!m) throw new Error(`no reset link in ${row.body}`);
    return m[0];
  }

  it("answers an unknown and a known address the same: status, place and words", async () => {
    const user = await makeUser(t.db);
    const known = await new Client(server.url).post("/forgot-password", { email: user.email });
    const unknown = await new Client(server.url).post("/forgot-password", { email: uniqueEmail("nobody") });
    expect([known.status, known.location]).toEqual([303, "/forgot-password?sent=1"]);
    expect([unknown.status, unknown.location]).toEqual([known.status, known.location]);
    const page = await new Client(server.url).get("/forgot-password?sent=1");
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain(en.recovery.forgot.sent);
    expect(await resetLinkFor(user.email)).toMatch(/^\/reset-password\//);
  });

  it("refuses an address that is not one with a 400 and sends nothing", async () => {
    const res = await new Client(server.url).post("/forgot-password", { email: "not an address" });
    expect(res.status).toBe(400);
    expect(pageText(res.text)).toContain(en.errors.email);
  });

  it("a reset sets the new password, ends every session, and the link then says it is gone", async () => {
    const user = await makeUser(t.db);
    const elsewhere = await signedIn(server.url, user);
    expect((await elsewhere.get("/me")).status).toBe(200);
    await new Client(server.url).post("/forgot-password", { email: user.email });
    const link = await resetLinkFor(user.email);

    const browser = new Client(server.url);
    const form = await browser.get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="password"');

    const weak = await browser.post(link, { password: "short" });
    expect(weak.status).toBe(400);
    expect(pageText(weak.text)).toContain(en.errors.passwordTooShort);

    const done = await browser.post(link, { password: NEW_PASSWORD });
    expect([done.status, done.location]).toEqual([303, "/login?reset=1"]);
    expect(pageText((await browser.get("/login?reset=1")).text)).toContain(en.recovery.reset.done);

    // Every session ended; the old password no longer works and the new one does.
    const me = await elsewhere.get("/me");
    expect(me.status).toBe(302);
    expect((await signIn(new Client(server.url), user.email, user.password)).status).toBe(400);
    const fresh = new Client(server.url);
    expect((await signIn(fresh, user.email, NEW_PASSWORD)).status).toBe(302);
    expect((await fresh.get("/me")).status).toBe(200);

    // The link worked once.
    const again = await browser.post(link, { password: NEW_PASSWORD + " again" });
    expect(again.status).toBe(410);
    expect(pageText(again.text)).toContain(en.recovery.reset.dead);
    const gone = await browser.get(link);
    expect(gone.status).toBe(410);
    expect(pageText(gone.text)).toContain(en.recovery.reset.askAgain);
  });

  it("an unknown or malformed token is a 410 with the way to ask again, in Urdu too", async () => {
    expect((await new Client(server.url).get(`/reset-password/${"a".repeat(32)}`)).status).toBe(410);
    const urdu = new Client(server.url);
    expect((await urdu.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
    const res = await urdu.get("/reset-password/not-a-token");
    expect(res.status).toBe(410);
    expect(pageText(res.text)).toContain(ur.recovery.reset.askAgain);
  });

  it("limits reset links per address: the fourth in an hour is a 429 and sends nothing", async () => {
    const user = await makeUser(t.db);
    for (let i = 0; i < 3; i++) expect((await new Client(server.url).post("/forgot-password", { email: user.email })).status).toBe(303);
    const limited = await new Client(server.url).post("/forgot-password", { email: user.email.toUpperCase() });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    const sent = await t.db.selectFrom("email_outbox").select("id").where("to_email", "=", user.email).execute();
    expect(sent).toHaveLength(3);
  });
});
