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
//   full-font    the @fontsource font (all 334 characters) served in place of the subset;
//   android      Android's fallback, Noto Naskh Arabic (@fontsource's file, added as a FontFace from bytes
//                before the page parses, in place of the local() faces), with the descriptors as served;
//   android-plain  the same Naskh face without size-adjust and the overrides: Android before the fallbacks.
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
const NASKH_FONT = fs.readFileSync("node_modules/@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-400-normal.woff2");
const VARIANTS = ["served", "no-fallback", "full-font", "android", "android-plain"] as const;
type Variant = (typeof VARIANTS)[number];

/** The stylesheet as a variant wants it: local() sources renamed so that they match nothing. */
function rewriteCss(css: string, variant: Variant): string {
  return variant === "served" || variant === "full-font" ? css : css.replace(/local\("/g, 'local("no-such-font-');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** FontFace descriptors (this TypeScript's DOM types lack size-adjust and the overrides). */
type Descriptors = Record<string, string | undefined>;

/** The descriptors of the Naskh fallback face as served (size-adjust and the overrides). */
function naskhDescriptors(css: string): Descriptors {
  const face = /@font-face\s*{[^}]*Fallback Naskh[^}]*}/.exec(css)?.[0] ?? "";
  const get = (name: string) => new RegExp(`${name}:\\s*([^;}]+)`).exec(face)?.[1].trim();
  return {
    unicodeRange: get("unicode-range"),
    sizeAdjust: get("size-adjust"),
    ascentOverride: get("ascent-override"),
    descentOverride: get("descent-override"),
    lineGapOverride: get("line-gap-override"),
  };
}

async function load(browser: Browser, url: string, lang: keyof typeof LANGUAGES, variant: Variant, naskh: Descriptors) {
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
  if (variant === "android" || variant === "android-plain") {
    // Android's local Naskh, as a face made from bytes before the page parses (ready before the first layout,
    // as a local font is), under the fallback's family name: with the served descriptors, or none.
    const descriptors = variant === "android" ? naskh : { unicodeRange: naskh.unicodeRange };
    await page.addInitScript(
      ([bytes, d]) => {
        const data = Uint8Array.from(atob(bytes as string), (c) => c.charCodeAt(0));
        document.fonts.add(new FontFace("Noto Nastaliq Urdu Fallback Naskh", data, d as FontFaceDescriptors));
      },
      [NASKH_FONT.toString("base64"), descriptors] as const,
    );
  }
  await page.route("**/assets/*.woff2", async (route) => {
    await new Promise((r) => setTimeout(r, DELAY));
    if (variant === "full-font") await route.fulfill({ status: 200, contentType: "font/woff2", body: FULL_FONT });
    else await route.continue();
  });
  if (variant !== "served" && variant !== "full-font") {
    await page.route("**/assets/*.css", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: rewriteCss(await response.text(), variant) });
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
  const shot = lang === "ur" && (variant === "served" || variant === "full-font") ? await page.screenshot({ fullPage: true }) : null;
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
  const css = await (await fetch(BASE + (/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/.exec(home)?.[1] ?? ""))).text();
  const naskh = naskhDescriptors(css);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    console.log(`CLS in Chromium (PerformanceObserver, 412×823, font held back ${DELAY} ms, median of ${RUNS})\n`);
    console.log("| page | lang | served | no fallback | full font | Android (Naskh) | Android, no overrides | subset shapes as full |");
    console.log("|---|---|---:|---:|---:|---:|---:|---|");
    for (const [name, p] of pages) {
      for (const lang of ["en", "ur"] as const) {
        const cls = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
        const shots: Partial<Record<Variant, Buffer>> = {};
        for (let i = 0; i < RUNS; i++) {
          for (const v of VARIANTS) {
            const r = await load(browser, BASE + p, lang, v, naskh);
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
        console.log(`| ${name} (${p}) | ${lang} | ${VARIANTS.map(f).join(" | ")} | ${same} |`);
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
