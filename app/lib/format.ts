// Numbers and dates for people (issue 7): one module, used by the pages, the
// charts, the translations' {{count}}s and the exports built on the server.
// Urdu pages write digits in Extended Arabic-Indic (۱۲۳, Unicode's `arabext`
// numbering system) unless the reader chose Western digits (the `digits`
// cookie, saved to the profile when signed in); English pages always use
// Western digits. Everything goes through Intl, so grouping and the decimal
// sign follow the language too (۱٬۲۳۴٫۵ in Urdu).

export const DIGITS = ["native", "western"] as const;
export type Digits = (typeof DIGITS)[number];

export function isDigits(value: unknown): value is Digits {
  return value === "native" || value === "western";
}

/** What a formatter needs: the page's language and the reader's digits. */
export interface FormatPrefs {
  lng: string;
  digits: Digits;
}

/**
 * The Intl locale tag for a language and a choice of digits.
 * Exported only for the tests (tests/lib/format.test.ts).
 */
export function intlLocale({ lng, digits }: FormatPrefs): string {
  if (lng === "ur") return digits === "western" ? "ur-PK-u-nu-latn" : "ur-PK-u-nu-arabext";
  return "en-GB";
}

// Intl formatters are costly to build (tens of microseconds to milliseconds,
// more with a time zone) and a list page shows dozens of numbers and dates:
// build each kind once per locale and reuse it.
const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/** A count or figure: 1,234 · ۱٬۲۳۴ */
export function formatNumber(prefs: FormatPrefs, value: number): string {
  const locale = intlLocale(prefs);
  return cached(`n:${locale}`, () => new Intl.NumberFormat(locale)).format(value);
}

export type DateStyle = "long" | "longWithTime" | "longWithSeconds" | "day";

const DATE_OPTIONS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  long: { dateStyle: "long", timeZone: "Asia/Karachi" },
  // 24-hour time: Urdu's CLDR pattern would otherwise write a Latin "AM"/"PM".
  longWithTime: { dateStyle: "long", timeStyle: "short", hourCycle: "h23", timeZone: "Asia/Karachi" },
  // The time figures were read (the organiser dashboard's "as of"): to the second.
  longWithSeconds: { dateStyle: "long", timeStyle: "medium", hourCycle: "h23", timeZone: "Asia/Karachi" },
  // A day already in UTC calendar form (e.g. "2026-11-29" of a chart axis).
  day: { day: "numeric", month: "short", timeZone: "UTC" },
};

/** A date (ISO text, a Date or epoch ms) in the language, in Pakistan time. */
export function formatDate(prefs: FormatPrefs, value: string | number | Date, style: DateStyle = "long"): string {
  const locale = intlLocale(prefs);
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return cached(`d:${locale}:${style}`, () => new Intl.DateTimeFormat(locale, DATE_OPTIONS[style])).format(date);
}

/** Interpolated values that are text someone wrote, not interface text. */
const USER_TEXT_KEYS = new Set(["title", "name", "submissionTitle", "organisation", "agency"]);

/**
 * i18next's interpolation formatter (with `alwaysFormat`): every number put
 * into a translation ({{count}}, {{total}}, {{page}}…) is written in the
 * reader's digits. Identifiers ({{id}}, {{submissionId}}…) stay as written.
 */
export function interpolationFormat(digits: Digits) {
  return (value: unknown, _format?: string, lng?: string, options?: Record<string, unknown>): string => {
    const key = typeof options?.interpolationkey === "string" ? options.interpolationkey : "";
    // Text someone wrote (a title, a name) inside an Urdu sentence is isolated
    // with FSI…PDI, the plain-text <bdi>: an English title cannot scramble the
    // sentence around it in a notification, an email, a page title or a label.
    if (typeof value === "string") return lng === "ur" && USER_TEXT_KEYS.has(key) && value ? `\u2068${value}\u2069` : value;
    if (typeof value !== "number" || !Number.isFinite(value)) return value as string;
    const prefs = { lng: lng ?? "en", digits };
    // Identifiers (#152, R-12) are codes people type into forms and URLs: as written.
    return /id$/i.test(key) ? String(value) : formatNumber(prefs, value);
  };
}
