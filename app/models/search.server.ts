// Full-text search over submissions behind one function per use, with the two
// dialects side by side: FTS5 on SQLite, tsvector on PostgreSQL. Whatever a
// person types (quotes, brackets, AND, *, Urdu, English) is reduced to plain
// word tokens first, so no query syntax ever reaches the engine.
import { sql, type Expression, type SqlBool } from "kysely";
import type { Executor } from "../../db/client";
import { dialectOf } from "../../db/transaction";

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
 * no words. With `range` (SQLite), only the ids in it (see forEachIdRange).
 * `db` is the executor the condition's query runs on (it picks the dialect).
 */
export function matchAllTerms(db: Executor, query: string, idColumn = "s.id", range?: IdRange): Expression<SqlBool> | null {
  const terms = searchTerms(query);
  if (!terms.length) return null;
  if (dialectOf(db) === "sqlite") {
    const match = terms.map((t, i) => (i === terms.length - 1 ? `${ftsQuote(t)}*` : ftsQuote(t))).join(" ");
    if (range) {
      return sql<SqlBool>`${sql.ref(idColumn)} between ${range.from} and ${range.to} and ${sql.ref(idColumn)} in (select rowid from submissions_fts where submissions_fts match ${match} and rowid between ${range.from} and ${range.to})`;
    }
    return sql<SqlBool>`${sql.ref(idColumn)} in (select rowid from submissions_fts where submissions_fts match ${match})`;
  }
  const tsquery = terms.map((t, i) => (i === terms.length - 1 ? `${t}:*` : t)).join(" & ");
  const table = idColumn.includes(".") ? idColumn.split(".")[0] : "submissions";
  return sql<SqlBool>`${sql.ref(`${table}.search`)} @@ to_tsquery('simple', ${tsquery})`;
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
 * Ids of submissions similar to `text`, best first: any of its words matches,
 * ranked by BM25 (SQLite, title weighted 4×) or ts_rank (PostgreSQL, title
 * weighted A). Empty when the text has no usable words.
 */
export async function findSimilarIds(db: Executor, q: SimilarQuery): Promise<number[]> {
  const terms = similarityTerms(q.text);
  if (!terms.length || !q.statuses.length) return [];
  const exclude = q.excludeId ?? 0;
  const statuses = sql.join(q.statuses.map((st) => sql`${st}`));
  if (dialectOf(db) === "sqlite") {
    // The best `limit` of each id range, then the best of those: the same
    // ranking as one statement (bm25's statistics are the whole table's), with
    // the event loop free between ranges.
    const match = terms.map(ftsQuote).join(" OR ");
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
  const tsquery = terms.join(" | ");
  const r = await sql<{ id: number }>`select s.id from submissions s
      where s.search @@ to_tsquery('simple', ${tsquery})
        and s.consultation_id = ${q.consultationId} and s.status in (${statuses}) and s.id <> ${exclude}
      order by ts_rank(s.search, to_tsquery('simple', ${tsquery})) desc, s.id desc limit ${q.limit}`.execute(db);
  return r.rows.map((row) => row.id);
}
