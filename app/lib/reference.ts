// Fixed vocabularies of the Contract (not admin-editable, unlike clusters and
// categories). Labels live in the locale files under the same slugs.
export const ORGANISATION_TYPES = ["firm", "association", "chamber", "academia", "government", "other"] as const;
export const SIZE_BANDS = ["micro", "small", "medium", "large"] as const;
export const PROVINCES = [
  "punjab",
  "sindh",
  "khyber-pakhtunkhwa",
  "balochistan",
  "islamabad",
  "gilgit-baltistan",
  "azad-kashmir",
] as const;
export const LANGUAGES = ["en", "ur"] as const;
export type Language = (typeof LANGUAGES)[number];
