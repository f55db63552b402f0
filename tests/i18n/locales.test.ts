// Urdu is a first-class language: every key in one locale file must exist in
// the other, and no value may be empty.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { RULE_NUMBERS } from "~/lib/i18n";

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
    // The rules' numbers ({{passwordMin}}…) are every text's to use: Urdu takes
    // them so they follow the reader's digits, English writes them out.
    const placeholders = (s: string) =>
      (s.match(/{{\s*\w+\s*}}/g) ?? [])
        .filter((p) => !(p.replace(/[{}\s]/g, "") in RULE_NUMBERS))
        .sort()
        .join(",");
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

describe("plural keys", () => {
  const e = flatten(en as Tree);
  const u = flatten(ur as Tree);
  // English and Urdu both have the plural categories one and other
  // (Intl.PluralRules): a key with one form must have the other, in both files.
  it("come in _one/_other pairs in both languages", () => {
    for (const rules of ["en", "ur"])
      expect(new Intl.PluralRules(rules).resolvedOptions().pluralCategories.sort()).toEqual(["one", "other"]);
    const unpaired = (m: Map<string, string>) =>
      [...m.keys()].filter(
        (k) =>
          (k.endsWith("_one") && !m.has(k.replace(/_one$/, "_other"))) || (k.endsWith("_other") && !m.has(k.replace(/_other$/, "_one"))),
      );
    expect(unpaired(e)).toEqual([]);
    expect(unpaired(u)).toEqual([]);
  });
});

// A key the code asks for but no file has shows the reader the raw key
// ("moderation.queue.title"): every literal key in a t("…") call under app/
// (and every "prefix." of a t(`prefix.${x}`) call) must be in the files.
describe("keys used in the code", () => {
  const e = flatten(en as Tree);
  const keys = new Set([...e.keys()].map((k) => k.replace(/_(one|other)$/, "")));
  const prefixes = new Set(
    [...e.keys()].flatMap((k) =>
      k
        .split(".")
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join(".") + "."),
    ),
  );

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? sources(full) : /\.tsx?$/.test(entry.name) ? [full] : [];
    });
  }

  it("exist in the locale files", () => {
    const missing: string[] = [];
    let literal = 0;
    for (const file of sources(path.resolve(__dirname, "../../app"))) {
      const sf = ts.createSourceFile(
        file,
        readFileSync(file, "utf8"),
        ts.ScriptTarget.Latest,
        true,
        file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
      );
      const visit = (node: ts.Node) => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "t" && node.arguments[0]) {
          const arg = node.arguments[0];
          const where = `${path.relative(path.resolve(__dirname, "../.."), file)}:${sf.getLineAndCharacterOfPosition(arg.getStart(sf)).line + 1}`;
          if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) {
            literal++;
            if (!keys.has(arg.text)) missing.push(`${where} ${arg.text}`);
          } else if (ts.isTemplateExpression(arg) && arg.head.text.endsWith(".")) {
            if (!prefixes.has(arg.head.text)) missing.push(`${where} ${arg.head.text}…`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(literal).toBeGreaterThan(500);
    expect(missing).toEqual([]);
  });

  it("name only rule numbers that exist, and state them as the English text does", () => {
    const u = flatten(ur as Tree);
    const used = [...u].flatMap(([k, v]) => (v.match(/{{\s*(\w+)\s*}}/g) ?? []).map((p) => [k, p.replace(/[{}\s]/g, "")] as const));
    const rules = used.filter(([k, name]) => name in RULE_NUMBERS && !placeholdersOf(e.get(k) ?? "").includes(name));
    expect(rules.length).toBeGreaterThan(20);
    // Each number the Urdu text takes from RULE_NUMBERS is written out in the English text of the same key.
    const missing = rules.filter(
      ([k, name]) => !(e.get(k) ?? "").replace(/,/g, "").includes(String(RULE_NUMBERS[name as keyof typeof RULE_NUMBERS])),
    );
    expect(missing).toEqual([]);
  });
});

function placeholdersOf(s: string): string[] {
  return (s.match(/{{\s*(\w+)\s*}}/g) ?? []).map((p) => p.replace(/[{}\s]/g, ""));
}

// A key written twice in one object parses without complaint (the last wins),
// which hides a merge that kept two texts for one key. The files are
// pretty-printed two spaces a level, so the indentation tells the object.
function duplicateKeys(text: string): string[] {
  const seen = new Map<number, Set<string>>();
  const found: string[] = [];
  text.split("\n").forEach((line, i) => {
    const close = /^(\s*)}/.exec(line);
    if (close) seen.delete(close[1].length + 2);
    const key = /^(\s*)"((?:[^"\\]|\\.)*)"\s*:/.exec(line);
    if (!key) return;
    const level = key[1].length;
    const keys = seen.get(level) ?? new Set<string>();
    if (keys.has(key[2])) found.push(`line ${i + 1}: ${key[2]}`);
    keys.add(key[2]);
    seen.set(level, keys);
  });
  return found;
}

describe("locale file text", () => {
  it("names each key once per object", () => {
    for (const lng of ["en", "ur"]) {
      const text = readFileSync(new URL(`../../app/locales/${lng}.json`, import.meta.url), "utf8");
      expect(duplicateKeys(text), lng).toEqual([]);
    }
    expect(duplicateKeys('{\n  "a": {\n    "x": "1",\n    "x": "2"\n  },\n  "b": {\n    "x": "3"\n  }\n}')).toEqual(["line 4: x"]);
  });
});
