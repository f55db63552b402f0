// Which language a request is served in: an explicit choice (the `lng` cookie,
// set by the language switch) first, then the signed-in user's profile, then
// Accept-Language; English when nothing matches.
import { createCookie, type AppLoadContext } from "@remix-run/node";
import { createInstance, type i18n as I18n, type TFunction } from "i18next";
import { initReactI18next } from "react-i18next";
import { RemixI18Next } from "remix-i18next/server";
import en from "../locales/en.json";
import ur from "../locales/ur.json";
import { i18nConfig } from "./i18n";

export const resources = { en: { common: en }, ur: { common: ur } };

export const languageCookie = createCookie("lng", {
  path: "/",
  sameSite: "lax",
  httpOnly: true,
  maxAge: 365 * 86_400,
});

const remixI18next = new RemixI18Next({
  detection: { supportedLanguages: [...i18nConfig.supportedLngs], fallbackLanguage: "en", order: ["header"] },
  i18next: { ...i18nConfig, resources },
});

function supported(lng: unknown): lng is "en" | "ur" {
  return lng === "en" || lng === "ur";
}

export async function resolveLocale(request: Request, context?: Pick<AppLoadContext, "user">): Promise<"en" | "ur"> {
  const fromCookie = await languageCookie.parse(request.headers.get("Cookie")).catch(() => null);
  if (supported(fromCookie)) return fromCookie;
  if (context?.user && supported(context.user.locale)) return context.user.locale;
  const fromHeader = await remixI18next.getLocale(request);
  return supported(fromHeader) ? fromHeader : "en";
}

// One i18next instance per language, made once and shared by every request:
// initialising one per request was a large part of a page's render time. The
// instances never change language, so sharing them is safe.
const instances = new Map<string, I18n>();
export function i18nFor(lng: string): I18n {
  let instance = instances.get(lng);
  if (!instance) {
    instance = createInstance();
    void instance.use(initReactI18next).init({ ...i18nConfig, lng, resources, initImmediate: false });
    instances.set(lng, instance);
  }
  return instance;
}

export function tFor(lng: string): TFunction {
  return i18nFor(lng).getFixedT(lng, "common");
}

/** The request's language and a translator for it (for titles and messages built on the server). */
export async function getFixedT(request: Request, context?: Pick<AppLoadContext, "user">) {
  const lng = await resolveLocale(request, context);
  return { lng, t: tFor(lng) };
}
