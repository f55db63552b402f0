// The language a suggestion or comment was written in (issue 18, item 1):
// decided here, once, from the text alone, by script. Letters of the Arabic
// script (Urdu's Nastaliq is written with them) count for Urdu, every other
// letter for English; the majority wins, a tie or no letters at all is
// English. Pure: the models call it on create and on edit, the migration
// 2026-12-08T0100-translations on every existing row.

export const LANGUAGES = ["en", "ur"] as const;
export type Language = (typeof LANGUAGES)[number];

const ARABIC_LETTER = /\p{Script=Arabic}/u;
const LETTER = /\p{L}/u;

/** "ur" when most letters of the texts are Arabic-script letters, else "en". */
export function originalLanguageOf(...texts: Array<string | null | undefined>): Language {
  let arabic = 0;
  let other = 0;
  for (const text of texts) {
    if (!text) continue;
    for (const ch of text) {
      if (!LETTER.test(ch)) continue;
      if (ARABIC_LETTER.test(ch)) arabic += 1;
      else other += 1;
    }
  }
  return arabic > other ? "ur" : "en";
}

/** The language a translation of a text in `original` is written in: the other one. */
export function otherLanguage(original: Language): Language {
  return original === "ur" ? "en" : "ur";
}

export function isLanguage(v: unknown): v is Language {
  return v === "en" || v === "ur";
}
