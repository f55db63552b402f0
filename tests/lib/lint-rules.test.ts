// The lint rules that hold the one form-action idiom (ADR 0025): each old way of
// reading a form or building its errors is an error in app/routes/, and the
// idiom itself passes. If a rule is weakened or lost, this fails.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const eslint = new ESLint({ cwd: ROOT });

async function problems(code: string, file = "app/routes/lint-probe.tsx") {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("lint: one form-action idiom in routes", { timeout: 60_000 }, () => {
  it.each([
    ["Object.fromEntries(form)", "const form = await request.formData();\n  const values = Object.fromEntries(form);\n  return values;"],
    ["form.get", 'const form = await request.formData();\n  return form.get("title");'],
    ["safeParse", "return Schema.safeParse({});"],
    ["a hand-built error map", "const r = Schema.safeParse({});\n  return r.success ? null : r.error.issues.map((i) => i.message);"],
  ])("refuses %s", async (_name, body) => {
    const code = `import { z } from "zod";\nconst Schema = z.object({});\nexport async function action({ request }: { request: Request }) {\n  ${body}\n}\n`;
    expect((await problems(code)).filter((p) => p.startsWith("no-restricted-syntax")).length).toBeGreaterThan(0);
  });

  it("accepts the idiom: parseForm, invalid, refuse", async () => {
    const code = `import { redirect } from "@remix-run/node";
import { z } from "zod";
import { invalid, parseForm } from "~/lib/form-action.server";

const Schema = z.object({ title: z.string() });

export async function action({ request }: { request: Request }) {
  const submission = await parseForm(request, Schema);
  if (submission.status !== "success") return invalid(submission);
  return redirect("/", 303);
}
`;
    expect(await problems(code)).toEqual([]);
  });

  it("refuses a ../../ import into app/ and allows the ~/ alias", async () => {
    expect(await problems(`import { nowIso } from "../../app/lib/time";\nexport const x = nowIso;\n`, "tests/lib/probe.test.ts")).toEqual([
      expect.stringMatching(/^no-restricted-imports: /),
    ]);
    expect(await problems(`import { nowIso } from "~/lib/time";\nexport const x = nowIso;\n`, "tests/lib/probe.test.ts")).toEqual([]);
  });
});
