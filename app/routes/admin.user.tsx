import { type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { AccountActions, AuditChangeList, replyMessages, UserActions } from "~/components/admin-users";
import { DateText, NumberText } from "~/components/dates";
import { ErrorSummary } from "~/components/form";
import { auditChanges } from "~/lib/audit-diff";
import { idParam, notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply } from "~/lib/refusal";
import { accountActionsFor, getUserForAdmin, userActionsFor } from "~/models/admin-users.server";
import { listAuditEntries } from "~/models/audit.server";
import { adminUserAction } from "./admin.users.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// One user for an admin: profile, organisation, open sessions, the latest
// audit entries about them, and the same actions as the list (posted here,
// answered by the same code as /admin/users).

const RECENT = 20;

export async function loader(args: LoaderFunctionArgs) {
  const admin = await requireRole(args, "admin");
  const id = idParam(args.params.id);
  const { db } = args.context;
  const user = await getUserForAdmin(db, id);
  if (!user) notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  const entries = await listAuditEntries(db, { target: { type: "user", id }, page: 1, pageSize: RECENT });
  return {
    title: `${user.display_name} · ${t("admin.users.title")} · ${t("app.name")}`,
    actions: userActionsFor(admin.id, user.id),
    accountActions: accountActionsFor(admin.id, {
      id: user.id,
      status: user.status,
      emailConfirmed: user.email_confirmed_at !== null,
      twoFactorEnabled: user.two_factor_enabled_at !== null,
    }),
    user: {
      id: user.id,
      email: user.email,
      name: user.display_name,
      role: user.role,
      status: user.status,
      locale: user.locale,
      emailConfirmedAt: user.email_confirmed_at,
      pendingEmail: user.pending_email,
      twoFactorEnabledAt: user.two_factor_enabled_at,
      createdAt: user.created_at,
      sessions: user.sessions,
      lastSeenAt: user.last_seen_at,
      organisation: user.organisation_id
        ? {
            id: user.organisation_id,
            name: user.organisation_name ?? "",
            type: user.organisation_type,
            sizeBand: user.size_band,
            city: user.city,
            province: user.province,
            registrationNumber: user.registration_number,
            verified: user.verified === 1,
            cluster: lng === "ur" ? user.cluster_name_ur : user.cluster_name_en,
          }
        : null,
    },
    moreEntries: entries.length > RECENT,
    entries: entries.slice(0, RECENT).map((e) => ({
      id: e.id,
      createdAt: e.created_at,
      action: e.action,
      actorId: e.actor_id,
      actorName: e.actor_name,
      actorRole: e.actor_role,
      changes: auditChanges(e.before, e.after),
      reason: e.reason,
    })),
  };
}

export async function action(args: ActionFunctionArgs) {
  const id = idParam(args.params.id);
  return adminUserAction(args, { fixedUserId: id, back: (userId, intent) => `/admin/users/${userId}?done=${intent}` });
}

const ROLE_KEYS = new Set(["stakeholder", "moderator", "organiser", "admin"]);

export default function AdminUser() {
  const { actions, accountActions, user, entries, moreEntries } = useLoaderData<typeof loader>();
  const actionData = actionReply(useActionData<typeof action>());
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const done = params.get("done");
  const org = user.organisation;
  return (
    <>
      <p>
        <Link to="/admin/users">{t("admin.users.back")}</Link>
      </p>
      <h1>
        <bdi>{user.name}</bdi>
      </h1>
      {done && !actionData ? (
        <p className="notice" role="status">
          {t(`admin.users.done.${done}`, { defaultValue: t("admin.users.done.saved") })}
        </p>
      ) : null}
      <ErrorSummary formErrors={replyMessages(actionData)} fields={[]} />
      <section aria-labelledby="profile-title">
        <h2 id="profile-title">{t("admin.users.profile")}</h2>
        <dl className="facts">
          <dt>{t("admin.users.email")}</dt>
          <dd>
            <span dir="ltr">{user.email}</span>
            {" · "}
            {user.emailConfirmedAt ? (
              <>
                {t("admin.users.emailConfirmed")} <DateText iso={user.emailConfirmedAt} />
              </>
            ) : (
              t("admin.users.emailUnconfirmed")
            )}
            {user.pendingEmail ? (
              <>
                {" · "}
                {t("admin.users.emailPending")} <span dir="ltr">{user.pendingEmail}</span>
              </>
            ) : null}
          </dd>
          <dt>{t("admin.users.twoFactor")}</dt>
          <dd>
            {user.twoFactorEnabledAt ? (
              <>
                {t("admin.users.twoFactorOn")} <DateText iso={user.twoFactorEnabledAt} />
              </>
            ) : (
              t("admin.users.twoFactorOff")
            )}
          </dd>
          <dt>{t("admin.users.role")}</dt>
          <dd>{t(`role.${user.role}`)}</dd>
          <dt>{t("admin.users.status")}</dt>
          <dd>{t(`userStatus.${user.status}`)}</dd>
          <dt>{t("admin.users.since")}</dt>
          <dd>
            <DateText iso={user.createdAt} />
          </dd>
          <dt>{t("admin.users.sessions")}</dt>
          <dd>
            <NumberText value={user.sessions} />
            {user.lastSeenAt ? (
              <>
                {" · "}
                {t("admin.users.lastSeen")} <DateText iso={user.lastSeenAt} withTime />
              </>
            ) : null}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="org-title">
        <h2 id="org-title">{t("admin.users.organisation")}</h2>
        {org ? (
          <dl className="facts">
            <dt>{t("admin.users.orgName")}</dt>
            <dd>
              <Link to={`/moderation/organisations/${org.id}`}>
                <bdi>{org.name}</bdi>
              </Link>
            </dd>
            {org.type ? (
              <>
                <dt>{t("admin.users.orgType")}</dt>
                <dd>{t(`organisationType.${org.type}`)}</dd>
              </>
            ) : null}
            {org.sizeBand ? (
              <>
                <dt>{t("admin.users.orgSize")}</dt>
                <dd>{t(`sizeBand.${org.sizeBand}`)}</dd>
              </>
            ) : null}
            <dt>{t("admin.users.orgPlace")}</dt>
            <dd>
              <bdi>{org.city}</bdi>
              {org.province ? (
                <>
                  {" · "}
                  {t(`province.${org.province}`)}
                </>
              ) : null}
            </dd>
            {org.cluster ? (
              <>
                <dt>{t("admin.users.orgCluster")}</dt>
                <dd>
                  <bdi>{org.cluster}</bdi>
                </dd>
              </>
            ) : null}
            <dt>{t("admin.users.orgRegistration")}</dt>
            <dd dir="ltr">{org.registrationNumber ?? "—"}</dd>
            <dt>{t("admin.users.orgVerified")}</dt>
            <dd>{org.verified ? t("form.yes") : t("form.no")}</dd>
          </dl>
        ) : (
          <p className="muted">{t("admin.users.noOrganisation")}</p>
        )}
      </section>
      <section aria-labelledby="actions-title">
        <h2 id="actions-title">{t("admin.users.actions")}</h2>
        <UserActions user={{ id: user.id, name: user.name, role: user.role, status: user.status }} allowed={actions} />
        <AccountActions user={{ id: user.id, name: user.name }} allowed={accountActions} />
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">{t("admin.users.recentAudit")}</h2>
        <p>
          <Link to={`/admin/audit?${new URLSearchParams({ actor: String(user.id) })}`}>{t("admin.users.actionsByThem")}</Link>
        </p>
        {entries.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("admin.users.recentAudit")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.audit.time")}</th>
                  <th scope="col">{t("admin.audit.actor")}</th>
                  <th scope="col">{t("admin.audit.action")}</th>
                  <th scope="col">{t("admin.audit.change")}</th>
                  <th scope="col">{t("admin.audit.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <DateText iso={e.createdAt} withTime />
                    </td>
                    <td>
                      {e.actorId ? <bdi>{e.actorName || t("admin.audit.formerUser")}</bdi> : null}
                      {e.actorRole ? (
                        <div className="muted">{ROLE_KEYS.has(e.actorRole) ? t(`role.${e.actorRole}`) : t("admin.audit.operator")}</div>
                      ) : null}
                    </td>
                    <td dir="ltr">
                      <code>{e.action}</code>
                    </td>
                    <td dir="ltr">
                      <AuditChangeList changes={e.changes} />
                    </td>
                    <td>{e.reason ? <bdi>{e.reason}</bdi> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="empty">{t("admin.audit.none")}</p>
        )}
        {moreEntries ? <p className="muted">{t("admin.users.moreAudit", { count: RECENT })}</p> : null}
      </section>
    </>
  );
}
