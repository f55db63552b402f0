// Reading request bodies safely: a body that is not a form, or does not parse,
// is a 4xx with a plain message, never a 500.
import { data, MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from "@remix-run/node";
import { toRowId } from "./row-id";

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

export type UploadFormResult = { ok: true; form: FormData } | { ok: false; status: 400 | 413 | 415 };

/**
 * A multipart form (file upload) with its files in memory, each part at most
 * `maxPartSize` bytes. Returns rather than throws, so the page can say what
 * went wrong: 413 for a part too large, 415 for a body that is not
 * multipart, 400 for one that does not parse or carries a NUL in a field.
 */
export async function readUploadForm(request: Request, maxPartSize: number): Promise<UploadFormResult> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "multipart/form-data") return { ok: false, status: 415 };
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize }));
  } catch (error) {
    await discardRest(request);
    return { ok: false, status: error instanceof MaxPartSizeExceededError ? 413 : 400 };
  }
  for (const [, value] of form) {
    if (typeof value === "string" && value.includes("\u0000")) return { ok: false, status: 400 };
  }
  return { ok: true, form };
}

/**
 * Read and throw away what is left of a body the parser gave up on. Answering
 * while the client is still sending leaves unread bytes on the socket; when
 * the socket closes with them the kernel resets it, and the client sees a
 * broken pipe instead of our 4xx page. The server's body cap bounds how much
 * this reads.
 */
async function discardRest(request: Request): Promise<void> {
  const body = request.body;
  if (!body || body.locked) return;
  try {
    const reader = body.getReader();
    while (!(await reader.read()).done) {
      // discard
    }
  } catch {
    // The client went away: nothing left to read.
  }
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

/** A request no form of the page could have sent (an address with no page to show the errors on): the one 400. */
export function badRequest(): never {
  throw data({ error: "badRequest" }, { status: 400 });
}

/** The one "not found" answer: a 404 with the not-found page. */
export function notFound(): never {
  throw data({ error: "notFound" }, { status: 404 });
}

/** A public number from the URL (`/submissions/:id`); anything else is a 404. */
export function idParam(value: string | undefined): number {
  const id = toRowId(value);
  if (id === null) notFound();
  return id;
}
