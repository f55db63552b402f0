import { useContext } from "react";
import { I18nContext } from "react-i18next";

/** The page's language, read from the i18next context (cheaper than useTranslation, which builds a translator per call). */
export function useLanguage(): string {
  return useContext(I18nContext)?.i18n?.language ?? "en";
}

// Intl formatters are costly to build (tens of microseconds to milliseconds,
// more with a time zone) and a list page shows dozens of numbers and dates:
// build each kind once per language and reuse it.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormat(lng: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `d:${lng}:${withTime}`;
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(lng === "ur" ? "ur-PK" : "en-GB", {
      dateStyle: "long",
      ...(withTime ? { timeStyle: "short" } : {}),
      timeZone: "Asia/Karachi",
    });
    formatters.set(key, f);
  }
  return f;
}

function numberFormat(lng: string): Intl.NumberFormat {
  const key = `n:${lng}`;
  let f = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(lng === "ur" ? "ur-PK" : "en-GB");
    formatters.set(key, f);
  }
  return f;
}

/** A date in the page's language, with the machine-readable value in <time>. */
export function DateText({ iso, withTime = false }: { iso: string; withTime?: boolean }) {
  return <time dateTime={iso}>{dateFormat(useLanguage(), withTime).format(new Date(iso))}</time>;
}

/** A number in the language's digits and grouping (for SVG titles and labels built outside React). */
export function formatNumber(lng: string, value: number): string {
  return numberFormat(lng).format(value);
}

export function NumberText({ value }: { value: number }) {
  return <>{numberFormat(useLanguage()).format(value)}</>;
}
