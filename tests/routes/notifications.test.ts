// Notifications over real HTTP against the built server: the
// unread count in the header, /me/notifications in the reader's language,
// marking read (only mine), emails through a real SMTP conversation with a
// fake server when SMTP_URL is set, and the admin outbox when it is not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { approveSubmission } from "~/models/moderation.server";
import { configureMail, mailSettings } from "~/models/email-outbox.server";
import { Client, type HttpResponse, pageText, signedIn } from "../support/http";
import { spawnServer, type SpawnedServer } from "../support/server";
import { useServer } from "../support/suite";
import { parseMessage, startFakeSmtp, type FakeSmtp } from "../support/smtp";

const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/{{(\w+)}}/g, (_m, k: string) => String(values[k] ?? ""));

/** The header's notifications link: its unread count (data-unread) and its text. */
function headerBadge(html: string): { unread: number | null; text: string } {
  const link = html.match(/<a[^>]*class="[^"]*notifications-link[^"]*"[^>]*>[\s\S]*?<\/a>/)?.[0] ?? "";
  const unread = link.match(/data-unread="(\d+)"/)?.[1];
  return { unread: unread === undefined ? null : Number(unread), text: pageText(link) };
}

/** The <li> of notification `id` on /me/notifications, or "". */
function notificationItem(html: string, id: number): string {
  return html.match(new RegExp(`<li[^>]*id="notification-${id}"[\\s\\S]*?</li>`))?.[0] ?? "";
}

function expectNo500(res: HttpResponse) {
  expect(res.status, pageText(res.text).slice(0, 300)).toBeLessThan(500);
}

let seq = 0;
const uniqueTitle = (words: string) => `${words} number ${++seq}`;

describe(`notifications over HTTP with SMTP (${testDialect})`, () => {
  let smtp: FakeSmtp;
  beforeAll(async () => {
    smtp = await startFakeSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
  });
  const { t, server } = useServer({ env: () => ({ SMTP_URL: smtp.url }) });
  let moderator: MadeUser;
  let mod: Client;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    mod = await signedIn(server.url, moderator);
  });

  async function publish(authorId: number, title: string): Promise<number> {
    const id = await makeSubmission(t.db, { authorId, input: { title } });
    const res = await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["export-markets"] });
    expect(res.status, pageText(res.text).slice(0, 300)).toBe(303);
    return id;
  }
  const notificationIds = async (userId: number) =>
    (await t.db.selectFrom("notifications").select("id").where("user_id", "=", userId).orderBy("id").execute()).map((n) => n.id);

  it("tells the author of a published suggestion: header count, the notifications page and an email, each in their language", async () => {
    const english = await makeUser(t.db, { locale: "en" });
    const urdu = await makeUser(t.db, { locale: "ur" });
    const englishTitle = uniqueTitle("Export credit insurance for surgical instrument makers");
    const urduTitle = uniqueTitle("Testing laboratory for pharmaceutical exporters");
    const a = await publish(english.id, englishTitle);
    const b = await publish(urdu.id, urduTitle);

    // The header, on any page.
    const englishClient = await signedIn(server.url, english);
    const home = await englishClient.get("/");
    expect(home.status).toBe(200);
    expect(headerBadge(home.text)).toEqual({
      unread: 1,
      text: `${en.notifications.nav} 1 (${fill(en.notifications.unread_one, { count: 1 })})`,
    });

    // The page, in English, with a link to the suggestion.
    const page = await englishClient.get("/me/notifications");
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toContain("no-store");
    const [nEnglish] = await notificationIds(english.id);
    const item = notificationItem(page.text, nEnglish);
    expect(pageText(item)).toContain(en.notification.published);
    expect(pageText(item)).toContain(englishTitle);
    expect(item).toContain(`href="/submissions/${a}"`);
    expect(pageText(page.text)).toContain(fill(en.notifications.unread_one, { count: 1 }));

    // The Urdu reader gets Urdu (their profile's language; no cookie set).
    const urduClient = await signedIn(server.url, urdu);
    const urduPage = await urduClient.get("/me/notifications");
    expect(urduPage.status).toBe(200);
    expect(urduPage.text).toMatch(/<html[^>]*lang="ur"[^>]*dir="rtl"/);
    const [nUrdu] = await notificationIds(urdu.id);
    expect(pageText(notificationItem(urduPage.text, nUrdu))).toContain(ur.notification.published);
    expect(notificationItem(urduPage.text, nUrdu)).toContain(`href="/submissions/${b}"`);
    expect(headerBadge(urduPage.text).unread).toBe(1);

    // The emails arrive at the SMTP server, sent by the server process after the commit.
    await smtp.waitFor(2);
    const toEnglish = smtp.messages.find((m) => m.to.includes(english.email));
    const toUrdu = smtp.messages.find((m) => m.to.includes(urdu.email));
    expect(toEnglish?.to).toEqual([english.email]);
    expect(parseMessage(toEnglish!.raw).header("Subject")).toBe(fill(en.email.published.subject, { title: englishTitle }));
    expect(parseMessage(toEnglish!.raw).text).toContain(`${server.url}/submissions/${a}`);
    // In Urdu, text someone wrote is isolated (FSI … PDI) so an English title keeps the sentence in order.
    const isolated = (v: string) => `\u2068${v}\u2069`;
    expect(parseMessage(toUrdu!.raw).header("Subject")).toBe(fill(ur.email.published.subject, { title: isolated(urduTitle) }));
    expect(parseMessage(toUrdu!.raw).text).toContain(fill(ur.email.greeting, { name: isolated("Test Person") }));

    // The outbox records them as sent, once each.
    const deadline = Date.now() + 10_000;
    let rows: Array<{ status: string; attempts: number }> = [];
    do {
      rows = await t.db.selectFrom("email_outbox").select(["status", "attempts"]).where("user_id", "in", [english.id, urdu.id]).execute();
      if (rows.every((r) => r.status === "sent")) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    expect(rows).toEqual([
      { status: "sent", attempts: 1 },
      { status: "sent", attempts: 1 },
    ]);
    expect(smtp.messages.filter((m) => m.to.includes(english.email))).toHaveLength(1);

    // An admin sees them in the outbox as sent.
    const admin = await makeUser(t.db, { role: "admin" });
    const outbox = await (await signedIn(server.url, admin)).get("/admin/outbox");
    expect(outbox.status).toBe(200);
    expect(pageText(outbox.text)).toContain(en.admin.outbox.smtpOn);
    const row =
      outbox.text.match(new RegExp(`<tr[^>]*>(?:(?!</tr>)[\\s\\S])*${english.email.replace(/[.+]/g, "\\$&")}[\\s\\S]*?</tr>`))?.[0] ?? "";
    expect(row).toContain('data-status="sent"');
  });

  it("says a rejection's reason in the reader's language at read time, while the email keeps the language it was written in", async () => {
    const author = await makeUser(t.db, { locale: "en" });
    const id = await makeSubmission(t.db, { authorId: author.id, input: { title: uniqueTitle("Duty drawback for sports goods") } });
    const rejected = await mod.post(`/moderation/submissions/${id}`, {
      intent: "reject",
      reasonCode: "outside-remit",
      reason: "A provincial matter.",
    });
    expect(rejected.status, pageText(rejected.text).slice(0, 300)).toBe(303);
    const [nid] = await notificationIds(author.id);
    const client = await signedIn(server.url, author);

    const english = pageText(notificationItem((await client.get("/me/notifications")).text, nid));
    expect(english).toContain(en.notification.rejected);
    expect(english).toContain(fill(en.notifications.reason, { reason: `${en.rejectReason["outside-remit"]} — A provincial matter.` }));

    // The reader switches to Urdu: the same notification now reads in Urdu (the moderator's own words stay as written).
    await t.db.updateTable("users").set({ locale: "ur" }).where("id", "=", author.id).execute();
    const urdu = pageText(notificationItem((await client.get("/me/notifications")).text, nid));
    expect(urdu).toContain(ur.notification.rejected);
    expect(urdu).toContain(fill(ur.notifications.reason, { reason: `${ur.rejectReason["outside-remit"]} — A provincial matter.` }));
    expect(urdu).not.toContain(en.rejectReason["outside-remit"]);

    // Its email was written when it was queued, in the language the profile had then.
    const email = await t.db
      .selectFrom("email_outbox")
      .select(["subject", "body"])
      .where("user_id", "=", author.id)
      .executeTakeFirstOrThrow();
    expect(email.body).toContain(en.rejectReason["outside-remit"]);
  });

  it("marks one read, then all; only mine (another's id is a 404); bad input is a 400; never a 500", async () => {
    const me = await makeUser(t.db);
    const other = await makeUser(t.db);
    const commenter = await makeUser(t.db);
    const mine = await publish(me.id, uniqueTitle("Bonded warehouses near Sialkot dry port"));
    await publish(other.id, uniqueTitle("Shared design studio for leather garments"));
    const commenterClient = await signedIn(server.url, commenter);
    expectNo500(await commenterClient.post(`/submissions/${mine}/comments`, { body: "We would use this warehouse too." }));
    const client = await signedIn(server.url, me);
    expect(headerBadge((await client.get("/")).text).unread).toBe(2);
    const [published, commented] = await notificationIds(me.id);
    const [theirs] = await notificationIds(other.id);

    // Someone else's notification: not found, and it stays unread.
    const foreign = await client.post("/me/notifications", { intent: "read", id: String(theirs) });
    expect(foreign.status).toBe(404);
    const theirRow = await t.db.selectFrom("notifications").select("read_at").where("id", "=", theirs).executeTakeFirstOrThrow();
    expect(theirRow.read_at).toBeNull();
    expect((await client.post("/me/notifications", { intent: "read", id: "2147483647" })).status).toBe(404);

    // Bad input: 400 (or 415 for a body that is not a form), nothing changed.
    const badForms: Array<Record<string, string>> = [
      {},
      { intent: "nope" },
      { intent: "read" },
      { intent: "read", id: "abc" },
      { intent: "read", id: "-1" },
      { intent: "read", id: "99999999999" },
    ];
    for (const form of badForms) {
      const res = await client.post("/me/notifications", form);
      expect(res.status, JSON.stringify(form)).toBe(400);
    }
    const json = await client.request("/me/notifications", {
      method: "POST",
      body: JSON.stringify({ intent: "read-all" }),
      headers: { "Content-Type": "application/json", Origin: server.url },
    });
    expect(json.status).toBe(415);
    expect(headerBadge((await client.get("/")).text).unread).toBe(2);

    // One of mine: back to the page, one fewer unread.
    const one = await client.post("/me/notifications", { intent: "read", id: String(commented) });
    expect(one.status).toBe(303);
    expect(one.location).toBe("/me/notifications");
    const after = await client.get("/me/notifications");
    expect(headerBadge(after.text).unread).toBe(1);
    expect(notificationItem(after.text, commented)).not.toContain('class="badge"');
    expect(notificationItem(after.text, published)).toContain(`<span class="badge">${en.notifications.new}</span>`);

    // All of mine: the count clears, and others' stay as they were.
    const all = await client.post("/me/notifications?page=2", { intent: "read-all" });
    expect(all.status).toBe(303);
    expect(all.location).toBe("/me/notifications?page=2");
    const cleared = await client.get("/me/notifications");
    expect(headerBadge(cleared.text)).toEqual({ unread: 0, text: en.notifications.nav });
    expect(pageText(cleared.text)).toContain(en.notifications.allRead);
    expect(
      (await t.db.selectFrom("notifications").select("read_at").where("id", "=", theirs).executeTakeFirstOrThrow()).read_at,
    ).toBeNull();

    // /me keeps the latest few and links to the page; reading /me marks nothing.
    await publish(me.id, uniqueTitle("Cold chain grants for fruit pulp exporters"));
    const mePage = await client.get("/me");
    expect(mePage.status).toBe(200);
    expect(mePage.text).toContain('href="/me/notifications"');
    expect(headerBadge((await client.get("/me")).text).unread).toBe(1);

    // Odd pages and queries are fine.
    for (const path of [
      "/me/notifications?page=abc",
      "/me/notifications?page=2",
      "/me/notifications?page=-3",
      "/me/notifications?page=99999999999",
    ]) {
      const res = await client.get(path);
      expect(res.status, path).toBe(200);
    }
  });

  it("sends a signed-out visitor to sign in, for the page and for its form", async () => {
    const visitor = new Client(server.url);
    const page = await visitor.get("/me/notifications");
    expect([302, 303]).toContain(page.status);
    expect(page.location).toBe("/login?redirectTo=%2Fme%2Fnotifications");
    const post = await visitor.post("/me/notifications", { intent: "read-all" });
    expect([302, 303]).toContain(post.status);
    expect(post.location).toMatch(/^\/login\?redirectTo=/);
    // The header of a signed-out page has no notifications link.
    expect(headerBadge((await visitor.get("/")).text).unread).toBeNull();
  });
});

describe(`notifications over HTTP without SMTP: the admin outbox (${testDialect})`, () => {
  const { t, server } = useServer();
  let moderator: MadeUser;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
  });

  it("keeps the email in the outbox, where an admin (and only an admin) reads it", async () => {
    const author = await makeUser(t.db);
    const title = uniqueTitle("Common facility centre for surgical steel forging");
    const id = await makeSubmission(t.db, { authorId: author.id, input: { title } });
    const mod = await signedIn(server.url, moderator);
    expect((await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["export-markets"] })).status).toBe(303);

    // The author is told in the app all the same.
    const authorClient = await signedIn(server.url, author);
    expect(headerBadge((await authorClient.get("/")).text).unread).toBe(1);

    const [email] = await t.db.selectFrom("email_outbox").selectAll().where("user_id", "=", author.id).execute();
    expect(email).toMatchObject({
      status: "held",
      attempts: 0,
      to_email: author.email,
      subject: fill(en.email.published.subject, { title }),
    });

    const admin = await makeUser(t.db, { role: "admin" });
    const adminClient = await signedIn(server.url, admin);
    const res = await adminClient.get("/admin/outbox");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("no-store");
    const text = pageText(res.text);
    expect(text).toContain(en.admin.outbox.smtpOff);
    expect(text).toContain(author.email);
    expect(text).toContain(fill(en.email.published.subject, { title }));
    expect(text).toContain(`${server.url}/submissions/${id}`); // the body
    expect(text).toContain(en.admin.outbox.statusName.held);
    expect(res.text).toContain('data-status="held"');
    // The admin page lists it; the admin index links to it.
    expect((await adminClient.get("/admin")).text).toContain('href="/admin/outbox"');

    // Filters: a known status, and anything else (ignored, never an error).
    expect(pageText((await adminClient.get("/admin/outbox?status=held")).text)).toContain(author.email);
    expect(pageText((await adminClient.get("/admin/outbox?status=sent")).text)).not.toContain(author.email);
    for (const path of [
      "/admin/outbox?status=bogus",
      "/admin/outbox?page=-1",
      "/admin/outbox?page=abc&status=%FF",
      "/admin/outbox?page=2",
    ]) {
      const r = await adminClient.get(path);
      expect(r.status, path).toBe(200);
    }
    // A NUL in a query is refused before any page sees it: a 4xx, never a 500.
    const nul = await adminClient.get("/admin/outbox?status=%00");
    expect(nul.status).toBeGreaterThanOrEqual(400);
    expect(nul.status).toBeLessThan(500);

    // Nobody else: the author and a moderator get 403, a visitor goes to sign in.
    expect((await authorClient.get("/admin/outbox")).status).toBe(403);
    expect((await mod.get("/admin/outbox")).status).toBe(403);
    const visitor = await new Client(server.url).get("/admin/outbox");
    expect([302, 303]).toContain(visitor.status);
    expect(visitor.location).toBe("/login?redirectTo=%2Fadmin%2Foutbox");
    expect(pageText((await authorClient.get("/admin/outbox")).text)).not.toContain(author.email);
    // The page is read-only: a POST meets the guard (403 / sign in), then 405 for an admin.
    expect((await authorClient.post("/admin/outbox", { status: "sent" })).status).toBe(403);
    expect((await adminClient.post("/admin/outbox", { status: "sent" })).status).toBe(405);

    // Nothing ever leaves: the held email stays held.
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.db.selectFrom("email_outbox").select("status").where("id", "=", email.id).executeTakeFirstOrThrow()).status).toBe(
      "held",
    );
  });
});

describe(`notification emails with two worker processes (${testDialect})`, () => {
  let smtp: FakeSmtp;
  let t: TestDb;
  let server: SpawnedServer;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    t = await createTestDb();
    // Each worker looks at the outbox every 200 ms (not the default 5 s), so the
    // test sees many passes of both workers without waiting long.
    server = await spawnServer({ databaseUrl: t.url, env: { WEB_CONCURRENCY: "2", SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "200" } });
    await server.waitReady();
    for (let i = 0; i < 50 && (server.output().match(/Mashwara listening/g) ?? []).length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    if (server && server.process.exitCode === null) await server.stop();
    await smtp?.close();
    await t?.destroy();
  });

  it("sends each email once while both workers' senders poll the same outbox", async () => {
    expect(server.output().match(/Mashwara listening/g)).toHaveLength(2);
    // A burst of queued emails written at once (as the server writes them:
    // queued, linking to its origin), so both workers find them due together.
    const previous = mailSettings();
    configureMail({ origin: server.url, delivery: "smtp" });
    const moderator = await makeUser(t.db, { role: "moderator" });
    const authors = await Promise.all(Array.from({ length: 4 }, () => makeUser(t.db)));
    const ids: number[] = [];
    for (const a of authors)
      for (let i = 0; i < 4; i++)
        ids.push(await makeSubmission(t.db, { authorId: a.id, input: { title: uniqueTitle("Export marketing grant for cluster firms") } }));
    smtp.dataDelayMs = 40;
    try {
      await t.db.transaction().execute(async (trx) => {
        for (const id of ids) {
          const r = await approveSubmission(trx, {
            id,
            moderatorId: moderator.id,
            moderatorRole: "moderator",
            categorySlugs: ["export-markets"],
          });
          expect(r.ok).toBe(true);
        }
      });
    } finally {
      configureMail(previous);
    }
    await smtp.waitFor(16, 30_000);
    // (Both workers usually share the burst: their first passes start together.)
    // Give both workers more passes (at least five each, every 200 ms): nothing is sent again.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(smtp.messages).toHaveLength(16);
    const messageIds = smtp.messages.map((m) => parseMessage(m.raw).header("Message-ID"));
    expect(new Set(messageIds).size).toBe(16);
    const rows = await t.db.selectFrom("email_outbox").select(["status", "attempts", "claimed_by"]).execute();
    expect(rows).toHaveLength(16);
    expect(rows.every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
  });
});
