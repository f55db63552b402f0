// The public accountability page (issue 16, item 5): every FINAL
// recommendation of the active consultation with its unique supporters, the
// government response, the responsible agency, its latest progress and how
// long since the last update; which need attention (no response, or no
// progress for STALE_AFTER_DAYS days) is decided by accountabilityStanding.
import type { Executor } from "../../db/client";
import { PROGRESS_STATUSES, RESPONSE_STATUSES } from "~/lib/recommendation-reference";
import { recommendationIn, type RecommendationLanguage, type Shown } from "~/lib/recommendation-language";
import { accountabilityStanding, latestProgress } from "./progress.server";
import { listRecommendations } from "./recommendation.server";

export interface AccountabilityRow {
  id: number;
  /** the main version's title (ADR 0032) */
  title: string;
  /** the title in the reader's language (`lang`), or the other one marked as a fallback */
  localTitle: Shown;
  uniqueSupporters: number;
  responseStatus: string | null;
  responsibleAgency: string | null;
  progressStatus: string | null;
  progressDate: string | null;
  lastUpdate: string;
  daysSinceUpdate: number;
  noResponse: boolean;
  stale: boolean;
  needsAttention: boolean;
}

export async function getAccountability(
  db: Executor,
  params: { consultationId: number; clusterSlug?: string; now?: Date; lang?: RecommendationLanguage },
): Promise<{
  rows: AccountabilityRow[];
  byResponse: Array<{ key: string; count: number }>;
  byProgress: Array<{ key: string; count: number }>;
}> {
  const now = params.now ?? new Date();
  const recs = await listRecommendations(db, {
    consultationId: params.consultationId,
    finalOnly: true,
    clusterSlug: params.clusterSlug,
    publicSources: true,
  });
  const created = new Map(
    (
      await (recs.length
        ? db
            .selectFrom("recommendations")
            .select(["id", "created_at"])
            .where(
              "id",
              "in",
              recs.map((r) => r.id),
            )
            .execute()
        : Promise.resolve([]))
    ).map((r) => [r.id, r.created_at]),
  );
  const progress = await latestProgress(
    db,
    recs.map((r) => r.id),
  );
  const rows = recs.map((r): AccountabilityRow => {
    const p = progress.get(r.id) ?? null;
    const standing = accountabilityStanding(
      {
        responseStatus: r.response_status,
        responseDate: r.response_date,
        createdAt: created.get(r.id) ?? r.updated_at,
        latestProgressDate: p?.date ?? null,
      },
      now,
    );
    return {
      id: r.id,
      title: r.title,
      localTitle: recommendationIn(r, params.lang ?? "en").title,
      uniqueSupporters: r.figures.uniqueSupporters,
      responseStatus: r.response_status,
      responsibleAgency: r.responsible_agency,
      progressStatus: p?.status ?? null,
      progressDate: p?.date ?? null,
      ...standing,
      needsAttention: standing.noResponse || standing.stale,
    };
  });
  const countBy = (keys: readonly string[], of: (r: AccountabilityRow) => string | null) =>
    [...keys, "none"].map((key) => ({ key, count: rows.filter((r) => (of(r) ?? "none") === key).length }));
  return {
    rows,
    byResponse: countBy(RESPONSE_STATUSES, (r) => r.responseStatus),
    byProgress: countBy(PROGRESS_STATUSES, (r) => r.progressStatus),
  };
}
