// The requests to join an organisation, with approve/decline (no-JS forms
// posting `intent` and `userId`): on /me/organisation for its members, on
// /moderation/organisations/:id for moderators, who also see each email.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { DateText } from "./dates";

export interface JoinRequestRow {
  userId: number;
  name: string;
  /** moderators only */
  email?: string;
  at: string;
}

export function JoinRequestsTable({
  requests,
  intents,
}: {
  requests: JoinRequestRow[];
  /** the form's intents: members `approve`/`decline`, moderators `join-approve`/`join-decline` */
  intents: { approve: string; decline: string };
}) {
  const { t } = useTranslation();
  if (!requests.length) return <p className="empty">{t("membership.requests.none")}</p>;
  const withEmail = requests.some((r) => r.email !== undefined);
  return (
    <div className="table-wrap">
      <table>
        <caption>{t("membership.requests.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("membership.requests.name")}</th>
            {withEmail ? <th scope="col">{t("organisations.email")}</th> : null}
            <th scope="col">{t("membership.requests.when")}</th>
            <th scope="col">{t("membership.requests.decision")}</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr key={r.userId}>
              <th scope="row">
                <bdi>{r.name}</bdi>
              </th>
              {withEmail ? <td dir="ltr">{r.email}</td> : null}
              <td>
                <DateText iso={r.at} withTime />
              </td>
              <td>
                <Form method="post" className="inline-form">
                  <input type="hidden" name="userId" value={r.userId} />
                  <button type="submit" name="intent" value={intents.approve} className="button">
                    {t("membership.requests.approve")}
                  </button>{" "}
                  <button type="submit" name="intent" value={intents.decline} className="button button--secondary">
                    {t("membership.requests.decline")}
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
