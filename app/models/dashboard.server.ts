// The organiser dashboard's figures: every number is a SQL aggregate
// (count, sum, count distinct, GROUP BY); no rows are loaded to be counted in
// JavaScript. Most queries run once per cluster over a covering index range
// (see docs/benchmarks.md "Organiser dashboard"): a GROUP BY over the whole
// consultation made SQLite read every row of a 100,000-suggestion table.
// The largest are also cut in slices of organisation ids whose counts add up
// exactly, and the event loop turns between queries (ADR 0017): SQLite is
// synchronous, so one query is the longest any other request waits.
//
// Definitions:
// - the matrix counts published and merged suggestions, once per issue
//   category they are tagged with; supporters are summed over the published
//   ones only (a merged suggestion's supporters were carried to its target,
//   so they count there, each person once); organisations are the authors'
//   organisations (submissions.organisation_id), "verified" those of them
//   with organisations.verified = 1;
// - top lists and the matrix exclude pending, rejected, withdrawn and hidden;
// - per day: suggestions received (created_at, any state) and supports given,
//   by UTC calendar day, over the last `days` days up to `now`;
// - participation: people who supported at least one suggestion. By cluster,
//   their organisation is the one recorded with the support; by size band and
//   province, the person's current organisation ("none" when they have none).
import { setImmediate as nextTurn } from "node:timers/promises";
import { sql, type ExpressionBuilder } from "kysely";
import type { Executor } from "../../db/client";
import { PUBLIC_STATUSES } from "~/lib/reference";

export interface MatrixCell {
  clusterId: number;
  categoryId: number;
  submissions: number;
  supporters: number;
  organisations: number;
  verifiedOrganisations: number;
}

export interface TopSubmission {
  id: number;
  title: string;
  supporters: number;
  organisations: number;
}

export interface DayCount {
  day: string;
  submissions: number;
  supports: number;
}

export interface Participation {
  key: string | null;
  supporters: number;
  organisations: number;
}

export interface Backlog {
  clusterId: number;
  pending: number;
  oldestPendingAt: string | null;
}

const DAY_MS = 86_400_000;

/**
 * Runs `f` for each item one after the other, letting the event loop turn
 * before each one. better-sqlite3 is synchronous and Kysely's promises resolve
 * as microtasks, so a chain of queries would otherwise hold the worker's event
 * loop for its whole length (≈ 0.5 s for the dashboard at national scale):
 * with a turn between queries, other requests wait for one query at most.
 */
async function inTurn<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) {
    await nextTurn();
    out.push(await f(item));
  }
  return out;
}

/**
 * A slice of organisation ids: [from, to) (to = null: no upper end), or the
 * rows with no organisation. Organisation counts are distinct counts, so a
 * query cannot be cut just anywhere; cut by organisation id, every
 * organisation falls in exactly one slice, and the slices' counts (rows,
 * sums, distinct organisations) add up exactly. Each slice is a range of a
 * covering index, so one query holds the event loop for a fraction of the
 * whole.
 */
export type OrganisationSlice = { from: number; to: number | null } | "none";

/** Slices of `size` organisation ids up to the highest id now, the last one open-ended, then "none". */
async function organisationSlices(db: Executor, size: number): Promise<OrganisationSlice[]> {
  size = Math.max(1, Math.floor(size));
  const row = await db
    .selectFrom("organisations")
    .select((eb) => eb.fn.max<number>("id").as("max"))
    .executeTakeFirst();
  const max = Number(row?.max ?? 0);
  const slices: OrganisationSlice[] = [];
  for (let from = 0; from + size <= max; from += size) slices.push({ from, to: from + size });
  slices.push({ from: slices.length * size, to: null });
  slices.push("none");
  return slices;
}

/** The organisation-id condition of a slice on `column`. */
function inSlice(column: "s.organisation_id" | "u.organisation_id", slice: OrganisationSlice) {
  return (eb: ExpressionBuilder<any, any>) =>
    slice === "none"
      ? eb(column, "is", null)
      : slice.to === null
        ? eb(column, ">=", slice.from)
        : eb.and([eb(column, ">=", slice.from), eb(column, "<", slice.to)]);
}

/** Organisation ids per query slice: at national scale (20,000 organisations) 4 slices and the rows without one. */
const ORGANISATION_SLICE = 5_000;

/** Published and merged suggestions per cluster × category. */
async function getClusterCategoryMatrix(
  db: Executor,
  consultationId: number,
  clusterIds: number[],
  sliceSize = ORGANISATION_SLICE,
): Promise<MatrixCell[]> {
  const slices = await organisationSlices(db, sliceSize);
  const parts = clusterIds.flatMap((clusterId) => slices.map((slice) => ({ clusterId, slice })));
  const perPart = await inTurn(parts, ({ clusterId, slice }) =>
    db
      .selectFrom("submissions as s")
      .innerJoin("submission_categories as sc", "sc.submission_id", "s.id")
      .leftJoin("organisations as o", "o.id", "s.organisation_id")
      .select((eb) => [
        "sc.category_id",
        eb.fn.countAll<number>().as("submissions"),
        // A merged suggestion's supporters were carried to its target: counted there, not twice.
        eb.fn.sum<number>(eb.case().when("s.status", "=", "published").then(eb.ref("s.supporters_count")).else(0).end()).as("supporters"),
        eb.fn.count<number>("s.organisation_id").distinct().as("organisations"),
        eb.fn
          .count<number>(eb.case().when("o.verified", "=", 1).then(eb.ref("s.organisation_id")).end())
          .distinct()
          .as("verified"),
      ])
      .where("s.consultation_id", "=", consultationId)
      .where("s.cluster_id", "=", clusterId)
      .where("s.status", "in", [...PUBLIC_STATUSES])
      .where(inSlice("s.organisation_id", slice))
      .groupBy("sc.category_id")
      .execute()
      .then((rows) =>
        rows.map((r) => ({
          clusterId,
          categoryId: r.category_id,
          submissions: Number(r.submissions),
          supporters: Number(r.supporters ?? 0),
          organisations: Number(r.organisations),
          verifiedOrganisations: Number(r.verified),
        })),
      ),
  );
  // The slices' cells, added up: each organisation was counted in one slice only.
  const cells = new Map<string, MatrixCell>();
  for (const c of perPart.flat()) {
    const key = `${c.clusterId}:${c.categoryId}`;
    const sum = cells.get(key);
    if (!sum) cells.set(key, { ...c });
    else {
      sum.submissions += c.submissions;
      sum.supporters += c.supporters;
      sum.organisations += c.organisations;
      sum.verifiedOrganisations += c.verifiedOrganisations;
    }
  }
  return [...cells.values()];
}

/** The ten published suggestions of a cluster with the most supporters, and with the most supporting organisations. */
async function getTopSubmissions(db: Executor, consultationId: number, clusterId: number, limit = 10) {
  const base = db
    .selectFrom("submissions")
    .select(["id", "title", "supporters_count", "supporting_organisations"])
    .where("consultation_id", "=", consultationId)
    .where("cluster_id", "=", clusterId)
    .where("status", "=", "published");
  const shape = (rows: Array<{ id: number; title: string; supporters_count: number; supporting_organisations: number }>): TopSubmission[] =>
    rows.map((r) => ({
      id: r.id,
      title: r.title,
      supporters: Number(r.supporters_count),
      organisations: Number(r.supporting_organisations),
    }));
  const bySupporters = await base.orderBy("supporters_count", "desc").orderBy("id", "desc").limit(limit).execute();
  const byOrganisations = await base
    .orderBy("supporting_organisations", "desc")
    .orderBy("supporters_count", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return { clusterId, bySupporters: shape(bySupporters), byOrganisations: shape(byOrganisations) };
}

/** The UTC days (YYYY-MM-DD) of the window: `days` days ending on `now`'s day. */
function dayWindow(now: Date, days: number): string[] {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(end - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/** Suggestions received and supports given per UTC day (every day of the window, zeros included). */
async function getActivityPerDay(db: Executor, consultationId: number, now: Date, days = 60): Promise<DayCount[]> {
  const window = dayWindow(now, days);
  const from = `${window[0]}T00:00:00.000Z`;
  const until = new Date(Date.parse(`${window[window.length - 1]}T00:00:00.000Z`) + DAY_MS).toISOString();
  // Suggestions (100,000 at national scale): one GROUP BY by day.
  const day = sql<string>`substr(created_at, 1, 10)`;
  const subs = await db
    .selectFrom("submissions")
    .select([day.as("day"), (eb) => eb.fn.countAll<number>().as("n")])
    .where("consultation_id", "=", consultationId)
    .where("created_at", ">=", from)
    .where("created_at", "<", until)
    .groupBy(day)
    .execute();
  const perDay = new Map(subs.map((r) => [r.day, Number(r.n)]));
  // Supports (1,000,000): one range count per day over (consultation_id,
  // created_at), counted in index order; a GROUP BY substr(…) sorted every
  // entry of the window in a temporary b-tree.
  const p = await inTurn(window, (d) =>
    db
      .selectFrom("supports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("consultation_id", "=", consultationId)
      .where("created_at", ">=", `${d}T00:00:00.000Z`)
      .where("created_at", "<", new Date(Date.parse(`${d}T00:00:00.000Z`) + DAY_MS).toISOString())
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n)),
  );
  return window.map((d, i) => ({ day: d, submissions: perDay.get(d) ?? 0, supports: p[i] }));
}

/** Distinct supporters and their distinct organisations, per cluster (one query per cluster over the supports index). */
async function getParticipationByCluster(db: Executor, consultationId: number, clusterIds: number[]): Promise<Participation[]> {
  return inTurn(clusterIds, async (clusterId) => {
    const people = db
      .selectFrom("supports")
      .select(["user_id", (eb) => eb.fn.min("organisation_id").as("organisation_id")])
      .where("consultation_id", "=", consultationId)
      .where("cluster_id", "=", clusterId)
      .groupBy("user_id");
    const row = await db
      .selectFrom(people.as("p"))
      .select((eb) => [eb.fn.countAll<number>().as("supporters"), eb.fn.count<number>("p.organisation_id").distinct().as("organisations")])
      .executeTakeFirstOrThrow();
    return { key: String(clusterId), supporters: Number(row.supporters), organisations: Number(row.organisations) };
  });
}

/** Distinct supporters and organisations by the supporter's organisation's size band or province (null = no organisation). */
async function getParticipationBy(
  db: Executor,
  consultationId: number,
  by: "size_band" | "province",
  sliceSize = ORGANISATION_SLICE,
): Promise<Participation[]> {
  const key = sql.ref(by === "size_band" ? "o.size_band" : "o.province");
  const slices = await organisationSlices(db, sliceSize);
  const perSlice = await inTurn(slices, (slice) =>
    db
      .selectFrom("users as u")
      .leftJoin("organisations as o", "o.id", "u.organisation_id")
      .select((eb) => [
        sql<string | null>`${key}`.as("key"),
        eb.fn.countAll<number>().as("supporters"),
        eb.fn.count<number>("o.id").distinct().as("organisations"),
      ])
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom("supports as s")
            .select("s.user_id")
            .whereRef("s.user_id", "=", "u.id")
            .where("s.consultation_id", "=", consultationId),
        ),
      )
      .where(inSlice("u.organisation_id", slice))
      .groupBy(key)
      .execute(),
  );
  // A person has one organisation and an organisation one slice: the slices' counts add up.
  const groups = new Map<string | null, Participation>();
  for (const r of perSlice.flat()) {
    const k = r.key ?? null;
    const sum = groups.get(k) ?? { key: k, supporters: 0, organisations: 0 };
    sum.supporters += Number(r.supporters);
    sum.organisations += Number(r.organisations);
    groups.set(k, sum);
  }
  return [...groups.values()];
}

/** Pending suggestions per cluster, with the oldest one's submission time (covering index per cluster). */
async function getModerationBacklog(db: Executor, consultationId: number, clusterIds: number[]): Promise<Backlog[]> {
  return inTurn(clusterIds, async (clusterId) => {
    const row = await db
      .selectFrom("submissions")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min<string>("created_at").as("oldest")])
      .where("consultation_id", "=", consultationId)
      .where("cluster_id", "=", clusterId)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    return { clusterId, pending: Number(row.n), oldestPendingAt: row.oldest ?? null };
  });
}

/** Open reports on this consultation's suggestions and on comments under them. */
async function countOpenReportsInConsultation(db: Executor, consultationId: number): Promise<number> {
  const row = await db
    .selectFrom("reports as r")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("r.status", "=", "open")
    .where((eb) =>
      eb.or([
        eb.and([
          eb("r.target_type", "=", "submission"),
          eb.exists(
            eb
              .selectFrom("submissions as s")
              .select("s.id")
              .whereRef("s.id", "=", "r.target_id")
              .where("s.consultation_id", "=", consultationId),
          ),
        ]),
        eb.and([
          eb("r.target_type", "=", "comment"),
          eb.exists(
            eb
              .selectFrom("comments as c")
              .innerJoin("submissions as s", "s.id", "c.submission_id")
              .select("c.id")
              .whereRef("c.id", "=", "r.target_id")
              .where("s.consultation_id", "=", consultationId),
          ),
        ]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface DashboardTimings {
  [part: string]: number;
}

/** Everything the dashboard shows, for the active consultation; `timings` (ms per part) when asked. */
export async function getDashboard(
  db: Executor,
  params: {
    consultationId: number;
    clusterIds: number[];
    now?: Date;
    days?: number;
    timings?: DashboardTimings;
    organisationSlice?: number;
  },
) {
  const { consultationId, clusterIds } = params;
  const now = params.now ?? new Date();
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    await nextTurn();
    const t0 = performance.now();
    const r = await f();
    if (params.timings) params.timings[name] = Math.round((performance.now() - t0) * 10) / 10;
    return r;
  };
  // In sequence, with a turn of the event loop before each part (and each
  // query within a part, inTurn): on SQLite the queries share one connection
  // anyway, the per-part timings stay meaningful, and other requests on this
  // worker wait for one query at most.
  const matrix = await timed("matrix", () => getClusterCategoryMatrix(db, consultationId, clusterIds, params.organisationSlice));
  const top = await timed("top", () => inTurn(clusterIds, (id) => getTopSubmissions(db, consultationId, id)));
  const perDay = await timed("perDay", () => getActivityPerDay(db, consultationId, now, params.days ?? 60));
  const byCluster = await timed("participationByCluster", () => getParticipationByCluster(db, consultationId, clusterIds));
  const bySize = await timed("participationBySize", () => getParticipationBy(db, consultationId, "size_band", params.organisationSlice));
  const byProvince = await timed("participationByProvince", () =>
    getParticipationBy(db, consultationId, "province", params.organisationSlice),
  );
  const backlog = await timed("backlog", () => getModerationBacklog(db, consultationId, clusterIds));
  const openReports = await timed("openReports", () => countOpenReportsInConsultation(db, consultationId));
  return { matrix, top, perDay, participation: { byCluster, bySize, byProvince }, backlog, openReports };
}

export type Dashboard = Awaited<ReturnType<typeof getDashboard>>;
