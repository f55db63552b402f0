// Atom 1.0 (RFC 4287) documents, written as text: no XML writer is a
// dependency, so every value goes through ONE escaping helper (`xml`), which
// also drops the characters XML 1.0 cannot hold at all (C0 controls other than
// tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF): a title
// with such a character would otherwise make the whole feed unreadable.
export const ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8";

const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text or an attribute value, escaped for XML (both quotes too, so it is safe in either place). */
export function xml(value: string | number): string {
  return String(value)
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export interface AtomEntry {
  /** a stable IRI: the entry's public URL */
  id: string;
  title: string;
  /** RFC 3339 */
  updated: string;
  published?: string;
  /** the public page (rel=alternate) */
  link: string;
  /** plain text */
  summary: string;
  categories?: string[];
}

export interface AtomFeed {
  /** a stable IRI: the feed's own URL */
  id: string;
  title: string;
  subtitle?: string;
  /** the feed's own URL (rel=self) */
  self: string;
  /** the HTML page it follows (rel=alternate) */
  alternate: string;
  author: string;
  /** en | ur */
  lang: string;
  /** when nothing is in it: the feed still needs an `updated` */
  emptyUpdated: string;
  entries: AtomEntry[];
}

/** The latest of RFC 3339 / ISO times (they compare as text when all are UTC `…Z`). */
export function latest(times: Array<string | null | undefined>): string | null {
  const given = times.filter((t): t is string => Boolean(t)).map((t) => new Date(t).toISOString());
  return given.length ? given.sort().at(-1)! : null;
}

export function atomDocument(feed: AtomFeed): string {
  const updated = latest(feed.entries.map((e) => e.updated)) ?? feed.emptyUpdated;
  const lines = [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xml(feed.lang)}">`,
    `  <id>${xml(feed.id)}</id>`,
    `  <title>${xml(feed.title)}</title>`,
    ...(feed.subtitle ? [`  <subtitle>${xml(feed.subtitle)}</subtitle>`] : []),
    `  <updated>${xml(updated)}</updated>`,
    `  <author><name>${xml(feed.author)}</name></author>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(feed.self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(feed.alternate)}"/>`,
  ];
  for (const e of feed.entries) {
    lines.push(
      `  <entry>`,
      `    <id>${xml(e.id)}</id>`,
      `    <title>${xml(e.title)}</title>`,
      `    <updated>${xml(new Date(e.updated).toISOString())}</updated>`,
      ...(e.published ? [`    <published>${xml(new Date(e.published).toISOString())}</published>`] : []),
      `    <link rel="alternate" type="text/html" href="${xml(e.link)}"/>`,
      ...(e.categories ?? []).map((c) => `    <category term="${xml(c)}"/>`),
      `    <summary type="text">${xml(e.summary)}</summary>`,
      `  </entry>`,
    );
  }
  lines.push(`</feed>`, "");
  return lines.join("\n");
}

export function atomResponse(feed: AtomFeed): Response {
  return new Response(atomDocument(feed), {
    headers: { "Content-Type": ATOM_CONTENT_TYPE, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff" },
  });
}
