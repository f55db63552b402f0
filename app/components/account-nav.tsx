import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

const PAGES = [
  { to: "/me/profile", key: "profile" },
  { to: "/me/organisation", key: "organisation" },
  { to: "/me/password", key: "password" },
  { to: "/me/sessions", key: "sessions" },
  { to: "/me/two-factor", key: "twoFactor" },
  { to: "/me/data.json", key: "data", download: true },
  { to: "/me/delete", key: "delete" },
] as const;

/** The account pages, linked from /me and from each of them (the current one is marked). */
export function AccountNav({ current }: { current?: (typeof PAGES)[number]["key"] }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t("account.nav.label")}>
      <ul className="list">
        {PAGES.map((p) => (
          <li key={p.key}>
            {"download" in p ? (
              // A file, not a page: a plain link so the browser downloads it.
              <a href={p.to} download>
                {t(`account.nav.${p.key}`)}
              </a>
            ) : (
              <Link to={p.to} aria-current={current === p.key ? "page" : undefined}>
                {t(`account.nav.${p.key}`)}
              </Link>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The link back to /me above each account page. */
export function BackToMe() {
  const { t } = useTranslation();
  return (
    <p>
      <Link to="/me">{t("account.backToMe")}</Link>
    </p>
  );
}
