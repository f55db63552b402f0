// i18next settings shared by the server render and the browser.

/**
 * The numbers of the app's rules that its texts state ("at least 8
 * characters", "20 to 2,000 characters"). The Urdu texts take them as
 * `{{passwordMin}}`… so they come out in the reader's digits like every other
 * number (English is always Western digits and states them as written). They
 * mirror the limits in app/lib/schemas.ts and the other schema modules.
 */
export const RULE_NUMBERS = {
  passwordMin: 8,
  passphraseMin: 15,
  passwordMax: 256,
  titleMin: 10,
  titleMax: 150,
  textMin: 20,
  textMax: 2000,
  impactMax: 1000,
  commentMax: 2000,
  commentEditMinutes: 15,
  unlimited: 0,
  utcOffsetHours: 5,
  consultationSlugMin: 3,
  taxonomySlugMin: 2,
  slugMax: 60,
  organisationMin: 2,
  organisationMax: 200,
  cityMin: 2,
  cityMax: 80,
  mediumTermFrom: 1,
  mediumTermTo: 3,
  notificationsPerPage: 50,
} as const;

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
