// Full-text search over submissions behind one function per use, with the two
// dialects side by side: FTS5 on SQLite, tsvector on PostgreSQL. Whatever a
// person types (quotes, brackets, AND, *, Urdu, English) is reduced to plain
// word tokens first, so no query syntax ever reaches the engine.
import { sql, type Expression, type SqlBool } from "kysely";
import type { Executor } from "../../db/client";
import { dialectOf } from "../../db/transaction";
import { listingsGeneration } from "~/lib/listing-cache.server";

const MAX_TERMS = 12;

/**
 * On SQLite a statement runs on the event loop (better-sqlite3 is
 * synchronous): a search over every submission would hold every other request
 * of the worker for as long as it runs (90–290 ms for a common word on 100,000
 * suggestions). So a search reads the submissions in id ranges of this size,
 * one statement each, and lets the loop turn between them (ADR 0021).
 */
export const SEARCH_CHUNK_IDS = 10_000;

/** An id range of submissions, both ends included. */
export interface IdRange {
  from: number;
  to: number;
}

/**
 * Calls `read` for each id range covering every submission, lowest first, with a
 * turn of the event loop between two ranges (SQLite; see SEARCH_CHUNK_IDS).
 */
export async function forEachIdRange(
  db: Executor,
  read: (range: IdRange) => Promise<void>,
  size: number = SEARCH_CHUNK_IDS,
): Promise<void> {
  const top = await db
    .selectFrom("submissions")
    .select((eb) => eb.fn.max("id").as("max"))
    .executeTakeFirst();
  const max = Number(top?.max ?? 0);
  for (let from = 1; from <= max; from += size) {
    if (from > 1) await new Promise<void>((resolve) => setImmediate(resolve));
    await read({ from, to: from + size - 1 });
  }
}

// Words too common to say anything about similarity (English and Urdu).
const STOP_WORDS = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "for",
  "from",
  "has",
  "have",
  "in",
  "is",
  "it",
  "its",
  "of",
  "on",
  "or",
  "our",
  "that",
  "the",
  "this",
  "to",
  "was",
  "we",
  "with",
  "not",
  "no",
  "should",
  "will",
  "can",
  "all",
  "more",
  "کا",
  "کی",
  "کے",
  "کو",
  "میں",
  "سے",
  "اور",
  "ہے",
  "ہیں",
  "پر",
  "یہ",
  "وہ",
  "بھی",
  "کہ",
  "جو",
  "ایک",
  "لیے",
  "تھا",
  "گا",
]);

/**
 * One normal form for indexed text and queries alike: NFKC, Arabic-script
 * diacritics (zer, zabar, pesh, tashdid, madda mark, superscript alef…) and
 * tatweel removed, lower case. "بَرآمد" and "برآمد" become the same word.
 */
function normaliseSearchText(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g, "")
    .normalize("NFKC")
    .toLowerCase();
}

/** The four texts of a suggestion (its own, or a translation's). */
export interface SearchableText {
  title: string;
  problem: string;
  proposal: string;
  expected_impact?: string | null;
}

/**
 * The two indexed columns of a submission, normalised: its own text and its
 * translations' (issue 18, ADR 0031), so a search in either language finds it.
 * Whoever writes the text or a translation writes these in the same transaction.
 */
export function searchColumns(s: SearchableText, translations: readonly SearchableText[] = []) {
  const all = [s, ...translations];
  return {
    search_title: normaliseSearchText(all.map((x) => x.title).join("\n")),
    search_body: normaliseSearchText(all.map((x) => [x.problem, x.proposal, x.expected_impact ?? ""].join("\n")).join("\n")),
  };
}

/**
 * The memo key of a query: its words as the search reads them, so "Export",
 * "export!" and "(export)" are one search (and one memo entry).
 */
export function searchKey(query: string): string {
  return searchTerms(query).join(" ");
}

/** Word tokens of a query: letters, digits and combining marks; lower-cased; at most 12. */
function searchTerms(query: string): string[] {
  const tokens = normaliseSearchText(query).match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  const unique = [...new Set(tokens.filter((t) => t.length >= 2 || /\p{N}/u.test(t)))];
  return unique.slice(0, MAX_TERMS);
}

function ftsQuote(term: string): string {
  // Tokens never contain quotes (see searchTerms), but quote-doubling keeps it safe regardless.
  return `"${term.replace(/"/g, '""')}"`;
}

/**
 * A condition on `submissions.id`/`search` matching every term (the last one
 * as a prefix, so "export fin" finds "export finance"); null when the query has
 * no words. A term (one word or several) that is in the glossary matches any
 * of its equivalents too: "tax relief" finds "ٹیکس relief" (ADR 0033). With
 * `range` (SQLite), only the ids in it (see forEachIdRange). `db` is the
 * executor the condition's query runs on (it picks the dialect).
 */
export async function matchAllTerms(db: Executor, query: string, idColumn = "s.id", range?: IdRange): Promise<Expression<SqlBool> | null> {
  return (await searchMatcher(db, query))?.(idColumn, range) ?? null;
}

/** A condition on submissions for a query's words, as matchAllTerms; null when the query has no words. */
export type SearchMatcher = (idColumn?: string, range?: IdRange) => Expression<SqlBool>;

/**
 * matchAllTerms in two steps: the query read and expanded once (the glossary
 * is read here), then a condition for each id range without reading it again.
 */
export async function searchMatcher(db: Executor, query: string): Promise<SearchMatcher | null> {
  const terms = searchTerms(query);
  if (!terms.length) return null;
  const slots = expandTerms(terms, await currentGlossary(db));
  if (dialectOf(db) === "sqlite") {
    const match = ftsAllOf(slots);
    return (idColumn = "s.id", range) =>
      range
        ? sql<SqlBool>`${sql.ref(idColumn)} between ${range.from} and ${range.to} and ${sql.ref(idColumn)} in (select rowid from submissions_fts where submissions_fts match ${match} and rowid between ${range.from} and ${range.to})`
        : sql<SqlBool>`${sql.ref(idColumn)} in (select rowid from submissions_fts where submissions_fts match ${match})`;
  }
  const tsquery = tsAllOf(slots);
  return (idColumn = "s.id") => {
    const table = idColumn.includes(".") ? idColumn.split(".")[0] : "submissions";
    return sql<SqlBool>`${sql.ref(`${table}.search`)} @@ to_tsquery('simple', ${tsquery})`;
  };
}

// ───────────────────────────── the glossary ─────────────────────────────
//
// Groups of equivalent terms, in either language: each cluster's, category's
// and stage's English and Urdu names (the taxonomy tables), and the admins'
// synonym groups (glossary_terms, /admin/glossary). A query's term that is a
// glossary term matches any term of its group(s) instead: OR within the
// group, AND across the query's terms as before. Words are compared in the
// search's normal form (normaliseSearchText), so "زرِ تلافی" and "زر تلافی" are
// one term; common words (STOP_WORDS) are left out of a term's key, so
// "Tax relief and fiscal incentives" is typed with or without its "and".

/** Equivalents of one term at most (its own words first): a query stays a bounded expression. */
const MAX_EQUIVALENTS = 12;

/** The glossary as the search reads it. */
export interface Glossary {
  /** a term's key (its words, space-separated) → the word lists it stands for, itself included */
  equivalents: Map<string, string[][]>;
  /** words of the longest term */
  longest: number;
}

/** A term's words as a query's are read and compared (normal form, tokens, common words left out). */
export function glossaryWords(term: string): string[] {
  const tokens = normaliseSearchText(term).match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  return tokens.filter((t) => (t.length >= 2 || /\p{N}/u.test(t)) && !STOP_WORDS.has(t));
}

/** A term's key in the glossary ("" for a term with no word the search can use). */
export function glossaryKey(term: string): string {
  return glossaryWords(term).join(" ");
}

/** The glossary of these groups of equivalent terms (a term in several groups stands for all of them). */
export function buildGlossary(groups: ReadonlyArray<readonly string[]>): Glossary {
  const equivalents = new Map<string, string[][]>();
  let longest = 0;
  for (const group of groups) {
    const members = new Map<string, string[]>();
    for (const term of group) {
      const words = glossaryWords(term);
      if (words.length) members.set(words.join(" "), words);
    }
    if (members.size < 2) continue;
    for (const [key, words] of members) {
      longest = Math.max(longest, words.length);
      const list = equivalents.get(key) ?? [words];
      for (const [other, otherWords] of members) if (other !== key && !list.some((w) => w.join(" ") === other)) list.push(otherWords);
      equivalents.set(key, list);
    }
  }
  for (const list of equivalents.values()) list.splice(MAX_EQUIVALENTS);
  return { equivalents, longest };
}

/** One term of a query after expansion: any of `alternatives` (each all of its words); `prefix`: the first one's last word is a prefix. */
export interface QuerySlot {
  alternatives: string[][];
  prefix: boolean;
}

/**
 * A query's terms grouped by the glossary: from the left, the longest run of
 * terms (common words in between allowed) whose key is a glossary term
 * becomes one slot with its equivalents; any other term is a slot of its own.
 * The first alternative of a slot is always the query's own words, so an
 * expanded query finds everything the plain one found. The query's last term
 * stays a prefix (in its own words only: "ٹیکس" is not a prefix of "ٹیکسٹائل"'s
 * equivalents).
 */
export function expandTerms(terms: readonly string[], glossary: Glossary, lastIsPrefix = true): QuerySlot[] {
  const slots: QuerySlot[] = [];
  const last = terms.length - 1;
  for (let i = 0; i < terms.length;) {
    let found: { end: number; key: string } | null = null;
    if (!STOP_WORDS.has(terms[i]) && glossary.longest) {
      const words: string[] = [];
      for (let j = i; j < terms.length && words.length < glossary.longest; j++) {
        if (STOP_WORDS.has(terms[j])) continue;
        words.push(terms[j]);
        const key = words.join(" ");
        if (glossary.equivalents.has(key)) found = { end: j, key };
      }
    }
    const end = found?.end ?? i;
    const own = terms.slice(i, end + 1);
    const others = found ? glossary.equivalents.get(found.key)!.filter((w) => w.join(" ") !== found.key) : [];
    slots.push({ alternatives: [own, ...others], prefix: lastIsPrefix && end === last });
    i = end + 1;
  }
  return slots;
}

/** The FTS5 expression of all the slots. */
function ftsAllOf(slots: readonly QuerySlot[]): string {
  return slots
    .map(({ alternatives, prefix }) => {
      const options = alternatives.map((words, a) => {
        const quoted = words.map((w, k) => (prefix && a === 0 && k === words.length - 1 ? `${ftsQuote(w)}*` : ftsQuote(w)));
        return quoted.length > 1 ? `(${quoted.join(" AND ")})` : quoted[0];
      });
      return options.length > 1 ? `(${options.join(" OR ")})` : options[0];
    })
    .join(" AND ");
}

/** The tsquery of all the slots. */
function tsAllOf(slots: readonly QuerySlot[]): string {
  return slots
    .map(({ alternatives, prefix }) => {
      const options = alternatives.map((words, a) => {
        const parts = words.map((w, k) => (prefix && a === 0 && k === words.length - 1 ? `${w}:*` : w));
        return parts.length > 1 ? `(${parts.join(" & ")})` : parts[0];
      });
      return options.length > 1 ? `(${options.join(" | ")})` : options[0];
    })
    .join(" & ");
}

/** The alternatives of a similarity search: its own words one by one, then every equivalent the glossary adds (distinct). */
function similarityAlternatives(terms: readonly string[], glossary: Glossary): string[][] {
  const seen = new Set(terms);
  const alternatives = terms.map((t) => [t]);
  for (const slot of expandTerms(terms, glossary, false)) {
    for (const words of slot.alternatives.slice(1)) {
      const key = words.join(" ");
      if (seen.has(key)) continue;
      seen.add(key);
      alternatives.push(words);
    }
  }
  return alternatives;
}

// How the search keeps the glossary: read once, then kept in this process
// and read again when either (1) the listings' generation moved — every
// glossary edit and taxonomy change calls listingsChanged(), which moves it
// in this process at once and in the server's other worker processes through
// the primary (ADR 0021's relay), and which also drops the memoised searches
// that were answered with the old glossary — or (2) it is older than
// GLOSSARY_TTL_MS, for other instances on one PostgreSQL database, the same
// bound the listing memo has (a search memoised there lags as long anyway).
const GLOSSARY_TTL_MS = 10_000;

interface GlossaryCopy {
  generation: number;
  readAt: number;
  glossary: Promise<Glossary>;
}
let glossaryCopy: GlossaryCopy | null = null;

let glossaryOverride: Glossary | null = null;

/** bench/search.ts: search with this glossary instead of the database's (an empty one is the baseline without expansion); null: the database's again. */
export function overrideGlossary(glossary: Glossary | null): void {
  glossaryOverride = glossary;
}

/** The glossary every search uses: this process's copy, read again after a change (see above). */
export async function currentGlossary(db: Executor): Promise<Glossary> {
  if (glossaryOverride) return glossaryOverride;
  const generation = listingsGeneration();
  const now = Date.now();
  const copy = glossaryCopy;
  if (copy && copy.generation === generation && now - copy.readAt < GLOSSARY_TTL_MS) return copy.glossary;
  const fresh: GlossaryCopy = { generation, readAt: now, glossary: readGlossary(db) };
  glossaryCopy = fresh;
  try {
    return await fresh.glossary;
  } catch (error) {
    if (glossaryCopy === fresh) glossaryCopy = null; // a failed read is not kept
    throw error;
  }
}

/** Forget this process's copy (tests that swap databases in one process). */
export function forgetGlossary(): void {
  glossaryCopy = null;
}

/** Reads the glossary: the taxonomy's names in both languages, and the admins' groups. */
async function readGlossary(db: Executor): Promise<Glossary> {
  const [clusters, categories, stages, terms] = await Promise.all([
    db.selectFrom("clusters").select(["name_en", "name_ur"]).execute(),
    db.selectFrom("categories").select(["name_en", "name_ur"]).execute(),
    db.selectFrom("stages").select(["name_en", "name_ur"]).execute(),
    db.selectFrom("glossary_terms").select(["group_id", "term"]).orderBy("group_id").orderBy("position").execute(),
  ]);
  const groups: string[][] = [...clusters, ...categories, ...stages].map((n) => [n.name_en, n.name_ur]);
  const byGroup = new Map<number, string[]>();
  for (const t of terms) byGroup.set(t.group_id, [...(byGroup.get(t.group_id) ?? []), t.term]);
  groups.push(...byGroup.values());
  return buildGlossary(groups);
}

/** Terms for a similarity search: the query's words minus stop words. */
export function similarityTerms(text: string): string[] {
  return searchTerms(text).filter((t) => !STOP_WORDS.has(t));
}

export interface SimilarQuery {
  text: string;
  consultationId: number;
  statuses: readonly string[];
  excludeId?: number;
  limit: number;
  /** ids per statement on SQLite (tests split small tables too); SEARCH_CHUNK_IDS by default */
  chunkIds?: number;
}

/**
 * Ids of submissions similar to `text`, best first: any of its words (or of
 * their equivalents in the glossary, a term of several words as all of them) matches,
 * ranked by BM25 (SQLite, title weighted 4×) or ts_rank (PostgreSQL, title
 * weighted A). Empty when the text has no usable words.
 */
export async function findSimilarIds(db: Executor, q: SimilarQuery): Promise<number[]> {
  const terms = similarityTerms(q.text);
  if (!terms.length || !q.statuses.length) return [];
  const exclude = q.excludeId ?? 0;
  const statuses = sql.join(q.statuses.map((st) => sql`${st}`));
  const alternatives = similarityAlternatives(terms, await currentGlossary(db));
  if (dialectOf(db) === "sqlite") {
    // The best `limit` of each id range, then the best of those: the same
    // ranking as one statement (bm25's statistics are the whole table's), with
    // the event loop free between ranges.
    const match = alternatives.map((w) => (w.length > 1 ? `(${w.map(ftsQuote).join(" AND ")})` : ftsQuote(w[0]))).join(" OR ");
    let best: Array<{ id: number; score: number }> = [];
    await forEachIdRange(
      db,
      async ({ from, to }) => {
        const r = await sql<{ id: number; score: number }>`select s.id, bm25(submissions_fts, 4.0, 1.0) as score from submissions_fts
          join submissions s on s.id = submissions_fts.rowid
          where submissions_fts match ${match} and submissions_fts.rowid between ${from} and ${to}
            and s.consultation_id = ${q.consultationId} and s.status in (${statuses}) and s.id <> ${exclude}
          order by score, s.id desc limit ${q.limit}`.execute(db);
        best = [...best, ...r.rows].sort((a, b) => a.score - b.score || b.id - a.id).slice(0, q.limit);
      },
      q.chunkIds,
    );
    return best.map((row) => row.id);
  }
  const tsquery = alternatives.map((w) => (w.length > 1 ? `(${w.join(" & ")})` : w[0])).join(" | ");
  const r = await sql<{ id: number }>`select s.id from submissions s
      where s.search @@ to_tsquery('simple', ${tsquery})
        and s.consultation_id = ${q.consultationId} and s.status in (${statuses}) and s.id <> ${exclude}
      order by ts_rank(s.search, to_tsquery('simple', ${tsquery})) desc, s.id desc limit ${q.limit}`.execute(db);
  return r.rows.map((row) => row.id);
}
