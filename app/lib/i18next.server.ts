// Which language a request is served in: an explicit choice (the `lng` cookie,
// set by the language switch) first, then the signed-in user's profile, then
// Accept-Language; English when nothing matches.
import { createCookie, type AppLoadContext } from "@remix-run/node";
import { createInstance, type i18n as I18n, type TFunction } from "i18next";
import { initReactI18next } from "react-i18next";
import { RemixI18Next } from "remix-i18next/server";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { interpolationFormat, isDigits, type Digits, type FormatPrefs } from "./format";
import { i18nConfig } from "./i18n";

export const resources = { en: { common: en }, ur: { common: ur } };

export const languageCookie = createCookie("lng", {
  path: "/",
  sameSite: "lax",
  httpOnly: true,
  maxAge: 365 * 86_400,
});

/** The reader's digits on Urdu pages ("native" ۱۲۳ or "western" 123), set next to the language switch. */
export const digitsCookie = createCookie("digits", {
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

/** The reader's digits: the `digits` cookie, then the signed-in user's profile, then Urdu digits. */
async function resolveDigits(request: Request, context?: Pick<AppLoadContext, "user">): Promise<Digits> {
  const fromCookie = await digitsCookie.parse(request.headers.get("Cookie")).catch(() => null);
  if (isDigits(fromCookie)) return fromCookie;
  const fromProfile = context?.user?.digits;
  return isDigits(fromProfile) ? fromProfile : "native";
}

/** Language and digits of a request, for formatting numbers and dates on the server. */
export async function resolveFormat(request: Request, context?: Pick<AppLoadContext, "user">): Promise<FormatPrefs & { lng: "en" | "ur" }> {
  const [lng, digits] = await Promise.all([resolveLocale(request, context), resolveDigits(request, context)]);
  return { lng, digits };
}

// One i18next instance per language, made once and shared by every request:
// initialising one per request was a large part of a page's render time. The
// instances never change language, so sharing them is safe.
// There is one per language and choice of digits: the numbers a translation
// interpolates ({{count}}) are written in the reader's digits.
const instances = new Map<string, I18n>();
export function i18nFor(lng: string, digits: Digits = "native"): I18n {
  const key = `${lng}:${digits}`;
  let instance = instances.get(key);
  if (!instance) {
    instance = createInstance();
    void instance.use(initReactI18next).init({
      ...i18nConfig,
      interpolation: { ...i18nConfig.interpolation, format: interpolationFormat(digits), alwaysFormat: true },
      lng,
      resources,
      initImmediate: false,
    });
    instances.set(key, instance);
  }
  return instance;
}

export function tFor(lng: string, digits: Digits = "native"): TFunction {
  return i18nFor(lng, digits).getFixedT(lng, "common");
}

/** The request's language, digits and a translator for them (for titles and messages built on the server). */
export async function getFixedT(request: Request, context?: Pick<AppLoadContext, "user">) {
  const { lng, digits } = await resolveFormat(request, context);
  return { lng, digits, t: tFor(lng, digits) };
}
