// Urdu is a first-class language: every key in one locale file must exist in
// the other, and no value may be empty.
import { describe, expect, it } from "vitest";
import en from "../../app/locales/en.json";
import ur from "../../app/locales/ur.json";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === "string") out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

describe("locale files", () => {
  const e = flatten(en as Tree);
  const u = flatten(ur as Tree);

  it("have the same keys in English and Urdu", () => {
    expect([...e.keys()].filter((k) => !u.has(k))).toEqual([]);
    expect([...u.keys()].filter((k) => !e.has(k))).toEqual([]);
  });

  it("have no empty strings", () => {
    expect([...e].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
    expect([...u].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });

  it("keep interpolation placeholders in both languages", () => {
    const placeholders = (s: string) => (s.match(/{{\s*\w+\s*}}/g) ?? []).sort().join(",");
    const mismatched = [...e].filter(([k, v]) => placeholders(v) !== placeholders(u.get(k) ?? "")).map(([k]) => k);
    expect(mismatched).toEqual([]);
  });

  it("translate into Urdu script, not copied English", () => {
    const arabicScript = /[\u0600-\u06FF]/;
    // Every value with words of its own must carry Urdu letters; a pure
    // arrangement of placeholders ("{{size}} {{type}}") has none to translate.
    const ownText = (v: string) => v.replace(/{{\s*\w+\s*}}/g, "").replace(/[\s\p{P}\p{N}]/gu, "");
    const latinOnly = [...u].filter(([, v]) => ownText(v) !== "" && !arabicScript.test(v)).map(([k]) => k);
    expect(latinOnly).toEqual([]);
  });
});
