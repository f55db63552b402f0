// The browser's translator: the part of i18next this app uses (nested keys,
// `{{name}}` interpolation, plurals through Intl.PluralRules with `_zero` when
// the count is 0, `defaultValue`), in about a kilobyte instead of i18next's
// fifteen. The server renders with i18next itself; tests/i18n/lite.test.ts
// checks that both give the same text for every key of both locale files.
//
// A page arrives with only the strings its server render used (see
// app/lib/i18n-page.server.ts): the whole locale file is fetched on demand —
// at the first interaction, navigation or fetcher submission, or when a string
// the page did not have is asked for — and every translated component then
// renders again.

export type Flat = Record<string, string | null>;
type Options = Record<string, unknown> & { count?: number; defaultValue?: string };
export type LiteT = (key: string | string[], options?: Options) => string;

const PLURAL_SUFFIXES = ["zero", "one", "two", "few", "many", "other"];

/** Flattens a nested locale object to "a.b.c" keys. */
export function flatten(tree: Record<string, unknown>, prefix = "", out: Flat = {}): Flat {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object") flatten(v as Record<string, unknown>, key, out);
    else out[key] = String(v);
  }
  return out;
}

/**
 * How a value is written into a text: the same function i18next's
 * `interpolation.format` gets on the server (`alwaysFormat`), so numbers come
 * out in the reader's digits and user text isolated, as the server wrote them.
 */
export type ValueFormat = (value: unknown, format: string | undefined, lng: string, options: Record<string, unknown>) => string;

export function interpolate(text: string, options: Options | undefined, lng = "en", format?: ValueFormat): string {
  if (!options || !text.includes("{{")) return text;
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => {
    const value = options[name];
    if (value === undefined || value === null) return whole;
    return format ? String(format(value, undefined, lng, { ...options, interpolationkey: name })) : String(value);
  });
}

const pluralRules = new Map<string, Intl.PluralRules>();
function pluralSuffix(lng: string, count: number): string {
  let rules = pluralRules.get(lng);
  if (!rules) pluralRules.set(lng, (rules = new Intl.PluralRules(lng)));
  return rules.select(count);
}

/** The candidate keys for one lookup, most specific first (as i18next tries them). */
export function candidates(lng: string, key: string, options?: Options): string[] {
  if (typeof options?.count !== "number") return [key];
  const list = [`${key}_${pluralSuffix(lng, options.count)}`, key];
  if (options.count === 0) list.unshift(`${key}_zero`);
  return list;
}

/** Every flat key a lookup of `key` could use, plural forms included (what a page must carry for it). */
export function keyFamily(key: string): string[] {
  return [key, ...PLURAL_SUFFIXES.map((s) => `${key}_${s}`)];
}

export interface Lookup {
  /** the text, or undefined when the strings at hand do not have the key */
  found?: string;
  /** true when the server said the key has no text at all (so the default or the key is the answer) */
  knownMissing: boolean;
}

export function lookup(strings: Flat, lng: string, key: string, options?: Options, format?: ValueFormat): Lookup {
  let knownMissing = false;
  for (const k of candidates(lng, key, options)) {
    const v = strings[k];
    if (typeof v === "string") return { found: interpolate(v, options, lng, format), knownMissing: false };
    if (v === null) knownMissing = true;
  }
  return { knownMissing };
}

type Listener = () => void;

export interface LiteI18n {
  language: string;
  t: LiteT;
  changeLanguage(lng: string): Promise<LiteT>;
  /** fetches the whole locale file of the current language (once) */
  loadAll(): Promise<void>;
  subscribe(listener: Listener): () => void;
  version(): number;
  isInitialized: true;
  options: { defaultNS: string };
}

export function createLiteI18n({
  lng,
  strings,
  complete = false,
  load,
  format,
  defaults = {},
}: {
  lng: string;
  strings: Flat;
  /** true when `strings` is the whole locale */
  complete?: boolean;
  load: (lng: string) => Promise<Record<string, unknown>>;
  /** how values are written into texts (the reader's digits); as given when absent */
  format?: ValueFormat;
  /** values every text may name (i18next's `interpolation.defaultVariables`) */
  defaults?: Record<string, unknown>;
}): LiteI18n {
  const byLanguage = new Map<string, { strings: Flat; complete: boolean }>([[lng, { strings, complete }]]);
  const loading = new Map<string, Promise<void>>();
  const listeners = new Set<Listener>();
  let version = 0;

  const notify = () => {
    version++;
    for (const l of listeners) l();
  };

  const loadAll = (language: string): Promise<void> => {
    const entry = byLanguage.get(language);
    if (entry?.complete) return Promise.resolve();
    let p = loading.get(language);
    if (!p) {
      p = load(language).then(
        (tree) => {
          byLanguage.set(language, { strings: flatten(tree), complete: true });
          if (language === i18n.language) notify();
        },
        (error: unknown) => {
          loading.delete(language);
          throw error;
        },
      );
      loading.set(language, p);
    }
    return p;
  };

  const makeT = (): LiteT => (key, given) => {
    const options: Options = { ...defaults, ...given };
    const language = i18n.language;
    const entry = byLanguage.get(language) ?? { strings: {}, complete: false };
    const keys = Array.isArray(key) ? key : [key];
    let knownMissing = false;
    for (const k of keys) {
      const r = lookup(entry.strings, language, k, options, format);
      if (r.found !== undefined) return r.found;
      knownMissing ||= r.knownMissing;
    }
    const fallback = options?.defaultValue !== undefined ? interpolate(options.defaultValue, options, language, format) : undefined;
    if (entry.complete || knownMissing) return fallback ?? keys[keys.length - 1];
    // Not among the page's strings: fetch the whole file and render again; meanwhile nothing (never a raw key, which a live region would read out).
    void loadAll(language).catch(() => undefined);
    return fallback ?? "";
  };

  const i18n: LiteI18n = {
    language: lng,
    t: makeT(),
    isInitialized: true,
    options: { defaultNS: "common" },
    async changeLanguage(next) {
      if (next !== i18n.language) {
        await loadAll(next);
        i18n.language = next;
        notify();
      }
      return i18n.t;
    },
    loadAll: () => loadAll(i18n.language),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    version: () => version,
  };
  // A new function after each change, so memoised renders that depend on `t` see it.
  i18n.subscribe(() => {
    i18n.t = makeT();
  });
  return i18n;
}
