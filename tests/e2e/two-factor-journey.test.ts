// Two-factor sign-in in real Chromium (issue 15, item 5), with
// STAFF_TWO_FACTOR=required: a moderator's password leads only to the
// enrolment page; they add the account to an app (here: the code computed
// from the otpauth:// address the page shows), keep the recovery codes shown
// once, sign out, and sign in again through /login/two-factor, where a wrong
// code is refused and the app's next code is accepted. With JavaScript on and
// off, with no console error, CSP violation or server error on the way.
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { totpCode, totpStep } from "~/lib/totp.server";
import { makeUser } from "../support/factories";
import { browserHarness, expectClean, hydrated, see, type Watched } from "./helpers";

const h = browserHarness({ env: { STAFF_TWO_FACTOR: "required" } });

const codeFor = (secret: string, ahead = 0) => totpCode(secret, totpStep(Date.now()) + ahead);
function wrongCodeFor(secret: string): string {
  const near = new Set([-1, 0, 1, 2].map((d) => codeFor(secret, d)));
  for (let n = 123456; ; n++) if (!near.has(String(n))) return String(n);
}

async function typePassword(w: Watched, user: { email: string; password: string }, js: boolean) {
  await w.page.goto(h.url("/login"));
  if (js) await hydrated(w);
  const main = w.page.getByRole("main");
  await main.getByLabel(en.login.email, { exact: true }).fill(user.email);
  await main.getByLabel(en.login.password, { exact: true }).fill(user.password);
  await main.getByRole("button", { name: en.login.submit, exact: true }).click();
}

for (const js of [true, false]) {
  describe(`two-factor sign-in for staff, JavaScript ${js ? "on" : "off"}`, () => {
    it("a moderator enrols, signs out, and signs in with a code; a wrong code is refused", async () => {
      const moderator = await makeUser(h.t.db, { role: "moderator" });
      const w = await h.openPage({ javaScriptEnabled: js }, ["400 POST /login/two-factor"]);
      const main = w.page.getByRole("main");

      await typePassword(w, moderator, js);
      await w.page.waitForURL(h.url("/me/two-factor"));
      if (js) await hydrated(w);
      await see(main.getByText(en.twoFactor.settings.mustEnrol)).visible();
      // Nothing else opens yet.
      await w.page.goto(h.url("/moderation"));
      await w.page.waitForURL(h.url("/me/two-factor?redirectTo=%2Fmoderation"));
      if (js) await hydrated(w);

      await see(main.locator(".qr-code svg")).visible();
      const uri = (await main.locator(".otpauth-uri").textContent()) ?? "";
      expect(uri).toMatch(/^otpauth:\/\/totp\//);
      const secret = new URL(uri).searchParams.get("secret")!;
      await main.getByLabel(en.twoFactor.enrol.code, { exact: true }).fill(codeFor(secret));
      await main.getByRole("button", { name: en.twoFactor.enrol.submit, exact: true }).click();
      await see(main.getByRole("heading", { name: en.twoFactor.codes.title })).visible();
      await see(main.locator(".recovery-codes li")).count(10);
      await main.getByRole("link", { name: en.twoFactor.codes.continue }).click();
      await w.page.waitForURL(h.url("/moderation"));

      await w.page.goto(h.url("/logout"));
      if (js) await hydrated(w);
      await main.getByRole("button", { name: en.nav.logout, exact: true }).click();
      await w.page.waitForURL(h.url("/"));

      await typePassword(w, moderator, js);
      await w.page.waitForURL(h.url("/login/two-factor?redirectTo=%2Fme"));
      if (js) await hydrated(w);
      const code = main.getByLabel(en.twoFactor.signIn.code, { exact: true });
      await code.fill(wrongCodeFor(secret));
      await main.getByRole("button", { name: en.twoFactor.signIn.submit, exact: true }).click();
      await see(w.page.locator(".error-summary")).visible();
      expect(await w.page.locator(".error-summary").textContent()).toContain(en.twoFactor.errors.wrongCode);
      // Without JavaScript the page comes back with the field empty (a wrong code is not given back).
      if (!js) await see(code).value("");

      // The enrolment used this step's code: the app's next one signs in.
      await code.fill(codeFor(secret, 1));
      await main.getByRole("button", { name: en.twoFactor.signIn.submit, exact: true }).click();
      await w.page.waitForURL(h.url("/me"));
      await w.page.goto(h.url("/moderation"));
      await see(w.page.getByRole("heading", { level: 1 })).visible();
      expect(new URL(w.page.url()).pathname).toBe("/moderation");
      expectClean(w);
    });
  });
}
