// Report review on a real migrated database (SQLite, and PostgreSQL
// with TEST_DATABASE_URL): the list of items with open reports (grouped,
// counted and ordered in SQL, two queries a page), and the decisions dismiss,
// hide and reject, each with its state change, closed reports and audit rows
// in one transaction.
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addComment } from "~/models/comment.server";
import { mergeSubmission } from "~/models/moderation.server";
import { reportItem, type ReportTarget } from "~/models/report.server";
import {
  countOpenReportItems,
  dismissReports,
  hideReportedItem,
  listOpenReportItems,
  rejectReportedSubmission,
  REPORTS_SHOWN_PER_ITEM,
} from "~/models/report-review.server";
import { nowIso } from "~/lib/time";
import type { DB } from "../../db/client";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";

const HOUR = 3_600_000;

/** Counts the queries a handle runs (a Kysely plugin sees each result once; the real database answers them). */
function countingQueries(db: DB) {
  const counter = { n: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      counter.n += 1;
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), counter };
}

/** Makes every UPDATE of the reports table fail: a fault in the middle of a decision. */
function failingReportUpdates(db: DB): DB {
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      const node = args.node as { kind: string; table?: { table?: { identifier?: { name?: string } } } };
      if (node.kind === "UpdateQueryNode" && node.table?.table?.identifier?.name === "reports")
        throw new Error("injected fault: reports update");
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return db.withPlugin(plugin);
}

/**
 * Users straight into the table (no password hashing). Their reports count
 * towards hiding (issue 15): confirmed accounts made 60 days ago, older than the
 * consultation's setting at every report time used here.
 */
async function quickUsers(db: DB, n: number, tag: string): Promise<number[]> {
  const iso = nowIso(new Date(Date.now() - 60 * 24 * HOUR));
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const email = `${tag}.${i}.${Math.random().toString(36).slice(2)}@example.pk`;
    const row = await db
      .insertInto("users")
      .values({
        email,
        email_normalised: email,
        display_name: `Reporter ${i}`,
        password_hash: "x",
        role: "stakeholder",
        status: "active",
        organisation_id: null,
        show_organisation: 0,
        locale: "en",
        created_at: iso,
        updated_at: iso,
        email_confirmed_at: iso,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

describe(`report review (${testDialect})`, () => {
  const t = useTestDb();
  let moderator: MadeUser;
  let author: MadeUser;
  let reporters: number[];
  let mod: { moderatorId: number; moderatorRole: "moderator" };
  let consultationId: number;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    reporters = await quickUsers(t.db, 8, "reporter");
    mod = { moderatorId: moderator.id, moderatorRole: "moderator" };
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
    await t.db.updateTable("consultations").set({ reports_to_hide: 3 }).where("id", "=", consultationId).execute();
  });

  const published = (title = "A published suggestion about export finance") =>
    makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title } });
  const comment = async (submissionId: number, body = "Buy cheap watches here!!!") => {
    const r = await addComment(t.db, { submissionId, authorId: author.id, body });
    if (!r.ok) throw new Error("comment refused");
    return r.id;
  };
  const report = async (target: ReportTarget, who: number[], reason = "spam", now?: Date) => {
    for (const reporterId of who) {
      const r = await reportItem(t.db, { target, reporterId, reason, details: "", now });
      expect(r.ok).toBe(true);
    }
  };
  const submissionRow = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const commentRow = (id: number) => t.db.selectFrom("comments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const reportRows = (type: string, id: number) =>
    t.db.selectFrom("reports").selectAll().where("target_type", "=", type).where("target_id", "=", id).orderBy("id").execute();
  const audits = (type: string, id: number) =>
    t.db.selectFrom("audit_log").selectAll().where("target_type", "=", type).where("target_id", "=", String(id)).orderBy("id").execute();
  const notificationKinds = async (submissionId: number) =>
    (
      await t.db
        .selectFrom("notifications")
        .select("kind")
        .where("user_id", "=", author.id)
        .where("submission_id", "=", submissionId)
        .orderBy("id")
        .execute()
    ).map((n) => n.kind);
  const allOpenItems = async () => (await listOpenReportItems(t.db, { page: 1, pageSize: 1000 })).items;

  describe("the list", () => {
    // Its own database: the order and the pages are checked exactly.
    let l: TestDb;
    let ids: {
      hiddenSub: number;
      hiddenComment: number;
      older2: number;
      newer2: number;
      comment1: number;
      parent: number;
      dismissed: number;
    };

    beforeAll(async () => {
      l = await createTestDb();
      const m = await makeUser(l.db, { role: "moderator" });
      const a = await makeUser(l.db);
      const who = await quickUsers(l.db, 4, "listing");
      const base = Date.now() - 10 * 24 * HOUR;
      const at = (h: number) => new Date(base + h * HOUR);
      const pub = (title: string) => makePublishedSubmission(l.db, { authorId: a.id, moderatorId: m.id, input: { title } });
      const rep = async (target: ReportTarget, reporterIds: number[], hour: number, reason = "spam", details = "") => {
        for (const [i, reporterId] of reporterIds.entries()) {
          expect((await reportItem(l.db, { target, reporterId, reason, details, now: at(hour + i) })).ok).toBe(true);
        }
      };
      const hiddenSub = await pub("Reported three times and hidden by the reports");
      const older2 = await pub("Reported twice, first reported long ago");
      const newer2 = await pub("Reported twice, first reported recently");
      const parent = await pub("A suggestion whose comments are reported");
      const dismissed = await pub("Reported once, and the report was dismissed");
      const c1 = await addComment(l.db, { submissionId: parent, authorId: a.id, body: "First line of the comment\nsecond line" });
      const c3 = await addComment(l.db, { submissionId: parent, authorId: a.id, body: "Spam comment hidden by its reports" });
      if (!c1.ok || !c3.ok) throw new Error("comment refused");
      await rep({ type: "submission", id: older2 }, who.slice(0, 2), 0, "off-topic", "Not about leather.\nSecond line of details.");
      await rep({ type: "submission", id: hiddenSub }, who.slice(0, 3), 10, "offensive");
      await rep({ type: "comment", id: c3.id, submissionId: parent }, who.slice(1, 4), 20);
      await rep({ type: "submission", id: newer2 }, who.slice(2, 4), 30, "duplicate");
      await rep({ type: "comment", id: c1.id, submissionId: parent }, who.slice(0, 1), 40, "other", "Rude");
      await rep({ type: "submission", id: dismissed }, who.slice(3, 4), 50);
      expect(
        (await dismissReports(l.db, { moderatorId: m.id, moderatorRole: "moderator", targetType: "submission", targetId: dismissed })).ok,
      ).toBe(true);
      ids = { hiddenSub, hiddenComment: c3.id, older2, newer2, comment1: c1.id, parent, dismissed };
    });
    afterAll(async () => {
      await l?.destroy();
    });

    it("has one entry per item with open reports: most reporters first, then the longest waiting", async () => {
      const { items, hasMore } = await listOpenReportItems(l.db, { page: 1, pageSize: 50 });
      expect(hasMore).toBe(false);
      expect(items.map((i) => [i.targetType, i.targetId, i.reporters])).toEqual([
        ["submission", ids.hiddenSub, 3],
        ["comment", ids.hiddenComment, 3],
        ["submission", ids.older2, 2],
        ["submission", ids.newer2, 2],
        ["comment", ids.comment1, 1],
      ]);
      expect(await countOpenReportItems(l.db)).toBe(5);
    });

    it("says what each item is, its state, and whether the reports hid it", async () => {
      const { items } = await listOpenReportItems(l.db, { page: 1, pageSize: 50 });
      const byKey = new Map(items.map((i) => [`${i.targetType}:${i.targetId}`, i]));
      expect(byKey.get(`submission:${ids.hiddenSub}`)).toMatchObject({
        submissionId: ids.hiddenSub,
        submissionTitle: "Reported three times and hidden by the reports",
        status: "hidden",
        hiddenAutomatically: true,
        commentBody: null,
        openReports: 3,
      });
      expect(byKey.get(`comment:${ids.hiddenComment}`)).toMatchObject({
        submissionId: ids.parent,
        submissionTitle: "A suggestion whose comments are reported",
        submissionStatus: "published",
        commentBody: "Spam comment hidden by its reports",
        status: "hidden",
        hiddenAutomatically: true,
      });
      expect(byKey.get(`comment:${ids.comment1}`)).toMatchObject({
        status: "visible",
        hiddenAutomatically: false,
        commentBody: "First line of the comment\nsecond line",
      });
      expect(byKey.get(`submission:${ids.older2}`)).toMatchObject({ status: "published", hiddenAutomatically: false });
    });

    it("carries each open report's reason, details and date, oldest first", async () => {
      const { items } = await listOpenReportItems(l.db, { page: 1, pageSize: 50 });
      const older = items.find((i) => i.targetId === ids.older2 && i.targetType === "submission")!;
      expect(older.reports.map((r) => [r.reason, r.details])).toEqual([
        ["off-topic", "Not about leather.\nSecond line of details."],
        ["off-topic", "Not about leather.\nSecond line of details."],
      ]);
      expect(older.firstReportedAt < older.lastReportedAt).toBe(true);
      expect(older.reports[0].createdAt).toBe(older.firstReportedAt);
      expect(items.find((i) => i.targetType === "comment" && i.targetId === ids.comment1)!.reports).toMatchObject([
        { reason: "other", details: "Rude" },
      ]);
    });

    it("leaves out items whose reports are all closed", async () => {
      const { items } = await listOpenReportItems(l.db, { page: 1, pageSize: 50 });
      expect(items.some((i) => i.targetType === "submission" && i.targetId === ids.dismissed)).toBe(false);
    });

    it("pages by items, not by reports", async () => {
      const p1 = await listOpenReportItems(l.db, { page: 1, pageSize: 2 });
      const p2 = await listOpenReportItems(l.db, { page: 2, pageSize: 2 });
      const p3 = await listOpenReportItems(l.db, { page: 3, pageSize: 2 });
      expect([p1.hasMore, p2.hasMore, p3.hasMore]).toEqual([true, true, false]);
      expect([...p1.items, ...p2.items, ...p3.items].map((i) => i.targetId)).toEqual([
        ids.hiddenSub,
        ids.hiddenComment,
        ids.older2,
        ids.newer2,
        ids.comment1,
      ]);
      expect((await listOpenReportItems(l.db, { page: 4, pageSize: 2 })).items).toEqual([]);
    });

    it("asks the database twice for a page, however many items it has", async () => {
      const { db, counter } = countingQueries(l.db);
      const { items } = await listOpenReportItems(db, { page: 1, pageSize: 50 });
      expect(items).toHaveLength(5);
      expect(counter.n).toBe(2);
    });

    it(`lists at most ${REPORTS_SHOWN_PER_ITEM} reports of one item but counts them all`, async () => {
      const s = await makePublishedSubmission(l.db, {
        authorId: (await makeUser(l.db)).id,
        moderatorId: (await makeUser(l.db, { role: "moderator" })).id,
      });
      await l.db.updateTable("consultations").set({ reports_to_hide: 0 }).execute();
      const many = await quickUsers(l.db, REPORTS_SHOWN_PER_ITEM + 3, "many");
      for (const reporterId of many)
        await reportItem(l.db, { target: { type: "submission", id: s }, reporterId, reason: "spam", details: "" });
      const { items } = await listOpenReportItems(l.db, { page: 1, pageSize: 50 });
      expect(items[0]).toMatchObject({
        targetId: s,
        reporters: REPORTS_SHOWN_PER_ITEM + 3,
        openReports: REPORTS_SHOWN_PER_ITEM + 3,
        status: "published",
      });
      expect(items[0].reports).toHaveLength(REPORTS_SHOWN_PER_ITEM);
    });
  });

  describe("dismiss", () => {
    it("restores a suggestion hidden by its reports and closes them as dismissed", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 3));
      expect((await submissionRow(id)).status).toBe("hidden");

      expect(await dismissReports(t.db, { ...mod, targetType: "submission", targetId: id, reason: "Reports were unfounded" })).toEqual({
        ok: true,
        changed: true,
      });
      expect((await submissionRow(id)).status).toBe("published");
      const rows = await reportRows("submission", id);
      expect(rows.map((r) => r.status)).toEqual(["dismissed", "dismissed", "dismissed"]);
      expect(rows.every((r) => r.resolved_by === moderator.id && r.resolved_at)).toBe(true);
      const log = await audits("submission", id);
      const restore = log.find((a) => a.action === "submission.restore")!;
      expect(restore).toMatchObject({ actor_id: moderator.id, actor_role: "moderator", reason: "Reports were unfounded" });
      expect(JSON.parse(restore.before!)).toEqual({ status: "hidden" });
      expect(JSON.parse(restore.after!)).toEqual({ status: "published" });
      expect((await allOpenItems()).some((i) => i.targetType === "submission" && i.targetId === id)).toBe(false);
    });

    it("after a dismissal, a new report does not hide again: only open reports of new reporters count towards the threshold", async () => {
      // report.server.ts counts distinct reporters among OPEN reports, and each
      // person may report an item once ever (a unique key), so the dismissed
      // reporters can neither report again nor count.
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 3));
      await dismissReports(t.db, { ...mod, targetType: "submission", targetId: id });

      expect(await reportItem(t.db, { target: { type: "submission", id }, reporterId: reporters[3], reason: "spam", details: "" })).toEqual(
        { ok: true, alreadyReported: false, hidden: false },
      );
      expect(
        await reportItem(t.db, { target: { type: "submission", id }, reporterId: reporters[0], reason: "spam", details: "again" }),
      ).toEqual({ ok: true, alreadyReported: true, hidden: false });
      expect((await submissionRow(id)).status).toBe("published");
      expect((await allOpenItems()).find((i) => i.targetType === "submission" && i.targetId === id)).toMatchObject({
        reporters: 1,
        openReports: 1,
      });

      await reportItem(t.db, { target: { type: "submission", id }, reporterId: reporters[4], reason: "spam", details: "" });
      expect((await submissionRow(id)).status).toBe("published");
      expect(
        await reportItem(t.db, { target: { type: "submission", id }, reporterId: reporters[5], reason: "spam", details: "" }),
      ).toMatchObject({ hidden: true });
      expect((await submissionRow(id)).status).toBe("hidden");
    });

    it("restores a comment hidden by its reports, and counts it again", async () => {
      const id = await published();
      const c = await comment(id);
      await report({ type: "comment", id: c, submissionId: id }, reporters.slice(0, 3));
      expect((await commentRow(c)).status).toBe("hidden");
      expect((await submissionRow(id)).comments_count).toBe(0);

      expect(await dismissReports(t.db, { ...mod, targetType: "comment", targetId: c })).toEqual({ ok: true, changed: true });
      expect((await commentRow(c)).status).toBe("visible");
      expect((await submissionRow(id)).comments_count).toBe(1);
      expect((await reportRows("comment", c)).map((r) => r.status)).toEqual(["dismissed", "dismissed", "dismissed"]);
      const log = (await audits("comment", c)).filter((a) => a.actor_id === moderator.id);
      expect(log.map((a) => a.action)).toEqual(["comment.restore"]);
      expect(JSON.parse(log[0].before!)).toEqual({ status: "hidden", openReports: 3 });
      expect(JSON.parse(log[0].after!)).toEqual({ status: "visible", reports: "dismissed", closed: 3 });
    });

    it("closes the reports of an item still public and leaves it as it is", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 1));
      expect(await dismissReports(t.db, { ...mod, targetType: "submission", targetId: id })).toEqual({ ok: true, changed: true });
      expect((await submissionRow(id)).status).toBe("published");
      expect((await reportRows("submission", id)).map((r) => r.status)).toEqual(["dismissed"]);
      const log = (await audits("submission", id)).filter((a) => a.action === "submission.reports-dismissed");
      expect(log).toHaveLength(1);
      expect(JSON.parse(log[0].before!)).toEqual({ status: "published", openReports: 1 });
    });
  });

  describe("hide", () => {
    it("hides a published suggestion: reports actioned, audit entry, author told", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 2));
      expect(await hideReportedItem(t.db, { ...mod, targetType: "submission", targetId: id, reason: "Advertising" })).toEqual({
        ok: true,
        changed: true,
      });
      expect((await submissionRow(id)).status).toBe("hidden");
      expect((await reportRows("submission", id)).map((r) => r.status)).toEqual(["actioned", "actioned"]);
      const hide = (await audits("submission", id)).find((a) => a.action === "submission.hide")!;
      expect(hide).toMatchObject({ actor_id: moderator.id, reason: "Advertising" });
      expect(await notificationKinds(id)).toContain("hidden");
    });

    it("keeps a suggestion hidden by its reports hidden and closes them as actioned", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 3));
      expect(await hideReportedItem(t.db, { ...mod, targetType: "submission", targetId: id })).toEqual({ ok: true, changed: true });
      expect((await submissionRow(id)).status).toBe("hidden");
      expect((await reportRows("submission", id)).map((r) => r.status)).toEqual(["actioned", "actioned", "actioned"]);
      const log = (await audits("submission", id)).filter((a) => a.actor_id === moderator.id).map((a) => a.action);
      expect(log).toContain("submission.reports-actioned");
    });

    it("hides a visible comment and takes it off the count", async () => {
      const id = await published();
      const c = await comment(id);
      await report({ type: "comment", id: c, submissionId: id }, reporters.slice(0, 1));
      expect(await hideReportedItem(t.db, { ...mod, targetType: "comment", targetId: c })).toEqual({ ok: true, changed: true });
      expect((await commentRow(c)).status).toBe("hidden");
      expect((await submissionRow(id)).comments_count).toBe(0);
      expect((await reportRows("comment", c)).map((r) => r.status)).toEqual(["actioned"]);
      const log = (await audits("comment", c)).map((a) => a.action);
      expect(log).toEqual(["comment.hide"]);
    });

    it("refuses to hide a merged suggestion and changes nothing", async () => {
      const target = await published("The suggestion others are merged into");
      const dup = await published("A duplicate that was reported");
      await report({ type: "submission", id: dup }, reporters.slice(0, 1));
      expect((await mergeSubmission(t.db, { ...mod, id: dup, into: target })).ok).toBe(true);
      const before = await audits("submission", dup);
      expect(await hideReportedItem(t.db, { ...mod, targetType: "submission", targetId: dup })).toEqual({
        ok: false,
        reason: "wrongState",
        status: "merged",
      });
      expect((await submissionRow(dup)).status).toBe("merged");
      expect((await reportRows("submission", dup)).map((r) => r.status)).toEqual(["open"]);
      expect(await audits("submission", dup)).toEqual(before);
    });
  });

  describe("reject", () => {
    it("rejects with a reason the author is told of, and closes the reports as actioned", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 3));
      const r = await rejectReportedSubmission(t.db, {
        ...mod,
        targetId: id,
        reasonCode: "abusive",
        reason: "Insults another member.\nNot a proposal.",
      });
      expect(r).toEqual({ ok: true, changed: true });
      expect(await submissionRow(id)).toMatchObject({
        status: "rejected",
        reject_reason_code: "abusive",
        reject_reason: "Insults another member.\nNot a proposal.",
      });
      expect((await reportRows("submission", id)).map((r) => r.status)).toEqual(["actioned", "actioned", "actioned"]);
      const notes = await t.db
        .selectFrom("notifications")
        .selectAll()
        .where("user_id", "=", author.id)
        .where("submission_id", "=", id)
        .where("kind", "=", "rejected")
        .execute();
      expect(notes).toHaveLength(1);
      expect(JSON.parse(notes[0].data!)).toEqual({ reasonCode: "abusive", reason: "Insults another member.\nNot a proposal." });
      const log = (await audits("submission", id)).filter((a) => a.actor_id === moderator.id && a.action !== "submission.approve");
      expect(log.map((a) => a.action)).toEqual(["submission.reject", "submission.reports-actioned"]);
      expect(JSON.parse(log[0].before!)).toEqual({ status: "hidden" });
      expect(JSON.parse(log[1].after!)).toEqual({ status: "rejected", reports: "actioned", closed: 3 });
    });

    it("refuses a missing reason or an unknown code and changes nothing", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 1));
      expect(await rejectReportedSubmission(t.db, { ...mod, targetId: id, reasonCode: "abusive", reason: "  " })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
      expect(await rejectReportedSubmission(t.db, { ...mod, targetId: id, reasonCode: "nope", reason: "Because" })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
      expect((await submissionRow(id)).status).toBe("published");
      expect((await reportRows("submission", id)).map((r) => r.status)).toEqual(["open"]);
      expect((await audits("submission", id)).filter((a) => a.actor_id === moderator.id && a.action !== "submission.approve")).toEqual([]);
    });

    it("is one transaction: a fault while closing the reports undoes the rejection and its notice", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 1));
      await expect(
        rejectReportedSubmission(failingReportUpdates(t.db), { ...mod, targetId: id, reasonCode: "other", reason: "Will not stick" }),
      ).rejects.toThrow(/injected fault/);
      expect(await submissionRow(id)).toMatchObject({ status: "published", reject_reason: null });
      expect((await reportRows("submission", id)).map((r) => r.status)).toEqual(["open"]);
      expect(await notificationKinds(id)).not.toContain("rejected");
      expect((await audits("submission", id)).map((a) => a.action)).not.toContain("submission.reject");
    });
  });

  describe("refusals", () => {
    it("an unknown item is not found", async () => {
      expect(await dismissReports(t.db, { ...mod, targetType: "submission", targetId: 999_999 })).toEqual({
        ok: false,
        reason: "notFound",
      });
      expect(await hideReportedItem(t.db, { ...mod, targetType: "comment", targetId: 999_999 })).toEqual({ ok: false, reason: "notFound" });
      expect(await rejectReportedSubmission(t.db, { ...mod, targetId: 999_999, reasonCode: "other", reason: "x" })).toEqual({
        ok: false,
        reason: "notFound",
      });
    });

    it("an item without open reports is refused: it was decided already", async () => {
      const id = await published();
      expect(await hideReportedItem(t.db, { ...mod, targetType: "submission", targetId: id })).toEqual({
        ok: false,
        reason: "noOpenReports",
      });
      expect((await submissionRow(id)).status).toBe("published");
      await report({ type: "submission", id }, reporters.slice(0, 1));
      expect((await dismissReports(t.db, { ...mod, targetType: "submission", targetId: id })).ok).toBe(true);
      expect(await dismissReports(t.db, { ...mod, targetType: "submission", targetId: id })).toEqual({
        ok: false,
        reason: "noOpenReports",
      });
    });

    it("two moderators deciding one item at once make one decision", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 3));
      const results = await Promise.all([
        dismissReports(t.db, { ...mod, targetType: "submission", targetId: id }),
        hideReportedItem(t.db, { ...mod, targetType: "submission", targetId: id }),
        rejectReportedSubmission(t.db, { ...mod, targetId: id, reasonCode: "other", reason: "Late" }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.reason))).toEqual(["noOpenReports", "noOpenReports"]);
      const closed = new Set((await reportRows("submission", id)).map((r) => r.status));
      expect(closed.size).toBe(1);
      expect(closed.has("open")).toBe(false);
    });

    it("refuses a note longer than 2000 characters", async () => {
      const id = await published();
      await report({ type: "submission", id }, reporters.slice(0, 1));
      expect(await dismissReports(t.db, { ...mod, targetType: "submission", targetId: id, reason: "x".repeat(2001) })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
      expect((await reportRows("submission", id)).map((r) => r.status)).toEqual(["open"]);
    });
  });
});
