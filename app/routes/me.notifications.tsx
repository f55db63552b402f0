import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { DateText } from "~/components/dates";
import { parseForm } from "~/lib/form-action.server";
import { badRequest, notFound, pageParam } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { RULE_NUMBERS } from "~/lib/rules";
import { NotificationActionSchema } from "~/lib/notification-schemas.server";
import { notificationTarget, targetPath } from "~/models/email-outbox.server";
import { listFollowing } from "~/models/follow.server";
import { countUnread, listNotifications, markAllNotificationsRead, markNotificationRead } from "~/models/notification.server";

// My notifications: newest first, 50 to a page, each linking to its
// suggestion or recommendation. Reading the page changes nothing; a form marks
// one, or all, read (no JavaScript needed).

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

const PAGE_SIZE = RULE_NUMBERS.notificationsPerPage;

/** A rejection's reason in the reader's language: the reason's name, then the moderator's words (as the email gives it). */
function reasonOf(kind: string, json: string | null, t: (key: string, options?: { defaultValue: string }) => string): string | null {
  if (kind !== "rejected" || !json) return null;
  try {
    const parsed = JSON.parse(json) as { reason?: unknown; reasonCode?: unknown };
    const code = typeof parsed.reasonCode === "string" ? t(`rejectReason.${parsed.reasonCode}`, { defaultValue: "" }) : "";
    const text = typeof parsed.reason === "string" ? parsed.reason : "";
    return [code, text].filter(Boolean).join(" — ") || null;
  } catch {
    return null;
  }
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const page = pageParam(new URL(args.request.url).searchParams.get("page"));
  const [rows, unread, follows] = await Promise.all([
    listNotifications(args.context.db, user.id, { limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE }),
    countUnread(args.context.db, user.id),
    listFollowing(args.context.db, user.id),
  ]);
  const { t } = await getFixedT(args.request, args.context);
  return {
    title: `${t("notifications.title")} · ${t("app.name")}`,
    page,
    unread,
    hasMore: rows.length > PAGE_SIZE,
    follows: follows.map((f) => ({ ...f, href: targetPath(f) })),
    notifications: rows.slice(0, PAGE_SIZE).map((n) => {
      const target = notificationTarget(n);
      return {
        id: n.id,
        kind: n.kind,
        href: target ? targetPath(target) : null,
        title: target?.type === "recommendation" ? n.recommendation_title : n.submission_title,
        recommendationId: target?.type === "recommendation" ? target.id : null,
        reason: reasonOf(n.kind, n.data, t),
        unread: !n.read_at,
        at: n.created_at,
      };
    }),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const submission = await parseForm(args.request, NotificationActionSchema);
  // The forms are buttons with hidden fields: a post that does not parse was not sent by them.
  if (submission.status !== "success") badRequest();
  const v = submission.value;
  if (v.intent === "read-all") {
    await markAllNotificationsRead(args.context.db, user.id);
  } else if (!(await markNotificationRead(args.context.db, { id: v.id, userId: user.id }))) {
    // Someone else's notification (or none): not found, whoever asks.
    notFound();
  }
  const page = pageParam(new URL(args.request.url).searchParams.get("page"));
  return redirect(page > 1 ? `/me/notifications?page=${page}` : "/me/notifications", 303);
}

export default function Notifications() {
  const { page, unread, hasMore, notifications, follows } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const formAction = page > 1 ? `/me/notifications?page=${page}` : "/me/notifications";
  return (
    <>
      <h1>{t("notifications.title")}</h1>
      <p>
        <Link to="/me/notifications/settings" id="notification-settings-link">
          {t("notificationSettings.link")}
        </Link>
      </p>
      <section className="panel" aria-labelledby="notifications-list">
        <h2 id="notifications-list" className="visually-hidden">
          {t("notifications.title")}
        </h2>
        <p id="notifications-unread">{unread > 0 ? t("notifications.unread", { count: unread }) : t("notifications.allRead")}</p>
        {unread > 0 ? (
          <Form method="post" action={formAction} id="notifications-read-all">
            <input type="hidden" name="intent" value="read-all" />
            <button type="submit" className="button button--secondary">
              {t("notifications.readAll")}
            </button>
          </Form>
        ) : null}
        {notifications.length === 0 ? (
          <p className="empty">{t("notifications.none")}</p>
        ) : (
          <p className="muted">{t("notifications.caption")}</p>
        )}
        <ol className="list notification-list">
          {notifications.map((n) => (
            <li key={n.id} id={`notification-${n.id}`} className={n.unread ? "unread" : undefined}>
              {n.unread ? <span className="badge">{t("notifications.new")}</span> : null} {t(`notification.${n.kind}`)}
              {n.href ? (
                <>
                  {": "}
                  <Link to={n.href}>
                    {n.recommendationId ? `${t("notifications.recommendation", { id: n.recommendationId })} · ` : null}
                    {n.title ? <bdi>{n.title}</bdi> : t("notifications.deleted")}
                  </Link>
                </>
              ) : null}{" "}
              · <DateText iso={n.at} withTime />
              {n.reason ? (
                <p className="muted plain-text" dir="auto">
                  {t("notifications.reason", { reason: n.reason })}
                </p>
              ) : null}
              {n.unread ? (
                <Form method="post" action={formAction} className="inline-form">
                  <input type="hidden" name="intent" value="read" />
                  <input type="hidden" name="id" value={n.id} />
                  <button
                    type="submit"
                    className="link-button"
                    aria-label={n.title ? t("notifications.readOne", { title: n.title }) : undefined}
                  >
                    {t("notifications.read")}
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ol>
        <nav className="pager" aria-label={t("pager.label")}>
          {page > 1 ? (
            <Link to={page === 2 ? "/me/notifications" : `/me/notifications?page=${page - 1}`}>{t("pager.previous")}</Link>
          ) : null}
          {hasMore ? <Link to={`/me/notifications?page=${page + 1}`}>{t("pager.next")}</Link> : null}
        </nav>
      </section>
      <section className="panel" aria-labelledby="following-title" id="following">
        <h2 id="following-title">{t("follow.mine.heading")}</h2>
        <p className="muted">{t("follow.mine.intro")}</p>
        {follows.length === 0 ? (
          <p className="empty">{t("follow.mine.none")}</p>
        ) : (
          <ul className="list">
            {follows.map((f) => (
              <li key={`${f.type}-${f.id}`}>
                <Link to={f.href}>
                  {t(f.type === "submission" ? "follow.mine.submission" : "follow.mine.recommendation", { id: f.id })} ·{" "}
                  <bdi>{f.title}</bdi>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p>
        <Link to="/me">{t("nav.me")}</Link>
      </p>
    </>
  );
}
