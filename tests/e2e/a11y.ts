// Accessibility and language machinery of the browser suite: axe-core run in
// the page, full-page screenshots, and the language a context is served in.
//
// axe-core is injected by `page.evaluate(<axe-core/axe.min.js>)`. Playwright evaluates over
// the DevTools protocol (Runtime.evaluate), which the page's Content Security
// Policy does not govern: the page keeps its real, nonce-based CSP while axe
// runs, so what axe checks is what people get. (The other way, a context with
// `bypassCSP: true`, would need a second context per page just for axe, and a
// page without its CSP is not the page we ship.) It also works with
// JavaScript disabled: the protocol's evaluation does not depend on the page's
// scripts being allowed, so the no-JavaScript pages are checked the same way.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type axe from "axe-core";
import type { BrowserContextOptions, Page } from "playwright-core";
import { expect } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";

/** WCAG 2.0/2.1 A and AA, and the 2.2 AA additions. */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** axe-core's minified build (under half the size of `axe.source`): parsed once per page checked. */
const AXE_SOURCE = fs.readFileSync(createRequire(__filename).resolve("axe-core/axe.min.js"), "utf8");

export const SCREENSHOT_DIR = path.resolve(__dirname, "screenshots");

export type Lang = "en" | "ur";
export const LANGS: Lang[] = ["en", "ur"];

const LOCALES = { en, ur } as const;

/**
 * The string a locale file has at `key` ("submission.support.add"), with
 * `{{name}}` placeholders filled. Fails loudly on a key missing in that
 * language: a test that looks for a translated label must not silently look for
 * the key itself.
 */
export function tr(lang: Lang, key: string, values: Record<string, string | number> = {}): string {
  let node: unknown = LOCALES[lang];
  for (const part of key.split(".")) {
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== "string") throw new Error(`locale ${lang} has no string at "${key}"`);
  return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(values[name] ?? `{{${name}}}`));
}

/**
 * Context options that serve the site in `lang`: the `lng` cookie the language
 * switch sets (it wins over the profile and Accept-Language), and a matching
 * Accept-Language.
 */
export async function languageContext(baseUrl: string, lang: Lang, options: BrowserContextOptions = {}): Promise<BrowserContextOptions> {
  // The cookie's value as the server's own cookie writes it (Remix's signed-less cookie: base64 JSON).
  const value = encodeURIComponent(Buffer.from(JSON.stringify(lang)).toString("base64"));
  const { hostname } = new URL(baseUrl);
  return {
    ...options,
    locale: lang === "ur" ? "ur-PK" : "en-GB",
    storageState: {
      cookies: [{ name: "lng", value, domain: hostname, path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" }],
      origins: [],
    },
  };
}

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/** Whether the page runs scripts: with JavaScript disabled, its timers never fire (and axe.run waits on them). */
async function runsScripts(page: Page): Promise<boolean> {
  const tick = page.evaluate(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 0)));
  tick.catch(() => {});
  return Promise.race([tick, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500))]);
}

/**
 * Runs axe-core at WCAG 2.2 AA and returns its violations. A page without
 * JavaScript cannot run axe (its timers are off): its document as it stands is
 * served again, byte for byte, to a scratch page that may run scripts but loads
 * none of the app's, and axe checks that one (same HTML, same stylesheets, same
 * viewport and language; what someone without JavaScript sees).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (await runsScripts(page)) return axeIn(page);
  const html = await page.content();
  const address = page.url().split("#")[0];
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser behind the page");
  const scratch = await browser.newContext({ viewport: page.viewportSize(), javaScriptEnabled: true });
  try {
    await scratch.route("**/*", (route) => {
      const r = route.request();
      if (r.isNavigationRequest() && r.url().split("#")[0] === address)
        return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
      if (r.resourceType() === "script") return route.abort();
      return route.continue();
    });
    const copy = await scratch.newPage();
    await copy.goto(address, { waitUntil: "load" });
    return await axeIn(copy);
  } finally {
    await scratch.close();
  }
}

async function axeIn(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: typeof axe }).axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      }),
    AXE_TAGS,
  );
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target as unknown[], html: n.html, failureSummary: n.failureSummary })),
  }));
}

/** One readable line per offending element: rule, impact, selector and a snippet of its HTML. */
export function describeViolations(violations: AxeViolation[]): string[] {
  return violations.flatMap((v) =>
    v.nodes.map((n) => {
      const snippet = n.html.replace(/\s+/g, " ").slice(0, 160);
      const why = (n.failureSummary ?? "").split("\n").slice(1).join(" ").replace(/\s+/g, " ").trim().slice(0, 200);
      return `${v.id} (${v.impact ?? "?"}) at ${n.target.map(String).join(" ")}: ${snippet}${why ? ` — ${why}` : ""}`;
    }),
  );
}

/** Fails, listing every violation (rule id, impact, target, snippet), when axe finds any on the page as it is now. */
export async function expectNoAxeViolations(page: Page, label: string) {
  const violations = await axeViolations(page);
  expect(describeViolations(violations), `axe-core (${AXE_TAGS.join(", ")}) on ${label} (${page.url()})`).toEqual([]);
}

/** A full-page screenshot into tests/e2e/screenshots/<name>.png (git-ignored; kept by CI as an artefact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9-]+/gi, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}
