// A weekly digest in a real browser (Chromium, JavaScript off; issue 16,
// item 3; ADR 0028): a person chooses the weekly digest on the settings page,
// follows a suggestion, comments arrive on it; nothing is emailed during the
// week; the server's clock is moved past the week's end (ADR 0024) and its
// own outbox pass sends ONE digest to a fake SMTP server; the unsubscribe link
// from that email, opened in a fresh browser with no session, turns email off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { addComment } from "~/models/comment.server";
import { testDialect } from "../support/db";
import { serverClock } from "../support/clock";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { parseMessage, startFakeSmtp, type FakeSmtp } from "../support/smtp";
import { unsubscribeToken } from "~/models/notification-settings.server";
import { expectNoAxeViolations, LANGS, languageContext, tr } from "./a11y";
import { browserHarness, expectClean, see, signIn } from "./helpers";

const WEEK_MS = 7 * 86_400_000;
const clock = serverClock();
// Filled in before the harness starts the server (its beforeAll runs after this one).
const env: Record<string, string> = { OUTBOX_INTERVAL_MS: "200", PAGE_CACHE_SECONDS: "0", ...clock.env };
let smtp: FakeSmtp;
beforeAll(async () => {
  smtp = await startFakeSmtp();
  env.SMTP_URL = smtp.url;
});
afterAll(async () => {
  await smtp?.close();
  clock.remove();
});

const h = browserHarness({ env });

describe(`a weekly digest and its unsubscribe link in the browser (${testDialect})`, () => {
  it("weekly chosen on the settings page → comments during the week → one digest after it → unsubscribe with no session", async () => {
    const author = await makeUser(h.t.db);
    const moderator = await makeUser(h.t.db, { role: "moderator" });
    const commenter = await makeUser(h.t.db);
    const reader = await makeUser(h.t.db, { displayName: "Wajiha Weekly" });
    const title = "Shared cold store for Multan mango growers";
    const id = await makePublishedSubmission(h.t.db, { authorId: author.id, moderatorId: moderator.id, input: { title } });

    const w = await h.openPage({ javaScriptEnabled: false });
    const { page } = w;
    await signIn(h, w, reader, { to: "/me/notifications", js: false });
    await page.getByRole("link", { name: en.notificationSettings.link }).click();
    await page.waitForURL(h.url("/me/notifications/settings"));
    await see(page.getByText(en.notificationSettings.defaultNote)).visible();
    await page.getByRole("radio", { name: en.notificationSettings.options.weekly }).check();
    await page.getByRole("button", { name: en.notificationSettings.save, exact: true }).click();
    await see(page.getByText(en.notificationSettings.saved)).visible();
    expect(await page.getByRole("radio", { name: en.notificationSettings.options.weekly }).isChecked()).toBe(true);

    // Follow the suggestion; two comments arrive on it.
    await page.goto(h.url(`/submissions/${id}`));
    await page.getByRole("button", { name: "Follow", exact: true }).click();
    await see(page.getByRole("button", { name: "Unfollow", exact: true })).visible();
    for (const body of ["We store mangoes for two weeks at most.", "A shared store would help Shujabad too."]) {
      expect(await addComment(h.t.db, { submissionId: id, authorId: commenter.id, body })).toMatchObject({ ok: true });
    }
    await new Promise((r) => setTimeout(r, 800)); // several passes of the server's sender
    expect(smtp.messages.filter((m) => m.to.includes(reader.email))).toHaveLength(0);

    // The week ends (for the server): one digest, and only one however many passes follow.
    clock.advance(WEEK_MS);
    let mine = smtp.messages.filter((m) => m.to.includes(reader.email));
    for (let i = 0; i < 150 && mine.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      mine = smtp.messages.filter((m) => m.to.includes(reader.email));
    }
    await new Promise((r) => setTimeout(r, 800));
    mine = smtp.messages.filter((m) => m.to.includes(reader.email));
    expect(mine).toHaveLength(1);
    const digest = parseMessage(mine[0].raw);
    expect(digest.header("Subject")).toMatch(/^Your Mashwara weekly digest: /);
    expect(digest.text).toContain(title);
    expect(digest.text.split(en.notification.followed.commented).length - 1).toBe(2);
    expect(digest.header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const link = digest.text.match(/https?:\/\/\S+\/unsubscribe\/\S+/)?.[0];
    expect(link).toBeDefined();
    expect(digest.header("List-Unsubscribe")).toBe(`<${link}>`);

    // The link, in a fresh browser with no session: the page explains, the button turns email off.
    const fresh = await h.openPage({ javaScriptEnabled: false });
    await fresh.page.goto(h.url(new URL(link!).pathname));
    await see(fresh.page.getByText(en.unsubscribe.intro)).visible();
    await fresh.page.getByRole("button", { name: en.unsubscribe.button, exact: true }).click();
    await see(fresh.page.getByText(en.unsubscribe.done)).visible();
    await see(fresh.page.getByRole("link", { name: en.unsubscribe.settings })).visible();
    const row = await h.t.db.selectFrom("users").select("email_frequency").where("id", "=", reader.id).executeTakeFirstOrThrow();
    expect(row.email_frequency).toBe("off");
    expectClean(w);
    expectClean(fresh);
  });

  for (const lang of LANGS) {
    it(`the settings and unsubscribe pages in ${lang}, without JavaScript: axe-clean, labelled choices, the page after unsubscribing`, async () => {
      const person = await makeUser(h.t.db, { locale: lang });
      const w = await h.openPage(await languageContext(h.url("/"), lang, { javaScriptEnabled: false }), [
        "400 POST /me/notifications/settings",
      ]);
      await signIn(h, w, person, { to: "/me/notifications/settings", js: false, lang });
      await see(w.page.getByRole("radio", { name: tr(lang, "notificationSettings.options.daily") })).visible();
      await expectNoAxeViolations(w.page, `settings (${lang})`);
      await w.page.getByRole("button", { name: tr(lang, "notificationSettings.save"), exact: true }).click();
      // Nothing chosen: the error summary, and nothing saved.
      await see(w.page.getByRole("alert")).visible();
      await expectNoAxeViolations(w.page, `settings with an error (${lang})`);

      const fresh = await h.openPage(await languageContext(h.url("/"), lang, { javaScriptEnabled: false }), [
        "410 GET /unsubscribe/1.not-a-real-signature",
      ]);
      await fresh.page.goto(h.url(`/unsubscribe/${await unsubscribeToken(h.t.db, person.id)}`));
      await expectNoAxeViolations(fresh.page, `unsubscribe (${lang})`);
      await fresh.page.getByRole("button", { name: tr(lang, "unsubscribe.button"), exact: true }).click();
      await see(fresh.page.getByText(tr(lang, "unsubscribe.done"))).visible();
      await expectNoAxeViolations(fresh.page, `unsubscribed (${lang})`);
      await fresh.page.goto(h.url("/unsubscribe/1.not-a-real-signature"));
      await see(fresh.page.getByText(tr(lang, "unsubscribe.dead"))).visible();
      await expectNoAxeViolations(fresh.page, `unsubscribe, a link that does not work (${lang})`);
      expect(
        (await h.t.db.selectFrom("users").select("email_frequency").where("id", "=", person.id).executeTakeFirstOrThrow()).email_frequency,
      ).toBe("off");
      expectClean(w);
      expectClean(fresh);
    });
  }
});
