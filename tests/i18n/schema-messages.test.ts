// Validation messages reach the reader through t(): every message a form
// schema can produce must be an i18n key ("key" or "key|n" for a count), never
// zod's own English. This feeds every exported schema a range of bad input and
// checks each message it gives against the locale files.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import * as account from "~/lib/account-schemas.server";
import * as moderation from "~/lib/moderation-schemas.server";
import * as notification from "~/lib/notification-schemas.server";
import * as query from "~/lib/query-schemas.server";
import * as recommendation from "~/lib/recommendation-schemas.server";
import * as forms from "~/lib/schemas";

type Tree = { [key: string]: string | Tree };
function has(tree: Tree, key: string): boolean {
  let node: string | Tree | undefined = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null) return false;
    node = node[part];
  }
  return typeof node === "string";
}
/** Is "key" or "key|n" a message both languages can show? (Plurals: key_one/key_other.) */
function known(message: string): boolean {
  const [key, n] = message.split("|");
  const forms = n === undefined ? [key] : [`${key}_other`];
  return forms.every((k) => has(en as Tree, k) && has(ur as Tree, k)) || (n !== undefined && has(en as Tree, key) && has(ur as Tree, key));
}

const modules = { account, moderation, notification, query, recommendation, forms };

/** Field names an object schema (or a union/pipe/preprocess of them) reads. */
function fieldNames(schema: z.ZodType): string[] {
  const def = (schema as unknown as { def: Record<string, unknown> }).def;
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (def.type === "union") return (def.options as z.ZodType[]).flatMap(fieldNames);
  if (def.type === "pipe") return [...fieldNames(def.in as z.ZodType), ...fieldNames(def.out as z.ZodType)];
  for (const inner of ["innerType", "schema"]) if (def[inner]) return fieldNames(def[inner] as z.ZodType);
  return [];
}

const badValues: unknown[] = [undefined, "", " ", "x", "\u0001", "x".repeat(100_001), "-1", "abc", "0", "1.5", ["a", "b"], 12, {}];
const intents = [
  "",
  "nonsense",
  "support",
  "withdraw",
  "create",
  "edit",
  "read",
  "read-all",
  "end",
  "end-others",
  "approve",
  "reject",
  "merge",
  "hide",
  "dismiss",
  "uphold",
  "restore",
];

function inputsFor(schema: z.ZodType): unknown[] {
  const names = [...new Set(fieldNames(schema))];
  if (!names.length) return badValues;
  const inputs: unknown[] = [{}];
  for (const value of badValues) inputs.push(Object.fromEntries(names.map((n) => [n, value])));
  for (const intent of intents)
    for (const value of ["", "x".repeat(100_001), "abc"]) inputs.push({ ...Object.fromEntries(names.map((n) => [n, value])), intent });
  return inputs;
}

describe("validation messages", () => {
  const schemas = Object.entries(modules).flatMap(([mod, exports]) =>
    Object.entries(exports)
      .filter(([, v]) => v instanceof z.ZodType)
      .map(([name, schema]) => [`${mod}.${name}`, schema as z.ZodType] as const),
  );

  it("finds the schemas", () => {
    expect(schemas.length).toBeGreaterThan(20);
  });

  it("are i18n keys for every bad input to every form schema", () => {
    const unknown = new Set<string>();
    let issues = 0;
    for (const [name, schema] of schemas) {
      for (const input of inputsFor(schema)) {
        const result = schema.safeParse(input);
        if (result.success) continue;
        for (const issue of result.error.issues) {
          issues++;
          if (!known(issue.message)) unknown.add(`${name} ${issue.path.join(".")}: ${issue.message}`);
        }
      }
    }
    expect(issues).toBeGreaterThan(100);
    expect([...unknown].sort()).toEqual([]);
  });

  it("fall back to keys for a schema written without messages", () => {
    const bare = z.object({ a: z.string(), b: z.string().min(3), c: z.string().max(2), d: z.coerce.number().int(), e: z.enum(["x"]) });
    const result = bare.safeParse({ b: "x", c: "xyz", d: "1.5", e: "y" });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toEqual([
      "errors.required",
      "errors.tooShort|3",
      "errors.tooLong|2",
      "errors.invalid",
      "errors.invalid",
    ]);
  });
});
