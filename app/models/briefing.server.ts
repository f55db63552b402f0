// The conference briefing: summary figures, the FINAL recommendations per
// cluster in priority order with their support figures, dissent and numbered
// sources, and an annex of the sources. One data shape for the printable page
// and the DOCX. Figures are SQL aggregates.
import { sql } from "kysely";
import type { Executor } from "../../db/client";
import { PUBLIC_STATUSES } from "~/lib/reference";
import { coverageSnapshot, LEFT_OUT_LIMIT, listUncovered, type CoverageFigures, type UncoveredSuggestion } from "./coverage.server";
import { latestProgress } from "./progress.server";
import { recommendationIn, type RecommendationLanguage } from "~/lib/recommendation-language";
import { listRecommendations, listSources, type RecommendationFigures } from "./recommendation.server";

export interface BriefingRecommendation {
  id: number;
  /** title, text and dissent in the briefing's language, or the other one (ADR 0032) */
  title: string;
  text: string;
  dissent: string;
  /** the language title and text are in */
  lang: RecommendationLanguage;
  /** the briefing's language has no version: the document says so */
  missing: boolean;
  /** the language the dissent is in, and whether it is the other one while title and text are not */
  dissentLang: RecommendationLanguage;
  dissentMissing: boolean;
  priority: number;
  responseStatus: string | null;
  responseText: string | null;
  responsibleAgency: string | null;
  responseDate: string | null;
  /** the latest implementation progress update (issue 16), printed with the response */
  progress: { status: string; date: string; text: string } | null;
  figures: RecommendationFigures;
  /** numbers of its sources in the annex */
  sourceNumbers: number[];
}

export interface BriefingData {
  cluster: { slug: string; name_en: string; name_ur: string } | null;
  summary: { suggestions: number; supporters: number; organisations: number; verifiedOrganisations: number; recommendations: number };
  /** one section per cluster (cluster null = cross-cluster) */
  sections: Array<{ cluster: { slug: string; name_en: string; name_ur: string } | null; recommendations: BriefingRecommendation[] }>;
  annex: Array<{
    n: number;
    id: number;
    title: string;
    status: string;
    cluster_name_en: string;
    cluster_name_ur: string;
    supporters: number;
    organisations: number;
  }>;
  /**
   * Coverage (issue 19, ADR 0030), in the briefing's scope: the share of
   * suggestions and of distinct supporters the final recommendations reflect,
   * and the suggestions left out with the organisers' reasons, the `limit`
   * most supported of `total` (the document says so).
   */
  coverage: { figures: CoverageFigures; leftOut: { total: number; limit: number; rows: UncoveredSuggestion[] } };
}

/** null when `clusterSlug` names no cluster. */
export async function buildBriefing(
  db: Executor,
  params: { consultationId: number; clusterSlug?: string | null; lang?: RecommendationLanguage },
): Promise<BriefingData | null> {
  const clusters = await db.selectFrom("clusters").select(["id", "slug", "name_en", "name_ur"]).orderBy("sort_order").execute();
  const cluster = params.clusterSlug ? clusters.find((c) => c.slug === params.clusterSlug) : null;
  if (params.clusterSlug && !cluster) return null;
  const clusterId = cluster?.id ?? null;

  const inScope = db
    .selectFrom("submissions as s")
    .where("s.consultation_id", "=", params.consultationId)
    .where("s.status", "in", [...PUBLIC_STATUSES])
    .$if(clusterId !== null, (q) => q.where("s.cluster_id", "=", clusterId!));
  const supportScope = db
    .selectFrom("supports as sp")
    .where("sp.consultation_id", "=", params.consultationId)
    .$if(clusterId !== null, (q) => q.where("sp.cluster_id", "=", clusterId!));
  // Organisations taking part: those of the suggestions' authors and of the supporters, each once.
  const orgIds = inScope
    .select("s.organisation_id as organisation_id")
    .where("s.organisation_id", "is not", null)
    .union(supportScope.select("sp.organisation_id as organisation_id").where("sp.organisation_id", "is not", null));
  const [suggestions, supporters, organisations] = await Promise.all([
    inScope.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    supportScope.select((eb) => eb.fn.count<number>("sp.user_id").distinct().as("n")).executeTakeFirstOrThrow(),
    db
      .selectFrom(orgIds.as("x"))
      .innerJoin("organisations as o", "o.id", "x.organisation_id")
      .select((eb) => [
        eb.fn.countAll<number>().as("n"),
        eb.fn.sum<number>(sql<number>`case when o.verified = 1 then 1 else 0 end`).as("verified"),
      ])
      .executeTakeFirstOrThrow(),
  ]);

  const [recs, coverage, leftOut] = await Promise.all([
    listRecommendations(db, { consultationId: params.consultationId, finalOnly: true, clusterSlug: cluster?.slug }),
    coverageSnapshot(db, { consultationId: params.consultationId, clusterId }).then((s) => s.figures),
    listUncovered(db, { consultationId: params.consultationId, clusterId, limit: LEFT_OUT_LIMIT }),
  ]);
  const progress = await latestProgress(
    db,
    recs.map((r) => r.id),
  );
  const progressOf = (id: number) => {
    const p = progress.get(id);
    return p ? { status: p.status, date: p.date, text: p.text } : null;
  };
  const sources = await listSources(
    db,
    recs.map((r) => r.id),
  );
  const annex: BriefingData["annex"] = [];
  const numberOf = new Map<number, number>();
  const toItem = (r: (typeof recs)[number]): BriefingRecommendation => {
    const nums: number[] = [];
    for (const s of sources.get(r.id) ?? []) {
      let n = numberOf.get(s.id);
      if (n === undefined) {
        n = annex.length + 1;
        numberOf.set(s.id, n);
        annex.push({
          n,
          id: s.id,
          title: s.title,
          status: s.status,
          cluster_name_en: s.cluster_name_en,
          cluster_name_ur: s.cluster_name_ur,
          supporters: s.supporters_count,
          organisations: s.supporting_organisations,
        });
      }
      nums.push(n);
    }
    const local = recommendationIn(r, params.lang ?? "en");
    return {
      id: r.id,
      title: local.title.value,
      text: local.text.value,
      dissent: local.dissent.value,
      lang: local.title.lang,
      missing: local.missing,
      dissentLang: local.dissent.lang,
      dissentMissing: local.dissent.fallback && !local.missing,
      priority: r.priority,
      responseStatus: r.response_status,
      responseText: r.response_text,
      responsibleAgency: r.responsible_agency,
      responseDate: r.response_date,
      progress: progressOf(r.id),
      figures: r.figures,
      sourceNumbers: nums,
    };
  };
  const sections: BriefingData["sections"] = [];
  for (const c of cluster ? [cluster] : clusters) {
    const items = recs.filter((r) => r.clusters.some((x) => x.slug === c.slug));
    if (items.length)
      sections.push({ cluster: { slug: c.slug, name_en: c.name_en, name_ur: c.name_ur }, recommendations: items.map(toItem) });
  }
  const cross = recs.filter((r) => !r.clusters.length);
  if (cross.length) sections.push({ cluster: null, recommendations: cross.map(toItem) });

  return {
    cluster: cluster ? { slug: cluster.slug, name_en: cluster.name_en, name_ur: cluster.name_ur } : null,
    summary: {
      suggestions: Number(suggestions.n),
      supporters: Number(supporters.n),
      organisations: Number(organisations.n),
      verifiedOrganisations: Number(organisations.verified ?? 0),
      recommendations: recs.length,
    },
    sections,
    annex,
    coverage: { figures: coverage, leftOut: { total: leftOut.total, limit: LEFT_OUT_LIMIT, rows: leftOut.rows } },
  };
}
