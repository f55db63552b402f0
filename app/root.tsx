import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { useChangeLanguage } from "remix-i18next/react";
import { EmailConfirmationBanner } from "./components/confirm-email";
import { ERROR_KINDS, ErrorPanel, errorKind, errorStatus, type ErrorKind } from "./components/error-page";
import { requireTwoFactorEnrolment } from "./auth/guards.server";
import { useNonce } from "./components/nonce";
import { SiteFooter, SiteHeader } from "./components/site-chrome";
import { textDirection } from "./lib/i18n";
import { resolveFormat, tFor } from "./lib/i18next.server";
import { countUnread } from "./models/notification.server";
import styles from "./styles/app.css?url";
// The subset Nastaliq font that app/styles/urdu-font.css declares: the same file, so the same hashed /assets URL.
import nastaliqFont from "./assets/fonts/noto-nastaliq-urdu-400.woff2?url";

// A loader that throws a 429 (a search past its limit, app/lib/search-limit.server.ts) is
// rendered by the ErrorBoundary below: its Retry-After reaches the client through here.
export { retryAfterHeaders as headers } from "./lib/headers";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.ico", sizes: "any" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  // Staff who must enrol in two-factor see no page but the enrolment (and signing out) until they have.
  requireTwoFactorEnrolment({ request, context });
  const { lng: locale, digits } = await resolveFormat(request, context);
  // The header's unread badge: one count over an index, signed-in users only (the page cache may have counted already).
  const unreadNotifications = context.user ? (context.unreadNotifications ?? (await countUnread(context.db, context.user.id))) : 0;
  const user = context.user
    ? { id: context.user.id, displayName: context.user.displayName, role: context.user.role, unreadNotifications }
    : null;
  const t = tFor(locale, digits);
  // Titles for error pages: meta functions cannot translate on their own.
  const titles = {
    app: t("app.name"),
    ...(Object.fromEntries(ERROR_KINDS.map((kind) => [kind, t(`errorPage.${kind}.title`)])) as Record<ErrorKind, string>),
  };
  // The notice under the header while the person's address is not confirmed (issue 15): the address the link went to.
  const unconfirmedEmail = context.user && !context.user.emailConfirmed ? context.user.email : null;
  return { locale, digits, user, unconfirmedEmail, titles };
}

export const meta: MetaFunction<typeof loader> = ({ data, error }) => {
  const titles = data?.titles;
  if (!error) return [{ title: titles?.app ?? "Mashwara" }];
  const status = errorStatus(error);
  // Without the root loader's data (it failed too) the title is in both languages.
  return [{ title: `${titles?.[errorKind(status)] ?? "Error · خرابی"} · ${titles?.app ?? "Mashwara · مشورہ"}` }];
};

export type RootData = Awaited<ReturnType<typeof loader>>;

export function useRootData(): RootData | undefined {
  return useRouteLoaderData<typeof loader>("root");
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRootData();
  const { i18n } = useTranslation();
  const locale = data?.locale ?? i18n.language ?? "en";
  const nonce = useNonce();
  return (
    <html lang={locale} dir={textDirection(locale)} data-digits={data?.digits ?? "native"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        {/* An Urdu page needs the Nastaliq font at once: asked for with the stylesheet rather than after it has been
            read and laid out, it usually arrives before the first paint, and the fallback's matched metrics cover
            it when it does not. English pages do not preload it (Urdu user text there fetches it by unicode-range). */}
        {locale === "ur" ? <link rel="preload" as="font" type="font/woff2" href={nastaliqFont} crossOrigin="anonymous" /> : null}
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function Page({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <SiteHeader />
      <main id="main" tabIndex={-1}>
        <EmailConfirmationBanner />
        {children}
      </main>
      <SiteFooter />
    </>
  );
}

export default function App() {
  const data = useRootData();
  useChangeLanguage(data?.locale ?? "en");
  return (
    <Page>
      <Outlet />
    </Page>
  );
}

/** An error no route below caught (a loader's, or the root loader's own): the page around it is drawn here. */
export function ErrorBoundary() {
  return (
    <Page>
      <ErrorPanel status={errorStatus(useRouteError())} />
    </Page>
  );
}
