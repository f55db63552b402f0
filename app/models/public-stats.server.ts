// Public participation statistics (/stats, issue 16 item 6): who took part in
// the consultation, by cluster, province, organisation size and type, and week
// by week. Published for anyone, so nothing may point at a person:
//
// - A figure is shown only when at least SMALL_CELL (5) distinct people stand
//   behind it (the people who took part, wrote the suggestions, gave the
//   supports); a smaller non-zero figure is suppressed ("fewer than 5").
// - Secondary suppression: when a column of a breakdown has exactly one
//   suppressed figure, the total would give it away (total minus the rest), so
//   the smallest other non-zero figure of that column is suppressed too.
// - A total with fewer than 5 people behind it is suppressed as well.
//
// What is counted (the active consultation):
// - suggestions: the public ones (published, and merged duplicates, which were
//   suggestions people made too);
// - supports: those behind published suggestions (a merged duplicate's
//   supporters were carried over to it, each person once);
// - participants: the people who wrote a public suggestion or gave such a
//   support; organisations: the distinct organisations of those people.
// Province, size and type are those of the person's organisation (for a
// support, of the organisation they supported for); people without an
// organisation are in "no organisation". Workshop suggestions entered for an
// organisation count that organisation as the one behind them.
//
// Computing it reads every public suggestion and counted support once, in id
// ranges with the event loop turning between them: at national scale that is
// still seconds of work, so the figures are a snapshot kept for
// STATS_MAX_AGE_MS per process (one computation at a time; the page says
// "as of").
import type { Executor } from "../../db/client";
import { now as clockNow } from "~/lib/clock.server";
import { isPublicStatus } from "~/lib/reference";
import { snapshotMemo } from "~/lib/snapshot-memo.server";
import { forEachIdRange } from "./search.server";
import { SMALL_CELL, STATS_DIMENSIONS, STATS_TABLES, type Figure, type StatsDimension, type StatsTable } from "~/lib/stats-labels";

export { SMALL_CELL, STATS_DIMENSIONS, STATS_TABLES, type Figure, type StatsDimension, type StatsTable } from "~/lib/stats-labels";

export const STATS_MAX_AGE_MS = 10 * 60_000;

export interface StatsRow {
  /** cluster slug, province, size band or organisation type; "none": no organisation */
  key: string;
  participants: Figure;
  organisations: Figure;
  suggestions: Figure;
  supports: Figure;
}

export interface WeekRow {
  /** the Monday of the ISO week, YYYY-MM-DD (UTC) */
  week: string;
  suggestions: Figure;
  supports: Figure;
}

export interface PublicStats {
  asOf: string;
  totals: { participants: Figure; organisations: Figure; suggestions: Figure; supports: Figure };
  by: Record<StatsDimension, StatsRow[]>;
  weeks: WeekRow[];
}

/** The table a /stats.csv address asks for (exactly one `table`), or null. */
export function statsTableOf(query: URLSearchParams): StatsTable | null {
  const all = query.getAll("table");
  return all.length === 1 && (STATS_TABLES as readonly string[]).includes(all[0]) ? (all[0] as StatsTable) : null;
}

/** A raw figure with the number of distinct people behind it. */
interface Cell {
  value: number;
  people: number;
}

/**
 * Suppresses the cells of one column: any non-zero cell with fewer than
 * SMALL_CELL people behind it, then, when exactly one was suppressed, the
 * smallest other non-zero cell, so the column's total cannot give it back.
 */
export function suppressColumn(cells: Cell[]): Figure[] {
  const out: Figure[] = cells.map((c) => (c.value > 0 && c.people < SMALL_CELL ? null : c.value));
  if (out.filter((v) => v === null).length === 1) {
    let smallest = -1;
    out.forEach((v, i) => {
      if (v !== null && v > 0 && (smallest < 0 || v < (out[smallest] as number))) smallest = i;
    });
    if (smallest >= 0) out[smallest] = null;
  }
  return out;
}

const shown = (c: Cell): Figure => (c.value > 0 && c.people < SMALL_CELL ? null : c.value);

/** A count and the distinct people behind it, counted only up to SMALL_CELL: all suppression asks is whether there are 5. */
class Tally {
  n = 0;
  private readonly people = new Set<number>();
  add(person: number | null): void {
    this.n += 1;
    if (person !== null && this.people.size < SMALL_CELL) this.people.add(person);
  }
  cell(): Cell {
    return { value: this.n, people: this.people.size };
  }
}

/** Tallies by key ("none": no organisation). */
class Tallies {
  readonly byKey = new Map<string, Tally>();
  add(key: string, person: number | null): void {
    let t = this.byKey.get(key);
    if (!t) this.byKey.set(key, (t = new Tally()));
    t.add(person);
  }
  cell(key: string): Cell {
    return this.byKey.get(key)?.cell() ?? { value: 0, people: 0 };
  }
}

/** Adds `item` to the set kept under `key`. */
function addTo<K, V>(map: Map<K, Set<V>>, key: K, item: V): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  s.add(item);
}

/** How many submission ids one read of supports covers (~10 supports each on the national data set: ~5,000 rows a statement). */
const SUPPORT_CHUNK_IDS = 500;
/** How many participants the last pass tallies between two turns of the event loop. */
const PASS_YIELD_EVERY = 5_000;
/** How many ids one read of users covers. */
const USER_CHUNK_IDS = 20_000;

/** The Monday (YYYY-MM-DD, UTC) of the ISO week of an ISO time, memoised by day. */
function weekOfDay(memo: Map<string, string>, iso: string): string {
  const day = iso.slice(0, 10);
  let week = memo.get(day);
  if (week === undefined) {
    const d = new Date(`${day}T00:00:00.000Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    week = d.toISOString().slice(0, 10);
    memo.set(day, week);
  }
  return week;
}

/** Every week from the first activity to `now`'s week, with zeros where nothing happened. */
function weekRange(first: string | null, now: Date): string[] {
  if (!first) return [];
  const monday = (d: Date) => {
    const day = (d.getUTCDay() + 6) % 7;
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
  };
  const weeks: string[] = [];
  const end = monday(now);
  for (let t = Date.parse(`${first}T00:00:00.000Z`); t <= end && weeks.length < 520; t += 7 * 86_400_000) {
    weeks.push(new Date(t).toISOString().slice(0, 10));
  }
  return weeks;
}

const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The breakdown's rows in their order: known keys alphabetically, "none" last. */
function orderedKeys(...maps: Array<Map<string, unknown>>): string[] {
  const keys = new Set<string>();
  for (const m of maps) for (const k of m.keys()) keys.add(k);
  return [...keys].sort((a, b) => (a === "none" ? 1 : b === "none" ? -1 : a.localeCompare(b)));
}

/**
 * The figures now (no snapshot): for the tests and for the snapshot below.
 *
 * Reads each public suggestion and each counted support once, in id ranges
 * (one statement each, with a turn of the event loop between two: ADR 0021),
 * and tallies every breakdown and week in the same pass. The straightforward
 * SQL (one grouped query per breakdown, each over every support) took 31 s of
 * CPU in one uninterrupted block on the national data set (docs/benchmarks.md);
 * tests/support/public-stats-oracle.ts keeps it, and the model tests check
 * that both give the same figures.
 */
export async function computePublicStats(db: Executor, params: { consultationId: number; now?: Date }): Promise<PublicStats> {
  const now = params.now ?? clockNow();
  const consultationId = params.consultationId;
  const [clusterRows, orgRows] = await Promise.all([
    db.selectFrom("clusters").select(["id", "slug"]).execute(),
    db.selectFrom("organisations").select(["id", "province", "size_band", "type"]).execute(),
  ]);
  const clusterSlug = new Map(clusterRows.map((c) => [c.id, c.slug]));
  const orgs = new Map(orgRows.map((o) => [o.id, o]));
  const none = "none";
  /** A dimension's key for a cluster and an organisation (of the suggestion, the support or the person). */
  const keyOf = (d: StatsDimension, clusterId: number | null, orgId: number | null): string => {
    if (d === "cluster") return (clusterId !== null ? clusterSlug.get(clusterId) : undefined) ?? none;
    const o = orgId !== null ? orgs.get(orgId) : undefined;
    if (!o) return none;
    return (d === "province" ? o.province : d === "size" ? o.size_band : o.type) ?? none;
  };

  const suggestions = Object.fromEntries(STATS_DIMENSIONS.map((d) => [d, new Tallies()])) as Record<StatsDimension, Tallies>;
  const supports = Object.fromEntries(STATS_DIMENSIONS.map((d) => [d, new Tallies()])) as Record<StatsDimension, Tallies>;
  const suggestionWeeks = new Tallies();
  const supportWeeks = new Tallies();
  const suggestionTotal = new Tally();
  const supportTotal = new Tally();
  /** participants: the people of each cluster, and everyone */
  const peopleByCluster = new Map<number, Set<number>>();
  const participants = new Set<number>();
  const weekMemo = new Map<string, string>();

  await forEachIdRange(db, async ({ from, to }) => {
    const rows = await db
      .selectFrom("submissions")
      .select(["author_id", "organisation_id", "cluster_id", "created_at", "consultation_id", "status"])
      // Only the id range in SQL: with the consultation and status there too, SQLite may pick the
      // (consultation_id, status) index and walk every public suggestion for each range (seen on a
      // copy of the national data set, ADR 0030). The rest is filtered here.
      .where("id", ">=", from)
      .where("id", "<=", to)
      .execute();
    for (const s of rows) {
      if (s.consultation_id !== consultationId || !isPublicStatus(s.status)) continue;
      // The people behind a suggestion: its author, or for a workshop's entry without one, its organisation.
      const person = s.author_id ?? (s.organisation_id !== null ? -s.organisation_id : null);
      for (const d of STATS_DIMENSIONS) suggestions[d].add(keyOf(d, s.cluster_id, s.organisation_id), person);
      suggestionWeeks.add(weekOfDay(weekMemo, s.created_at), person);
      suggestionTotal.add(person);
      if (s.author_id !== null) {
        addTo(peopleByCluster, s.cluster_id, s.author_id);
        participants.add(s.author_id);
      }
    }
  });

  await forEachIdRange(
    db,
    async ({ from, to }) => {
      const rows = await db
        .selectFrom("supports as sp")
        .innerJoin("submissions as s", "s.id", "sp.submission_id")
        .select(["sp.user_id", "sp.cluster_id", "sp.organisation_id", "sp.created_at"])
        .where("sp.submission_id", ">=", from)
        .where("sp.submission_id", "<=", to)
        .where("sp.consultation_id", "=", consultationId)
        .where("s.status", "=", "published")
        .execute();
      for (const sp of rows) {
        for (const d of STATS_DIMENSIONS) supports[d].add(keyOf(d, sp.cluster_id, sp.organisation_id), sp.user_id);
        supportWeeks.add(weekOfDay(weekMemo, sp.created_at), sp.user_id);
        supportTotal.add(sp.user_id);
        addTo(peopleByCluster, sp.cluster_id, sp.user_id);
        participants.add(sp.user_id);
      }
    },
    SUPPORT_CHUNK_IDS,
  );

  // Each participant's organisation now (province, size and type are the person's organisation's).
  const orgOfUser = new Map<number, number | null>();
  const top = Number(
    (
      await db
        .selectFrom("users")
        .select((eb) => eb.fn.max("id").as("max"))
        .executeTakeFirst()
    )?.max ?? 0,
  );
  for (let from = 1; from <= top; from += USER_CHUNK_IDS) {
    if (from > 1) await yieldLoop();
    const rows = await db
      .selectFrom("users")
      .select(["id", "organisation_id"])
      .where("id", ">=", from)
      .where("id", "<=", from + USER_CHUNK_IDS - 1)
      .execute();
    for (const u of rows) if (participants.has(u.id)) orgOfUser.set(u.id, u.organisation_id);
  }
  // Participants: a person counts once per cluster they took part in; for the
  // other breakdowns once, by their organisation now. One pass over them.
  type Part = { people: number; organisations: Set<number> };
  const partBy = Object.fromEntries(STATS_DIMENSIONS.map((d) => [d, new Map<string, Part>()])) as Record<StatsDimension, Map<string, Part>>;
  const count = (m: Map<string, Part>, key: string, org: number | null | undefined) => {
    let e = m.get(key);
    if (!e) m.set(key, (e = { people: 0, organisations: new Set() }));
    e.people += 1;
    if (org != null) e.organisations.add(org);
  };
  // The loop turns every PASS_YIELD_EVERY people: on the national data set this pass alone is ~0.3 s of CPU.
  let seen = 0;
  const turn = async () => {
    if (++seen % PASS_YIELD_EVERY === 0) await yieldLoop();
  };
  for (const [clusterId, people] of peopleByCluster) {
    const key = keyOf("cluster", clusterId, null);
    for (const p of people) {
      if (orgOfUser.has(p)) count(partBy.cluster, key, orgOfUser.get(p));
      await turn();
    }
  }
  const all: Part = { people: 0, organisations: new Set() };
  for (const p of participants) {
    await turn();
    if (!orgOfUser.has(p)) continue;
    const org = orgOfUser.get(p) ?? null;
    all.people += 1;
    if (org !== null) all.organisations.add(org);
    for (const d of STATS_DIMENSIONS) if (d !== "cluster") count(partBy[d], keyOf(d, null, org), org);
  }

  const by = {} as Record<StatsDimension, StatsRow[]>;
  for (const d of STATS_DIMENSIONS) {
    const part = new Map([...partBy[d]].map(([k, e]) => [k, { people: e.people, organisations: e.organisations.size }]));
    const ordered = orderedKeys(suggestions[d].byKey, supports[d].byKey, part);
    const columns = {
      participants: suppressColumn(ordered.map((k) => ({ value: part.get(k)?.people ?? 0, people: part.get(k)?.people ?? 0 }))),
      // Organisations are shown where the people behind them are.
      organisations: suppressColumn(ordered.map((k) => ({ value: part.get(k)?.organisations ?? 0, people: part.get(k)?.people ?? 0 }))),
      suggestions: suppressColumn(ordered.map((k) => suggestions[d].cell(k))),
      supports: suppressColumn(ordered.map((k) => supports[d].cell(k))),
    };
    by[d] = ordered.map((key, i) => ({
      key,
      participants: columns.participants[i],
      organisations: columns.organisations[i],
      suggestions: columns.suggestions[i],
      supports: columns.supports[i],
    }));
  }

  const first = [...suggestionWeeks.byKey.keys(), ...supportWeeks.byKey.keys()].sort()[0] ?? null;
  // Weeks are not parts of one whole the way a breakdown's rows are (the running
  // total is not published), so each week is suppressed on its own.
  const weeks: WeekRow[] = weekRange(first, now).map((week) => ({
    week,
    suggestions: shown(suggestionWeeks.cell(week)),
    supports: shown(supportWeeks.cell(week)),
  }));

  return {
    asOf: now.toISOString(),
    totals: {
      participants: shown({ value: all.people, people: all.people }),
      organisations: shown({ value: all.organisations.size, people: all.people }),
      suggestions: shown(suggestionTotal.cell()),
      supports: shown(supportTotal.cell()),
    },
    by,
    weeks,
  };
}

const memo = snapshotMemo<PublicStats>();

/** The figures as of at most STATS_MAX_AGE_MS ago; one computation at a time per process and database. */
export function getPublicStats(db: Executor, params: { consultationId: number; now?: Date }): Promise<PublicStats> {
  const now = params.now ?? clockNow();
  return memo(db, String(params.consultationId), {
    now: now.getTime(),
    maxAgeMs: STATS_MAX_AGE_MS,
    compute: () => computePublicStats(db, { consultationId: params.consultationId, now }),
  });
}
