// The public pages of issue 16 in the browser, with JavaScript OFF, in English
// and in Urdu, with real data on them: /accountability (a final recommendation
// with a response and a progress update, another with no response yet, in two
// clusters), /stats (enough people for figures, and a province with too few,
// so cells are held back) and the two Atom feeds. Each page passes axe-core at
// WCAG 2.2 AA; the charts are readable without JavaScript (the SVG is named by
// its <title> and <desc>, and the same figures are in a table beside it); the
// cluster filter is a plain GET form; the CSV links answer CSV; the pages that
// link a feed (<link rel="alternate" type="application/atom+xml">) point at a
// feed that loads in the browser (200, Atom's content type) and parses as Atom.
//
// The feeds themselves are XML, not pages: axe-core checks HTML documents, so
// the accessibility check is of the pages that offer them.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { recordProgress } from "~/models/progress.server";
import { createRecommendation, linkSource, recordResponse } from "~/models/recommendation.server";
import { supportSubmission } from "~/models/support.server";
import { atomChildren, ATOM_NS, parseXml } from "../support/atom-xml";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { expectNoAxeViolations, LANGS, languageContext, tr, type Lang } from "./a11y";
import { browserHarness, expectClean, type Watched } from "./helpers";

// The shared page cache is off: every page below is drawn from the rows as they are.
const h = browserHarness({ env: { PAGE_CACHE_SECONDS: "0" } });

const RESPONDED = "Shared effluent treatment for the tannery clusters";
const UNANSWERED = "Sterilisation testing laboratory for surgical instruments";
const RESPONSE_TEXT = "Funded in the next federal budget.";
const PROGRESS_TEXT = "Land allotted in Kasur; tenders out.";
const SOURCE_TITLE = "Common effluent treatment plant for Kasur tanneries";

const org = (province: string) => ({
  name: `Loop Pages Organisation ${randomBytes(3).toString("hex")}`,
  type: "association" as const,
  sizeBand: "medium" as const,
  city: "Lahore",
  province,
  clusterSlug: "leather",
});

const ids = { responded: 0, unanswered: 0, source: 0 };

beforeAll(async () => {
  const db = h.t.db;
  const moderator = await makeUser(db, { role: "moderator" });
  const organiser = await makeUser(db, { role: "organiser" });
  const author = await makeUser(db, { organisation: org("punjab") });
  ids.source = await makePublishedSubmission(db, {
    authorId: author.id,
    moderatorId: moderator.id,
    input: { cluster: "leather", title: SOURCE_TITLE },
  });
  // Nine people in Punjab (a figure), six in Sindh (held back too: the total less the rest would give
  // Balochistan away), two in Balochistan (held back: fewer than 5).
  for (const [province, n] of [
    ["punjab", 8],
    ["sindh", 6],
    ["balochistan", 2],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const p = await makeUser(db, { organisation: org(province) });
      expect((await supportSubmission(db, { submissionId: ids.source, userId: p.id })).ok).toBe(true);
    }
  }
  const actor = { actorId: organiser.id, actorRole: "organiser" };
  const recommend = async (title: string, cluster: string) => {
    const r = await createRecommendation(db, {
      ...actor,
      input: {
        title,
        text: "Build and run shared facilities, financed by the export development fund.",
        cluster: [cluster],
        category: ["value-addition"],
        priority: "1",
        dissent: "",
        status: "final",
      },
    });
    if (!r.ok) throw new Error(`recommendation refused: ${JSON.stringify(r)}`);
    return r.id;
  };
  ids.responded = await recommend(RESPONDED, "leather");
  ids.unanswered = await recommend(UNANSWERED, "surgical-instruments");
  expect((await linkSource(db, { ...actor, id: ids.responded, submissionId: ids.source })).ok).toBe(true);
  const today = new Date().toISOString().slice(0, 10);
  expect(
    (
      await recordResponse(db, {
        ...actor,
        id: ids.responded,
        input: { responseStatus: "accepted", responseText: RESPONSE_TEXT, responsibleAgency: "Ministry of Commerce", responseDate: today },
      })
    ).ok,
  ).toBe(true);
  expect(
    (
      await recordProgress(db, {
        ...actor,
        id: ids.responded,
        input: { progressStatus: "in-progress", progressText: PROGRESS_TEXT, progressDate: today, evidenceUrl: "" },
      })
    ).ok,
  ).toBe(true);
});

/** A page in `lang` with JavaScript off. */
async function noScriptPage(lang: Lang): Promise<Watched> {
  return h.openPage(await languageContext(h.url("/"), lang, { javaScriptEnabled: false, acceptDownloads: true }));
}

async function open(w: Watched, path: string, lang: Lang) {
  const res = await w.page.goto(h.url(path));
  expect(res?.status(), path).toBe(200);
  expect(await w.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
    lang,
    lang === "ur" ? "rtl" : "ltr",
  ]);
  // No script ran: nothing hydrated the page.
  expect(await w.page.evaluate(() => typeof (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBe("undefined");
}

/** Each chart is named by its <title> and <desc> (aria-labelledby), and the table next to it holds the same figures. */
async function chartsReadable(page: Page) {
  const charts = await page.locator("main svg[role=img]").evaluateAll((svgs) =>
    svgs.map((svg) => {
      const named = (svg.getAttribute("aria-labelledby") ?? "").split(/\s+/).map((id) => document.getElementById(id));
      return {
        id: svg.querySelector("title")?.id ?? "",
        title: named[0]?.tagName.toLowerCase() === "title" ? named[0].textContent?.trim() : null,
        desc: named[1]?.tagName.toLowerCase() === "desc" ? named[1].textContent?.trim() : null,
        bars: [...svg.querySelectorAll("rect > title, circle > title")].map((t) => t.textContent?.trim() ?? ""),
      };
    }),
  );
  expect(charts.length).toBeGreaterThan(0);
  for (const c of charts) {
    expect(c.title, c.id).toBeTruthy();
    expect(c.desc, c.id).toBeTruthy();
  }
  return charts;
}

/** Rows of a table by id: the row header and the cells, as shown. */
const tableRows = (page: Page, id: string) =>
  page
    .locator(`#${id} tbody tr`)
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").replace(/\s+/g, " ").trim())),
    );

/** The feed a page offers in its head, loaded in the browser: 200, Atom's content type, parsed as Atom. */
async function feedOf(w: Watched, lang: Lang) {
  const links = await w.page
    .locator('head link[rel="alternate"][type="application/atom+xml"]')
    .evaluateAll((ls) => ls.map((l) => ({ href: l.getAttribute("href") ?? "", title: l.getAttribute("title") ?? "" })));
  expect(links, `the feed link of ${w.page.url()}`).toHaveLength(1);
  expect(links[0].title.trim()).not.toBe("");
  const from = w.page.url();
  const res = await w.page.goto(new URL(links[0].href, from).href);
  expect(res?.status()).toBe(200);
  expect(res?.headers()["content-type"]).toMatch(/^application\/atom\+xml/);
  const feed = parseXml(await res!.text());
  expect([feed.name, feed.ns]).toEqual(["feed", ATOM_NS]);
  expect(feed.attrs["xml:lang"]).toBe(lang);
  for (const name of ["id", "title", "updated"]) expect(atomChildren(feed, name), name).toHaveLength(1);
  await w.page.goto(from);
  return { href: links[0].href, feed, entries: atomChildren(feed, "entry") };
}

describe.each(LANGS)(`issue 16's public pages without JavaScript (%s, ${testDialect})`, (lang) => {
  it("/accountability: both groups, the charts readable, axe-clean; the cluster filter is a plain GET form", async () => {
    const w = await noScriptPage(lang);
    const { page } = w;
    await open(w, "/accountability", lang);
    const onTrack = page.locator("#accountability-on-track");
    const attention = page.locator("#accountability-attention");
    expect(await onTrack.locator(`tr[data-recommendation="${ids.responded}"]`).textContent()).toContain(RESPONDED);
    expect(await onTrack.textContent()).toContain("Ministry of Commerce");
    expect(await onTrack.textContent()).toContain(tr(lang, "recommendation.progress.statuses.in-progress"));
    const unanswered = attention.locator(`tr[data-recommendation="${ids.unanswered}"]`);
    expect(await unanswered.textContent()).toContain(UNANSWERED);
    expect(await unanswered.locator(".marker-no-response").textContent()).toBe(tr(lang, "accountability.markerNoResponse"));

    // Each bar's title is "label: count", and the table beside the chart says the same.
    const charts = await chartsReadable(page);
    for (const [chart, table] of [
      ["by-response-chart", "by-response"],
      ["by-progress-chart", "by-progress"],
    ]) {
      const bars = charts.find((c) => c.id === `${chart}-t`)!.bars;
      const rows = (await tableRows(page, table)).map(([label, count]) => `${label}: ${count}`);
      expect(bars, chart).toEqual(rows);
      expect(rows.length, table).toBeGreaterThanOrEqual(2);
    }
    await expectNoAxeViolations(page, `/accountability in ${lang} without JavaScript`);

    // The filter: choose a cluster, press the button; the browser itself sends the GET.
    await page.getByLabel(tr(lang, "accountability.cluster"), { exact: true }).selectOption("leather");
    await page.getByRole("button", { name: tr(lang, "accountability.filter"), exact: true }).click();
    await page.waitForURL(h.url("/accountability?cluster=leather"));
    expect(await page.locator(`tr[data-recommendation="${ids.responded}"]`).count()).toBe(1);
    expect(await page.locator(`tr[data-recommendation="${ids.unanswered}"]`).count()).toBe(0);
    expect(await page.getByLabel(tr(lang, "accountability.cluster"), { exact: true }).inputValue()).toBe("leather");
    await expectNoAxeViolations(page, `/accountability?cluster=leather in ${lang} without JavaScript`);

    // The recommendations feed it links to, with both recommendations, the response and the progress.
    const { href, entries } = await feedOf(w, lang);
    expect(href).toBe("/recommendations.atom");
    const titles = entries.map((e) => atomChildren(e, "title")[0].text);
    expect(titles.some((t) => t.includes(RESPONDED))).toBe(true);
    expect(titles.some((t) => t.includes(UNANSWERED))).toBe(true);
    const responded = entries.find((e) => atomChildren(e, "title")[0].text.includes(RESPONDED))!;
    // Its summary: the response's status and the latest progress, in the reader's language.
    const summary = atomChildren(responded, "summary")[0].text;
    expect(summary).toContain(tr(lang, "recommendation.response.statuses.accepted"));
    expect(summary).toContain(tr(lang, "recommendation.progress.statuses.in-progress"));
    expectClean(w);
  });

  it("/stats: figures and held-back cells, the charts readable, axe-clean; the CSV links answer CSV", async () => {
    const w = await noScriptPage(lang);
    const { page } = w;
    await open(w, "/stats", lang);
    const suppressed = tr(lang, "stats.suppressed", { n: lang === "ur" ? "۵" : "5" });
    const participants = (await page.locator("main dl.facts dd").first().textContent())!.trim();
    expect(participants).not.toBe(suppressed);
    expect(participants).toMatch(/^[0-9۰-۹]+$/);
    // Punjab has a figure; Balochistan (two people) is held back.
    const provinces = await tableRows(page, "stats-province");
    const punjab = provinces.find(([label]) => label === tr(lang, "province.punjab"))!;
    const balochistan = provinces.find(([label]) => label === tr(lang, "province.balochistan"))!;
    expect(punjab[1]).toMatch(/^[0-9۰-۹]+$/);
    expect(balochistan[1]).toBe(suppressed);

    // Every bar is a row of its table, with the same participants figure.
    const charts = await chartsReadable(page);
    const provinceBars = charts.find((c) => c.id === "province-chart-t")!.bars;
    expect(provinceBars.length).toBeGreaterThan(0);
    for (const bar of provinceBars)
      expect(
        provinces.some(([label, n]) => bar.includes(label) && bar.includes(n)),
        bar,
      ).toBe(true);
    expect(provinceBars.some((b) => b.includes(balochistan[0]))).toBe(false);
    await expectNoAxeViolations(page, `/stats in ${lang} without JavaScript`);

    // Each CSV link answers CSV; one is downloaded as a person would, by clicking it.
    const hrefs = await page.locator('main a[href^="/stats.csv"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
    expect(hrefs).toHaveLength(5);
    for (const href of hrefs) {
      const res = await page.context().request.get(h.url(href));
      expect(res.status(), href).toBe(200);
      expect(res.headers()["content-type"], href).toMatch(/^text\/csv/);
    }
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator('main a[href="/stats.csv?table=province"]').click()]);
    const csv = fs
      .readFileSync((await download.path())!, "utf8")
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/);
    expect(csv[0]).toBe("group,label_en,label_ur,participants,organisations,suggestions,supports");
    expect(csv.find((l) => l.startsWith("balochistan,"))).toContain("<5");
    expectClean(w);
  });

  it("the pages that offer the feeds are axe-clean, and each feed loads and parses as Atom", async () => {
    const w = await noScriptPage(lang);
    const { page } = w;
    await open(w, "/recommendations", lang);
    await expectNoAxeViolations(page, `/recommendations in ${lang} without JavaScript`);
    const recommendations = await feedOf(w, lang);
    expect(recommendations.href).toBe("/recommendations.atom");
    expect(recommendations.entries.length).toBe(2);

    await open(w, `/recommendations/${ids.responded}`, lang);
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain(RESPONSE_TEXT);
    expect(main).toContain(PROGRESS_TEXT);
    await expectNoAxeViolations(page, `a recommendation in ${lang} without JavaScript`);
    expect((await feedOf(w, lang)).href).toBe("/recommendations.atom");

    await open(w, "/clusters/leather", lang);
    await expectNoAxeViolations(page, `/clusters/leather in ${lang} without JavaScript`);
    const cluster = await feedOf(w, lang);
    expect(cluster.href).toBe("/clusters/leather/feed.atom");
    const entry = cluster.entries.find((e) => atomChildren(e, "title")[0].text.includes(SOURCE_TITLE));
    expect(entry, "the published suggestion in its cluster's feed").toBeDefined();
    expect(atomChildren(entry!, "link")[0].attrs.href).toMatch(new RegExp(`/submissions/${ids.source}$`));
    expectClean(w);
  });
});
