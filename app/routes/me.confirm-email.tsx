import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser, safeRedirectPath } from "~/auth/guards.server";
import { CONFIRM_NOTICE, ResendConfirmationForm } from "~/components/confirm-email";
import { ResendConfirmationSchema } from "~/lib/account-schemas.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, RULES, takeRateLimits } from "~/lib/rate-limit.server";
import { actionReply } from "~/lib/refusal";
import { securityEvent } from "~/lib/security.server";
import { ACCOUNT_EMAIL_REFUSALS, sendEmailConfirmation } from "~/models/account-email.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

// Sending the confirmation link again (issue 15, ADR 0026): the button of the
// notice every page shows to a signed-in person whose address is not
// confirmed. A few links an hour per account (RULES.confirmEmail); a confirmed
// address gets nothing and goes back. The earlier link stops working. A plain
// visit shows where the person stands (a refused post renders here too: the
// loader must not redirect, or the 429 would be lost).

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const { t } = await getFixedT(args.request, args.context);
  return { title: `${t("confirmEmail.title")} · ${t("app.name")}`, email: user.emailConfirmed ? null : user.email };
}

/** The page to go back to, with the notice that says a link is on its way. */
function withSentNotice(path: string): string {
  const url = new URL(path, "http://localhost");
  url.searchParams.set(CONFIRM_NOTICE.sent, "1");
  return url.pathname + url.search + url.hash;
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { context } = args;
  const submission = await parseForm(args.request, ResendConfirmationSchema);
  if (submission.status !== "success") return refuse("invalid", ACCOUNT_EMAIL_REFUSALS, { submission, message: "errors.invalid" });
  const back = safeRedirectPath(submission.value.redirectTo, context.config.ORIGIN, "/me");
  const limit = await takeRateLimits(context.db, [{ rule: RULES.confirmEmail, key: String(user.id) }]);
  if (limit.limited) {
    await securityEvent(context, "rate_limit", { path: "/me/confirm-email", rule: limit.rule?.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      back,
      headers: { "Retry-After": String(limit.retryAfter) },
    });
  }
  const r = await sendEmailConfirmation(context.db, { userId: user.id });
  if (!r.ok) {
    // Already confirmed: nothing sent, and the attempt does not count.
    await giveBackRateLimits(context.db, limit.slots);
    return redirect(back, 303);
  }
  return redirect(withSentNotice(back), 303);
}

export default function ResendConfirmation() {
  const { email } = useLoaderData<typeof loader>();
  const reply = actionReply(useActionData<typeof action>());
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const refusal = reply?.refusal ?? null;
  return (
    <div className="narrow">
      <h1>{t("confirmEmail.title")}</h1>
      {refusal ? (
        <div className="panel notice" role="alert">
          <p>{t(refusal.message)}</p>
          <p>
            <Link to={refusal.back ?? "/me"}>{t("confirmEmail.back")}</Link>
          </p>
        </div>
      ) : email ? (
        <div className="stack">
          <p role="status">
            {t(params.get(CONFIRM_NOTICE.sent) ? "confirmEmail.sentAgain" : "confirmEmail.banner")}{" "}
            <strong dir="ltr">
              <bdi>{email}</bdi>
            </strong>
          </p>
          <p>{t("confirmEmail.bannerWhy")}</p>
          <ResendConfirmationForm redirectTo="/me/confirm-email" />
        </div>
      ) : (
        <p className="notice" role="status">
          {t("confirmEmail.done")} <Link to="/me">{t("confirmEmail.toAccount")}</Link>
        </p>
      )}
    </div>
  );
}
