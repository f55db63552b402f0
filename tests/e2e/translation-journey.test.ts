// Translations in a real browser (Chromium; issue 18), with JavaScript and
// without, in English and Urdu: a moderator translates an Urdu suggestion on
// its decision screen; an English reader sees the translation labelled and
// the original on request (and the way back); an English search and the
// similar-suggestions hint find it; the export carries both; an Urdu reader
// reads the original. Every page checked with axe (WCAG 2.2 AA).
import { describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { Client, signedIn } from "../support/http";
import { expectNoAxeViolations, languageContext, tr } from "./a11y";
import { browserHarness, expectClean, hydrated, see, signIn, uniqueWord } from "./helpers";

const h = browserHarness();

describe(`translations in the browser (${testDialect})`, () => {
  for (const js of [true, false]) {
    const mode = js ? "with JavaScript" : "without JavaScript";

    it(`a moderator translates an Urdu suggestion; English readers, search, the hint and the export find it (${mode})`, async () => {
      const word = uniqueWord();
      const author = await makeUser(h.t.db);
      const moderator = await makeUser(h.t.db, { role: "moderator" });
      const organiser = await makeUser(h.t.db, { role: "organiser" });
      const urduTitle = `چمڑے کی رنگائی کے لیے مشترکہ پلانٹ ${js ? "الف" : "ب"}`;
      const id = await makePublishedSubmission(h.t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: {
          cluster: "leather",
          title: urduTitle,
          problem: "چھوٹے کارخانے اپنا رنگائی کا پلانٹ نہیں لگا سکتے اور آلودگی کے جرمانے بھرتے ہیں۔",
          proposal: "قصور میں چمڑے کی رنگائی کا ایک مشترکہ پلانٹ حکومت اور صنعت مل کر لگائیں۔",
        },
      });
      const englishTitle = `Shared ${word} dyeing plant for small tanneries`;

      // The moderator translates it on the decision screen.
      const m = await h.openPage({ javaScriptEnabled: js });
      await signIn(h, m, moderator, { to: `/moderation/submissions/${id}`, js });
      const form = m.page.locator("form#translate");
      await form.getByLabel(tr("en", "submission.form.title"), { exact: true }).fill(englishTitle);
      await form
        .getByLabel(tr("en", "submission.form.problem"), { exact: true })
        .fill("Small tanneries cannot build their own dyeing plant and pay pollution fines.");
      await form
        .getByLabel(tr("en", "submission.form.proposal"), { exact: true })
        .fill("Government and industry should build a shared dyeing plant in Kasur.");
      await form.getByRole("button", { name: tr("en", "translation.save"), exact: true }).click();
      await see(m.page.getByText(tr("en", "translation.saved"))).visible();
      await see(m.page.getByRole("cell", { name: englishTitle })).visible();
      await expectNoAxeViolations(m.page, `moderation translation (${mode})`);
      expectClean(m);

      // An English reader: the translation, labelled; the original on request; and back.
      const r = await h.openPage(await languageContext(h.url("/"), "en", { javaScriptEnabled: js }));
      await r.page.goto(h.url(`/submissions/${id}`));
      if (js) await hydrated(r);
      await see(r.page.getByRole("heading", { level: 1, name: englishTitle })).visible();
      await see(r.page.getByText(tr("en", "translation.label"), { exact: true })).visible();
      await expectNoAxeViolations(r.page, `translated suggestion, en (${mode})`);
      await r.page.getByRole("link", { name: tr("en", "translation.showOriginal"), exact: true }).click();
      await r.page.waitForURL(h.url(`/submissions/${id}?original=1`));
      await see(r.page.getByRole("heading", { level: 1, name: urduTitle })).visible();
      await expectNoAxeViolations(r.page, `original suggestion, en (${mode})`);
      await r.page.getByRole("link", { name: tr("en", "translation.showTranslation"), exact: true }).click();
      await r.page.waitForURL(h.url(`/submissions/${id}`));
      await see(r.page.getByRole("heading", { level: 1, name: englishTitle })).visible();

      // An English search in the cluster finds it by its translation.
      await r.page.goto(h.url(`/clusters/leather?q=${word}`));
      await see(r.page.getByRole("link", { name: englishTitle })).visible();
      // The similar-suggestions hint too.
      const similar = await new Client(h.server.url).get(`/submissions/similar?title=${encodeURIComponent(`${word} dyeing`)}`);
      expect(similar.status).toBe(200);
      expect((JSON.parse(similar.text) as { similar: Array<{ id: number }> }).similar.map((x) => x.id)).toContain(id);
      expectClean(r);

      // An Urdu reader reads the original, without the label.
      const u = await h.openPage(await languageContext(h.url("/"), "ur", { javaScriptEnabled: js }));
      await u.page.goto(h.url(`/submissions/${id}`));
      if (js) await hydrated(u);
      await see(u.page.getByRole("heading", { level: 1, name: urduTitle })).visible();
      expect(await u.page.getByText(tr("ur", "translation.label"), { exact: true }).count()).toBe(0);
      await expectNoAxeViolations(u.page, `suggestion, ur (${mode})`);
      // The moderators' translation queue, in Urdu.
      const mu = await h.openPage(await languageContext(h.url("/"), "ur", { javaScriptEnabled: js }));
      await signIn(h, mu, moderator, { to: "/moderation?queue=translate", js, lang: "ur" });
      await see(mu.page.getByRole("heading", { level: 1, name: tr("ur", "moderation.title") })).visible();
      await expectNoAxeViolations(mu.page, `translation queue, ur (${mode})`);
      expectClean(u);

      // The export carries the original and the translation.
      const org = await signedIn(h.server.url, organiser);
      const csv = await org.get("/exports/submissions.csv?cluster=leather");
      expect(csv.status).toBe(200);
      const line = csv.text.split("\r\n").find((l) => l.startsWith(`${id},`)) ?? "";
      expect(line).toContain(urduTitle);
      expect(line).toContain(englishTitle);
      expect(line).toContain(",ur,");
    });
  }
});
