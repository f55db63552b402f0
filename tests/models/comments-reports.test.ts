// Plain-text comments with one level of replies (editable for 15 minutes),
// notifications to the author, and reports that hide an item at the threshold.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { addComment, COMMENT_THREADS_PER_PAGE, commentPageOf, editComment, listCommentPage } from "~/models/comment.server";
import { reportItem } from "~/models/report.server";
import { getSubmissionForViewer } from "~/models/submission.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { ageAccounts, makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

const MINUTE = 60_000;

describe(`comments and reports (${testDialect})`, () => {
  const t = useTestDb();
  let author: MadeUser;
  let moderator: MadeUser;
  let people: MadeUser[];
  let consultationId: number;

  beforeAll(async () => {
    author = await makeUser(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
    people = [];
    for (let i = 0; i < 5; i++) people.push(await makeUser(t.db));
    // Their reports count towards hiding: confirmed, and older than the consultation's 24 hours (issue 15).
    await ageAccounts(
      t.db,
      people.map((p) => p.id),
    );
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
  });
  afterEach(async () => {
    await t.db.updateTable("consultations").set({ reports_to_hide: 3 }).where("id", "=", consultationId).execute();
  });

  const published = () => makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
  const submission = (id: number) =>
    t.db.selectFrom("submissions").select(["status", "comments_count", "trending_score"]).where("id", "=", id).executeTakeFirstOrThrow();
  const notifications = (userId: number, submissionId: number) =>
    t.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", userId)
      .where("submission_id", "=", submissionId)
      .orderBy("id")
      .execute();
  const comment = (id: number) => t.db.selectFrom("comments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  describe("comments", () => {
    it("adds a comment to a published submission, counts it and tells the author", async () => {
      const id = await published();
      const body = "Line one.\n<b>not bold</b> & **not markdown**";
      const r = await addComment(t.db, { submissionId: id, authorId: people[0].id, body });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(await comment(r.id)).toMatchObject({ submission_id: id, author_id: people[0].id, parent_id: null, body, status: "visible" });
      const s = await submission(id);
      expect(s.comments_count).toBe(1);
      expect(s.trending_score).toBeGreaterThan(0);
      const notes = (await notifications(author.id, id)).filter((n) => n.kind === "commented");
      expect(notes).toHaveLength(1);
      expect(JSON.parse(notes[0].data!)).toEqual({ commentId: r.id });
      // The commenter is not notified of their own comment.
      expect(await notifications(people[0].id, id)).toEqual([]);
    });

    it("does not notify an author commenting on their own submission", async () => {
      const id = await published();
      const r = await addComment(t.db, { submissionId: id, authorId: author.id, body: "Some more detail from me." });
      expect(r.ok).toBe(true);
      expect((await submission(id)).comments_count).toBe(1);
      expect((await notifications(author.id, id)).filter((n) => n.kind === "commented")).toEqual([]);
    });

    it("refuses comments on submissions that are not published, and on unknown ones", async () => {
      const pending = await makeSubmission(t.db, { authorId: author.id });
      expect(await addComment(t.db, { submissionId: pending, authorId: people[0].id, body: "Too early." })).toEqual({
        ok: false,
        reason: "notPublished",
      });
      const hidden = await published();
      await t.db.updateTable("submissions").set({ status: "hidden" }).where("id", "=", hidden).execute();
      expect(await addComment(t.db, { submissionId: hidden, authorId: people[0].id, body: "Hidden." })).toEqual({
        ok: false,
        reason: "notPublished",
      });
      expect(await addComment(t.db, { submissionId: 987654, authorId: people[0].id, body: "Nowhere." })).toEqual({
        ok: false,
        reason: "notFound",
      });
      const count = await t.db.selectFrom("comments").select("id").where("submission_id", "in", [pending, hidden]).execute();
      expect(count).toEqual([]);
      expect((await submission(pending)).comments_count).toBe(0);
    });

    it("allows one level of replies only", async () => {
      const id = await published();
      const top = await addComment(t.db, { submissionId: id, authorId: people[0].id, body: "Top-level comment." });
      if (!top.ok) throw new Error("top comment refused");
      const reply = await addComment(t.db, { submissionId: id, authorId: people[1].id, body: "A reply.", parentId: top.id });
      expect(reply.ok).toBe(true);
      if (!reply.ok) return;
      expect((await comment(reply.id)).parent_id).toBe(top.id);
      expect(await addComment(t.db, { submissionId: id, authorId: people[2].id, body: "Reply to a reply.", parentId: reply.id })).toEqual({
        ok: false,
        reason: "badParent",
      });
      // A parent on another submission, or no such parent, is refused too.
      const otherId = await published();
      expect(await addComment(t.db, { submissionId: otherId, authorId: people[2].id, body: "Wrong thread.", parentId: top.id })).toEqual({
        ok: false,
        reason: "badParent",
      });
      expect(await addComment(t.db, { submissionId: id, authorId: people[2].id, body: "Ghost parent.", parentId: 987654 })).toEqual({
        ok: false,
        reason: "badParent",
      });
      expect((await submission(id)).comments_count).toBe(2);
      expect((await submission(otherId)).comments_count).toBe(0);
      const listed = (await listCommentPage(t.db, { submissionId: id, page: 1 })).threads;
      expect(listed.map((c) => c.id)).toEqual([top.id]);
      expect(listed[0].replies.map((c) => c.id)).toEqual([reply.id]);
    });

    it("lets the author edit for 15 minutes, then no more; never someone else's", async () => {
      const id = await published();
      const written = new Date();
      const r = await addComment(t.db, { submissionId: id, authorId: people[0].id, body: "First version.", now: written });
      if (!r.ok) throw new Error("comment refused");
      const at = (minutes: number) => new Date(written.getTime() + minutes * MINUTE);

      expect(
        await editComment(t.db, { commentId: r.id, submissionId: id, authorId: people[0].id, body: "Second version.", now: at(14) }),
      ).toEqual({
        ok: true,
      });
      expect((await comment(r.id)).body).toBe("Second version.");
      expect(
        await editComment(t.db, { commentId: r.id, submissionId: id, authorId: people[0].id, body: "Late version.", now: at(16) }),
      ).toEqual({
        ok: false,
        reason: "tooLate",
      });
      expect(await editComment(t.db, { commentId: r.id, submissionId: id, authorId: people[1].id, body: "Not mine.", now: at(1) })).toEqual(
        {
          ok: false,
          reason: "notFound",
        },
      );
      expect((await comment(r.id)).body).toBe("Second version.");
    });
  });

  describe("comment pages", () => {
    // Threads t0 (oldest) … t(n-1) (newest), each top-level comment written a minute after the one before.
    const threads = async (id: number, n: number) => {
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = await addComment(t.db, { submissionId: id, authorId: people[i % people.length].id, body: `Thread ${i}.` });
        if (!r.ok) throw new Error(r.reason);
        ids.push(r.id);
      }
      return ids;
    };
    const reply = async (id: number, parentId: number, body: string) => {
      const r = await addComment(t.db, { submissionId: id, authorId: people[1].id, body, parentId });
      if (!r.ok) throw new Error(r.reason);
      return r.id;
    };

    it("pages by top-level thread, newest threads first, each page oldest first, replies with their thread", async () => {
      const id = await published();
      const top = await threads(id, 9);
      // Replies to the oldest thread come last in time, but stay with it on the last page.
      const late = [await reply(id, top[0], "Late reply one."), await reply(id, top[0], "Late reply two.")];
      const page = (n: number) => listCommentPage(t.db, { submissionId: id, page: n, perPage: 4 });
      const p1 = await page(1);
      expect(p1).toMatchObject({ page: 1, pages: 3, perPage: 4, threadCount: 9, commentCount: 11 });
      expect(p1.threads.map((c) => c.id)).toEqual(top.slice(5, 9));
      expect((await page(2)).threads.map((c) => c.id)).toEqual(top.slice(1, 5));
      const p3 = await page(3);
      expect(p3.threads.map((c) => c.id)).toEqual([top[0]]);
      expect(p3.threads[0].replies.map((r) => r.id)).toEqual(late);
      expect(p3.threads[0]).toMatchObject({ body: "Thread 0.", display_name: expect.any(String) });
      // No other page carries a reply.
      expect([...p1.threads, ...(await page(2)).threads].flatMap((c) => c.replies)).toEqual([]);
      // Past the last page: the last; before the first (or nonsense): the first.
      expect((await page(99)).page).toBe(3);
      expect((await page(99)).threads.map((c) => c.id)).toEqual([top[0]]);
      expect((await page(0)).page).toBe(1);
      expect((await page(-3)).page).toBe(1);
      expect((await page(Number.NaN)).page).toBe(1);
      // The default size.
      const whole = await listCommentPage(t.db, { submissionId: id, page: 1 });
      expect(whole.perPage).toBe(COMMENT_THREADS_PER_PAGE);
      expect(whole.threads.map((c) => c.id)).toEqual(top.slice(-COMMENT_THREADS_PER_PAGE));
    });

    it("finds the page of a comment: a new thread on page 1, a reply or a thread where its thread is", async () => {
      const id = await published();
      const top = await threads(id, 9);
      const on = (commentId: number) => commentPageOf(t.db, { submissionId: id, commentId, perPage: 4 });
      expect(await on(top[8])).toBe(1);
      expect(await on(top[5])).toBe(1);
      expect(await on(top[4])).toBe(2);
      expect(await on(top[0])).toBe(3);
      const r = await reply(id, top[0], "An answer to the first.");
      expect(await on(r)).toBe(3);
      // What the page holds agrees.
      const p3 = await listCommentPage(t.db, { submissionId: id, page: 3, perPage: 4 });
      expect(p3.threads.flatMap((c) => [c.id, ...c.replies.map((x) => x.id)])).toContain(r);
      // Not this suggestion's comment, or none at all: no page.
      const otherId = await published();
      expect(await commentPageOf(t.db, { submissionId: otherId, commentId: top[0] })).toBeNull();
      expect(await on(987654)).toBeNull();
    });

    it("counts a hidden comment only as the placeholder of its visible replies; hidden ones never in the total", async () => {
      const id = await published();
      const [lonely, withReplies, plain] = await threads(id, 3);
      const answer = await reply(id, withReplies, "Still worth reading.");
      const hiddenReply = await reply(id, plain, "Hidden reply.");
      await t.db.updateTable("comments").set({ status: "hidden" }).where("id", "in", [lonely, withReplies, hiddenReply]).execute();
      const p = await listCommentPage(t.db, { submissionId: id, page: 1, perPage: 1 });
      // Threads: the placeholder (withReplies) and plain; comments shown: answer and plain.
      expect(p).toMatchObject({ threadCount: 2, pages: 2, commentCount: 2 });
      expect(p.threads.map((c) => [c.id, c.body])).toEqual([[plain, "Thread 2."]]);
      expect(p.threads[0].replies).toEqual([]);
      const p2 = await listCommentPage(t.db, { submissionId: id, page: 2, perPage: 1 });
      expect(p2.threads.map((c) => [c.id, c.body, c.replies.map((r) => r.id)])).toEqual([[withReplies, null, [answer]]]);
      expect(await commentPageOf(t.db, { submissionId: id, commentId: answer, perPage: 1 })).toBe(2);
      expect(await commentPageOf(t.db, { submissionId: id, commentId: lonely, perPage: 1 })).toBeNull();
    });

    it("an empty suggestion has one empty page", async () => {
      const id = await published();
      expect(await listCommentPage(t.db, { submissionId: id, page: 4 })).toMatchObject({
        page: 1,
        pages: 1,
        threadCount: 0,
        commentCount: 0,
        threads: [],
      });
    });
  });

  describe("reports", () => {
    it("takes one report per person per item", async () => {
      const id = await published();
      const target = { type: "submission" as const, id };
      expect(await reportItem(t.db, { target, reporterId: people[0].id, reason: "spam", details: "" })).toEqual({
        ok: true,
        alreadyReported: false,
        hidden: false,
      });
      expect(await reportItem(t.db, { target, reporterId: people[0].id, reason: "offensive", details: "again" })).toEqual({
        ok: true,
        alreadyReported: true,
        hidden: false,
      });
      const rows = await t.db
        .selectFrom("reports")
        .selectAll()
        .where("target_type", "=", "submission")
        .where("target_id", "=", id)
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reporter_id: people[0].id, reason: "spam", status: "open" });
    });

    it("hides a published submission at the third distinct reporter, with history, audit and notice", async () => {
      const id = await published();
      const target = { type: "submission" as const, id };
      expect(await reportItem(t.db, { target, reporterId: people[0].id, reason: "spam", details: "" })).toMatchObject({ hidden: false });
      // The same person again does not count twice.
      expect(await reportItem(t.db, { target, reporterId: people[0].id, reason: "spam", details: "" })).toMatchObject({
        alreadyReported: true,
      });
      expect(await reportItem(t.db, { target, reporterId: people[1].id, reason: "off-topic", details: "" })).toMatchObject({
        hidden: false,
      });
      expect((await submission(id)).status).toBe("published");
      expect(await reportItem(t.db, { target, reporterId: people[2].id, reason: "offensive", details: "" })).toEqual({
        ok: true,
        alreadyReported: false,
        hidden: true,
      });
      expect((await submission(id)).status).toBe("hidden");

      const ev = await t.db
        .selectFrom("submission_events")
        .selectAll()
        .where("submission_id", "=", id)
        .where("event", "=", "hidden")
        .execute();
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({ actor_id: null, actor_role: "system" });
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "submission.auto-hide")
        .where("target_id", "=", String(id))
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ target_type: "submission", actor_role: "system" });
      expect(JSON.parse(audit[0].after!)).toEqual({ reports: 3, threshold: 3 });
      expect((await notifications(author.id, id)).map((n) => n.kind)).toContain("hidden");

      expect(await getSubmissionForViewer(t.db, { id, viewer: null })).toBeNull();
      expect((await getSubmissionForViewer(t.db, { id, viewer: { id: moderator.id, role: "moderator" } }))?.status).toBe("hidden");
      // A fourth report on a hidden submission is refused as not found (it is not public).
      expect(await reportItem(t.db, { target, reporterId: people[3].id, reason: "spam", details: "" })).toEqual({
        ok: false,
        reason: "notFound",
      });
    });

    it("follows the consultation's threshold", async () => {
      await t.db.updateTable("consultations").set({ reports_to_hide: 2 }).where("id", "=", consultationId).execute();
      const id = await published();
      const target = { type: "submission" as const, id };
      await reportItem(t.db, { target, reporterId: people[0].id, reason: "spam", details: "" });
      expect(await reportItem(t.db, { target, reporterId: people[1].id, reason: "spam", details: "" })).toMatchObject({ hidden: true });
      expect((await submission(id)).status).toBe("hidden");
    });

    it("refuses a report on a submission that is not public", async () => {
      const pending = await makeSubmission(t.db, { authorId: author.id });
      expect(
        await reportItem(t.db, { target: { type: "submission", id: pending }, reporterId: people[0].id, reason: "spam", details: "" }),
      ).toEqual({
        ok: false,
        reason: "notFound",
      });
      const rows = await t.db
        .selectFrom("reports")
        .select("id")
        .where("target_type", "=", "submission")
        .where("target_id", "=", pending)
        .execute();
      expect(rows).toEqual([]);
    });

    it("hides a comment at the threshold and takes it off the count", async () => {
      const id = await published();
      const keep = await addComment(t.db, { submissionId: id, authorId: people[4].id, body: "A useful comment." });
      const bad = await addComment(t.db, { submissionId: id, authorId: people[4].id, body: "Buy cheap watches!!!" });
      if (!keep.ok || !bad.ok) throw new Error("comment refused");
      expect((await submission(id)).comments_count).toBe(2);
      const target = { type: "comment" as const, id: bad.id, submissionId: id };
      expect(await reportItem(t.db, { target, reporterId: people[0].id, reason: "spam", details: "" })).toMatchObject({ hidden: false });
      expect(await reportItem(t.db, { target, reporterId: people[1].id, reason: "spam", details: "" })).toMatchObject({ hidden: false });
      expect(await reportItem(t.db, { target, reporterId: people[2].id, reason: "spam", details: "" })).toEqual({
        ok: true,
        alreadyReported: false,
        hidden: true,
      });
      expect((await comment(bad.id)).status).toBe("hidden");
      expect((await comment(keep.id)).status).toBe("visible");
      expect((await submission(id)).comments_count).toBe(1);
      expect((await submission(id)).status).toBe("published");
      expect((await listCommentPage(t.db, { submissionId: id, page: 1 })).threads.map((c) => c.id)).toEqual([keep.id]);
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "comment.auto-hide")
        .where("target_id", "=", String(bad.id))
        .execute();
      expect(audit).toHaveLength(1);
      // Once hidden, further reports do not count it off again.
      expect(await reportItem(t.db, { target, reporterId: people[3].id, reason: "spam", details: "" })).toEqual({
        ok: false,
        reason: "notFound",
      });
      expect((await submission(id)).comments_count).toBe(1);
    });

    it("hides a submission exactly once when its reporters report at the same moment", async () => {
      for (let round = 0; round < 5; round++) {
        const id = await published();
        const target = { type: "submission" as const, id };
        const results = await Promise.all(
          people.slice(0, 3).map((p) => reportItem(t.db, { target, reporterId: p.id, reason: "spam", details: "" })),
        );
        expect(
          results.every((r) => r.ok && !r.alreadyReported),
          `round ${round}`,
        ).toBe(true);
        // Three distinct reports: the threshold is reached whatever their order.
        expect((await submission(id)).status, `round ${round}`).toBe("hidden");
        expect(
          results.filter((r) => r.ok && r.hidden),
          `round ${round}`,
        ).toHaveLength(1);
        const ev = await t.db
          .selectFrom("submission_events")
          .select("id")
          .where("submission_id", "=", id)
          .where("event", "=", "hidden")
          .execute();
        expect(ev, `round ${round}`).toHaveLength(1);
        const audit = await t.db
          .selectFrom("audit_log")
          .select("id")
          .where("action", "=", "submission.auto-hide")
          .where("target_id", "=", String(id))
          .execute();
        expect(audit, `round ${round}`).toHaveLength(1);
        expect(
          (await notifications(author.id, id)).filter((n) => n.kind === "hidden"),
          `round ${round}`,
        ).toHaveLength(1);
      }
    });

    it("counts a comment off once when many report it at the same moment", async () => {
      for (let round = 0; round < 5; round++) {
        const id = await published();
        await addComment(t.db, { submissionId: id, authorId: people[4].id, body: "A useful comment." });
        const bad = await addComment(t.db, { submissionId: id, authorId: people[4].id, body: "Spam spam spam." });
        if (!bad.ok) throw new Error("comment refused");
        const target = { type: "comment" as const, id: bad.id, submissionId: id };
        const results = await Promise.all(
          people.slice(0, 4).map((p) => reportItem(t.db, { target, reporterId: p.id, reason: "spam", details: "" })),
        );
        // A report arriving after the comment was hidden may be refused (no longer visible).
        expect(
          results.every((r) => r.ok || r.reason === "notFound"),
          `round ${round}`,
        ).toBe(true);
        expect(
          results.filter((r) => r.ok && r.hidden),
          `round ${round}`,
        ).toHaveLength(1);
        expect((await comment(bad.id)).status, `round ${round}`).toBe("hidden");
        expect((await submission(id)).comments_count, `round ${round}`).toBe(1);
        const audit = await t.db
          .selectFrom("audit_log")
          .select("id")
          .where("action", "=", "comment.auto-hide")
          .where("target_id", "=", String(bad.id))
          .execute();
        expect(audit, `round ${round}`).toHaveLength(1);
      }
    });

    it("refuses a report on a comment given with the wrong submission", async () => {
      const id = await published();
      const other = await published();
      const c = await addComment(t.db, { submissionId: id, authorId: people[0].id, body: "A comment." });
      if (!c.ok) throw new Error("comment refused");
      expect(
        await reportItem(t.db, {
          target: { type: "comment", id: c.id, submissionId: other },
          reporterId: people[1].id,
          reason: "spam",
          details: "",
        }),
      ).toEqual({ ok: false, reason: "notFound" });
    });
  });
});
