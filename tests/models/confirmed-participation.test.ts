// The person's half of the participation rule (issue 15, item 1; ADR 0026):
// supporting, commenting and reporting need a confirmed email address, decided
// once (participantRefusal) and read by every write and by the page's
// decisions; a refused write changes nothing. Suggestions stay open.
import { beforeAll, describe, expect, it } from "vitest";
import { confirmEmail, sendEmailConfirmation } from "~/models/account-email.server";
import { addComment, COMMENT_REFUSALS, commentRefusal } from "~/models/comment.server";
import { participantRefusal, participantRefusalFor, PARTICIPATION_REFUSALS } from "~/models/consultation.server";
import { REPORT_REFUSALS, reportItem } from "~/models/report.server";
import { getSupportState, SUPPORT_REFUSALS, supportSubmission, withdrawSupport } from "~/models/support.server";
import { testDialect } from "../support/db";
import { confirmLinkFor } from "../support/confirm-email";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { useTestDb } from "../support/suite";

describe(`confirmed email for supports, comments and reports (${testDialect})`, () => {
  const t = useTestDb();
  let author: MadeUser;
  let moderator: MadeUser;

  beforeAll(async () => {
    author = await makeUser(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
  });

  const published = () => makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
  async function traces(id: number) {
    const s = await t.db
      .selectFrom("submissions")
      .select(["status", "supporters_count", "supporting_organisations", "supporting_provinces", "comments_count", "trending_score"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const rows = async (table: "supports" | "comments") =>
      (await t.db.selectFrom(table).select("submission_id").where("submission_id", "=", id).execute()).length;
    const reports = await t.db
      .selectFrom("reports")
      .select("id")
      .where("target_type", "=", "submission")
      .where("target_id", "=", id)
      .execute();
    return { ...s, supports: await rows("supports"), comments: await rows("comments"), reports: reports.length };
  }

  it("is one rule with one status: 403 in every table that carries the participation reasons", () => {
    expect(participantRefusal({ emailConfirmed: false })).toEqual({ ok: false, reason: "emailUnconfirmed" });
    expect(participantRefusal({ emailConfirmed: true })).toBeNull();
    expect(participantRefusal(null)).toBeNull();
    for (const table of [PARTICIPATION_REFUSALS, SUPPORT_REFUSALS, COMMENT_REFUSALS, REPORT_REFUSALS])
      expect(table.emailUnconfirmed).toBe(403);
  });

  it("reads the address from the account", async () => {
    const unconfirmed = await makeUser(t.db, { emailConfirmed: false });
    expect(await participantRefusalFor(t.db, unconfirmed.id)).toEqual({ ok: false, reason: "emailUnconfirmed" });
    expect(await participantRefusalFor(t.db, author.id)).toBeNull();
  });

  it("an unconfirmed person's support, comment and report are refused and write nothing", async () => {
    const id = await published();
    const person = await makeUser(t.db, { emailConfirmed: false });
    const before = await traces(id);
    expect(await supportSubmission(t.db, { submissionId: id, userId: person.id })).toEqual({ ok: false, reason: "emailUnconfirmed" });
    expect(await addComment(t.db, { submissionId: id, authorId: person.id, body: "We would use it every week." })).toEqual({
      ok: false,
      reason: "emailUnconfirmed",
    });
    expect(await reportItem(t.db, { target: { type: "submission", id }, reporterId: person.id, reason: "spam", details: "" })).toEqual({
      ok: false,
      reason: "emailUnconfirmed",
    });
    expect(await traces(id)).toEqual(before);
    // Withdrawing what one does not have stays a no-op, not a refusal.
    expect(await withdrawSupport(t.db, { submissionId: id, userId: person.id })).toMatchObject({ ok: true, changed: false });
  });

  it("the page's decisions say the same: support and comment blocked for the address, other reasons first", async () => {
    const id = await published();
    const person = await makeUser(t.db, { emailConfirmed: false });
    const state = await getSupportState(t.db, { submissionId: id, userId: person.id });
    expect(state?.decision).toEqual({ canSupport: false, blockedReason: "emailUnconfirmed" });
    const s = await t.db
      .selectFrom("submissions as s")
      .innerJoin("consultations as c", "c.id", "s.consultation_id")
      .select(["s.status", "c.is_active", "c.archived_at", "c.submission_closes_at", "c.support_closes_at"])
      .where("s.id", "=", id)
      .executeTakeFirstOrThrow();
    expect(commentRefusal(s, new Date(), { emailConfirmed: false })).toEqual({ ok: false, reason: "emailUnconfirmed" });
    expect(commentRefusal(s, new Date(), { emailConfirmed: true })).toBeNull();
    expect(commentRefusal(s)).toBeNull();
    // A suggestion not yet published is refused for that, whoever asks.
    const pending = await makeSubmission(t.db, { authorId: author.id });
    const pendingState = await getSupportState(t.db, { submissionId: pending, userId: person.id });
    expect(pendingState?.decision).toMatchObject({ canSupport: false, blockedReason: "notPublished" });
    expect(commentRefusal({ ...s, status: "pending" }, new Date(), { emailConfirmed: false })).toEqual({
      ok: false,
      reason: "notPublished",
    });
  });

  it("suggestions stay open to an unconfirmed person", async () => {
    const person = await makeUser(t.db, { emailConfirmed: false });
    expect(await makeSubmission(t.db, { authorId: person.id })).toBeGreaterThan(0);
  });

  it("three unconfirmed accounts cannot hide a suggestion; once confirmed with the emailed link, the same person supports", async () => {
    const id = await published();
    const fresh = [];
    for (let i = 0; i < 3; i++) fresh.push(await makeUser(t.db, { emailConfirmed: false }));
    for (const p of fresh) {
      const r = await reportItem(t.db, { target: { type: "submission", id }, reporterId: p.id, reason: "spam", details: "" });
      expect(r).toEqual({ ok: false, reason: "emailUnconfirmed" });
    }
    expect((await traces(id)).status).toBe("published");
    expect((await traces(id)).reports).toBe(0);

    const person = fresh[0];
    expect(await sendEmailConfirmation(t.db, { userId: person.id })).toEqual({ ok: true, to: person.email });
    const token = (await confirmLinkFor(t.db, person.email)).split("/").pop()!;
    expect(await confirmEmail(t.db, { token })).toMatchObject({ ok: true, userId: person.id });
    expect(await participantRefusalFor(t.db, person.id)).toBeNull();
    expect(await supportSubmission(t.db, { submissionId: id, userId: person.id })).toMatchObject({
      ok: true,
      changed: true,
      supporters: 1,
    });
    expect((await getSupportState(t.db, { submissionId: id, userId: person.id }))?.supported).toBe(true);
  });
});
