// Reading request bodies safely: a body that is not a form, or does not parse,
// is a 4xx with a plain message, never a 500.
import { data } from "@remix-run/node";

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (!FORM_TYPES.includes(type)) {
    throw data({ error: "unsupportedMediaType" }, { status: 415 });
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw data({ error: "badRequest" }, { status: 400 });
  }
  // A NUL byte is never text anyone typed, and PostgreSQL refuses it in text
  // columns: refuse the request here rather than fail deep in a query.
  for (const [, value] of form) {
    if (typeof value === "string" && value.includes("\u0000")) throw data({ error: "badRequest" }, { status: 400 });
  }
  return form;
}

/** Positive page number from a query string value; anything else is page 1. */
export function pageParam(value: string | null, max = 100_000): number {
  if (!value || !/^\d{1,7}$/.test(value)) return 1;
  const n = Number(value);
  return n >= 1 && n <= max ? n : 1;
}

export function methodNotAllowed(): never {
  throw data({ error: "methodNotAllowed" }, { status: 405 });
}

/** A public number from the URL (`/submissions/:id`); anything else is a 404. */
export function idParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
    throw data({ error: "notFound" }, { status: 404 });
  }
  return Number(value);
}

/** Status for a refusal by a rule: 409 for phase and budget, 422 for what is never allowed. */
export function refusalStatus(reason: string): number {
  if (reason === "notFound") return 404;
  if (reason === "windowNotOpen" || reason === "windowClosed" || reason === "budgetSpent" || reason === "noConsultation") return 409;
  return 422;
}
