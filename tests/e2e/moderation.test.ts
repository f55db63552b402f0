// The moderation journey in a real browser: Debian's Chromium driven by
// playwright-core against the built server (its own process, its own database:
// SQLite, or PostgreSQL when TEST_DATABASE_URL is set), with JavaScript and
// again without. People are made with the factories and sign in through /login.
//
//   1. a stakeholder submits two similar suggestions through the form;
//   2. a moderator opens /moderation, finds both in the queue, each listing the
//      other as a likely duplicate; opens one and publishes it with a category;
//      goes back to the queue; opens the other and merges it into the first by
//      typing its number;
//   3. a visitor opens the merged one and follows its link to the target;
//   4. a refused rejection (an explanation of spaces only) comes back with an
//      error summary that can take focus and links to the field, which says
//      what is wrong; the moderator fixes it with the keyboard alone.
//
// Every page is watched (helpers.ts): a console error, a CSP violation, an
// uncaught exception, a failed request, an unexpected 4xx/5xx or an error line
// in the server's log fails the test.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { makeSubmission, makeUser } from "../support/factories";
import { browserHarness, expectClean, hydrated, nav, see, signIn, uniqueWord } from "./helpers";

const h = browserHarness();
const url = (path: string) => h.url(path);
const openPageFor = (js: boolean, expectedStatuses: string[] = []) => h.openPage({ javaScriptEnabled: js }, expectedStatuses);

const CLUSTER = { slug: "leather", name: "Leather" };
const CATEGORY = { slug: "supply-chain-logistics", name: "Supply chain integration and logistics" };

const main = (page: Page) => page.getByRole("main");
const h1 = (page: Page) => page.getByRole("heading", { level: 1 });
/** The queue's row of a suggestion, found by the row header that names it. */
const queueRow = (page: Page, id: number, title: string) =>
  main(page)
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader").getByRole("link", { name: `#${id} ${title}`, exact: true }) });

async function submissionRow(id: number) {
  return h.t.db
    .selectFrom("submissions")
    .select(["id", "status", "merged_into_id", "reject_reason_code", "reject_reason"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
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

/** The text of the errors a field points to (aria-describedby), and whether it says it is invalid. */
async function fieldError(page: Page, label: string) {
  return page.getByLabel(label, { exact: true }).evaluate((el) => {
    const ids = (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
    const errors = ids
      .map((id) => document.getElementById(id))
      .filter((e): e is HTMLElement => e !== null && e.classList.contains("field-errors"))
      .map((e) => (e.textContent ?? "").trim());
    return { invalid: el.getAttribute("aria-invalid"), errors };
  });
}

/** A description of the focused element: tag, id and class. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}#${el.id}.${el.className}` : "";
  });
}

describe(`moderation in Chromium (${testDialect})`, () => {
  for (const js of [true, false]) {
    const mode = js ? "with JavaScript" : "without JavaScript";

    it(`a stakeholder's two similar suggestions: one published with a category, the other merged into it by its number (${mode})`, async () => {
      const word = uniqueWord();
      const author = await makeUser(h.t.db, { displayName: "Amina Sheikh" });
      const moderator = await makeUser(h.t.db, { displayName: "Farah Moderator", role: "moderator" });

      // 1. The stakeholder submits two suggestions through the form.
      const s = await openPageFor(js);
      await signIn(h, s, author, { to: "/submissions/new", js });
      const submit = async (title: string, problem: string): Promise<number> => {
        await s.page.goto(url("/submissions/new"));
        if (js) await hydrated(s);
        await see(h1(s.page)).text("Suggest an intervention");
        await s.page.getByLabel("Cluster", { exact: true }).selectOption({ label: CLUSTER.name });
        await s.page.getByLabel("Title", { exact: true }).fill(title);
        await s.page.getByLabel("The problem", { exact: true }).fill(problem);
        await s.page
          .getByLabel("The intervention you propose", { exact: true })
          .fill(`A bonded ${word} warehouse run by the tanners' association, open to every member.`);
        await s.page.getByRole("button", { name: "Submit suggestion", exact: true }).click();
        await s.page.waitForURL(/\/submissions\/\d+$/);
        await see(h1(s.page)).text(title);
        return Number(new URL(s.page.url()).pathname.split("/").pop());
      };
      const firstTitle = `Bonded ${word} warehouse for tanning chemicals`;
      const secondTitle = `Tanning chemicals need a bonded ${word} warehouse`;
      const first = await submit(
        firstTitle,
        `Tanners wait weeks for ${word} chemicals at the port and pay duty before they export anything.`,
      );
      const second = await submit(
        secondTitle,
        `Duty on ${word} tanning chemicals is paid up front, which ties up the working capital of small tanneries.`,
      );
      expect((await submissionRow(first)).status).toBe("pending");
      expect((await submissionRow(second)).status).toBe("pending");
      expectClean(s);

      // 2. The moderator finds both in the queue, each with the other as a likely duplicate.
      const w = await openPageFor(js);
      const { page } = w;
      await signIn(h, w, moderator, { to: "/moderation", js });
      await see(h1(page)).text("Moderation");
      const firstRow = queueRow(page, first, firstTitle);
      const secondRow = queueRow(page, second, secondTitle);
      await see(firstRow).count(1);
      await see(secondRow).count(1);
      await see(secondRow.getByRole("link", { name: `#${first} ${firstTitle}`, exact: true })).visible();
      await see(firstRow.getByRole("link", { name: `#${second} ${secondTitle}`, exact: true })).visible();
      await see(secondRow.getByText("(Pending)", { exact: true })).visible();
      await see(firstRow.getByRole("checkbox", { name: `Select suggestion #${first}`, exact: true })).visible();
      // oldest first
      const order = await main(page)
        .locator("table.queue tbody th[scope=row] a")
        .evaluateAll((links) => links.map((a) => a.getAttribute("href")));
      expect(order.indexOf(`/moderation/submissions/${first}`)).toBeLessThan(order.indexOf(`/moderation/submissions/${second}`));

      // … opens the first and publishes it with a category.
      await firstRow
        .getByRole("rowheader")
        .getByRole("link", { name: `#${first} ${firstTitle}`, exact: true })
        .click();
      await page.waitForURL(url(`/moderation/submissions/${first}`));
      await see(h1(page)).text(`Review suggestion #${first}`);
      await see(main(page).getByRole("link", { name: secondTitle, exact: false })).visible();
      const box = main(page)
        .getByRole("region", { name: "Publish", exact: true })
        .getByRole("checkbox", { name: CATEGORY.name, exact: true });
      await box.check();
      await see(box).checked(true);
      await page.getByRole("button", { name: "Publish with these categories", exact: true }).click();
      await page.waitForURL(url(`/submissions/${first}`));
      await see(h1(page)).text(firstTitle);
      await see(main(page).locator(".status")).text("Published");
      await see(main(page).getByRole("list", { name: "Issue categories", exact: true }).getByRole("listitem")).text(CATEGORY.name);
      expect((await submissionRow(first)).status).toBe("published");
      expect(await submissionCategories(first)).toEqual([CATEGORY.slug]);

      // … goes back to the queue: the first has left it, the second still lists it (now published).
      await nav(page).getByRole("link", { name: "Moderation", exact: true }).click();
      await page.waitForURL(url("/moderation"));
      await see(h1(page)).text("Moderation");
      await see(queueRow(page, first, firstTitle)).count(0);
      await see(secondRow).count(1);
      await see(secondRow.getByRole("link", { name: `#${first} ${firstTitle}`, exact: true })).visible();
      await see(secondRow.getByText("(Published)", { exact: true })).visible();

      // … opens the second and merges it into the first, typing its number.
      await secondRow
        .getByRole("rowheader")
        .getByRole("link", { name: `#${second} ${secondTitle}`, exact: true })
        .click();
      await page.waitForURL(url(`/moderation/submissions/${second}`));
      await see(h1(page)).text(`Review suggestion #${second}`);
      const merge = main(page).getByRole("region", { name: "Merge into another suggestion", exact: true });
      await see(merge.getByRole("link", { name: `#${first} ${firstTitle}`, exact: true })).visible();
      await merge.getByLabel("Number of the suggestion to merge into (for example 123)", { exact: true }).fill(String(first));
      await merge.getByLabel("Why (optional)", { exact: true }).fill("The same warehouse, asked for twice.");
      await merge.getByRole("button", { name: "Merge", exact: true }).click();
      await page.waitForURL(url(`/submissions/${second}`));
      await see(h1(page)).text(secondTitle);
      await see(main(page).locator(".status")).text("Merged");
      expect(await submissionRow(second)).toMatchObject({ status: "merged", merged_into_id: first });
      expectClean(w);

      // 3. The public page of the merged one links to the target.
      const v = await openPageFor(js);
      await v.page.goto(url(`/submissions/${second}`));
      if (js) await hydrated(v);
      await see(h1(v.page)).text(secondTitle);
      await see(main(v.page).getByText("This suggestion was merged into", { exact: false })).visible();
      const link = main(v.page).getByRole("link", { name: `#${first}`, exact: true });
      expect(await link.getAttribute("href")).toBe(`/submissions/${first}`);
      await link.click();
      await v.page.waitForURL(url(`/submissions/${first}`));
      await see(h1(v.page)).text(firstTitle);
      expectClean(v);
    });

    it(`a refused rejection: the error summary takes focus and leads to the field; fixed with the keyboard alone (${mode})`, async () => {
      const author = await makeUser(h.t.db, { displayName: "Bilal Ahmed" });
      const moderator = await makeUser(h.t.db, { displayName: "Hamza Moderator", role: "moderator" });
      const title = `Free trade fair stands for ${uniqueWord()} exporters`;
      const id = await makeSubmission(h.t.db, { authorId: author.id, input: { cluster: CLUSTER.slug, title } });
      const w = await openPageFor(js, [`400 POST /moderation/submissions/${id}`]);
      const { page } = w;
      await signIn(h, w, moderator, { to: `/moderation/submissions/${id}`, js });
      await see(h1(page)).text(`Review suggestion #${id}`);

      const reject = main(page).getByRole("region", { name: "Reject", exact: true });
      await reject.getByLabel("Reason", { exact: true }).selectOption({ label: "Off topic" });
      // Spaces only: the browser's `required` lets them through, the server does not.
      await reject.getByLabel("Explanation for the author", { exact: true }).fill("   ");
      await reject.getByRole("button", { name: "Reject this suggestion", exact: true }).click();

      const summary = page.getByRole("alert");
      await see(summary.getByRole("heading", { name: "There is a problem", exact: true })).visible();
      const toField = summary.getByRole("link", { name: "This field is required.", exact: true });
      await see(toField).visible();
      expect(await toField.getAttribute("href")).toBe("#reject-reason");
      expect(new URL(page.url()).pathname).toBe(`/moderation/submissions/${id}`);
      // The field says what is wrong, and what was chosen is still chosen.
      await expect
        .poll(() => fieldError(page, "Explanation for the author"))
        .toEqual({ invalid: "true", errors: ["This field is required."] });
      await see(reject.getByLabel("Reason", { exact: true })).value("off-topic");
      expect((await submissionRow(id)).status).toBe("pending");

      // The summary can take focus (a script or a skip link can move there) …
      await summary.focus();
      expect(await focused(page)).toMatch(/^div#\.error-summary/);
      // … the keyboard goes from it to its link, and the link to the field.
      await page.keyboard.press("Tab");
      expect(await focused(page)).toMatch(/^a#\./);
      expect(await page.evaluate(() => document.activeElement?.getAttribute("href"))).toBe("#reject-reason");
      await page.keyboard.press("Enter");
      await expect.poll(() => new URL(page.url()).hash).toBe("#reject-reason");
      await expect.poll(() => focused(page)).toBe("textarea#reject-reason.");
      await page.keyboard.type("Trade fair stands are a matter for the export board, not this consultation.");
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Reject this suggestion");
      await page.keyboard.press("Enter");
      await page.waitForURL(url(`/submissions/${id}`));
      await see(main(page).locator(".status")).text("Rejected");
      expect(await submissionRow(id)).toMatchObject({
        status: "rejected",
        reject_reason_code: "off-topic",
        reject_reason: "Trade fair stands are a matter for the export board, not this consultation.",
      });
      expectClean(w);
    });
  }
});
