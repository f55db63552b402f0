// With JavaScript, supporting, withdrawing, commenting (new, reply, edit) and
// the similar-suggestions list update the page in place (Remix fetchers): no
// new document is loaded, the page's content changes, and the new state is said
// in a polite live region — in English and in Urdu (the Urdu strings arrive
// after the page, with the whole locale file: this also proves that happens).
// Without JavaScript the same forms post and come back as plain pages.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { formatNumber } from "~/lib/format";
import { addComment, COMMENT_THREADS_PER_PAGE } from "~/models/comment.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { browserHarness, expectClean, hydrated, markDocument, sameDocument, see, signIn, type Watched, uniqueWord } from "./helpers";

const h = browserHarness();
const LOCALES = { en, ur } as const;
/** A count as the page writes it: Urdu pages in Urdu digits (the default), English in Western ones. */
const written = (lng: "en" | "ur", n: number) => formatNumber({ lng, digits: "native" }, n);
const plural = (lng: "en" | "ur", s: { found_one: string; found_other: string }, n: number) =>
  (n === 1 ? s.found_one : s.found_other).replace("{{count}}", written(lng, n));

async function published(title: string): Promise<number> {
  const author = await makeUser(h.t.db);
  const mod = await makeUser(h.t.db, { role: "moderator" });
  return makePublishedSubmission(h.t.db, {
    authorId: author.id,
    moderatorId: mod.id,
    input: { cluster: "leather", title },
    categories: ["export-markets"],
  });
}

const documents = (w: Watched) => w.requests.filter((r) => r.isNavigation).length;
const supportBox = (page: Page) => page.locator("#support");
const liveText = (scope: ReturnType<Page["locator"]>) => scope.locator('[aria-live="polite"]');

/** Runs `step` and checks the page stayed the same document, with no navigation request. */
async function inPlace(w: Watched, step: () => Promise<void>) {
  const before = documents(w);
  await markDocument(w.page);
  await step();
  expect(documents(w), "a full page load happened").toBe(before);
  expect(await sameDocument(w.page)).toBe(true);
}

describe(`in place with JavaScript (${testDialect})`, () => {
  for (const lng of ["en", "ur"] as const) {
    const L = LOCALES[lng];
    it(`support, withdraw, comment, reply and edit change the page in place and are announced (${lng})`, async () => {
      const w = await h.openPage({ locale: lng === "ur" ? "ur-PK" : "en-GB" });
      const { page } = w;
      const id = await published(`Common testing laboratory for ${uniqueWord(9)} exporters`);
      const supporter = await makeUser(h.t.db, { displayName: "Hina Baig", locale: lng });
      await signIn(h, w, supporter, { to: `/submissions/${id}`, js: true, lang: lng });
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lng);

      for (const [button, announced, count] of [
        [L.support.support, L.support.done, 1],
        [L.support.withdraw, L.support.withdrawn, 0],
      ] as const) {
        await inPlace(w, async () => {
          await supportBox(page).getByRole("button", { name: button, exact: true }).click();
          await see(liveText(supportBox(page))).text(announced);
        });
        await see(supportBox(page).locator(".support__count strong")).text(written(lng, count));
        const row = await h.t.db.selectFrom("submissions").select("supporters_count").where("id", "=", id).executeTakeFirstOrThrow();
        expect(row.supporters_count).toBe(count);
      }

      // a new comment: shown, the form emptied, announced
      const comments = page.locator("#comments");
      const newForm = comments.locator("form.comment-form");
      const body = `In place ${uniqueWord(9)}`;
      await inPlace(w, async () => {
        await newForm.locator("textarea").fill(body);
        await newForm.getByRole("button", { name: L.comment.post, exact: true }).click();
        await see(liveText(newForm)).text(L.comment.posted);
        await see(comments.locator(".comment .plain-text").filter({ hasText: body })).count(1);
      });
      await see(newForm.locator("textarea")).value("");
      const stored = await h.t.db.selectFrom("comments").select(["id", "body"]).where("submission_id", "=", id).executeTakeFirstOrThrow();
      expect(stored.body).toBe(body);
      expect(new URL(page.url()).hash).toBe(`#comment-${stored.id}`);
      const item = page.locator(`#comment-${stored.id}`);

      // a reply under it
      const reply = `Reply ${uniqueWord(9)}`;
      await inPlace(w, async () => {
        await item.locator("summary", { hasText: L.comment.reply }).click();
        const form = item.locator("form").filter({ has: page.locator('input[name="parentId"]') });
        await form.locator("textarea").fill(reply);
        await form.getByRole("button", { name: L.comment.postReply, exact: true }).click();
        await see(liveText(form)).text(L.comment.posted);
        await see(page.locator(".comment-replies .plain-text").filter({ hasText: reply })).count(1);
      });

      // an edit of the comment
      const edited = `${body} (edited)`;
      await inPlace(w, async () => {
        await item.locator("summary", { hasText: L.comment.edit }).first().click();
        const form = item.locator("form").filter({ has: page.locator('input[name="intent"][value="edit"]') });
        await form.locator("textarea").fill(edited);
        await form.getByRole("button", { name: L.comment.save, exact: true }).click();
        await see(liveText(form)).text(L.comment.saved);
        await see(item.locator(".plain-text")).text(edited);
      });
      expect((await h.t.db.selectFrom("comments").select("body").where("id", "=", stored.id).executeTakeFirstOrThrow()).body).toBe(edited);
      // No raw key ever reached the page (the strings not sent with it came with the whole locale file).
      expect(await page.locator("main").innerText()).not.toMatch(/\b(comment|support|submission)\.[a-z]+/);
      expectClean(w);
    });

    it(`the similar suggestions follow the title as it is typed, announced (${lng})`, async () => {
      const word = `${uniqueWord(9)} ${uniqueWord(9)}`;
      const existing = `${word} cold storage`;
      const existingId = await published(existing);
      const w = await h.openPage({ locale: lng === "ur" ? "ur-PK" : "en-GB" });
      const { page } = w;
      await signIn(h, w, await makeUser(h.t.db, { locale: lng }), { to: "/submissions/new?cluster=leather", lang: lng });
      const region = page.locator("section.similar");
      await inPlace(w, async () => {
        await page.locator('input[name="title"]').pressSequentially(word, { delay: 20 });
        await see(region.getByRole("link", { name: existing, exact: true })).visible();
        await see(liveText(region)).text(plural(lng, L.submission.similar, 1));
      });
      expect(await region.getByRole("link", { name: existing, exact: true }).getAttribute("href")).toBe(`/submissions/${existingId}`);
      await inPlace(w, async () => {
        await page.locator('input[name="title"]').fill(`Nothing like it ${uniqueWord(9)} ${uniqueWord(9)}`);
        await see(liveText(region)).text(L.submission.similar.none);
        await see(region.getByRole("link", { name: existing, exact: true })).count(0);
      });
      expectClean(w);
    });
  }

  it("with JavaScript, the support and comment forms post in place even when sent the instant they appear", async () => {
    // The moment between a page's first render and its effects is where a form that learns
    // "JavaScript runs" from an effect still posts as the plain form. On a busy machine a
    // keyboard user can land in it: the support was counted, but the page navigated and said nothing.
    const id = await published(`Shared tannery effluent plant for ${uniqueWord(9)} exporters`);
    const w = await h.openPage({ locale: "en-GB" });
    const { page } = w;
    await signIn(h, w, await makeUser(h.t.db), { to: "/me", js: true });
    const body = `Sent at once ${uniqueWord(9)}`;
    await inPlace(w, async () => {
      await page.evaluate(
        ({ path, body }) =>
          new Promise<void>((resolve) => {
            // A MutationObserver's callback runs right after React's commit, before its effects.
            const observer = new MutationObserver(() => {
              const support = document.querySelector<HTMLFormElement>("#support form");
              const comment = document.querySelector<HTMLFormElement>("form.comment-form");
              if (!support || !comment) return;
              observer.disconnect();
              comment.querySelector("textarea")!.value = body;
              support.requestSubmit();
              comment.requestSubmit();
              resolve();
            });
            observer.observe(document.body, { childList: true, subtree: true });
            void (window as unknown as { __remixRouter: { navigate(to: string): Promise<void> } }).__remixRouter.navigate(path);
          }),
        { path: `/submissions/${id}`, body },
      );
      await see(liveText(supportBox(page))).text(en.support.done);
      await see(liveText(page.locator("form.comment-form"))).text(en.comment.posted);
    });
    await see(supportBox(page).getByRole("button", { name: en.support.withdraw, exact: true })).visible();
    expect((await h.t.db.selectFrom("comments").select("body").where("submission_id", "=", id).executeTakeFirstOrThrow()).body).toBe(body);
    expectClean(w);
  });

  it("with JavaScript, a comment posted from an older page of comments lands on its page, at its anchor", async () => {
    const id = await published(`Bonded warehouses for ${uniqueWord(9)} exporters`);
    const talker = await makeUser(h.t.db);
    for (let i = 0; i <= COMMENT_THREADS_PER_PAGE; i++) {
      const r = await addComment(h.t.db, { submissionId: id, authorId: talker.id, body: `Earlier thread ${i}.` });
      expect(r.ok).toBe(true);
    }
    const w = await h.openPage({ locale: "en-GB" });
    const { page } = w;
    await signIn(h, w, await makeUser(h.t.db), { to: `/submissions/${id}?comments=2`, js: true });
    await see(page.locator(".comment-thread")).count(1);
    // The pager moves between pages in place.
    await inPlace(w, async () => {
      await page.locator("nav.pager").getByRole("link", { name: en.comment.newer, exact: true }).click();
      await page.waitForURL(h.url(`/submissions/${id}#comments`));
      await see(page.locator(".comment-thread")).count(COMMENT_THREADS_PER_PAGE);
      await page.locator("nav.pager").getByRole("link", { name: en.comment.older, exact: true }).click();
      await page.waitForURL(h.url(`/submissions/${id}?comments=2#comments`));
      await see(page.locator(".comment-thread")).count(1);
    });
    // A new thread belongs on page 1: the form takes the reader there, to the comment.
    const body = `A new thread ${uniqueWord(9)}`;
    await inPlace(w, async () => {
      await page.locator("form.comment-form textarea").fill(body);
      await page.locator("form.comment-form").getByRole("button", { name: en.comment.post, exact: true }).click();
      await page.waitForURL(new RegExp(`/submissions/${id}#comment-\\d+$`));
      await see(page.locator(".comment .plain-text").filter({ hasText: body })).count(1);
      await see(liveText(page.locator("form.comment-form"))).text(en.comment.posted);
    });
    const stored = await h.t.db.selectFrom("comments").select("id").where("body", "=", body).executeTakeFirstOrThrow();
    expect(new URL(page.url()).hash).toBe(`#comment-${stored.id}`);
    await see(page.locator(`#comment-${stored.id}`)).visible();
    expectClean(w);
  });

  it("without JavaScript the same forms post and come back as pages", async () => {
    const w = await h.openPage({ javaScriptEnabled: false });
    const { page } = w;
    const id = await published(`Export credit guarantee for ${uniqueWord(9)} firms`);
    await signIn(h, w, await makeUser(h.t.db), { to: `/submissions/${id}`, js: false });
    const before = documents(w);
    await supportBox(page).getByRole("button", { name: en.support.support, exact: true }).click();
    await page.waitForURL(h.url(`/submissions/${id}#support`));
    await see(supportBox(page).getByRole("button", { name: en.support.withdraw, exact: true })).visible();
    const body = `Plain post ${uniqueWord(9)}`;
    await page.locator("form.comment-form textarea").fill(body);
    await page.locator("form.comment-form").getByRole("button", { name: en.comment.post, exact: true }).click();
    await page.waitForURL(new RegExp(`/submissions/${id}#comment-\\d+$`));
    await see(page.locator(".comment .plain-text").filter({ hasText: body })).count(1);
    expect(documents(w)).toBeGreaterThanOrEqual(before + 2);
    expectClean(w);
  });
});

describe(`a signed-in reader's random order, filled into the page every reader shares (${testDialect})`, () => {
  for (const lng of ["en", "ur"] as const) {
    it(`hydrates as rendered, and a card opens its suggestion in place (${lng}; ADR 0041)`, async () => {
      for (let i = 0; i < 3; i++) await published(`Shared effluent plant for ${uniqueWord(9)} tanneries`);
      const path = "/clusters/leather?sort=random";
      const locale = lng === "ur" ? "ur-PK" : "en-GB";
      // Another reader's visits first: the first ask of an address is rendered for the reader, the next one makes
      // the template (its list a slot) that every reader of the role and language is then served from.
      const other = await h.openPage({ locale });
      await signIn(h, other, await makeUser(h.t.db, { locale: lng }), { to: "/me", js: false, lang: lng });
      await other.page.goto(h.url(path));
      await other.page.goto(h.url(path));
      const w = await h.openPage({ locale });
      const { page } = w;
      await signIn(h, w, await makeUser(h.t.db, { locale: lng }), { to: "/me", js: false, lang: lng });
      const response = await page.goto(h.url(path));
      // From the template ("hit"; "miss" when a commit in between made it render the template again), not rendered
      // for this reader (no header).
      expect(response?.headers()["x-page-cache"]).toMatch(/^(hit|miss)$/);
      await hydrated(w);
      const link = page.locator("ol.card-list > li.card h2 a").first();
      const href = await link.getAttribute("href");
      expect(href).toMatch(/^\/submissions\/\d+$/);
      await markDocument(page);
      await link.click();
      await page.waitForURL(h.url(href!));
      expect(await sameDocument(page), "a card's link loaded a new document").toBe(true);
      await see(page.locator("#support")).visible();
      // A markup that React did not find as it would render it is a console error (a hydration mismatch).
      expectClean(w);
      expectClean(other);
    });
  }
});
