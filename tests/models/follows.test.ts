// Follows and the government's response (issue 16, items 1 and 2) on a real
// migrated database (SQLite, and PostgreSQL with TEST_DATABASE_URL): the
// response reaches every author and supporter of the sources and every
// follower once each (two sources, a merged duplicate and its target), in-app
// and by email in each person's language with the status and the text;
// nobody disabled or deleted; auto-follow on submit and support; an explicit
// unfollow sticks; followers hear of publication, merge, inclusion, comments
// and a progress update (notifyFollowers), one notification per person per event.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deleteAccount } from "~/models/account.server";
import { addComment } from "~/models/comment.server";
import { configureMail, mailSettings, type MailSettings } from "~/models/email-outbox.server";
import { followersToTell, isFollowing, listFollowing, notifyFollowers, setFollow } from "~/models/follow.server";
import { setEmailFrequency } from "~/models/notification-settings.server";
import { approveSubmission, mergeSubmission } from "~/models/moderation.server";
import { createRecommendation, linkSource, recordResponse } from "~/models/recommendation.server";
import { supportSubmission, withdrawSupport } from "~/models/support.server";
import { inTransaction } from "../../db/transaction";
import { down as dropFollows, up as createFollows } from "../../db/migrations/2026-12-07T0300-follows";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { useTestDb } from "../support/suite";

const ORIGIN = "https://consult.example.pk";

describe(`follows and the response (${testDialect})`, () => {
  const t = useTestDb();
  let organiser: MadeUser;
  let moderator: MadeUser;
  let org: { actorId: number; actorRole: string };
  let previous: MailSettings;
  const mod = () => ({ moderatorId: moderator.id, moderatorRole: "moderator" as const });

  beforeAll(async () => {
    previous = mailSettings();
    organiser = await makeUser(t.db, { role: "organiser" });
    moderator = await makeUser(t.db, { role: "moderator" });
    org = { actorId: organiser.id, actorRole: "organiser" };
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
  });
  afterAll(() => configureMail(previous));
  beforeEach(() => configureMail({ origin: ORIGIN, delivery: "held" }));

  const published = (by: MadeUser, title: string) =>
    makePublishedSubmission(t.db, { authorId: by.id, moderatorId: moderator.id, input: { title, cluster: "leather" } });
  const support = async (submissionId: number, user: MadeUser) => {
    const r = await supportSubmission(t.db, { submissionId, userId: user.id });
    if (!r.ok) throw new Error(`support refused: ${JSON.stringify(r)}`);
  };
  const finalRecommendation = async (title = "Certificates of origin online for leather exporters") => {
    const r = await createRecommendation(t.db, {
      ...org,
      input: {
        title,
        text: "Exporters should get certificates of origin online within a day of applying.",
        cluster: ["leather"],
        category: ["export-markets"],
        priority: "1",
        dissent: "",
        status: "final",
      },
    });
    if (!r.ok) throw new Error(`create refused: ${JSON.stringify(r)}`);
    return r.id;
  };
  const response = {
    responseStatus: "partially-accepted",
    responseText: "The ministry will issue certificates online from July.",
    responsibleAgency: "Ministry of Commerce",
    responseDate: "2027-03-01",
  };
  /** user ids with a notification of `kind`, one entry per row (so a second row would show twice) */
  const told = async (kind: string, where: { recommendationId?: number; submissionId?: number }) => {
    let q = t.db.selectFrom("notifications").select("user_id").where("kind", "=", kind);
    if (where.recommendationId) q = q.where("recommendation_id", "=", where.recommendationId);
    if (where.submissionId) q = q.where("submission_id", "=", where.submissionId);
    return (await q.orderBy("user_id").execute()).map((r) => r.user_id);
  };
  const sorted = (...ids: number[]) => [...ids].sort((a, b) => a - b);

  it("a response reaches authors, supporters (two sources, a merged duplicate and its target) and followers once each, in-app and by email", async () => {
    const authorA = await makeUser(t.db);
    const authorB = await makeUser(t.db, { locale: "ur" });
    const authorDup = await makeUser(t.db);
    const a = await published(authorA, "Online certificates of origin for leather goods");
    const b = await published(authorB, "Digital export papers for tanneries");
    const dup = await published(authorDup, "Certificates of origin should be online");
    const both = await makeUser(t.db); // behind a and b
    const dupOnly = await makeUser(t.db); // behind the duplicate, carried into b by the merge
    const follower = await makeUser(t.db); // follows the recommendation only
    const disabled = await makeUser(t.db);
    const deleted = await makeUser(t.db);
    await support(a, both);
    await support(b, both);
    await support(dup, dupOnly);
    await support(dup, both);
    await support(a, disabled);
    await support(b, deleted);
    await support(b, authorA); // an author who supports another source
    expect(await mergeSubmission(t.db, { ...mod(), id: dup, into: b })).toMatchObject({ ok: true });
    const id = await finalRecommendation();
    for (const s of [a, b, dup]) expect(await linkSource(t.db, { ...org, id, submissionId: s })).toMatchObject({ ok: true });
    expect(await setFollow(t.db, { userId: follower.id, target: { type: "recommendation", id }, following: true })).toEqual({
      ok: true,
      changed: true,
    });
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", disabled.id).execute();
    await t.db.updateTable("users").set({ status: "deleted" }).where("id", "=", deleted.id).execute();
    // The supporters and the follower chose email at once (ADR 0028: by default, news that is not a
    // decision on what they wrote waits for their weekly digest; the authors get theirs at once anyway).
    for (const u of [both, dupOnly, follower]) await setEmailFrequency(t.db, u.id, "instant");
    const outboxBefore = (await t.db.selectFrom("email_outbox").select("id").orderBy("id", "desc").executeTakeFirst())?.id ?? 0;

    const r = await recordResponse(t.db, { ...org, id, input: response });
    const expected = sorted(authorA.id, authorB.id, authorDup.id, both.id, dupOnly.id, follower.id);
    expect(r).toEqual({ ok: true, notified: expected.length });
    expect(await told("responded", { recommendationId: id })).toEqual(expected);

    const emails = await t.db
      .selectFrom("email_outbox")
      .select(["user_id", "subject", "body", "notification_id"])
      .where("id", ">", outboxBefore)
      .orderBy("user_id")
      .execute();
    expect(emails.map((e) => e.user_id)).toEqual(expected);
    const toA = emails.find((e) => e.user_id === authorA.id)!;
    expect(toA.notification_id).not.toBeNull();
    expect(toA.subject).toBe("The government responded: Certificates of origin online for leather exporters");
    expect(toA.body).toContain("Response: Partially accepted");
    expect(toA.body).toContain("The ministry will issue certificates online from July.");
    expect(toA.body).toContain(`${ORIGIN}/recommendations/${id}`);
    const toB = emails.find((e) => e.user_id === authorB.id)!;
    expect(toB.subject).toContain("حکومت نے جواب دیا");
    expect(toB.body).toContain("جزوی طور پر");
    expect(toB.body).toContain("The ministry will issue certificates online from July.");

    // Changing the response tells them again: once each, with the new status.
    const again = await recordResponse(t.db, { ...org, id, input: { ...response, responseStatus: "implemented" } });
    expect(again).toEqual({ ok: true, notified: expected.length });
    const twice = await told("responded", { recommendationId: id });
    expect(twice).toEqual(expected.flatMap((u) => [u, u]));
    const latest = await t.db
      .selectFrom("email_outbox")
      .select("body")
      .where("user_id", "=", both.id)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(latest.body).toContain("Response: Implemented");
  });

  it("authors follow on submitting, supporters on supporting; withdrawing a support keeps the follow; an unfollow sticks", async () => {
    const author = await makeUser(t.db);
    const supporter = await makeUser(t.db);
    const pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "Pending suggestion the author follows" } });
    expect(await isFollowing(t.db, author.id, { type: "submission", id: pending })).toBe(true);
    // Not public: nobody else can follow it (nothing is written).
    expect(await setFollow(t.db, { userId: supporter.id, target: { type: "submission", id: pending }, following: true })).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect(await setFollow(t.db, { userId: supporter.id, target: { type: "submission", id: 999_999 }, following: true })).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect(await setFollow(t.db, { userId: supporter.id, target: { type: "recommendation", id: 999_999 }, following: true })).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect(await t.db.selectFrom("follows").select("user_id").where("user_id", "=", supporter.id).execute()).toEqual([]);

    const s = await published(author, "Published suggestion a supporter follows");
    await support(s, supporter);
    expect(await isFollowing(t.db, supporter.id, { type: "submission", id: s })).toBe(true);
    expect((await listFollowing(t.db, supporter.id)).map((f) => [f.type, f.id])).toEqual([["submission", s]]);
    expect(await withdrawSupport(t.db, { submissionId: s, userId: supporter.id })).toMatchObject({ ok: true, changed: true });
    expect(await isFollowing(t.db, supporter.id, { type: "submission", id: s })).toBe(true);

    expect(await setFollow(t.db, { userId: supporter.id, target: { type: "submission", id: s }, following: false })).toEqual({
      ok: true,
      changed: true,
    });
    expect(await isFollowing(t.db, supporter.id, { type: "submission", id: s })).toBe(false);
    await support(s, supporter); // supporting again does not follow again
    expect(await isFollowing(t.db, supporter.id, { type: "submission", id: s })).toBe(false);
    expect(await listFollowing(t.db, supporter.id)).toEqual([]);
    // An unfollowed supporter hears no follower news (a comment) …
    const commenter = await makeUser(t.db);
    expect(
      await addComment(t.db, { submissionId: s, authorId: commenter.id, body: "A comment the supporter does not hear of." }),
    ).toMatchObject({
      ok: true,
    });
    expect(await told("followed.commented", { submissionId: s })).toEqual([]);
    // … and following again works (idempotent).
    expect(await setFollow(t.db, { userId: supporter.id, target: { type: "submission", id: s }, following: true })).toEqual({
      ok: true,
      changed: true,
    });
    expect(await setFollow(t.db, { userId: supporter.id, target: { type: "submission", id: s }, following: true })).toEqual({
      ok: true,
      changed: false,
    });
  });

  it("followers hear of publication, merge, inclusion, comments and progress: one notification per person per event", async () => {
    const author = await makeUser(t.db);
    const otherAuthor = await makeUser(t.db);
    const fan = await makeUser(t.db); // supports and follows both suggestions, and the recommendation
    const commenter = await makeUser(t.db);
    // The fan chose email at once (ADR 0028: by default a follower's news waits for the weekly digest).
    await setEmailFrequency(t.db, fan.id, "instant");
    const s = await published(author, "Bonded warehouses for leather chemicals");
    const target = await published(otherAuthor, "Duty-free chemicals for export tanneries");
    await support(s, fan);
    await support(target, fan);
    expect(await setFollow(t.db, { userId: commenter.id, target: { type: "submission", id: s }, following: true })).toMatchObject({
      ok: true,
    });

    // A comment: the followers (not the one who wrote it; the author once, as the author).
    const c = await addComment(t.db, { submissionId: s, authorId: commenter.id, body: "We need this in Kasur as well." });
    expect(c).toMatchObject({ ok: true });
    expect(await told("followed.commented", { submissionId: s })).toEqual([fan.id]);
    expect(await told("commented", { submissionId: s })).toEqual([author.id]);

    // A merge: the fan follows both, and hears of it once; the duplicate's followers follow the target after.
    expect(await mergeSubmission(t.db, { ...mod(), id: s, into: target })).toMatchObject({ ok: true });
    const mergedNews = [
      ...(await told("followed.merged", { submissionId: s })),
      ...(await told("followed.merged", { submissionId: target })),
    ];
    expect(mergedNews.sort((x, y) => x - y)).toEqual(sorted(fan.id, commenter.id));
    expect(await isFollowing(t.db, commenter.id, { type: "submission", id: target })).toBe(true);
    expect(await isFollowing(t.db, author.id, { type: "submission", id: target })).toBe(true);

    // Inclusion in a final recommendation, of two sources the fan follows: once.
    const id = await finalRecommendation("Chemicals for export tanneries without duty");
    await linkSource(t.db, { ...org, id, submissionId: target });
    await linkSource(t.db, { ...org, id, submissionId: s });
    // The merged duplicate's author follows the target since the merge: they hear it with the target's inclusion, once.
    expect(await told("recommended", { recommendationId: id })).toEqual([otherAuthor.id]);
    expect(await told("followed.recommended", { recommendationId: id })).toEqual(sorted(author.id, fan.id, commenter.id));

    // A progress update (the other helper's call): followers of the recommendation and of its sources, once each.
    await setFollow(t.db, { userId: fan.id, target: { type: "recommendation", id }, following: true });
    const progressTold = await inTransaction(t.db, (trx) =>
      notifyFollowers(trx, { target: { type: "recommendation", id }, event: "progress", data: { status: "in-progress" } }),
    );
    const everyone = sorted(author.id, otherAuthor.id, fan.id, commenter.id);
    expect(progressTold).toEqual(everyone);
    expect(await told("progress", { recommendationId: id })).toEqual(everyone);
    const email = await t.db
      .selectFrom("email_outbox")
      .select(["subject", "body"])
      .where("user_id", "=", fan.id)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(email.subject).toBe("Progress on a recommendation you follow: Chemicals for export tanneries without duty");
    expect(email.body).toContain(`${ORIGIN}/recommendations/${id}`);

    // Unfollowing the recommendation wins over following its sources.
    await setFollow(t.db, { userId: commenter.id, target: { type: "recommendation", id }, following: false });
    expect(await followersToTell(t.db, { target: { type: "recommendation", id } })).toEqual(sorted(author.id, otherAuthor.id, fan.id));
  });

  it("the migration makes every existing author and supporter a follower (backfill)", async () => {
    const author = await makeUser(t.db);
    const supporter = await makeUser(t.db);
    const s = await published(author, "Suggestion written before follows existed");
    await support(s, supporter);
    await dropFollows(t.db);
    await createFollows(t.db, testDialect);
    const rows = await t.db
      .selectFrom("follows")
      .select(["user_id", "following", "origin"])
      .where("target_type", "=", "submission")
      .where("target_id", "=", s)
      .orderBy("user_id")
      .execute();
    expect(rows).toEqual([author.id, supporter.id].sort((a, b) => a - b).map((user_id) => ({ user_id, following: 1, origin: "backfill" })));
  });

  it("a deleted account's follows go with it", async () => {
    const author = await makeUser(t.db);
    const leaving = await makeUser(t.db);
    const s = await published(author, "Suggestion a leaving person supported");
    await support(s, leaving);
    expect(await isFollowing(t.db, leaving.id, { type: "submission", id: s })).toBe(true);
    expect(await deleteAccount(t.db, { userId: leaving.id, password: leaving.password })).toEqual({ ok: true });
    expect(await t.db.selectFrom("follows").select("target_id").where("user_id", "=", leaving.id).execute()).toEqual([]);
  });

  it("publication reaches followers of a suggestion restored to the queue once, and not the author twice", async () => {
    const author = await makeUser(t.db);
    const pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "Suggestion waiting for moderation" } });
    expect(await approveSubmission(t.db, { ...mod(), id: pending, categorySlugs: ["export-markets"] })).toMatchObject({ ok: true });
    expect(await told("published", { submissionId: pending })).toEqual([author.id]);
    expect(await told("followed.published", { submissionId: pending })).toEqual([]);
  });

  it("tells everyone behind a recommendation however many: more people than one SQL statement may bind (SQLite 32,766, PostgreSQL 65,535)", async () => {
    const person = await makeUser(t.db);
    const r = await createRecommendation(t.db, {
      actorId: (await makeUser(t.db, { role: "organiser" })).id,
      actorRole: "organiser",
      input: {
        title: "A recommendation seventy thousand people are behind",
        text: "Exporters should get duty drawback within thirty days of shipment.",
        cluster: ["leather"],
        category: ["export-markets"],
        priority: "1",
        dissent: "",
        status: "final",
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r));
    // `also` as a response passes it: everyone behind the sources (ids without an account are dropped).
    const also = [person.id, ...Array.from({ length: 70_000 }, (_, i) => 10_000_000 + i)];
    expect(await followersToTell(t.db, { target: { type: "recommendation", id: r.id }, also })).toEqual([person.id]);
  });
});
