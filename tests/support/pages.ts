// Reading route-test pages: fields, errors, cards and counts out of HTML.
// (The visible text of a page, a form by id and signing in are in ./http.ts.)
import { decodeEntities, pageText } from "./http";

/** The opening tag of the input, textarea or select named `name`, or "". */
export function controlTag(html: string, name: string): string {
  return html.match(new RegExp(`<(?:input|textarea|select)[^>]*\\sname="${name}"[^>]*>`))?.[0] ?? "";
}

/**
 * A field's block: from its `<div class="field…">` to the end of its control's
 * opening tag (label, hint, errors, control), or "" when there is no such control.
 */
export function fieldBlock(html: string, name: string): string {
  const at = html.search(new RegExp(`<(?:input|textarea|select)[^>]*\\sname="${name}"`));
  if (at < 0) return "";
  const start = html.lastIndexOf('<div class="field', at);
  if (start < 0) return "";
  return html.slice(start, html.indexOf(">", at) + 1);
}

/** The value of an attribute in a tag, or null. */
export function attr(tag: string, name: string): string | null {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`));
  return m ? decodeEntities(m[1]) : null;
}

/** The text of a <textarea name="…">, decoded, or null. */
export function textareaValue(html: string, name: string): string | null {
  const m = html.match(new RegExp(`<textarea[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</textarea>`));
  return m ? decodeEntities(m[1]).replace(/^\n/, "") : null;
}

/** The option shown as selected in a <select name="…">, or null. */
export function selectedOption(html: string, name: string): string | null {
  const select = html.match(new RegExp(`<select[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</select>`));
  if (!select) return null;
  return select[1].match(/<option value="([^"]*)" selected=""/)?.[1] ?? null;
}

/** The submission ids of the cards on a cluster page, in page order. */
export function cardIds(html: string): number[] {
  const list = html.match(/<ol class="card-list">([\s\S]*?)<\/ol>/);
  if (!list) return [];
  return [...list[1].matchAll(/<h2 class="card__title"><a[^>]*href="\/submissions\/(\d+)"/g)].map((m) => Number(m[1]));
}

/** The HTML of the card of submission `id` on a cluster page, or "". */
export function cardHtml(html: string, id: number): string {
  const cards = html.match(/<li class="card">[\s\S]*?<\/li>(?=<li class="card">|<\/ol>)/g) ?? [];
  return cards.find((c) => c.includes(`href="/submissions/${id}"`)) ?? "";
}

/** The supporters count shown on a submission page, or null. */
export function supportCount(html: string): number | null {
  const m = html.match(/class="support__count"><strong>([\d,]+)<\/strong>/);
  return m ? Number(m[1].replace(/,/g, "")) : null;
}

/** The HTML of a <section aria-labelledby="…"> (used on /me), or "". */
export function sectionHtml(html: string, labelledBy: string): string {
  return html.match(new RegExp(`<section[^>]*aria-labelledby="${labelledBy}"[^>]*>[\\s\\S]*?</section>`))?.[0] ?? "";
}

/** The list items of a fragment, as visible text. */
export function listItems(html: string): string[] {
  return [...html.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => pageText(m[1]));
}
