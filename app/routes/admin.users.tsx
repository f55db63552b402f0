import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { UserActions } from "~/components/admin-users";
import { DateText } from "~/components/dates";
import { ErrorSummary } from "~/components/form";
import { pageParam } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { UserSearchSchema } from "~/lib/query-schemas.server";
import { actionReply } from "~/lib/refusal";
import { userActionsFor } from "~/models/admin-users.server";
import { searchUsers } from "~/models/user.server";
import { adminUserAction } from "./admin.users.server";
import { replyMessages } from "~/components/admin-users";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// Users (docs/contract.md, /admin/users): search by name, email or
// organisation, 50 a page; per user change the role, disable or enable the
// account, end all its sessions. The rules (sessions end, self-protection,
// audit entry) are in app/models/admin-users.server.ts, shared with the CLI.

const PAGE_SIZE = 50;

export async function loader(args: LoaderFunctionArgs) {
  const admin = await requireRole(args, "admin");
  const url = new URL(args.request.url);
  const { q } = UserSearchSchema.parse(Object.fromEntries(url.searchParams));
  const page = pageParam(url.searchParams.get("page"));
  const rows = await searchUsers(args.context.db, { q: q || undefined, page, pageSize: PAGE_SIZE });
  const { t } = await getFixedT(args.request, args.context);
  return {
    title: `${t("admin.users.title")} · ${t("app.name")}`,
    q: q ?? "",
    page,
    hasMore: rows.length > PAGE_SIZE,
    users: rows.slice(0, PAGE_SIZE).map((u) => ({ ...u, actions: userActionsFor(admin.id, u.id) })),
    selfId: admin.id,
  };
}

export async function action(args: ActionFunctionArgs) {
  // Back to the same search and page, with a notice of what was done.
  const url = new URL(args.request.url);
  return adminUserAction(args, {
    back: (userId, intent) => {
      const p = new URLSearchParams();
      const q = url.searchParams.get("q");
      const page = url.searchParams.get("page");
      if (q) p.set("q", q.slice(0, 200));
      if (page && /^\d{1,7}$/.test(page)) p.set("page", page);
      p.set("done", intent);
      p.set("user", String(userId));
      return `/admin/users?${p}#user-${userId}`;
    },
  });
}

export default function AdminUsers() {
  const { q, page, hasMore, users, selfId } = useLoaderData<typeof loader>();
  const actionData = actionReply(useActionData<typeof action>());
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const done = params.get("done");
  const pageLink = (p: number) => `?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`;
  return (
    <>
      <h1>{t("admin.users.title")}</h1>
      {done && !actionData ? (
        <p className="notice" role="status">
          {t(`admin.users.done.${done}`, { defaultValue: t("admin.users.done.saved") })}
        </p>
      ) : null}
      <ErrorSummary formErrors={replyMessages(actionData)} fields={[]} />
      <Form method="get" className="search-form" role="search">
        <label htmlFor="user-q">{t("admin.users.search")}</label>
        <input id="user-q" type="search" name="q" defaultValue={q} />
        <button type="submit" className="button">
          {t("form.search")}
        </button>
      </Form>
      <p className="hint">{t("admin.users.rolesHint")}</p>
      <div className="table-wrap">
        <table>
          <caption>{t("admin.users.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.users.name")}</th>
              <th scope="col">{t("admin.users.email")}</th>
              <th scope="col">{t("admin.users.organisation")}</th>
              <th scope="col">{t("admin.users.role")}</th>
              <th scope="col">{t("admin.users.status")}</th>
              <th scope="col">{t("admin.users.since")}</th>
              <th scope="col">{t("admin.users.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} id={`user-${u.id}`}>
                <td>
                  <Link to={`/admin/users/${u.id}`}>
                    <bdi>{u.display_name}</bdi>
                  </Link>
                  {u.id === selfId ? <div className="muted">{t("admin.users.you")}</div> : null}
                </td>
                <td dir="ltr">{u.email}</td>
                <td>
                  <bdi>{u.organisation_name ?? "—"}</bdi>
                </td>
                <td>{t(`role.${u.role}`)}</td>
                <td>{t(`userStatus.${u.status}`)}</td>
                <td>
                  <DateText iso={u.created_at} />
                </td>
                <td>
                  <UserActions user={{ id: u.id, name: u.display_name, role: u.role, status: u.status }} allowed={u.actions} compact />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {users.length === 0 ? <p className="empty">{t("admin.users.none")}</p> : null}
      <nav className="pager" aria-label={t("pager.label")}>
        {page > 1 ? <Link to={pageLink(page - 1)}>{t("pager.previous")}</Link> : null}
        {hasMore ? <Link to={pageLink(page + 1)}>{t("pager.next")}</Link> : null}
      </nav>
    </>
  );
}
