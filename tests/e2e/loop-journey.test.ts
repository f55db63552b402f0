// Closing the loop as a new user would try it (issue 16, "Done when"), in
// Chromium, with the emails going through a REAL SMTP conversation with a test
// server (tests/support/smtp.ts) sent by the server's own outbox sender:
//
// 1. A new participant, reading Mashwara in Urdu with JavaScript off,
//    registers through /register, confirms the address with the link from the
//    confirmation email (through SMTP, in Urdu), and supports a suggestion
//    through the page's plain form.
// 2. An organiser, through the organiser pages (JavaScript on), drafts a
//    recommendation, links the suggestion into it by its number, marks it
//    final and records the government's response.
// 3. Someone who neither wrote nor supported anything follows the
//    recommendation from its public page.
// 4. The supporter gets the response email IN URDU with the status and the
//    response text, and reads the news on /me and /me/notifications (Urdu),
//    each linking to the recommendation (and axe-clean).
// 5. The organiser adds a progress update: the follower hears of it in the
//    app (/me/notifications) and by email.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { GOOD_PASSWORD, makePublishedSubmission, makeUser, uniqueEmail, type MadeUser } from "../support/factories";
import { parseMessage, startFakeSmtp, type FakeSmtp, type ParsedMessage } from "../support/smtp";
import { expectNoAxeViolations, languageContext, tr } from "./a11y";
import { browserHarness, expectClean, hydrated, see, signIn } from "./helpers";

let smtp: FakeSmtp;
// Registered before the harness's own hooks: the SMTP server is listening when the app server starts.
beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(async () => {
  await smtp?.close();
});
const h = browserHarness({ env: () => ({ SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "200", PAGE_CACHE_SECONDS: "0" }) });

const SUGGESTION = "Common effluent treatment plant for Kasur tanneries";
const RECOMMENDATION = "Shared effluent treatment for every tannery cluster";
const RESPONSE_TEXT = "The Punjab Environmental Protection Agency will fund two plants from July.";
const PROGRESS_TEXT = "Land allotted in Kasur; the tender for the first plant is out.";

/** The first message to `to` whose subject starts with `subject`, once the outbox sender has delivered it. */
async function mailTo(to: string, subject: string): Promise<ParsedMessage> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = smtp.messages
      .filter((m) => m.to.includes(to))
      .map((m) => parseMessage(m.raw))
      .filter((m) => (m.header("Subject") ?? "").startsWith(subject));
    if (found.length) {
      expect(found, `messages to ${to} starting "${subject}"`).toHaveLength(1);
      return found[0];
    }
    if (Date.now() > deadline) {
      const seen = smtp.messages.map((m) => `${m.to.join(",")}: ${parseMessage(m.raw).header("Subject")}`);
      throw new Error(`no message to ${to} with a subject starting "${subject}"; the SMTP server got:\n${seen.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A conform form of the organiser's recommendation page, by its id. */
const form = (page: Page, id: string) => page.locator(`form#${id}`);

describe(`closing the loop as a new user would (${testDialect})`, () => {
  const supporter = { email: uniqueEmail("loop"), displayName: "ثنا حامی" };
  let follower: MadeUser;
  let organiser: MadeUser;
  let suggestion = 0;
  let recommendation = 0;

  /** On `path`, the news `text` is listed with a link to the recommendation it is about, named by its title. */
  async function seeNews(page: Page, path: string, text: string) {
    await page.goto(h.url(path));
    const item = page.getByRole("main").getByRole("listitem").filter({ hasText: text });
    await see(item).count(1);
    const link = item.getByRole("link", { name: new RegExp(RECOMMENDATION) });
    await see(link).count(1);
    expect(await link.getAttribute("href"), `${text} on ${path}`).toBe(`/recommendations/${recommendation}`);
    await expectNoAxeViolations(page, `${path} with "${text}"`);
  }

  beforeAll(async () => {
    await h.t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    const author = await makeUser(h.t.db, { displayName: "Amina Author" });
    const moderator = await makeUser(h.t.db, { role: "moderator" });
    organiser = await makeUser(h.t.db, { role: "organiser", displayName: "Omar Organiser" });
    follower = await makeUser(h.t.db, { displayName: "Faisal Follower" });
    suggestion = await makePublishedSubmission(h.t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "leather", title: SUGGESTION },
    });
  });

  /** Chooses "email at once" on the settings page, in the page's language. */
  async function chooseInstant(page: Page, lng: "en" | "ur") {
    await page.goto(h.url("/me/notifications/settings"));
    await page.getByRole("radio", { name: tr(lng, "notificationSettings.options.instant"), exact: true }).check();
    await page
      .getByRole("main")
      .getByRole("button", { name: tr(lng, "notificationSettings.save"), exact: true })
      .click();
    await see(page.getByText(tr(lng, "notificationSettings.saved"), { exact: true })).visible();
  }

  it("support → recommendation → response (email in Urdu, news on /me) → a follower hears of the progress", async () => {
    // 1. The supporter, in Urdu, without JavaScript: registers, confirms from the email, supports.
    const s = await h.openPage(await languageContext(h.url("/"), "ur", { javaScriptEnabled: false }));
    await s.page.goto(h.url("/register"));
    await s.page.locator("input[name=displayName]").fill(supporter.displayName);
    await s.page.locator("input[name=email]").fill(supporter.email);
    await s.page.locator("input[name=password]").fill(GOOD_PASSWORD);
    await s.page.locator("input[name=organisationName]").fill("قصور ٹینرز ایسوسی ایشن");
    await s.page.locator("select[name=organisationType]").selectOption("association");
    await s.page.locator("select[name=sizeBand]").selectOption("small");
    await s.page.locator("select[name=cluster]").selectOption("leather");
    await s.page.locator("input[name=city]").fill("قصور");
    await s.page.locator("select[name=province]").selectOption("punjab");
    await s.page
      .getByRole("main")
      .getByRole("button", { name: tr("ur", "register.submit"), exact: true })
      .click();
    await s.page.waitForURL(h.url("/me"));
    const confirmMail = await mailTo(supporter.email, tr("ur", "email.account.confirm.subject"));
    const link = /\/confirm-email\/[A-Za-z0-9_-]+/.exec(confirmMail.text)?.[0];
    expect(link, confirmMail.text).toBeDefined();
    await s.page.goto(h.url(link!));
    await s.page
      .getByRole("main")
      .getByRole("button", { name: tr("ur", "confirmEmail.submit"), exact: true })
      .click();
    await s.page.waitForURL(h.url("/me?emailConfirmed=1"));
    // Email at once (ADR 0028: by default news of what one only supported waits for the
    // weekly digest; tests/e2e/digest-journey.test.ts follows a digest).
    await chooseInstant(s.page, "ur");
    await s.page.goto(h.url(`/submissions/${suggestion}`));
    await s.page.getByRole("button", { name: tr("ur", "support.support"), exact: true }).click();
    await see(s.page.getByRole("button", { name: tr("ur", "support.withdraw"), exact: true })).visible();
    // Supporting follows: the page offers to unfollow.
    await see(s.page.getByRole("button", { name: tr("ur", "follow.unfollow"), exact: true })).visible();

    // 2. The organiser, in English, with JavaScript: a draft, the source linked by its number, final, the response.
    const o = await h.openPage(await languageContext(h.url("/"), "en"));
    const op = o.page;
    await signIn(h, o, organiser, { to: "/organiser/recommendations" });
    const create = form(op, "create-recommendation");
    await create.getByLabel(tr("en", "recommendation.field.title"), { exact: true }).fill(RECOMMENDATION);
    await create
      .getByLabel(tr("en", "recommendation.field.text"), { exact: true })
      .fill("Build and run common effluent treatment plants in Kasur and Sialkot, financed by the export development fund.");
    await create.locator('input[name="cluster"][value="leather"]').check();
    await create.locator('input[name="category"][value="value-addition"]').check();
    await create.getByLabel(tr("en", "recommendation.field.priority"), { exact: true }).selectOption("1");
    await create.getByLabel(tr("en", "recommendation.field.status"), { exact: true }).selectOption("draft");
    await create.getByRole("button").click();
    await op.waitForURL(/\/organiser\/recommendations\/\d+$/);
    recommendation = Number(/(\d+)$/.exec(new URL(op.url()).pathname)![1]);
    await hydrated(o);

    await form(op, "link").getByLabel(tr("en", "recommendation.sources.byNumber"), { exact: true }).fill(String(suggestion));
    await form(op, "link")
      .getByRole("button", { name: tr("en", "recommendation.sources.link"), exact: true })
      .click();
    await see(op.locator("table.sources").getByRole("link", { name: new RegExp(SUGGESTION) })).visible();

    await form(op, "update").getByLabel(tr("en", "recommendation.field.status"), { exact: true }).selectOption("final");
    await form(op, "update")
      .getByRole("button", { name: tr("en", "recommendation.save"), exact: true })
      .click();
    await see(form(op, "respond")).visible();

    // 3. A follower (neither author nor supporter) follows the now public recommendation.
    const f = await h.openPage(await languageContext(h.url("/"), "en"));
    await signIn(h, f, follower, { to: "/me/notifications/settings" });
    await chooseInstant(f.page, "en");
    await f.page.goto(h.url(`/recommendations/${recommendation}`));
    await f.page.getByRole("button", { name: tr("en", "follow.follow"), exact: true }).click();
    await see(f.page.getByRole("button", { name: tr("en", "follow.unfollow"), exact: true })).visible();

    const respond = form(op, "respond");
    await respond.getByLabel(tr("en", "recommendation.response.status"), { exact: true }).selectOption("accepted");
    await respond.getByLabel(tr("en", "recommendation.response.text"), { exact: true }).fill(RESPONSE_TEXT);
    await respond.getByLabel(tr("en", "recommendation.response.agency"), { exact: true }).fill("Punjab EPA");
    await respond.getByLabel(tr("en", "recommendation.response.date"), { exact: true }).fill("2027-04-01");
    await respond.getByRole("button", { name: tr("en", "recommendation.response.submit"), exact: true }).click();
    await see(op.locator("section[aria-labelledby=respond-title] dl.facts")).visible();

    // 4. The supporter's email, in Urdu, through SMTP: the status and the response text.
    const accepted = tr("ur", "recommendation.response.statuses.accepted");
    const responseMail = await mailTo(supporter.email, tr("ur", "email.responded.subject", { title: "" }));
    // Text people wrote is isolated (FSI … PDI) inside an Urdu sentence (app/lib/format.ts).
    const isolated = (text: string) => `\u2068${text}\u2069`;
    // The recommendation has only an English version: the Urdu email quotes it and says so (issue 18, ADR 0032).
    expect(responseMail.header("Subject")).toBe(
      tr("ur", "email.responded.subject", { title: isolated(`${RECOMMENDATION} ${tr("ur", "recommendation.language.missingShort")}`) }),
    );
    expect(responseMail.text).toContain(tr("ur", "email.greeting", { name: isolated(supporter.displayName) }));
    expect(responseMail.text).toContain(tr("ur", "email.responseStatus", { status: accepted }));
    expect(responseMail.text).toContain(RESPONSE_TEXT);
    expect(responseMail.text).toContain(`${h.server.url}/recommendations/${recommendation}`);
    // ... and on /me and /me/notifications, in Urdu, pointing at the recommendation.
    for (const path of ["/me", "/me/notifications"]) await seeNews(s.page, path, tr("ur", "notification.responded"));

    // 5. Progress, through the organiser's form: the follower hears of it in the app and by email.
    const progress = form(op, "progress");
    await progress.getByLabel(tr("en", "recommendation.progress.status"), { exact: true }).selectOption("in-progress");
    await progress.getByLabel(tr("en", "recommendation.progress.text"), { exact: true }).fill(PROGRESS_TEXT);
    await progress.getByLabel(tr("en", "recommendation.progress.date"), { exact: true }).fill("2027-05-02");
    await progress.getByRole("button", { name: tr("en", "recommendation.progress.submit"), exact: true }).click();
    await see(op.getByText(PROGRESS_TEXT, { exact: true })).visible();

    const progressMail = await mailTo(follower.email, tr("en", "email.progress.subject", { title: "" }));
    expect(progressMail.header("Subject")).toBe(tr("en", "email.progress.subject", { title: RECOMMENDATION }));
    expect(progressMail.text).toContain(`${h.server.url}/recommendations/${recommendation}`);
    expect(progressMail.text).toContain(tr("en", "email.unfollowHint"));
    for (const path of ["/me", "/me/notifications"]) await seeNews(f.page, path, tr("en", "notification.progress"));
    // The follower is told of the progress once, and the supporter (who follows through the source) in Urdu.
    await mailTo(supporter.email, tr("ur", "email.progress.subject", { title: "" }));

    for (const w of [s, o, f]) expectClean(w);
  });
});
