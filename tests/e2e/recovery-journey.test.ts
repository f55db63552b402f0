// Account recovery in real Chromium (issue 15, item 2), as a person who forgot
// their password would go: the sign-in page's link, the address, the link from
// the email (read from the outbox, as the server log or a mailbox would give
// it), a new password; the session on another device ends, the new password
// works, and the link does not work twice. With JavaScript on and off.
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { makeUser } from "../support/factories";
import { browserHarness, expectClean, hydrated, see, signIn } from "./helpers";

const h = browserHarness();
const NEW_PASSWORD = "monsoon clouds over the Margalla trail";

async function resetLinkFor(email: string): Promise<string> {
  const row = await h.t.db
    .selectFrom("email_outbox")
    .select("body")
    .where("to_email", "=", email)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  const m = row.body.match(/\/reset-password\/[a-z2-7]{32}/);
  if (!m) throw new Error(`no reset link in ${row.body}`);
  return m[0];
}

describe("forgot password → reset → sign in", () => {
  for (const js of [true, false]) {
    it(`the whole way ${js ? "with" : "without"} JavaScript; the old session ends and the link works once`, async () => {
      const user = await makeUser(h.t.db, { displayName: "Forgetful Farmer" });
      // Signed in on another device (a phone left somewhere).
      const phone = await h.openPage();
      await signIn(h, phone, user);

      // The second visit of the link is a 410, on purpose (its path is known once the email is).
      const expected: string[] = [];
      const w = await h.openPage({ javaScriptEnabled: js }, expected);
      const main = w.page.getByRole("main");
      await w.page.goto(h.url("/login"));
      if (js) await hydrated(w);
      await main.getByRole("link", { name: en.recovery.forgot.link }).click();
      await w.page.waitForURL(h.url("/forgot-password"));
      if (js) await hydrated(w);
      await main.getByLabel(en.login.email, { exact: true }).fill(user.email);
      await main.getByRole("button", { name: en.recovery.forgot.submit }).click();
      await w.page.waitForURL(h.url("/forgot-password?sent=1"));
      await see(main.getByText(en.recovery.forgot.sent)).visible();

      const link = await resetLinkFor(user.email);
      expected.push(`410 GET ${link}`);
      await w.page.goto(h.url(link));
      if (js) await hydrated(w);
      await main.getByLabel(en.recovery.reset.password, { exact: true }).fill(NEW_PASSWORD);
      await main.getByRole("button", { name: en.recovery.reset.submit }).click();
      await w.page.waitForURL(h.url("/login?reset=1"));
      await see(main.getByText(en.recovery.reset.done)).visible();

      // The phone's session is gone.
      await phone.page.goto(h.url("/me"));
      await phone.page.waitForURL(/\/login\?redirectTo=/);

      // The new password works (the old one was replaced).
      await signIn(h, w, { email: user.email, password: NEW_PASSWORD }, { js });
      await see(main.getByRole("heading", { level: 1 })).visible();

      // The link worked once.
      const again = await w.page.goto(h.url(link));
      expect(again?.status()).toBe(410);
      await see(main.getByText(en.recovery.reset.dead)).visible();
      await see(main.getByRole("link", { name: en.recovery.reset.askAgain })).visible();
      expectClean(w);
      expectClean(phone);
    });
  }
});
