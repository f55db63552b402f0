// The header and footer every page shares: brand, navigation for the user's
// role, sign-in state, and the language switch (a form: works without JavaScript).
import { Form, Link, NavLink, useLocation, useRouteLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { hasRole, type Role } from "~/auth/permissions";
import { NumberText } from "./dates";

interface RootLike {
  locale: "en" | "ur";
  digits?: "native" | "western";
  user: { id: number; displayName: string; role: Role; unreadNotifications?: number } | null;
}

export function LanguageSwitch() {
  const data = useRouteLoaderData("root") as RootLike | undefined;
  const location = useLocation();
  const { t } = useTranslation();
  const current = data?.locale ?? "en";
  const other = current === "ur" ? "en" : "ur";
  return (
    <Form method="post" action="/language" className="language-switch">
      <input type="hidden" name="lng" value={other} />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <button type="submit" className="link-button" lang={other} title={t("nav.switchLanguage")}>
        {other === "ur" ? "اردو" : "English"}
      </button>
    </Form>
  );
}

/**
 * Beside the language switch on Urdu pages: Urdu digits (۱۲۳, the default) or
 * Western digits (123). A full page load (reloadDocument), so the numbers
 * the browser formats change with the ones the server wrote.
 */
export function DigitsSwitch() {
  const data = useRouteLoaderData("root") as RootLike | undefined;
  const location = useLocation();
  const { t } = useTranslation();
  if ((data?.locale ?? "en") !== "ur") return null;
  const other = data?.digits === "western" ? "native" : "western";
  return (
    <Form method="post" action="/language" className="language-switch" reloadDocument>
      <input type="hidden" name="digits" value={other} />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <button
        type="submit"
        className="link-button"
        aria-label={t(other === "western" ? "nav.switchDigitsWestern" : "nav.switchDigitsNative")}
      >
        {other === "western" ? "123" : "۱۲۳"}
      </button>
    </Form>
  );
}

/** The header's link to /me/notifications, with the unread count (a number a screen reader hears in words). */
function NotificationsLink({ unread }: { unread: number }) {
  const { t } = useTranslation();
  return (
    <NavLink to="/me/notifications" className="notifications-link" data-unread={unread}>
      {t("notifications.nav")}
      {unread > 0 ? (
        <>
          {" "}
          <span className="badge" aria-hidden="true">
            <NumberText value={unread} />
          </span>
          <span className="visually-hidden">{` (${t("notifications.unread", { count: unread })})`}</span>
        </>
      ) : null}
    </NavLink>
  );
}

export function SiteHeader() {
  const data = useRouteLoaderData("root") as RootLike | undefined;
  const { t } = useTranslation();
  const user = data?.user ?? null;
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link to="/" className="brand">
          <span className="brand__name">{t("app.name")}</span>
          <span className="brand__tagline">{t("app.tagline")}</span>
        </Link>
        <nav aria-label={t("nav.label")} className="site-nav">
          <ul>
            <li>
              <NavLink to="/" end>
                {t("nav.home")}
              </NavLink>
            </li>
            {user && hasRole(user.role, "moderator") ? (
              <li>
                <NavLink to="/moderation">{t("nav.moderation")}</NavLink>
              </li>
            ) : null}
            {user && hasRole(user.role, "organiser") ? (
              <li>
                <NavLink to="/organiser">{t("nav.organiser")}</NavLink>
              </li>
            ) : null}
            {user && hasRole(user.role, "admin") ? (
              <li>
                <NavLink to="/admin">{t("nav.admin")}</NavLink>
              </li>
            ) : null}
            {user ? (
              <>
                <li>
                  <NavLink to="/me">{t("nav.me")}</NavLink>
                </li>
                <li>
                  <NotificationsLink unread={user.unreadNotifications ?? 0} />
                </li>
                <li>
                  <Form method="post" action="/logout">
                    <button type="submit" className="link-button">
                      {t("nav.logout")}
                    </button>
                  </Form>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink to="/login">{t("nav.login")}</NavLink>
                </li>
                <li>
                  <NavLink to="/register">{t("nav.register")}</NavLink>
                </li>
              </>
            )}
            <li>
              <LanguageSwitch />
            </li>
            {data?.locale === "ur" ? (
              <li>
                <DigitsSwitch />
              </li>
            ) : null}
          </ul>
        </nav>
      </div>
    </header>
  );
}

export function SiteFooter() {
  const { t } = useTranslation();
  return (
    <footer className="site-footer">
      <p>{t("footer.about")}</p>
      <p>
        <Link to="/recommendations">{t("footer.recommendations")}</Link> · <Link to="/stats">{t("footer.stats")}</Link>
      </p>
    </footer>
  );
}
