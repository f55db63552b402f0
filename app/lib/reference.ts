// Fixed vocabularies of docs/contract.md (not admin-editable, unlike clusters and
// categories). Labels live in the locale files under the same slugs.
export const ORGANISATION_TYPES = ["firm", "association", "chamber", "academia", "government", "other"] as const;
export const SIZE_BANDS = ["micro", "small", "medium", "large"] as const;
export const PROVINCES = ["punjab", "sindh", "khyber-pakhtunkhwa", "balochistan", "islamabad", "gilgit-baltistan", "azad-kashmir"] as const;
export const LANGUAGES = ["en", "ur"] as const;
export type Language = (typeof LANGUAGES)[number];

export const STAGES = ["inputs", "production", "technology", "logistics", "marketing-export", "finance", "skills", "regulation"] as const;
export const HORIZONS = ["short", "medium", "long"] as const;
export const SORTS = ["random", "top", "new", "trending", "discussed"] as const;
export type Sort = (typeof SORTS)[number];
export const REJECT_REASONS = ["off-topic", "duplicate", "not-a-policy-measure", "abusive", "outside-remit", "other"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export const REPORT_REASONS = ["spam", "offensive", "off-topic", "duplicate", "other"] as const;
/** Every state of a suggestion: the one list (db/schema.ts takes its type from here). */
export const SUBMISSION_STATUSES = ["pending", "published", "rejected", "merged", "hidden", "withdrawn"] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];
/**
 * What the public sees: published suggestions and the merged ones that point
 * to them (a merged one stays readable and keeps its supports). The cluster
 * pages, the open-data API and public exports, the briefing's figures, what may
 * be reported, and what may be a recommendation's source.
 */
export const PUBLIC_STATUSES = ["published", "merged"] as const satisfies readonly SubmissionStatus[];

/** Whether a suggestion in this state is public (see PUBLIC_STATUSES). */
export function isPublicStatus(status: string): boolean {
  return (PUBLIC_STATUSES as readonly string[]).includes(status);
}
