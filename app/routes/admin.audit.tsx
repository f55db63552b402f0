import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { AuditChangeList } from "~/components/admin-users";
import { DateText, NumberText } from "~/components/dates";
import { auditChanges } from "~/lib/audit-diff";
import { methodNotAllowed, pageParam } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { AuditQuerySchema } from "~/lib/query-schemas.server";
import { listAuditEntries } from "~/models/audit.server";
import { listSecurityEventCounts } from "~/models/security-events.server";
import { findUserIdByEmail } from "~/models/user.server";
import { toRowId } from "~/lib/row-id";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// The audit log: every moderation and administration action
// and the security events, newest first, filtered by actor, action (or its
// start) and a range of UTC days, 50 a page. Read-only: the app never edits
// or deletes an entry, so a POST here is refused (405) once the guard passed.

const PAGE_SIZE = 50;
/** Counted security events shown (the latest lines); the filters narrow them. */
const COUNTED_SHOWN = 50;
const FILTERS = ["actor", "action", "from", "to"] as const;
/** Quick filters for the security events worth an admin's eye (written by app/lib/security.server.ts). */
const SECURITY_SHORTCUTS = [
  ["loginFailures", "security.login.failure"],
  ["rateLimits", "security.rate_limit"],
  ["accessDenied", "security.access.denied"],
  ["honeypot", "security.honeypot"],
] as const;

const ACTION_PREFIXES = ["submission.", "comment.", "organisation.", "user.", "consultation.", "coverage.", "security."];
const DAY_MS = 86_400_000;

/** Where a target can be opened, or null. */
function targetHref(type: string | null, id: string | null): string | null {
  if (!type || toRowId(id) === null) return null;
  if (type === "submission") return `/submissions/${id}`;
  if (type === "user") return `/admin/users/${id}`;
  if (type === "organisation") return `/moderation/organisations/${id}`;
  if (type === "consultation") return `/admin/consultation?id=${id}`;
  if (type === "recommendation") return `/organiser/recommendations/${id}`;
  return null;
}

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const { db } = args.context;
  const url = new URL(args.request.url);
  const raw = Object.fromEntries(FILTERS.map((f) => [f, (url.searchParams.get(f) ?? "").trim()])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const filters = AuditQuerySchema.parse(raw);
  // A value that does not parse is dropped (no filter), and the page says so: never a 500.
  const ignored = FILTERS.filter((f) => raw[f] !== "" && filters[f] === undefined);
  const page = pageParam(url.searchParams.get("page"));
  const { t } = await getFixedT(args.request, args.context);

  let actorId: number | undefined;
  let unknownActor = false;
  if (filters.actor) {
    if ("id" in filters.actor) actorId = filters.actor.id;
    else {
      const id = await findUserIdByEmail(db, filters.actor.email);
      if (id) actorId = id;
      else unknownActor = true;
    }
  }
  const rows = unknownActor
    ? []
    : await listAuditEntries(db, {
        action: filters.action,
        actorId,
        from: filters.from ? `${filters.from}T00:00:00.000Z` : undefined,
        before: filters.to ? new Date(Date.parse(`${filters.to}T00:00:00.000Z`) + DAY_MS).toISOString() : undefined,
        page,
        pageSize: PAGE_SIZE,
      });
  // Security events of visitors who are not signed in are counted per kind,
  // address and minute (app/lib/security.server.ts): shown beside the entries
  // unless the filter asks for one person or for actions that are not security events.
  const securityKind = filters.action?.startsWith("security.") ? filters.action.slice("security.".length) : undefined;
  const showCounted =
    !filters.actor && (!filters.action || filters.action.startsWith("security.") || "security.".startsWith(filters.action));
  const counted = showCounted
    ? await listSecurityEventCounts(db, {
        kind: securityKind || undefined,
        from: filters.from ? `${filters.from}T00:00` : undefined,
        before: filters.to ? new Date(Date.parse(`${filters.to}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 16) : undefined,
        limit: COUNTED_SHOWN,
      })
    : null;
  return {
    title: `${t("admin.audit.title")} · ${t("app.name")}`,
    counted: counted?.map((c) => ({
      action: `security.${c.kind}`,
      kind: c.kind,
      ip: c.ip,
      minute: c.minute,
      count: c.count,
      target: c.last_target,
      rule: c.last_rule,
      reason: c.last_reason,
    })),
    values: Object.fromEntries(FILTERS.map((f) => [f, ignored.includes(f) ? "" : raw[f]])) as Record<(typeof FILTERS)[number], string>,
    ignored,
    unknownActor,
    page,
    hasMore: rows.length > PAGE_SIZE,
    entries: rows.slice(0, PAGE_SIZE).map((e) => ({
      id: e.id,
      createdAt: e.created_at,
      action: e.action,
      actorId: e.actor_id,
      actorName: e.actor_name,
      actorEmail: e.actor_email,
      actorRole: e.actor_role,
      targetType: e.target_type,
      targetId: e.target_id,
      targetHref: targetHref(e.target_type, e.target_id),
      changes: auditChanges(e.before, e.after),
      reason: e.reason,
      ip: e.ip,
    })),
  };
}

export async function action(args: ActionFunctionArgs) {
  await requireRole(args, "admin");
  methodNotAllowed();
}

const ROLE_KEYS = new Set(["stakeholder", "moderator", "organiser", "admin"]);

export default function AdminAudit() {
  const { values, ignored, unknownActor, page, hasMore, entries, counted } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const query = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...values, ...extra })) if (v) p.set(k, v);
    return `?${p}`;
  };
  const targetText = (type: string, id: string | null) =>
    t(`admin.audit.targetType.${type}`, { id: id ?? "", defaultValue: `${type} ${id ?? ""}` });
  const roleText = (role: string | null) =>
    !role ? null : ROLE_KEYS.has(role) ? t(`role.${role}`) : role === "system" ? t("admin.audit.system") : t("admin.audit.operator");
  // The action in the reader's language, with its code beside it (the code is what the filter takes).
  const actionText = (action: string) => t(`admin.audit.actions.${action}`, { defaultValue: "" });
  return (
    <>
      <h1>{t("admin.audit.title")}</h1>
      <p>{t("admin.audit.readOnly")}</p>
      <Form method="get" className="filters" role="search" aria-label={t("admin.audit.filters")}>
        <div className="field">
          <label htmlFor="audit-actor">{t("admin.audit.filterActor")}</label>
          <input
            id="audit-actor"
            type="text"
            name="actor"
            defaultValue={values.actor}
            dir="ltr"
            autoComplete="off"
            aria-describedby="audit-actor-hint"
          />
          <p className="field-hint" id="audit-actor-hint">
            {t("admin.audit.filterActorHint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t("admin.audit.filterAction")}</label>
          <input
            id="audit-action"
            type="search"
            name="action"
            defaultValue={values.action}
            dir="ltr"
            list="audit-actions"
            aria-describedby="audit-action-hint"
          />
          <datalist id="audit-actions">
            {ACTION_PREFIXES.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <p className="field-hint" id="audit-action-hint">
            {t("admin.audit.filterActionHint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor="audit-from">{t("admin.audit.filterFrom")}</label>
          <input id="audit-from" type="date" name="from" defaultValue={values.from} dir="ltr" aria-describedby="audit-utc-hint" />
        </div>
        <div className="field">
          <label htmlFor="audit-to">{t("admin.audit.filterTo")}</label>
          <input id="audit-to" type="date" name="to" defaultValue={values.to} dir="ltr" aria-describedby="audit-utc-hint" />
        </div>
        <p className="field-hint filters__q" id="audit-utc-hint">
          {t("admin.audit.utcHint")}
        </p>
        <div className="button-row filters__q">
          <button type="submit" className="button">
            {t("form.filter")}
          </button>
          <Link to="/admin/audit" className="button button--secondary">
            {t("admin.audit.clear")}
          </Link>
        </div>
      </Form>
      <nav aria-labelledby="audit-security">
        <h2 id="audit-security">{t("admin.audit.security")}</h2>
        <ul className="button-row plain">
          {SECURITY_SHORTCUTS.map(([key, action]) => (
            <li key={key}>
              <Link to={`?${new URLSearchParams({ action })}`}>{t(`admin.audit.shortcut.${key}`)}</Link>
            </li>
          ))}
        </ul>
      </nav>
      {counted ? (
        <section aria-labelledby="audit-counted">
          <h2 id="audit-counted">{t("admin.audit.counted.title")}</h2>
          <p>{t("admin.audit.counted.intro", { n: COUNTED_SHOWN })}</p>
          {counted.length ? (
            <div className="table-wrap">
              <table className="audit-table" id="security-counts">
                <caption>{t("admin.audit.counted.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("admin.audit.counted.minute")}</th>
                    <th scope="col">{t("admin.audit.counted.event")}</th>
                    <th scope="col">{t("admin.audit.ip")}</th>
                    <th scope="col">{t("admin.audit.counted.count")}</th>
                    <th scope="col">{t("admin.audit.counted.lastTarget")}</th>
                    <th scope="col">{t("admin.audit.counted.detail")}</th>
                  </tr>
                </thead>
                <tbody>
                  {counted.map((c) => (
                    <tr key={`${c.kind} ${c.ip} ${c.minute}`}>
                      <td dir="ltr">{c.minute.replace("T", " ")}</td>
                      <td>
                        {actionText(c.action) ? <div>{actionText(c.action)}</div> : null}
                        <code dir="ltr">{c.action}</code>
                      </td>
                      <td dir="ltr">{c.ip}</td>
                      <td>
                        <NumberText value={c.count} />
                      </td>
                      <td dir="ltr">{c.target ? <bdi>{c.target}</bdi> : "—"}</td>
                      <td dir="ltr">{[c.rule, c.reason].filter(Boolean).join(" · ") || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="empty">{t("admin.audit.counted.none")}</p>
          )}
        </section>
      ) : null}
      {ignored.length ? (
        <p className="notice" role="status">
          {t("admin.audit.ignored", { fields: ignored.map((f) => t(`admin.audit.field.${f}`)).join(", ") })}
        </p>
      ) : null}
      {unknownActor ? (
        <p className="notice" role="status">
          {t("admin.audit.unknownActor")}
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="audit-table">
          <caption>{t("admin.audit.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.audit.time")}</th>
              <th scope="col">{t("admin.audit.actor")}</th>
              <th scope="col">{t("admin.audit.action")}</th>
              <th scope="col">{t("admin.audit.target")}</th>
              <th scope="col">{t("admin.audit.change")}</th>
              <th scope="col">{t("admin.audit.reason")}</th>
              <th scope="col">{t("admin.audit.ip")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  <DateText iso={e.createdAt} withTime />
                  <div className="muted" dir="ltr">
                    <small>{t("admin.audit.utcTime", { time: e.createdAt.replace("T", " ").slice(0, 19) })}</small>
                  </div>
                </td>
                <td>
                  {e.actorId ? (
                    <>
                      <Link to={`/admin/users/${e.actorId}`}>
                        <bdi>{e.actorName || t("admin.audit.formerUser")}</bdi>
                      </Link>
                      {e.actorEmail ? (
                        <div dir="ltr">
                          <small>{e.actorEmail}</small>
                        </div>
                      ) : null}
                    </>
                  ) : null}
                  {roleText(e.actorRole) ? <div className="muted">{roleText(e.actorRole)}</div> : null}
                  {!e.actorId && !e.actorRole ? t("admin.audit.nobody") : null}
                </td>
                <td>
                  {actionText(e.action) ? <div>{actionText(e.action)}</div> : null}
                  <code dir="ltr">{e.action}</code>
                </td>
                <td dir="ltr">
                  {e.targetType ? (
                    e.targetHref ? (
                      <Link to={e.targetHref}>{targetText(e.targetType, e.targetId)}</Link>
                    ) : (
                      <bdi>{targetText(e.targetType, e.targetId)}</bdi>
                    )
                  ) : (
                    "—"
                  )}
                </td>
                <td dir="ltr">
                  <AuditChangeList changes={e.changes} />
                </td>
                <td>{e.reason ? <bdi>{e.reason}</bdi> : "—"}</td>
                <td dir="ltr">{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {entries.length === 0 ? <p className="empty">{t("admin.audit.none")}</p> : null}
      <nav className="pager" aria-label={t("pager.label")}>
        {page > 1 ? <Link to={query({ page: String(page - 1) })}>{t("pager.previous")}</Link> : null}
        {page > 1 || hasMore ? <span>{t("admin.audit.page", { page })}</span> : null}
        {hasMore ? <Link to={query({ page: String(page + 1) })}>{t("pager.next")}</Link> : null}
      </nav>
    </>
  );
}
