// A signed-in stakeholder's page as a template (ADR 0036): the page rendered
// once for a stand-in user whose name, address and id are placeholders, split
// at those placeholders and at the CSP nonce, and filled in for each reader.
//
// A page's per-person values reach the HTML in two forms, and each slot knows
// which one it is in:
// - "html": text or an attribute written by React, escaped as React escapes
//   (& < > " ').
// - "script": the loader data Remix streams for hydration. turbo-stream writes
//   a string with JSON.stringify, Remix writes that chunk as a JavaScript
//   string with JSON.stringify again and escapes & < > U+2028 U+2029 for the
//   <script> element. A string placeholder there must be a whole value (\"…\"),
//   a number placeholder a whole number: anything else is a page this code
//   does not understand, and it is not kept (makeTemplate returns null).
//
// A template may also hold one reader part (ADR 0041): READER_PART_PLACEHOLDER
// as the whole text of an element (filled with the part's markup, as written
// by React) and as a whole string of the loader data (filled with the part's
// data string). Both or neither.
//
// The oracle (tests/routes/page-cache.test.ts): a filled template is the page a
// server without the cache renders for that person, byte for byte but for the
// nonce.
import { READER_PART_PLACEHOLDER, type ReaderPart } from "~/lib/page-cache";

/** The stand-in's values: nothing a person or the data can be (a negative id, names no one types). */
export const PLACEHOLDER = {
  id: -736451829,
  displayName: "zqxPlaceholderNameQxz",
  email: "zqx-placeholder-address@placeholder.invalid",
} as const;

export interface TemplateValues {
  id: number;
  displayName: string;
  email: string;
  /** the reader's own part, for a template that has one */
  part?: ReaderPart;
}

type Field = "id" | "displayName" | "email";
type Slot = { nonce: true } | { field: Field | "part"; in: "html" | "script" };

export interface PageTemplate {
  parts: Array<string | Slot>;
  /** it has a reader part to fill in */
  readerPart: boolean;
  /** approximate bytes held */
  size: number;
}

const FIELDS: Field[] = ["id", "displayName", "email"];

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** React's text and attribute escaping (react-dom/server escapeTextForBrowser). */
export function escapeHtmlText(value: string): string {
  return value.replace(/["'&<>]/g, (c) =>
    c === '"' ? "&quot;" : c === "'" ? "&#x27;" : c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;",
  );
}

const SCRIPT_ESCAPES: Record<string, string> = { "&": "\\u0026", ">": "\\u003e", "<": "\\u003c", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/** A string value inside Remix's hydration stream: turbo-stream's JSON, inside a JavaScript string, escaped for <script>. */
export function escapeStreamString(value: string): string {
  const inner = JSON.stringify(value).slice(1, -1);
  const outer = JSON.stringify(inner).slice(1, -1);
  return outer.replace(/[&><\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]);
}

/** The ranges of the page's <script> elements' contents. */
function scriptRanges(html: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const open = /<script\b[^>]*>/gi;
  for (let m = open.exec(html); m; m = open.exec(html)) {
    const start = m.index + m[0].length;
    const end = html.indexOf("</script>", start);
    if (end < 0) break;
    ranges.push([start, end]);
    open.lastIndex = end;
  }
  return ranges;
}

/**
 * The template of a page rendered for PLACEHOLDER with `nonce`, or null when a
 * placeholder sits where filling it in could not reproduce a real render.
 */
export function makeTemplate(html: string, nonce: string): PageTemplate | null {
  // Digits written for people (grouped or in Urdu) of the stand-in's id: a value this code cannot fill in.
  const id = String(Math.abs(PLACEHOLDER.id));
  const urduDigits = id.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
  if (html.includes(urduDigits) || html.includes(Number(id).toLocaleString("en"))) return null;
  const scripts = scriptRanges(html);
  const inScript = (at: number) => scripts.some(([start, end]) => at >= start && at < end);
  const alternatives = [
    ...(nonce ? [escapeRegExp(nonce)] : []),
    ...FIELDS.map((f) => escapeRegExp(String(PLACEHOLDER[f]))),
    READER_PART_PLACEHOLDER,
  ];
  const pattern = new RegExp(alternatives.join("|"), "g");
  const parts: PageTemplate["parts"] = [];
  let last = 0;
  for (let m = pattern.exec(html); m; m = pattern.exec(html)) {
    const at = m.index;
    const end = at + m[0].length;
    parts.push(html.slice(last, at));
    last = end;
    if (nonce && m[0] === nonce) {
      parts.push({ nonce: true });
      continue;
    }
    const script = inScript(at);
    if (m[0] === READER_PART_PLACEHOLDER) {
      // The whole text of an element, or a whole string of the loader data; once each.
      const whole = script
        ? html.slice(at - 2, at) === '\\"' && html.slice(end, end + 2) === '\\"'
        : html[at - 1] === ">" && html.slice(end, end + 2) === "</";
      if (!whole || parts.some((p) => typeof p !== "string" && "field" in p && p.field === "part" && p.in === (script ? "script" : "html")))
        return null;
      parts.push({ field: "part", in: script ? "script" : "html" });
      continue;
    }
    const field = FIELDS.find((f) => String(PLACEHOLDER[f]) === m[0])!;
    if (field === "id") {
      // A number: only as a whole JSON number in the loader data.
      if (!script || !/[,:[]$/.test(html.slice(at - 1, at)) || !/^[,\]}]/.test(html.slice(end, end + 1))) return null;
    } else if (script && (html.slice(at - 2, at) !== '\\"' || html.slice(end, end + 2) !== '\\"')) {
      return null;
    }
    parts.push({ field, in: script ? "script" : "html" });
  }
  parts.push(html.slice(last));
  const partSlots = parts.filter((p) => typeof p !== "string" && "field" in p && p.field === "part").length;
  if (partSlots !== 0 && partSlots !== 2) return null;
  return { parts, readerPart: partSlots === 2, size: html.length * 2 };
}

/** The page for one reader: their values in every slot, this response's nonce. */
export function fillTemplate(template: PageTemplate, nonce: string, values: TemplateValues): string {
  if (template.readerPart && !values.part) throw new Error("a template with a reader part filled in without one");
  const encoded = {
    id: { html: String(values.id), script: String(values.id) },
    displayName: { html: escapeHtmlText(values.displayName), script: escapeStreamString(values.displayName) },
    email: { html: escapeHtmlText(values.email), script: escapeStreamString(values.email) },
    // The part's markup is React's own (escaped when rendered); its data a string like any other.
    part: { html: values.part?.html ?? "", script: values.part ? escapeStreamString(values.part.data) : "" },
  };
  let out = "";
  for (const part of template.parts) {
    if (typeof part === "string") out += part;
    else if ("nonce" in part) out += nonce;
    else out += encoded[part.field][part.in];
  }
  return out;
}
