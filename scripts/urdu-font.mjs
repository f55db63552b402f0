// The Urdu font as served, and the fallback that stands in for it until it arrives (issue 17, item 4).
// Run: node scripts/urdu-font.mjs   (devDependencies fontkit and subset-font; commit what it writes)
//
// 1. Subsets Noto Nastaliq Urdu (@fontsource's Arabic file, ~156 KiB woff2) to the Arabic block
//    U+0600–06FF whole (every Urdu letter, digit, sign and diacritic, and the Sindhi, Pashto, Saraiki and
//    Punjabi letters there, so text people type in those keeps joining inside one font), the joiners and
//    marks U+200C–200F, hyphens U+2010–2011, the Arabic symbols U+FBB2–FBC1, the ornate parentheses
//    U+FD3E–FD3F and the ligatures U+FDF2–FDFD (ﷲ ﷺ ﷽) it has. Dropped: Arabic Supplement (U+0750–077F)
//    and Extended-A/B (U+0870–08FF), letters of African and other Asian orthographies. hb-subset keeps every
//    glyph that shaping reaches from the kept characters (GSUB closure: the initial, medial, final and
//    ligature forms), and the layout tables, so Nastaliq's joins and cascades are as before.
//    Writes app/assets/fonts/noto-nastaliq-urdu-400.woff2.
// 2. Computes the metric overrides of the fallback faces (Noto Naskh Arabic: what Urdu falls back to on
//    Android; DejaVu Sans: on Debian/Chromium, where Lighthouse runs) so that a line set in the fallback
//    takes the room the same line takes in Nastaliq: size-adjust is the ratio of the shaped widths of every
//    Urdu string of the interface and the taxonomy; ascent-, descent- and line-gap-override are
//    Nastaliq's (OS/2 typo metrics, which it says to use) divided by size-adjust (the overrides are scaled
//    by it). Writes app/styles/urdu-font.css, which app/styles/app.css imports.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as fontkit from "fontkit";
import * as hb from "harfbuzzjs";
import * as prettier from "prettier";
import subsetFont from "subset-font";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const at = (p) => path.join(root, p);
const NASTALIQ = at("node_modules/@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2");
const SUBSET = "app/assets/fonts/noto-nastaliq-urdu-400.woff2";
const CSS = "app/styles/urdu-font.css";

/** Inclusive code-point ranges kept in the subset (and the unicode-range of every face below). */
const RANGES = [
  [0x0600, 0x06ff],
  [0x200c, 0x200f],
  [0x2010, 0x2011],
  [0xfbb2, 0xfbc1],
  [0xfd3e, 0xfd3f],
  [0xfdf2, 0xfdfd],
];
const hex = (n) => n.toString(16).toUpperCase().padStart(4, "0");
const UNICODE_RANGE = RANGES.map(([a, b]) => (a === b ? `U+${hex(a)}` : `U+${hex(a)}-${hex(b)}`)).join(", ");

/** Fallback faces: what the CSS stack after Nastaliq (system-ui, sans-serif) gives Urdu text, by platform. */
const FALLBACKS = [
  {
    family: "Noto Nastaliq Urdu Fallback Naskh",
    where: "Android (its system font for Arabic script; the UI variant has the same advances)",
    local: [
      "Noto Naskh Arabic UI Regular",
      "Noto Naskh Arabic Regular",
      "Noto Naskh Arabic UI",
      "Noto Naskh Arabic",
      "NotoNaskhArabicUI-Regular",
      "NotoNaskhArabic-Regular",
    ],
    file: at("node_modules/@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-400-normal.woff2"),
  },
  {
    family: "Noto Nastaliq Urdu Fallback DejaVu",
    where: "Debian and other Linux desktops, Chromium headless (Lighthouse)",
    local: ["DejaVu Sans", "DejaVuSans"],
    file: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  },
];

/** The Urdu text the pages show: every Arabic-script run of the Urdu locale and of the taxonomy. */
function sampleText() {
  const texts = [];
  const walk = (v) => {
    if (typeof v === "string") texts.push(v);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(JSON.parse(fs.readFileSync(at("app/locales/ur.json"), "utf8")));
  walk(JSON.parse(fs.readFileSync(at("db/taxonomy.json"), "utf8")));
  const runs = texts.flatMap((t) => t.match(/[\u0600-\u06ff][\u0600-\u06ff\u200c-\u200f ]*/g) ?? []);
  return runs.map((r) => r.trim()).filter(Boolean);
}

/** The summed advance, in em, of the runs as HarfBuzz (the shaper Chromium uses) sets them in the font (TrueType/OpenType bytes). */
function shapedWidth(sfnt, runs) {
  const face = new hb.Face(new hb.Blob(sfnt));
  const font = new hb.Font(face);
  let units = 0;
  for (const r of runs) {
    const buffer = new hb.Buffer();
    buffer.addText(r);
    buffer.guessSegmentProperties();
    hb.shape(font, buffer);
    for (const p of buffer.getGlyphPositions()) units += p.xAdvance;
  }
  return units / face.upem;
}

/** HarfBuzz reads no WOFF2: a subset to every character the font has, as plain sfnt, is the same font for shaping. */
async function asSfnt(bytes) {
  const all = fontkit.create(bytes).characterSet;
  return subsetFont(bytes, String.fromCodePoint(...all), { targetFormat: "sfnt" });
}

const pct = (x) => `${(x * 100).toFixed(2)}%`;

async function main() {
  const original = fs.readFileSync(NASTALIQ);
  const nastaliq = fontkit.create(original);
  const kept = nastaliq.characterSet.filter((c) => RANGES.some(([a, b]) => c >= a && c <= b));
  const subset = await subsetFont(original, String.fromCodePoint(0x20, 0xa0, ...kept), { targetFormat: "woff2" });
  fs.mkdirSync(path.dirname(at(SUBSET)), { recursive: true });
  fs.writeFileSync(at(SUBSET), subset);
  console.log(`${SUBSET}: ${original.length} → ${subset.length} bytes (${kept.length} of ${nastaliq.characterSet.length} characters)`);

  const runs = sampleText();
  const upm = nastaliq.unitsPerEm;
  const os2 = nastaliq["OS/2"];
  const ascent = os2.typoAscender / upm;
  const descent = -os2.typoDescender / upm;
  const lineGap = os2.typoLineGap / upm;
  const width = shapedWidth(await subsetFont(subset, String.fromCodePoint(0x20, 0xa0, ...kept), { targetFormat: "sfnt" }), runs);
  console.log(`Nastaliq: ascent ${ascent}, descent ${descent}, line gap ${lineGap} (em); ${runs.length} Urdu runs, ${width.toFixed(1)} em`);

  const faces = [];
  for (const fb of FALLBACKS) {
    if (!fs.existsSync(fb.file)) throw new Error(`${fb.file} is missing: install it to compute ${fb.family}`);
    const bytes = fs.readFileSync(fb.file);
    const font = fontkit.create(bytes);
    const w = shapedWidth(await asSfnt(bytes), runs);
    const sizeAdjust = width / w;
    const o = { sizeAdjust, ascent: ascent / sizeAdjust, descent: descent / sizeAdjust, lineGap: lineGap / sizeAdjust };
    console.log(
      `${fb.family} (${font.fullName}): ${w.toFixed(1)} em → size-adjust ${pct(o.sizeAdjust)}, ascent ${pct(o.ascent)}, descent ${pct(o.descent)}`,
    );
    faces.push(`/* ${fb.where}: ${font.fullName}, ${w.toFixed(1)} em for the sample against Nastaliq's ${width.toFixed(1)} em. */
@font-face {
  font-family: "${fb.family}";
  font-style: normal;
  font-weight: 400;
  src: ${fb.local.map((n) => `local("${n}")`).join(", ")};
  unicode-range: ${UNICODE_RANGE};
  size-adjust: ${pct(o.sizeAdjust)};
  ascent-override: ${pct(o.ascent)};
  descent-override: ${pct(o.descent)};
  line-gap-override: ${pct(o.lineGap)};
}
`);
  }

  const css = `/* Generated by scripts/urdu-font.mjs (node scripts/urdu-font.mjs): do not edit by hand.

   The Urdu font: Noto Nastaliq Urdu (@fontsource), subset to the Arabic block and a few signs
   (${original.length} → ${subset.length} bytes), served from our own origin under a hashed, immutable /assets
   URL and preloaded on Urdu pages (app/root.tsx). With the unicode-range a browser downloads it only for
   a page that shows Arabic-script text. One weight: bold Urdu is synthesised from it.

   Until it arrives (font-display: swap) Urdu text is drawn in a local fallback whose metrics are made
   Nastaliq's, so the lines do not move when it does: Nastaliq's typo metrics are ascent ${ascent},
   descent ${descent}, line gap ${lineGap} em; the fallback's size-adjust is the ratio of the two fonts'
   shaped widths over the ${runs.length} Urdu strings of the interface and the taxonomy (${width.toFixed(1)} em in
   Nastaliq), and each override is Nastaliq's metric divided by that size-adjust. No file to read for
   Windows' Segoe UI here: Windows falls through to system-ui unmatched. */
@font-face {
  font-family: "Noto Nastaliq Urdu";
  font-style: normal;
  font-weight: 400;
  font-display: swap;
  src: url("../assets/fonts/noto-nastaliq-urdu-400.woff2") format("woff2");
  unicode-range: ${UNICODE_RANGE};
}

${faces.join("\n")}`;
  // Formatted as `npm run lint` wants it.
  fs.writeFileSync(at(CSS), await prettier.format(css, { ...(await prettier.resolveConfig(at(CSS))), filepath: at(CSS) }));
  console.log(`wrote ${CSS}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
