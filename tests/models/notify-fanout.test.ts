// The batched fan-out (notifyMany, used by notifyFollowers for responses,
// progress and every follower's news) writes exactly the rows the one-person
// path (notify) writes: same notifications (kind, ids, data, digest_state),
// same emails (to, subject, body, language, unsubscribe link), for people with
// mixed settings (instant, daily, weekly, off, never chosen; English and Urdu;
// an author of a source; a disabled account). SQLite, and PostgreSQL with
// TEST_DATABASE_URL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { configureMail, mailSettings, type MailSettings } from "~/models/email-outbox.server";
import { setFollow } from "~/models/follow.server";
import { setEmailFrequency, unsubscribeToken } from "~/models/notification-settings.server";
import { notify, notifyMany, type NotificationInput } from "~/models/notification.server";
import { createRecommendation, linkSource, recordResponse } from "~/models/recommendation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { useTestDb } from "../support/suite";

const ORIGIN = "https://consult.example.pk";
const NOW = new Date("2027-03-02T10:00:00.000Z");

describe(`the batched fan-out writes what notify() writes (${testDialect})`, () => {
  const t = useTestDb();
  let organiser: MadeUser;
  let moderator: MadeUser;
  let previous: MailSettings;

  beforeAll(async () => {
    previous = mailSettings();
    organiser = await makeUser(t.db, { role: "organiser" });
    moderator = await makeUser(t.db, { role: "moderator" });
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
  });
  afterAll(() => configureMail(previous));
  beforeEach(() => configureMail({ origin: ORIGIN, delivery: "smtp" }));

  const org = () => ({ actorId: organiser.id, actorRole: "organiser" });
  const published = (by: MadeUser, title: string) =>
    makePublishedSubmission(t.db, { authorId: by.id, moderatorId: moderator.id, input: { title, cluster: "leather" } });
  const support = async (submissionId: number, user: MadeUser) => {
    const r = await supportSubmission(t.db, { submissionId, userId: user.id });
    if (!r.ok) throw new Error(`support refused: ${JSON.stringify(r)}`);
  };

  /** The rows written after these ids, without their own ids (an email names its notification by its person and kind). */
  const written = async (after: { notification: number; email: number }) => {
    const notifications = await t.db
      .selectFrom("notifications")
      .select(["id", "user_id", "kind", "submission_id", "recommendation_id", "data", "created_at", "digest_state", "read_at"])
      .where("id", ">", after.notification)
      .orderBy("user_id")
      .orderBy("id")
      .execute();
    const emails = await t.db
      .selectFrom("email_outbox")
      .select([
        "user_id",
        "notification_id",
        "to_email",
        "subject",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "unsubscribe_url",
      ])
      .where("id", ">", after.email)
      .orderBy("user_id")
      .orderBy("id")
      .execute();
    const byId = new Map(notifications.map((n) => [n.id, n]));
    return {
      notifications: notifications.map(({ id: _id, ...n }) => n),
      emails: emails.map(({ notification_id, ...e }) => {
        const n = notification_id === null ? undefined : byId.get(notification_id);
        return { ...e, notification: n ? `${n.user_id}:${n.kind}` : null };
      }),
    };
  };
  const marks = async () => ({
    notification: (await t.db.selectFrom("notifications").select("id").orderBy("id", "desc").executeTakeFirst())?.id ?? 0,
    email: (await t.db.selectFrom("email_outbox").select("id").orderBy("id", "desc").executeTakeFirst())?.id ?? 0,
  });

  it("a response over people with mixed settings: the expected rows, and row for row what notify() writes person by person", async () => {
    const author = await makeUser(t.db); // never chosen: a response to what they wrote comes at once
    const authorUr = await makeUser(t.db, { locale: "ur" }); // chose weekly: in the digest
    const a = await published(author, "Online certificates of origin for leather goods");
    const b = await published(authorUr, "Digital export papers for tanneries");
    const never = await makeUser(t.db); // supported only, never chosen: weekly by default
    const daily = await makeUser(t.db);
    const weekly = await makeUser(t.db, { locale: "ur" });
    const off = await makeUser(t.db);
    const instantUr = await makeUser(t.db, { locale: "ur" });
    const follower = await makeUser(t.db); // follows the recommendation only, instant
    const disabled = await makeUser(t.db); // instant, but disabled: hears nothing
    for (const u of [never, daily, weekly, off, instantUr, disabled]) await support(a, u);
    await support(b, instantUr);
    await support(b, author); // an author who also supports the other source
    await setEmailFrequency(t.db, authorUr.id, "weekly");
    await setEmailFrequency(t.db, daily.id, "daily");
    await setEmailFrequency(t.db, weekly.id, "weekly");
    await setEmailFrequency(t.db, off.id, "off");
    for (const u of [instantUr, follower, disabled]) await setEmailFrequency(t.db, u.id, "instant");

    const rec = await createRecommendation(t.db, {
      ...org(),
      input: {
        title: "Certificates of origin online",
        text: "Exporters should get certificates of origin online within a day.",
        cluster: ["leather"],
        category: ["export-markets"],
        priority: "1",
        dissent: "",
        status: "final",
      },
    });
    if (!rec.ok) throw new Error(JSON.stringify(rec));
    const id = rec.id;
    for (const s of [a, b]) expect(await linkSource(t.db, { ...org(), id, submissionId: s })).toMatchObject({ ok: true });
    expect(await setFollow(t.db, { userId: follower.id, target: { type: "recommendation", id }, following: true })).toMatchObject({
      ok: true,
    });
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", disabled.id).execute();

    const before = await marks();
    const r = await recordResponse(t.db, {
      ...org(),
      now: NOW,
      id,
      input: {
        responseStatus: "accepted",
        responseText: "Online from July.",
        responsibleAgency: "Ministry of Commerce",
        responseDate: "2027-03-01",
      },
    });
    const people = [author, authorUr, never, daily, weekly, off, instantUr, follower].map((u) => u.id).sort((x, y) => x - y);
    expect(r).toEqual({ ok: true, notified: people.length });
    const batch = await written(before);

    // The expected rows.
    const iso = NOW.toISOString();
    const pointsTo = new Map<number, number | null>([
      [author.id, a],
      [authorUr.id, b],
      [never.id, a],
      [daily.id, a],
      [weekly.id, a],
      [off.id, a],
      [instantUr.id, a],
      [follower.id, null],
    ]);
    const digest = new Map<number, "pending" | null>([
      [author.id, null],
      [authorUr.id, "pending"],
      [never.id, "pending"],
      [daily.id, "pending"],
      [weekly.id, "pending"],
      [off.id, null],
      [instantUr.id, null],
      [follower.id, null],
    ]);
    expect(batch.notifications).toEqual(
      people.map((u) => ({
        user_id: u,
        kind: "responded",
        submission_id: pointsTo.get(u),
        recommendation_id: id,
        data: JSON.stringify({ status: "accepted" }),
        created_at: iso,
        digest_state: digest.get(u),
        read_at: null,
      })),
    );
    const emailed = [author, instantUr, follower].sort((x, y) => x.id - y.id);
    expect(batch.emails.map((e) => e.user_id)).toEqual(emailed.map((u) => u.id));
    for (const u of emailed) {
      const e = batch.emails.find((x) => x.user_id === u.id)!;
      expect(e).toMatchObject({
        to_email: u.email,
        status: "queued",
        attempts: 0,
        next_attempt_at: iso,
        created_at: iso,
        sent_at: null,
        unsubscribe_url: `${ORIGIN}/unsubscribe/${await unsubscribeToken(t.db, u.id)}`,
        notification: `${u.id}:responded`,
      });
      expect(e.body).toContain(`${ORIGIN}/recommendations/${id}`);
      expect(e.body).toContain("Online from July.");
      expect(e.body).toContain(e.unsubscribe_url);
    }
    expect(batch.emails.find((e) => e.user_id === author.id)!.subject).toBe("The government responded: Certificates of origin online");
    expect(batch.emails.find((e) => e.user_id === instantUr.id)!.subject).toContain("حکومت نے جواب دیا");

    // The same news told person by person through notify(): the same rows.
    const single = await marks();
    for (const u of people)
      await notify(
        t.db,
        { userId: u, kind: "responded", submissionId: pointsTo.get(u), recommendationId: id, data: { status: "accepted" } },
        NOW,
      );
    expect(await written(single)).toEqual(batch);
  });

  it("notifyMany and notify agree for every kind and setting, a disabled account included (a notification, no email)", async () => {
    const author = await makeUser(t.db, { locale: "ur" });
    const s = await published(author, "Faster tax refunds for exporters");
    const users = {
      never: await makeUser(t.db),
      instant: await makeUser(t.db, { locale: "ur" }),
      daily: await makeUser(t.db),
      off: await makeUser(t.db),
      disabled: await makeUser(t.db),
    };
    await setEmailFrequency(t.db, users.instant.id, "instant");
    await setEmailFrequency(t.db, users.daily.id, "daily");
    await setEmailFrequency(t.db, users.off.id, "off");
    await setEmailFrequency(t.db, users.disabled.id, "instant");
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", users.disabled.id).execute();
    const everyone = [author, ...Object.values(users)];
    const kinds = ["published", "followed.published", "followed.commented", "commented", "rejected"] as const;
    const items: NotificationInput[] = kinds.flatMap((kind) =>
      everyone.map((u) => ({
        userId: u.id,
        kind,
        submissionId: s,
        data:
          kind === "rejected" ? { reasonCode: "duplicate", reason: "Said before." } : kind === "commented" ? { commentId: 7 } : undefined,
      })),
    );

    const before = await marks();
    await notifyMany(t.db, items, NOW);
    const batch = await written(before);
    const single = await marks();
    for (const n of items) await notify(t.db, n, NOW);
    const one = await written(single);
    expect(one).toEqual(batch);
    // never chosen: the author's own decisions at once, the rest weekly; a disabled account gets its notifications, no email
    expect(batch.notifications).toHaveLength(items.length);
    expect(new Set(batch.emails.map((e) => e.user_id))).toEqual(new Set([author.id, users.never.id, users.instant.id]));
    expect(batch.emails.filter((e) => e.user_id === users.never.id).map((e) => e.notification)).toEqual([
      `${users.never.id}:published`,
      `${users.never.id}:rejected`,
    ]);
  });

  it("more people than one statement may bind: every notification and email written once", async () => {
    const author = await makeUser(t.db);
    const s = await published(author, "Cheaper power for small tanneries");
    const template = await t.db.selectFrom("users").selectAll().where("id", "=", author.id).executeTakeFirstOrThrow();
    const { id: _id, ...row } = template;
    const ids: number[] = [];
    for (let i = 0; i < 1200; i += 200) {
      const made = await t.db
        .insertInto("users")
        .values(
          Array.from({ length: 200 }, (_, j) => ({
            ...row,
            email: `many-${i + j}-${s}@example.pk`,
            email_normalised: `many-${i + j}-${s}@example.pk`,
            email_frequency: "instant" as const,
          })),
        )
        .returning("id")
        .execute();
      ids.push(...made.map((m) => m.id));
    }
    const before = await marks();
    await notifyMany(
      t.db,
      ids.map((userId) => ({ userId, kind: "followed.commented", submissionId: s })),
      NOW,
    );
    const batch = await written(before);
    expect(batch.notifications.map((n) => n.user_id)).toEqual([...ids].sort((x, y) => x - y));
    expect(batch.emails.map((e) => e.notification)).toEqual([...ids].sort((x, y) => x - y).map((u) => `${u}:followed.commented`));
  });
});
