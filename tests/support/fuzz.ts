// Helpers for the route fuzzer (tests/security/fuzz.test.ts): a raw HTTP
// sender that reports a reset connection instead of hiding it, the bad-input
// corpus, body encoders that can put any bytes on the wire, and readers of the
// forms and links in a page (so the fields a route takes are learnt from the
// app itself, not listed by hand).
import http from "node:http";
import { decodeEntities } from "./http";
import { matchTemplate, type RouteTemplate } from "./route-table";

export const MB = 1024 * 1024;

// ---------------------------------------------------------------- the corpus

/** Ids and numbers the app must answer with a 4xx (or treat as unknown), never a 500. */
export const BAD_NUMBERS = [
  "0",
  "-1",
  "1.5",
  "0x10",
  " 1",
  "1 ",
  "abc",
  "2147483648",
  "9223372036854775808",
  "1e309",
  "99999999999999999999999999",
  "-2147483649",
  "NaN",
  "Infinity",
  "00001",
  "１", // fullwidth digit one
  "٣", // Arabic-Indic digit three
  "",
];

/** Numbers past the columns as an opaque token would carry them (base64url of the digits, as the API's cursor). */
export const OPAQUE_NUMBERS = ["2147483648", "9223372036854775808"].map((n) => Buffer.from(n).toString("base64url"));

/** redirectTo values that must never leave the site (issue 13, finding 1). */
export const REDIRECT_TARGETS = [
  "//evil.example",
  "/\\evil.example",
  "/.//evil.example",
  "/%2F/evil.example",
  "https://evil.example",
  "/\t/evil.example",
  "\\\\evil.example",
  "/..//evil.example",
  "/%5Cevil.example",
  "/\\/evil.example",
  "/ /evil.example",
  "javascript:alert(1)",
  "http:evil.example",
];

/** Field names that reach into an object's prototype when code uses `obj[name]`. */
export const PROTOTYPE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "__proto__[admin]",
  "constructor[prototype][admin]",
  "toString",
  "hasOwnProperty",
];

/** Field names many routes read: sent where a page did not show any (and mixed in by the fuzzer). */
export const KNOWN_FIELDS = [
  "intent",
  "id",
  "redirectTo",
  "title",
  "body",
  "parentId",
  "commentId",
  "cursor",
  "page",
  "q",
  "cluster",
  "status",
  "reason",
  "submission",
  "lng",
];

/** Other strings worth trying in any field. */
export const ODD_STRINGS = [
  "\u0000",
  "a\u0000b",
  "x".repeat(5000),
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "%",
  "%%",
  "\u202e",
  "\ud800", // a lone surrogate (sent as its UTF-8 replacement, or raw bytes below)
  "مشورہ",
  "null",
  "undefined",
  "[object Object]",
  "true",
];

/** Byte strings that are not UTF-8. */
export const INVALID_UTF8: Buffer[] = [
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xc0, 0xaf]), // overlong "/"
  Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate encoded as UTF-8
  Buffer.from([0xe2, 0x82]), // truncated sequence
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
];

/** Path segments put verbatim into a URL where a parameter goes. */
export const RAW_PATH_SEGMENTS = ["%ff", "%C0%AF", "%ED%A0%80", "%2e%2e", "%2F", "%5C", "%", "%zz", "\u00ff", "a%00b", ".", "..", "%20"];

// ---------------------------------------------------------------- bodies

export type FieldValue = string | Buffer;
export type Fields = Array<[name: FieldValue, value: FieldValue]>;

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes bytes (strings as UTF-8; a lone surrogate becomes U+FFFD as a browser would). */
export function percentEncode(value: FieldValue): string {
  if (typeof value === "string") {
    // Native and fast for the megabyte bodies; a lone surrogate makes it throw, and the byte loop below takes it.
    try {
      return encodeURIComponent(value);
    } catch {
      // fall through
    }
  }
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** An urlencoded body; `raw` puts Buffer values on the wire as they are (invalid UTF-8 unescaped). */
export function urlencoded(fields: Fields, raw = false): Buffer {
  const parts: Buffer[] = [];
  fields.forEach(([name, value], i) => {
    if (i > 0) parts.push(Buffer.from("&"));
    parts.push(raw && Buffer.isBuffer(name) ? name : Buffer.from(percentEncode(name)));
    parts.push(Buffer.from("="));
    parts.push(raw && Buffer.isBuffer(value) ? value : Buffer.from(percentEncode(value)));
  });
  return Buffer.concat(parts);
}

export const BOUNDARY = "----mashwarafuzz7MA4YWxkTrZu0gW";

/** A multipart/form-data body (with BOUNDARY), values as given (bytes may be invalid UTF-8). */
export function multipart(fields: Fields): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="`));
    parts.push(typeof name === "string" ? Buffer.from(name.replace(/["\r\n]/g, "_")) : name);
    parts.push(Buffer.from(`"\r\n\r\n`));
    parts.push(typeof value === "string" ? Buffer.from(value) : value);
    parts.push(Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

export function query(fields: Fields): string {
  return fields.length ? `?${urlencoded(fields).toString("latin1")}` : "";
}

/** A readable form of fields for failure messages. */
export function showFields(fields: Fields): string {
  const show = (v: FieldValue) =>
    Buffer.isBuffer(v) ? `<bytes ${v.toString("hex")}>` : JSON.stringify(v.length > 60 ? `${v.slice(0, 40)}…(${v.length} chars)` : v);
  return fields.map(([k, v]) => `${show(k)}=${show(v)}`).join(" ");
}

// ---------------------------------------------------------------- sending

export interface RawRequest {
  method: string;
  /** path and query, sent as they are (latin1: a char \u0080-\u00ff goes out as one raw byte) */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  location: string | null;
  setCookie: string[];
  /** the body as text (the first 512 kB) */
  text: string;
}

export type SendResult = { ok: true; res: RawResponse; ms: number } | { ok: false; error: string; ms: number };

/**
 * One request on a fresh connection. Any client-side error before the whole
 * answer arrived (ECONNRESET, EPIPE, "socket hang up", a timeout) is returned
 * as `ok: false`: a reset connection is a failure, never retried.
 */
export function send(baseUrl: string, req: RawRequest, timeoutMs = 30_000): Promise<SendResult> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: { ok: true; res: RawResponse } | { ok: false; error: string }) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: Date.now() - started } as SendResult);
    };
    let request: http.ClientRequest;
    try {
      request = http.request({
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        agent: false,
        headers: {
          ...(req.body !== undefined ? { "Content-Length": String(req.body.length) } : {}),
          ...req.headers,
        },
        insecureHTTPParser: false,
      });
    } catch (error) {
      // The client library refused to send it (e.g. a character Node does not allow in a path): not the server's fault.
      throw new Error(`could not build request ${req.method} ${JSON.stringify(req.path)}: ${(error as Error).message}`);
    }
    request.setTimeout(timeoutMs, () => {
      request.destroy(new Error(`timeout after ${timeoutMs} ms`));
    });
    request.on("error", (error: NodeJS.ErrnoException) =>
      done({ ok: false, error: error.code ? `${error.code} (${error.message})` : error.message }),
    );
    request.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < 512 * 1024) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("error", (error: NodeJS.ErrnoException) => done({ ok: false, error: `response ${error.code ?? ""} ${error.message}` }));
      res.on("aborted", () => done({ ok: false, error: "response aborted" }));
      res.on("end", () => {
        const location = res.headers.location ?? null;
        const setCookie = res.headers["set-cookie"] ?? [];
        done({
          ok: true,
          res: { status: res.statusCode ?? 0, headers: res.headers, location, setCookie, text: Buffer.concat(chunks).toString("utf8") },
        });
      });
    });
    if (req.body !== undefined) request.end(req.body);
    else request.end();
  });
}

// ---------------------------------------------------------------- pages

export interface FormInfo {
  /** path (and query) of the action, resolved against the page */
  action: string;
  method: string;
  /** each field name with the values the page offered (hidden values, options, button values) */
  fields: Map<string, Set<string>>;
}

function attrOf(tag: string, name: string): string | null {
  const m = tag.match(new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`, "i"));
  return m ? decodeEntities(m[1] ?? m[2]) : null;
}

/** The forms of an HTML page with their fields and offered values. */
export function parseForms(html: string, pageUrl: URL): FormInfo[] {
  const forms: FormInfo[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const tag = `<form${m[1]}>`;
    const action = new URL(attrOf(tag, "action") ?? pageUrl.pathname + pageUrl.search, pageUrl);
    if (action.origin !== pageUrl.origin) continue;
    const fields = new Map<string, Set<string>>();
    const add = (name: string | null, value: string | null) => {
      if (!name) return;
      if (!fields.has(name)) fields.set(name, new Set());
      if (value !== null && value !== "") fields.get(name)!.add(value);
    };
    const inner = m[2];
    for (const c of inner.matchAll(/<(input|button|textarea)\b([^>]*)>/gi)) add(attrOf(c[0], "name"), attrOf(c[0], "value"));
    for (const s of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attrOf(`<select${s[1]}>`, "name");
      add(name, null);
      for (const o of s[2].matchAll(/<option\b([^>]*)>/gi)) add(name, attrOf(o[0], "value"));
    }
    forms.push({ action: action.pathname + action.search, method: (attrOf(tag, "method") ?? "get").toLowerCase(), fields });
  }
  return forms;
}

/** Local links of a page: href and src attributes, and for JSON, every string that looks like a local path or this site's URL. */
export function parseLinks(text: string, pageUrl: URL, contentType: string): string[] {
  const out: string[] = [];
  const keep = (href: string) => {
    try {
      const u = new URL(href, pageUrl);
      if (u.origin === pageUrl.origin) out.push(u.pathname + u.search);
    } catch {
      // not a URL
    }
  };
  if (contentType.includes("json")) {
    const walk = (v: unknown) => {
      if (typeof v === "string" && (v.startsWith("/") || v.startsWith(pageUrl.origin))) keep(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    try {
      walk(JSON.parse(text));
    } catch {
      // not JSON after all
    }
    return out;
  }
  for (const m of text.matchAll(/\shref="([^"]*)"/gi)) keep(decodeEntities(m[1]));
  return out;
}

/** What the crawl learnt about each route template: real parameter values, and the form and query fields it takes. */
export class RouteKnowledge {
  readonly params = new Map<string, Array<Record<string, string>>>();
  readonly postFields = new Map<string, Map<string, Set<string>>>();
  readonly queryFields = new Map<string, Map<string, Set<string>>>();
  /** who saw a form posting to each template (so its fields are sent as someone who may use it) */
  readonly formSeenBy = new Map<string, Set<string>>();

  constructor(readonly templates: RouteTemplate[]) {}

  private merge(into: Map<string, Map<string, Set<string>>>, template: string, fields: Iterable<[string, Iterable<string>]>) {
    if (!into.has(template)) into.set(template, new Map());
    const map = into.get(template)!;
    for (const [name, values] of fields) {
      if (!map.has(name)) map.set(name, new Set());
      for (const v of values) if (map.get(name)!.size < 20) map.get(name)!.add(v);
    }
  }

  /** Records a local URL (a link or a form action); returns its template path. */
  addUrl(pathAndQuery: string): string | null {
    const u = new URL(pathAndQuery, "http://x");
    let pathname: string;
    try {
      pathname = decodeURIComponent(u.pathname);
    } catch {
      return null;
    }
    const hit = matchTemplate(this.templates, pathname);
    if (!hit) return null;
    const key = hit.template.path;
    if (hit.template.params.length) {
      const list = this.params.get(key) ?? [];
      if (list.length < 10 && !list.some((p) => JSON.stringify(p) === JSON.stringify(hit.params))) list.push(hit.params);
      this.params.set(key, list);
    }
    const q = [...u.searchParams.keys()].filter((k) => k !== "index" && k !== "_data");
    if (q.length)
      this.merge(
        this.queryFields,
        key,
        q.map((k) => [k, u.searchParams.getAll(k)]),
      );
    return key;
  }

  addForm(form: FormInfo, who: string) {
    const key = this.addUrl(form.action);
    if (!key) return;
    if (form.method === "post") this.formSeenBy.set(key, (this.formSeenBy.get(key) ?? new Set()).add(who));
    this.merge(
      form.method === "post" ? this.postFields : this.queryFields,
      key,
      [...form.fields].map(([k, v]) => [k, v]),
    );
  }
}
