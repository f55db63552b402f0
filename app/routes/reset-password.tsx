import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ErrorSummary, TextField } from "~/components/form";
import { ResetPasswordSchema } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { securityEvent } from "~/lib/security.server";
import { ACCOUNT_EMAIL_REFUSALS, peekPasswordReset, resetPassword } from "~/models/account-email.server";

// Account recovery, step two (ADR 0026): a new password with the emailed link.
// The link works once, for an hour; a link that does not work (unknown, used,
// expired) is a 410 with the way to ask for a new one. Success ends every
// session of the person and sends them to sign in.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { t } = await getFixedT(request, context);
  const live = await peekPasswordReset(context.db, { token: params.token ?? "" });
  const page = { title: `${t("recovery.reset.title")} · ${t("app.name")}`, live };
  // The page still renders (with the way to ask again), with the status that says the link is gone.
  return live ? page : data(page, { status: ACCOUNT_EMAIL_REFUSALS.invalidToken });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const submission = await parseForm(request, ResetPasswordSchema);
  if (submission.status !== "success") return invalid(submission, { hideFields: ["password"] });
  const r = await resetPassword(context.db, { token: params.token ?? "", newPassword: submission.value.password, ip: context.clientIp });
  if (!r.ok) {
    if (r.reason === "invalid")
      return invalid(submission, { fieldErrors: { password: r.fieldErrors.newPassword ?? [] }, hideFields: ["password"] });
    return refuse(r.reason, ACCOUNT_EMAIL_REFUSALS, { submission, message: "recovery.reset.dead", hideFields: ["password"] });
  }
  await securityEvent(context, "password.change", { userId: r.userId, reason: "reset" });
  return redirect("/login?reset=1", 303);
}

export default function ResetPassword() {
  const { live } = useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [form, fields] = useForm({ id: "reset-password", lastResult, shouldValidate: "onSubmit" });
  const dead = !live || lastResult?.refusal?.reason === "invalidToken";
  return (
    <div className="narrow">
      <h1>{t("recovery.reset.title")}</h1>
      {dead ? (
        <div className="panel notice" role="alert">
          <p>{t("recovery.reset.dead")}</p>
          <p>
            <Link to="/forgot-password">{t("recovery.reset.askAgain")}</Link>
          </p>
        </div>
      ) : (
        <Form method="post" {...getFormProps(form)} className="stack">
          <ErrorSummary formErrors={formErrorsOf(lastResult)} fields={[{ field: fields.password, label: t("recovery.reset.password") }]} />
          <TextField
            field={fields.password}
            label={t("recovery.reset.password")}
            hint={t("register.passwordHint")}
            type="password"
            autoComplete="new-password"
            dir="ltr"
          />
          <button type="submit" className="button">
            {t("recovery.reset.submit")}
          </button>
        </Form>
      )}
    </div>
  );
}
