// i18next settings shared by the server render and the browser.
export const i18nConfig = {
  supportedLngs: ["en", "ur"],
  fallbackLng: "en",
  defaultNS: "common",
  ns: ["common"],
  interpolation: { escapeValue: false }, // React escapes
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
