// The audit log names each action in the admin's language (admin.audit.actions.*)
// beside its code. Every action the code writes must have its words in both
// files: found here from the source, so a new action without a label fails.
// And the message keys the server hands to pages as data ({ message:
// "reports.refused.reason" }, fieldErrors, zod messages), which no t("…") call
// names, must exist too: told apart from audit actions by that same list.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";

type Tree = { [key: string]: string | Tree };
function has(tree: Tree, key: string): boolean {
  let node: string | Tree | undefined = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object") return false;
    node = node[part];
  }
  return typeof node === "string";
}

const appDir = path.resolve(__dirname, "../../app");
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The audit actions the code writes: `action: "x.y"` properties, taxonomy's audit(…, "taxonomy.x"), the security events. */
function writtenActions(): string[] {
  const actions = new Set<string>();
  const literal = /^[a-z]+\.[a-z_.-]+$/;
  for (const file of sources(appDir)) {
    const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isPropertyAssignment(node) && node.name.getText(sf) === "action") {
        const init = node.initializer;
        const texts = ts.isStringLiteral(init)
          ? [init.text]
          : ts.isConditionalExpression(init)
            ? [init.whenTrue, init.whenFalse].filter(ts.isStringLiteral).map((x) => x.text)
            : [];
        for (const text of texts) if (literal.test(text)) actions.add(text);
      }
      if (ts.isCallExpression(node) && node.expression.getText(sf) === "audit") {
        for (const arg of node.arguments) {
          if (ts.isStringLiteral(arg) && arg.text.startsWith("taxonomy.")) actions.add(arg.text);
          if (ts.isConditionalExpression(arg))
            for (const x of [arg.whenTrue, arg.whenFalse]) if (ts.isStringLiteral(x)) actions.add(x.text);
        }
      }
      if (ts.isTypeAliasDeclaration(node) && node.name.text === "SecurityEvent" && ts.isUnionTypeNode(node.type)) {
        for (const member of node.type.types)
          if (ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal)) actions.add(`security.${member.literal.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  // Built from parts where they are written: `${type}.auto-hide` and `${type}.reports-${status}`.
  for (const type of ["submission", "comment"])
    for (const suffix of ["auto-hide", "reports-actioned", "reports-dismissed"]) actions.add(`${type}.${suffix}`);
  return [...actions].sort();
}

describe("audit actions", () => {
  it("each have their words in English and Urdu", () => {
    const actions = writtenActions();
    expect(actions).toContain("submission.approve");
    expect(actions).toContain("security.login.failure");
    expect(actions).toContain("taxonomy.rename");
    expect(actions.length).toBeGreaterThan(50);
    const missing = actions.filter((a) => !has(en as Tree, `admin.audit.actions.${a}`) || !has(ur as Tree, `admin.audit.actions.${a}`));
    expect(missing).toEqual([]);
  });
});

describe("message keys passed as data", () => {
  it("exist in the locale files", () => {
    type Tree = { [key: string]: string | Tree };
    const flat = (o: Tree, p = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === "string" ? [p + k] : flat(v, `${p}${k}.`)));
    const keys = new Set(flat(en as Tree).map((k) => k.replace(/_(one|other)$/, "")));
    const namespaces = new Set(Object.keys(en));
    const actions = new Set(writtenActions().flatMap((a) => [a, a.replace(/^security\./, "")]));
    const missing: string[] = [];
    let checked = 0;
    for (const file of sources(appDir)) {
      const sf = ts.createSourceFile(
        file,
        readFileSync(file, "utf8"),
        ts.ScriptTarget.Latest,
        true,
        file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
      );
      const visit = (node: ts.Node) => {
        if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !ts.isImportDeclaration(node.parent)) {
          const m = /^([a-z][a-zA-Z]*)\.[a-zA-Z0-9_.-]*[a-zA-Z0-9_-](\|\d+)?$/.exec(node.text);
          if (m && namespaces.has(m[1]) && !actions.has(node.text)) {
            checked++;
            // A key, or a group of keys handed to a helper that adds the last part (option("account.profile.languages")).
            const key = node.text.split("|")[0];
            if (!keys.has(key) && ![...keys].some((k) => k.startsWith(`${key}.`)))
              missing.push(`${path.relative(appDir, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} ${node.text}`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(checked).toBeGreaterThan(500);
    expect(missing).toEqual([]);
  });
});
