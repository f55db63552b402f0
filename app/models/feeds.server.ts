// What the Atom feeds (issue 16, item 7) carry: only public content. The
// recommendations feed: FINAL recommendations of the active consultation
// (drafts never), one entry each, `updated` = its latest event (made public
// or edited, the response recorded, a progress update). The cluster feed: the
// cluster's suggestions in a public status (published or merged; never
// pending, rejected, hidden or withdrawn), newest published first.
import type { Executor } from "../../db/client";
import { PUBLIC_STATUSES } from "~/lib/reference";
import { recommendationIn, VERSION_COLUMNS, type RecommendationLanguage } from "~/lib/recommendation-language";
import { latestProgress } from "./progress.server";

export const FEED_LIMIT = 50;

/** `lang`: the feed's language; each entry is that version, or the other one marked `missing` (ADR 0032). */
export async function recommendationFeedItems(
  db: Executor,
  params: { consultationId: number; limit?: number; lang?: RecommendationLanguage },
) {
  const rows = await db
    .selectFrom("recommendations")
    .select(["id", ...VERSION_COLUMNS, "response_status", "response_date", "created_at", "updated_at"])
    .where("consultation_id", "=", params.consultationId)
    .where("status", "=", "final")
    .orderBy("updated_at", "desc")
    .orderBy("id", "desc")
    .limit(params.limit ?? FEED_LIMIT)
    .execute();
  const progress = await latestProgress(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const p = progress.get(r.id);
    const events = [r.updated_at, p?.createdAt].filter((t): t is string => Boolean(t)).sort();
    const local = recommendationIn(r, params.lang ?? "en");
    return {
      id: r.id,
      title: local.title.value,
      text: local.text.value,
      /** the feed's language has no version: this entry is in `shownLang` */
      missing: local.missing,
      shownLang: local.title.lang,
      responseStatus: r.response_status,
      responseDate: r.response_date,
      progress: p ? { status: p.status, date: p.date } : null,
      published: r.created_at,
      updated: events.at(-1)!,
    };
  });
}

export async function clusterFeedItems(db: Executor, params: { consultationId: number; clusterId: number; limit?: number }) {
  return db
    .selectFrom("submissions")
    .select(["id", "title", "problem", "proposal", "published_at"])
    .where("consultation_id", "=", params.consultationId)
    .where("cluster_id", "=", params.clusterId)
    .where("status", "in", [...PUBLIC_STATUSES])
    .where("published_at", "is not", null)
    .orderBy("published_at", "desc")
    .orderBy("id", "desc")
    .limit(params.limit ?? FEED_LIMIT)
    .execute();
}
