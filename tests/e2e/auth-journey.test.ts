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
import fs from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { GOOD_PASSWORD, uniqueEmail } from "../support/factories";
import { startServer, type RunningServer } from "../support/server";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/**
 * Faults of the app that are known and reported, ignored by the page watcher so
 * the journeys test everything else. Each has a tripwire test below that fails
 * as soon as the fault is gone: then delete the entry (and the tripwire).
 */
const KNOWN_ISSUES: Array<{ id: string; pattern: RegExp }> = [
  // None at present. (zod's `new Function` probe tripped the CSP until
  // app/lib/schemas.ts set `z.config({ jitless: true })`; the test below guards it.)
];

/** Playwright's own waits (clicks, URLs, selectors): well inside vitest's 60 s per test. */
const STEP_TIMEOUT = 15_000;

let t: TestDb | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

/** Why the browser or the server could not be set up: every test fails with it (none is skipped). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing: ${CHROMIUM} does not exist. The browser tests need Debian's Chromium: ` +
          "run `apt-get update && apt-get install -y chromium` (never `npx playwright install`).",
      );
    }
    t = await createTestDb();
    server = await startServer({ databaseUrl: t.url });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    console.info(`browser journeys: Chromium ${browser.version()} against ${server.url} on ${testDialect}`);
  } catch (error) {
    setupError = error as Error;
  }
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  await t?.destroy();
});

// ---------------------------------------------------------------------------
// helpers

interface Watched {
  page: Page;
  /** everything that went wrong in the browser: console errors, CSP violations, exceptions, failed requests, 4xx/5xx */
  problems: string[];
  /** ids of KNOWN_ISSUES that showed up (and were not counted as problems) */
  knownIssuesSeen: Set<string>;
  /** the server log written since the page was opened */
  serverLog(): string;
}

/**
 * A fresh context and page, watched from the first request on. `expectedStatuses`
 * lists responses that are the point of a test (e.g. "400 POST /register"): they
 * and the console line Chromium prints for them are not problems.
 */
async function openPage(options: BrowserContextOptions = {}, expectedStatuses: string[] = []): Promise<Watched> {
  if (setupError) throw setupError;
  const context = await browser!.newContext(options);
  contexts.push(context);
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT);
  if (options.javaScriptEnabled !== false) {
    // Chromium logs CSP violations to the console itself; this also reports any
    // a page's own code could see, with the directive and the blocked resource.
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
  }
  const page = await context.newPage();
  const problems: string[] = [];
  const seenExpected: string[] = [];
  const knownIssuesSeen = new Set<string>();
  page.on("console", (m) => {
    const text = m.text();
    const isCsp = /content security policy|CSP violation/i.test(text);
    if (m.type() !== "error" && !isCsp) return;
    // "Failed to load resource: … status of 400" for a response the test expects.
    const status = /status of (\d{3})/.exec(text)?.[1];
    if (!isCsp && status && seenExpected.some((s) => s.startsWith(`${status} `))) return;
    const known = KNOWN_ISSUES.find((k) => k.pattern.test(text));
    if (known) {
      knownIssuesSeen.add(known.id);
      return;
    }
    problems.push(`console.${m.type()} on ${page.url()}: ${text}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught exception on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => {
    const failure = r.failure()?.errorText ?? "";
    // A request the browser itself dropped because the page moved on is not a fault.
    if (failure === "net::ERR_ABORTED") return;
    // Without JavaScript, Chromium refuses the page's <link rel="modulepreload"> scripts and
    // reports them as blocked by "csp": that is the switch we turned off, not the site's policy.
    if (options.javaScriptEnabled === false && failure === "csp" && r.resourceType() === "script") return;
    problems.push(`request failed: ${r.method()} ${r.url()}: ${failure}`);
  });
  page.on("response", (r) => {
    if (r.status() < 400) return;
    const key = `${r.status()} ${r.request().method()} ${new URL(r.url()).pathname.replace(/\.data$/, "")}`;
    if (expectedStatuses.includes(key)) seenExpected.push(key);
    else problems.push(`unexpected response: ${key} (${r.url()})`);
  });
  const logStart = server!.output().length;
  return { page, problems, knownIssuesSeen, serverLog: () => server!.output().slice(logStart) };
}

/** Asserts the page stayed clean, and the server logged no error (pino level 50+) meanwhile. */
function expectClean(w: Watched) {
  expect(w.problems, "browser problems").toEqual([]);
  const errorLines = w
    .serverLog()
    .split("\n")
    .filter((line) => /"level":(50|60)/.test(line));
  expect(errorLines, "error lines in the server log").toEqual([]);
}

/**
 * With JavaScript: wait until React has hydrated the page, so clicks go through
 * the client router. If it never does, say why (the page's problems, e.g. a
 * script the CSP refused) rather than only "timeout".
 */
async function hydrated(w: Watched) {
  try {
    await w.page.waitForLoadState("networkidle");
    await w.page.waitForFunction(
      () => {
        const main = document.querySelector("main");
        const router = (window as unknown as { __remixRouter?: unknown }).__remixRouter;
        return Boolean(router) && main !== null && Object.keys(main).some((k) => k.startsWith("__reactFiber"));
      },
      undefined,
      { timeout: 10_000 },
    );
  } catch (error) {
    throw new Error(
      `the page at ${w.page.url()} never hydrated (${(error as Error).message.split("\n")[0]}); the browser reported:\n` +
        (w.problems.length ? w.problems.map((p) => `  - ${p}`).join("\n") : "  (nothing)"),
    );
  }
}

const url = (path: string) => `${server!.url}${path}`;
const header = (page: Page) => page.getByRole("banner");
const nav = (page: Page) => page.getByRole("navigation", { name: "Main" });

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
  return t!.db
    .selectFrom("users")
    .select(["id", "display_name", "role", "status", "show_organisation", "organisation_id"])
    .where("email_normalised", "=", email.toLowerCase())
    .executeTakeFirst();
}

async function sessionCount(userId: number): Promise<number> {
  const rows = await t!.db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute();
  return rows.length;
}


type Locator = ReturnType<Page["locator"]>;

/** vitest's expect does not wait for the page: these wait (up to STEP_TIMEOUT), then assert. */
function see(locator: Locator) {
  const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: STEP_TIMEOUT, interval: 100 });
  return {
    visible: async () => {
      await locator.first().waitFor({ state: "visible" });
      expect(await locator.first().isVisible()).toBe(true);
    },
    count: (n: number) => poll(() => locator.count()).toBe(n),
    text: (text: string) => poll(async () => ((await locator.first().textContent()) ?? "").trim()).toBe(text),
    value: (value: string) => poll(() => locator.inputValue()).toBe(value),
    checked: (checked: boolean) => poll(() => locator.isChecked()).toBe(checked),
  };
}

async function htmlAttributes(page: Page) {
  return page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
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

/** A marker on window survives client-side navigation only: proves JavaScript did the work. */
async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __e2eDocument: boolean }).__e2eDocument = true;
  });
}
async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __e2eDocument?: boolean }).__e2eDocument === true);
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
    // the self-hosted Nastaliq font loads (font-src 'self')
    const nastaliq = await page.evaluate(async () => {
      await document.fonts.ready;
      return [...document.fonts].filter((f) => f.family.includes("Noto Nastaliq Urdu")).map((f) => f.status);
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
