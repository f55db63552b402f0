import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { AccountNav } from "~/components/account-nav";
import { DateText, NumberText } from "~/components/dates";
import { getFixedT } from "~/lib/i18next.server";
import { PrivacySchema } from "~/lib/account-schemas.server";
import { parseForm } from "~/lib/form-action.server";
import { badRequest, notFound } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { notificationTarget, targetPath } from "~/models/email-outbox.server";
import { listNotifications } from "~/models/notification.server";
import { listAuthorSubmissions } from "~/models/submission.server";
import { listUserSupports } from "~/models/support.server";
import { getProfile, setShowOrganisation } from "~/models/user.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

const LATEST_NOTIFICATIONS = 5;

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const profile = await getProfile(args.context.db, user.id);
  if (!profile) notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  const [submissions, supports, notifications] = await Promise.all([
    listAuthorSubmissions(args.context.db, user.id),
    listUserSupports(args.context.db, user.id),
    // The latest few; /me/notifications has them all and marks them read (a GET changes nothing).
    listNotifications(args.context.db, user.id, { limit: LATEST_NOTIFICATIONS }),
  ]);
  return {
    submissions: submissions.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng),
      rejectReasonCode: s.reject_reason_code,
      rejectReason: s.reject_reason,
      mergedInto: s.merged_into_id,
      supporters: s.supporters_count,
      createdAt: s.created_at,
    })),
    supports: supports.map((s) => ({ id: s.id, title: s.title, status: s.status, supporters: s.supporters_count, at: s.created_at })),
    // Each points where its email and /me/notifications point: news of a recommendation (a response,
    // progress) to the recommendation, under its title; the rest to the suggestion.
    notifications: notifications.map((n) => {
      const target = notificationTarget(n);
      return {
        id: n.id,
        kind: n.kind,
        href: target ? targetPath(target) : null,
        title: target?.type === "recommendation" ? n.recommendation_title : n.submission_title,
        unread: !n.read_at,
        at: n.created_at,
      };
    }),
    title: `${t("me.title")} · ${t("app.name")}`,
    profile: {
      email: profile.email,
      displayName: profile.display_name,
      role: profile.role,
      since: profile.created_at,
      showOrganisation: profile.show_organisation === 1,
      /** a request to join an organisation waits for approval (issue 15) */
      organisationRequestedAt: profile.organisation_requested_at,
      organisation: profile.organisation_name
        ? {
            name: profile.organisation_name,
            type: profile.organisation_type,
            sizeBand: profile.size_band,
            city: profile.city,
            province: profile.province,
            registrationNumber: profile.registration_number,
            verified: profile.verified === 1,
            cluster: lng === "ur" ? profile.cluster_name_ur : profile.cluster_name_en,
          }
        : null,
    },
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const submission = await parseForm(args.request, PrivacySchema);
  // Only the privacy form posts here; there is no field to show an error next to.
  if (submission.status !== "success") badRequest();
  await setShowOrganisation(args.context.db, user.id, submission.value.showOrganisation);
  return redirect("/me#privacy", 303);
}

export default function Me() {
  const { profile, submissions, supports, notifications } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const org = profile.organisation;
  return (
    <>
      <h1>{t("me.title")}</h1>
      {profile.organisationRequestedAt ? (
        <p className="notice" role="status">
          {t("membership.pending.notice")} <Link to="/me/organisation">{t("membership.pending.see")}</Link>
        </p>
      ) : null}
      <section className="panel" aria-labelledby="me-notifications">
        <h2 id="me-notifications">{t("me.notifications")}</h2>
        {notifications.length === 0 ? (
          <p className="empty">{t("me.noNotifications")}</p>
        ) : (
          <p className="muted">{t("notifications.latest")}</p>
        )}
        <ul className="list">
          {notifications.map((n) => (
            <li key={n.id} className={n.unread ? "unread" : undefined}>
              {n.unread ? <span className="badge">{t("me.new")}</span> : null} {t(`notification.${n.kind}`)}
              {n.href && n.title ? (
                <>
                  {": "}
                  <Link to={n.href}>
                    <bdi>{n.title}</bdi>
                  </Link>
                </>
              ) : null}{" "}
              · <DateText iso={n.at} withTime />
            </li>
          ))}
        </ul>
        <p>
          <Link to="/me/notifications">{t("notifications.seeAll")}</Link>
        </p>
      </section>
      <section className="panel" aria-labelledby="me-submissions">
        <h2 id="me-submissions">{t("me.submissions")}</h2>
        <p>
          <Link to="/submissions/new">{t("me.newSubmission")}</Link>
        </p>
        {submissions.length === 0 ? <p className="empty">{t("me.noSubmissions")}</p> : null}
        <ul className="list">
          {submissions.map((s) => (
            <li key={s.id}>
              <Link to={`/submissions/${s.id}`}>
                <bdi>{s.title}</bdi>
              </Link>{" "}
              · #{s.id} · {s.cluster} · <span className={`status status--${s.status}`}>{t(`status.${s.status}`)}</span> ·{" "}
              <NumberText value={s.supporters} /> {t("submission.supporters", { count: s.supporters })}
              {s.status === "rejected" && s.rejectReasonCode ? (
                <p className="muted">
                  {t(`rejectReason.${s.rejectReasonCode}`)}
                  {s.rejectReason ? `: ${s.rejectReason}` : ""}
                </p>
              ) : null}
              {s.status === "merged" && s.mergedInto ? (
                <p className="muted">
                  {t("submission.mergedInto")} <Link to={`/submissions/${s.mergedInto}`}>#{s.mergedInto}</Link>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <section className="panel" aria-labelledby="me-supports">
        <h2 id="me-supports">{t("me.supports")}</h2>
        {supports.length === 0 ? <p className="empty">{t("me.noSupports")}</p> : null}
        <ul className="list">
          {supports.map((s) => (
            <li key={s.id}>
              <Link to={`/submissions/${s.id}`}>
                <bdi>{s.title}</bdi>
              </Link>{" "}
              · {t(`status.${s.status}`)} · <NumberText value={s.supporters} /> {t("submission.supporters", { count: s.supporters })}
            </li>
          ))}
        </ul>
      </section>
      <section className="panel" aria-labelledby="me-account">
        <h2 id="me-account">{t("me.account")}</h2>
        <dl className="details">
          <dt>{t("me.displayName")}</dt>
          <dd>
            <bdi>{profile.displayName}</bdi>
          </dd>
          <dt>{t("me.email")}</dt>
          <dd dir="ltr">{profile.email}</dd>
          <dt>{t("me.role")}</dt>
          <dd>{t(`role.${profile.role}`)}</dd>
          <dt>{t("me.since")}</dt>
          <dd>
            <DateText iso={profile.since} />
          </dd>
        </dl>
        <AccountNav />
      </section>
      {org ? (
        <section className="panel" aria-labelledby="me-organisation">
          <h2 id="me-organisation">{t("me.organisation")}</h2>
          <p>
            <Link to="/me/organisation">{t("membership.link")}</Link>
          </p>
          <dl className="details">
            <dt>{t("register.organisationName")}</dt>
            <dd>
              <bdi>{org.name}</bdi>
            </dd>
            <dt>{t("register.organisationType")}</dt>
            <dd>{t(`organisationType.${org.type}`)}</dd>
            <dt>{t("register.sizeBand")}</dt>
            <dd>{t(`sizeBand.${org.sizeBand}`)}</dd>
            <dt>{t("register.cluster")}</dt>
            <dd>{org.cluster}</dd>
            <dt>{t("register.city")}</dt>
            <dd>
              <bdi>{org.city}</bdi>
            </dd>
            <dt>{t("register.province")}</dt>
            <dd>{t(`province.${org.province}`)}</dd>
            {org.registrationNumber ? (
              <>
                <dt>{t("register.registrationNumber")}</dt>
                <dd dir="ltr">{org.registrationNumber}</dd>
              </>
            ) : null}
            <dt>{t("me.verified")}</dt>
            <dd>{org.verified ? t("me.verifiedYes") : t("me.verifiedNo")}</dd>
            <dt>{t("me.privacy")}</dt>
            <dd>{profile.showOrganisation ? t("me.privacyShown") : t("me.privacyHidden")}</dd>
          </dl>
          <Form method="post" className="stack" id="privacy">
            <input type="hidden" name="intent" value="privacy" />
            <div className="field field--checkbox">
              <input
                type="checkbox"
                id="me-show-org"
                name="showOrganisation"
                defaultChecked={profile.showOrganisation}
                aria-describedby="me-show-org-hint"
              />
              <label htmlFor="me-show-org">{t("register.showOrganisation")}</label>
              <p className="field-hint" id="me-show-org-hint">
                {t("register.showOrganisationHint")}
              </p>
            </div>
            <button type="submit" className="button button--secondary">
              {t("me.savePrivacy")}
            </button>
          </Form>
        </section>
      ) : null}
      <Form method="post" action="/logout">
        <button type="submit" className="button button--secondary">
          {t("nav.logout")}
        </button>
      </Form>
    </>
  );
}
