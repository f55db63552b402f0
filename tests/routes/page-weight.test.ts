// Light pages (issue 7 item 7) against the built server over HTTP: the cluster
// page with a full page of 20 cards — long titles, three categories each — in
// English and in Urdu weighs under 60 KB of uncompressed HTML, and everything
// it loads at start (entry, route modules, modulepreloads and their static
// imports) under 100 KB of gzip as served. Static assets carry hashed names
// and a year's immutable caching; pages never do. The home and a suggestion's
// page are held to the same limits.
import { describe, expect, it } from "vitest";
import { addComment, COMMENT_THREADS_PER_PAGE } from "~/models/comment.server";
import { recordProgress } from "~/models/progress.server";
import { createRecommendation, linkSource, recordResponse } from "~/models/recommendation.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { IMMUTABLE, measurePage, type PageWeight } from "../support/page-weight";
import { useServer } from "../support/suite";

const HTML_LIMIT = 60_000;
const JS_GZIP_LIMIT = 100_000;
const LANGUAGES = { en: "en-GB,en;q=0.9", ur: "ur-PK,ur;q=0.9" } as const;

// Titles at the 150-character maximum, in both scripts (Urdu takes two bytes a letter).
const EN_TITLE =
  "Duty drawback on imported chemicals and dyes for value-added finished leather goods exporters in Sialkot, Kasur and Karachi clusters";
const UR_TITLE =
  "سیالکوٹ، قصور اور کراچی کے کلسٹرز میں تیار چمڑے کی مصنوعات برآمد کرنے والوں کے لیے درآمدی کیمیکلز اور رنگوں پر ڈیوٹی کی واپسی کا فوری اور آسان نظام";

function report(w: PageWeight) {
  const scripts = w.scripts.map((s) => `${s.path} ${s.rawBytes}/${s.gzipBytes}`).join(", ");
  return `${w.url}: HTML ${w.htmlBytes} B raw, ${w.htmlGzipBytes} B gzip; JS ${w.scriptRawTotal} B raw, ${w.scriptGzipTotal} B gzip (${scripts})`;
}

describe(`page weight (${testDialect})`, () => {
  const { server } = useServer({ seed });
  let submissionId = 0;
  let discussedId = 0;

  /** What the server finds when it starts. */
  async function seed(t: TestDb) {
    const moderator = await makeUser(t.db, { role: "moderator" });
    for (let i = 0; i < 24; i++) {
      // One author each: no per-person limit gets in the way.
      const author = await makeUser(t.db);
      const title = (i % 2 ? UR_TITLE : EN_TITLE).slice(0, 150 - 4) + ` ${i}`;
      submissionId = await makePublishedSubmission(t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { title, problem: `${title}. `.repeat(3), proposal: `${title}. `.repeat(3) },
        categories: ["export-markets", "tax-relief", "value-addition"],
      });
    }
    // The accountability page and the feeds with something on them: final recommendations at full length, each
    // with a response and a progress update, their sources the suggestions above.
    const organiser = await makeUser(t.db, { role: "organiser" });
    const actor = { actorId: organiser.id, actorRole: "organiser" };
    const today = new Date().toISOString().slice(0, 10);
    for (let i = 0; i < 6; i++) {
      const title = (i % 2 ? UR_TITLE : EN_TITLE).slice(0, 150 - 4) + ` ${i}`;
      const rec = await createRecommendation(t.db, {
        ...actor,
        input: {
          title,
          text: `${title}. `.repeat(10),
          cluster: ["leather"],
          category: ["export-markets"],
          priority: "1",
          dissent: "",
          status: "final",
        },
      });
      if (!rec.ok) throw new Error(JSON.stringify(rec));
      const linked = await linkSource(t.db, { ...actor, id: rec.id, submissionId: submissionId - i });
      if (!linked.ok) throw new Error(JSON.stringify(linked));
      if (i === 5) continue; // one without a response: it stands out
      const responded = await recordResponse(t.db, {
        ...actor,
        id: rec.id,
        input: {
          responseStatus: "accepted",
          responseText: `${title}. `.repeat(3),
          responsibleAgency: "Ministry of Commerce",
          responseDate: today,
        },
      });
      if (!responded.ok) throw new Error(JSON.stringify(responded));
      const progress = await recordProgress(t.db, {
        ...actor,
        id: rec.id,
        input: { progressStatus: "in-progress", progressText: `${title}. `.repeat(3), progressDate: today, evidenceUrl: "" },
      });
      if (!progress.ok) throw new Error(JSON.stringify(progress));
    }
    // A much-discussed suggestion: 60 threads of a long paragraph each (Urdu and English in turn), two replies each.
    const talkers = [await makeUser(t.db), await makeUser(t.db), await makeUser(t.db)];
    discussedId = await makePublishedSubmission(t.db, { authorId: talkers[0].id, moderatorId: moderator.id });
    for (let i = 0; i < 60; i++) {
      const body = `${i % 2 ? UR_TITLE : EN_TITLE}. `.repeat(3);
      const top = await addComment(t.db, { submissionId: discussedId, authorId: talkers[i % 3].id, body });
      if (!top.ok) throw new Error(top.reason);
      for (let r = 1; r <= 2; r++)
        await addComment(t.db, {
          submissionId: discussedId,
          authorId: talkers[(i + r) % 3].id,
          body: body.slice(0, 200),
          parentId: top.id,
        });
    }
  }

  for (const [lng, acceptLanguage] of Object.entries(LANGUAGES)) {
    it(`the cluster page in ${lng}: 20 cards, HTML under 60 KB, JavaScript under 100 KB gzip, images lazy`, async () => {
      const w = await measurePage(server.url, "/clusters/leather", { "Accept-Language": acceptLanguage });
      console.info(report(w));
      expect(w.status).toBe(200);
      expect(w.html).toMatch(new RegExp(`<html lang="${lng}"`));
      expect(w.html.match(/<li class="card"/g)?.length).toBe(20);
      expect(w.htmlBytes).toBeLessThan(HTML_LIMIT);
      expect(w.scripts.length).toBeGreaterThan(2);
      expect(w.scriptGzipTotal).toBeLessThan(JS_GZIP_LIMIT);
      expect(w.images.filter((i) => !i.lazy)).toEqual([]);
    });
  }

  for (const [name, path] of [
    ["home", "/"],
    ["a suggestion's page", "/submissions/:id"],
  ] as const) {
    it(`${name}, in both languages, within the same limits`, async () => {
      for (const acceptLanguage of Object.values(LANGUAGES)) {
        const w = await measurePage(server.url, path.replace(":id", String(submissionId)), { "Accept-Language": acceptLanguage });
        console.info(report(w));
        expect(w.status).toBe(200);
        expect(w.htmlBytes).toBeLessThan(HTML_LIMIT);
        expect(w.scriptGzipTotal).toBeLessThan(JS_GZIP_LIMIT);
        expect(w.images.filter((i) => !i.lazy)).toEqual([]);
      }
    });
  }

  it("a suggestion with 180 comments: one page of threads, in both languages, within the same limits", async () => {
    for (const acceptLanguage of Object.values(LANGUAGES)) {
      const w = await measurePage(server.url, `/submissions/${discussedId}`, { "Accept-Language": acceptLanguage });
      console.info(report(w));
      expect(w.status).toBe(200);
      expect(w.html.match(/class="comment-thread"/g)?.length).toBe(COMMENT_THREADS_PER_PAGE);
      expect(w.html.match(/<article class="comment"/g)?.length).toBe(COMMENT_THREADS_PER_PAGE * 3);
      expect(w.htmlBytes).toBeLessThan(HTML_LIMIT);
      expect(w.scriptGzipTotal).toBeLessThan(JS_GZIP_LIMIT);
    }
  });

  it("the public statistics in English and Urdu: HTML under 60 KB, JavaScript under 100 KB gzip", async () => {
    for (const acceptLanguage of Object.values(LANGUAGES)) {
      const w = await measurePage(server.url, "/stats", { "Accept-Language": acceptLanguage });
      expect(w.status).toBe(200);
      expect(w.html).toContain("<svg");
      expect(w.htmlBytes, report(w)).toBeLessThan(HTML_LIMIT);
      expect(w.scriptGzipTotal, report(w)).toBeLessThan(JS_GZIP_LIMIT);
    }
  });

  it("the accountability page in English and Urdu: HTML under 60 KB, JavaScript under 100 KB gzip", async () => {
    for (const acceptLanguage of Object.values(LANGUAGES)) {
      const w = await measurePage(server.url, "/accountability", { "Accept-Language": acceptLanguage });
      expect(w.status).toBe(200);
      expect(w.html).toContain("<svg");
      // The six final recommendations are on it (one needing attention).
      expect(w.html.match(/<tr data-recommendation=/g)?.length).toBe(6);
      expect(w.htmlBytes, report(w)).toBeLessThan(HTML_LIMIT);
      expect(w.scriptGzipTotal, report(w)).toBeLessThan(JS_GZIP_LIMIT);
    }
  });

  it("the Atom feeds (recommendations, a cluster's suggestions) in English and Urdu: under 60 KB, no scripts", async () => {
    for (const path of ["/recommendations.atom", "/clusters/leather/feed.atom"]) {
      for (const acceptLanguage of Object.values(LANGUAGES)) {
        const w = await measurePage(server.url, path, { "Accept-Language": acceptLanguage });
        console.info(report(w));
        expect(w.status, path).toBe(200);
        expect(w.html, path).toContain("<entry>");
        expect(w.htmlBytes, report(w)).toBeLessThan(HTML_LIMIT);
        expect(w.scripts, path).toEqual([]);
      }
    }
  });

  it("static assets: hashed names, cached a year and immutable (scripts, stylesheet, fonts); pages are not cached", async () => {
    const w = await measurePage(server.url, "/clusters/leather");
    for (const s of w.scripts) {
      expect(s.path, s.path).toMatch(/^\/assets\/.+-[\w-]{8}\.js$/);
      expect(s.cacheControl, s.path).toBe(IMMUTABLE);
    }
    expect(w.stylesheets.length).toBeGreaterThan(0);
    const fonts = w.stylesheets.flatMap((c) => c.fonts);
    expect(fonts.length).toBeGreaterThan(0);
    for (const a of [...w.stylesheets, ...fonts]) {
      expect(a.path, a.path).toMatch(/^\/assets\/.+-[\w-]{8}\.(css|woff2?)$/);
      expect(a.cacheControl, a.path).toBe(IMMUTABLE);
    }
    // A page carries a per-request CSP nonce and depends on the language and session: never stored by a shared cache.
    expect(w.htmlCacheControl).toMatch(/no-cache|no-store/);
    expect(w.htmlCacheControl).not.toMatch(/public|max-age=[1-9]/);
  });
});
