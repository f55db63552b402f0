// Fixed vocabularies of recommendations: shared by pages and models.
// Labels live in the locale files under recommendation.status.* and
// recommendation.response.status.*.
export const RECOMMENDATION_STATUSES = ["draft", "final"] as const;
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];
export const RESPONSE_STATUSES = ["accepted", "partially-accepted", "under-review", "rejected", "implemented"] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];
/** Implementation progress of a final recommendation (issue 16); labels under recommendation.progress.statuses.*. */
export const PROGRESS_STATUSES = ["planned", "in-progress", "done", "stalled"] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];
/** No progress for this many days: the accountability page marks the recommendation (app/models/progress.server.ts decides). */
export const STALE_AFTER_DAYS = 90;
export const PRIORITIES = [1, 2, 3, 4, 5] as const;

/** A recommendation's public number. */
export function recommendationNumber(id: number): string {
  return `R-${id}`;
}
