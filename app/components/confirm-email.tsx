// A signed-in person whose email address is not confirmed yet (issue 15, ADR
// 0026): the notice on every page, and the one button that sends the link
// again (a plain form posting to /me/confirm-email: works without JavaScript).
import { Form, useLocation, useRouteLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";

interface RootLike {
  /** the address waiting to be confirmed; null when confirmed or signed out */
  unconfirmedEmail?: string | null;
}

/** The notice's id: what the pages' "send it again" links point to. */
const CONFIRM_BANNER_ID = "confirm-banner";

/** The query parameters the confirmation pages come back with. */
export const CONFIRM_NOTICE = { sent: "confirmSent", confirmed: "emailConfirmed" } as const;

/** Sends the confirmation link again, then back to `redirectTo` (default: the page it is on). */
export function ResendConfirmationForm({ redirectTo }: { redirectTo?: string }) {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Form method="post" action="/me/confirm-email" className="inline-form">
      <input type="hidden" name="redirectTo" value={redirectTo ?? location.pathname + location.search} />
      <button type="submit" className="button button--secondary">
        {t("confirmEmail.resend")}
      </button>
    </Form>
  );
}

/** The in-page link to the notice's one "send the link again" button (a page shows that button once). */
export function ResendLinkToNotice() {
  const { t } = useTranslation();
  return (
    <p>
      <a href={`#${CONFIRM_BANNER_ID}`}>{t("confirmEmail.toNotice")}</a>
    </p>
  );
}

/** Why the page offers no comment form or report form to this person, and the way on. */
export function ConfirmEmailNeeded() {
  const { t } = useTranslation();
  return (
    <div className="confirm-needed">
      <p className="muted">{t("refusal.emailUnconfirmed")}</p>
      <ResendLinkToNotice />
    </div>
  );
}

/**
 * Under the header on every page: "confirm your address" with the resend
 * button while it is not confirmed, or what just happened (a link sent, the
 * address confirmed). Not on the confirmation pages themselves, which say it.
 */
export function EmailConfirmationBanner() {
  const data = useRouteLoaderData("root") as RootLike | undefined;
  const { t } = useTranslation();
  const location = useLocation();
  const [params] = useSearchParams();
  if (location.pathname.startsWith("/confirm-email/") || location.pathname === "/me/confirm-email") return null;
  const email = data?.unconfirmedEmail ?? null;
  if (!email) {
    return params.get(CONFIRM_NOTICE.confirmed) ? (
      <p className="notice" role="status">
        {t("confirmEmail.done")}
      </p>
    ) : null;
  }
  return (
    <div className="notice confirm-banner" id={CONFIRM_BANNER_ID} role="status">
      <p>
        {t(params.get(CONFIRM_NOTICE.sent) ? "confirmEmail.sentAgain" : "confirmEmail.banner")}{" "}
        <strong dir="ltr">
          <bdi>{email}</bdi>
        </strong>
      </p>
      <p>{t("confirmEmail.bannerWhy")}</p>
      <ResendConfirmationForm />
    </div>
  );
}
