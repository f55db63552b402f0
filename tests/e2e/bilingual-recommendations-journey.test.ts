// Bilingual recommendations as people would use them (issue 18, item 4; ADR 0032), in
// Chromium: an organiser writes a recommendation in English and in Urdu through the
// form (JavaScript off in English, on in Urdu) and an Urdu reader sees the Urdu
// version; an English reader of a recommendation that has only an Urdu version sees
// it with the note saying so, and an Urdu reader of an English-only one the same in
// Urdu. Every page axe-clean.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createRecommendation } from "~/models/recommendation.server";
import { testDialect } from "../support/db";
import { makeUser, type MadeUser } from "../support/factories";
import { expectNoAxeViolations, languageContext, tr, type Lang } from "./a11y";
import { browserHarness, expectClean, see, signIn } from "./helpers";

const h = browserHarness({ env: () => ({ PAGE_CACHE_SECONDS: "0" }) });

const URDU_ONLY = {
  titleUr: "ٹینریوں کے لیے مشترکہ پانی صاف کرنے کا پلانٹ",
  textUr: "قصور اور سیالکوٹ میں مشترکہ پلانٹ برآمدی ترقیاتی فنڈ سے بنائے جائیں۔",
};
const ENGLISH_ONLY = {
  title: "A testing lab for surgical exporters",
  text: "A sterilisation testing lab in Sialkot would cut weeks from every export shipment.",
};

describe(`bilingual recommendations in the browser (${testDialect})`, () => {
  let organiser: MadeUser;
  let urduOnly = 0;
  let englishOnly = 0;

  beforeAll(async () => {
    organiser = await makeUser(h.t.db, { role: "organiser", displayName: "Omar Organiser" });
    const who = { actorId: organiser.id, actorRole: "organiser" };
    const base = { cluster: ["leather"], category: ["value-addition"], priority: "2", status: "final" };
    const make = async (input: Record<string, unknown>) => {
      const r = await createRecommendation(h.t.db, { ...who, input: { ...base, ...input } });
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r.id;
    };
    urduOnly = await make(URDU_ONLY);
    englishOnly = await make(ENGLISH_ONLY);
  });

  /** Writes a final recommendation in both languages through the create form, in `lang`; returns its number. */
  async function writeBoth(page: Page, lang: Lang, en: { title: string; text: string }, ur: { title: string; text: string }) {
    const create = page.locator("form#create-recommendation");
    await create.getByLabel(tr(lang, "recommendation.field.title"), { exact: true }).fill(en.title);
    await create.getByLabel(tr(lang, "recommendation.field.text"), { exact: true }).fill(en.text);
    await create.getByLabel(tr(lang, "recommendation.field.titleUr"), { exact: true }).fill(ur.title);
    await create.getByLabel(tr(lang, "recommendation.field.textUr"), { exact: true }).fill(ur.text);
    await create.locator('input[name="cluster"][value="leather"]').check();
    await create.locator('input[name="category"][value="value-addition"]').check();
    await create.getByLabel(tr(lang, "recommendation.field.priority"), { exact: true }).selectOption("1");
    await create.getByLabel(tr(lang, "recommendation.field.status"), { exact: true }).selectOption("final");
    await create.getByRole("button", { name: tr(lang, "recommendation.createSubmit"), exact: true }).click();
    await page.waitForURL(/\/organiser\/recommendations\/\d+$/);
    return Number(/(\d+)$/.exec(new URL(page.url()).pathname)![1]);
  }

  for (const [lang, js] of [
    ["en", false],
    ["ur", true],
  ] as const) {
    it(`an organiser (${lang}, JavaScript ${js ? "on" : "off"}) writes both versions; an Urdu reader sees the Urdu one`, async () => {
      const o = await h.openPage(await languageContext(h.url("/"), lang, { javaScriptEnabled: js }));
      await signIn(h, o, organiser, { to: "/organiser/recommendations", js, lang });
      await expectNoAxeViolations(o.page, `/organiser/recommendations (${lang})`);
      const en = {
        title: `Shared effluent treatment for tanneries ${lang}`,
        text: "Build common effluent treatment plants in Kasur and Sialkot.",
      };
      const ur = {
        title: `ٹینریوں کے لیے مشترکہ صفائی ${lang === "ur" ? "اردو" : "انگریزی"}`,
        text: "قصور اور سیالکوٹ میں مشترکہ پلانٹ بنائے جائیں تاکہ پانی صاف ہو۔",
      };
      const id = await writeBoth(o.page, lang, en, ur);
      // The edit form shows both versions again.
      const update = o.page.locator("form#update");
      expect(await update.getByLabel(tr(lang, "recommendation.field.titleUr"), { exact: true }).inputValue()).toBe(ur.title);
      expect(await update.getByLabel(tr(lang, "recommendation.field.title"), { exact: true }).inputValue()).toBe(en.title);
      await expectNoAxeViolations(o.page, `/organiser/recommendations/${id} (${lang})`);
      expectClean(o);

      const r = await h.openPage(await languageContext(h.url("/"), "ur", { javaScriptEnabled: js }));
      await r.page.goto(h.url(`/recommendations/${id}`));
      await see(r.page.getByRole("heading", { level: 1 }).getByText(ur.title, { exact: true })).visible();
      await see(r.page.getByText(ur.text, { exact: true })).visible();
      await see(r.page.locator("[data-missing-version]")).count(0);
      await expectNoAxeViolations(r.page, `/recommendations/${id} (ur)`);
      expectClean(r);
    });
  }

  for (const js of [false, true]) {
    it(`a reader whose language has no version sees the other one with the note (JavaScript ${js ? "on" : "off"})`, async () => {
      const e = await h.openPage(await languageContext(h.url("/"), "en", { javaScriptEnabled: js }));
      await e.page.goto(h.url(`/recommendations/${urduOnly}`));
      await see(e.page.locator('[data-missing-version="recommendation"]')).text(tr("en", "recommendation.language.missing"));
      await see(e.page.getByRole("heading", { level: 1 }).getByText(URDU_ONLY.titleUr, { exact: true })).visible();
      expect(await e.page.getByRole("heading", { level: 1 }).locator("bdi").getAttribute("lang")).toBe("ur");
      await expectNoAxeViolations(e.page, `/recommendations/${urduOnly} (en, Urdu only)`);
      await e.page.goto(h.url("/recommendations"));
      await see(e.page.getByText(tr("en", "recommendation.language.missingShort"), { exact: true })).count(1);
      await expectNoAxeViolations(e.page, "/recommendations (en)");
      expectClean(e);

      const u = await h.openPage(await languageContext(h.url("/"), "ur", { javaScriptEnabled: js }));
      await u.page.goto(h.url(`/recommendations/${englishOnly}`));
      await see(u.page.locator('[data-missing-version="recommendation"]')).text(tr("ur", "recommendation.language.missing"));
      await expectNoAxeViolations(u.page, `/recommendations/${englishOnly} (ur, English only)`);
      expectClean(u);
    });
  }
});
