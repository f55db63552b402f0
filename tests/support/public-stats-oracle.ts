// The figures of /stats computed the straightforward way, in SQL, one
// grouped query per breakdown (what app/models/public-stats.server.ts did
// before it read every row once, in chunks, so that a snapshot miss at
// national scale no longer holds a worker's event loop for seconds). Kept
// here as the tests' oracle: tests/models/public-stats.test.ts checks that
// both give the same figures on random data.
import { sql, type Expression, type RawBuilder } from "kysely";
import type { Executor } from "../../db/client";
import { dialectOf } from "../../db/transaction";
import { PUBLIC_STATUSES } from "~/lib/reference";
import { SMALL_CELL, STATS_DIMENSIONS, type Figure, type StatsDimension } from "~/lib/stats-labels";
import { suppressColumn, type PublicStats, type StatsRow, type WeekRow } from "~/models/public-stats.server";

interface Cell {
  value: number;
  people: number;
}
const shown = (c: Cell): Figure => (c.value > 0 && c.people < SMALL_CELL ? null : c.value);

type Key = RawBuilder<string | null>;

/** The grouping expression of a dimension, over a suggestion's or a support's organisation `o` and cluster `c`. */
function keyOf(dimension: StatsDimension): Key {
  switch (dimension) {
    case "cluster":
      return sql<string | null>`c.slug`;
    case "province":
      return sql<string | null>`o.province`;
    case "size":
      return sql<string | null>`o.size_band`;
    case "type":
      return sql<string | null>`o.type`;
  }
}

/** The Monday (YYYY-MM-DD, UTC) of the week of an ISO time stored as text. */
function weekOf(db: Executor, ref: Expression<string>): RawBuilder<string> {
  return dialectOf(db) === "postgres"
    ? sql<string>`to_char(date_trunc('week', (${ref})::timestamptz AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`
    : sql<string>`date(${ref}, 'weekday 0', '-6 days')`;
}

function publicSuggestions(db: Executor, consultationId: number) {
  return db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .leftJoin("organisations as o", "o.id", "s.organisation_id")
    .where("s.consultation_id", "=", consultationId)
    .where("s.status", "in", PUBLIC_STATUSES);
}

function countedSupports(db: Executor, consultationId: number) {
  return db
    .selectFrom("supports as sp")
    .innerJoin("submissions as s", "s.id", "sp.submission_id")
    .innerJoin("clusters as c", "c.id", "sp.cluster_id")
    .leftJoin("organisations as o", "o.id", "sp.organisation_id")
    .where("sp.consultation_id", "=", consultationId)
    .where("s.status", "=", "published");
}

/** The people who took part: (person, cluster) pairs. */
function participantPairs(db: Executor, consultationId: number) {
  const authors = db
    .selectFrom("submissions as s")
    .select(["s.author_id as user_id", "s.cluster_id"])
    .where("s.consultation_id", "=", consultationId)
    .where("s.status", "in", PUBLIC_STATUSES)
    .where("s.author_id", "is not", null);
  const supporters = db
    .selectFrom("supports as sp")
    .innerJoin("submissions as s", "s.id", "sp.submission_id")
    .select(["sp.user_id", "sp.cluster_id"])
    .where("sp.consultation_id", "=", consultationId)
    .where("s.status", "=", "published");
  return authors.union(supporters);
}

/** People behind a suggestion: its author, or for an entry without one (a workshop's), its organisation. */
const suggestionPeople = sql<number>`count(distinct coalesce(s.author_id, -s.organisation_id))`;

async function breakdown(db: Executor, consultationId: number, dimension: StatsDimension): Promise<StatsRow[]> {
  const key = keyOf(dimension);
  const suggestions = await publicSuggestions(db, consultationId)
    .select([key.as("key"), (eb) => eb.fn.countAll<number>().as("n"), suggestionPeople.as("people")])
    .groupBy(key)
    .execute();
  const supports = await countedSupports(db, consultationId)
    .select([key.as("key"), (eb) => eb.fn.countAll<number>().as("n"), sql<number>`count(distinct sp.user_id)`.as("people")])
    .groupBy(key)
    .execute();
  // Participants: a person counts once per cluster they took part in; for the
  // other breakdowns once, by their organisation now.
  const pairs = participantPairs(db, consultationId).as("p");
  const participants =
    dimension === "cluster"
      ? await db
          .selectFrom(pairs)
          .innerJoin("clusters as c", "c.id", "p.cluster_id")
          .innerJoin("users as u", "u.id", "p.user_id")
          .select([
            key.as("key"),
            sql<number>`count(distinct p.user_id)`.as("people"),
            sql<number>`count(distinct u.organisation_id)`.as("organisations"),
          ])
          .groupBy(key)
          .execute()
      : await db
          .selectFrom(db.selectFrom(pairs).select("p.user_id").distinct().as("q"))
          .innerJoin("users as u", "u.id", "q.user_id")
          .leftJoin("organisations as o", "o.id", "u.organisation_id")
          .select([key.as("key"), sql<number>`count(*)`.as("people"), sql<number>`count(distinct u.organisation_id)`.as("organisations")])
          .groupBy(key)
          .execute();

  const keys = new Set<string>();
  const norm = (k: string | null) => k ?? "none";
  const bySugg = new Map(suggestions.map((r) => [norm(r.key), { value: Number(r.n), people: Number(r.people) }]));
  const bySupp = new Map(supports.map((r) => [norm(r.key), { value: Number(r.n), people: Number(r.people) }]));
  const byPart = new Map(participants.map((r) => [norm(r.key), { people: Number(r.people), organisations: Number(r.organisations) }]));
  for (const m of [bySugg, bySupp, byPart]) for (const k of m.keys()) keys.add(k);
  const ordered = [...keys].sort((a, b) => (a === "none" ? 1 : b === "none" ? -1 : a.localeCompare(b)));
  const zero = { value: 0, people: 0 };
  const partCells = ordered.map((k) => {
    const p = byPart.get(k);
    return { value: p?.people ?? 0, people: p?.people ?? 0 };
  });
  // Organisations are shown where the people behind them are.
  const orgCells = ordered.map((k) => {
    const p = byPart.get(k);
    return { value: p?.organisations ?? 0, people: p?.people ?? 0 };
  });
  const columns = {
    participants: suppressColumn(partCells),
    organisations: suppressColumn(orgCells),
    suggestions: suppressColumn(ordered.map((k) => bySugg.get(k) ?? zero)),
    supports: suppressColumn(ordered.map((k) => bySupp.get(k) ?? zero)),
  };
  return ordered.map((key, i) => ({
    key,
    participants: columns.participants[i],
    organisations: columns.organisations[i],
    suggestions: columns.suggestions[i],
    supports: columns.supports[i],
  }));
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

async function perWeek(db: Executor, consultationId: number, now: Date): Promise<WeekRow[]> {
  const sWeek = weekOf(db, sql.ref("s.created_at"));
  const suggestions = await publicSuggestions(db, consultationId)
    .select([sWeek.as("week"), (eb) => eb.fn.countAll<number>().as("n"), suggestionPeople.as("people")])
    .groupBy(sWeek)
    .execute();
  const spWeek = weekOf(db, sql.ref("sp.created_at"));
  const supports = await countedSupports(db, consultationId)
    .select([spWeek.as("week"), (eb) => eb.fn.countAll<number>().as("n"), sql<number>`count(distinct sp.user_id)`.as("people")])
    .groupBy(spWeek)
    .execute();
  const first = [...suggestions, ...supports].map((r) => r.week).sort()[0] ?? null;
  const weeks = weekRange(first, now);
  const cell = (rows: typeof suggestions, week: string) => {
    const r = rows.find((x) => x.week === week);
    return r ? { value: Number(r.n), people: Number(r.people) } : { value: 0, people: 0 };
  };
  // Weeks are not parts of one whole the way a breakdown's rows are (the running
  // total is not published), so each week is suppressed on its own.
  return weeks.map((week) => ({
    week,
    suggestions: shown(cell(suggestions, week)),
    supports: shown(cell(supports, week)),
  }));
}

async function totals(db: Executor, consultationId: number): Promise<PublicStats["totals"]> {
  const s = await publicSuggestions(db, consultationId)
    .select([(eb) => eb.fn.countAll<number>().as("n"), suggestionPeople.as("people")])
    .executeTakeFirstOrThrow();
  const sp = await countedSupports(db, consultationId)
    .select([(eb) => eb.fn.countAll<number>().as("n"), sql<number>`count(distinct sp.user_id)`.as("people")])
    .executeTakeFirstOrThrow();
  const p = await db
    .selectFrom(db.selectFrom(participantPairs(db, consultationId).as("p")).select("p.user_id").distinct().as("q"))
    .innerJoin("users as u", "u.id", "q.user_id")
    .select([sql<number>`count(*)`.as("people"), sql<number>`count(distinct u.organisation_id)`.as("organisations")])
    .executeTakeFirstOrThrow();
  const people = Number(p.people);
  return {
    participants: shown({ value: people, people }),
    organisations: shown({ value: Number(p.organisations), people }),
    suggestions: shown({ value: Number(s.n), people: Number(s.people) }),
    supports: shown({ value: Number(sp.n), people: Number(sp.people) }),
  };
}

/** The figures now (no snapshot): for the tests and for the snapshot below. */
export async function publicStatsBySql(db: Executor, params: { consultationId: number; now?: Date }): Promise<PublicStats> {
  const now = params.now ?? new Date();
  const by = {} as Record<StatsDimension, StatsRow[]>;
  for (const d of STATS_DIMENSIONS) by[d] = await breakdown(db, params.consultationId, d);
  return {
    asOf: now.toISOString(),
    totals: await totals(db, params.consultationId),
    by,
    weeks: await perWeek(db, params.consultationId, now),
  };
}
