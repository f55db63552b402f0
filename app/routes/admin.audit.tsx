import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { DateText } from "../components/dates";
import { pageParam } from "../lib/http.server";
import { getFixedT } from "../lib/i18next.server";
import { AuditQuerySchema } from "../lib/query-schemas.server";
import { listAuditEntries } from "../models/audit.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

const PAGE_SIZE = 50;

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const url = new URL(args.request.url);
  const { action } = AuditQuerySchema.parse(Object.fromEntries(url.searchParams));
  const page = pageParam(url.searchParams.get("page"));
  const rows = await listAuditEntries(args.context.db, { action, page, pageSize: PAGE_SIZE });
  const { t } = await getFixedT(args.request, args.context);
  return {
    title: `${t("admin.audit.title")} · ${t("app.name")}`,
    action: action ?? "",
    page,
    hasMore: rows.length > PAGE_SIZE,
    entries: rows.slice(0, PAGE_SIZE),
  };
}

export default function AdminAudit() {
  const { action, page, hasMore, entries } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const pageLink = (p: number) => `?${new URLSearchParams({ ...(action ? { action } : {}), page: String(p) })}`;
  return (
    <>
      <h1>{t("admin.audit.title")}</h1>
      <Form method="get" className="search-form" role="search">
        <label htmlFor="audit-action">{t("admin.audit.filterAction")}</label>
        <input id="audit-action" type="search" name="action" defaultValue={action} dir="ltr" />
        <button type="submit" className="button">
          {t("form.filter")}
        </button>
      </Form>
      <div className="table-wrap">
        <table>
          <caption>{t("admin.audit.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.audit.time")}</th>
              <th scope="col">{t("admin.audit.actor")}</th>
              <th scope="col">{t("admin.audit.action")}</th>
              <th scope="col">{t("admin.audit.target")}</th>
              <th scope="col">{t("admin.audit.change")}</th>
              <th scope="col">{t("admin.audit.ip")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  <DateText iso={e.created_at} withTime />
                </td>
                <td>
                  <bdi>{e.actor_name ?? e.actor_role ?? "—"}</bdi>
                </td>
                <td dir="ltr">
                  <code>{e.action}</code>
                </td>
                <td dir="ltr">{e.target_type ? `${e.target_type} ${e.target_id ?? ""}` : "—"}</td>
                <td dir="ltr">
                  {[e.before, e.after].filter(Boolean).join(" → ") || "—"}
                  {e.reason ? ` (${e.reason})` : ""}
                </td>
                <td dir="ltr">{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {entries.length === 0 ? <p className="empty">{t("admin.audit.none")}</p> : null}
      <nav className="pager" aria-label={t("pager.label")}>
        {page > 1 ? <Link to={pageLink(page - 1)}>{t("pager.previous")}</Link> : null}
        {hasMore ? <Link to={pageLink(page + 1)}>{t("pager.next")}</Link> : null}
      </nav>
    </>
  );
}
