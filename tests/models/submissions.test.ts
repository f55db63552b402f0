// Submitting within the window, who sees what, editing, withdrawing
// and approval (the moderator's publish step the suggestions issue needs).
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Updateable } from "kysely";
import type { ConsultationsTable } from "../../db/schema";
import { approveSubmission } from "~/models/moderation.server";
import {
  canView,
  createSubmission,
  getSubmissionForViewer,
  updateSubmission,
  withdrawSubmission,
  type Viewer,
} from "~/models/submission.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeSubmission, makeUser, submissionInput, type MadeUser } from "../support/factories";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe(`submissions (${testDialect})`, () => {
  const t = useTestDb();
  let author: MadeUser;
  let other: MadeUser;
  let moderator: MadeUser;
  let asAuthor: Viewer;
  let asOther: Viewer;
  let asModerator: Viewer;
  let consultationId: number;
  let original: Updateable<ConsultationsTable>;

  beforeAll(async () => {
    author = await makeUser(t.db);
    other = await makeUser(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
    asAuthor = { id: author.id, role: "stakeholder" };
    asOther = { id: other.id, role: "stakeholder" };
    asModerator = { id: moderator.id, role: "moderator" };
    const c = await t.db.selectFrom("consultations").selectAll().where("is_active", "=", 1).executeTakeFirstOrThrow();
    consultationId = c.id;
    original = {
      submission_opens_at: c.submission_opens_at,
      submission_closes_at: c.submission_closes_at,
      is_active: c.is_active,
    };
  });
  afterEach(async () => {
    await t.db.updateTable("consultations").set(original).where("id", "=", consultationId).execute();
    await t.db.updateTable("clusters").set({ archived: 0 }).execute();
  });

  const setWindow = (opens: Date, closes: Date) =>
    t.db
      .updateTable("consultations")
      .set({ submission_opens_at: opens.toISOString(), submission_closes_at: closes.toISOString() })
      .where("id", "=", consultationId)
      .execute();

  const load = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const events = (id: number) => t.db.selectFrom("submission_events").selectAll().where("submission_id", "=", id).orderBy("id").execute();
  const countSubmissions = async () =>
    Number(
      (
        await t.db
          .selectFrom("submissions")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe("createSubmission", () => {
    it("stores a pending web submission of the active consultation with a 'submitted' event", async () => {
      const input = submissionInput({
        stage: "finance",
        horizon: "short",
        suggestedCategory: "tax-relief",
        expectedImpact: "More exports.",
      });
      const r = await createSubmission(t.db, { authorId: author.id, authorRole: "stakeholder", input });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const s = await load(r.id);
      const leather = await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
      const tax = await t.db.selectFrom("categories").select("id").where("slug", "=", "tax-relief").executeTakeFirstOrThrow();
      expect(s).toMatchObject({
        status: "pending",
        source: "web",
        consultation_id: consultationId,
        cluster_id: leather.id,
        author_id: author.id,
        organisation_id: author.organisationId,
        title: input.title,
        problem: input.problem,
        proposal: input.proposal,
        expected_impact: "More exports.",
        stage: "finance",
        horizon: "short",
        suggested_category_id: tax.id,
        supporters_count: 0,
        comments_count: 0,
        published_at: null,
      });
      const ev = await events(r.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({ event: "submitted", actor_id: author.id, actor_role: "stakeholder" });
    });

    it("refuses an unknown cluster with a field error and stores nothing", async () => {
      const before = await countSubmissions();
      const r = await createSubmission(t.db, {
        authorId: author.id,
        authorRole: "stakeholder",
        input: submissionInput({ cluster: "textiles" }),
      });
      expect(r).toEqual({ ok: false, reason: "invalid", fieldErrors: { cluster: ["errors.invalid"] } });
      expect(await countSubmissions()).toBe(before);
    });

    it("refuses an archived cluster", async () => {
      await t.db.updateTable("clusters").set({ archived: 1 }).where("slug", "=", "leather").execute();
      const r = await createSubmission(t.db, { authorId: author.id, authorRole: "stakeholder", input: submissionInput() });
      expect(r).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { cluster: ["errors.invalid"] } });
    });

    it("refuses an unknown suggested category with a field error", async () => {
      const before = await countSubmissions();
      const r = await createSubmission(t.db, {
        authorId: author.id,
        authorRole: "stakeholder",
        input: submissionInput({ suggestedCategory: "no-such-category" }),
      });
      expect(r).toEqual({ ok: false, reason: "invalid", fieldErrors: { suggestedCategory: ["errors.invalid"] } });
      expect(await countSubmissions()).toBe(before);
    });

    it("refuses before the submission window opens, saying when it opens", async () => {
      const opens = new Date(Date.now() + 2 * DAY);
      await setWindow(opens, new Date(Date.now() + 30 * DAY));
      const before = await countSubmissions();
      const r = await createSubmission(t.db, { authorId: author.id, authorRole: "stakeholder", input: submissionInput() });
      expect(r).toEqual({ ok: false, reason: "windowNotOpen", opensAt: opens.toISOString() });
      expect(await countSubmissions()).toBe(before);
    });

    it("refuses after the submission window closed, saying when it closed", async () => {
      const closes = new Date(Date.now() - HOUR);
      await setWindow(new Date(Date.now() - 30 * DAY), closes);
      const r = await createSubmission(t.db, { authorId: author.id, authorRole: "stakeholder", input: submissionInput() });
      expect(r).toEqual({ ok: false, reason: "windowClosed", closesAt: closes.toISOString() });
    });

    it("opens inclusively and closes exclusively", async () => {
      const opens = new Date("2026-12-01T05:00:00.000Z");
      const closes = new Date("2027-02-28T19:00:00.000Z");
      await setWindow(opens, closes);
      const at = (now: Date) => createSubmission(t.db, { authorId: author.id, authorRole: "stakeholder", input: submissionInput(), now });
      expect(await at(new Date(opens.getTime() - 1))).toMatchObject({ ok: false, reason: "windowNotOpen" });
      expect(await at(opens)).toMatchObject({ ok: true });
      expect(await at(new Date(closes.getTime() - 1))).toMatchObject({ ok: true });
      expect(await at(closes)).toEqual({ ok: false, reason: "windowClosed", closesAt: closes.toISOString() });
    });

    it("refuses when no consultation is active", async () => {
      await t.db.updateTable("consultations").set({ is_active: 0 }).where("id", "=", consultationId).execute();
      const r = await createSubmission(t.db, { authorId: author.id, authorRole: "stakeholder", input: submissionInput() });
      expect(r).toEqual({ ok: false, reason: "noConsultation" });
    });
  });

  describe("who may see a submission", () => {
    it("shows a pending submission to its author and moderators only", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      expect((await getSubmissionForViewer(t.db, { id, viewer: asAuthor }))?.id).toBe(id);
      expect((await getSubmissionForViewer(t.db, { id, viewer: asModerator }))?.id).toBe(id);
      expect((await getSubmissionForViewer(t.db, { id, viewer: { id: moderator.id, role: "admin" } }))?.id).toBe(id);
      expect(await getSubmissionForViewer(t.db, { id, viewer: asOther })).toBeNull();
      expect(await getSubmissionForViewer(t.db, { id, viewer: null })).toBeNull();
    });

    it("shows a published submission to everyone, visitors included", async () => {
      const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      for (const viewer of [null, asOther, asAuthor, asModerator]) {
        const s = await getSubmissionForViewer(t.db, { id, viewer });
        expect(s?.status).toBe("published");
      }
    });

    it("shows a hidden submission to moderators only (not even its author)", async () => {
      const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      await t.db.updateTable("submissions").set({ status: "hidden" }).where("id", "=", id).execute();
      expect(await getSubmissionForViewer(t.db, { id, viewer: null })).toBeNull();
      expect(await getSubmissionForViewer(t.db, { id, viewer: asOther })).toBeNull();
      expect(await getSubmissionForViewer(t.db, { id, viewer: asAuthor })).toBeNull();
      expect((await getSubmissionForViewer(t.db, { id, viewer: asModerator }))?.status).toBe("hidden");
    });

    it("keeps a submission withdrawn after publication public, but not one withdrawn while pending", async () => {
      const published = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      expect(await withdrawSubmission(t.db, { id: published, userId: author.id })).toEqual({ ok: true });
      expect((await getSubmissionForViewer(t.db, { id: published, viewer: null }))?.status).toBe("withdrawn");
      expect((await getSubmissionForViewer(t.db, { id: published, viewer: asOther }))?.status).toBe("withdrawn");

      const pending = await makeSubmission(t.db, { authorId: author.id });
      expect(await withdrawSubmission(t.db, { id: pending, userId: author.id })).toEqual({ ok: true });
      expect(await getSubmissionForViewer(t.db, { id: pending, viewer: null })).toBeNull();
      expect(await getSubmissionForViewer(t.db, { id: pending, viewer: asOther })).toBeNull();
      expect((await getSubmissionForViewer(t.db, { id: pending, viewer: asAuthor }))?.status).toBe("withdrawn");
      expect((await getSubmissionForViewer(t.db, { id: pending, viewer: asModerator }))?.status).toBe("withdrawn");
    });

    it("shows a rejected submission to its author and moderators only", async () => {
      const s = { status: "rejected" as const, author_id: author.id, published_at: null };
      expect(canView(s, asAuthor)).toBe(true);
      expect(canView(s, asModerator)).toBe(true);
      expect(canView(s, asOther)).toBe(false);
      expect(canView(s, null)).toBe(false);
    });

    it("answers null for an unknown id", async () => {
      expect(await getSubmissionForViewer(t.db, { id: 987654, viewer: asModerator })).toBeNull();
    });

    it("stores markup and line breaks verbatim", async () => {
      const title = "<script>alert(1)</script> & <b>bold</b>";
      const problem = "Line one of the problem.\nLine two <img src=x onerror=alert(1)>\n\n**not markdown**";
      const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title, problem } });
      const s = await getSubmissionForViewer(t.db, { id, viewer: null });
      expect(s?.title).toBe(title);
      expect(s?.problem).toBe(problem);
    });

    it("tells the public that an edit happened, but not what it changed", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      const input = submissionInput({ title: "A clearer title for the duty drawback" });
      expect(await updateSubmission(t.db, { id, viewer: asAuthor, input })).toEqual({ ok: true });
      await approveSubmission(t.db, { id, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["tax-relief"] });
      const publicView = await getSubmissionForViewer(t.db, { id, viewer: null });
      expect(publicView?.history.map((h) => h.event)).toEqual(["submitted", "edited", "published", "tagged"]);
      expect(publicView?.history.find((h) => h.event === "edited")?.data).toBeNull();
      const authorView = await getSubmissionForViewer(t.db, { id, viewer: asAuthor });
      expect(JSON.parse(authorView?.history.find((h) => h.event === "edited")?.data ?? "null")).toMatchObject({
        after: { title: "A clearer title for the duty drawback" },
      });
      // The public history names roles, never people.
      expect(publicView?.history.every((h) => !("actorId" in h))).toBe(true);
    });
  });

  describe("updateSubmission", () => {
    it("lets the author edit while pending and keeps the text before the change", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      const old = await load(id);
      const input = submissionInput({
        title: "Faster duty drawback for leather exporters",
        cluster: "food-processing",
        stage: "logistics",
      });
      expect(await updateSubmission(t.db, { id, viewer: asAuthor, input })).toEqual({ ok: true });
      const s = await load(id);
      const food = await t.db.selectFrom("clusters").select("id").where("slug", "=", "food-processing").executeTakeFirstOrThrow();
      expect(s).toMatchObject({ title: input.title, cluster_id: food.id, stage: "logistics", status: "pending" });
      const edited = (await events(id)).filter((e) => e.event === "edited");
      expect(edited).toHaveLength(1);
      expect(edited[0]).toMatchObject({ actor_id: author.id, actor_role: "author" });
      const data = JSON.parse(edited[0].data!);
      expect(data.before).toEqual({ title: old.title, cluster_id: old.cluster_id, stage: null });
      expect(data.after).toEqual({ title: input.title, cluster_id: food.id, stage: "logistics" });
      // An author's own edit is not a moderation action.
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "submission.edit")
        .where("target_id", "=", String(id))
        .execute();
      expect(audit).toHaveLength(0);
    });

    it("records nothing when nothing changed", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      expect(await updateSubmission(t.db, { id, viewer: asAuthor, input: submissionInput() })).toEqual({ ok: true });
      expect((await events(id)).map((e) => e.event)).toEqual(["submitted"]);
    });

    it("refuses the author once the submission is published, and anyone else while pending", async () => {
      const published = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      const input = submissionInput({ title: "Sneaky change after publication happened" });
      expect(await updateSubmission(t.db, { id: published, viewer: asAuthor, input })).toEqual({ ok: false, reason: "notFound" });
      expect((await load(published)).title).not.toBe(input.title);

      const pending = await makeSubmission(t.db, { authorId: author.id });
      expect(await updateSubmission(t.db, { id: pending, viewer: asOther, input })).toEqual({ ok: false, reason: "notFound" });
      expect((await load(pending)).title).not.toBe(input.title);
    });

    it("refuses an unknown cluster in an edit", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      const r = await updateSubmission(t.db, { id, viewer: asAuthor, input: submissionInput({ cluster: "textiles" }) });
      expect(r).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { cluster: ["errors.invalid"] } });
    });

    it("lets a moderator edit a published submission, logged in the audit log", async () => {
      const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      const old = await load(id);
      const input = submissionInput({ title: "Duty drawback for value-added leather goods" });
      const r = await updateSubmission(t.db, { id, viewer: asModerator, input, reason: "clearer title" });
      expect(r).toEqual({ ok: true });
      const s = await load(id);
      expect(s.title).toBe(input.title);
      expect(s.status).toBe("published");
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "submission.edit")
        .where("target_id", "=", String(id))
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor_id: moderator.id,
        actor_role: "moderator",
        target_type: "submission",
        reason: "clearer title",
      });
      expect(JSON.parse(audit[0].before!)).toEqual({ title: old.title });
      expect(JSON.parse(audit[0].after!)).toEqual({ title: input.title });
      const edited = (await events(id)).filter((e) => e.event === "edited");
      expect(edited).toHaveLength(1);
      expect(edited[0].actor_role).toBe("moderator");
    });
  });

  describe("withdrawSubmission", () => {
    it("withdraws a pending submission and records it", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      expect(await withdrawSubmission(t.db, { id, userId: author.id })).toEqual({ ok: true });
      expect((await load(id)).status).toBe("withdrawn");
      const ev = (await events(id)).filter((e) => e.event === "withdrawn");
      expect(ev).toHaveLength(1);
      expect(ev[0].actor_role).toBe("author");
      expect(JSON.parse(ev[0].data!)).toEqual({ from: "pending" });
    });

    it("withdraws a published submission", async () => {
      const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      expect(await withdrawSubmission(t.db, { id, userId: author.id })).toEqual({ ok: true });
      expect((await load(id)).status).toBe("withdrawn");
    });

    it("refuses other states, other people and unknown ids", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      expect(await withdrawSubmission(t.db, { id, userId: other.id })).toEqual({ ok: false, reason: "notFound" });
      expect((await load(id)).status).toBe("pending");
      expect(await withdrawSubmission(t.db, { id: 987654, userId: author.id })).toEqual({ ok: false, reason: "notFound" });
      await withdrawSubmission(t.db, { id, userId: author.id });
      expect(await withdrawSubmission(t.db, { id, userId: author.id })).toEqual({ ok: false, reason: "notWithdrawable" });
      for (const status of ["hidden", "rejected", "merged"] as const) {
        const s = await makeSubmission(t.db, { authorId: author.id });
        await t.db.updateTable("submissions").set({ status }).where("id", "=", s).execute();
        expect(await withdrawSubmission(t.db, { id: s, userId: author.id })).toEqual({ ok: false, reason: "notWithdrawable" });
        expect((await load(s)).status).toBe(status);
      }
    });
  });

  describe("racing decisions", () => {
    // Two moderators pressing "approve" at once, or an author withdrawing while
    // a moderator approves: each outcome must be one a sequential order could give.
    // Several rounds, because an unlucky interleaving is what breaks it.
    it("publishes once when two moderators approve at the same moment", async () => {
      const second = await makeUser(t.db, { role: "moderator" });
      for (let round = 0; round < 6; round++) {
        const id = await makeSubmission(t.db, { authorId: author.id });
        const results = await Promise.all(
          [moderator, second].map((m, i) =>
            approveSubmission(t.db, {
              id,
              moderatorId: m.id,
              moderatorRole: "moderator",
              categorySlugs: [i ? "tax-relief" : "export-markets"],
            }),
          ),
        );
        expect(
          results.filter((r) => r.ok),
          `round ${round}`,
        ).toHaveLength(1);
        expect(
          results.filter((r) => !r.ok && r.reason === "notPending"),
          `round ${round}`,
        ).toHaveLength(1);
        expect(
          (await events(id)).map((e) => e.event),
          `round ${round}`,
        ).toEqual(["submitted", "published", "tagged"]);
        const notes = await t.db.selectFrom("notifications").select("kind").where("submission_id", "=", id).execute();
        expect(notes, `round ${round}`).toEqual([{ kind: "published" }]);
        const audits = await t.db
          .selectFrom("audit_log")
          .select("id")
          .where("action", "=", "submission.approve")
          .where("target_id", "=", String(id))
          .execute();
        expect(audits, `round ${round}`).toHaveLength(1);
        expect(await t.db.selectFrom("tag_log").select("id").where("submission_id", "=", id).execute(), `round ${round}`).toHaveLength(1);
      }
    });

    it("never answers 'withdrawn' for a submission that ended up published", async () => {
      for (let round = 0; round < 10; round++) {
        const id = await makeSubmission(t.db, { authorId: author.id });
        const [approved, withdrawn] = await Promise.all([
          approveSubmission(t.db, { id, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["tax-relief"] }),
          withdrawSubmission(t.db, { id, userId: author.id }),
        ]);
        const s = await load(id);
        const ev = (await events(id)).map((e) => e.event);
        // Either order is fine (approve then withdraw, or withdraw then approve refused), but the
        // answers, the state and the history must agree.
        expect(withdrawn, `round ${round}`).toEqual({ ok: true });
        expect(s.status, `round ${round}`).toBe("withdrawn");
        expect(
          ev.filter((e) => e === "withdrawn"),
          `round ${round}`,
        ).toHaveLength(1);
        expect(
          ev.filter((e) => e === "published"),
          `round ${round}`,
        ).toHaveLength(approved.ok ? 1 : 0);
      }
    });
  });

  describe("approveSubmission", () => {
    it("publishes with categories, logs the tags, records the history, audits and notifies the author", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      const now = new Date(Date.now() + 5 * 60_000);
      const r = await approveSubmission(t.db, {
        id,
        moderatorId: moderator.id,
        moderatorRole: "moderator",
        categorySlugs: ["tax-relief", "export-markets", "tax-relief"],
        now,
      });
      expect(r).toEqual({ ok: true });
      const s = await load(id);
      expect(s.status).toBe("published");
      expect(s.published_at).toBe(now.toISOString());

      const cats = await t.db
        .selectFrom("submission_categories as sc")
        .innerJoin("categories as c", "c.id", "sc.category_id")
        .select(["c.slug", "sc.tagged_by"])
        .where("sc.submission_id", "=", id)
        .orderBy("c.slug")
        .execute();
      expect(cats).toEqual([
        { slug: "export-markets", tagged_by: moderator.id },
        { slug: "tax-relief", tagged_by: moderator.id },
      ]);

      const log = await t.db.selectFrom("tag_log").selectAll().where("submission_id", "=", id).execute();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ actor_id: moderator.id, before: "[]" });
      expect(JSON.parse(log[0].after)).toEqual(["export-markets", "tax-relief"]);

      const ev = await events(id);
      expect(ev.map((e) => e.event)).toEqual(["submitted", "published", "tagged"]);
      expect(ev[1].actor_role).toBe("moderator");
      expect(JSON.parse(ev[2].data!)).toEqual({ categories: ["export-markets", "tax-relief"] });

      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "submission.approve")
        .where("target_id", "=", String(id))
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_id: moderator.id, actor_role: "moderator", target_type: "submission" });
      expect(JSON.parse(audit[0].after!)).toMatchObject({ status: "published" });

      const notes = await t.db.selectFrom("notifications").selectAll().where("submission_id", "=", id).execute();
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({ user_id: author.id, kind: "published", read_at: null });

      const view = await getSubmissionForViewer(t.db, { id, viewer: null });
      expect(view?.categories.map((c) => c.slug).sort()).toEqual(["export-markets", "tax-relief"]);
    });

    it("refuses without a category, or with an unknown one, and leaves the submission pending", async () => {
      const id = await makeSubmission(t.db, { authorId: author.id });
      expect(await approveSubmission(t.db, { id, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: [] })).toMatchObject(
        {
          ok: false,
          reason: "invalid",
          fieldErrors: { category: expect.any(Array) },
        },
      );
      expect(
        await approveSubmission(t.db, { id, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["tax-relief", "nope"] }),
      ).toMatchObject({ ok: false, reason: "invalid" });
      const s = await load(id);
      expect(s.status).toBe("pending");
      expect(s.published_at).toBeNull();
      expect(await t.db.selectFrom("submission_categories").select("category_id").where("submission_id", "=", id).execute()).toEqual([]);
      expect(await t.db.selectFrom("notifications").select("id").where("submission_id", "=", id).execute()).toEqual([]);
    });

    it("refuses a submission that is not pending, changing nothing", async () => {
      const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
      const before = await events(id);
      const r = await approveSubmission(t.db, { id, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["tax-relief"] });
      expect(r).toEqual({ ok: false, reason: "notPending" });
      expect(await events(id)).toEqual(before);
      const withdrawn = await makeSubmission(t.db, { authorId: author.id });
      await withdrawSubmission(t.db, { id: withdrawn, userId: author.id });
      expect(
        await approveSubmission(t.db, {
          id: withdrawn,
          moderatorId: moderator.id,
          moderatorRole: "moderator",
          categorySlugs: ["tax-relief"],
        }),
      ).toEqual({ ok: false, reason: "notPending" });
      expect(
        await approveSubmission(t.db, { id: 987654, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["tax-relief"] }),
      ).toEqual({ ok: false, reason: "notFound" });
    });
  });
});
