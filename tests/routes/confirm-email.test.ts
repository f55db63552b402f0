// Confirmed email over HTTP, without JavaScript (issue 15, item 1; ADR 0026):
// registration signs the person in unconfirmed and emails a link; the link's
// page shows a button and uses nothing up (mail scanners open links), its POST
// confirms once; an unconfirmed person may suggest but not support, comment or
// report (403, nothing written); the link can be sent again, a few times an
// hour. The attack of the issue: three throwaway accounts cannot hide a
// suggestion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { testDialect, type TestDb } from "../support/db";
import { confirmLinkFor, confirmLinkIn, confirmOverHttp } from "../support/confirm-email";
import { makePublishedSubmission, makeUser, registrationForm } from "../support/factories";
import { Client, pageText, signedIn } from "../support/http";
import type { RunningServer } from "../support/server";
import { startFakeSmtp, type FakeSmtp } from "../support/smtp";
import { useServer } from "../support/suite";

const ENV = { REGISTRATIONS_PER_IP: "1000", OUTBOX_INTERVAL_MS: "200", PAGE_CACHE_SECONDS: "0" };

async function until<T>(what: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A person registered through the form: signed in, unconfirmed, with the link on its way. */
async function register(server: RunningServer, overrides: Record<string, string> = {}) {
  const client = new Client(server.url);
  const form = registrationForm(overrides);
  const res = await client.post("/register", form);
  expect([res.status, res.location]).toEqual([302, "/me"]);
  return { client, email: form.email };
}

async function publishedSuggestion(t: TestDb, title = "Common effluent plant for the Kasur tanneries") {
  const author = await makeUser(t.db);
  const moderator = await makeUser(t.db, { role: "moderator" });
  return makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title } });
}

function confirmedAt(t: TestDb, email: string) {
  return t.db
    .selectFrom("users")
    .select("email_confirmed_at")
    .where("email", "=", email)
    .executeTakeFirstOrThrow()
    .then((r) => r.email_confirmed_at);
}

/** What a refused write could have changed: the suggestion's counters and status, and every row of supports, comments and reports. */
async function traces(t: TestDb, id: number) {
  const s = await t.db
    .selectFrom("submissions")
    .select(["status", "supporters_count", "comments_count", "supporting_organisations", "trending_score"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  const count = async (table: "supports" | "comments" | "reports") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { ...s, supports: await count("supports"), comments: await count("comments"), reports: await count("reports") };
}

describe(`confirmed email over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ env: ENV });

  it("register → the link in the server log → the page's button confirms once → support", async () => {
    const id = await publishedSuggestion(t);
    const { client, email } = await register(server);

    // Without SMTP_URL the email is held and written to the log with its link.
    const output = await until(
      () => server.output(),
      (o) => o.includes(`email held (no SMTP_URL), for ${email}`),
    );
    const logged = output.slice(output.indexOf(`email held (no SMTP_URL), for ${email}`));
    const link = confirmLinkIn(logged.slice(0, 2000));
    expect(link).not.toBeNull();
    expect(logged).toContain(`${server.url}${link}`);
    expect(link).toBe(await confirmLinkFor(t.db, email));

    // Unconfirmed: every page says so, with the button that sends the link again.
    const me = await client.get("/me");
    expect(pageText(me.text)).toContain(en.confirmEmail.banner);
    expect(pageText(me.text)).toContain(email);
    expect(me.text).toContain('action="/me/confirm-email"');
    expect((await client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(403);

    // The page (a mail scanner's GET too) shows the address and one button, and uses nothing up.
    for (let i = 0; i < 2; i++) {
      const page = await new Client(server.url).get(link!);
      expect(page.status).toBe(200);
      expect(pageText(page.text)).toContain(email);
      expect(pageText(page.text)).toContain(en.confirmEmail.submit);
    }
    expect(await confirmedAt(t, email)).toBeNull();

    const done = await client.post(link!, {});
    expect([done.status, done.location]).toEqual([303, "/me?emailConfirmed=1"]);
    expect(await confirmedAt(t, email)).not.toBeNull();
    const after = await client.get("/me?emailConfirmed=1");
    expect(pageText(after.text)).toContain(en.confirmEmail.done);
    expect(pageText(after.text)).not.toContain(en.confirmEmail.banner);

    const supported = await client.post(`/submissions/${id}/support`, { intent: "support" });
    expect([supported.status, supported.location]).toEqual([303, `/submissions/${id}#support`]);
    const s = await t.db.selectFrom("submissions").select("supporters_count").where("id", "=", id).executeTakeFirstOrThrow();
    expect(s.supporters_count).toBe(1);

    // The link worked once: a second press and a later visit say it is gone.
    const again = await client.post(link!, {});
    expect(again.status).toBe(410);
    expect(pageText(again.text)).toContain(en.confirmEmail.dead);
    const gone = await new Client(server.url).get(link!);
    expect(gone.status).toBe(410);
    expect(pageText(gone.text)).toContain(en.confirmEmail.signInToResend);
  });

  it("an unconfirmed person may suggest, but support, comment and report are 403 and change nothing", async () => {
    const id = await publishedSuggestion(t, "Leather testing lab near the Sialkot dry port");
    const { client, email } = await register(server);
    const me = await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow();

    const page = await client.get(`/submissions/${id}`);
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    // The page explains instead of offering the support button, the comment form and the report form.
    expect(text).toContain(en.refusal.emailUnconfirmed);
    expect(page.text).not.toContain(`action="/submissions/${id}/support"`);
    expect(page.text).not.toContain(`action="/submissions/${id}/comments"`);
    expect(page.text).not.toContain(`action="/submissions/${id}/report"`);
    // One "send the link again" button, in the notice at the top; the places that explain link to it.
    const resendForms = (html: string) => html.split('action="/me/confirm-email"').length - 1;
    expect(resendForms(page.text)).toBe(1);
    expect(page.text).toContain('href="#confirm-banner"');

    const before = await traces(t, id);
    const tries = [
      client.post(`/submissions/${id}/support`, { intent: "support" }),
      client.post(`/submissions/${id}/comments`, { intent: "create", body: "We export 40 containers a year and would use it." }),
      client.post(`/submissions/${id}/report`, { reason: "spam", details: "" }),
    ];
    for (const res of await Promise.all(tries)) {
      expect(res.status).toBe(403);
      expect(pageText(res.text)).toContain(en.refusal.emailUnconfirmed);
      // the refusal page offers the link again (and comes back to the suggestion)
      expect(res.text).toContain('action="/me/confirm-email"');
    }
    expect(await traces(t, id)).toEqual(before);
    // not even a rate-limit count
    const keys = ["support-user", "comment-user", "report-user"].map((rule) => `${rule}:${me.id}`);
    const limits = await t.db.selectFrom("rate_limits").select("key").where("key", "in", keys).execute();
    expect(limits).toEqual([]);

    // Suggesting stays open: it waits for moderation anyway.
    const form = await client.get("/submissions/new");
    expect(form.status).toBe(200);
    const submitted = await client.post("/submissions/new", {
      cluster: "leather",
      title: "Shared chrome recovery unit for small tanneries",
      problem: "Small tanneries cannot afford chrome recovery and pay fines for their effluent.",
      proposal: "A shared recovery unit run by the association, paid per hide processed.",
      expectedImpact: "",
      stage: "",
      suggestedCategory: "",
      horizon: "",
      intent: "submit",
    });
    expect(submitted.status).toBe(303);
  });

  it("the attack of the issue: three fresh accounts cannot hide a suggestion", async () => {
    const id = await publishedSuggestion(t, "Duty-free import of tanning drums");
    const c = await t.db.selectFrom("consultations").select("reports_to_hide").where("is_active", "=", 1).executeTakeFirstOrThrow();
    expect(c.reports_to_hide).toBe(3);
    for (let i = 0; i < 3; i++) {
      const { client } = await register(server);
      const res = await client.post(`/submissions/${id}/report`, { reason: "spam", details: "not a real suggestion" });
      expect(res.status).toBe(403);
    }
    const s = await t.db.selectFrom("submissions").select("status").where("id", "=", id).executeTakeFirstOrThrow();
    expect(s.status).toBe("published");
    const reports = await t.db
      .selectFrom("reports")
      .select("id")
      .where("target_type", "=", "submission")
      .where("target_id", "=", id)
      .execute();
    expect(reports).toEqual([]);
    expect((await new Client(server.url).get(`/submissions/${id}`)).status).toBe(200);
  });

  it("sends the link again (the old one stops working), back to the page it was asked from; the fourth in an hour is a 429", async () => {
    const user = await makeUser(t.db, { emailConfirmed: false });
    const client = await signedIn(server.url, user);
    const outbox = () => t.db.selectFrom("email_outbox").select("id").where("to_email", "=", user.email).execute();

    await client.post("/me/confirm-email", { redirectTo: "/me" });
    const first = await confirmLinkFor(t.db, user.email);
    const res = await client.post("/me/confirm-email", { redirectTo: "/submissions/new?cluster=leather" });
    expect([res.status, res.location]).toEqual([303, "/submissions/new?cluster=leather&confirmSent=1"]);
    expect(pageText((await client.get(res.location!)).text)).toContain(en.confirmEmail.sentAgain);
    const second = await confirmLinkFor(t.db, user.email);
    expect(second).not.toBe(first);
    expect((await client.get(first)).status).toBe(410);

    // Only a path on this site: anything else goes to /me.
    const elsewhere = await client.post("/me/confirm-email", { redirectTo: "https://evil.example/" });
    expect([elsewhere.status, elsewhere.location]).toEqual([303, "/me?confirmSent=1"]);
    expect(await outbox()).toHaveLength(3);

    const limited = await client.post("/me/confirm-email", { redirectTo: "/me" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(pageText(limited.text)).toContain(en.errors.rateLimited);
    expect(await outbox()).toHaveLength(3);

    // The newest link still confirms.
    await confirmOverHttp(client, t.db, user.email);
  });

  it("a confirmed address gets nothing sent and goes back; a visitor is asked to sign in", async () => {
    const user = await makeUser(t.db);
    const client = await signedIn(server.url, user);
    const res = await client.post("/me/confirm-email", { redirectTo: "/me" });
    expect([res.status, res.location]).toEqual([303, "/me"]);
    expect(await t.db.selectFrom("email_outbox").select("id").where("to_email", "=", user.email).execute()).toEqual([]);
    const page = await client.get("/me/confirm-email");
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain(en.confirmEmail.done);

    const visitor = await new Client(server.url).post("/me/confirm-email", { redirectTo: "/me" });
    expect(visitor.status).toBe(302);
    expect(visitor.location).toMatch(/^\/login/);
    expect((await new Client(server.url).get("/me/confirm-email")).location).toMatch(/^\/login/);
  });

  it("a link that does not work is a 410: the resend button for the unconfirmed person signed in, sign in for a visitor, in Urdu too", async () => {
    const unknown = `/confirm-email/${"a".repeat(32)}`;
    const user = await makeUser(t.db, { emailConfirmed: false });
    const client = await signedIn(server.url, user);
    const mine = await client.get(unknown);
    expect(mine.status).toBe(410);
    expect(pageText(mine.text)).toContain(en.confirmEmail.dead);
    expect(pageText(mine.text)).toContain(en.confirmEmail.resend);
    expect((await client.post(unknown, {})).status).toBe(410);
    expect(await confirmedAt(t, user.email)).toBeNull();

    const urdu = new Client(server.url);
    expect((await urdu.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
    const res = await urdu.get("/confirm-email/not-a-token");
    expect(res.status).toBe(410);
    expect(pageText(res.text)).toContain(ur.confirmEmail.dead);
    expect(pageText(res.text)).toContain(ur.confirmEmail.signInToResend);
  });
});

describe(`confirmed email with SMTP_URL (${testDialect})`, () => {
  let smtp: FakeSmtp;
  beforeAll(async () => {
    smtp = await startFakeSmtp();
  });
  // registered before useServer: vitest runs after-hooks in reverse, so the server stops first
  afterAll(async () => {
    await smtp?.close();
  });
  const { t, server } = useServer({ env: () => ({ ...ENV, SMTP_URL: smtp.url }) });

  it("register → the link arrives in the inbox → confirm → support", async () => {
    const id = await publishedSuggestion(t);
    const { client, email } = await register(server);
    const messages = await until(
      () => smtp.messages.filter((m) => m.to.includes(email)),
      (m) => m.length > 0,
    );
    expect(messages).toHaveLength(1);
    const link = confirmLinkIn(messages[0].raw);
    expect(link).not.toBeNull();
    expect(server.output()).not.toContain(link!);

    expect((await client.get(link!)).status).toBe(200);
    const done = await client.post(link!, {});
    expect([done.status, done.location]).toEqual([303, "/me?emailConfirmed=1"]);
    expect((await client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
  });
});
