// Coverage in a real browser with JavaScript OFF (issue 19, item 3): an
// organiser marks a recommendation final on its page and the cluster's
// coverage rises and its sources leave the left-out list; records a reason for
// a suggestion left out and finds it in the printable briefing. The coverage
// page and the briefing are axe-clean in English and Urdu.
import { describe, expect, it } from "vitest";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { expectNoAxeViolations, LANGS, languageContext, tr } from "./a11y";
import { browserHarness, expectClean, see, signIn, uniqueWord } from "./helpers";

const h = browserHarness();

describe(`coverage and what was left out in the browser (${testDialect})`, () => {
  it("final → the cluster's coverage rises and its sources leave the list; a reason reaches the briefing (without JavaScript)", async () => {
    await h.t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    const author = await makeUser(h.t.db);
    const moderator = await makeUser(h.t.db, { role: "moderator" });
    const organiser = await makeUser(h.t.db, { role: "organiser", displayName: "Organiser Amna" });
    const word = uniqueWord();
    const publish = (title: string) =>
      makePublishedSubmission(h.t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { title: `${title} ${word}`, cluster: "leather" },
      });
    const sources = [await publish("Bonded warehouse for tanneries"), await publish("Chrome recovery plant for Kasur")];
    const leftOut = await publish("Leather design institute in Sialkot");
    const supporter = await makeUser(h.t.db);
    await supportSubmission(h.t.db, { submissionId: sources[0], userId: supporter.id });
    const rec = await createRecommendation(h.t.db, {
      actorId: organiser.id,
      actorRole: "organiser",
      input: {
        title: `Common facilities for tannery clusters ${word}`,
        text: "Fund bonded warehouses and chrome recovery for the tannery clusters.",
        cluster: ["leather"],
        category: ["export-markets"],
        priority: "1",
        dissent: "",
        status: "draft",
      },
    });
    if (!rec.ok) throw new Error("recommendation refused");
    for (const s of sources) await linkSource(h.t.db, { actorId: organiser.id, actorRole: "organiser", id: rec.id, submissionId: s });

    const w = await h.openPage({ javaScriptEnabled: false });
    const { page } = w;
    await signIn(h, w, organiser, { to: "/organiser/coverage?cluster=leather", js: false });
    const overall = () => page.locator("dd.overall-suggestions").innerText();
    const listed = async () =>
      await page.locator("li[data-submission]").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-submission"))));
    expect(await overall()).toBe("0% (0 / 3)");
    expect(await listed()).toEqual(expect.arrayContaining([...sources, leftOut]));

    // The organiser marks the recommendation final on its page.
    await page.goto(h.url(`/organiser/recommendations/${rec.id}`));
    await page.getByLabel("Status", { exact: true }).selectOption("final");
    await page.getByRole("button", { name: "Save changes", exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/organiser/recommendations/${rec.id}`);

    // Back on coverage (from the dashboard's link, filtered to the cluster): it rose, and the sources left the list.
    await page.goto(h.url("/organiser"));
    await page.getByRole("link", { name: "Coverage and what was left out", exact: true }).click();
    await page.getByLabel("Cluster", { exact: true }).selectOption("leather");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/organiser/coverage" && u.searchParams.get("cluster") === "leather");
    expect(await overall()).toBe("67% (2 / 3)");
    const now = await listed();
    expect(now).toContain(leftOut);
    for (const s of sources) expect(now).not.toContain(s);

    // A reason for the one left out.
    const item = page.locator(`#left-out-${leftOut}`);
    await item.getByLabel("Reason for leaving it out", { exact: true }).fill("A matter for the provincial skills authority");
    await item.getByRole("button", { name: "Save the reason", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/organiser/coverage" && u.hash === `#left-out-${leftOut}`);
    await see(page.locator(`#left-out-${leftOut}`).getByText("Last changed by Organiser Amna on", { exact: false })).visible();

    // In the printable briefing.
    await page.goto(h.url("/organiser/briefing?cluster=leather"));
    const section = page.locator("section.briefing__coverage");
    await see(section.getByRole("heading", { name: "Left out, with reasons", exact: true })).visible();
    await see(section.locator(`tr[data-submission="${leftOut}"]`).getByText("A matter for the provincial skills authority")).visible();
    expectClean(w);
  });

  for (const lang of LANGS) {
    it(`the coverage page and the briefing's section are axe-clean (${lang}, without JavaScript)`, async () => {
      const organiser = await makeUser(h.t.db, { role: "organiser" });
      const w = await h.openPage(await languageContext(h.url("/"), lang, { javaScriptEnabled: false }));
      await signIn(h, w, organiser, { to: "/organiser/coverage", js: false, lang });
      await see(w.page.getByRole("heading", { name: tr(lang, "coverage.title"), level: 1 })).visible();
      await expectNoAxeViolations(w.page, `/organiser/coverage (${lang})`);
      await w.page.goto(h.url("/organiser/briefing"));
      await see(w.page.getByRole("heading", { name: tr(lang, "briefing.leftOut") })).visible();
      await expectNoAxeViolations(w.page, `/organiser/briefing (${lang})`);
      expectClean(w);
    });
  }
});
