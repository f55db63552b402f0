import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLocation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { AccountNav, BackToMe } from "~/components/account-nav";
import { CheckboxField, ErrorSummary, TextField } from "~/components/form";
import { ChangePasswordSchema } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, takeRateLimits } from "~/lib/rate-limit.server";
import { securityEvent } from "~/lib/security.server";
import { ACCOUNT_REFUSALS, changePassword, REAUTH_RULE } from "~/models/account.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

// Change password: the current password first (wrong ones count against
// a per-account limit), the new one by the registration rules, then a new
// session id for this browser and, if asked, every other session ended.

const PASSWORD_FIELDS = ["currentPassword", "newPassword", "confirmPassword"];

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  requireUser(args);
  const { t } = await getFixedT(args.request, args.context);
  return { title: `${t("account.password.title")} · ${t("app.name")}` };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { db, auth, clientIp } = args.context;
  const submission = await parseForm(args.request, ChangePasswordSchema);
  if (submission.status !== "success") return invalid(submission, { hideFields: PASSWORD_FIELDS });

  // The slot is taken before the password check, atomically (ADR 0019); given back unless the current password was wrong.
  const limit = await takeRateLimits(db, [{ rule: REAUTH_RULE, key: String(user.id) }]);
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { userId: user.id, path: "/me/password", rule: REAUTH_RULE.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      hideFields: PASSWORD_FIELDS,
      headers: { "Retry-After": String(limit.retryAfter) },
    });
  }

  const v = submission.value;
  const result = await changePassword(db, auth, {
    userId: user.id,
    currentPassword: v.currentPassword,
    newPassword: v.newPassword,
    sessionToken: args.context.sessionToken,
    endOtherSessions: v.endOtherSessions,
    meta: { userAgent: args.request.headers.get("User-Agent"), ip: clientIp },
  });
  if (result.ok || result.reason !== "wrongPassword") await giveBackRateLimits(db, limit.slots);
  if (!result.ok) {
    if (result.reason === "notFound") notFound();
    if (result.reason === "wrongPassword") {
      await securityEvent(args.context, "reauth.failure", { userId: user.id, path: "/me/password" });
      return refuse("wrongPassword", ACCOUNT_REFUSALS, {
        submission,
        field: "currentPassword",
        message: "account.password.wrongCurrent",
        hideFields: PASSWORD_FIELDS,
      });
    }
    return data(submission.reply({ fieldErrors: result.fieldErrors, hideFields: PASSWORD_FIELDS }), { status: ACCOUNT_REFUSALS.invalid });
  }
  await securityEvent(args.context, "password.change", { userId: user.id });
  return redirect(`/me/password?changed=1&ended=${result.endedSessions}`, { status: 303, headers: { "Set-Cookie": result.cookie } });
}

export default function ChangePassword() {
  const lastResult = useActionData<typeof action>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  // A new form (and form state) after every navigation: with JavaScript, a
  // changed password must not stay typed in the fields.
  const { key: locationKey } = useLocation();
  const ended = Number(params.get("ended") ?? 0) || 0;
  return (
    <div className="narrow">
      <BackToMe />
      <h1>{t("account.password.title")}</h1>
      {params.get("changed") && !lastResult ? (
        <p className="notice" role="status">
          {t("account.password.changed")} {ended > 0 ? t("account.password.endedOthers", { count: ended }) : null}
        </p>
      ) : null}
      <p>{t("account.password.intro")}</p>
      <PasswordForm key={locationKey} lastResult={lastResult} />
      <AccountNav current="password" />
    </div>
  );
}

function PasswordForm({ lastResult }: { lastResult: ReturnType<typeof useActionData<typeof action>> }) {
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string>>({
    id: "password",
    lastResult: lastResult && "initialValue" in lastResult ? lastResult : undefined,
    defaultValue: { endOtherSessions: "on" },
    shouldValidate: "onSubmit",
  });
  const formErrors = [
    ...(form.errors ?? []),
    ...(lastResult && "formErrors" in lastResult && Array.isArray(lastResult.formErrors) ? lastResult.formErrors : []),
  ];
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <ErrorSummary
        formErrors={[...new Set(formErrors)]}
        fields={[
          { field: fields.currentPassword, label: t("account.password.current") },
          { field: fields.newPassword, label: t("account.password.new") },
          { field: fields.confirmPassword, label: t("account.password.confirm") },
        ]}
      />
      <TextField
        field={fields.currentPassword}
        label={t("account.password.current")}
        type="password"
        autoComplete="current-password"
        dir="ltr"
      />
      <TextField
        field={fields.newPassword}
        label={t("account.password.new")}
        hint={t("register.passwordHint")}
        type="password"
        autoComplete="new-password"
        dir="ltr"
      />
      <TextField
        field={fields.confirmPassword}
        label={t("account.password.confirm")}
        type="password"
        autoComplete="new-password"
        dir="ltr"
      />
      <CheckboxField
        field={fields.endOtherSessions}
        label={t("account.password.endOtherSessions")}
        hint={t("account.password.endOtherSessionsHint")}
      />
      <button type="submit" className="button">
        {t("account.password.submit")}
      </button>
    </Form>
  );
}
