// When the Nastaliq font is asked for (issue 17, item 4): an Urdu page
// preloads it and uses it at once; an English page with Urdu text on it (a
// suggestion written in Urdu) sets that text in the fallback faces with
// Nastaliq's metrics and asks for the font only once the page has loaded
// (app/styles/app.css, html.nastaliq from app/entry.client.tsx), so an
// English reader's first paint does not wait for it. In Chromium, from the
// page's own resource timing.
import { describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { browserHarness, expectClean } from "./helpers";

const h = browserHarness();

describe(`the Nastaliq font: at once on Urdu pages, after load on English ones (${testDialect})`, () => {
  it("an English page asks for it after its load event, an Urdu page before its content has loaded; it loads on both", async () => {
    const author = await makeUser(h.t.db);
    const moderator = await makeUser(h.t.db, { role: "moderator" });
    const id = await makePublishedSubmission(h.t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "leather", title: "چمڑے کی برآمد کے لیے مشترکہ لیبارٹری", problem: "برآمد کنندگان کے لیے ٹیسٹنگ کی سہولت نہیں ہے" },
    });
    for (const lng of ["en", "ur"] as const) {
      const w = await h.openPage({ locale: lng === "ur" ? "ur-PK" : "en-GB" });
      const { page } = w;
      await page.goto(h.url(`/submissions/${id}`));
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lng);
      // The font has loaded (on the English page once asked for), and the page says which is in use.
      await page.waitForFunction(() =>
        [...document.fonts].some((f) => f.family.replace(/["']/g, "") === "Noto Nastaliq Urdu" && f.status === "loaded"),
      );
      const timing = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const font = performance.getEntriesByType("resource").find((e) => e.name.includes("noto-nastaliq-urdu"));
        return {
          fontStart: font?.startTime ?? null,
          loadEventStart: nav.loadEventStart,
          domContentLoaded: nav.domContentLoadedEventStart,
          asked: document.documentElement.classList.contains("nastaliq"),
        };
      });
      expect(timing.fontStart, `${lng}: the font was fetched`).not.toBeNull();
      if (lng === "en") {
        expect(timing.asked).toBe(true);
        expect(timing.fontStart!, "en: asked for after the load event").toBeGreaterThanOrEqual(timing.loadEventStart);
      } else {
        expect(timing.fontStart!, "ur: preloaded, asked for before the document was parsed").toBeLessThan(timing.domContentLoaded);
      }
      expectClean(w);
    }
  });
});
