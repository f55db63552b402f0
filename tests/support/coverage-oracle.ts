// The coverage figures computed the straightforward way, in SQL: six
// aggregates over a recursive `covered` CTE (what app/models/coverage.server.ts
// did before it read the rows once, in id ranges, so that a snapshot miss at
// national scale no longer holds a worker's event loop for seconds; ADR 0030).
// Kept here as the tests' oracle: tests/models/coverage.test.ts checks that
// both give the same figures on random data, and bench/coverage.ts times both.
import { sql } from "kysely";
import type { Executor } from "../../db/client";
import type { CoverageFigures, CoverageRow } from "~/models/coverage.server";

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

/**
 * Coverage per cluster, per category and overall, of the active consultation's
 * published suggestions; `clusterId` limits every figure to one cluster. A
 * suggestion with several categories counts in each; the overall row counts it once.
 */
export async function coverageFiguresBySql(
  db: Executor,
  params: { consultationId: number; clusterId?: number | null },
): Promise<CoverageFigures> {
  const clusterId = params.clusterId ?? null;
  const suggestions = () =>
    withCovered(db, params.consultationId)
      .selectFrom("submissions as s")
      .leftJoin("covered as cv", "cv.id", "s.id")
      .where("s.consultation_id", "=", params.consultationId)
      .where("s.status", "=", "published")
      .$if(clusterId !== null, (q) => q.where("s.cluster_id", "=", clusterId!));
  const supporters = () =>
    withCovered(db, params.consultationId)
      .selectFrom("supports as sp")
      .innerJoin("submissions as s", "s.id", "sp.submission_id")
      .leftJoin("covered as cv", "cv.id", "s.id")
      .where("s.consultation_id", "=", params.consultationId)
      .where("s.status", "=", "published")
      .$if(clusterId !== null, (q) => q.where("s.cluster_id", "=", clusterId!));
  const suggestionCounts = sql<number>`count(distinct s.id)`;
  const coveredSuggestionCounts = sql<number>`count(distinct cv.id)`;
  const supporterCounts = sql<number>`count(distinct sp.user_id)`;
  const coveredSupporterCounts = sql<number>`count(distinct case when cv.id is not null then sp.user_id end)`;

  const [allS, allP, clS, clP, caS, caP, clusters, categories] = await Promise.all([
    suggestions()
      .select([suggestionCounts.as("total"), coveredSuggestionCounts.as("covered")])
      .executeTakeFirst(),
    supporters()
      .select([supporterCounts.as("total"), coveredSupporterCounts.as("covered")])
      .executeTakeFirst(),
    suggestions()
      .select(["s.cluster_id as key", suggestionCounts.as("total"), coveredSuggestionCounts.as("covered")])
      .groupBy("s.cluster_id")
      .execute(),
    supporters()
      .select(["s.cluster_id as key", supporterCounts.as("total"), coveredSupporterCounts.as("covered")])
      .groupBy("s.cluster_id")
      .execute(),
    suggestions()
      .leftJoin("submission_categories as sc", "sc.submission_id", "s.id")
      .select(["sc.category_id as key", suggestionCounts.as("total"), coveredSuggestionCounts.as("covered")])
      .groupBy("sc.category_id")
      .execute(),
    supporters()
      .leftJoin("submission_categories as sc", "sc.submission_id", "s.id")
      .select(["sc.category_id as key", supporterCounts.as("total"), coveredSupporterCounts.as("covered")])
      .groupBy("sc.category_id")
      .execute(),
    db.selectFrom("clusters").select(["id", "slug", "name_en", "name_ur"]).orderBy("sort_order").orderBy("id").execute(),
    db.selectFrom("categories").select(["id", "slug", "name_en", "name_ur"]).orderBy("sort_order").orderBy("id").execute(),
  ]);

  const rows = (
    taxonomy: Array<{ id: number; slug: string; name_en: string; name_ur: string }>,
    s: Array<{ key: number | null; total: unknown; covered: unknown }>,
    p: Array<{ key: number | null; total: unknown; covered: unknown }>,
  ): CoverageRow[] => {
    const sBy = new Map(s.map((r) => [r.key ?? null, r]));
    const pBy = new Map(p.map((r) => [r.key ?? null, r]));
    const row = (key: number | null, named: { slug: string | null; name_en: string; name_ur: string }): CoverageRow => ({
      ...named,
      suggestions: num(sBy.get(key)?.total),
      coveredSuggestions: num(sBy.get(key)?.covered),
      supporters: num(pBy.get(key)?.total),
      coveredSupporters: num(pBy.get(key)?.covered),
    });
    const out = taxonomy.filter((x) => sBy.has(x.id)).map((x) => row(x.id, { slug: x.slug, name_en: x.name_en, name_ur: x.name_ur }));
    if (sBy.has(null)) out.push(row(null, { slug: null, name_en: "", name_ur: "" }));
    return out;
  };
  return {
    overall: {
      suggestions: num(allS?.total),
      coveredSuggestions: num(allS?.covered),
      supporters: num(allP?.total),
      coveredSupporters: num(allP?.covered),
    },
    byCluster: rows(clusters, clS, clP),
    byCategory: rows(categories, caS, caP),
  };
}
