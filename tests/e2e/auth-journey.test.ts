// The account journey in a real browser: Debian's Chromium driven by
// playwright-core against the built server (its own process, its own database:
// SQLite, or PostgreSQL when TEST_DATABASE_URL is set).
//
//   / → Register → fill the form by its labels → /me → sign out (header)
//     → Sign in (/login) → /me → sign out
//
// once with JavaScript and once without; a refused registration (a common
// password) that shows the error summary and keeps what was typed; the Urdu
// pages (right-to-left). Every page is watched: a console error, a CSP
// violation, an uncaught exception, a failed request or an unexpected 4xx/5xx
// fails the test, and so does an error line in the server's log.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { GOOD_PASSWORD, uniqueEmail } from "../support/factories";
import {
  browserHarness,
  expectClean,
  header,
  htmlAttributes,
  hydrated,
  markDocument,
  nav,
  sameDocument,
  see,
  STEP_TIMEOUT,
  type KnownIssue,
} from "./helpers";

/**
 * Faults of the app that are known and reported, ignored by the page watcher so
 * the journeys test everything else. Each has a tripwire test below that fails
 * as soon as the fault is gone: then delete the entry (and the tripwire).
 */
const KNOWN_ISSUES: KnownIssue[] = [
  // None at present. (zod's `new Function` probe tripped the CSP until
  // app/lib/schemas.ts set `z.config({ jitless: true })`; the test below guards it.)
];

const h = browserHarness({ knownIssues: KNOWN_ISSUES });
const openPage = h.openPage;
const url = (path: string) => h.url(path);

// ---------------------------------------------------------------------------
// helpers

interface Registration {
  displayName: string;
  email: string;
  password: string;
  organisationName: string;
  city: string;
}

function newPerson(overrides: Partial<Registration> = {}): Registration {
  return {
    displayName: "Amina Sheikh",
    email: uniqueEmail("e2e"),
    password: GOOD_PASSWORD,
    organisationName: "Sialkot Tanners",
    city: "Sialkot",
    ...overrides,
  };
}

/** Fills the registration form the way a person does: by the visible labels. */
async function fillRegistration(page: Page, p: Registration) {
  await page.getByLabel("Your name", { exact: true }).fill(p.displayName);
  await page.getByLabel("Email", { exact: true }).fill(p.email);
  await page.getByLabel("Password", { exact: true }).fill(p.password);
  await page.getByLabel("Organisation name", { exact: true }).fill(p.organisationName);
  await page.getByLabel("Type of organisation", { exact: true }).selectOption({ label: "Firm" });
  await page.getByLabel("Size", { exact: true }).selectOption({ label: "Small" });
  await page.getByLabel("Main cluster", { exact: true }).selectOption({ label: "Leather" });
  await page.getByLabel("City", { exact: true }).fill(p.city);
  await page.getByLabel("Province or territory", { exact: true }).selectOption({ label: "Punjab" });
  await page.getByLabel("Show my organisation's name with my suggestions", { exact: true }).check();
}

async function userRow(email: string) {
  return h.t.db
    .selectFrom("users")
    .select(["id", "display_name", "role", "status", "show_organisation", "organisation_id"])
    .where("email_normalised", "=", email.toLowerCase())
    .executeTakeFirst();
}

async function sessionCount(userId: number): Promise<number> {
  const rows = await h.t.db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute();
  return rows.length;
}

async function expectOnMyPage(page: Page, p: Registration) {
  await page.waitForURL(url("/me"));
  await see(page.getByRole("heading", { level: 1 })).text("My page");
  const main = page.getByRole("main");
  await see(main.getByText(p.displayName, { exact: true })).visible();
  await see(main.getByText(p.email, { exact: true })).visible();
  await see(main.getByText(p.organisationName, { exact: true })).visible();
  await see(main.getByText("Leather", { exact: true })).visible();
  await see(main.getByText(p.city, { exact: true })).visible();
  // the header knows someone is signed in
  await see(nav(page).getByRole("link", { name: "My page", exact: true })).visible();
  await see(nav(page).getByRole("link", { name: "Sign in", exact: true })).count(0);
}

async function signOutFromHeader(page: Page) {
  await header(page).getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(url("/"));
  await see(nav(page).getByRole("link", { name: "Sign in", exact: true })).visible();
  await see(nav(page).getByRole("link", { name: "Register", exact: true })).visible();
  await see(header(page).getByRole("button", { name: "Sign out", exact: true })).count(0);
}

// ---------------------------------------------------------------------------

describe(`accounts in Chromium (${testDialect})`, () => {
  for (const js of [true, false]) {
    const mode = js ? "with JavaScript" : "without JavaScript";

    it(`registers, signs out, signs in and signs out again (${mode})`, async () => {
      const w = await openPage({ javaScriptEnabled: js });
      const { page } = w;
      const person = newPerson();

      await page.goto(url("/"));
      expect(await htmlAttributes(page)).toEqual({ lang: "en", dir: "ltr" });
      if (js) {
        await hydrated(w);
        await markDocument(page);
      }
      await nav(page).getByRole("link", { name: "Register", exact: true }).click();
      await page.waitForURL(url("/register"));
      await see(page.getByRole("heading", { level: 1 })).text("Register");

      await fillRegistration(page, person);
      await page.getByRole("button", { name: "Create account", exact: true }).click();
      await expectOnMyPage(page, person);

      const user = await userRow(person.email);
      expect(user).toMatchObject({ display_name: person.displayName, role: "stakeholder", status: "active" });
      expect(Number(user!.show_organisation)).toBe(1);
      expect(user!.organisation_id).not.toBeNull();
      expect(await sessionCount(user!.id)).toBe(1);
      // with JavaScript, the router did it all in one document (no full reloads)
      expect(await sameDocument(page)).toBe(js);

      await signOutFromHeader(page);
      expect(await sessionCount(user!.id)).toBe(0);

      await nav(page).getByRole("link", { name: "Sign in", exact: true }).click();
      await page.waitForURL(url("/login"));
      await see(page.getByRole("heading", { level: 1 })).text("Sign in");
      await page.getByLabel("Email", { exact: true }).fill(person.email);
      await page.getByLabel("Password", { exact: true }).fill(person.password);
      await page.getByRole("main").getByRole("button", { name: "Sign in", exact: true }).click();
      await expectOnMyPage(page, person);
      expect(await sessionCount(user!.id)).toBe(1);
      expect(await sameDocument(page)).toBe(js);

      await signOutFromHeader(page);
      expect(await sessionCount(user!.id)).toBe(0);

      // the browser kept no working session: /me sends it to sign in
      await page.goto(url("/me"));
      await page.waitForURL(url("/login?redirectTo=%2Fme"));
      expectClean(w);
    });

    it(`a refused registration shows the error summary and keeps what was typed (${mode})`, async () => {
      // The refusal is a 400 by design; any other 4xx/5xx still fails the test.
      const w = await openPage({ javaScriptEnabled: js }, ["400 POST /register"]);
      const { page } = w;
      const person = newPerson({
        displayName: "Bilal Ahmed",
        password: "password123",
        organisationName: "Gujranwala Cutlery Works",
        city: "Gujranwala",
      });

      await page.goto(url("/register"));
      if (js) await hydrated(w);
      await fillRegistration(page, person);
      await page.getByRole("button", { name: "Create account", exact: true }).click();

      const summary = page.getByRole("alert");
      await see(summary).visible();
      await see(summary.getByRole("heading")).text("There is a problem");
      await see(
        summary.getByRole("link", {
          name: "Password: This password is one of the most commonly used and easy to guess. Choose another.",
          exact: true,
        }),
      ).visible();
      expect(new URL(page.url()).pathname).toBe("/register");
      expect(await userRow(person.email)).toBeUndefined();

      // everything typed is still there, except the password
      await see(page.getByLabel("Your name", { exact: true })).value(person.displayName);
      await see(page.getByLabel("Email", { exact: true })).value(person.email);
      await see(page.getByLabel("Organisation name", { exact: true })).value(person.organisationName);
      await see(page.getByLabel("City", { exact: true })).value(person.city);
      await see(page.getByLabel("Type of organisation", { exact: true })).value("firm");
      await see(page.getByLabel("Size", { exact: true })).value("small");
      await see(page.getByLabel("Main cluster", { exact: true })).value("leather");
      await see(page.getByLabel("Province or territory", { exact: true })).value("punjab");
      await see(page.getByLabel("Show my organisation's name with my suggestions", { exact: true })).checked(true);
      // The server never sends the password back (hideFields). With JavaScript the
      // form is not reloaded, so the browser keeps what was typed in the field.
      if (!js) await see(page.getByLabel("Password", { exact: true })).value("");

      // and a better password is all it takes
      await page.getByLabel("Password", { exact: true }).fill(GOOD_PASSWORD);
      await page.getByRole("button", { name: "Create account", exact: true }).click();
      await expectOnMyPage(page, { ...person, password: GOOD_PASSWORD });
      expect(await userRow(person.email)).toMatchObject({ display_name: person.displayName });
      expectClean(w);
    });
  }

  it("serves Urdu right to left to a browser set to Urdu (locale ur-PK)", async () => {
    const w = await openPage({ locale: "ur-PK" });
    const { page } = w;
    await page.goto(url("/"));
    expect(await htmlAttributes(page)).toEqual({ lang: "ur", dir: "rtl" });
    await hydrated(w);
    // hydration must not flip it back to English
    expect(await htmlAttributes(page)).toEqual({ lang: "ur", dir: "rtl" });
    const urduNav = page.getByRole("navigation", { name: "مرکزی" });
    await see(urduNav.getByRole("link", { name: "سائن اِن", exact: true })).visible();

    await urduNav.getByRole("link", { name: "رجسٹر کریں", exact: true }).click();
    await page.waitForURL(url("/register"));
    await see(page.getByRole("heading", { level: 1 })).text("رجسٹر کریں");
    await see(page.getByLabel("آپ کا نام", { exact: true })).visible();
    expect(await htmlAttributes(page)).toEqual({ lang: "ur", dir: "rtl" });
    // the self-hosted Nastaliq font loads (font-src 'self'); its local fallbacks' families
    // ("Noto Nastaliq Urdu Fallback …", app/styles/urdu-font.css) are not it
    const nastaliq = await page.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((f) => f.family.replace(/["']/g, "") === "Noto Nastaliq Urdu").map((f) => f.status);
    });
    expect(nastaliq).toContain("loaded");
    expectClean(w);
  });

  it("serves Urdu for Accept-Language: ur, without JavaScript too", async () => {
    const w = await openPage({ javaScriptEnabled: false, extraHTTPHeaders: { "Accept-Language": "ur" } });
    const { page } = w;
    for (const [path, title] of [
      ["/", null],
      ["/login", "سائن اِن"],
      ["/register", "رجسٹر کریں"],
    ] as const) {
      await page.goto(url(path));
      expect(await htmlAttributes(page), path).toEqual({ lang: "ur", dir: "rtl" });
      if (title) await see(page.getByRole("heading", { level: 1 })).text(title);
    }
    expectClean(w);
  });

  it("switches an English page to Urdu and back with the header's language button", async () => {
    const w = await openPage({ locale: "en-GB" });
    const { page } = w;
    await page.goto(url("/register"));
    await hydrated(w);
    expect(await htmlAttributes(page)).toEqual({ lang: "en", dir: "ltr" });

    await header(page).getByRole("button", { name: "اردو", exact: true }).click();
    await see(page.getByRole("heading", { level: 1 })).text("رجسٹر کریں");
    expect(new URL(page.url()).pathname).toBe("/register");
    await expect.poll(() => htmlAttributes(page), { timeout: STEP_TIMEOUT }).toEqual({ lang: "ur", dir: "rtl" });

    await header(page).getByRole("button", { name: "English", exact: true }).click();
    await see(page.getByRole("heading", { level: 1 })).text("Register");
    await expect.poll(() => htmlAttributes(page), { timeout: STEP_TIMEOUT }).toEqual({ lang: "en", dir: "ltr" });
    expectClean(w);
  });

  it("validates a form in the browser without tripping the CSP (zod runs jitless: no eval)", async () => {
    const w = await openPage();
    const { page } = w;
    await page.goto(url("/login"));
    await hydrated(w);
    // an empty form: conform validates it in the browser (zod runs there) and sends nothing
    await page.getByRole("main").getByRole("button", { name: "Sign in", exact: true }).click();
    await see(page.getByRole("alert").getByRole("heading")).text("There is a problem");
    expect(new URL(page.url()).pathname).toBe("/login");
    // Give a late violation report time to arrive before declaring the page clean.
    await page.waitForTimeout(500);
    expect(w.knownIssuesSeen.size).toBe(0);
    expectClean(w);
  });
});
