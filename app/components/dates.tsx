// Numbers and dates in React: the page's language and the reader's digits
// (root loader data), formatted by app/lib/format.ts.
import { useRouteLoaderData } from "@remix-run/react";
import { useContext } from "react";
import { I18nContext } from "react-i18next";
import { formatDate, formatNumber, isDigits, type DateStyle, type FormatPrefs } from "~/lib/format";

/** The page's language, read from the i18next context (cheaper than useTranslation, which builds a translator per call). */
export function useLanguage(): string {
  return useContext(I18nContext)?.i18n?.language ?? "en";
}

/** The language and digits of this page (Urdu digits when nothing says otherwise). */
export function useFormatPrefs(): FormatPrefs {
  const root = useRouteLoaderData("root") as { locale?: string; digits?: unknown } | undefined;
  const lng = useLanguage();
  return { lng: root?.locale ?? lng, digits: isDigits(root?.digits) ? root.digits : "native" };
}

/** A date in the page's language, with the machine-readable value in <time>. */
export function DateText({ iso, withTime = false, style }: { iso: string; withTime?: boolean; style?: DateStyle }) {
  return <time dateTime={iso}>{formatDate(useFormatPrefs(), iso, style ?? (withTime ? "longWithTime" : "long"))}</time>;
}

export function NumberText({ value }: { value: number }) {
  return <>{formatNumber(useFormatPrefs(), value)}</>;
}

/** A formatter bound to this page's language and digits, for numbers put into attributes or titles. */
export function useNumberFormat(): (value: number) => string {
  const prefs = useFormatPrefs();
  return (value: number) => formatNumber(prefs, value);
}
