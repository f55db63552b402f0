import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { AccountNav, BackToMe } from "~/components/account-nav";
import { DateText } from "~/components/dates";
import { SessionActionSchema } from "~/lib/account-schemas.server";
import { refuse, parseForm } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { getFixedT } from "~/lib/i18next.server";
import {
  ACCOUNT_REFUSALS,
  endAccountSession,
  endOtherSessions,
  listAccountSessions,
  type DeviceDescription,
} from "~/models/account.server";

// My sessions: every browser signed in to this account, with its device,
// when it signed in and when it was last used (refreshed at most every few
// minutes), "this device" marked; end any of them, or all the others.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const { t } = await getFixedT(args.request, args.context);
  const sessions = await listAccountSessions(args.context.db, { userId: user.id, sessionToken: args.context.sessionToken });
  return { title: `${t("account.sessions.title")} · ${t("app.name")}`, sessions };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { db, auth, sessionToken, clientIp } = args.context;
  const submission = await parseForm(args.request, SessionActionSchema);
  if (submission.status !== "success") return refuse("invalid", ACCOUNT_REFUSALS, { submission, message: "account.sessions.invalid" });
  const v = submission.value;
  if (v.intent === "end-others") {
    const ended = await endOtherSessions(db, { userId: user.id, sessionToken, ip: clientIp });
    return redirect(`/me/sessions?ended=${ended}`, 303);
  }
  const result = await endAccountSession(db, { userId: user.id, ref: v.sessionId, sessionToken, ip: clientIp });
  // Another account's session, an ended one, or made up: the same answer.
  if (!result.ok) notFound();
  // Ending this browser's own session is signing out.
  if (result.current) return redirect("/", { status: 303, headers: { "Set-Cookie": auth.blankCookie() } });
  return redirect("/me/sessions?ended=1", 303);
}

function Device({ device }: { device: DeviceDescription }) {
  const { t } = useTranslation();
  if (device.browser && device.os) return <>{t("account.sessions.device", { browser: device.browser, os: device.os })}</>;
  if (device.browser || device.os) return <>{device.browser ?? device.os}</>;
  return <>{t("account.sessions.unknownDevice")}</>;
}

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>();
  const refused = formErrorsOf(actionReply(useActionData<typeof action>()))[0];
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const ended = params.get("ended");
  const others = sessions.filter((s) => !s.current).length;
  return (
    <div className="narrow narrow--wide">
      <BackToMe />
      <h1>{t("account.sessions.title")}</h1>
      <p>{t("account.sessions.intro")}</p>
      {refused ? (
        <p className="notice" role="alert">
          {t(refused)}
        </p>
      ) : ended !== null ? (
        <p className="notice" role="status">
          {t("account.sessions.ended", { count: Number(ended) || 0 })}
        </p>
      ) : null}
      <div className="table-wrap">
        <table>
          <caption>{t("account.sessions.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("account.sessions.deviceColumn")}</th>
              <th scope="col">{t("account.sessions.signedIn")}</th>
              <th scope="col">{t("account.sessions.lastSeen")}</th>
              <th scope="col">{t("account.sessions.address")}</th>
              <th scope="col">{t("account.sessions.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.ref}>
                <th scope="row" id={`session-${s.ref}`}>
                  <Device device={s.device} />
                  {s.current ? (
                    <>
                      {" "}
                      <span className="badge badge--ok">{t("account.sessions.thisDevice")}</span>
                    </>
                  ) : null}
                </th>
                <td>
                  <DateText iso={s.createdAt} withTime />
                </td>
                <td>
                  <DateText iso={s.lastSeenAt} withTime />
                </td>
                <td dir="ltr">{s.ip ?? t("account.sessions.noAddress")}</td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="intent" value="end" />
                    <input type="hidden" name="sessionId" value={s.ref} />
                    {/* Which session a button ends, for a screen reader reading buttons alone. */}
                    <button type="submit" className="button button--secondary" aria-describedby={`session-${s.ref}`}>
                      {s.current ? t("account.sessions.signOutHere") : t("account.sessions.end")}
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {others > 0 ? (
        <Form method="post" id="end-others">
          <input type="hidden" name="intent" value="end-others" />
          <button type="submit" className="button">
            {t("account.sessions.endOthers", { count: others })}
          </button>
        </Form>
      ) : (
        <p className="empty">{t("account.sessions.noOthers")}</p>
      )}
      <AccountNav current="sessions" />
    </div>
  );
}
