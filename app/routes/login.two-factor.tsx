import { getFormProps, useForm } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAnonymous, safeRedirectPath } from "~/auth/guards.server";
import { clearPendingSignInCookie, completePendingSignIn, peekPendingSignIn } from "~/auth/pending-sign-in.server";
import { ErrorSummary, TextField } from "~/components/form";
import { TwoFactorSignInSchema } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, RULES, takeRateLimits } from "~/lib/rate-limit.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { securityEvent } from "~/lib/security.server";
import { TWO_FACTOR_REFUSALS, verifySecondFactor } from "~/models/two-factor.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

// The second step of a sign-in with two-factor on (ADR 0026): the password was
// right (/login left a pending sign-in in a cookie); a code from the app or a
// recovery code makes the session. Wrong codes count per account, from any
// address; a code is accepted once. Without a pending sign-in (none, used,
// older than ten minutes) the person starts again at /login.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

function startAgain(redirectTo: string) {
  const back = redirectTo === "/me" ? "" : `&redirectTo=${encodeURIComponent(redirectTo)}`;
  return redirect(`/login?twoFactor=expired${back}`, 303);
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const redirectTo = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), context.config.ORIGIN, "/me");
  requireAnonymous({ context }, redirectTo);
  if (!(await peekPendingSignIn(request, context))) throw startAgain(redirectTo);
  const { t } = await getFixedT(request, context);
  return { title: `${t("twoFactor.signIn.title")} · ${t("app.name")}`, redirectTo };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = await parseForm(request, TwoFactorSignInSchema);
  const redirectTo = safeRedirectPath(submission.payload.redirectTo, context.config.ORIGIN, "/me");
  const pending = await peekPendingSignIn(request, context);
  if (!pending) return startAgain(redirectTo);
  if (submission.status !== "success") return invalid(submission, { hideFields: ["code"] });

  // The slot is taken before the code is checked, atomically (ADR 0019), per account; given back unless the code was wrong.
  const taken = await takeRateLimits(context.db, [{ rule: RULES.twoFactorAccount, key: String(pending.userId) }]);
  if (taken.limited) {
    await securityEvent(context, "rate_limit", { userId: pending.userId, path: "/login/two-factor", rule: taken.rule?.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      hideFields: ["code"],
      headers: { "Retry-After": String(taken.retryAfter) },
    });
  }
  const checked = await verifySecondFactor(context.db, { userId: pending.userId, code: submission.value.code });
  if (!checked.ok) {
    if (checked.reason !== "wrongCode" && checked.reason !== "codeUsed") await giveBackRateLimits(context.db, taken.slots);
    await securityEvent(context, "login.failure", { userId: pending.userId, path: "/login/two-factor", reason: checked.reason });
    // Two-factor turned off (by an operator) since the password: sign in again with the password alone.
    if (checked.reason === "notEnabled" || checked.reason === "notFound") return startAgain(redirectTo);
    return refuse(checked.reason, TWO_FACTOR_REFUSALS, {
      submission,
      field: "code",
      message: `twoFactor.errors.${checked.reason}`,
      hideFields: ["code"],
    });
  }
  await giveBackRateLimits(context.db, taken.slots);
  // The pending sign-in is used up by exactly one request; a second one with another good code starts again.
  const done = await completePendingSignIn(request, context);
  if (!done || done.userId !== pending.userId) return startAgain(redirectTo);

  // A new session id at every sign-in; whatever session came with the request ends.
  if (context.sessionToken) await context.auth.signOut(context.sessionToken);
  const headers = new Headers();
  headers.append("Set-Cookie", await clearPendingSignInCookie(context));
  headers.append(
    "Set-Cookie",
    await context.auth.signIn(done.userId, { userAgent: request.headers.get("User-Agent"), ip: context.clientIp }),
  );
  await securityEvent(context, "login.success", { userId: done.userId, reason: `two-factor ${checked.via}` });
  return redirect(redirectTo, { status: 303, headers });
}

export default function LoginTwoFactor() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [form, fields] = useForm({ id: "two-factor-sign-in", lastResult, shouldValidate: "onSubmit" });
  return (
    <div className="narrow">
      <h1>{t("twoFactor.signIn.title")}</h1>
      <p>{t("twoFactor.signIn.intro")}</p>
      <Form method="post" {...getFormProps(form)} className="stack">
        <ErrorSummary formErrors={formErrorsOf(lastResult)} fields={[{ field: fields.code, label: t("twoFactor.signIn.code") }]} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField
          field={fields.code}
          label={t("twoFactor.signIn.code")}
          hint={t("twoFactor.signIn.codeHint")}
          autoComplete="one-time-code"
          inputMode="text"
          dir="ltr"
        />
        <button type="submit" className="button">
          {t("twoFactor.signIn.submit")}
        </button>
      </Form>
      <p>{t("twoFactor.signIn.lost")}</p>
      <p>
        <Link to="/login">{t("recovery.backToLogin")}</Link>
      </p>
    </div>
  );
}
