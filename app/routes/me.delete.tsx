import { getFormProps, useForm } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { AccountNav, BackToMe } from "~/components/account-nav";
import { CheckboxField, ErrorSummary, TextField } from "~/components/form";
import { DeleteAccountSchema } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, takeRateLimits } from "~/lib/rate-limit.server";
import { securityEvent } from "~/lib/security.server";
import { ACCOUNT_REFUSALS, deleteAccount, REAUTH_RULE } from "~/models/account.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

// Delete my account: GET explains what happens; POST with the current
// password and the confirmation anonymises the account, ends every session
// and signs this browser out. Contributions stay as "former participant".

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  requireUser(args);
  const { t } = await getFixedT(args.request, args.context);
  return { title: `${t("account.delete.title")} · ${t("app.name")}` };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { db, auth, clientIp } = args.context;
  const submission = await parseForm(args.request, DeleteAccountSchema);
  if (submission.status !== "success") return invalid(submission, { hideFields: ["password"] });

  // The slot is taken before the password check, atomically (ADR 0019); given back unless the password was wrong.
  const limit = await takeRateLimits(db, [{ rule: REAUTH_RULE, key: String(user.id) }]);
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { userId: user.id, path: "/me/delete", rule: REAUTH_RULE.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      hideFields: ["password"],
      headers: { "Retry-After": String(limit.retryAfter) },
    });
  }

  const result = await deleteAccount(db, { userId: user.id, password: submission.value.password, ip: clientIp });
  if (result.ok || result.reason === "notFound" || result.reason === "lastAdmin") await giveBackRateLimits(db, limit.slots);
  if (!result.ok) {
    if (result.reason === "notFound") notFound();
    if (result.reason === "lastAdmin")
      return refuse("lastAdmin", ACCOUNT_REFUSALS, { submission, message: "account.delete.lastAdmin", hideFields: ["password"] });
    await securityEvent(args.context, "reauth.failure", { userId: user.id, path: "/me/delete" });
    return refuse("wrongPassword", ACCOUNT_REFUSALS, {
      submission,
      field: "password",
      message: "account.password.wrongCurrent",
      hideFields: ["password"],
    });
  }
  await securityEvent(args.context, "account.delete", { userId: user.id });
  // The sessions are gone on the server already; this clears the browser's cookie.
  return redirect("/?accountDeleted=1", { status: 303, headers: { "Set-Cookie": auth.blankCookie() } });
}

export default function DeleteAccount() {
  const lastResult = useActionData<typeof action>();
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string>>({
    id: "delete-account",
    lastResult: lastResult && "initialValue" in lastResult ? lastResult : undefined,
    shouldValidate: "onSubmit",
  });
  const formErrors = [
    ...(form.errors ?? []),
    ...(lastResult && "formErrors" in lastResult && Array.isArray(lastResult.formErrors) ? lastResult.formErrors : []),
  ];
  return (
    <div className="narrow">
      <BackToMe />
      <h1>{t("account.delete.title")}</h1>
      <p>{t("account.delete.intro")}</p>
      <ul className="list">
        <li>{t("account.delete.whatGoes")}</li>
        <li>{t("account.delete.whatStays")}</li>
        <li>{t("account.delete.organisationStays")}</li>
        <li>{t("account.delete.emailFree")}</li>
        <li>{t("account.delete.signedOut")}</li>
      </ul>
      <p>
        {t("account.delete.downloadFirst")}{" "}
        <a href="/me/data.json" download>
          {t("account.nav.data")}
        </a>
      </p>
      <Form method="post" {...getFormProps(form)} className="stack">
        <ErrorSummary
          formErrors={[...new Set(formErrors)]}
          fields={[
            { field: fields.password, label: t("account.delete.password") },
            { field: fields.confirm, label: t("account.delete.confirm") },
          ]}
        />
        <TextField field={fields.password} label={t("account.delete.password")} type="password" autoComplete="current-password" dir="ltr" />
        <CheckboxField field={fields.confirm} label={t("account.delete.confirm")} />
        <button type="submit" className="button button--danger">
          {t("account.delete.submit")}
        </button>
      </Form>
      <AccountNav current="delete" />
    </div>
  );
}
