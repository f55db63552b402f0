// i18next settings shared by the server render and the browser.

import { RULE_NUMBERS } from "./rules";

/**
 * The numbers of the app's rules that its texts state ("at least 8
 * characters", "20 to 2,000 characters"). The Urdu texts take them as
 * `{{passwordMin}}`… so they come out in the reader's digits like every other
 * number (English is always Western digits and states them as written). They
 * are the very numbers the schemas enforce: both read app/lib/rules.ts.
 */
export { RULE_NUMBERS };

export const i18nConfig = {
  supportedLngs: ["en", "ur"],
  fallbackLng: "en",
  defaultNS: "common",
  ns: ["common"],
  interpolation: { escapeValue: false, defaultVariables: RULE_NUMBERS }, // React escapes
  react: { useSuspense: false },
} as const;

export function textDirection(lng: string): "rtl" | "ltr" {
  return lng === "ur" ? "rtl" : "ltr";
}

/** Picks the name in the page's language from a bilingual row. */
export function localName(row: { name_en: string; name_ur: string }, lng: string): string {
  return lng === "ur" && row.name_ur ? row.name_ur : row.name_en;
}

/**
 * A message carried as an i18n key, or "key|n" when it has a number (e.g.
 * "errors.tooShort|10"): the text in the translator's language, pluralised by n.
 */
export function messageText(t: (key: string, options?: { count: number }) => string, message: string): string {
  const [key, n] = message.split("|");
  return n === undefined ? t(key) : t(key, { count: Number(n) });
}
