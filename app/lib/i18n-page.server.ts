// Only the strings a page uses travel with it. The server render goes through
// a per-request view of the shared i18next instance that notes every key
// looked up; at the end of the document those keys' texts (plural forms
// included, English where Urdu lacks one) are written as one JSON script for
// the browser's lite translator (app/lib/i18n-lite.ts), which fetches the
// whole locale file only when the page needs more. A page then carries a few
// kilobytes of text instead of a 15–18 KB (gzip) locale file.
import { Transform } from "node:stream";
import type { i18n as I18n, TFunction } from "i18next";
import { interpolationFormat, type Digits } from "./format";
import { RULE_NUMBERS } from "./i18n";
import { createLiteI18n, flatten, keyFamily, type Flat, type LiteT } from "./i18n-lite";
import { resources } from "./i18next.server";

const PAGE_STRINGS_ID = "i18n-page";

const flatByLanguage = new Map<string, Flat>();
function flatFor(lng: string): Flat {
  let flat = flatByLanguage.get(lng);
  if (!flat) {
    const tree = resources[lng as keyof typeof resources]?.common ?? {};
    flatByLanguage.set(lng, (flat = flatten(tree as Record<string, unknown>)));
  }
  return flat;
}

/**
 * The texts of `keys` in `lng` (English where missing), with every plural form; null for a key with no text at all.
 * Exported only for the tests (tests/i18n/lite.test.ts).
 */
export function pageStrings(lng: string, keys: Iterable<string>): Flat {
  const own = flatFor(lng);
  const en = flatFor("en");
  const out: Flat = {};
  for (const key of keys) {
    let any = false;
    for (const k of keyFamily(key)) {
      const v = own[k] ?? en[k];
      if (v !== undefined) {
        out[k] = v;
        any = true;
      }
    }
    if (!any) out[key] = null;
  }
  return out;
}

const translators = new Map<string, LiteT>();
/**
 * The translator a page renders with: the lite one the browser hydrates with,
 * over the whole locale (English where a text is missing). It says exactly
 * what i18next says for every key (tests/i18n/lite.test.ts) at a fraction of
 * i18next's cost per call, which was ~9 % of a page's CPU in the profile.
 */
export function renderTranslator(lng: string, digits: Digits): LiteT {
  const key = `${lng}:${digits}`;
  let t = translators.get(key);
  if (!t) {
    const strings = { ...flatFor("en"), ...flatFor(lng) };
    t = createLiteI18n({
      lng,
      strings,
      complete: true,
      load: async () => ({}),
      format: interpolationFormat(digits),
      defaults: RULE_NUMBERS,
    }).t;
    translators.set(key, t);
  }
  return t;
}

/**
 * A per-request view of a shared i18next instance that records the keys its
 * translators look up; they translate with `translate` when given (the
 * render's lite translator), else with i18next.
 */
export function recordingI18n(i18n: I18n, translate?: LiteT): { i18n: I18n; used: Set<string> } {
  const used = new Set<string>();
  const view = Object.create(i18n) as I18n;
  view.getFixedT = ((...args: Parameters<I18n["getFixedT"]>) => {
    const t = i18n.getFixedT(...args) as unknown as ((...a: unknown[]) => unknown) & Record<string, unknown>;
    const through = (translate ?? t) as (...a: unknown[]) => unknown;
    const recording = (key: string | string[], ...rest: unknown[]) => {
      for (const k of Array.isArray(key) ? key : [key]) if (typeof k === "string") used.add(k);
      return through(key, ...rest);
    };
    // i18next marks a fixed translator with its language, namespace and key prefix.
    return Object.assign(recording, { lng: t.lng, ns: t.ns, keyPrefix: t.keyPrefix }) as unknown as TFunction;
  }) as I18n["getFixedT"];
  return { i18n: view, used };
}

/**
 * The script element carrying a page's strings (`<` escaped so the text cannot
 * close it). Data, never run; it carries the response's nonce all the same, like every script.
 */
export function pageStringsScript(lng: string, keys: Iterable<string>, nonce = ""): string {
  const json = JSON.stringify({ lng, strings: pageStrings(lng, keys) }).replace(/</g, "\\u003c");
  const nonceAttr = nonce ? ` nonce="${nonce.replace(/[^A-Za-z0-9+/=]/g, "")}"` : "";
  return `<script type="application/json" id="${PAGE_STRINGS_ID}"${nonceAttr}>${json}</script>`;
}

/** Drops NUL bytes (a NUL is never part of a multi-byte UTF-8 character, so this cannot split one). */
function withoutNul(chunk: Buffer): Buffer {
  if (chunk.indexOf(0) < 0) return chunk;
  const kept = Buffer.allocUnsafe(chunk.length);
  let n = 0;
  for (const byte of chunk) if (byte !== 0) kept[n++] = byte;
  return kept.subarray(0, n);
}

/**
 * Passes the rendered document through and writes `tail()` after its last
 * byte — where React itself streams Remix's data scripts, past `</body>`
 * (the parser puts them in the body). The browser's entry reads it and
 * removes it before hydrating, so React finds the DOM it rendered.
 *
 * It also drops NUL bytes. React 18.3.1's server renderer (writeStringChunk)
 * flushes its whole 2,048-byte view when a string does not fit in what is
 * left of it, although TextEncoder.encodeInto stopped before a multi-byte
 * character: the unfilled 1-2 bytes go out as NULs. Urdu text is all
 * multi-byte, so Urdu pages carried them, and a browser turns a NUL inside an
 * attribute value (a form field's value) into U+FFFD. Our pages never contain
 * a real NUL (the server refuses NUL in addresses and the schemas in text).
 * tests/routes/utf8-stream.test.ts fails without this.
 */
export function appendAtEnd(tail: () => string): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, withoutNul(chunk));
    },
    flush(done) {
      done(null, tail());
    },
  });
}
