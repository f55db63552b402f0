// Right-to-left by construction: our CSS and inline styles use logical
// properties only (margin-inline-start, inset-inline-end, text-align: start…),
// so Urdu pages mirror without a second stylesheet. This fails when a
// physical left/right property or value appears in app/styles/*.css or in a
// style= of a .tsx file.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full, ext);
    return e.name.endsWith(ext) ? [full] : [];
  });
}

// Property names with a physical side, and values that name one.
const PHYSICAL_PROPERTY =
  /(?:^|[\s;{])(?:(?:margin|padding|border|scroll-margin|scroll-padding)-(?:left|right)(?:-[a-z]+)?|border-(?:top|bottom)-(?:left|right)-radius|left|right)\s*:/i;
const PHYSICAL_VALUE = /(?:^|[\s;{])(?:float|clear|text-align|text-align-last|caption-side|resize)\s*:\s*(?:left|right)\b/i;
// `inset: a b c d` (and margin/padding with four values) are fine: their
// order is top, right, bottom, left, but they cannot be avoided entirely…
// except that with different left and right values they do not mirror:
const FOUR_SIDED_ASYMMETRIC = /(?:^|[\s;{])(?:inset|margin|padding|border-width|border-radius)\s*:\s*([^;{}]+)/gi;

/** Problems in a piece of CSS: one line each. */
function physicalSides(css: string): string[] {
  const problems: string[] = [];
  const clean = css.replace(/\/\*[\s\S]*?\*\//g, "");
  for (const decl of clean.split(/(?<=[;{}])/)) {
    if (PHYSICAL_PROPERTY.test(decl) || PHYSICAL_VALUE.test(decl)) problems.push(decl.trim());
  }
  for (const m of clean.matchAll(FOUR_SIDED_ASYMMETRIC)) {
    const parts = m[1].trim().split(/\s+(?![^(]*\))/);
    // margin: top right bottom left: right and left must match to mirror.
    if (parts.length === 4 && parts[1] !== parts[3]) problems.push(m[0].trim());
  }
  return problems;
}

/** The style attributes of a .tsx file: style={{ … }} objects and style="…" strings. */
function inlineStyles(source: string): string[] {
  const styles: string[] = [];
  for (const m of source.matchAll(/style=\{\{([\s\S]*?)\}\}/g)) styles.push(m[1]);
  for (const m of source.matchAll(/style="([^"]*)"/g)) styles.push(m[1]);
  return styles;
}

const PHYSICAL_JSX =
  /\b(?:(?:margin|padding|border|scrollMargin|scrollPadding)(?:Left|Right)\w*|border(?:Top|Bottom)(?:Left|Right)Radius|left|right)\s*:|\b(?:float|clear|textAlign|captionSide)\s*:\s*["'`](?:left|right)/;

describe("logical CSS properties only (right-to-left mirrors by construction)", () => {
  it("the checker finds physical sides (so this test can fail)", () => {
    expect(physicalSides(".a { margin-left: 1rem; }")).toHaveLength(1);
    expect(physicalSides(".a{padding-right:0}")).toHaveLength(1);
    expect(physicalSides(".a { left: 0; }")).toHaveLength(1);
    expect(physicalSides(".a { text-align: right; }")).toHaveLength(1);
    expect(physicalSides(".a { float: left }")).toHaveLength(1);
    expect(physicalSides(".a { border-left-color: red; }")).toHaveLength(1);
    expect(physicalSides(".a { border-top-right-radius: 2px; }")).toHaveLength(1);
    expect(physicalSides(".a { margin: 0 1rem 0 2rem; }")).toHaveLength(1);
    expect(physicalSides(".a { margin-inline-start: 1rem; inset-inline-end: 0; text-align: start; margin: 0 1rem; }")).toEqual([]);
    expect(physicalSides("/* margin-left: 0 */ .a { padding-inline: 1rem }")).toEqual([]);
    expect(PHYSICAL_JSX.test('marginLeft: "1rem"')).toBe(true);
    expect(PHYSICAL_JSX.test('textAlign: "right"')).toBe(true);
    expect(PHYSICAL_JSX.test('marginInlineStart: "1rem", textAlign: "end"')).toBe(false);
  });

  const cssFiles = filesUnder(path.join(ROOT, "app/styles"), ".css");
  it("finds our stylesheets", () => {
    expect(cssFiles.map((f) => path.basename(f)).sort()).toEqual(expect.arrayContaining(["app.css", "briefing.css"]));
  });

  it.each(cssFiles.map((f) => [path.relative(ROOT, f), f]))("%s uses no physical left/right", (_name, file) => {
    expect(physicalSides(fs.readFileSync(file, "utf8"))).toEqual([]);
  });

  it("no style= in a .tsx file uses a physical left/right", () => {
    const problems = filesUnder(path.join(ROOT, "app"), ".tsx").flatMap((file) =>
      inlineStyles(fs.readFileSync(file, "utf8"))
        .filter((style) => PHYSICAL_JSX.test(style) || physicalSides(`{${style}}`).length > 0)
        .map((style) => `${path.relative(ROOT, file)}: ${style.trim()}`),
    );
    expect(problems).toEqual([]);
  });
});
