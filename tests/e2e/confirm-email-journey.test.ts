// Confirming an email address in Chromium (issue 15, item 1; ADR 0026), with
// JavaScript and without:
//
//   register → the notice says to confirm (support is not offered; the page
//   says why) → send the link again → the link from the outbox → its page's
//   button → /me says it is confirmed → support the suggestion
//
// Every page is watched (helpers.ts): a console error, a failed request or an
// unexpected 4xx/5xx fails the test.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { confirmLinkFor } from "../support/confirm-email";
import { testDialect } from "../support/db";
import { GOOD_PASSWORD, makePublishedSubmission, makeUser, uniqueEmail } from "../support/factories";
import { expectNoAxeViolations } from "./a11y";
import { browserHarness, expectClean, hydrated, see, uniqueWord } from "./helpers";

const h = browserHarness();
const url = (path: string) => h.url(path);
const main = (page: Page) => page.getByRole("main");

describe(`confirming an email address in Chromium (${testDialect})`, () => {
  for (const js of [true, false]) {
    const mode = js ? "with JavaScript" : "without JavaScript";

    it(`register → link → confirm → support (${mode})`, async () => {
      const author = await makeUser(h.t.db);
      const moderator = await makeUser(h.t.db, { role: "moderator" });
      const title = `Shared ${uniqueWord()} dye house for the Faisalabad weavers`;
      const id = await makePublishedSubmission(h.t.db, { authorId: author.id, moderatorId: moderator.id, input: { title } });

      const w = await h.openPage({ javaScriptEnabled: js });
      const { page } = w;
      const email = uniqueEmail("confirm");
      await page.goto(url("/register"));
      if (js) await hydrated(w);
      await page.locator("input[name=displayName]").fill("Amina Sheikh");
      await page.locator("input[name=email]").fill(email);
      await page.locator("input[name=password]").fill(GOOD_PASSWORD);
      await page.locator("input[name=organisationName]").fill("Faisalabad Weavers");
      await page.locator("select[name=organisationType]").selectOption("firm");
      await page.locator("select[name=sizeBand]").selectOption("small");
      await page.locator("select[name=cluster]").selectOption("leather");
      await page.locator("input[name=city]").fill("Faisalabad");
      await page.locator("select[name=province]").selectOption("punjab");
      await main(page).getByRole("button", { name: en.register.submit, exact: true }).click();
      await page.waitForURL(url("/me"));

      // Unconfirmed: the notice names the address; the suggestion's page explains instead of a support button.
      const notice = main(page).locator(".confirm-banner");
      await see(notice).visible();
      expect(await notice.textContent()).toContain(en.confirmEmail.banner);
      expect(await notice.textContent()).toContain(email);
      await page.goto(url(`/submissions/${id}`));
      if (js) await hydrated(w);
      await see(page.locator("#support").getByText(en.refusal.emailUnconfirmed, { exact: true })).visible();
      await see(page.locator("#support").getByRole("button", { name: en.support.support, exact: true })).count(0);
      await expectNoAxeViolations(page, `an unconfirmed person's view of a suggestion (${mode})`);

      // Send the link again from the notice: back on the same page, which says so.
      const first = await confirmLinkFor(h.t.db, email);
      await notice.getByRole("button", { name: en.confirmEmail.resend, exact: true }).click();
      await page.waitForURL(url(`/submissions/${id}?confirmSent=1`));
      await see(main(page).locator(".confirm-banner")).visible();
      expect(await main(page).locator(".confirm-banner").textContent()).toContain(en.confirmEmail.sentAgain);
      const link = await confirmLinkFor(h.t.db, email);
      expect(link).not.toBe(first);

      // The link's page: the address and one button; pressing it confirms and lands on /me.
      await page.goto(url(link));
      if (js) await hydrated(w);
      await see(page.getByRole("heading", { level: 1 })).text(en.confirmEmail.title);
      await see(main(page).getByText(email, { exact: true })).visible();
      const row = () => h.t.db.selectFrom("users").select("email_confirmed_at").where("email", "=", email).executeTakeFirstOrThrow();
      expect((await row()).email_confirmed_at).toBeNull();
      await expectNoAxeViolations(page, `the confirmation page (${mode})`);
      await main(page).getByRole("button", { name: en.confirmEmail.submit, exact: true }).click();
      await page.waitForURL(url("/me?emailConfirmed=1"));
      await see(main(page).getByText(en.confirmEmail.done, { exact: true })).visible();
      await see(main(page).locator(".confirm-banner")).count(0);
      expect((await row()).email_confirmed_at).not.toBeNull();

      // Now the support button is there, and it works.
      await page.goto(url(`/submissions/${id}`));
      if (js) await hydrated(w);
      await page.locator("#support").getByRole("button", { name: en.support.support, exact: true }).click();
      await see(page.locator("#support").getByRole("button", { name: en.support.withdraw, exact: true })).visible();
      const s = await h.t.db.selectFrom("submissions").select("supporters_count").where("id", "=", id).executeTakeFirstOrThrow();
      expect(s.supporters_count).toBe(1);
      expectClean(w);
    });
  }
});
