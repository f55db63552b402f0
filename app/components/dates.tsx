import { useTranslation } from "react-i18next";

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
  const { i18n } = useTranslation();
  return <time dateTime={iso}>{dateFormat(i18n.language, withTime).format(new Date(iso))}</time>;
}

export function NumberText({ value }: { value: number }) {
  const { i18n } = useTranslation();
  return <>{numberFormat(i18n.language).format(value)}</>;
}
