// The synthesis workbench in a real browser without JavaScript (issue 19), in
// English and in Urdu: an organiser opens a heat-map cell of the dashboard,
// ticks five suggestions on the workbench, starts a draft recommendation from
// them, opens it, adds two more from "more like these" with one click each,
// and sees all seven among its sources. The workbench and the recommendation
// page are axe-clean (WCAG 2.2 AA) in both languages.
import { describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { expectNoAxeViolations, languageContext, LANGS, tr } from "./a11y";
import { browserHarness, expectClean, see, signIn, uniqueWord } from "./helpers";

const h = browserHarness();

describe(`the synthesis workbench in the browser, without JavaScript (${testDialect})`, () => {
  for (const lang of LANGS) {
    it(`heat-map cell → five chosen → a new draft → two more from "more like these" (${lang})`, async () => {
      const category = lang === "en" ? "value-addition" : "skilled-labour";
      const word = uniqueWord();
      const moderator = await makeUser(h.t.db, { role: "moderator" });
      const organiser = await makeUser(h.t.db, { role: "organiser" });
      const publish = async (title: string, categories: string[]) => {
        const author = await makeUser(h.t.db);
        return makePublishedSubmission(h.t.db, {
          authorId: author.id,
          moderatorId: moderator.id,
          input: {
            title,
            problem: `The ${word} tanneries of Kasur discharge chrome effluent into the canals every day.`,
            proposal: `A shared ${word} effluent treatment plant, co-financed for the tanneries.`,
          },
          categories,
        });
      };
      const chosen: number[] = [];
      for (let i = 1; i <= 5; i++) chosen.push(await publish(`${word} chrome effluent plan number ${i}`, [category]));
      // Two alike in another category: not in the cell, found by "more like these".
      const alike = [
        await publish(`${word} effluent plant finance for chrome tanneries`, ["tax-relief"]),
        await publish(`${word} chrome recovery at the effluent plant`, ["tax-relief"]),
      ];

      const w = await h.openPage(await languageContext(h.server.url, lang, { javaScriptEnabled: false }));
      const { page } = w;
      await signIn(h, w, organiser, { to: "/organiser", js: false, lang });

      // The heat-map cell (its table twin) opens the workbench on its cluster and category.
      await page.locator(`td[data-cluster="leather"][data-category="${category}"] a`).click();
      await page.waitForURL(h.url(`/organiser/synthesis?cluster=leather&category=${category}`));
      await see(page.getByRole("heading", { level: 1, name: tr(lang, "synthesis.title") })).visible();
      await expectNoAxeViolations(page, `workbench (${lang})`);

      for (const id of chosen) await page.getByRole("checkbox", { name: tr(lang, "synthesis.selectOne", { id }), exact: true }).check();
      await page.getByLabel(tr(lang, "synthesis.recommendation"), { exact: true }).selectOption("new");
      const title = `${word} shared effluent treatment for Kasur`;
      await page.getByLabel(tr(lang, "synthesis.newTitle"), { exact: true }).fill(title);
      await page.getByRole("button", { name: tr(lang, "synthesis.submit"), exact: true }).click();

      const made = await h.t.db.selectFrom("recommendations").select(["id", "status"]).where("title", "=", title).executeTakeFirstOrThrow();
      expect(made.status).toBe("draft");
      const notice = page.getByRole("status").filter({ has: page.locator(`a[href="/organiser/recommendations/${made.id}"]`) });
      await see(notice).visible();
      await expectNoAxeViolations(page, `workbench after linking (${lang})`);

      await notice.locator(`a[href="/organiser/recommendations/${made.id}"]`).click();
      await page.waitForURL(h.url(`/organiser/recommendations/${made.id}`));
      const more = page.locator("section", { has: page.locator("#alike-title") });
      await see(more.getByRole("heading", { name: tr(lang, "synthesis.moreLike.title") })).visible();
      await expectNoAxeViolations(page, `recommendation with more like these (${lang})`);
      for (const id of alike) {
        await more.getByRole("button", { name: tr(lang, "synthesis.moreLike.linkOne", { id }), exact: true }).click();
        await page.waitForURL(h.url(`/organiser/recommendations/${made.id}`));
      }

      // All seven are sources, on the page and in the database; the two left "more like these".
      const sources = page.locator("table.sources");
      for (const id of [...chosen, ...alike]) await see(sources.locator(`a[href="/submissions/${id}"]`)).visible();
      for (const id of alike) expect(await more.locator(`tr[data-submission="${id}"]`).count()).toBe(0);
      const linked = await h.t.db
        .selectFrom("recommendation_submissions")
        .select("submission_id")
        .where("recommendation_id", "=", made.id)
        .orderBy("submission_id")
        .execute();
      expect(linked.map((r) => r.submission_id)).toEqual([...chosen, ...alike].sort((a, b) => a - b));
      expectClean(w);
    });
  }

  it("the organiser's whole flow: heat-map cell → five → a new draft → two more alike → final → coverage rises, the seven leave the left-out list → a reason reaches the briefing (en, without JavaScript)", async () => {
    const word = uniqueWord();
    const moderator = await makeUser(h.t.db, { role: "moderator" });
    const organiser = await makeUser(h.t.db, { role: "organiser", displayName: "Organiser Sadia" });
    const publish = async (title: string, categories: string[]) => {
      const author = await makeUser(h.t.db);
      return makePublishedSubmission(h.t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: {
          title,
          problem: `The ${word} tanneries of Kasur discharge chrome effluent into the canals every day.`,
          proposal: `A shared ${word} effluent treatment plant, co-financed for the tanneries.`,
        },
        categories,
      });
    };
    const chosen: number[] = [];
    for (let i = 1; i <= 5; i++) chosen.push(await publish(`${word} chrome effluent scheme number ${i}`, ["value-addition"]));
    const alike = [
      await publish(`${word} effluent plant loans for chrome tanneries`, ["tax-relief"]),
      await publish(`${word} chrome recovery beside the effluent plant`, ["tax-relief"]),
    ];
    const leftOut = await publish(`${word} a design school for leather garments in Sialkot`, ["skilled-labour"]);

    const w = await h.openPage({ javaScriptEnabled: false });
    const { page } = w;
    await signIn(h, w, organiser, { to: "/organiser/coverage?cluster=leather", js: false });
    const figure = async () => {
      const m = /\((\d[\d,]*) \/ (\d[\d,]*)\)/.exec(await page.locator("dd.overall-suggestions").innerText());
      expect(m).not.toBeNull();
      return { covered: Number(m![1].replace(/,/g, "")), of: Number(m![2].replace(/,/g, "")) };
    };
    const listed = () =>
      page.locator("li[data-submission]").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-submission"))));
    const before = await figure();

    // From the dashboard's heat-map cell to the workbench; five chosen; a new draft.
    await page.goto(h.url("/organiser"));
    await page.locator('td[data-cluster="leather"][data-category="value-addition"] a').click();
    await page.waitForURL(h.url("/organiser/synthesis?cluster=leather&category=value-addition"));
    for (const id of chosen) await page.getByRole("checkbox", { name: tr("en", "synthesis.selectOne", { id }), exact: true }).check();
    await page.getByLabel(tr("en", "synthesis.recommendation"), { exact: true }).selectOption("new");
    const title = `${word} common effluent treatment for the tanneries`;
    await page.getByLabel(tr("en", "synthesis.newTitle"), { exact: true }).fill(title);
    await page.getByRole("button", { name: tr("en", "synthesis.submit"), exact: true }).click();
    const made = await h.t.db.selectFrom("recommendations").select("id").where("title", "=", title).executeTakeFirstOrThrow();
    await page.locator(`[role=status] a[href="/organiser/recommendations/${made.id}"]`).click();
    await page.waitForURL(h.url(`/organiser/recommendations/${made.id}`));

    // Two more from "more like these".
    const more = page.locator("section", { has: page.locator("#alike-title") });
    for (const id of alike) {
      await more.getByRole("button", { name: tr("en", "synthesis.moreLike.linkOne", { id }), exact: true }).click();
      await page.waitForURL(h.url(`/organiser/recommendations/${made.id}`));
    }

    // The draft from the workbench has a title only: the organiser writes it and marks it final.
    const update = page.locator("form#update");
    await update
      .getByLabel(tr("en", "recommendation.field.text"), { exact: true })
      .fill("Build common effluent treatment plants for the tannery clusters, co-financed by the export development fund.");
    await update.locator('input[name="category"][value="value-addition"]').check();
    await update.getByLabel(tr("en", "recommendation.field.status"), { exact: true }).selectOption("final");
    await update.getByRole("button", { name: tr("en", "recommendation.save"), exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/organiser/recommendations/${made.id}`);
    expect((await h.t.db.selectFrom("recommendations").select("status").where("id", "=", made.id).executeTakeFirstOrThrow()).status).toBe(
      "final",
    );

    // Coverage rose by the seven, which left the list; the one left out is still there.
    await page.goto(h.url("/organiser/coverage?cluster=leather"));
    const after = await figure();
    expect(after).toEqual({ covered: before.covered + 7, of: before.of });
    const now = await listed();
    for (const id of [...chosen, ...alike]) expect(now).not.toContain(id);
    expect(now).toContain(leftOut);

    // A reason for the one left out, found in the printable briefing.
    const item = page.locator(`#left-out-${leftOut}`);
    await item.getByLabel(tr("en", "coverage.reason"), { exact: true }).fill("A matter for the provincial skills authority");
    await item.getByRole("button", { name: tr("en", "coverage.save"), exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/organiser/coverage");
    await page.goto(h.url("/organiser/briefing?cluster=leather"));
    const section = page.locator("section.briefing__coverage");
    await see(section.locator(`tr[data-submission="${leftOut}"]`).getByText("A matter for the provincial skills authority")).visible();
    expectClean(w);
  });
});
