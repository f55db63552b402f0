import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { DateText, NumberText } from "../components/dates";
import { useErrorText } from "../components/form";
import { pageParam, readForm } from "../lib/http.server";
import { getFixedT } from "../lib/i18next.server";
import { parseReportDecision } from "../lib/moderation-schemas.server";
import { REJECT_REASONS } from "../lib/reference";
import { countOpenReportItems, dismissReports, hideReportedItem, listOpenReportItems, rejectReportedSubmission, type ReviewItem } from "../models/report-review.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

const PAGE_SIZE = 50;

// Report review: every item with open reports, and a decision per
// item. Decisions post here and come back to the same page with a 303.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  const { db } = args.context;
  const page = pageParam(new URL(args.request.url).searchParams.get("page"));
  const [{ items, hasMore }, total] = await Promise.all([listOpenReportItems(db, { page, pageSize: PAGE_SIZE }), countOpenReportItems(db)]);
  const { t } = await getFixedT(args.request, args.context);
  return { title: `${t("reports.title")} · ${t("app.name")}`, page, hasMore, total, items };
}

function pagePath(page: number): string {
  return page > 1 ? `/moderation/reports?page=${page}` : "/moderation/reports";
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const page = pageParam(new URL(args.request.url).searchParams.get("page"));
  const form = await readForm(args.request);
  const fields = Object.fromEntries([...form].filter((e): e is [string, string] => typeof e[1] === "string"));
  const parsed = parseReportDecision(fields);
  if (!parsed.ok) return data({ message: parsed.message, status: null }, { status: 400 });
  const d = parsed.decision;
  const by = { moderatorId: user.id, moderatorRole: user.role };
  const { db } = args.context;
  const r =
    d.intent === "reject"
      ? await rejectReportedSubmission(db, { ...by, targetId: d.targetId, reasonCode: d.reasonCode, reason: d.reason })
      : d.intent === "hide"
        ? await hideReportedItem(db, { ...by, targetType: d.targetType, targetId: d.targetId, reason: d.reason })
        : await dismissReports(db, { ...by, targetType: d.targetType, targetId: d.targetId, reason: d.reason });
  if (!r.ok) {
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    if (r.reason === "invalid") return data({ message: Object.values(r.fieldErrors)[0]?.[0] ?? "errors.invalid", status: null }, { status: 400 });
    if (r.reason === "wrongState") return data({ message: "reports.refused.wrongState", status: r.status }, { status: 409 });
    return data({ message: "reports.refused.noOpenReports", status: null }, { status: 409 });
  }
  return redirect(pagePath(page), 303);
}

export default function ModerationReports() {
  const { page, hasMore, total, items } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <>
      <p>
        <Link to="/moderation">{t("moderation.title")}</Link>
      </p>
      <h1>{t("reports.title")}</h1>
      <p>{t("reports.intro")}</p>
      {actionData?.message ? (
        <div className="error-summary" role="alert">
          <p>{actionData.status ? t(actionData.message, { status: t(`status.${actionData.status}`) }) : errorText(actionData.message)}</p>
        </div>
      ) : null}
      <p>
        <strong>{t("reports.summary", { count: total })}</strong>
      </p>
      {items.length === 0 ? (
        <p className="empty">{t("reports.none")}</p>
      ) : (
        <ol className="reported-items">
          {items.map((item) => (
            <li key={`${item.targetType}-${item.targetId}`}>
              <ReportedItem item={item} formAction={pagePath(page)} />
            </li>
          ))}
        </ol>
      )}
      <nav className="pager" aria-label={t("pager.label")}>
        {page > 1 ? <Link to={pagePath(page - 1)}>{t("pager.previous")}</Link> : null}
        {hasMore ? <Link to={pagePath(page + 1)}>{t("pager.next")}</Link> : null}
      </nav>
    </>
  );
}

const SUBMISSION_OUT_OF_VIEW = ["hidden", "rejected", "withdrawn"];
const REJECTABLE = ["pending", "published", "hidden"];

function ReportedItem({ item, formAction }: { item: ReviewItem; formAction: string }) {
  const { t } = useTranslation();
  const key = `${item.targetType}-${item.targetId}`;
  const isSubmission = item.targetType === "submission";
  const heading = isSubmission ? t("reports.submissionHeading", { id: item.targetId }) : t("reports.commentHeading", { id: item.targetId });
  const status = item.hiddenAutomatically
    ? t("reports.hiddenAutomatically")
    : isSubmission
      ? t(`status.${item.status}`, { defaultValue: item.status })
      : t(`reports.commentStatus.${item.status}`, { defaultValue: item.status });
  // What "hide" means for this item: hide it, or (already out of public view) close its reports.
  const outOfView = isSubmission ? SUBMISSION_OUT_OF_VIEW.includes(item.status) : item.status !== "visible";
  const canHide = isSubmission ? item.status === "published" || outOfView : true;
  const hidden = item.status === "hidden";
  return (
    <article className="panel reported-item" id={`item-${key}`} aria-labelledby={`item-${key}-title`}>
      <h2 className="h3" id={`item-${key}-title`}>
        {heading}
      </h2>
      {isSubmission ? (
        <p>
          <Link to={`/submissions/${item.submissionId}`}>
            <bdi>{item.submissionTitle}</bdi>
          </Link>{" "}
          · <Link to={`/moderation/submissions/${item.submissionId}`}>{t("reports.openDecision")}</Link>
        </p>
      ) : (
        <>
          <p className="plain-text" dir="auto">
            {item.commentBody}
          </p>
          <p>
            {t("reports.onSubmission")}{" "}
            <Link to={`/submissions/${item.submissionId}#comment-${item.targetId}`}>
              #{item.submissionId} <bdi>{item.submissionTitle}</bdi>
            </Link>
          </p>
        </>
      )}
      <dl className="figures figures--inline">
        <div>
          <dt>{t("reports.status")}</dt>
          <dd>{status}</dd>
        </div>
        <div>
          <dt>{t("reports.reporters")}</dt>
          <dd>
            <NumberText value={item.reporters} />
          </dd>
        </div>
        <div>
          <dt>{t("reports.firstReported")}</dt>
          <dd>
            <DateText iso={item.firstReportedAt} withTime />
          </dd>
        </div>
        <div>
          <dt>{t("reports.lastReported")}</dt>
          <dd>
            <DateText iso={item.lastReportedAt} withTime />
          </dd>
        </div>
        <div>
          <dt>{t("reports.written")}</dt>
          <dd>
            <DateText iso={item.itemCreatedAt} />
          </dd>
        </div>
      </dl>
      <div className="table-wrap">
        <table>
          <caption>{t("reports.reportsCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("reports.reason")}</th>
              <th scope="col">{t("reports.details")}</th>
              <th scope="col">{t("reports.date")}</th>
            </tr>
          </thead>
          <tbody>
            {item.reports.map((r) => (
              <tr key={r.id}>
                <th scope="row">{t(`report.reasons.${r.reason}`, { defaultValue: r.reason })}</th>
                <td>
                  {r.details ? (
                    <span className="plain-text" dir="auto">
                      {r.details}
                    </span>
                  ) : (
                    <span className="muted">{t("reports.noDetails")}</span>
                  )}
                </td>
                <td>
                  <DateText iso={r.createdAt} withTime />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {item.openReports > item.reports.length ? <p className="muted">{t("reports.more", { count: item.openReports - item.reports.length })}</p> : null}
      <Form method="post" action={formAction} className="stack" aria-label={t("reports.about", { item: heading })}>
        <input type="hidden" name="targetType" value={item.targetType} />
        <input type="hidden" name="targetId" value={item.targetId} />
        <div className="field">
          <label htmlFor={`${key}-note`}>{t("reports.note")}</label>
          <input id={`${key}-note`} type="text" name="reason" maxLength={2000} dir="auto" />
        </div>
        <div className="actions">
          <button type="submit" name="intent" value="dismiss" className="button button--secondary">
            {hidden ? t("reports.dismissRestore") : t("reports.dismiss")}
          </button>{" "}
          {canHide ? (
            <button type="submit" name="intent" value="hide" className="button">
              {outOfView ? t("reports.keepHidden") : t("reports.hide")}
            </button>
          ) : null}
        </div>
      </Form>
      {isSubmission && REJECTABLE.includes(item.status) ? (
        <details className="details">
          <summary>{t("reports.reject")}</summary>
          <Form method="post" action={formAction} className="stack">
            <input type="hidden" name="targetType" value="submission" />
            <input type="hidden" name="targetId" value={item.targetId} />
            <div className="field">
              <label htmlFor={`${key}-code`}>{t("reports.rejectReasonCode")}</label>
              <select id={`${key}-code`} name="reasonCode" required defaultValue="">
                <option value="">{t("form.choose")}</option>
                {REJECT_REASONS.map((code) => (
                  <option key={code} value={code}>
                    {t(`rejectReason.${code}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${key}-reason`}>{t("reports.rejectReason")}</label>
              <p className="field-hint" id={`${key}-reason-hint`}>
                {t("reports.rejectReasonHint")}
              </p>
              <textarea id={`${key}-reason`} name="reason" rows={3} maxLength={2000} dir="auto" required aria-describedby={`${key}-reason-hint`} />
            </div>
            <button type="submit" name="intent" value="reject" className="button">
              {t("reports.rejectSubmit")}
            </button>
          </Form>
        </details>
      ) : null}
    </article>
  );
}
