// Notifications and their emails on a real migrated database, and
// the outbox sender over a real socket to a fake SMTP server: one transaction
// for the notification and its email, the recipient's language, safe headers,
// one send per email with two senders racing, retries with backoff, only my
// notifications marked read, unread counts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { createDb, type DbHandle } from "../../db/client";
import { approveSubmission, rejectSubmission } from "~/models/moderation.server";
import {
  claimEmail,
  configureMail,
  mailSettings,
  outboxNoteKey,
  renderNotificationEmail,
  type MailSettings,
} from "~/models/email-outbox.server";
import { setEmailFrequency } from "~/models/notification-settings.server";
import { countUnread, listNotifications, markAllNotificationsRead, markNotificationRead, notify } from "~/models/notification.server";
import { headerText, parseSmtpUrl, safeEmailAddress } from "~/lib/mail-text.server";
import { createOutboxSender, type OutboxSender, type OutboxSenderOptions } from "../../server/outbox-sender";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { parseMessage, startFakeSmtp, type FakeSmtp } from "../support/smtp";

const ORIGIN = "https://consult.example.pk";
const fill = (template: string, values: Record<string, string>) => template.replace(/{{(\w+)}}/g, (_m, k: string) => values[k] ?? "");

describe(`notifications and the email outbox (${testDialect})`, () => {
  let t: TestDb;
  let smtp: FakeSmtp;
  let moderator: MadeUser;
  let previous: MailSettings;
  const senders: OutboxSender[] = [];
  const handles: DbHandle[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    smtp = await startFakeSmtp();
    moderator = await makeUser(t.db, { role: "moderator" });
    previous = mailSettings();
  });
  afterAll(async () => {
    configureMail(previous);
    await smtp?.close();
    await t?.destroy();
  });
  beforeEach(async () => {
    configureMail({ origin: ORIGIN, delivery: "smtp" });
    smtp.reset();
    // Each test sends only what it wrote.
    await t.db.deleteFrom("email_outbox").execute();
  });
  afterEach(async () => {
    for (const s of senders.splice(0)) await s.stop();
    for (const h of handles.splice(0)) await h.close();
  });

  const sender = (options: Partial<OutboxSenderOptions> = {}) => {
    const s = createOutboxSender({ db: t.db, smtpUrl: smtp.url, origin: ORIGIN, ...options });
    senders.push(s);
    return s;
  };
  const outbox = () => t.db.selectFrom("email_outbox").selectAll().orderBy("id").execute();
  const notificationsOf = (userId: number) =>
    t.db.selectFrom("notifications").selectAll().where("user_id", "=", userId).orderBy("id").execute();
  const approve = (id: number, now?: Date) =>
    approveSubmission(t.db, { id, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["export-markets"], now });

  describe("writing", () => {
    it("writes the notification and its email in one transaction; a rollback leaves neither", async () => {
      const author = await makeUser(t.db, { displayName: "Amina Sheikh" });
      const title = "Duty drawback for value-added leather exporters";
      const id = await makeSubmission(t.db, { authorId: author.id, input: { title } });
      expect(await approve(id)).toEqual({ ok: true });

      const [n] = await notificationsOf(author.id);
      expect(n).toMatchObject({ kind: "published", submission_id: id, read_at: null });
      const [email] = await outbox();
      expect(email).toMatchObject({
        user_id: author.id,
        notification_id: n.id,
        to_email: author.email,
        status: "queued",
        attempts: 0,
        subject: fill(en.email.published.subject, { title }),
        sent_at: null,
      });
      expect(email.body).toContain(fill(en.email.greeting, { name: "Amina Sheikh" }));
      expect(email.body).toContain(`${ORIGIN}/submissions/${id}`);
      expect(email.body).toContain(`${ORIGIN}/me/notifications`);

      // The caller's transaction fails after notify: neither row stays. (A comment is not a decision on
      // the author's suggestion: the author chose email at once for it to be emailed, ADR 0028.)
      await setEmailFrequency(t.db, author.id, "instant");
      const before = { notes: (await notificationsOf(author.id)).length, emails: (await outbox()).length };
      await expect(
        t.db.transaction().execute(async (trx) => {
          await notify(trx, { userId: author.id, kind: "commented", submissionId: id });
          expect(await trx.selectFrom("email_outbox").select("id").execute()).toHaveLength(before.emails + 1);
          throw new Error("roll back");
        }),
      ).rejects.toThrow("roll back");
      expect((await notificationsOf(author.id)).length).toBe(before.notes);
      expect((await outbox()).length).toBe(before.emails);
    });

    it("holds the email for admins when no SMTP is configured, and no sender sends it", async () => {
      configureMail({ origin: ORIGIN, delivery: "held" });
      const author = await makeUser(t.db);
      const id = await makeSubmission(t.db, { authorId: author.id });
      await approve(id);
      const [email] = await outbox();
      expect(email.status).toBe("held");
      expect(await sender().runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, cancelled: 0 });
      expect(smtp.messages).toHaveLength(0);
      expect((await outbox())[0].status).toBe("held");
    });

    it("writes each email in its recipient's language, with the reason of a rejection", async () => {
      const urdu = await makeUser(t.db, { locale: "ur", displayName: "عائشہ خان" });
      const english = await makeUser(t.db, { locale: "en" });
      const title = "Common effluent treatment plant for Kasur tanneries";
      const a = await makeSubmission(t.db, { authorId: urdu.id, input: { title } });
      const b = await makeSubmission(t.db, { authorId: english.id, input: { title } });
      await approve(a);
      const r = await rejectSubmission(t.db, {
        id: b,
        moderatorId: moderator.id,
        moderatorRole: "moderator",
        reasonCode: "outside-remit",
        reason: "Provincial matter.",
      });
      expect(r.ok).toBe(true);

      const [toUrdu, toEnglish] = await outbox();
      expect(toUrdu.to_email).toBe(urdu.email);
      // In Urdu, text someone wrote is isolated (FSI … PDI) so an English title keeps the sentence in order.
      const isolated = (v: string) => `\u2068${v}\u2069`;
      expect(toUrdu.subject).toBe(fill(ur.email.published.subject, { title: isolated(title) }));
      expect(toUrdu.body).toContain(fill(ur.email.greeting, { name: isolated("عائشہ خان") }));
      expect(toEnglish.subject).toBe(fill(en.email.rejected.subject, { title }));
      expect(toEnglish.body).toContain(fill(en.email.reason, { reason: `${en.rejectReason["outside-remit"]} — Provincial matter.` }));

      // And so they arrive: the Urdu subject survives the trip through nodemailer.
      expect(await sender().runOnce()).toMatchObject({ sent: 2 });
      const received = smtp.messages.map((m) => ({
        to: m.to,
        subject: parseMessage(m.raw).header("Subject"),
        text: parseMessage(m.raw).text,
      }));
      expect(received).toContainEqual(
        expect.objectContaining({ to: [urdu.email], subject: fill(ur.email.published.subject, { title: isolated(title) }) }),
      );
      expect(received.find((m) => m.to[0] === urdu.email)?.text).toContain(`${ORIGIN}/submissions/${a}`);
      expect(received).toContainEqual(
        expect.objectContaining({ to: [english.email], subject: fill(en.email.rejected.subject, { title }) }),
      );
    });

    it("writes no email to a disabled or deleted account, and cancels one written before it was disabled", async () => {
      const disabled = await makeUser(t.db);
      const deleted = await makeUser(t.db);
      const later = await makeUser(t.db);
      await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", disabled.id).execute();
      await t.db.updateTable("users").set({ status: "deleted" }).where("id", "=", deleted.id).execute();
      const a = await makeSubmission(t.db, { authorId: disabled.id });
      const b = await makeSubmission(t.db, { authorId: deleted.id });
      const c = await makeSubmission(t.db, { authorId: later.id });
      await approve(a);
      await approve(b);
      await approve(c);
      // The in-app notifications exist; only the active author has an email.
      expect(await notificationsOf(disabled.id)).toHaveLength(1);
      expect((await outbox()).map((e) => e.user_id)).toEqual([later.id]);

      await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", later.id).execute();
      expect(await sender().runOnce()).toMatchObject({ sent: 0, cancelled: 1 });
      expect(smtp.messages).toHaveLength(0);
      expect((await outbox())[0]).toMatchObject({ status: "cancelled", last_error: expect.stringContaining("disabled") });
      // The outbox page says it in the admin's language; an SMTP server's own words are shown as written.
      const key = outboxNoteKey((await outbox())[0].last_error);
      expect(key).toBe("admin.outbox.note.recipientGone");
      expect(ur.admin.outbox.note.recipientGone).toMatch(/[\u0600-\u06FF]/);
      expect(outboxNoteKey("451 4.3.0 try again later")).toBeNull();
    });
  });

  describe("headers", () => {
    it("a progress email says the status reported and its date, in the reader's language", () => {
      const input = {
        kind: "progress" as const,
        name: "Faisal",
        title: "Common effluent plants",
        link: `${ORIGIN}/recommendations/7`,
        progress: { status: "in-progress", date: "2027-05-02" },
      };
      for (const lng of ["en", "ur"] as const) {
        const mail = renderNotificationEmail(lng, input, ORIGIN);
        const t = (key: string) =>
          key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], lng === "en" ? en : ur) as string;
        expect(mail.body).toContain(
          fill(t("email.progressStatus"), { status: t("recommendation.progress.statuses.in-progress"), date: "2027-05-02" }),
        );
      }
    });

    it("strips CR, LF, NUL and other controls from header values, and refuses unsafe addresses", () => {
      const evil = "Tax relief\r\nBcc: victim@example.com\u0000\nX-Injected: yes\u2028end";
      const subject = headerText(evil);
      expect(subject).not.toMatch(/[\r\n\u0000\u2028]/);
      expect(subject).toBe("Tax relief Bcc: victim@example.com X-Injected: yes end");
      const mail = renderNotificationEmail(
        "en",
        { kind: "published", name: "A\r\nB", title: evil, link: `${ORIGIN}/submissions/1` },
        ORIGIN,
      );
      expect(mail.subject).not.toMatch(/[\r\n\u0000]/);
      expect(mail.body).not.toContain("\u0000");
      expect(mail.body).not.toContain("\r");
      expect(mail.body).not.toMatch(/^Bcc:/m);

      expect(safeEmailAddress("someone@example.pk")).toBe("someone@example.pk");
      for (const bad of [
        "a@example.pk\r\nBcc: x@evil.example",
        "a@example.pk, b@example.pk",
        "A <a@example.pk>",
        "a b@example.pk",
        "a@exa\u0000mple.pk",
        "@example.pk",
        "a@",
        "",
      ]) {
        expect(safeEmailAddress(bad), JSON.stringify(bad)).toBeNull();
      }
      expect(parseSmtpUrl("smtp://mail.example.pk:587?from=consult@example.pk")).toEqual({
        url: "smtp://mail.example.pk:587",
        from: "consult@example.pk",
      });
      expect(() => parseSmtpUrl("smtp://mail.example.pk:587?from=a%0d%0aBcc:x@y.pk")).toThrow();
    });

    it("a title with CR/LF cannot add a header or a recipient to the email that is sent", async () => {
      const author = await makeUser(t.db);
      const id = await makeSubmission(t.db, { authorId: author.id });
      const evil = "Tax relief\r\nBcc: attacker@evil.example\r\nX-Injected: yes";
      // Titles from the form are one line; this one is put in the row directly, as worst case.
      await t.db.updateTable("submissions").set({ title: evil }).where("id", "=", id).execute();
      await approve(id);
      const [email] = await outbox();
      expect(email.subject).not.toMatch(/[\r\n]/);

      // A row whose address was tampered with is never sent.
      await t.db
        .insertInto("email_outbox")
        .values({ ...email, id: undefined, to_email: "victim@example.pk\r\nBcc: attacker@evil.example", status: "queued" })
        .execute();

      expect(await sender().runOnce()).toMatchObject({ sent: 1, cancelled: 1 });
      expect(smtp.messages).toHaveLength(1);
      const [message] = smtp.messages;
      expect(message.to).toEqual([author.email]);
      const parsed = parseMessage(message.raw);
      expect(parsed.headerLines.filter((l) => /^(bcc|x-injected):/i.test(l))).toEqual([]);
      expect(parsed.header("Subject")).toBe(
        fill(en.email.published.subject, { title: "Tax relief Bcc: attacker@evil.example X-Injected: yes" }),
      );
    });
  });

  describe("sending", () => {
    it("sends each email once when two senders (two connections) run at once", async () => {
      const people = await Promise.all(Array.from({ length: 4 }, () => makeUser(t.db)));
      for (const p of people) {
        // Every notification by email at once, comments too (ADR 0028: by default they wait for the weekly digest).
        await setEmailFrequency(t.db, p.id, "instant");
        const id = await makeSubmission(t.db, { authorId: p.id });
        await approve(id);
        await notify(t.db, { userId: p.id, kind: "commented", submissionId: id });
        await notify(t.db, { userId: p.id, kind: "hidden", submissionId: id });
      }
      expect(await outbox()).toHaveLength(12);
      smtp.dataDelayMs = 15;
      const other = createDb(t.url, { poolSize: 4 });
      handles.push(other);
      const a = sender({ senderId: "sender-a", batchSize: 5 });
      const b = createOutboxSender({ db: other.db, smtpUrl: smtp.url, origin: ORIGIN, senderId: "sender-b", batchSize: 5 });
      senders.push(b);
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      expect(ra.sent + rb.sent).toBe(12);
      expect(smtp.messages).toHaveLength(12);
      const ids = smtp.messages.map((m) => parseMessage(m.raw).header("Message-ID"));
      expect(new Set(ids).size).toBe(12);
      const rows = await outbox();
      expect(rows.every((r) => r.status === "sent" && r.attempts === 1 && r.sent_at !== null)).toBe(true);
      // Each was claimed by one of the two, and the record says which.
      expect(rows.every((r) => r.claimed_by === "sender-a" || r.claimed_by === "sender-b")).toBe(true);
      expect(rows.filter((r) => r.claimed_by === "sender-a")).toHaveLength(ra.sent);
      // Nothing left: another pass sends nothing.
      expect(await a.runOnce()).toMatchObject({ sent: 0 });
      expect(smtp.messages).toHaveLength(12);
    });

    it("lets exactly one of two racing claims have an email", async () => {
      const p = await makeUser(t.db);
      const id = await makeSubmission(t.db, { authorId: p.id });
      await approve(id);
      const [email] = await outbox();
      const other = createDb(t.url, { poolSize: 2 });
      handles.push(other);
      const now = new Date();
      const claims = await Promise.all([
        claimEmail(t.db, email.id, "one", now),
        claimEmail(other.db, email.id, "two", now),
        claimEmail(t.db, email.id, "three", now),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      const row = (await outbox())[0];
      expect(row).toMatchObject({ status: "sending", attempts: 1 });
      expect(["one", "two", "three"][claims.indexOf(true)]).toBe(row.claimed_by);
    });

    it("retries a refused email with a growing wait, then gives up as failed", async () => {
      const p = await makeUser(t.db);
      const start = new Date(Math.floor(Date.now() / 1000) * 1000);
      const id = await makeSubmission(t.db, { authorId: p.id });
      await approve(id, start);
      smtp.refuse = (step) => (step === "MAIL" ? "451 4.3.0 mailbox busy, try later" : null);
      let now = start;
      const s = sender({ now: () => now, maxAttempts: 3, backoffMs: (n) => 60_000 * 2 ** (n - 1) });
      const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

      expect(await s.runOnce()).toMatchObject({ retried: 1 });
      let [row] = await outbox();
      expect(row).toMatchObject({ status: "queued", attempts: 1, next_attempt_at: at(60).toISOString() });
      expect(row.last_error).toContain("451");

      now = at(59); // not due yet
      expect(await s.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0, cancelled: 0 });
      expect((await outbox())[0].attempts).toBe(1);

      now = at(60);
      expect(await s.runOnce()).toMatchObject({ retried: 1 });
      [row] = await outbox();
      expect(row).toMatchObject({ status: "queued", attempts: 2, next_attempt_at: at(60 + 120).toISOString() });

      now = at(180);
      expect(await s.runOnce()).toMatchObject({ failed: 1 });
      [row] = await outbox();
      expect(row).toMatchObject({ status: "failed", attempts: 3, next_attempt_at: null });
      expect(row.last_error).toContain("451");

      // Failed is final, even once the server accepts again.
      smtp.refuse = () => null;
      now = at(86_400);
      expect(await s.runOnce()).toMatchObject({ sent: 0 });
      expect(smtp.messages).toHaveLength(0);
    });

    it("gives up at once when the server refuses the recipient for good (5xx at RCPT)", async () => {
      const p = await makeUser(t.db);
      await approve(await makeSubmission(t.db, { authorId: p.id }));
      smtp.refuse = (step) => (step === "RCPT" ? "550 5.1.1 no such mailbox" : null);
      expect(await sender().runOnce()).toMatchObject({ failed: 1 });
      expect((await outbox())[0]).toMatchObject({ status: "failed", attempts: 1 });
    });

    it("queues again an email left in `sending` by a sender that stopped, once its claim is stale", async () => {
      const p = await makeUser(t.db);
      await approve(await makeSubmission(t.db, { authorId: p.id }));
      const [email] = await outbox();
      const now = new Date();
      // As a sender leaves it when its process is killed mid-send.
      await t.db
        .updateTable("email_outbox")
        .set({ status: "sending", claimed_by: "dead-sender", claimed_at: new Date(now.getTime() - 60 * 60_000).toISOString(), attempts: 1 })
        .where("id", "=", email.id)
        .execute();
      // A fresh claim is left alone…
      const s = sender({ now: () => new Date(now.getTime() - 55 * 60_000) });
      expect(await s.runOnce()).toMatchObject({ sent: 0 });
      // …a stale one is released and sent once.
      const later = sender({ now: () => now });
      expect(await later.runOnce()).toMatchObject({ sent: 1 });
      expect(smtp.messages).toHaveLength(1);
      expect((await outbox())[0]).toMatchObject({ status: "sent", attempts: 2 });
    });
  });

  describe("reading", () => {
    it("counts unread notifications and marks only my own read", async () => {
      const me = await makeUser(t.db);
      const other = await makeUser(t.db);
      const mine = await makeSubmission(t.db, { authorId: me.id });
      const theirs = await makeSubmission(t.db, { authorId: other.id });
      await approve(mine);
      await approve(theirs);
      await notify(t.db, { userId: me.id, kind: "commented", submissionId: mine });
      await notify(t.db, { userId: other.id, kind: "commented", submissionId: theirs });
      expect(await countUnread(t.db, me.id)).toBe(2);
      expect(await countUnread(t.db, other.id)).toBe(2);

      const [theirNewest] = await listNotifications(t.db, other.id);
      expect(await markNotificationRead(t.db, { id: theirNewest.id, userId: me.id })).toBe(false);
      expect(await countUnread(t.db, other.id)).toBe(2);
      expect(await markNotificationRead(t.db, { id: 2_147_483_647, userId: me.id })).toBe(false);

      const list = await listNotifications(t.db, me.id);
      expect(list.map((n) => n.kind)).toEqual(["commented", "published"]);
      expect(list[0].submission_title).toBeTruthy();
      expect(await markNotificationRead(t.db, { id: list[0].id, userId: me.id })).toBe(true);
      expect(await markNotificationRead(t.db, { id: list[0].id, userId: me.id })).toBe(true); // again: still mine, nothing changes
      expect(await countUnread(t.db, me.id)).toBe(1);

      expect(await markAllNotificationsRead(t.db, me.id)).toBe(1);
      expect(await countUnread(t.db, me.id)).toBe(0);
      expect(await countUnread(t.db, other.id)).toBe(2);
      expect((await listNotifications(t.db, me.id, { limit: 1, offset: 1 })).map((n) => n.kind)).toEqual(["published"]);
    });
  });
});
