import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText } from "~/components/dates";
import { methodNotAllowed, pageParam } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { OutboxQuerySchema } from "~/lib/notification-schemas.server";
import { EMAIL_STATUSES, listOutbox, outboxNoteKey } from "~/models/email-outbox.server";

// The email outbox for admins: every email notifications wrote, newest
// first, 50 to a page. Without SMTP_URL this is where the emails are read.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

const PAGE_SIZE = 50;

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const url = new URL(args.request.url);
  const { status } = OutboxQuerySchema.parse(Object.fromEntries(url.searchParams));
  const page = pageParam(url.searchParams.get("page"));
  const rows = await listOutbox(args.context.db, { page, pageSize: PAGE_SIZE, status });
  const { t } = await getFixedT(args.request, args.context);
  return {
    title: `${t("admin.outbox.title")} · ${t("app.name")}`,
    smtpConfigured: Boolean(args.context.config.SMTP_URL),
    status: status ?? "",
    statuses: [...EMAIL_STATUSES],
    page,
    hasMore: rows.length > PAGE_SIZE,
    // Our own notes in the admin's language; an SMTP server's error as it wrote it.
    emails: rows.slice(0, PAGE_SIZE).map((e) => ({ ...e, note: outboxNoteKey(e.last_error) })),
  };
}

// Read-only: a POST meets the guard first (no probing by non-admins), then 405.
export async function action(args: ActionFunctionArgs) {
  await requireRole(args, "admin");
  methodNotAllowed();
}

export default function AdminOutbox() {
  const { smtpConfigured, status, statuses, page, hasMore, emails } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const pageLink = (p: number) => `?${new URLSearchParams({ ...(status ? { status } : {}), page: String(p) })}`;
  return (
    <>
      <h1>{t("admin.outbox.title")}</h1>
      <p id="outbox-delivery">{smtpConfigured ? t("admin.outbox.smtpOn") : t("admin.outbox.smtpOff")}</p>
      <Form method="get" className="search-form">
        <label htmlFor="outbox-status">{t("admin.outbox.filterStatus")}</label>
        <select id="outbox-status" name="status" defaultValue={status}>
          <option value="">{t("admin.outbox.allStatuses")}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`admin.outbox.statusName.${s}`)}
            </option>
          ))}
        </select>
        <button type="submit" className="button">
          {t("form.filter")}
        </button>
      </Form>
      <div className="table-wrap">
        <table className="outbox">
          <caption>{t("admin.outbox.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.outbox.created")}</th>
              <th scope="col">{t("admin.outbox.to")}</th>
              <th scope="col">{t("admin.outbox.subject")}</th>
              <th scope="col">{t("admin.outbox.status")}</th>
              <th scope="col">{t("admin.outbox.attempts")}</th>
              <th scope="col">{t("admin.outbox.error")}</th>
            </tr>
          </thead>
          <tbody>
            {emails.map((e) => (
              <tr key={e.id} id={`email-${e.id}`}>
                <td>
                  <DateText iso={e.created_at} withTime />
                </td>
                <td dir="ltr">{e.to_email}</td>
                <td>
                  <bdi>{e.subject}</bdi>
                  <details>
                    <summary>{t("admin.outbox.body")}</summary>
                    <p className="plain-text outbox-body" dir="auto">
                      {e.body}
                    </p>
                  </details>
                </td>
                <td>
                  <span className={`status status--${e.status}`} data-status={e.status}>
                    {t(`admin.outbox.statusName.${e.status}`)}
                  </span>
                  {e.sent_at ? (
                    <>
                      {" · "}
                      {t("admin.outbox.sentAt")} <DateText iso={e.sent_at} withTime />
                    </>
                  ) : null}
                  {e.status === "queued" && e.next_attempt_at && e.attempts > 0 ? (
                    <>
                      {" · "}
                      {t("admin.outbox.nextAttempt")} <DateText iso={e.next_attempt_at} withTime />
                    </>
                  ) : null}
                </td>
                <td>
                  <NumberText value={e.attempts} />
                </td>
                <td dir="auto">{e.note ? t(e.note) : (e.last_error ?? "—")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {emails.length === 0 ? <p className="empty">{t("admin.outbox.none")}</p> : null}
      <nav className="pager" aria-label={t("pager.label")}>
        {page > 1 ? <Link to={pageLink(page - 1)}>{t("pager.previous")}</Link> : null}
        {hasMore ? <Link to={pageLink(page + 1)}>{t("pager.next")}</Link> : null}
      </nav>
    </>
  );
}
