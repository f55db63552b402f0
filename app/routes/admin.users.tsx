import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { DateText } from "../components/dates";
import { pageParam } from "../lib/http.server";
import { getFixedT } from "../lib/i18next.server";
import { UserSearchSchema } from "../lib/query-schemas.server";
import { searchUsers } from "../models/user.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

const PAGE_SIZE = 50;

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
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
    users: rows.slice(0, PAGE_SIZE),
  };
}

export default function AdminUsers() {
  const { q, page, hasMore, users } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const pageLink = (p: number) => `?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`;
  return (
    <>
      <h1>{t("admin.users.title")}</h1>
      <Form method="get" className="search-form" role="search">
        <label htmlFor="user-q">{t("admin.users.search")}</label>
        <input id="user-q" type="search" name="q" defaultValue={q} />
        <button type="submit" className="button">
          {t("form.search")}
        </button>
      </Form>
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
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>
                  <bdi>{u.display_name}</bdi>
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
