// Issue 13, finding 5: ids too large for the `integer` columns (past 2³¹−1, up
// to 2⁶³ and beyond) are refused the same way everywhere, over real HTTP: a
// form field or a query parameter is a 400, a path segment a 404, and nothing
// changes. On PostgreSQL these used to reach the database and answer 500
// ("value out of range for type integer").
import { describe, expect, it } from "vitest";
import { addComment } from "~/models/comment.server";
import { encodeCursor } from "~/models/open-data.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, signedIn } from "../support/http";
import { useServer } from "../support/suite";

/** 2³¹ (one past the column), 2³¹ with a digit more, 2⁶³, and a 20-digit number. */
const TOO_LARGE = ["2147483648", "99999999999", "9223372036854775808", "18446744073709551616"];
const cursorOf = (text: string) => Buffer.from(text, "utf8").toString("base64url");

describe(`ids past 2³¹−1 over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let commenter: MadeUser;
  let moderator: MadeUser;
  let admin: MadeUser;
  let id = 0;
  let commentId = 0;

  /** What the server finds when it starts. */
  async function seed(t: TestDb) {
    moderator = await makeUser(t.db, { role: "moderator" });
    admin = await makeUser(t.db, { role: "admin" });
    const author = await makeUser(t.db);
    commenter = await makeUser(t.db);
    id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
    const r = await addComment(t.db, { submissionId: id, authorId: commenter.id, body: "The first comment." });
    if (!r.ok) throw new Error(r.reason);
    commentId = r.id;
  }

  const comments = async () =>
    (
      await t.db
        .selectFrom("comments")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n;
  const reports = async () =>
    (
      await t.db
        .selectFrom("reports")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n;

  it("a reply's parentId past the column is a 400 and no comment", async () => {
    const client = await signedIn(server.url, commenter);
    const before = Number(await comments());
    for (const parentId of TOO_LARGE) {
      const res = await client.post(`/submissions/${id}/comments`, { body: "A reply to nothing.", parentId });
      expect(res.status, `parentId=${parentId}`).toBe(400);
    }
    expect(Number(await comments())).toBe(before);
    // The largest id the column holds is only an unknown comment.
    const res = await client.post(`/submissions/${id}/comments`, { body: "A reply to nothing.", parentId: "2147483647" });
    expect(res.status).toBeLessThan(500);
    expect(Number(await comments())).toBe(before);
  });

  it("editing a comment whose id is past the column is a 400", async () => {
    const client = await signedIn(server.url, commenter);
    for (const bad of TOO_LARGE) {
      const res = await client.post(`/submissions/${id}/comments`, { intent: "edit", body: "Edited text.", commentId: bad });
      expect(res.status, `commentId=${bad}`).toBe(400);
    }
    const row = await t.db.selectFrom("comments").select("body").where("id", "=", commentId).executeTakeFirstOrThrow();
    expect(row.body).toBe("The first comment.");
  });

  it("reporting a comment whose id is past the column is a 400 and no report", async () => {
    const client = await signedIn(server.url, commenter);
    const before = Number(await reports());
    for (const bad of TOO_LARGE) {
      const res = await client.post(`/submissions/${id}/report`, { reason: "spam", commentId: bad });
      expect(res.status, `commentId=${bad}`).toBe(400);
    }
    expect(Number(await reports())).toBe(before);
  });

  it("hiding or dismissing a reported comment whose id is past the column is a 400", async () => {
    const client = await signedIn(server.url, moderator);
    for (const bad of TOO_LARGE) {
      for (const intent of ["hide", "dismiss"]) {
        const res = await client.post("/moderation/reports", { intent, targetType: "comment", targetId: bad });
        expect(res.status, `${intent} targetId=${bad}`).toBe(400);
      }
    }
  });

  it("an API cursor naming an id past the column is a 400; the largest one is an empty page", async () => {
    const visitor = new Client(server.url);
    for (const resource of ["submissions", "recommendations"]) {
      for (const bad of ["2147483648", "99999999999", "999999999999999"]) {
        const res = await visitor.get(`/api/v1/${resource}?cursor=${cursorOf(bad)}`);
        expect(res.status, `${resource} cursor=${bad}`).toBe(400);
        expect(JSON.parse(res.text)).toEqual({ error: "invalid cursor" });
      }
      const last = await visitor.get(`/api/v1/${resource}?cursor=${encodeCursor(2147483647)}`);
      expect(last.status).toBe(200);
      expect(JSON.parse(last.text)).toEqual({ data: [], next_cursor: null });
    }
  });

  it("a path id past the column is a 404 on every kind of page", async () => {
    const visitor = new Client(server.url);
    const mod = await signedIn(server.url, moderator);
    const adm = await signedIn(server.url, admin);
    for (const bad of TOO_LARGE) {
      for (const path of [`/submissions/${bad}`, `/submissions/${bad}/comments`, `/recommendations/${bad}`]) {
        expect((await visitor.get(path)).status, path).toBe(404);
      }
      expect((await mod.get(`/moderation/submissions/${bad}`)).status).toBe(404);
      expect((await mod.get(`/moderation/organisations/${bad}`)).status).toBe(404);
      expect((await adm.get(`/admin/users/${bad}`)).status).toBe(404);
      expect((await adm.get(`/admin/consultation?id=${bad}`)).status).toBe(404);
    }
  });

  it("a form id past the column on the moderators' and admins' forms is a 400", async () => {
    const mod = await signedIn(server.url, moderator);
    const adm = await signedIn(server.url, admin);
    const user = await signedIn(server.url, commenter);
    for (const bad of TOO_LARGE) {
      expect((await mod.post("/moderation", { intent: "approve", id: bad, category: "export-markets" })).status, `bulk id=${bad}`).toBe(
        400,
      );
      expect((await mod.post(`/moderation/submissions/${id}`, { intent: "merge", into: bad })).status, `merge into=${bad}`).toBe(400);
      expect((await adm.post("/admin/users", { intent: "disable", userId: bad })).status, `userId=${bad}`).toBe(400);
      for (const intent of ["activate", "archive", "update"]) {
        expect((await adm.post("/admin/consultation", { intent, consultationId: bad })).status, `${intent} consultationId=${bad}`).toBe(
          400,
        );
      }
      expect((await user.post("/me/notifications", { intent: "read", id: bad })).status, `notification id=${bad}`).toBe(400);
    }
    // The audit log's actor filter ignores a number past the column (the page still answers).
    expect((await adm.get("/admin/audit?actor=9223372036854775808")).status).toBe(200);
  });
});
