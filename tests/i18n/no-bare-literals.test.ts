// Every word a reader sees goes through t(): a page must never show English to
// an Urdu reader because someone typed the text straight into the JSX. This
// parses every .tsx under app/ with the TypeScript compiler and lists each
// piece of bare text with a Latin letter in it, as file:line and the text.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const appDir = path.join(root, "app");

// Attributes a reader sees or a screen reader speaks.
const visibleAttributes = new Set([
  "title",
  "alt",
  "placeholder",
  "aria-label",
  "aria-description",
  "aria-roledescription",
  "aria-valuetext",
  "label",
]);

// Kept tiny on purpose; each entry says why it is not a translation gap.
const allowed: { file: string; text: string; why: string }[] = [
  {
    file: "app/components/site-chrome.tsx",
    text: "English",
    why: 'the language switch names each language in itself ("English" / "اردو", marked lang=), so a reader finds their own language whatever the page\'s',
  },
];

const latin = /[A-Za-z]/;

function tsxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsxFiles(full));
    else if (entry.name.endsWith(".tsx")) out.push(full);
  }
  return out.sort();
}

type Finding = { file: string; line: number; text: string };

function literalText(node: ts.Node | undefined): string | null {
  if (!node) return null;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  // `Page ${n}`: the words around the placeholders are bare text too.
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
  return null;
}

/** The literal texts an expression can evaluate to: `a ? "Yes" : "No"`, `name || "Anonymous"`. */
function literalTexts(node: ts.Node | undefined): string[] {
  if (!node) return [];
  const own = literalText(node);
  if (own !== null) return [own];
  if (ts.isParenthesizedExpression(node)) return literalTexts(node.expression);
  if (ts.isConditionalExpression(node)) return [...literalTexts(node.whenTrue), ...literalTexts(node.whenFalse)];
  if (
    ts.isBinaryExpression(node) &&
    [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(
      node.operatorToken.kind,
    )
  ) {
    return [...literalTexts(node.left), ...literalTexts(node.right)];
  }
  return [];
}

function tagName(element: ts.JsxOpeningLikeElement): string {
  return element.tagName.getText();
}

function attributeLiteral(element: ts.JsxOpeningLikeElement, name: string): string | null {
  for (const prop of element.attributes.properties) {
    if (ts.isJsxAttribute(prop) && prop.name.getText() === name) {
      const init = prop.initializer;
      if (!init) return null;
      if (ts.isStringLiteral(init)) return init.text;
      if (ts.isJsxExpression(init)) return literalText(init.expression);
    }
  }
  return null;
}

/** Is this attribute's value shown to the reader? `value` only on buttons. */
function isVisible(element: ts.JsxOpeningLikeElement, name: string): boolean {
  if (visibleAttributes.has(name)) return true;
  if (name !== "value") return false;
  const tag = tagName(element);
  if (tag === "button") return false; // a <button>'s value is sent, its children are shown
  if (tag === "input") {
    const type = attributeLiteral(element, "type");
    return type === "submit" || type === "button" || type === "reset";
  }
  return false;
}

export function findBareLiterals(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const report = (node: ts.Node, text: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push({ file: path.relative(root, file), line: line + 1, text: text.trim().replace(/\s+/g, " ") });
  };

  const visit = (node: ts.Node) => {
    // (a) text between tags
    if (ts.isJsxText(node)) {
      const text = node.getText(sf).trim();
      if (latin.test(text)) report(node, text);
    }
    // (b) a user-visible attribute given a literal
    if (ts.isJsxAttribute(node)) {
      const element = node.parent.parent as ts.JsxOpeningLikeElement;
      const name = node.name.getText(sf);
      if (isVisible(element, name) && node.initializer) {
        const init = node.initializer;
        const texts = ts.isStringLiteral(init) ? [init.text] : ts.isJsxExpression(init) ? literalTexts(init.expression) : [];
        for (const text of texts) if (latin.test(text)) report(init, text);
      }
    }
    // (c) a string literal as a child: <p>{"Some text"}</p>
    if (ts.isJsxExpression(node) && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      for (const text of literalTexts(node.expression)) if (latin.test(text)) report(node, text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.filter((f) => !allowed.some((a) => a.file === f.file && a.text === f.text));
}

describe("JSX has no bare English", () => {
  it("finds the three kinds of bare literal (checking the checker)", () => {
    const sample = [
      "export function A() {",
      '  return <div title="Hover me">',
      "    Hello",
      '    <img alt={"A picture"} />',
      '    <input type="submit" value="Send" />',
      '    <input type="hidden" name="intent" value="save" />',
      '    <button name="intent" value="approve">{t("x")}</button>',
      '    {"Bare child"}',
      "    {`Template child`}",
      "    <p aria-label={`Page ${n}`}>{`${n} items`}</p>",
      '    <p title={x ? "Open" : t("closed")}>{name || "Anonymous"}</p>',
      '    <span className="x">{t("ok")} 50%</span>',
      "  </div>;",
      "}",
    ].join("\n");
    const texts = findBareLiterals(path.join(appDir, "sample.tsx"), sample).map((f) => `${f.line}:${f.text}`);
    expect(texts).toEqual([
      "2:Hover me",
      "3:Hello",
      "4:A picture",
      "5:Send",
      "8:Bare child",
      "9:Template child",
      "10:Page",
      "10:items",
      "11:Open",
      "11:Anonymous",
    ]);
  });

  it("finds none in app/", () => {
    const findings = tsxFiles(appDir).flatMap((file) => findBareLiterals(file, readFileSync(file, "utf8")));
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.text}`)).toEqual([]);
  });
});
