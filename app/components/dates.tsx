import { useTranslation } from "react-i18next";

/** A date in the page's language, with the machine-readable value in <time>. */
export function DateText({ iso, withTime = false }: { iso: string; withTime?: boolean }) {
  const { i18n } = useTranslation();
  const locale = i18n.language === "ur" ? "ur-PK" : "en-GB";
  const text = new Intl.DateTimeFormat(locale, {
    dateStyle: "long",
    ...(withTime ? { timeStyle: "short" } : {}),
    timeZone: "Asia/Karachi",
  }).format(new Date(iso));
  return <time dateTime={iso}>{text}</time>;
}

export function NumberText({ value }: { value: number }) {
  const { i18n } = useTranslation();
  return <>{new Intl.NumberFormat(i18n.language === "ur" ? "ur-PK" : "en-GB").format(value)}</>;
}
