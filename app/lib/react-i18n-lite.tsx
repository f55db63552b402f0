// What the browser build gets when a module imports "react-i18next" (see the
// `lite-i18n` plugin in vite.config.ts): the same hooks and provider over the
// lite translator of app/lib/i18n-lite.ts. The server keeps react-i18next and
// i18next. Only the API this app uses is here: useTranslation() → { t, i18n },
// I18nextProvider, I18nContext, initReactI18next.
import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { LiteI18n } from "./i18n-lite";

export const I18nContext = createContext<{ i18n: LiteI18n } | undefined>(undefined);

export function I18nextProvider({ i18n, children }: { i18n: LiteI18n; children?: ReactNode }) {
  return createElement(I18nContext.Provider, { value: { i18n } }, children);
}

const noop = () => () => undefined;
const zero = () => 0;

export function useTranslation() {
  const i18n = useContext(I18nContext)?.i18n;
  if (!i18n) throw new Error("useTranslation() outside I18nextProvider");
  // Renders again once the whole locale (or another language) has arrived.
  useSyncExternalStore(i18n?.subscribe ?? noop, i18n?.version ?? zero, zero);
  const result = [i18n.t, i18n, true] as unknown as [LiteI18n["t"], LiteI18n, boolean] & {
    t: LiteI18n["t"];
    i18n: LiteI18n;
    ready: boolean;
  };
  result.t = i18n.t;
  result.i18n = i18n;
  result.ready = true;
  return result;
}

/** A plugin object for `i18next.use()`: nothing to do here (kept so shared code can import it). */
export const initReactI18next = { type: "3rdParty", init: () => undefined };
