// The two language versions of a recommendation (issue 18, item 4; ADR 0032).
// Stored as a MAIN version (title, text, dissent) in `language` plus the version in
// the other language (other_*; '' = none). These functions are the one place that
// says which version a reader of a language sees, and whether it is a fallback:
// pages, the briefing, the feed, emails and exports all go through them.
// Browser-safe (no server imports).

import { originalLanguageOf } from "~/models/original-language";
export const RECOMMENDATION_LANGUAGES = ["en", "ur"] as const;
export type RecommendationLanguage = (typeof RECOMMENDATION_LANGUAGES)[number];

/** The columns of `recommendations` that hold its two versions (StoredVersions): what a reader's version is chosen from. */
export const VERSION_COLUMNS = ["title", "text", "dissent", "language", "other_title", "other_text", "other_dissent"] as const;

export interface StoredVersions {
  language: string;
  title: string;
  text: string;
  dissent: string;
  other_title: string;
  other_text: string;
  other_dissent: string;
}

export interface Version {
  title: string;
  text: string;
  dissent: string;
}

export const otherLanguage = (l: RecommendationLanguage): RecommendationLanguage => (l === "ur" ? "en" : "ur");
export const asLanguage = (l: string | null | undefined): RecommendationLanguage => (l === "ur" ? "ur" : "en");

/** "ur" when most of its letters are Arabic-script: the one rule of app/models/original-language.ts, for suggestions and recommendations alike. */
export function scriptLanguage(s: string): RecommendationLanguage {
  return originalLanguageOf(s);
}

/** The version in `lang`, or null when there is none (neither a title nor a text in that language). */
export function versionIn(r: StoredVersions, lang: RecommendationLanguage): Version | null {
  const main = asLanguage(r.language) === lang;
  const v = main
    ? { title: r.title ?? "", text: r.text ?? "", dissent: r.dissent ?? "" }
    : { title: r.other_title ?? "", text: r.other_text ?? "", dissent: r.other_dissent ?? "" };
  return v.title.trim() || v.text.trim() ? v : null;
}

/** The form's two versions as the columns store them: English is the main version whenever it exists. */
export function storedVersions(input: {
  title: string;
  text: string;
  dissent: string;
  titleUr: string;
  textUr: string;
  dissentUr: string;
}): StoredVersions {
  const hasEnglish = Boolean(input.title || input.text);
  const hasUrdu = Boolean(input.titleUr || input.textUr);
  if (hasEnglish || !hasUrdu)
    return {
      language: "en",
      title: input.title,
      text: input.text,
      dissent: input.dissent,
      other_title: hasUrdu ? input.titleUr : "",
      other_text: hasUrdu ? input.textUr : "",
      other_dissent: hasUrdu ? input.dissentUr : "",
    };
  return {
    language: "ur",
    title: input.titleUr,
    text: input.textUr,
    dissent: input.dissentUr,
    other_title: "",
    other_text: "",
    other_dissent: "",
  };
}

/** A shown text and the language it is in (`fallback`: not the reader's language, which has none). */
export interface Shown {
  value: string;
  lang: RecommendationLanguage;
  fallback: boolean;
}

export interface LocalRecommendation {
  title: Shown;
  text: Shown;
  /** '' when neither version has a dissent */
  dissent: Shown;
  /** the reader's language has no version: the other one is shown, and the page says so */
  missing: boolean;
}

/**
 * What a reader of `lang` sees: the version in `lang`, or (none) the other one,
 * marked as a fallback. A dissent missing from the shown version falls back on
 * its own (a version may have a dissent the other lacks).
 */
export function recommendationIn(r: StoredVersions, lang: RecommendationLanguage): LocalRecommendation {
  const own = versionIn(r, lang);
  const other = versionIn(r, otherLanguage(lang));
  const shownLang = own || !other ? lang : otherLanguage(lang);
  const shown = own ?? other ?? { title: r.title ?? "", text: r.text ?? "", dissent: r.dissent ?? "" };
  const fallback = shownLang !== lang;
  let dissent: Shown = { value: shown.dissent, lang: shownLang, fallback };
  if (!shown.dissent.trim()) {
    const d = (own?.dissent.trim() ? own : other?.dissent.trim() ? other : null)?.dissent ?? "";
    dissent = d ? { value: d, lang: own?.dissent.trim() ? lang : otherLanguage(lang), fallback: !own?.dissent.trim() } : dissent;
  }
  return {
    title: { value: shown.title, lang: shownLang, fallback },
    text: { value: shown.text, lang: shownLang, fallback },
    dissent,
    missing: fallback,
  };
}
