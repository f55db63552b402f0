import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ResendConfirmationForm } from "~/components/confirm-email";
import { ConfirmEmailSchema } from "~/lib/account-schemas.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply } from "~/lib/refusal";
import { ACCOUNT_EMAIL_REFUSALS, confirmEmail, peekEmailConfirmation } from "~/models/account-email.server";

// Confirming an address (issue 15, ADR 0026): the emailed link opens a page
// with one button, and only the button (a POST) uses the link up, because mail
// scanners open links before the person does. The link works once, for 7
// days; a link that does not work (unknown, used, expired, replaced by a newer
// one) is a 410 with the way to ask for a new one. Success goes to /me.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

/** What the page offers when the link does not work: the resend button (signed in, unconfirmed) or the way to sign in. */
function askAgain(user: { emailConfirmed: boolean } | null): "resend" | "signIn" | "confirmed" {
  if (!user) return "signIn";
  return user.emailConfirmed ? "confirmed" : "resend";
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { t } = await getFixedT(request, context);
  // A look only: nothing is used up (ADR 0026).
  const live = await peekEmailConfirmation(context.db, { token: params.token ?? "" });
  const page = { title: `${t("confirmEmail.title")} · ${t("app.name")}`, email: live?.email ?? null, askAgain: askAgain(context.user) };
  // The page still renders (with the way to ask again), with the status that says the link is gone.
  return live ? page : data(page, { status: ACCOUNT_EMAIL_REFUSALS.invalidToken });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const submission = await parseForm(request, ConfirmEmailSchema);
  const r = await confirmEmail(context.db, { token: params.token ?? "", ip: context.clientIp });
  if (!r.ok) {
    const message = r.reason === "emailTaken" ? "confirmEmail.taken" : "confirmEmail.dead";
    return refuse(r.reason, ACCOUNT_EMAIL_REFUSALS, { submission, message });
  }
  return redirect("/me?emailConfirmed=1", 303);
}

export default function ConfirmEmail() {
  const { email, askAgain } = useLoaderData<typeof loader>();
  const reply = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const refusal = reply?.refusal ?? null;
  const dead = !email || refusal !== null;
  return (
    <div className="narrow">
      <h1>{t("confirmEmail.title")}</h1>
      {dead ? (
        <div className="panel notice" role="alert">
          <p>{t(refusal?.message ?? "confirmEmail.dead")}</p>
          {askAgain === "resend" ? (
            <ResendConfirmationForm redirectTo="/me" />
          ) : askAgain === "signIn" ? (
            <p>
              <Link to={`/login?redirectTo=${encodeURIComponent("/me/confirm-email")}`}>{t("confirmEmail.signInToResend")}</Link>
            </p>
          ) : (
            <p>
              <Link to="/me">{t("confirmEmail.toAccount")}</Link>
            </p>
          )}
        </div>
      ) : (
        <Form method="post" className="stack">
          <p>{t("confirmEmail.intro")}</p>
          <p dir="ltr">
            <strong>
              <bdi>{email}</bdi>
            </strong>
          </p>
          <button type="submit" className="button">
            {t("confirmEmail.submit")}
          </button>
        </Form>
      )}
    </div>
  );
}
