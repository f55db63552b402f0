// Issue 13, finding 10: a closed or archived consultation is read-only for
// participants. Every participant write over real HTTP, as a browser without
// JavaScript posts it, is answered 409 with the translated reason and changes
// nothing; moderators keep working. One server for the file; the tests run in
// order: open → closed (both windows over) → past (another consultation
// active) → archived.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { addComment } from "~/models/comment.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { pageText, signedIn, type Client } from "../support/http";
import { useServer } from "../support/suite";

const DAY = 24 * 3_600_000;

const editForm = (title: string) => ({
  cluster: "leather",
  title,
  problem: "Tanneries pay for effluent treatment one by one and most of them cannot afford it.",
  proposal: "Fund a shared treatment plant run by the cluster association, paid back by user fees.",
  expectedImpact: "",
  stage: "",
  suggestedCategory: "",
  horizon: "",
});

describe(`a closed or archived consultation is read-only for participants (${testDialect})`, () => {
  const { t, server } = useServer();
  let moderator: MadeUser;
  let author: MadeUser;
  let participant: MadeUser;
  let newcomer: MadeUser;
  let authorClient: Client;
  let participantClient: Client;
  let newcomerClient: Client;
  let modClient: Client;
  let consultationId: number;
  let pending: number;
  let published: number;
  let commentId: number;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    participant = await makeUser(t.db);
    newcomer = await makeUser(t.db);
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
    // While open: a pending suggestion, a published one the participant supports and commented on.
    pending = await makeSubmission(t.db, {
      authorId: author.id,
      input: { title: "Closed consultation pending suggestion on tannery water" },
    });
    published = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Closed consultation published suggestion on leather exports" },
    });
    expect(await supportSubmission(t.db, { submissionId: published, userId: participant.id })).toMatchObject({ ok: true, changed: true });
    const c = await addComment(t.db, {
      submissionId: published,
      authorId: participant.id,
      body: "Written while the consultation was open.",
    });
    if (!c.ok) throw new Error("comment refused");
    commentId = c.id;
    authorClient = await signedIn(server.url, author);
    participantClient = await signedIn(server.url, participant);
    newcomerClient = await signedIn(server.url, newcomer);
    modClient = await signedIn(server.url, moderator);
  });

  const snapshot = async () => ({
    submissions: await t.db
      .selectFrom("submissions")
      .select(["id", "status", "title", "updated_at", "supporters_count", "comments_count"])
      .orderBy("id")
      .execute(),
    supports: await t.db.selectFrom("supports").select(["submission_id", "user_id"]).orderBy("submission_id").orderBy("user_id").execute(),
    comments: await t.db.selectFrom("comments").select(["id", "body", "updated_at"]).orderBy("id").execute(),
    reports: await t.db.selectFrom("reports").select(["id"]).execute(),
  });

  /** Every participant write, each expected to be refused with `reason`'s message and to change nothing. */
  async function expectEveryWriteRefused(reason: "consultationClosed" | "consultationArchived") {
    const before = await snapshot();
    const message = en.refusal[reason];
    const writes: Array<[string, Client, string, Record<string, string>]> = [
      ["comment", newcomerClient, `/submissions/${published}/comments`, { body: "A comment after the close." }],
      ["reply", newcomerClient, `/submissions/${published}/comments`, { body: "A reply after the close.", parentId: String(commentId) }],
      [
        "comment edit",
        participantClient,
        `/submissions/${published}/comments`,
        { intent: "edit", commentId: String(commentId), body: "Edited after the close." },
      ],
      [
        "edit of a pending suggestion",
        authorClient,
        `/submissions/${pending}/edit`,
        editForm("Closed consultation pending suggestion, edited after the close"),
      ],
      ["withdrawal of a suggestion", authorClient, `/submissions/${published}/withdraw`, {}],
      ["withdrawal of a pending suggestion", authorClient, `/submissions/${pending}/withdraw`, {}],
      ["support", newcomerClient, `/submissions/${published}/support`, { intent: "support" }],
      ["withdrawal of a support", participantClient, `/submissions/${published}/support`, { intent: "withdraw" }],
    ];
    const statuses: Record<string, number> = {};
    const messages: Record<string, boolean> = {};
    for (const [what, client, path, form] of writes) {
      const res = await client.post(path, form);
      statuses[what] = res.status;
      // The support route answers the support window's own reason while the window is what closed it.
      if (!(what.includes("support") && reason === "consultationClosed")) messages[what] = pageText(res.text).includes(message);
    }
    expect(statuses).toEqual(Object.fromEntries(writes.map(([what]) => [what, 409])));
    expect(messages).toEqual(Object.fromEntries(Object.keys(messages).map((what) => [what, true])));
    expect(await snapshot()).toEqual(before);
  }

  it("accepts the writes while the consultation is open (the set-up is sound)", async () => {
    const res = await newcomerClient.post(`/submissions/${published}/comments`, { body: "A comment while open." });
    expect(res.status).toBe(303);
    const edit = await authorClient.get(`/submissions/${pending}/edit`);
    expect(edit.status).toBe(200);
    // The page offers the forms the later tests find gone.
    const page = await participantClient.get(`/submissions/${published}`);
    expect(page.text).toContain('name="body"');
    expect((await authorClient.get(`/submissions/${pending}`)).text).toContain(`href="/submissions/${pending}/edit"`);
  });

  it("closed (both windows over): every participant write is refused with 409, in English and Urdu, and changes nothing", async () => {
    const now = Date.now();
    await t.db
      .updateTable("consultations")
      .set({
        submission_opens_at: new Date(now - 30 * DAY).toISOString(),
        submission_closes_at: new Date(now - 10 * DAY).toISOString(),
        support_opens_at: new Date(now - 30 * DAY).toISOString(),
        support_closes_at: new Date(now - 60_000).toISOString(),
      })
      .where("id", "=", consultationId)
      .execute();
    await expectEveryWriteRefused("consultationClosed");
    // The suggestion's page no longer offers the forms, and says why.
    const page = await participantClient.get(`/submissions/${published}`);
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain(en.refusal.consultationClosed);
    expect(page.text).not.toContain('name="body"');
    expect(page.text).not.toContain(`action="/submissions/${published}/withdraw"`);
    const pendingPage = await authorClient.get(`/submissions/${pending}`);
    expect(pendingPage.text).not.toContain(`href="/submissions/${pending}/edit"`);
    expect(pendingPage.text).not.toContain(`action="/submissions/${pending}/withdraw"`);
    // The edit form is not offered to the author either.
    const form = await authorClient.get(`/submissions/${pending}/edit`);
    expect(form.status).toBe(409);
    expect(pageText(form.text)).toContain(en.refusal.consultationClosed);
    // In Urdu.
    expect((await newcomerClient.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
    const urdu = await newcomerClient.post(`/submissions/${published}/comments`, { body: "ایک تبصرہ" });
    expect(urdu.status).toBe(409);
    // (This long Urdu sentence crossed one of React's 2,048-byte chunk edges and came with a
    // stray NUL before the page stream dropped them: tests/routes/utf8-stream.test.ts.)
    expect(pageText(urdu.text)).toContain(ur.refusal.consultationClosed);
    await newcomerClient.post("/language", { lng: "en", redirectTo: "/" });
    // A new suggestion was refused already by the submission window (a guard, not part of the fix).
    const before = await t.db.selectFrom("submissions").select("id").execute();
    expect(
      (await newcomerClient.post("/submissions/new", { ...editForm("A suggestion after the close of the consultation"), intent: "submit" }))
        .status,
    ).toBe(409);
    expect(await t.db.selectFrom("submissions").select("id").execute()).toEqual(before);
  });

  it("closed: a report is still taken (the pages stay public and moderators still act on them)", async () => {
    const res = await newcomerClient.post(`/submissions/${published}/report`, { reason: "spam", details: "" });
    expect(res.status).toBe(303);
    await t.db.deleteFrom("reports").execute();
  });

  it("closed: moderators keep working (an edit by a moderator is saved)", async () => {
    const res = await modClient.post(
      `/submissions/${pending}/edit`,
      editForm("Closed consultation pending suggestion, tidied by a moderator"),
    );
    expect(res.status).toBe(303);
    expect((await t.db.selectFrom("submissions").select("title").where("id", "=", pending).executeTakeFirstOrThrow()).title).toBe(
      "Closed consultation pending suggestion, tidied by a moderator",
    );
  });

  it("past (another consultation is active, its windows still open): every participant write is refused", async () => {
    const now = Date.now();
    await t.db
      .updateTable("consultations")
      .set({
        submission_closes_at: new Date(now + 10 * DAY).toISOString(),
        support_closes_at: new Date(now + 10 * DAY).toISOString(),
        is_active: 0,
      })
      .where("id", "=", consultationId)
      .execute();
    const iso = new Date(now).toISOString();
    await t.db
      .insertInto("consultations")
      .values({
        slug: "next-round",
        title_en: "Next round",
        title_ur: "اگلا دور",
        description_en: "",
        description_ur: "",
        submission_opens_at: iso,
        submission_closes_at: new Date(now + 20 * DAY).toISOString(),
        support_opens_at: iso,
        support_closes_at: new Date(now + 20 * DAY).toISOString(),
        support_budget: 0,
        allow_self_support: 0,
        reports_to_hide: 5,
        is_active: 1,
        archived_at: null,
        created_at: iso,
        updated_at: iso,
      })
      .execute();
    await expectEveryWriteRefused("consultationClosed");
  });

  it("archived: every participant write is refused, reports too", async () => {
    await t.db.updateTable("consultations").set({ archived_at: new Date().toISOString() }).where("id", "=", consultationId).execute();
    await expectEveryWriteRefused("consultationArchived");
    const before = await t.db.selectFrom("reports").select("id").execute();
    const res = await newcomerClient.post(`/submissions/${published}/report`, { reason: "spam", details: "" });
    expect(res.status).toBe(409);
    expect(pageText(res.text)).toContain(en.refusal.consultationArchived);
    expect(await t.db.selectFrom("reports").select("id").execute()).toEqual(before);
  });
});
