// Shared machinery of the browser journeys: Debian's Chromium driven by
// playwright-core against the built server (its own process, its own database:
// SQLite, or PostgreSQL when TEST_DATABASE_URL is set), and a page watcher that
// turns a console error, a CSP violation, an uncaught exception, a failed
// request, an unexpected 4xx/5xx or an error line in the server's log into a
// failed test.
//
// A test file calls `browserHarness()` once at its top level: that registers the
// beforeAll/afterAll hooks that start and stop the database, the server and the
// browser for the file, and returns what the tests use.
import fs from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { startServer, type RunningServer } from "../support/server";
import { tr, type Lang } from "./a11y";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Playwright's own waits (clicks, URLs, selectors): well inside vitest's 60 s per test. */
export const STEP_TIMEOUT = 15_000;

/**
 * A fault of the app that is known and reported, ignored by the page watcher so
 * the journeys test everything else. Each should have a tripwire test that fails
 * as soon as the fault is gone.
 */
export interface KnownIssue {
  id: string;
  pattern: RegExp;
}

export interface SeenRequest {
  method: string;
  /** the path, with the `.data` suffix of Remix's data requests removed */
  path: string;
  resourceType: string;
  /** a top-level document navigation (a full page load), not a fetch */
  isNavigation: boolean;
}

export interface Watched {
  page: Page;
  /** everything that went wrong in the browser: console errors, CSP violations, exceptions, failed requests, 4xx/5xx */
  problems: string[];
  /** ids of known issues that showed up (and were not counted as problems) */
  knownIssuesSeen: Set<string>;
  /** every request the page made, in order */
  requests: SeenRequest[];
  /** the server log written since the page was opened */
  serverLog(): string;
}

export interface Harness {
  /** the test database the server uses (the same rows the browser sees) */
  readonly t: TestDb;
  readonly server: RunningServer;
  /** an absolute address on the server under test */
  url(path: string): string;
  /**
   * A fresh context and page, watched from the first request on. `expectedStatuses`
   * lists responses that are the point of a test (e.g. "400 POST /register"): they
   * and the console line Chromium prints for them are not problems.
   */
  openPage(options?: BrowserContextOptions, expectedStatuses?: string[]): Promise<Watched>;
}

const pathOf = (u: string) => new URL(u).pathname.replace(/\.data$/, "");

export function browserHarness(
  options: {
    knownIssues?: KnownIssue[];
    /** the server's extra environment; a function is read when the server starts (after the file's earlier beforeAll hooks) */
    env?: Record<string, string> | (() => Record<string, string>);
  } = {},
): Harness {
  const knownIssues = options.knownIssues ?? [];
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
      server = await startServer({ databaseUrl: t.url, env: typeof options.env === "function" ? options.env() : options.env });
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

  const ready = () => {
    if (setupError) throw setupError;
    if (!t || !server || !browser)
      throw new Error("the browser harness is not set up (call browserHarness() at the top level of the test file)");
  };

  async function openPage(contextOptions: BrowserContextOptions = {}, expectedStatuses: string[] = []): Promise<Watched> {
    ready();
    const context = await browser!.newContext(contextOptions);
    contexts.push(context);
    context.setDefaultTimeout(STEP_TIMEOUT);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT);
    if (contextOptions.javaScriptEnabled !== false) {
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
    const requests: SeenRequest[] = [];
    page.on("request", (r) => {
      requests.push({
        method: r.method(),
        path: pathOf(r.url()),
        resourceType: r.resourceType(),
        isNavigation: r.isNavigationRequest() && r.frame() === page.mainFrame(),
      });
    });
    page.on("console", (m) => {
      const text = m.text();
      const isCsp = /content security policy|CSP violation/i.test(text);
      if (m.type() !== "error" && !isCsp) return;
      // "Failed to load resource: … status of 400" for a response the test expects.
      const status = /status of (\d{3})/.exec(text)?.[1];
      if (!isCsp && status && seenExpected.some((s) => s.startsWith(`${status} `))) return;
      const known = knownIssues.find((k) => k.pattern.test(text));
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
      if (contextOptions.javaScriptEnabled === false && failure === "csp" && r.resourceType() === "script") return;
      problems.push(`request failed: ${r.method()} ${r.url()}: ${failure}`);
    });
    page.on("response", (r) => {
      if (r.status() < 400) return;
      const key = `${r.status()} ${r.request().method()} ${pathOf(r.url())}`;
      if (expectedStatuses.includes(key)) seenExpected.push(key);
      else problems.push(`unexpected response: ${key} (${r.url()})`);
    });
    const logStart = server!.output().length;
    return { page, problems, knownIssuesSeen, requests, serverLog: () => server!.output().slice(logStart) };
  }

  return {
    get t() {
      ready();
      return t!;
    },
    get server() {
      ready();
      return server!;
    },
    url: (path: string) => {
      ready();
      return `${server!.url}${path}`;
    },
    openPage,
  };
}

/** Asserts the page stayed clean, and the server logged no error (pino level 50+) meanwhile. */
export function expectClean(w: Watched) {
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
export async function hydrated(w: Watched, options: { networkIdle?: boolean } = {}) {
  try {
    // networkidle waits half a second of quiet on every page; a check of many pages can skip it (load, then hydration).
    await w.page.waitForLoadState(options.networkIdle === false ? "load" : "networkidle");
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

export const header = (page: Page) => page.getByRole("banner");
export const nav = (page: Page) => page.getByRole("navigation", { name: "Main" });

export type Locator = ReturnType<Page["locator"]>;

/** vitest's expect does not wait for the page: these wait (up to STEP_TIMEOUT), then assert. */
export function see(locator: Locator) {
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

export async function htmlAttributes(page: Page) {
  return page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
}

/** A marker on window survives client-side navigation only: proves JavaScript did the work. */
export async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __e2eDocument: boolean }).__e2eDocument = true;
  });
}
export async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __e2eDocument?: boolean }).__e2eDocument === true);
}

/**
 * Signs in as a person does: opens /login?redirectTo=`to`, fills the fields
 * found by their labels, presses the form's "Sign in" button (in `lang`) and
 * waits to land on `to`; with JavaScript, waits for React to take over the
 * login page before typing and the landing page after.
 */
export async function signIn(
  h: Pick<Harness, "url">,
  w: Watched,
  user: { email: string; password: string },
  options: { to?: string; js?: boolean; lang?: Lang } = {},
) {
  const { to = "/me", js = true, lang = "en" } = options;
  const main = w.page.getByRole("main");
  await w.page.goto(h.url(`/login?redirectTo=${encodeURIComponent(to)}`));
  if (js) await hydrated(w);
  await main.getByLabel(tr(lang, "login.email"), { exact: true }).fill(user.email);
  await main.getByLabel(tr(lang, "login.password"), { exact: true }).fill(user.password);
  await main.getByRole("button", { name: tr(lang, "login.submit"), exact: true }).click();
  await w.page.waitForURL(h.url(to));
  if (js) await hydrated(w);
}

/**
 * A made-up word of consonants no other test uses: makes a title unique (and
 * findable by full-text search), and similar to another only on purpose.
 */
export function uniqueWord(length = 8): string {
  const letters = "bcdfghjklmnpqrstvwxz";
  let w = "";
  for (let i = 0; i < length; i++) w += letters[Math.floor(Math.random() * letters.length)];
  return w;
}
