// Moderation decisions on a real migrated database (SQLite, and PostgreSQL
// with TEST_DATABASE_URL): approve, reject, tag (with its log), merge (the
// support arithmetic and every refusal), hide/restore, bulk; each with its
// history event, audit entry and notifications.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  approveSubmission,
  bulkDecide,
  bulkDecisionsFor,
  decisionsFor,
  hideSubmission,
  listTagLog,
  mergeSubmission,
  rejectSubmission,
  restoreSubmission,
  tagSubmission,
} from "~/models/moderation.server";
import { reportItem } from "~/models/report.server";
import { supportSubmission, withdrawSupport } from "~/models/support.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { ageAccounts, makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

describe(`moderation decisions (${testDialect})`, () => {
  const t = useTestDb();
  let moderator: MadeUser;
  let author: MadeUser;
  let otherAuthor: MadeUser;
  let mod: { moderatorId: number; moderatorRole: "moderator" };

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    otherAuthor = await makeUser(t.db);
    mod = { moderatorId: moderator.id, moderatorRole: "moderator" };
  });

  const row = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const categories = async (id: number) =>
    (
      await t.db
        .selectFrom("submission_categories as sc")
        .innerJoin("categories as c", "c.id", "sc.category_id")
        .select("c.slug")
        .where("sc.submission_id", "=", id)
        .execute()
    )
      .map((r) => r.slug)
      .sort();
  const events = async (id: number) =>
    (
      await t.db
        .selectFrom("submission_events")
        .select(["event", "actor_role", "data"])
        .where("submission_id", "=", id)
        .orderBy("id")
        .execute()
    ).map((e) => e.event);
  const audits = (id: number) =>
    t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("target_type", "=", "submission")
      .where("target_id", "=", String(id))
      .orderBy("id")
      .execute();
  const notifications = (userId: number, submissionId: number) =>
    t.db
      .selectFrom("notifications")
      .selectAll()
      .where("user_id", "=", userId)
      .where("submission_id", "=", submissionId)
      .orderBy("id")
      .execute();
  const supportRows = (id: number) =>
    t.db.selectFrom("supports").select(["user_id", "merged_from_id"]).where("submission_id", "=", id).orderBy("user_id").execute();
  const published = (by: MadeUser = author, title = "A published suggestion about export finance") =>
    makePublishedSubmission(t.db, { authorId: by.id, moderatorId: moderator.id, input: { title } });
  const pending = (by: MadeUser = author, title = "A pending suggestion about testing labs") =>
    makeSubmission(t.db, { authorId: by.id, input: { title } });
  const users = (n: number) => Promise.all(Array.from({ length: n }, () => makeUser(t.db)));
  const support = async (id: number, who: MadeUser[]) => {
    for (const u of who) expect((await supportSubmission(t.db, { submissionId: id, userId: u.id })).ok).toBe(true);
  };

  /** Counters must always equal the rows. */
  async function expectCountersMatchRows(id: number) {
    const r = await row(id);
    const rows = await t.db.selectFrom("supports").select(["organisation_id", "province"]).where("submission_id", "=", id).execute();
    expect(Number(r.supporters_count)).toBe(rows.length);
    expect(Number(r.supporting_organisations)).toBe(
      new Set(rows.filter((x) => x.organisation_id !== null).map((x) => x.organisation_id)).size,
    );
    expect(Number(r.supporting_provinces)).toBe(new Set(rows.filter((x) => x.province !== null).map((x) => x.province)).size);
  }

  describe("what may be decided in each state (decisionsFor)", () => {
    it("each decision is made in exactly the states decisionsFor offers it in; elsewhere it is refused (wrongState, notPending for an approval)", async () => {
      const target = await published(otherAuthor, "A published target for merges");
      const statuses = ["pending", "published", "merged", "hidden", "rejected", "withdrawn"] as const;
      for (const status of statuses) {
        const d = decisionsFor(status);
        const attempts: Array<[string, boolean, (id: number) => Promise<{ ok: boolean }>]> = [
          ["approve", d.canApprove, (id) => approveSubmission(t.db, { ...mod, id, categorySlugs: ["export-markets"] })],
          ["tag", d.canTag, (id) => tagSubmission(t.db, { ...mod, id, categorySlugs: ["tax-relief"] })],
          ["reject", d.canReject, (id) => rejectSubmission(t.db, { ...mod, id, reasonCode: "off-topic", reason: "Not about exports." })],
          ["merge", d.canMerge, (id) => mergeSubmission(t.db, { ...mod, id, into: target })],
          ["hide", d.canHide, (id) => hideSubmission(t.db, { ...mod, id })],
          ["restore", d.canRestore, (id) => restoreSubmission(t.db, { ...mod, id })],
        ];
        for (const [name, can, decide] of attempts) {
          const id = await pending();
          await t.db.updateTable("submissions").set({ status }).where("id", "=", id).execute();
          const r = await decide(id);
          // Hiding a hidden one is no change, not a refusal.
          if (name === "hide" && status === "hidden") {
            expect(r).toEqual({ ok: true, changed: false });
            continue;
          }
          expect(r.ok, `${name} on ${status}`).toBe(can);
          if (!can)
            expect(r, `${name} on ${status}`).toMatchObject({ ok: false, reason: name === "approve" ? "notPending" : "wrongState" });
          // Every decision but a re-tag moves the suggestion out of its state; a refused one leaves it.
          if (name !== "tag" || !can) expect((await row(id)).status === status, `${name} on ${status}`).toBe(name === "tag" || !can);
        }
        expect(d.none, status).toBe(!d.canApprove && !d.canTag && !d.canReject && !d.canMerge && !d.canHide && !d.canRestore);
      }
      // A pending one is tagged by its approval: the screen's re-tag form is for the others.
      expect([decisionsFor("pending").canRetag, decisionsFor("published").canRetag, decisionsFor("merged").canRetag]).toEqual([
        false,
        true,
        true,
      ]);
      // Bulk decisions are offered in the queues of pending and published suggestions only.
      expect(statuses.filter((s) => bulkDecisionsFor(s).any)).toEqual(["pending", "published"]);
      expect(bulkDecisionsFor("published")).toEqual({ canApprove: false, canTag: true, canReject: true, any: true });
    });
  });

  describe("approve", () => {
    it("publishes with categories; refuses none, unknown ones, and a second approval", async () => {
      const id = await pending();
      expect(await approveSubmission(t.db, { ...mod, id, categorySlugs: [] })).toMatchObject({ ok: false, reason: "invalid" });
      expect(await approveSubmission(t.db, { ...mod, id, categorySlugs: ["nope"] })).toMatchObject({ ok: false, reason: "invalid" });
      expect((await row(id)).status).toBe("pending");
      expect(await approveSubmission(t.db, { ...mod, id, categorySlugs: ["export-markets", "export-markets"] })).toEqual({ ok: true });
      expect((await row(id)).status).toBe("published");
      expect(await categories(id)).toEqual(["export-markets"]);
      expect(await approveSubmission(t.db, { ...mod, id, categorySlugs: ["export-markets"] })).toEqual({ ok: false, reason: "notPending" });
      expect(await approveSubmission(t.db, { ...mod, id: 999_999, categorySlugs: ["export-markets"] })).toEqual({
        ok: false,
        reason: "notFound",
      });
    });
  });

  describe("reject", () => {
    it("needs a known reason code and a reason; records it for the author, who is notified", async () => {
      const id = await pending();
      expect(await rejectSubmission(t.db, { ...mod, id, reasonCode: "rude", reason: "x" })).toMatchObject({
        ok: false,
        reason: "invalid",
        fieldErrors: { reasonCode: expect.any(Array) },
      });
      expect(await rejectSubmission(t.db, { ...mod, id, reasonCode: "off-topic", reason: "   " })).toMatchObject({
        ok: false,
        reason: "invalid",
        fieldErrors: { reason: expect.any(Array) },
      });
      expect((await row(id)).status).toBe("pending");

      expect(
        await rejectSubmission(t.db, {
          ...mod,
          id,
          reasonCode: "outside-remit",
          reason: "Provincial matter, not federal.\nSee the scope note.",
        }),
      ).toEqual({ ok: true, changed: true });
      const r = await row(id);
      expect(r.status).toBe("rejected");
      expect(r.reject_reason_code).toBe("outside-remit");
      expect(r.reject_reason).toBe("Provincial matter, not federal.\nSee the scope note.");
      expect(await events(id)).toEqual(["submitted", "rejected"]);
      const [audit] = await audits(id);
      expect(audit).toMatchObject({
        action: "submission.reject",
        actor_id: moderator.id,
        reason: "Provincial matter, not federal.\nSee the scope note.",
      });
      expect(JSON.parse(audit.before!)).toEqual({ status: "pending" });
      const [n] = await notifications(author.id, id);
      expect(n.kind).toBe("rejected");
      expect(JSON.parse(n.data!)).toEqual({ reasonCode: "outside-remit", reason: "Provincial matter, not federal.\nSee the scope note." });
      // A rejected one cannot be rejected again or approved.
      expect(await rejectSubmission(t.db, { ...mod, id, reasonCode: "other", reason: "again" })).toEqual({
        ok: false,
        reason: "wrongState",
        status: "rejected",
      });
      expect(await approveSubmission(t.db, { ...mod, id, categorySlugs: ["export-markets"] })).toEqual({ ok: false, reason: "notPending" });
    });

    it("a published one can be rejected (after reports), leaves the public, and its open reports are closed as actioned", async () => {
      const id = await published();
      const [r1, r2] = await users(2);
      for (const u of [r1, r2])
        expect(
          (await reportItem(t.db, { target: { type: "submission", id }, reporterId: u.id, reason: "offensive", details: "" })).ok,
        ).toBe(true);
      expect(await rejectSubmission(t.db, { ...mod, id, reasonCode: "abusive", reason: "Insults another member." })).toEqual({
        ok: true,
        changed: true,
      });
      expect((await row(id)).status).toBe("rejected");
      const reports = await t.db
        .selectFrom("reports")
        .select(["status", "resolved_by"])
        .where("target_type", "=", "submission")
        .where("target_id", "=", id)
        .execute();
      expect(reports).toEqual([
        { status: "actioned", resolved_by: moderator.id },
        { status: "actioned", resolved_by: moderator.id },
      ]);
    });
  });

  describe("tag", () => {
    it("replaces the categories and keeps a log row per change (who, when, before, after, why)", async () => {
      const id = await published();
      expect(await categories(id)).toEqual(["export-markets"]);
      expect(
        await tagSubmission(t.db, { ...mod, id, categorySlugs: ["export-markets", "financial-assistance"], reason: "Also about credit" }),
      ).toEqual({ ok: true, changed: true });
      expect(await categories(id)).toEqual(["export-markets", "financial-assistance"]);
      // The same set again: nothing to log.
      expect(await tagSubmission(t.db, { ...mod, id, categorySlugs: ["export-markets", "financial-assistance"] })).toEqual({
        ok: true,
        changed: false,
      });
      expect(await tagSubmission(t.db, { ...mod, id, categorySlugs: ["financial-assistance"] })).toEqual({ ok: true, changed: true });
      const log = await listTagLog(t.db, id);
      expect(log.map((l) => [l.before, l.after, l.reason])).toEqual([
        [["export-markets", "financial-assistance"], ["financial-assistance"], null],
        [["export-markets"], ["export-markets", "financial-assistance"], "Also about credit"],
        [[], ["export-markets"], null], // the approval
      ]);
      expect(log[0].actor_name).toBe("Test Person");
      expect((await audits(id)).filter((a) => a.action === "submission.tag")).toHaveLength(2);
      expect((await events(id)).filter((e) => e === "tagged")).toHaveLength(3);
    });

    it("refuses no category, an unknown one, and a withdrawn suggestion", async () => {
      const id = await published();
      expect(await tagSubmission(t.db, { ...mod, id, categorySlugs: [] })).toMatchObject({ ok: false, reason: "invalid" });
      expect(await tagSubmission(t.db, { ...mod, id, categorySlugs: ["export-markets", "made-up"] })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
      await t.db.updateTable("submissions").set({ status: "withdrawn" }).where("id", "=", id).execute();
      expect(await tagSubmission(t.db, { ...mod, id, categorySlugs: ["financial-assistance"] })).toEqual({
        ok: false,
        reason: "wrongState",
        status: "withdrawn",
      });
      expect(await categories(id)).toEqual(["export-markets"]);
    });
  });

  describe("merge", () => {
    let people: MadeUser[];
    beforeEach(async () => {
      people = await users(6);
    });

    it("the target's supporters become the union: a person behind both counts once; the source keeps its rows", async () => {
      const target = await published(author, "Export refinance at concessional rates");
      const source = await published(otherAuthor, "Concessional export refinance for SMEs");
      const [a, b, c, d, e] = people;
      await support(target, [a, b, c]);
      await support(source, [b, c, d, e]); // b and c behind both
      const r = await mergeSubmission(t.db, { ...mod, id: source, into: target, reason: "Same measure" });
      expect(r).toEqual({ ok: true, carried: 2, supporters: 5 });
      const tr = await row(target);
      expect(Number(tr.supporters_count)).toBe(5); // a b c d e
      await expectCountersMatchRows(target);
      expect((await supportRows(target)).map((x) => [x.user_id, x.merged_from_id])).toEqual(
        [
          [a.id, null],
          [b.id, null],
          [c.id, null],
          [d.id, source],
          [e.id, source],
        ].sort((x, y) => Number(x[0]) - Number(y[0])),
      );
      // The source: merged, pointing to its target, its own four rows kept.
      const sr = await row(source);
      expect(sr.status).toBe("merged");
      expect(sr.merged_into_id).toBe(target);
      expect(await supportRows(source)).toHaveLength(4);
      // History, audit, notifications on both sides.
      expect(await events(source)).toContain("merged");
      expect(await events(target)).toContain("merged");
      const audit = (await audits(source)).find((x) => x.action === "submission.merge")!;
      expect(JSON.parse(audit.after!)).toMatchObject({
        status: "merged",
        mergedInto: target,
        carried: 2,
        target: { id: target, supporters_count: 5 },
      });
      expect(JSON.parse(audit.before!)).toMatchObject({ status: "published", target: { supporters_count: 3 } });
      expect(audit.reason).toBe("Same measure");
      expect((await notifications(otherAuthor.id, source)).map((n) => n.kind)).toEqual(["published", "merged"]);
      expect((await notifications(author.id, target)).map((n) => n.kind)).toEqual(["published", "merged"]);
    });

    it("a carried support withdrawn from the target is gone once; supporting the target again counts once", async () => {
      const target = await published(author, "Shared testing laboratory");
      const source = await published(otherAuthor, "Testing laboratory shared by firms");
      const [a] = people;
      await support(source, [a]);
      await mergeSubmission(t.db, { ...mod, id: source, into: target });
      expect(Number((await row(target)).supporters_count)).toBe(1);
      expect((await supportSubmission(t.db, { submissionId: target, userId: a.id })).ok).toBe(true);
      expect(Number((await row(target)).supporters_count)).toBe(1);
      expect((await withdrawSupport(t.db, { submissionId: target, userId: a.id })).ok).toBe(true);
      expect(Number((await row(target)).supporters_count)).toBe(0);
      await expectCountersMatchRows(target);
    });

    it("does not carry the target author's own support over (self-support not allowed)", async () => {
      const target = await published(author, "Cluster brand for surgical instruments");
      const source = await published(otherAuthor, "A brand for the surgical cluster");
      await support(source, [author, people[0]]);
      const r = await mergeSubmission(t.db, { ...mod, id: source, into: target });
      expect(r).toMatchObject({ ok: true, carried: 1, supporters: 1 });
      expect((await supportRows(target)).map((x) => x.user_id)).toEqual([people[0].id]);
    });

    it("a chain: A into B, then B into C — C counts every person once", async () => {
      const [a, b, c, d] = people;
      const A = await published(author, "Chain suggestion A about tariffs");
      const B = await published(otherAuthor, "Chain suggestion B about tariffs");
      const C = await published(author, "Chain suggestion C about tariffs");
      await support(A, [a, b]);
      await support(B, [b, c]);
      await support(C, [c, d]);
      expect(await mergeSubmission(t.db, { ...mod, id: A, into: B })).toMatchObject({ ok: true, supporters: 3 });
      expect(await mergeSubmission(t.db, { ...mod, id: B, into: C })).toMatchObject({ ok: true, supporters: 4 });
      await expectCountersMatchRows(C);
      expect((await supportRows(C)).map((x) => x.user_id).sort((x, y) => x - y)).toEqual([a.id, b.id, c.id, d.id].sort((x, y) => x - y));
      // C cannot now be merged back into A or B (they are merged): no cycle can be written.
      expect(await mergeSubmission(t.db, { ...mod, id: C, into: A })).toEqual({ ok: false, reason: "targetMerged" });
      expect(await mergeSubmission(t.db, { ...mod, id: C, into: B })).toEqual({ ok: false, reason: "targetMerged" });
    });

    it("a pending duplicate can be merged into a published one", async () => {
      const target = await published(author, "Bonded warehouses for leather inputs");
      const source = await pending(otherAuthor, "Bonded warehouse for imported leather chemicals");
      expect(await mergeSubmission(t.db, { ...mod, id: source, into: target })).toMatchObject({ ok: true, carried: 0 });
      expect((await row(source)).status).toBe("merged");
    });

    it("refuses into itself, into a merged, unpublished or unknown one, and a source already merged, rejected or unknown — changing nothing", async () => {
      const target = await published(author, "Refusal target suggestion");
      const source = await published(otherAuthor, "Refusal source suggestion");
      const pend = await pending(author, "Refusal pending suggestion");
      const other = await published(author, "Another refusal suggestion");
      const merged = await published(otherAuthor, "Refusal merged suggestion");
      await mergeSubmission(t.db, { ...mod, id: merged, into: other });
      await support(source, [people[0]]);
      const before = await t.db
        .selectFrom("supports")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();

      expect(await mergeSubmission(t.db, { ...mod, id: source, into: source })).toEqual({ ok: false, reason: "self" });
      expect(await mergeSubmission(t.db, { ...mod, id: source, into: merged })).toEqual({ ok: false, reason: "targetMerged" });
      expect(await mergeSubmission(t.db, { ...mod, id: source, into: pend })).toEqual({ ok: false, reason: "targetNotPublished" });
      expect(await mergeSubmission(t.db, { ...mod, id: source, into: 999_999 })).toEqual({ ok: false, reason: "targetNotFound" });
      expect(await mergeSubmission(t.db, { ...mod, id: merged, into: target })).toEqual({
        ok: false,
        reason: "wrongState",
        status: "merged",
      });
      expect(await mergeSubmission(t.db, { ...mod, id: 999_999, into: target })).toEqual({ ok: false, reason: "notFound" });
      const rejected = await published(otherAuthor, "Refusal rejected suggestion");
      await rejectSubmission(t.db, { ...mod, id: rejected, reasonCode: "other", reason: "No." });
      expect(await mergeSubmission(t.db, { ...mod, id: rejected, into: target })).toEqual({
        ok: false,
        reason: "wrongState",
        status: "rejected",
      });

      expect((await row(source)).status).toBe("published");
      expect((await row(source)).merged_into_id).toBeNull();
      const after = await t.db
        .selectFrom("supports")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      expect((await audits(source)).filter((a) => a.action === "submission.merge")).toEqual([]);
    });

    it("two moderators merging the same pair at once: one merge, counts right", async () => {
      const target = await published(author, "Concurrent merge target");
      const source = await published(otherAuthor, "Concurrent merge source");
      await support(source, people.slice(0, 4));
      await support(target, people.slice(2, 6));
      const results = await Promise.all([
        mergeSubmission(t.db, { ...mod, id: source, into: target }),
        mergeSubmission(t.db, { ...mod, id: source, into: target }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(Number((await row(target)).supporters_count)).toBe(6);
      await expectCountersMatchRows(target);
    });
  });

  describe("hide and restore", () => {
    it("hide takes a published one from the public; restore brings it back and dismisses open reports", async () => {
      const id = await published();
      const pend = await pending();
      expect(await hideSubmission(t.db, { ...mod, id: pend })).toEqual({ ok: false, reason: "wrongState", status: "pending" });
      expect(await restoreSubmission(t.db, { ...mod, id })).toEqual({ ok: false, reason: "wrongState", status: "published" });

      // Reports hide it automatically at the threshold (3), from established accounts (issue 15).
      const reporters = await users(3);
      await ageAccounts(
        t.db,
        reporters.map((u) => u.id),
      );
      for (const u of reporters)
        expect((await reportItem(t.db, { target: { type: "submission", id }, reporterId: u.id, reason: "spam", details: "" })).ok).toBe(
          true,
        );
      expect((await row(id)).status).toBe("hidden");
      expect(await restoreSubmission(t.db, { ...mod, id, reason: "Reports were unfounded" })).toEqual({ ok: true, changed: true });
      expect((await row(id)).status).toBe("published");
      const open = await t.db
        .selectFrom("reports")
        .select("status")
        .where("target_type", "=", "submission")
        .where("target_id", "=", id)
        .execute();
      expect(open.map((r) => r.status)).toEqual(["dismissed", "dismissed", "dismissed"]);

      expect(await hideSubmission(t.db, { ...mod, id, reason: "Contains a phone number" })).toEqual({ ok: true, changed: true });
      expect((await row(id)).status).toBe("hidden");
      expect(await hideSubmission(t.db, { ...mod, id })).toEqual({ ok: true, changed: false });
      const actions = (await audits(id)).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(["submission.restore", "submission.hide"]));
      expect(await events(id)).toEqual(expect.arrayContaining(["hidden", "restored"]));
    });
  });

  describe("bulk", () => {
    it("approves a selection with categories; one decided meanwhile is reported, not undone", async () => {
      const ids = [await pending(), await pending(), await pending()];
      await rejectSubmission(t.db, { ...mod, id: ids[1], reasonCode: "duplicate", reason: "See #1" });
      const r = await bulkDecide(t.db, { ...mod, ids, decision: { intent: "approve", categorySlugs: ["financial-assistance"] } });
      expect(r).toEqual({ ok: true, outcome: { done: [ids[0], ids[2]], refused: [{ id: ids[1], reason: "notPending" }] } });
      expect((await row(ids[0])).status).toBe("published");
      expect((await row(ids[1])).status).toBe("rejected");
      expect(await categories(ids[2])).toEqual(["financial-assistance"]);
    });

    it("refuses an invalid decision before touching anything", async () => {
      const ids = [await pending(), await pending()];
      expect(await bulkDecide(t.db, { ...mod, ids, decision: { intent: "reject", reasonCode: "duplicate", reason: "" } })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
      expect(await bulkDecide(t.db, { ...mod, ids, decision: { intent: "approve", categorySlugs: [] } })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
      for (const id of ids) expect((await row(id)).status).toBe("pending");
    });

    it("rejects and tags a selection", async () => {
      const ids = [await pending(), await pending()];
      expect(
        await bulkDecide(t.db, { ...mod, ids, decision: { intent: "reject", reasonCode: "off-topic", reason: "Not about exports" } }),
      ).toMatchObject({ ok: true, outcome: { done: ids } });
      for (const id of ids) expect((await row(id)).reject_reason_code).toBe("off-topic");
      const pubs = [await published(), await published()];
      expect(
        await bulkDecide(t.db, {
          ...mod,
          ids: pubs,
          decision: { intent: "tag", categorySlugs: ["supply-chain-logistics"], reason: "Re-sorted" },
        }),
      ).toMatchObject({ ok: true, outcome: { done: pubs } });
      for (const id of pubs) expect(await categories(id)).toEqual(["supply-chain-logistics"]);
    });
  });
});
