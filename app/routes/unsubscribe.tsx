import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { getFixedT } from "~/lib/i18next.server";
import { UnsubscribeSchema } from "~/lib/notification-schemas.server";
import { actionReply } from "~/lib/refusal";
import { UNSUBSCRIBE_REFUSALS, unsubscribe, verifyUnsubscribeToken } from "~/models/notification-settings.server";

// One-click unsubscribe (issue 16, item 3; ADR 0028). Every notification and
// digest email carries /unsubscribe/<token> (signed, no sign-in needed) in its
// text and in its List-Unsubscribe header. GET only shows what the button does
// (mail scanners open links); POST sets the account's email choice to `off`.
// A mail client's RFC 8058 one-click POST (`List-Unsubscribe=One-Click`, no
// cookie, no Origin) is the same POST: the token is the credential, so no
// session or form token is asked for. It is answered 200 with the page (a
// mail provider's server wants a 2xx, not a redirect). A forged or altered
// token is a 410, as every emailed link that does not work, and changes nothing.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { t } = await getFixedT(request, context);
  const who = await verifyUnsubscribeToken(context.db, params.token ?? "");
  const page = { title: `${t("unsubscribe.title")} · ${t("app.name")}`, valid: who !== null, alreadyOff: who?.email === "off" };
  return who ? page : data(page, { status: UNSUBSCRIBE_REFUSALS.invalidToken });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const submission = await parseForm(request, UnsubscribeSchema);
  if (submission.status !== "success") return invalid(submission);
  const r = await unsubscribe(context.db, params.token ?? "");
  if (!r.ok) return refuse(r.reason, UNSUBSCRIBE_REFUSALS, { submission, message: "unsubscribe.dead" });
  return data({ ...submission.reply(), done: true });
}

export default function Unsubscribe() {
  const { valid, alreadyOff } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const reply = actionReply(result);
  const done = Boolean(result && "done" in result && result.done);
  const { t } = useTranslation();
  const settings = (
    <p>
      <Link to="/me/notifications/settings">{t("unsubscribe.settings")}</Link>
    </p>
  );
  if (done) {
    return (
      <div className="narrow">
        <h1>{t("unsubscribe.title")}</h1>
        <p className="notice" role="status" id="unsubscribe-done">
          {t("unsubscribe.done")}
        </p>
        {settings}
      </div>
    );
  }
  if (!valid || reply?.refusal) {
    return (
      <div className="narrow">
        <h1>{t("unsubscribe.title")}</h1>
        <div className="panel notice" role="alert">
          <p>{t("unsubscribe.dead")}</p>
        </div>
        {settings}
      </div>
    );
  }
  return (
    <div className="narrow">
      <h1>{t("unsubscribe.title")}</h1>
      {alreadyOff ? <p className="notice">{t("unsubscribe.already")}</p> : null}
      <Form method="post" className="stack">
        <p>{t("unsubscribe.intro")}</p>
        <button type="submit" className="button">
          {t("unsubscribe.button")}
        </button>
      </Form>
      {settings}
    </div>
  );
}
