// A suggestion's comments in pages over real HTTP (no JavaScript): page 1 holds
// the newest top-level threads, `?comments=N` the older ones, each thread with
// its replies; the total is in the heading; nonsense page numbers are clamped,
// never a 500; after a post (form or fetcher) the answer points at the page
// that holds the comment.
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { addComment, COMMENT_THREADS_PER_PAGE } from "~/models/comment.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";
import { sectionHtml } from "../support/pages";

const PER = COMMENT_THREADS_PER_PAGE;
// Two full pages and three threads on a third.
const THREADS = PER * 2 + 3;

/** The ids of the comments (threads and replies) on a page, in page order. */
const commentIds = (html: string) =>
  [...sectionHtml(html, "comments-title").matchAll(/<article class="comment" id="comment-(\d+)"/g)].map((m) => Number(m[1]));
const threadCount = (html: string) => sectionHtml(html, "comments-title").match(/class="comment-thread"/g)?.length ?? 0;
/** The hrefs of the links named `name` in the comments section. */
const links = (html: string, name: string) =>
  [...sectionHtml(html, "comments-title").matchAll(/<a[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)]
    .filter((m) => decodeEntities(m[2]) === name)
    .map((m) => decodeEntities(m[1]));

describe(`comment pages over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let commenter: MadeUser;
  let id = 0;
  const top: number[] = [];
  const replies: number[] = [];

  /** What the server finds when it starts. */
  async function seed(t: TestDb) {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const author = await makeUser(t.db);
    commenter = await makeUser(t.db);
    id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
    for (let i = 0; i < THREADS; i++) {
      const r = await addComment(t.db, { submissionId: id, authorId: i % 2 ? author.id : commenter.id, body: `Thread number ${i}.` });
      if (!r.ok) throw new Error(r.reason);
      top.push(r.id);
    }
    // Two replies to the oldest thread, written last: they stay with it on the last page.
    for (const body of ["First late answer.", "Second late answer."]) {
      const r = await addComment(t.db, { submissionId: id, authorId: author.id, body, parentId: top[0] });
      if (!r.ok) throw new Error(r.reason);
      replies.push(r.id);
    }
  }

  const visitor = () => new Client(server.url);
  const path = (page?: string) => `/submissions/${id}${page === undefined ? "" : `?comments=${page}`}`;

  it("page 1: the newest threads, oldest first, the total in the heading, a way to the older ones", async () => {
    const res = await visitor().get(path());
    expect(res.status).toBe(200);
    expect(threadCount(res.text)).toBe(PER);
    expect(commentIds(res.text)).toEqual(top.slice(-PER));
    const section = sectionHtml(res.text, "comments-title");
    // Every comment counts in the total, not just the ones on this page.
    expect(pageText(section)).toContain(`${en.comment.title} (${THREADS + replies.length})`);
    expect(pageText(section)).toContain(en.pager.position.replace("{{page}}", "1").replace("{{pages}}", "3"));
    expect(section).toMatch(new RegExp(`<nav class="pager" aria-label="${en.comment.pages}">`));
    expect(links(res.text, en.comment.older)).toEqual([`/submissions/${id}?comments=2#comments`]);
    expect(links(res.text, en.comment.newer)).toEqual([]);
  });

  it("the last page: the oldest threads with all their replies; a way back to the newer ones", async () => {
    const res = await visitor().get(path("3"));
    expect(res.status).toBe(200);
    expect(commentIds(res.text)).toEqual([top[0], ...replies, top[1], top[2]]);
    expect(links(res.text, en.comment.older)).toEqual([]);
    // Newer: in the pager above the threads and again below them.
    expect(links(res.text, en.comment.newer)).toEqual([`/submissions/${id}?comments=2#comments`, `/submissions/${id}?comments=2#comments`]);
    const middle = await visitor().get(path("2"));
    expect(commentIds(middle.text)).toEqual(top.slice(3, 3 + PER));
    expect(links(middle.text, en.comment.newer)[0]).toBe(`/submissions/${id}#comments`);
    expect(links(middle.text, en.comment.older)).toEqual([`/submissions/${id}?comments=3#comments`]);
  });

  it("in Urdu: the same pages, the strings in Urdu", async () => {
    const res = await visitor().get(path("2"), { "Accept-Language": "ur-PK,ur;q=0.9" });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<html lang="ur" dir="rtl"/);
    expect(links(res.text, ur.comment.older)).toHaveLength(1);
    expect(links(res.text, ur.comment.newer)).toHaveLength(2);
  });

  it("a page number that is not one is page 1; past the last is the last; never an error", async () => {
    for (const bad of ["", "0", "-1", "abc", "1.5", "2e3", "%00", "99999999999999999999", "<script>"]) {
      const res = await visitor().get(path(encodeURIComponent(bad)));
      expect(res.status, bad).toBe(200);
      expect(commentIds(res.text), bad).toEqual(top.slice(-PER));
    }
    const far = await visitor().get(path("999"));
    expect(far.status).toBe(200);
    expect(commentIds(far.text)).toEqual([top[0], ...replies, top[1], top[2]]);
    expect(pageText(sectionHtml(far.text, "comments-title"))).toContain(
      en.pager.position.replace("{{page}}", "3").replace("{{pages}}", "3"),
    );
  });

  it("without JavaScript a post lands on the page and at the anchor of the comment", async () => {
    const client = await signedIn(server.url, commenter);
    // A new thread: page 1.
    const fresh = await client.post(`/submissions/${id}/comments`, { body: "A brand new thread." });
    expect(fresh.status).toBe(303);
    const freshId = Number(fresh.location?.match(/#comment-(\d+)$/)?.[1]);
    expect(fresh.location).toBe(`/submissions/${id}#comment-${freshId}`);
    expect(commentIds((await client.get(fresh.location!)).text)).toContain(freshId);
    // A reply to the oldest thread: the page of that thread (one more thread on page 1 moved the rest back by one: it is still on page 3).
    const reply = await client.post(`/submissions/${id}/comments`, { body: "Replying to the first thread.", parentId: String(top[0]) });
    expect(reply.status).toBe(303);
    const replyId = Number(reply.location?.match(/#comment-(\d+)$/)?.[1]);
    expect(reply.location).toBe(`/submissions/${id}?comments=3#comment-${replyId}`);
    const landed = await client.get(reply.location!.replace(/#.*$/, ""));
    expect(commentIds(landed.text)).toContain(replyId);
    // An edit of it: the same page.
    const edit = await client.post(`/submissions/${id}/comments`, {
      intent: "edit",
      commentId: String(replyId),
      body: "Replying to the first thread, edited.",
    });
    expect(edit.status).toBe(303);
    expect(edit.location).toBe(`/submissions/${id}?comments=3#comment-${replyId}`);
  });

  it("with JavaScript (inline=1, single fetch) the answer names the comment's page", async () => {
    const client = await signedIn(server.url, commenter);
    const res = await client.post(`/submissions/${id}/comments.data`, {
      body: "Replying from the fetcher.",
      parentId: String(top[1]),
      inline: "1",
    });
    expect(res.status).toBe(200);
    const row = await t.db.selectFrom("comments").select("id").where("body", "=", "Replying from the fetcher.").executeTakeFirstOrThrow();
    // turbo-stream: the keys and values of the answer, in order.
    expect(res.text).toMatch(/"commentId"/);
    expect(res.text).toContain(String(row.id));
    expect(res.text).toMatch(/"page",3/);
  });
});
