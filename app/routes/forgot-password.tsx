import { getFormProps, useForm } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ErrorSummary, TextField } from "~/components/form";
import { ForgotPasswordSchema } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { RATE_LIMIT_REFUSALS, RULES, takeRateLimits } from "~/lib/rate-limit.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { securityEvent } from "~/lib/security.server";
import { requestPasswordReset, RESET_REQUEST_MIN_MS } from "~/models/account-email.server";
import { normaliseEmail } from "~/models/user.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

// Account recovery, step one (ADR 0026): the same answer whether or not the
// address has an account (a redirect to ?sent=1 and the same words, and never
// sooner than RESET_REQUEST_MIN_MS), so the page tells nobody who is registered. Limited per address and per client.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { t } = await getFixedT(request, context);
  return { title: `${t("recovery.forgot.title")} · ${t("app.name")}` };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = await parseForm(request, ForgotPasswordSchema);
  if (submission.status !== "success") return invalid(submission);
  const limit = await takeRateLimits(context.db, [
    { rule: RULES.resetEmail, key: normaliseEmail(submission.value.email) },
    { rule: RULES.resetIp, key: context.clientIp },
  ]);
  if (limit.limited) {
    await securityEvent(context, "rate_limit", { path: "/forgot-password", rule: limit.rule?.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      headers: { "Retry-After": String(limit.retryAfter) },
    });
  }
  // The same answer in about the same time either way: the work for a known
  // address hides under a floor (RESET_REQUEST_MIN_MS).
  const started = performance.now();
  await requestPasswordReset(context.db, { email: submission.value.email });
  const left = RESET_REQUEST_MIN_MS - (performance.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return redirect("/forgot-password?sent=1", 303);
}

export default function ForgotPassword() {
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const [form, fields] = useForm({ id: "forgot-password", lastResult, shouldValidate: "onSubmit" });
  return (
    <div className="narrow">
      <h1>{t("recovery.forgot.title")}</h1>
      {params.get("sent") && !lastResult ? (
        <p className="notice" role="status">
          {t("recovery.forgot.sent")}
        </p>
      ) : (
        <p>{t("recovery.forgot.intro")}</p>
      )}
      <Form method="post" {...getFormProps(form)} className="stack">
        <ErrorSummary formErrors={formErrorsOf(lastResult)} fields={[{ field: fields.email, label: t("register.email") }]} />
        <TextField field={fields.email} label={t("register.email")} type="email" autoComplete="email" dir="ltr" />
        <button type="submit" className="button">
          {t("recovery.forgot.submit")}
        </button>
      </Form>
      <p>
        <Link to="/login">{t("recovery.backToLogin")}</Link>
      </p>
    </div>
  );
}
