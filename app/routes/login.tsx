import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAnonymous, safeRedirectPath } from "~/auth/guards.server";
import { startPendingSignIn } from "~/auth/pending-sign-in.server";
import { ErrorSummary, Honeypot, TextField } from "~/components/form";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, RULES, takeRateLimits } from "~/lib/rate-limit.server";
import { HONEYPOT_FIELD, HONEYPOT_REFUSALS, LoginSchema } from "~/lib/schemas";
import { securityEvent } from "~/lib/security.server";
import { afterPassword } from "~/models/two-factor.server";
import { authenticate, normaliseEmail, SIGN_IN_REFUSALS } from "~/models/user.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const redirectTo = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), context.config.ORIGIN, "/me");
  requireAnonymous({ context }, redirectTo);
  const { t } = await getFixedT(request, context);
  return { title: `${t("login.title")} · ${t("app.name")}`, redirectTo };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = await parseForm(request, LoginSchema);
  if (submission.payload[HONEYPOT_FIELD]) {
    await securityEvent(context, "honeypot", { path: "/login" });
    // Nothing typed is given back to a bot.
    return refuse("honeypot", HONEYPOT_REFUSALS, { message: "errors.honeypot" });
  }
  if (submission.status !== "success") return invalid(submission, { hideFields: ["password"] });
  const { email, password, redirectTo } = submission.value;
  const accountKey = normaliseEmail(email);
  const { config } = context;
  // Slots are taken before the (slow) password check, atomically, so a burst of
  // guesses gets no more tries than the limits (ADR 0019): per account and
  // address (the owner elsewhere still signs in), per account in total, per address.
  const taken = await takeRateLimits(context.db, [
    { rule: RULES.loginPair(config.LOGIN_FAILURES_PER_ACCOUNT), key: `${accountKey}|${context.clientIp}` },
    { rule: RULES.loginAccount(config.LOGIN_FAILURES_PER_ACCOUNT_TOTAL), key: accountKey },
    { rule: RULES.loginIp(config.LOGIN_FAILURES_PER_IP), key: context.clientIp },
  ]);
  if (taken.limited) {
    await securityEvent(context, "rate_limit", { email: accountKey, rule: taken.rule?.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      hideFields: ["password"],
      headers: { "Retry-After": String(taken.retryAfter) },
    });
  }

  const result = await authenticate(context.db, email, password);
  // Only a wrong password (or an unknown email) counts as a failure: any other
  // outcome gives its slots back.
  if (result.ok || result.reason !== "invalid") await giveBackRateLimits(context.db, taken.slots);
  if (!result.ok) {
    await securityEvent(context, "login.failure", { userId: result.userId, email: accountKey, reason: result.reason });
    const message = result.reason === "disabled" ? "errors.accountDisabled" : "errors.invalidCredentials";
    return refuse(result.reason, SIGN_IN_REFUSALS, { submission, message, hideFields: ["password"] });
  }

  const to = safeRedirectPath(redirectTo, context.config.ORIGIN, "/me");
  const step = await afterPassword(context.db, { userId: result.userId, policy: context.config.STAFF_TWO_FACTOR });
  if (step.next === "code") {
    // Two-factor is on: no session yet, a pending sign-in that a code completes (ADR 0026).
    const pending = await startPendingSignIn(context, { id: result.userId, email: step.email });
    return redirect(`/login/two-factor?redirectTo=${encodeURIComponent(to)}`, { status: 303, headers: { "Set-Cookie": pending } });
  }

  // A new session id at every sign-in; whatever session came with the request ends.
  if (context.sessionToken) await context.auth.signOut(context.sessionToken);
  const cookie = await context.auth.signIn(result.userId, {
    userAgent: request.headers.get("User-Agent"),
    ip: context.clientIp,
  });
  await securityEvent(context, "login.success", { userId: result.userId });
  // Staff without two-factor while it is required enrol first (the guard opens nothing else until they have).
  const next = step.next === "enrol" ? `/me/two-factor${to === "/me" ? "" : `?redirectTo=${encodeURIComponent(to)}`}` : to;
  return redirect(next, { headers: { "Set-Cookie": cookie } });
}

export default function Login() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [form, fields] = useForm({
    id: "login",
    // A refused honeypot gives nothing typed back (no initialValue): only its message.
    lastResult: lastResult?.initialValue ? lastResult : undefined,
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
  });
  const formErrors = [...(form.errors ?? []), ...formErrorsOf(lastResult)];
  return (
    <div className="narrow">
      <h1>{t("login.title")}</h1>
      {params.get("reset") && !lastResult ? (
        <p className="notice" role="status">
          {t("recovery.reset.done")}
        </p>
      ) : null}
      {params.get("twoFactor") === "expired" && !lastResult ? (
        <p className="notice" role="status">
          {t("twoFactor.signIn.expired")}
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="stack">
        <ErrorSummary
          formErrors={[...new Set(formErrors)]}
          fields={[
            { field: fields.email, label: t("login.email") },
            { field: fields.password, label: t("login.password") },
          ]}
        />
        <Honeypot />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField field={fields.email} label={t("login.email")} type="email" autoComplete="username" dir="ltr" />
        <TextField field={fields.password} label={t("login.password")} type="password" autoComplete="current-password" dir="ltr" />
        <button type="submit" className="button">
          {t("login.submit")}
        </button>
      </Form>
      <p>
        <Link to="/forgot-password">{t("recovery.forgot.link")}</Link>
      </p>
      <p>
        {t("login.noAccount")} <Link to="/register">{t("nav.register")}</Link>
      </p>
    </div>
  );
}
