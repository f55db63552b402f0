// Coverage (issue 19, item 3; ADR 0030): how much of the consultation the FINAL
// recommendations reflect, and what was left out, with the organisers' reasons.
//
// The unit is a PUBLISHED suggestion of the consultation. A merged suggestion is
// not a unit of its own: it counts through its target (its supporters were
// carried to the target by the merge, as supporters_count counts them), and a
// final recommendation that links a merged suggestion covers the suggestion it
// was merged into (following the chain to the published one). Withdrawn,
// hidden, rejected and pending suggestions are not counted at all.
//
// - A suggestion is covered when at least one final recommendation of the same
//   consultation links it, or links a suggestion merged into it.
// - A supporter is a distinct person (supports.user_id) with a support row on a
//   published suggestion in scope (rows carried by a merge included; a person
//   behind three suggestions is one supporter). They are covered when at least
//   one suggestion in scope they support is covered. "In scope" is the row's
//   slice: a cluster, a category, or the whole consultation.
//
// The figures are tallied in JavaScript from one read of the rows, in id
// ranges with the event loop turning between them (see coverageFigures).
import { sql } from "kysely";
import type { Executor } from "../../db/client";
import { inTransaction } from "../../db/transaction";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { forEachIdRange } from "./search.server";

export interface Actor {
  actorId: number;
  actorRole: string;
  now?: Date;
}

/** Covered / total for suggestions and for distinct supporters. */
export interface CoverageShare {
  suggestions: number;
  coveredSuggestions: number;
  supporters: number;
  coveredSupporters: number;
}

export interface CoverageRow extends CoverageShare {
  /** cluster or category slug; null: suggestions with no category */
  slug: string | null;
  name_en: string;
  name_ur: string;
}

export interface CoverageFigures {
  overall: CoverageShare;
  byCluster: CoverageRow[];
  byCategory: CoverageRow[];
}

/** A share as a whole percentage (0 when there is nothing to cover). */
export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

/**
 * The ids a final recommendation of the consultation reflects: its sources,
 * and, up each merge chain, the suggestions they were merged into. A
 * recursive CTE that starts from the (few) linked sources and walks up
 * merged_into_id, so its cost follows the number of sources, not of suggestions.
 */
function withCovered(db: Executor, consultationId: number) {
  return db.withRecursive("covered(id)", (qb) =>
    qb
      .selectFrom("recommendation_submissions as rs")
      .innerJoin("recommendations as r", "r.id", "rs.recommendation_id")
      .select("rs.submission_id as id")
      .where("r.status", "=", "final")
      .where("r.consultation_id", "=", consultationId)
      .union((eb) =>
        eb
          .selectFrom("submissions as m")
          .innerJoin("covered as c", "c.id", "m.id")
          .select(sql<number>`m.merged_into_id`.as("id"))
          .where("m.status", "=", "merged")
          .where("m.merged_into_id", "is not", null),
      ),
  );
}

const num = (v: unknown) => Number(v ?? 0);

/** The covered ids (the recursive CTE above: few rows, its cost follows the sources of final recommendations). */
async function coveredIds(db: Executor, consultationId: number): Promise<Set<number>> {
  const rows = await withCovered(db, consultationId).selectFrom("covered").select("id").execute();
  return new Set(rows.map((r) => Number(r.id)));
}

/** The largest id kept in a bit set (8 MB per set at most). */
const DISTINCT_BITS_MAX = 1 << 26;

/** Distinct people (positive ids) in a bit set: what `count(distinct user_id)` counted, without a Set's per-entry cost. */
class Distinct {
  private words = new Uint32Array(1024);
  /** ids beyond the bit set's reach (not expected: user ids are a serial) */
  private readonly far = new Set<number>();
  size = 0;
  add(id: number): void {
    if (!(id >= 0 && id < DISTINCT_BITS_MAX)) {
      if (!this.far.has(id)) {
        this.far.add(id);
        this.size += 1;
      }
      return;
    }
    const w = id >>> 5;
    if (w >= this.words.length) {
      const grown = new Uint32Array(Math.max(w + 1, this.words.length * 2));
      grown.set(this.words);
      this.words = grown;
    }
    const bit = 1 << (id & 31);
    if ((this.words[w] & bit) === 0) {
      this.words[w] |= bit;
      this.size += 1;
    }
  }
}

/** One scope's tally: suggestions, covered suggestions, and their distinct supporters. */
class ScopeTally {
  suggestions = 0;
  coveredSuggestions = 0;
  readonly supporters = new Distinct();
  readonly coveredSupporters = new Distinct();
  share(): CoverageShare {
    return {
      suggestions: this.suggestions,
      coveredSuggestions: this.coveredSuggestions,
      supporters: this.supporters.size,
      coveredSupporters: this.coveredSupporters.size,
    };
  }
}

/** How many suggestion ids one pass of reads covers (~10 supports each on the national data set: ~10,000 support rows a statement). */
const COVERAGE_CHUNK_IDS = 1_000;

/**
 * Coverage per cluster, per category and overall, of the active consultation's
 * published suggestions; `clusterId` limits every figure to one cluster. A
 * suggestion with several categories counts in each; the overall row counts it once.
 *
 * The covered ids are read first (small); then, in suggestion id ranges (one
 * statement per table each, with a turn of the event loop between two ranges:
 * ADR 0021), the published suggestions (id, cluster), their categories and
 * their support rows (a merged suggestion's were carried to its target), and
 * every scope is tallied in JavaScript with a distinct-supporter set. The six
 * SQL aggregates this replaced held the event loop for 7–10 s at national
 * scale (ADR 0030, docs/benchmarks.md); tests/support/coverage-oracle.ts keeps
 * them, and the model tests check that both give the same figures.
 */
export async function coverageFigures(
  db: Executor,
  params: { consultationId: number; clusterId?: number | null },
): Promise<CoverageFigures> {
  const clusterId = params.clusterId ?? null;
  const consultationId = params.consultationId;
  const [covered, clusters, categories] = await Promise.all([
    coveredIds(db, consultationId),
    db.selectFrom("clusters").select(["id", "slug", "name_en", "name_ur"]).orderBy("sort_order").orderBy("id").execute(),
    db.selectFrom("categories").select(["id", "slug", "name_en", "name_ur"]).orderBy("sort_order").orderBy("id").execute(),
  ]);
  const overall = new ScopeTally();
  const byCluster = new Map<number, ScopeTally>();
  /** null: suggestions with no category */
  const byCategory = new Map<number | null, ScopeTally>();
  const tallyOf = <K>(m: Map<K, ScopeTally>, key: K): ScopeTally => {
    let t = m.get(key);
    if (!t) m.set(key, (t = new ScopeTally()));
    return t;
  };

  await forEachIdRange(
    db,
    async ({ from, to }) => {
      // Every suggestion of the range, filtered here: with the consultation and status in the WHERE clause,
      // SQLite walks the (consultation, status) index over every published suggestion for each range instead.
      const suggestions = (
        await db
          .selectFrom("submissions")
          .select(["id", "cluster_id", "consultation_id", "status"])
          .where("id", ">=", from)
          .where("id", "<=", to)
          .execute()
      ).filter(
        (s) =>
          Number(s.consultation_id) === consultationId &&
          s.status === "published" &&
          (clusterId === null || Number(s.cluster_id) === clusterId),
      );
      if (!suggestions.length) return;
      const [tags, supports] = await Promise.all([
        // One cluster: only its suggestions' tags and supports are read (a tenth of the rows).
        db
          .selectFrom("submission_categories")
          .select(["submission_id", "category_id"])
          .$if(clusterId === null, (q) => q.where("submission_id", ">=", from).where("submission_id", "<=", to))
          .$if(clusterId !== null, (q) =>
            q.where(
              "submission_id",
              "in",
              suggestions.map((s) => s.id),
            ),
          )
          .execute(),
        clusterId === null
          ? db
              .selectFrom("supports")
              .select(["submission_id", "user_id"])
              .where("submission_id", ">=", from)
              .where("submission_id", "<=", to)
              .execute()
          : db
              .selectFrom("supports")
              .select(["submission_id", "user_id"])
              .where(
                "submission_id",
                "in",
                suggestions.map((s) => s.id),
              )
              .execute(),
      ]);
      /** each published suggestion of the range: the scopes it counts in (overall, its cluster, its categories or "No category") */
      const scopes = new Map<number, { covered: boolean; tallies: ScopeTally[] }>();
      for (const s of suggestions)
        scopes.set(Number(s.id), { covered: covered.has(Number(s.id)), tallies: [overall, tallyOf(byCluster, Number(s.cluster_id))] });
      const tagged = new Set<number>();
      for (const t of tags) {
        const entry = scopes.get(Number(t.submission_id));
        if (!entry) continue;
        tagged.add(Number(t.submission_id));
        entry.tallies.push(tallyOf(byCategory, Number(t.category_id)));
      }
      for (const [id, entry] of scopes) {
        if (!tagged.has(id)) entry.tallies.push(tallyOf(byCategory, null));
        for (const t of entry.tallies) {
          t.suggestions += 1;
          if (entry.covered) t.coveredSuggestions += 1;
        }
      }
      for (const sp of supports) {
        const entry = scopes.get(Number(sp.submission_id));
        if (!entry) continue;
        const user = Number(sp.user_id);
        for (const t of entry.tallies) {
          t.supporters.add(user);
          if (entry.covered) t.coveredSupporters.add(user);
        }
      }
    },
    COVERAGE_CHUNK_IDS,
  );

  const rows = <K extends number | null>(
    taxonomy: Array<{ id: number; slug: string; name_en: string; name_ur: string }>,
    tallies: Map<K, ScopeTally>,
  ): CoverageRow[] => {
    const out: CoverageRow[] = taxonomy
      .filter((x) => tallies.has(x.id as K))
      .map((x) => ({ slug: x.slug, name_en: x.name_en, name_ur: x.name_ur, ...tallies.get(x.id as K)!.share() }));
    const none = tallies.get(null as K);
    if (none) out.push({ slug: null, name_en: "", name_ur: "", ...none.share() });
    return out;
  };
  return { overall: overall.share(), byCluster: rows(clusters, byCluster), byCategory: rows(categories, byCategory) };
}

// ───────────────────────────── the snapshot ─────────────────────────────

/**
 * How long the figures may be reused while what decides coverage is unchanged.
 * At national scale (100,000 suggestions, 1,000,000 supports) the figures
 * cost over a second of CPU, in short blocks (ADR 0030, "Scale"): like the
 * dashboard (ADR 0017) they are a per-process snapshot, computed once however
 * many organisers arrive together, with their time on the page.
 */
export const COVERAGE_MAX_AGE_MS = 60_000;

interface CoverageSlot {
  fingerprint?: string;
  at?: number;
  value?: CoverageFigures;
  inFlight?: Promise<CoverageFigures>;
}
const slots = new WeakMap<object, Map<string, CoverageSlot>>();

/**
 * What coverage depends on besides supports, read cheaply: final
 * recommendations (how many, the last change), their links (how many, the
 * last one), and the last change to a suggestion. When it changes (a
 * recommendation made final, a source linked or unlinked, a suggestion
 * published, merged or withdrawn), the snapshot is computed again at once;
 * new supports show within COVERAGE_MAX_AGE_MS.
 */
async function coverageFingerprint(db: Executor, consultationId: number): Promise<string> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom("recommendations")
        .select((e) => e.fn.countAll<number>().as("n"))
        .where("consultation_id", "=", consultationId)
        .where("status", "=", "final")
        .as("finals"),
      eb
        .selectFrom("recommendations")
        .select((e) => e.fn.max("updated_at").as("m"))
        .where("consultation_id", "=", consultationId)
        .as("recommendation_change"),
      eb
        .selectFrom("recommendation_submissions")
        .select((e) => e.fn.countAll<number>().as("n"))
        .as("links"),
      eb
        .selectFrom("recommendation_submissions")
        .select((e) => e.fn.max("linked_at").as("m"))
        .as("last_link"),
      eb
        .selectFrom("submissions")
        .select((e) => e.fn.max("updated_at").as("m"))
        .where("consultation_id", "=", consultationId)
        .as("submission_change"),
      eb
        .selectFrom("submission_categories")
        .select((e) => e.fn.countAll<number>().as("n"))
        .as("tags"),
    ])
    .executeTakeFirst();
  return JSON.stringify(row ?? {});
}

/**
 * The coverage figures as a snapshot: reused for at most COVERAGE_MAX_AGE_MS
 * while the fingerprint is unchanged, computed by one caller while the others
 * wait. `at` is when they were computed (the page says so).
 */
export async function coverageSnapshot(
  db: Executor,
  params: { consultationId: number; clusterId?: number | null; now?: number },
): Promise<{ figures: CoverageFigures; at: string }> {
  const now = params.now ?? Date.now();
  const key = `${params.consultationId}:${params.clusterId ?? "all"}`;
  let map = slots.get(db);
  if (!map) slots.set(db, (map = new Map()));
  let slot = map.get(key);
  if (!slot) map.set(key, (slot = {}));
  const s = slot;
  const fingerprint = await coverageFingerprint(db, params.consultationId);
  const fresh = s.value && s.at !== undefined && s.fingerprint === fingerprint && now >= s.at && now - s.at < COVERAGE_MAX_AGE_MS;
  if (!fresh) {
    if (!s.inFlight || s.fingerprint !== fingerprint) {
      const flight = coverageFigures(db, params).then((value) => {
        if (s.inFlight === flight) {
          s.value = value;
          s.at = now;
          s.inFlight = undefined;
        }
        return value;
      });
      flight.catch(() => {
        if (s.inFlight === flight) s.inFlight = undefined;
      });
      s.inFlight = flight;
      s.fingerprint = fingerprint;
    }
    const figures = await s.inFlight;
    return { figures, at: new Date(s.at ?? now).toISOString() };
  }
  return { figures: s.value!, at: new Date(s.at!).toISOString() };
}

export interface UncoveredSuggestion {
  id: number;
  title: string;
  supporters: number;
  cluster_slug: string;
  cluster_name_en: string;
  cluster_name_ur: string;
  reason: string | null;
  reason_by: string | null;
  /** the role of who set it (exports name no person) */
  reason_by_role: string | null;
  reason_at: string | null;
}

/**
 * The published suggestions no final recommendation reflects, most supporters
 * first (then by number), a page at a time, and how many there are in all.
 */
export async function listUncovered(
  db: Executor,
  params: { consultationId: number; clusterId?: number | null; limit: number; offset?: number },
): Promise<{ total: number; rows: UncoveredSuggestion[] }> {
  const clusterId = params.clusterId ?? null;
  const base = () =>
    withCovered(db, params.consultationId)
      .selectFrom("submissions as s")
      .where("s.consultation_id", "=", params.consultationId)
      .where("s.status", "=", "published")
      .$if(clusterId !== null, (q) => q.where("s.cluster_id", "=", clusterId!))
      .where((eb) => eb.not(eb.exists(eb.selectFrom("covered as cv").select("cv.id").whereRef("cv.id", "=", "s.id"))));
  const [count, rows] = await Promise.all([
    base()
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirst(),
    base()
      .innerJoin("clusters as c", "c.id", "s.cluster_id")
      .leftJoin("coverage_reasons as cr", "cr.submission_id", "s.id")
      .leftJoin("users as u", "u.id", "cr.set_by")
      .select([
        "s.id",
        "s.title",
        "s.supporters_count as supporters",
        "c.slug as cluster_slug",
        "c.name_en as cluster_name_en",
        "c.name_ur as cluster_name_ur",
        "cr.reason",
        "u.display_name as reason_by",
        "u.role as reason_by_role",
        "cr.set_at as reason_at",
      ])
      .orderBy("s.supporters_count", "desc")
      .orderBy("s.id")
      .limit(params.limit)
      .offset(params.offset ?? 0)
      .execute(),
  ]);
  return {
    total: num(count?.n),
    rows: rows.map((r) => ({
      ...r,
      supporters: num(r.supporters),
      reason: r.reason ?? null,
      reason_by: r.reason_by ?? null,
      reason_by_role: r.reason_by_role ?? null,
      reason_at: r.reason_at ?? null,
    })),
  };
}

/** How many left-out suggestions the briefing and the export list: the most supported first (they say so). */
export const LEFT_OUT_LIMIT = 500;

// ───────────────────────────── reasons ─────────────────────────────

/** The longest reason kept (the form's schema says the same). */
export const REASON_MAX = 2000;

/**
 * Why a reason is refused, and the status each answers with: no such
 * suggestion (404); no active consultation, or a suggestion a final
 * recommendation already covers (409: there is nothing left out to explain;
 * clearing is always allowed); a suggestion that is not published in the
 * active consultation (422: only those are counted, so only those are left out).
 */
export const COVERAGE_REFUSALS = defineRefusals({
  invalid: 400,
  notFound: 404,
  noConsultation: 409,
  covered: 409,
  notCounted: 422,
});

export type CoverageRefusal = "notFound" | "noConsultation" | "covered" | "notCounted";

/** Whether a reason may be set (a non-empty one) or cleared on this suggestion. */
export function coverageReasonRefusal(s: {
  exists: boolean;
  status?: string;
  inConsultation: boolean;
  covered: boolean;
  clearing: boolean;
}): CoverageRefusal | null {
  if (!s.exists) return "notFound";
  if (s.clearing) return null;
  if (s.status !== "published" || !s.inConsultation) return "notCounted";
  if (s.covered) return "covered";
  return null;
}

export type ReasonResult = { ok: true; changed: boolean } | { ok: false; reason: CoverageRefusal };

/**
 * Records (or, with an empty reason, clears) the organisers' reason for
 * leaving a suggestion out; who and when of the last change are kept with it,
 * and the change is in the audit log (`coverage.reason`, before and after).
 * Saving the same text again changes nothing.
 */
export async function setCoverageReason(
  db: Executor,
  params: Actor & { consultationId: number | null; submissionId: number; reason: string | null | undefined },
): Promise<ReasonResult> {
  const now = params.now ?? new Date();
  const reason = (params.reason ?? "").trim().slice(0, REASON_MAX);
  return inTransaction(db, async (trx): Promise<ReasonResult> => {
    const s = await trx
      .selectFrom("submissions")
      .select(["id", "status", "consultation_id"])
      .where("id", "=", params.submissionId)
      .executeTakeFirst();
    if (s && params.consultationId === null && reason) return { ok: false, reason: "noConsultation" };
    const covered =
      s && params.consultationId !== null
        ? !!(await withCovered(trx, params.consultationId).selectFrom("covered").select("id").where("id", "=", s.id).executeTakeFirst())
        : false;
    const refusal = coverageReasonRefusal({
      exists: !!s,
      status: s?.status,
      inConsultation: !!s && s.consultation_id === params.consultationId,
      covered,
      clearing: !reason,
    });
    if (refusal) return { ok: false, reason: refusal };
    const before = await trx.selectFrom("coverage_reasons").select("reason").where("submission_id", "=", s!.id).executeTakeFirst();
    if ((before?.reason ?? "") === reason) return { ok: true, changed: false };
    if (reason) {
      const values = { reason, set_by: params.actorId, set_at: nowIso(now) };
      await trx
        .insertInto("coverage_reasons")
        .values({ submission_id: s!.id, ...values })
        .onConflict((oc) => oc.column("submission_id").doUpdateSet(values))
        .execute();
    } else {
      await trx.deleteFrom("coverage_reasons").where("submission_id", "=", s!.id).execute();
    }
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "coverage.reason",
        targetType: "submission",
        targetId: s!.id,
        before: { reason: before?.reason ?? null },
        after: { reason: reason || null },
      },
      now,
    );
    return { ok: true, changed: true };
  });
}
