// Notification settings, digests and one-click unsubscribe (issue 16, item 3;
// ADR 0028) on a real migrated database (SQLite, and PostgreSQL with
// TEST_DATABASE_URL): the delivery rule per kind and its default; a weekly
// person gets exactly one digest for the week however many notifications and
// runs, nothing for an empty week, and the next week's news in the next digest;
// daily likewise; off means no email; account emails ignore the settings; two
// builders at once write one digest; the sender adds the List-Unsubscribe
// headers; a signed link unsubscribes, a tampered one changes nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { createDb } from "../../db/client";
import { queueAccountEmail } from "~/models/account-email.server";
import { deleteAccount } from "~/models/account.server";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { buildDueDigests, isoWeekLabel, isoWeekStart, lastEndedPeriod } from "~/models/digest.server";
import { configureMail, mailSettings, type MailSettings } from "~/models/email-outbox.server";
import {
  emailDeliveryDecision,
  emailDeliveryFor,
  getNotificationSettings,
  isOwnDecision,
  setEmailFrequency,
  unsubscribe,
  unsubscribeToken,
  verifyUnsubscribeToken,
} from "~/models/notification-settings.server";
import { notify, type NotificationKind } from "~/models/notification.server";
import { createOutboxSender } from "../../server/outbox-sender";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { parseMessage, startFakeSmtp, type FakeSmtp } from "../support/smtp";
import { useTestDb } from "../support/suite";

const ORIGIN = "https://consult.example.pk";
const at = (iso: string) => new Date(iso);
// ISO week 10 of 2031 runs from Monday 3 March to Sunday 9 March (UTC); week 11 from Monday 10 March.
const WEEK10 = { tue: at("2031-03-04T09:00:00.000Z"), fri: at("2031-03-07T18:30:00.000Z"), sunLate: at("2031-03-09T23:59:59.000Z") };
const WEEK11 = { mon: at("2031-03-10T00:00:01.000Z"), wed: at("2031-03-12T12:00:00.000Z") };
const WEEK12 = { mon: at("2031-03-17T00:00:01.000Z") };

describe(`notification settings and digests (${testDialect})`, () => {
  const t = useTestDb();
  let moderator: MadeUser;
  let previous: MailSettings;
  let smtp: FakeSmtp;

  beforeAll(async () => {
    previous = mailSettings();
    moderator = await makeUser(t.db, { role: "moderator" });
    smtp = await startFakeSmtp();
  });
  afterAll(async () => {
    configureMail(previous);
    await smtp?.close();
  });
  beforeEach(() => {
    configureMail({ origin: ORIGIN, delivery: "smtp" });
    smtp.reset();
  });

  const emailsTo = (userId: number) => t.db.selectFrom("email_outbox").selectAll().where("user_id", "=", userId).orderBy("id").execute();
  const notificationsOf = (userId: number) =>
    t.db.selectFrom("notifications").selectAll().where("user_id", "=", userId).orderBy("id").execute();
  const suggestion = (authorId: number, title: string) =>
    makePublishedSubmission(t.db, { authorId, moderatorId: moderator.id, input: { title } });
  /** Makes a person and a suggestion they follow (not theirs). */
  const person = async (choice: "off" | "instant" | "daily" | "weekly" | null, extra: Partial<Parameters<typeof makeUser>[1]> = {}) => {
    const u = await makeUser(t.db, extra);
    if (choice) await setEmailFrequency(t.db, u.id, choice);
    return u;
  };

  describe("the rule", () => {
    it("own decisions at once and everything else weekly by default; a choice applies to every kind", async () => {
      const own: NotificationKind[] = ["published", "rejected", "merged", "recommended", "hidden"];
      const others: NotificationKind[] = [
        "commented",
        "followed.published",
        "followed.merged",
        "followed.recommended",
        "followed.commented",
        "progress",
      ];
      for (const k of own) expect(emailDeliveryDecision(null, isOwnDecision(k)), k).toBe("instant");
      for (const k of others) expect(emailDeliveryDecision(null, isOwnDecision(k)), k).toBe("weekly");
      // A response: a decision on what I wrote when I wrote a source; news for a supporter or follower otherwise.
      expect(isOwnDecision("responded", true)).toBe(true);
      expect(isOwnDecision("responded", false)).toBe(false);
      for (const choice of ["off", "instant", "daily", "weekly"] as const) {
        for (const k of [...own, ...others, "responded" as const])
          expect(emailDeliveryDecision(choice, isOwnDecision(k, true))).toBe(choice);
      }
    });

    it("reads the person's choice, and for a response whether they wrote one of its sources", async () => {
      const author = await person(null);
      const supporter = await person(null);
      const chooser = await person("daily");
      const s = await suggestion(author.id, "Solar pumps for cotton ginners");
      const organiser = await makeUser(t.db, { role: "organiser" });
      const created = await createRecommendation(t.db, {
        actorId: organiser.id,
        actorRole: "organiser",
        input: {
          title: "Solar power for ginning",
          text: "Ginners should get finance for solar pumps.",
          cluster: ["leather"],
          category: ["export-markets"],
          priority: "1",
          dissent: "",
          status: "final",
        },
      });
      if (!created.ok) throw new Error(`create refused: ${JSON.stringify(created)}`);
      expect(await linkSource(t.db, { actorId: organiser.id, actorRole: "organiser", id: created.id, submissionId: s })).toMatchObject({
        ok: true,
      });
      expect(await getNotificationSettings(t.db, author.id)).toEqual({ email: null });
      expect(await getNotificationSettings(t.db, chooser.id)).toEqual({ email: "daily" });
      expect(await emailDeliveryFor(t.db, { userId: author.id, kind: "published" })).toBe("instant");
      expect(await emailDeliveryFor(t.db, { userId: author.id, kind: "followed.commented" })).toBe("weekly");
      expect(await emailDeliveryFor(t.db, { userId: chooser.id, kind: "published" })).toBe("daily");
      expect(await emailDeliveryFor(t.db, { userId: author.id, kind: "responded", recommendationId: created.id })).toBe("instant");
      expect(await emailDeliveryFor(t.db, { userId: supporter.id, kind: "responded", recommendationId: created.id })).toBe("weekly");
    });

    it("notify: at once writes the email; daily and weekly keep the notification for the digest; off writes none", async () => {
      const s = await suggestion((await person(null)).id, "Common facility for surgical instruments");
      const byDefault = await person(null);
      const instant = await person("instant");
      const daily = await person("daily");
      const off = await person("off");
      for (const u of [byDefault, instant, daily, off]) {
        await notify(t.db, { userId: u.id, kind: "followed.commented", submissionId: s });
      }
      await notify(t.db, { userId: byDefault.id, kind: "published", submissionId: s });
      await notify(t.db, { userId: off.id, kind: "published", submissionId: s });

      // Never chose: the decision on "their" suggestion at once, the comment for the weekly digest.
      expect((await emailsTo(byDefault.id)).map((e) => e.notification_id)).toEqual([(await notificationsOf(byDefault.id))[1].id]);
      expect((await notificationsOf(byDefault.id)).map((n) => n.digest_state)).toEqual(["pending", null]);
      expect(await emailsTo(instant.id)).toHaveLength(1);
      expect((await notificationsOf(instant.id)).map((n) => n.digest_state)).toEqual([null]);
      expect(await emailsTo(daily.id)).toHaveLength(0);
      expect((await notificationsOf(daily.id)).map((n) => n.digest_state)).toEqual(["pending"]);
      // Off: in-app only, for every kind, and nothing waits for a digest.
      expect(await emailsTo(off.id)).toHaveLength(0);
      expect((await notificationsOf(off.id)).map((n) => n.digest_state)).toEqual([null, null]);
    });

    it("account emails ignore the settings and carry no unsubscribe link", async () => {
      const u = await person("off");
      const id = await queueAccountEmail(
        t.db,
        { userId: u.id, to: u.email, lng: "en", kind: "reset", name: "Test Person", link: `${ORIGIN}/x` },
        new Date(),
      );
      expect(id).not.toBeNull();
      const [email] = await emailsTo(u.id);
      expect(email.subject).toBe(en.email.account.reset.subject);
      expect(email.unsubscribe_url).toBeNull();
    });
  });

  describe("periods", () => {
    it("a UTC day, and an ISO week from Monday 00:00 UTC (the ISO year at the turn of a year)", () => {
      expect(isoWeekStart(WEEK10.sunLate).toISOString()).toBe("2031-03-03T00:00:00.000Z");
      expect(isoWeekLabel(WEEK10.tue)).toBe("2031-W10");
      expect(isoWeekLabel(at("2027-01-01T12:00:00Z"))).toBe("2026-W53");
      expect(isoWeekLabel(at("2029-12-31T12:00:00Z"))).toBe("2030-W01");
      expect(lastEndedPeriod("weekly", WEEK11.mon)).toMatchObject({ key: "W2031-W10", end: at("2031-03-10T00:00:00.000Z") });
      expect(lastEndedPeriod("daily", WEEK11.mon)).toMatchObject({ key: "D2031-03-09", end: at("2031-03-10T00:00:00.000Z") });
    });
  });

  describe("digests", () => {
    it("a weekly person: one digest for the week however many notifications and runs; the next week's news in the next one", async () => {
      const author = await person(null);
      const a = await suggestion(author.id, "Bonded warehouses for leather chemicals");
      const b = await suggestion(author.id, "Duty drawback for sports goods");
      const weekly = await person("weekly", { locale: "en", displayName: "Weekly Reader" });
      await notify(t.db, { userId: weekly.id, kind: "followed.published", submissionId: a }, WEEK10.tue);
      await notify(t.db, { userId: weekly.id, kind: "followed.commented", submissionId: a }, WEEK10.fri);
      await notify(t.db, { userId: weekly.id, kind: "followed.commented", submissionId: b }, WEEK10.fri);
      await notify(t.db, { userId: weekly.id, kind: "published", submissionId: b }, WEEK10.sunLate);
      expect(await emailsTo(weekly.id)).toHaveLength(0);

      // During the week, and on its last second: nothing yet.
      await buildDueDigests(t.db, WEEK10.fri);
      await buildDueDigests(t.db, WEEK10.sunLate);
      expect(await emailsTo(weekly.id)).toHaveLength(0);

      // The week has ended: one digest, however often the builder runs.
      for (const now of [WEEK11.mon, WEEK11.mon, WEEK11.wed]) await buildDueDigests(t.db, now);
      const [digest, ...more] = await emailsTo(weekly.id);
      expect(more).toHaveLength(0);
      expect(digest.subject).toBe("Your Mashwara weekly digest: 2031-03-03 to 2031-03-09");
      expect(digest.notification_id).toBeNull();
      expect(digest.status).toBe("queued");
      // Grouped by suggestion, each with its link, what happened to it, oldest first.
      const body = digest.body;
      expect(body).toContain("Dear Weekly Reader,");
      expect(body).toContain(
        `• Bonded warehouses for leather chemicals\n  ${ORIGIN}/submissions/${a}\n  – ${en.notification.followed.published} (2031-03-04)\n  – ${en.notification.followed.commented} (2031-03-07)`,
      );
      expect(body).toContain(`• Duty drawback for sports goods\n  ${ORIGIN}/submissions/${b}`);
      expect(body.indexOf("Bonded warehouses")).toBeLessThan(body.indexOf("Duty drawback"));
      expect(digest.unsubscribe_url).toMatch(new RegExp(`^${ORIGIN}/unsubscribe/${weekly.id}\\.[A-Za-z0-9_-]{43}$`));
      expect(body).toContain(digest.unsubscribe_url!);
      expect((await notificationsOf(weekly.id)).every((n) => n.digest_state === "done")).toBe(true);
      const claims = await t.db.selectFrom("email_digests").selectAll().where("user_id", "=", weekly.id).execute();
      expect(claims).toEqual([expect.objectContaining({ period: "W2031-W10", email_id: digest.id, notifications: 4 })]);

      // News in week 11 waits for week 11 to end, and is the only thing in that digest.
      await notify(t.db, { userId: weekly.id, kind: "progress", submissionId: null, recommendationId: null }, WEEK11.wed);
      await notify(t.db, { userId: weekly.id, kind: "followed.merged", submissionId: b }, WEEK11.wed);
      await buildDueDigests(t.db, at("2031-03-16T23:00:00.000Z"));
      expect(await emailsTo(weekly.id)).toHaveLength(1);
      await buildDueDigests(t.db, WEEK12.mon);
      await buildDueDigests(t.db, WEEK12.mon);
      const emails = await emailsTo(weekly.id);
      expect(emails).toHaveLength(2);
      expect(emails[1].subject).toBe("Your Mashwara weekly digest: 2031-03-10 to 2031-03-16");
      expect(emails[1].body).toContain(en.notification.followed.merged);
      expect(emails[1].body).not.toContain("Bonded warehouses");
    });

    it("nothing for an empty week, nor for a week whose news was all emailed at once", async () => {
      const quiet = await person("weekly");
      const instant = await person("instant");
      const s = await suggestion((await person(null)).id, "Testing laboratory for fans");
      await notify(t.db, { userId: instant.id, kind: "followed.commented", submissionId: s }, WEEK10.tue);
      await buildDueDigests(t.db, WEEK11.mon);
      expect(await emailsTo(quiet.id)).toHaveLength(0);
      expect(await emailsTo(instant.id)).toHaveLength(1); // the one written at once
      expect(await t.db.selectFrom("email_digests").selectAll().where("user_id", "in", [quiet.id, instant.id]).execute()).toEqual([]);
    });

    it("a daily person: one digest per UTC day, in their language; the next day's news in the next one", async () => {
      const s = await suggestion((await person(null)).id, "Export credit for small weavers");
      const daily = await person("daily", { locale: "ur", displayName: "عائشہ" });
      await notify(t.db, { userId: daily.id, kind: "followed.commented", submissionId: s }, at("2031-03-04T08:00:00Z"));
      await notify(t.db, { userId: daily.id, kind: "followed.commented", submissionId: s }, at("2031-03-04T20:00:00Z"));
      await buildDueDigests(t.db, at("2031-03-04T23:59:00Z"));
      expect(await emailsTo(daily.id)).toHaveLength(0);
      await notify(t.db, { userId: daily.id, kind: "followed.merged", submissionId: s }, at("2031-03-05T07:00:00Z"));
      await buildDueDigests(t.db, at("2031-03-05T09:00:00Z"));
      await buildDueDigests(t.db, at("2031-03-05T10:00:00Z"));
      let emails = await emailsTo(daily.id);
      expect(emails).toHaveLength(1);
      expect(emails[0].subject).toBe(ur.email.digest.subject.daily.replace("{{from}}", "2031-03-04"));
      expect(emails[0].body).toContain(ur.notification.followed.commented);
      expect(emails[0].body).not.toContain(ur.notification.followed.merged);
      await buildDueDigests(t.db, at("2031-03-06T00:30:00Z"));
      emails = await emailsTo(daily.id);
      expect(emails).toHaveLength(2);
      expect(emails[1].body).toContain(ur.notification.followed.merged);
    });

    it("off: what was waiting for a digest is dropped, and nothing is sent", async () => {
      const s = await suggestion((await person(null)).id, "Cold chain for mango exporters");
      const u = await person("weekly");
      await notify(t.db, { userId: u.id, kind: "followed.commented", submissionId: s }, WEEK10.tue);
      await setEmailFrequency(t.db, u.id, "off");
      await notify(t.db, { userId: u.id, kind: "followed.merged", submissionId: s }, WEEK10.fri);
      await buildDueDigests(t.db, WEEK11.mon);
      await buildDueDigests(t.db, WEEK12.mon);
      expect(await emailsTo(u.id)).toHaveLength(0);
      expect((await notificationsOf(u.id)).map((n) => n.digest_state)).toEqual(["done", null]);
    });

    it("deleting an account that had a digest takes its digests with its emails", async () => {
      const s = await suggestion((await person(null)).id, "Ginning waste to fuel pellets");
      const u = await person("weekly");
      await notify(t.db, { userId: u.id, kind: "followed.commented", submissionId: s }, WEEK10.tue);
      await buildDueDigests(t.db, WEEK11.mon);
      expect(await emailsTo(u.id)).toHaveLength(1);
      expect(await deleteAccount(t.db, { userId: u.id, password: u.password })).toEqual({ ok: true });
      expect(await emailsTo(u.id)).toEqual([]);
      expect(await t.db.selectFrom("email_digests").selectAll().where("user_id", "=", u.id).execute()).toEqual([]);
    });

    it("two builders at once (separate connections on PostgreSQL) write one digest per person", async () => {
      const s = await suggestion((await person(null)).id, "Shared design studio for furniture makers");
      const people = await Promise.all(Array.from({ length: 5 }, () => person("weekly")));
      for (const p of people) {
        for (let i = 0; i < 3; i++) await notify(t.db, { userId: p.id, kind: "followed.commented", submissionId: s }, WEEK10.tue);
      }
      // SQLite has one writer: two handles in one process would wait on each other's lock; its
      // concurrency is that of one connection's interleaved transactions. PostgreSQL: two pools.
      const other = testDialect === "postgres" ? createDb(t.url, { poolSize: 4 }) : null;
      try {
        const runs = await Promise.all([
          buildDueDigests(t.db, WEEK11.mon),
          buildDueDigests(other?.db ?? t.db, WEEK11.mon),
          buildDueDigests(t.db, WEEK11.wed),
          buildDueDigests(other?.db ?? t.db, WEEK11.wed),
        ]);
        expect(runs.reduce((n, r) => n + r.written, 0)).toBeGreaterThanOrEqual(people.length);
      } finally {
        await other?.close();
      }
      for (const p of people) {
        const emails = await emailsTo(p.id);
        expect(emails, `digests for ${p.id}`).toHaveLength(1);
        expect((await notificationsOf(p.id)).every((n) => n.digest_state === "done")).toBe(true);
      }
    });

    it("the sender writes the due digest in its pass and sends it with the List-Unsubscribe headers", async () => {
      const s = await suggestion((await person(null)).id, "Gem testing laboratory in Peshawar");
      const u = await person("weekly");
      await notify(t.db, { userId: u.id, kind: "followed.commented", submissionId: s }, WEEK10.tue);
      const sender = createOutboxSender({ db: t.db, smtpUrl: smtp.url, origin: ORIGIN, digestNow: () => WEEK11.mon });
      try {
        await sender.runOnce();
      } finally {
        await sender.stop();
      }
      const [email] = await emailsTo(u.id);
      expect(email.status).toBe("sent");
      const message = smtp.messages.map((m) => parseMessage(m.raw)).find((m) => m.header("To")?.includes(u.email));
      expect(message).toBeDefined();
      expect(message!.header("List-Unsubscribe")).toBe(`<${email.unsubscribe_url}>`);
      expect(message!.header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    });
  });

  describe("unsubscribe links", () => {
    it("a notification email carries the signed link; the link turns email off; a tampered one changes nothing", async () => {
      const u = await person("instant");
      const s = await suggestion((await person(null)).id, "Leather waste to energy");
      await notify(t.db, { userId: u.id, kind: "followed.commented", submissionId: s });
      const [email] = await emailsTo(u.id);
      const token = await unsubscribeToken(t.db, u.id);
      expect(email.unsubscribe_url).toBe(`${ORIGIN}/unsubscribe/${token}`);
      expect(email.body).toContain(email.unsubscribe_url!);
      expect(email.body).toContain(`${ORIGIN}/me/notifications/settings`);

      const other = await person(null);
      const otherToken = await unsubscribeToken(t.db, other.id);
      const [, sig] = token.split(".");
      const flipped = sig.slice(0, -1) + (sig.endsWith("A") ? "B" : "A");
      for (const bad of [
        `${u.id}.${flipped}`,
        `${other.id}.${sig}`,
        `${u.id}.${otherToken.split(".")[1]}`,
        "",
        "1",
        `${u.id}.`,
        `0${token}`,
      ]) {
        expect(await verifyUnsubscribeToken(t.db, bad), bad).toBeNull();
        expect(await unsubscribe(t.db, bad), bad).toEqual({ ok: false, reason: "invalidToken" });
      }
      expect(await getNotificationSettings(t.db, u.id)).toEqual({ email: "instant" });
      expect(await getNotificationSettings(t.db, other.id)).toEqual({ email: null });

      expect(await unsubscribe(t.db, token)).toEqual({ ok: true, userId: u.id });
      expect(await unsubscribe(t.db, token)).toEqual({ ok: true, userId: u.id });
      expect(await getNotificationSettings(t.db, u.id)).toEqual({ email: "off" });
      await notify(t.db, { userId: u.id, kind: "published", submissionId: s });
      expect(await emailsTo(u.id)).toHaveLength(1);
    });
  });
});
