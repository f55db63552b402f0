// The audit log names each action in the admin's language (admin.audit.actions.*)
// beside its code. Every action the code writes must have its words in both
// files: found here from the source, so a new action without a label fails.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import en from "../../app/locales/en.json";
import ur from "../../app/locales/ur.json";

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
          if (ts.isConditionalExpression(arg)) for (const x of [arg.whenTrue, arg.whenFalse]) if (ts.isStringLiteral(x)) actions.add(x.text);
        }
      }
      if (ts.isTypeAliasDeclaration(node) && node.name.text === "SecurityEvent" && ts.isUnionTypeNode(node.type)) {
        for (const member of node.type.types) if (ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal)) actions.add(`security.${member.literal.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  // Built from parts where they are written: `${type}.auto-hide` and `${type}.reports-${status}`.
  for (const type of ["submission", "comment"]) for (const suffix of ["auto-hide", "reports-actioned", "reports-dismissed"]) actions.add(`${type}.${suffix}`);
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
