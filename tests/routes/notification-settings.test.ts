// Notification settings, digests and one-click unsubscribe over real HTTP
// against the built server (issue 16, item 3; ADR 0028), with a fake SMTP
// server and the server's clock moved by the test (ADR 0024): the settings
// page (GET, POST, a bad value is a 400 that changes nothing), the List-Unsubscribe
// headers on a sent email, the unsubscribe page (GET changes nothing, POST turns
// email off; the RFC 8058 one-click POST without cookie or Origin works; a
// tampered token is a 410 that changes nothing), and a weekly digest sent once
// by the server's own outbox pass after its clock crossed the week's end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { unsubscribeToken } from "~/models/notification-settings.server";
import { notify } from "~/models/notification.server";
import { testDialect } from "../support/db";
import { serverClock } from "../support/clock";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, signedIn } from "../support/http";
import { parseMessage, startFakeSmtp, type FakeSmtp } from "../support/smtp";
import { useServer } from "../support/suite";

const WEEK_MS = 7 * 86_400_000;

describe(`notification settings, digests and unsubscribe over HTTP (${testDialect})`, () => {
  let smtp: FakeSmtp;
  const clock = serverClock();
  beforeAll(async () => {
    smtp = await startFakeSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    clock.remove();
  });
  const { t, server } = useServer({ env: () => ({ SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "200", ...clock.env }) });
  let moderator: MadeUser;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
  });

  const choiceOf = async (userId: number) =>
    (await t.db.selectFrom("users").select("email_frequency").where("id", "=", userId).executeTakeFirstOrThrow()).email_frequency;
  /** A POST as a mail provider's server sends the RFC 8058 one-click unsubscribe: no cookie, no Origin, no Sec-Fetch-*. */
  const oneClick = (url: string) =>
    fetch(url, {
      method: "POST",
      body: "List-Unsubscribe=One-Click",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
  /** The path of a link on this server (emails carry the server's ORIGIN). */
  const pathOf = (url: string) => new URL(url).pathname;

  it("settings: signed out goes to sign in; the page shows the choices; a choice is saved; a bad value is a 400 that changes nothing", async () => {
    const anonymous = await new Client(server.url).get("/me/notifications/settings");
    expect(anonymous.status).toBe(302);
    expect(anonymous.location).toBe(`/login?redirectTo=${encodeURIComponent("/me/notifications/settings")}`);

    const person = await makeUser(t.db);
    const client = await signedIn(server.url, person);
    const list = await client.get("/me/notifications");
    expect(list.text).toContain('href="/me/notifications/settings"');
    const page = await client.get("/me/notifications/settings");
    expect(page.status).toBe(200);
    for (const v of ["off", "instant", "daily", "weekly"])
      expect(page.text).toMatch(new RegExp(`type="radio"[^>]*name="email"[^>]*value="${v}"`));
    expect(page.text).not.toMatch(/type="radio"[^>]*checked/);
    expect(pageText(page.text)).toContain(en.notificationSettings.defaultNote);

    const saved = await client.post("/me/notifications/settings", { email: "weekly" });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe("/me/notifications/settings?saved=1");
    expect(await choiceOf(person.id)).toBe("weekly");
    const after = await client.get("/me/notifications/settings?saved=1");
    expect(pageText(after.text)).toContain(en.notificationSettings.saved);
    const checked = (after.text.match(/<input[^>]*type="radio"[^>]*>/g) ?? []).filter((i) => /\schecked/.test(i));
    expect(checked).toHaveLength(1);
    expect(checked[0]).toContain('value="weekly"');

    const badForms: Array<Record<string, string | string[]>> = [{ email: "sometimes" }, { email: "" }, {}, { email: ["daily", "off"] }];
    for (const form of badForms) {
      const bad = await client.post("/me/notifications/settings", form);
      expect(bad.status, JSON.stringify(form)).toBe(400);
      expect(await choiceOf(person.id)).toBe("weekly");
    }
    const refused = await client.post("/me/notifications/settings", { email: "monthly" });
    expect(pageText(refused.text)).toContain(en.form.errorSummary);
  });

  it("an email carries List-Unsubscribe headers and the link; the one-click POST without cookie or Origin turns email off", async () => {
    const author = await makeUser(t.db);
    const id = await makeSubmission(t.db, { authorId: author.id, input: { title: "Shared tannery effluent plant in Kasur" } });
    const mod = await signedIn(server.url, moderator);
    expect((await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["export-markets"] })).status).toBe(303);
    // The author's own decision: emailed at once by default, by the server's sender.
    const row = await t.db
      .selectFrom("email_outbox")
      .select(["id", "unsubscribe_url", "body"])
      .where("user_id", "=", author.id)
      .executeTakeFirstOrThrow();
    expect(row.unsubscribe_url).toMatch(new RegExp(`/unsubscribe/${author.id}\\.[A-Za-z0-9_-]{43}$`));
    await smtp.waitFor(1, 20_000);
    let message = smtp.messages.find((m) => m.to.includes(author.email));
    for (let i = 0; !message && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      message = smtp.messages.find((m) => m.to.includes(author.email));
    }
    const parsed = parseMessage(message!.raw);
    expect(parsed.header("List-Unsubscribe")).toBe(`<${row.unsubscribe_url}>`);
    expect(parsed.header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect(parsed.text).toContain(row.unsubscribe_url!);

    const url = server.url + pathOf(row.unsubscribe_url!);
    const res = await oneClick(url);
    expect(res.status).toBe(200);
    expect(pageText(await res.text())).toContain(en.unsubscribe.done);
    expect(await choiceOf(author.id)).toBe("off");
  });

  it("the unsubscribe page: GET changes nothing; the button turns email off and links to the settings; a tampered link is a 410 that changes nothing", async () => {
    const person = await makeUser(t.db);
    const other = await makeUser(t.db);
    await t.db.updateTable("users").set({ email_frequency: "daily" }).where("id", "in", [person.id, other.id]).execute();
    const s = await makePublishedSubmission(t.db, { authorId: other.id, moderatorId: moderator.id });
    // The link an email would carry (the previous test reads one from a sent email).
    const token = await unsubscribeToken(t.db, person.id);
    const visitor = new Client(server.url);

    const page = await visitor.get(`/unsubscribe/${token}`);
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain(en.unsubscribe.intro);
    expect(page.text).toContain('method="post"');
    expect(await choiceOf(person.id)).toBe("daily");

    const [, sig] = token.split(".");
    const tampered = [
      `${person.id}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`,
      `${other.id}.${sig}`,
      `${person.id}`,
      "no-such-thing",
      `${person.id}.${sig}x`,
    ];
    for (const bad of tampered) {
      expect((await visitor.get(`/unsubscribe/${encodeURIComponent(bad)}`)).status, bad).toBe(410);
      const post = await visitor.post(`/unsubscribe/${encodeURIComponent(bad)}`, {});
      expect(post.status, bad).toBe(410);
      expect(pageText(post.text)).toContain(en.unsubscribe.dead);
      expect((await oneClick(`${server.url}/unsubscribe/${encodeURIComponent(bad)}`)).status, bad).toBe(410);
    }
    expect(await choiceOf(person.id)).toBe("daily");
    expect(await choiceOf(other.id)).toBe("daily");

    // From another site it is refused like every POST (a mail provider's one-click POST carries no Origin).
    expect((await visitor.post(`/unsubscribe/${token}`, {}, { Origin: "https://evil.example" })).status).toBe(403);
    expect(await choiceOf(person.id)).toBe("daily");

    const done = await visitor.post(`/unsubscribe/${token}`, {});
    expect(done.status).toBe(200);
    expect(pageText(done.text)).toContain(en.unsubscribe.done);
    expect(done.text).toContain('href="/me/notifications/settings"');
    expect(await choiceOf(person.id)).toBe("off");
    expect(await choiceOf(other.id)).toBe("daily");
    // Off: the next notification writes no email.
    await notify(t.db, { userId: person.id, kind: "followed.commented", submissionId: s });
    expect(await t.db.selectFrom("email_outbox").select("id").where("user_id", "=", person.id).execute()).toEqual([]);
    // Again: still fine, and the page says it is already off.
    expect((await visitor.post(`/unsubscribe/${token}`, {})).status).toBe(200);
    expect(pageText((await visitor.get(`/unsubscribe/${token}`)).text)).toContain(en.unsubscribe.already);
  });

  it("a weekly person's news is sent once, in one digest, by the server after its clock crosses the week's end", async () => {
    const reader = await makeUser(t.db, { displayName: "Digest Reader" });
    const client = await signedIn(server.url, reader);
    expect((await client.post("/me/notifications/settings", { email: "weekly" })).status).toBe(303);
    const author = await makeUser(t.db);
    const s = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Export house for hand-made carpets" },
    });
    for (let i = 0; i < 3; i++) await notify(t.db, { userId: reader.id, kind: "followed.commented", submissionId: s });
    await new Promise((r) => setTimeout(r, 600)); // three passes of the server's sender
    expect(smtp.messages.filter((m) => m.to.includes(reader.email))).toHaveLength(0);

    clock.advance(WEEK_MS);
    let digests: typeof smtp.messages = [];
    for (let i = 0; i < 100 && digests.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      digests = smtp.messages.filter((m) => m.to.includes(reader.email));
    }
    await new Promise((r) => setTimeout(r, 600)); // more passes: no second one
    digests = smtp.messages.filter((m) => m.to.includes(reader.email));
    expect(digests).toHaveLength(1);
    const parsed = parseMessage(digests[0].raw);
    expect(parsed.header("Subject")).toMatch(/^Your Mashwara weekly digest: /);
    expect(parsed.text).toContain("Export house for hand-made carpets");
    expect(parsed.text.split(en.notification.followed.commented).length - 1).toBe(3);
    expect(parsed.header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const link = parsed.header("List-Unsubscribe")!.slice(1, -1);
    expect((await oneClick(server.url + pathOf(link))).status).toBe(200);
    expect(await choiceOf(reader.id)).toBe("off");
  });
});
