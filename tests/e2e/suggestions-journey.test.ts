// The suggestion journeys in a real browser: Debian's Chromium driven by
// playwright-core against the built server (its own process, its own database:
// SQLite, or PostgreSQL when TEST_DATABASE_URL is set). People are made with the
// factories and sign in through /login like anyone else.
//
//   1. a stakeholder submits a suggestion: refused while the problem is too
//      short (error summary, field error, what was typed kept), then pending;
//   2. a moderator publishes a pending suggestion with a category;
//   3. another stakeholder opens it from the cluster page and supports it,
//      withdraws, supports again;
//   4. … comments on it (plain text, line break kept, no HTML), and the author
//      finds a "new comment" notification on /me;
//   5. the form lists similar published suggestions while a title is typed
//      (JavaScript) or on "Check for similar suggestions" (no JavaScript);
//
// each with JavaScript and again without; and the suggestion and cluster pages
// in Urdu (right to left). Every page is watched like in auth-journey: a console
// error, a CSP violation, an uncaught exception, a failed request or an
// unexpected 4xx/5xx fails the test, and so does an error line in the server's log.
//
// Three more tests pin faults found on the way (a "check for similar" without
// JavaScript answered with an error summary; supporter counts shown without
// their number): they fail until the app is fixed.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import {
  browserHarness,
  expectClean,
  htmlAttributes,
  hydrated,
  markDocument,
  sameDocument,
  see,
  signIn,
  type Watched,
  uniqueWord,
} from "./helpers";

const h = browserHarness();
const url = (path: string) => h.url(path);
const openPage = h.openPage;
const openPageFor = (js: boolean, expectedStatuses: string[] = []) => h.openPage({ javaScriptEnabled: js }, expectedStatuses);

// ---------------------------------------------------------------------------
// helpers

const CLUSTER = { slug: "leather", name: "Leather" };
const CATEGORY = { slug: "value-addition", name: "Value addition and global value chains" };
const OTHER_CATEGORY = { slug: "export-markets", name: "International market access and export promotion" };

async function stakeholder(displayName: string): Promise<MadeUser & { displayName: string }> {
  return { ...(await makeUser(h.t.db, { displayName })), displayName };
}

async function moderator(): Promise<MadeUser & { displayName: string }> {
  const displayName = "Farah Moderator";
  return { ...(await makeUser(h.t.db, { displayName, role: "moderator" })), displayName };
}

/** A suggestion by `author`, published by a moderator made for it (with the factories, not the browser). */
async function publishedSuggestion(author: MadeUser, title: string): Promise<number> {
  const mod = await makeUser(h.t.db, { role: "moderator" });
  return makePublishedSubmission(h.t.db, {
    authorId: author.id,
    moderatorId: mod.id,
    input: { cluster: CLUSTER.slug, title },
    categories: [OTHER_CATEGORY.slug],
  });
}

/**
 * Signs in through the /login form, the way a person does, and lands on `to`
 * (the form's redirectTo). With JavaScript the page is hydrated first, so the
 * router does the rest.
 */
/** The text of the errors a field points to (aria-describedby), and whether it says it is invalid. */
async function fieldError(page: Page, label: string) {
  const field = page.getByLabel(label, { exact: true });
  return field.evaluate((el) => {
    const ids = (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
    const errors = ids
      .map((id) => document.getElementById(id))
      .filter((e): e is HTMLElement => e !== null && e.classList.contains("field-errors"))
      .map((e) => (e.textContent ?? "").trim());
    return { invalid: el.getAttribute("aria-invalid"), errors };
  });
}

function posts(w: Watched, path: string) {
  return w.requests.filter((r) => r.method === "POST" && r.path === path);
}

const main = (page: Page) => page.getByRole("main");
const h1 = (page: Page) => page.getByRole("heading", { level: 1 });
const supportBox = (page: Page) => page.locator("#support");
const supportCount = (page: Page) => supportBox(page).locator(".support__count");
const supportButton = (page: Page, name: string) => supportBox(page).getByRole("button", { name, exact: true });

async function submissionRow(id: number) {
  return h.t.db
    .selectFrom("submissions")
    .select(["id", "status", "title", "problem", "supporters_count", "author_id"])
    .where("id", "=", id)
    .executeTakeFirst();
}

async function submissionCategories(id: number): Promise<string[]> {
  const rows = await h.t.db
    .selectFrom("submission_categories as sc")
    .innerJoin("categories as c", "c.id", "sc.category_id")
    .select("c.slug")
    .where("sc.submission_id", "=", id)
    .execute();
  return rows.map((r) => r.slug).sort();
}

/** The support count on the page and in the database agree on `n`, and the button offers the other action. */
async function expectSupporters(page: Page, id: number, n: number) {
  await see(supportCount(page)).text(`${n} ${n === 1 ? "supporter" : "supporters"}`);
  await see(supportButton(page, n === 1 ? "Withdraw my support" : "Support this suggestion")).visible();
  await see(supportButton(page, n === 1 ? "Support this suggestion" : "Withdraw my support")).count(0);
  expect((await submissionRow(id))?.supporters_count).toBe(n);
}

// ---------------------------------------------------------------------------

describe(`suggestions in Chromium (${testDialect})`, () => {
  for (const js of [true, false]) {
    const mode = js ? "with JavaScript" : "without JavaScript";

    it(`a stakeholder submits a suggestion: too short first, then pending (${mode})`, async () => {
      // Without JavaScript the server refuses the short problem with a 400, by design;
      // with JavaScript the form refuses it in the browser and sends nothing (no 400 allowed).
      const w = await openPageFor(js, js ? [] : ["400 POST /submissions/new"]);
      const { page } = w;
      const author = await stakeholder("Amina Sheikh");
      const title = `Common effluent treatment plant for ${uniqueWord()} tanneries`;
      const proposal = "Build a shared treatment plant in the Kasur tannery zone, run by the cluster association.";

      await signIn(h, w, author, { to: "/submissions/new", js });
      if (js) await markDocument(page);
      await see(h1(page)).text("Suggest an intervention");
      await page.getByLabel("Cluster", { exact: true }).selectOption({ label: CLUSTER.name });
      await page.getByLabel("Title", { exact: true }).fill(title);
      await page.getByLabel("The problem", { exact: true }).fill("Too short");
      await page.getByLabel("The intervention you propose", { exact: true }).fill(proposal);
      await page.getByRole("button", { name: "Submit suggestion", exact: true }).click();

      const summary = page.getByRole("alert");
      await see(summary.getByRole("heading")).text("There is a problem");
      await see(summary.getByRole("link", { name: "The problem: Use at least 20 characters.", exact: true })).visible();
      // only the problem is wrong
      await see(summary.getByRole("link")).count(1);
      await expect.poll(() => fieldError(page, "The problem")).toEqual({ invalid: "true", errors: ["Use at least 20 characters."] });
      expect(new URL(page.url()).pathname).toBe("/submissions/new");
      expect(posts(w, "/submissions/new")).toHaveLength(js ? 0 : 1);
      // everything typed is still there
      await see(page.getByLabel("Cluster", { exact: true })).value(CLUSTER.slug);
      await see(page.getByLabel("Title", { exact: true })).value(title);
      await see(page.getByLabel("The problem", { exact: true })).value("Too short");
      await see(page.getByLabel("The intervention you propose", { exact: true })).value(proposal);
      const none = await h.t.db.selectFrom("submissions").select("id").where("author_id", "=", author.id).execute();
      expect(none).toEqual([]);

      const problem = "Each tannery treats its own effluent, badly: buyers in the EU now audit it and drop suppliers.";
      await page.getByLabel("The problem", { exact: true }).fill(problem);
      await page.getByRole("button", { name: "Submit suggestion", exact: true }).click();

      await page.waitForURL(/\/submissions\/\d+$/);
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      await see(h1(page)).text(title);
      await see(
        main(page).getByText("This suggestion is waiting for a moderator. Only you and the moderators can see it.", { exact: true }),
      ).visible();
      await see(main(page).locator(".status")).text("Pending");
      await see(main(page).getByText(problem, { exact: true })).visible();
      expect(await submissionRow(id)).toMatchObject({ status: "pending", title, problem, author_id: author.id });
      // with JavaScript the router did it all in one document
      if (js) expect(await sameDocument(page)).toBe(true);
      expectClean(w);
    });

    it(`a moderator publishes a pending suggestion with a category (${mode})`, async () => {
      const w = await openPageFor(js);
      const { page } = w;
      const author = await stakeholder("Bilal Ahmed");
      const title = `Shared testing laboratory for ${uniqueWord()} leather`;
      const id = await makeSubmission(h.t.db, { authorId: author.id, input: { cluster: CLUSTER.slug, title } });
      const mod = await moderator();

      await signIn(h, w, mod, { to: `/moderation/submissions/${id}`, js });
      await see(h1(page)).text(`Review suggestion #${id}`);
      await see(main(page).getByRole("link", { name: title, exact: true })).visible();
      const box = page.getByRole("checkbox", { name: CATEGORY.name, exact: true });
      await see(box).checked(false);
      await box.check();
      await see(box).checked(true);
      await page.getByRole("button", { name: "Publish with these categories", exact: true }).click();

      await page.waitForURL(url(`/submissions/${id}`));
      await see(h1(page)).text(title);
      await see(main(page).locator(".status")).text("Published");
      const chips = main(page).getByRole("list", { name: "Issue categories", exact: true });
      await see(chips.getByRole("listitem")).count(1);
      await see(chips.getByRole("listitem")).text(CATEGORY.name);
      await see(main(page).getByText("This suggestion is waiting for a moderator.", { exact: false })).count(0);
      expect(await submissionRow(id)).toMatchObject({ status: "published" });
      expect(await submissionCategories(id)).toEqual([CATEGORY.slug]);
      expectClean(w);
    });

    it(`a stakeholder supports a suggestion from the cluster page, withdraws, supports again, and comments (${mode})`, async () => {
      const w = await openPageFor(js);
      const { page } = w;
      const author = await stakeholder("Chaudhry Rashid");
      const title = `Bonded warehouse for ${uniqueWord()} tanning chemicals`;
      const id = await publishedSuggestion(author, title);
      const supporter = await stakeholder("Dua Fatima");

      await signIn(h, w, supporter, { to: `/clusters/${CLUSTER.slug}`, js });
      await see(h1(page)).text(CLUSTER.name);
      if (js) await markDocument(page);
      await main(page).getByRole("link", { name: title, exact: true }).click();
      await page.waitForURL(url(`/submissions/${id}`));
      await see(h1(page)).text(title);
      await expectSupporters(page, id, 0);

      // support → withdraw → support
      for (const [button, after] of [
        ["Support this suggestion", 1],
        ["Withdraw my support", 0],
        ["Support this suggestion", 1],
      ] as const) {
        const before = page.url();
        const navigationsBefore = w.requests.filter((r) => r.isNavigation).length;
        await supportButton(page, button).click();
        await expectSupporters(page, id, after);
        if (js) {
          // in place: no navigation, no new document, the news announced
          expect(page.url()).toBe(before);
          expect(w.requests.filter((r) => r.isNavigation).length).toBe(navigationsBefore);
          expect(await sameDocument(page)).toBe(true);
          await see(supportBox(page).getByRole("status")).text(after === 1 ? "Your support was counted." : "Your support was withdrawn.");
          await see(supportButton(page, after === 1 ? "Withdraw my support" : "Support this suggestion")).visible();
          expect(
            await supportButton(page, after === 1 ? "Withdraw my support" : "Support this suggestion").getAttribute("aria-pressed"),
          ).toBe(String(after === 1));
        } else {
          // the post came back to the suggestion (a new page load)
          expect(page.url()).toBe(url(`/submissions/${id}#support`));
        }
      }
      expect(posts(w, `/submissions/${id}/support`)).toHaveLength(3);

      // a comment of two lines with markup in it: shown as the text it is
      const body = "First line of my comment\nSecond line with <b>x</b> in it";
      await main(page).getByLabel("Add a comment", { exact: true }).fill(body);
      await main(page).getByRole("button", { name: "Post comment", exact: true }).click();
      await page.waitForURL(new RegExp(`/submissions/${id}#comment-\\d+$`));
      const commentId = Number(new URL(page.url()).hash.replace("#comment-", ""));
      const comment = page.locator(`#comment-${commentId}`);
      await see(comment.locator(".comment__meta")).visible();
      await see(comment.getByText(supporter.displayName, { exact: true })).visible();
      const shown = comment.locator(".plain-text");
      await see(shown).visible();
      expect(await comment.locator("b").count()).toBe(0);
      expect((await shown.textContent())?.replace(/\r\n/g, "\n")).toBe(body);
      // innerText follows the CSS: two lines on the screen, the markup as characters
      expect((await shown.innerText()).replace(/\r\n?/g, "\n").split("\n")).toEqual([
        "First line of my comment",
        "Second line with <b>x</b> in it",
      ]);
      await see(main(page).getByRole("heading", { name: "Comments (1)", exact: true })).visible();
      const stored = await h.t.db.selectFrom("comments").select(["body", "author_id"]).where("id", "=", commentId).executeTakeFirst();
      expect(stored?.author_id).toBe(supporter.id);
      expect(stored?.body.replace(/\r\n/g, "\n")).toBe(body);
      if (js) expect(await sameDocument(page)).toBe(true);
      expectClean(w);

      // the author is told
      const a = await openPageFor(js);
      await signIn(h, a, author, { to: "/me", js });
      const notifications = a.page.getByRole("region", { name: "Notifications", exact: true });
      const item = notifications.getByRole("listitem").filter({ hasText: "New comment on your suggestion" });
      await see(item).count(1);
      await see(item.locator(".badge")).text("New");
      await see(item.getByRole("link", { name: title, exact: true })).visible();
      expect(await item.getByRole("link", { name: title, exact: true }).getAttribute("href")).toBe(`/submissions/${id}`);
      expectClean(a);
    });

    it(`the form shows similar published suggestions before submitting (${mode})`, async () => {
      const w = await openPageFor(js);
      const { page } = w;
      const word = uniqueWord();
      const other = await stakeholder("Ehsan Qureshi");
      const publishedTitle = `Export credit guarantee for ${word} footwear makers`;
      const publishedId = await publishedSuggestion(other, publishedTitle);
      const author = await stakeholder("Fiza Malik");

      await signIn(h, w, author, { to: "/submissions/new", js });
      const similar = page.getByRole("region", { name: "Similar suggestions", exact: true });
      await see(similar).visible();
      await see(similar.getByRole("link")).count(0);
      const typed = `Credit guarantees for ${word} footwear exporters`;
      if (js) {
        await markDocument(page);
        await page.getByLabel("Title", { exact: true }).pressSequentially(typed, { delay: 10 });
      } else {
        await page.getByLabel("Title", { exact: true }).fill(typed);
        await similar.getByRole("button", { name: "Check for similar suggestions", exact: true }).click();
        await page.waitForLoadState("load");
      }
      const link = similar.getByRole("link", { name: publishedTitle, exact: true });
      await see(link).visible();
      expect(await link.getAttribute("href")).toBe(`/submissions/${publishedId}`);
      await see(similar.getByText(`#${publishedId} · ${CLUSTER.name}`, { exact: false })).visible();
      // what was typed is still there, and nothing was submitted
      await see(page.getByLabel("Title", { exact: true })).value(typed);
      expect(new URL(page.url()).pathname).toBe("/submissions/new");
      const mine = await h.t.db.selectFrom("submissions").select("id").where("author_id", "=", author.id).execute();
      expect(mine).toEqual([]);
      if (js) {
        // the fetcher asked /submissions/similar; the form itself was never posted
        expect(posts(w, "/submissions/new")).toHaveLength(0);
        expect(w.requests.some((r) => r.method === "GET" && r.path === "/submissions/similar")).toBe(true);
        expect(await sameDocument(page)).toBe(true);
      } else {
        expect(posts(w, "/submissions/new")).toHaveLength(1);
      }
      expectClean(w);
    });
  }

  // Faults found while writing these journeys: each test fails until the app is fixed.

  it("a check for similar suggestions (without JavaScript) is not a refused submission: no errors for the fields not filled in yet", async () => {
    const w = await openPageFor(false);
    const { page } = w;
    const word = uniqueWord();
    const publishedTitle = `Tannery effluent fund for ${word} cluster`;
    const publishedId = await publishedSuggestion(await stakeholder("Haris Butt"), publishedTitle);
    const author = await stakeholder("Iqra Javed");

    await signIn(h, w, author, { to: "/submissions/new", js: false });
    // The form's own hint says: check first, and support a look-alike instead of writing a new one.
    await page.getByLabel("Cluster", { exact: true }).selectOption({ label: CLUSTER.name });
    await page.getByLabel("Title", { exact: true }).fill(`Effluent fund for ${word} tanneries`);
    const similar = page.getByRole("region", { name: "Similar suggestions", exact: true });
    await similar.getByRole("button", { name: "Check for similar suggestions", exact: true }).click();
    await see(similar.getByRole("link", { name: publishedTitle, exact: true })).visible();
    expect(await similar.getByRole("link", { name: publishedTitle, exact: true }).getAttribute("href")).toBe(`/submissions/${publishedId}`);
    // Nothing was submitted, so nothing was refused: no "There is a problem" alert, no field marked invalid.
    await see(page.getByRole("alert")).count(0);
    await see(page.locator(".field-errors")).count(0);
    expect(await fieldError(page, "The problem")).toEqual({ invalid: null, errors: [] });
    expectClean(w);
  });

  it("the similar suggestions list says how many support each one (with JavaScript and without)", async () => {
    const word = uniqueWord();
    const publishedTitle = `Leather skills academy for ${word} stitchers`;
    const publishedId = await publishedSuggestion(await stakeholder("Javed Iqbal"), publishedTitle);
    for (const name of ["Kamran Ali", "Lubna Aziz"]) {
      const r = await supportSubmission(h.t.db, { submissionId: publishedId, userId: (await stakeholder(name)).id });
      expect(r.ok).toBe(true);
    }
    expect((await submissionRow(publishedId))?.supporters_count).toBe(2);
    const author = await stakeholder("Maryam Khan");
    for (const js of [true, false]) {
      const w = await openPageFor(js);
      const { page } = w;
      await signIn(h, w, author, { to: "/submissions/new", js });
      const similar = page.getByRole("region", { name: "Similar suggestions", exact: true });
      const typed = `Skills academy for ${word} stitchers`;
      if (js) {
        await page.getByLabel("Title", { exact: true }).pressSequentially(typed, { delay: 10 });
      } else {
        await page.getByLabel("Title", { exact: true }).fill(typed);
        await similar.getByRole("button", { name: "Check for similar suggestions", exact: true }).click();
      }
      const item = similar.getByRole("listitem").filter({ has: page.getByRole("link", { name: publishedTitle, exact: true }) });
      await see(item).visible();
      // "#12 · Leather · 2 supporters", not "#12 · Leather · supporters"
      await see(item.locator(".muted")).text(`#${publishedId} · ${CLUSTER.name} · 2 supporters`);
      expectClean(w);
    }
  });

  it("/me says how many support each of my suggestions and each suggestion I support", async () => {
    const author = await stakeholder("Nadia Hussain");
    const title = `Joint leather fair stand for ${uniqueWord()} exporters`;
    const id = await publishedSuggestion(author, title);
    const supporter = await stakeholder("Omar Farooq");
    expect((await supportSubmission(h.t.db, { submissionId: id, userId: supporter.id })).ok).toBe(true);

    for (const [who, section] of [
      [author, "My suggestions"],
      [supporter, "Suggestions I support"],
    ] as const) {
      const w = await openPageFor(false);
      await signIn(h, w, who, { to: "/me", js: false });
      const item = w.page
        .getByRole("region", { name: section, exact: true })
        .getByRole("listitem")
        .filter({ has: w.page.getByRole("link", { name: title, exact: true }) });
      await see(item).visible();
      // "… · Published · 1 supporter", not "… · Published · supporter"
      expect(((await item.textContent()) ?? "").replace(/\s+/g, " ").trim(), section).toMatch(/· 1 supporter$/);
      expectClean(w);
    }
  });

  it("shows a suggestion and its cluster in Urdu, right to left (locale ur-PK)", async () => {
    const author = await stakeholder("Ghulam Abbas");
    const title = `Leather design institute in ${uniqueWord()} Sialkot`;
    const id = await publishedSuggestion(author, title);
    const w = await openPage({ locale: "ur-PK" });
    const { page } = w;

    await page.goto(url(`/submissions/${id}`));
    expect(await htmlAttributes(page)).toEqual({ lang: "ur", dir: "rtl" });
    await hydrated(w);
    expect(await htmlAttributes(page)).toEqual({ lang: "ur", dir: "rtl" });
    await see(h1(page)).text(title);
    await see(supportBox(page).getByRole("link", { name: "حمایت کے لیے سائن اِن کریں", exact: true })).visible();

    await page.goto(url(`/clusters/${CLUSTER.slug}`));
    expect(await htmlAttributes(page)).toEqual({ lang: "ur", dir: "rtl" });
    await hydrated(w);
    await see(h1(page)).text("چمڑا سازی");
    // from the cluster page to the suggestion, through the client router
    await markDocument(page);
    await main(page).getByRole("link", { name: title, exact: true }).click();
    await page.waitForURL(url(`/submissions/${id}`));
    await see(h1(page)).text(title);
    expect(await htmlAttributes(page)).toEqual({ lang: "ur", dir: "rtl" });
    expect(await sameDocument(page)).toBe(true);
    expectClean(w);
  });
});
