// zod's process-wide settings, imported by every module that declares a
// schema. Loaded for its side effect.
import { z } from "zod";

// A safety net for i18n: a schema written without its own message still
// speaks in i18n keys ("key" or "key|n" for a count), never zod's English, so
// whatever reaches a form's error list can be translated. Messages a schema
// gives itself always win over these.
function messageKey(issue: { code?: string; input?: unknown; origin?: string; minimum?: unknown; maximum?: unknown }): string {
  if (issue.code === "invalid_type" && (issue.input === undefined || issue.input === "")) return "errors.required";
  if (issue.origin === "string" && issue.code === "too_small" && typeof issue.minimum === "number") {
    return issue.minimum <= 1 && (issue.input === undefined || issue.input === "") ? "errors.required" : `errors.tooShort|${issue.minimum}`;
  }
  if (issue.origin === "string" && issue.code === "too_big" && typeof issue.maximum === "number") return `errors.tooLong|${issue.maximum}`;
  return "errors.invalid";
}

z.config({
  // zod 4 probes `new Function("")` to decide whether to JIT-compile schemas; our
  // CSP forbids eval, so the probe would report a violation in every browser.
  jitless: true,
  customError: (issue) => messageKey(issue as Parameters<typeof messageKey>[0]),
});

export { z };
