// How far Urdu pages move when the Nastaliq font arrives, measured in Chromium with a
// PerformanceObserver (layout-shift entries without recent input, summed), and whether the
// subset font shapes as the full one does (issue 17, item 4; scripts/urdu-font.mjs).
//
//   npm run build && DATABASE_URL=/path/to/national.sqlite npm start   (or any running server)
//   npx tsx bench/urdu-shift.ts --url http://127.0.0.1:3000 [--delay 1500] [--runs 3] [--out /tmp/urdu-shift]
//
// The font's response is held back --delay ms so that it always arrives after the first paint (as on
// a slow link: the worst case for a swap), and each page is loaded three ways:
//   served       the page as served (matched fallback faces, subset font, preload on Urdu pages);
//   no-fallback  the same with the fallback faces' local() sources renamed so they match nothing:
//                Urdu text first drawn in the unadjusted system font, as before the fallbacks;
//   full-font    the @fontsource font (all 334 characters) served in place of the subset.
// Shaping: a screenshot of each Urdu page after the font has loaded, subset against full font; the
// two should be the same picture (PNG bytes compared; on a difference both files are kept in --out).
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const BASE = (arg("url") ?? "").replace(/\/$/, "");
const DELAY = Number(arg("delay", "1500"));
const RUNS = Number(arg("runs", "3"));
const OUT = arg("out");
const FULL_FONT = fs.readFileSync("node_modules/@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2");
const LANGUAGES = { en: "en-GB,en;q=0.9", ur: "ur-PK,ur;q=0.9" } as const;
type Variant = "served" | "no-fallback" | "full-font";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function load(browser: Browser, url: string, lang: keyof typeof LANGUAGES, variant: Variant) {
  const context = await browser.newContext({
    viewport: { width: 412, height: 823 },
    deviceScaleFactor: 1,
    extraHTTPHeaders: { "Accept-Language": LANGUAGES[lang] },
  });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean }>) {
        if (!e.hadRecentInput) w.__cls += e.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.route("**/*.woff2", async (route) => {
    await new Promise((r) => setTimeout(r, DELAY));
    if (variant === "full-font") await route.fulfill({ status: 200, contentType: "font/woff2", body: FULL_FONT });
    else await route.continue();
  });
  if (variant === "no-fallback") {
    await page.route("**/assets/*.css", async (route) => {
      const response = await route.fetch();
      const css = (await response.text()).replace(/local\("/g, 'local("no-such-font-');
      await route.fulfill({ response, body: css });
    });
  }
  await page.goto(url, { waitUntil: "load" });
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  await page.waitForTimeout(200);
  const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
  const fonts = await page.evaluate(() => [...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family));
  const shot = lang === "ur" && variant !== "no-fallback" ? await page.screenshot({ fullPage: true }) : null;
  await context.close();
  return { cls, fonts, shot };
}

async function main() {
  if (!BASE) throw new Error("pass --url of a running server (see the header of bench/urdu-shift.ts)");
  const home = await (await fetch(BASE + "/")).text();
  const cluster = /href="\/clusters\/([a-z0-9-]+)"/.exec(home)?.[1];
  const clusterHtml = await (await fetch(`${BASE}/clusters/${cluster}`)).text();
  const submission = /href="\/submissions\/(\d+)"/.exec(clusterHtml)?.[1];
  const pages = [
    ["home", "/"],
    ["cluster", `/clusters/${cluster}`],
    ["submission", `/submissions/${submission}`],
  ] as const;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    console.log(`CLS in Chromium (PerformanceObserver, 412×823, font held back ${DELAY} ms, median of ${RUNS})\n`);
    console.log("| page | lang | served | no fallback | full font | subset shapes as full |");
    console.log("|---|---|---:|---:|---:|---|");
    for (const [name, p] of pages) {
      for (const lang of ["en", "ur"] as const) {
        const cls: Record<Variant, number[]> = { served: [], "no-fallback": [], "full-font": [] };
        const shots: Partial<Record<Variant, Buffer>> = {};
        for (let i = 0; i < RUNS; i++) {
          for (const v of ["served", "no-fallback", "full-font"] as const) {
            const r = await load(browser, BASE + p, lang, v);
            cls[v].push(r.cls);
            if (r.shot) shots[v] = r.shot;
          }
        }
        let same = "–";
        if (shots.served && shots["full-font"]) {
          same = shots.served.equals(shots["full-font"]) ? "same picture" : "DIFFERENT";
          if (OUT && !shots.served.equals(shots["full-font"])) {
            fs.mkdirSync(OUT, { recursive: true });
            fs.writeFileSync(path.join(OUT, `${name}-${lang}-subset.png`), shots.served);
            fs.writeFileSync(path.join(OUT, `${name}-${lang}-full.png`), shots["full-font"]);
          }
        }
        const f = (v: Variant) => median(cls[v]).toFixed(3);
        console.log(`| ${name} (${p}) | ${lang} | ${f("served")} | ${f("no-fallback")} | ${f("full-font")} | ${same} |`);
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
