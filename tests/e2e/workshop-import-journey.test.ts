// Workshop suggestions in a real browser (Debian's Chromium, playwright-core,
// the built server), with JavaScript and again without:
//
//   1. a moderator enters a paper suggestion: finds the organisation by name,
//      chooses it, and lands on the confirmation; the suggestion is pending;
//   2. a moderator uploads a CSV file with a bad row (the problems table, nothing
//      imported), then a good file larger than 1 MB (every row imported): the
//      upload goes to /moderation/import as a document even with JavaScript,
//      where the server allows a 5 MB file.
//
// Every page is watched: a console error, a CSP violation, an uncaught
// exception, a failed request, an unexpected 4xx/5xx or an error line in the
// server's log fails the test.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { makeUser, type MadeUser } from "../support/factories";
import { importCsv, importRow } from "../support/import-csv";
import { browserHarness, expectClean, see, signIn, type Watched } from "./helpers";

const h = browserHarness();
const url = (path: string) => h.url(path);
const main = (page: Page) => page.getByRole("main");
const h1 = (page: Page) => page.getByRole("heading", { level: 1 });

async function signInAsModerator(w: Watched, js: boolean, to: string): Promise<MadeUser> {
  const user = await makeUser(h.t.db, { role: "moderator" });
  await signIn(h, w, user, { to, js });
  return user;
}

const countImported = async () =>
  Number(
    (
      await h.t.db
        .selectFrom("submissions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("source", "=", "import")
        .executeTakeFirstOrThrow()
    ).n,
  );

for (const js of [true, false]) {
  const mode = js ? "with JavaScript" : "without JavaScript";

  describe(`workshop suggestions (${mode})`, () => {
    it(`a moderator enters a paper suggestion for a known organisation (${mode})`, async () => {
      const w = await h.openPage({ javaScriptEnabled: js });
      const { page } = w;
      const orgName = `Kasur Tannery Cooperative ${js ? "A" : "B"}${Date.now()}`;
      const known = await makeUser(h.t.db, {
        organisation: { name: orgName, type: "association", sizeBand: "small", city: "Kasur", province: "punjab", clusterSlug: "leather" },
      });
      await signInAsModerator(w, js, "/moderation/workshop");
      await see(h1(page)).text("Enter a suggestion from a workshop");

      const title = `Common finishing unit for Kasur tanneries ${js ? "js" : "nojs"}`;
      await page.getByLabel("Cluster", { exact: true }).selectOption("leather");
      await page.getByLabel("Title", { exact: true }).fill(title);
      await page
        .getByLabel("The problem", { exact: true })
        .fill("Small tanneries send hides to Lahore for finishing and lose weeks on every order.");
      await page
        .getByLabel("The intervention you propose", { exact: true })
        .fill("A common finishing unit in Kasur with equipment leased to members by the hour.");
      await page.getByLabel("Find an organisation by name", { exact: true }).fill("kasur tannery");
      await page.getByRole("button", { name: "Find", exact: true }).click();
      const list = page.getByLabel("Known organisation", { exact: true });
      await see(list.locator(`option[value="${known.organisationId}"]`)).count(1);
      // What was typed before the search is still there.
      await see(page.getByLabel("Title", { exact: true })).value(title);
      await list.selectOption(String(known.organisationId));
      await page.getByRole("button", { name: "Enter suggestion", exact: true }).click();

      await page.waitForURL(/\/moderation\/workshop\?entered=\d+$/);
      const id = Number(new URL(page.url()).searchParams.get("entered"));
      await see(main(page).getByText(`Suggestion #${id} was entered.`, { exact: false })).visible();
      const row = await h.t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ title, status: "pending", source: "workshop", author_id: null, organisation_id: known.organisationId });
      expectClean(w);
    });

    it(`a moderator uploads a bad file (problems by line, nothing imported), then a good one over 1 MB (${mode})`, async () => {
      const w = await h.openPage({ javaScriptEnabled: js }, ["400 POST /moderation/import"]);
      const { page } = w;
      await signInAsModerator(w, js, "/moderation/import");
      await see(h1(page)).text("Import suggestions from a workshop list");
      const before = await countImported();

      const bad = importCsv([importRow(), importRow({ title: "Too short" })]);
      await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await see(main(page).getByRole("heading", { name: "Nothing was imported", exact: true })).visible();
      const problems = page.getByRole("table", { name: "Problems in the file" });
      await see(problems.getByRole("row")).count(2);
      await see(problems.getByRole("row").nth(1).getByRole("cell").first()).text("3");
      expect(await countImported()).toBe(before);

      // Long rows: 300 of them make a file well over the 1 MB any other address accepts.
      const long = (words: string) => `${words} `.repeat(Math.floor(1900 / (words.length + 1))).trim();
      const rows = Array.from({ length: 300 }, (_, i) =>
        importRow({
          title: `Imported suggestion ${i} ${js ? "js" : "nojs"}`,
          problem: long("Hides wait weeks for finishing"),
          proposal: long("A common finishing unit"),
        }),
      );
      const good = Buffer.from(importCsv(rows, { bom: true, newline: "\r\n" }));
      expect(good.byteLength).toBeGreaterThan(1024 * 1024);
      await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "good.csv", mimeType: "text/csv", buffer: good });
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await page.waitForURL(url("/moderation/import?imported=300"));
      await see(main(page).getByText("300 suggestions imported, waiting in the queue.", { exact: true })).visible();
      expect(await countImported()).toBe(before + 300);
      expectClean(w);
    });
  });
}
