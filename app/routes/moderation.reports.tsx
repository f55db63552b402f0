import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText, useNumberFormat } from "~/components/dates";
import { ErrorSummary, TextAreaField, TextField } from "~/components/form";
import { RejectReasonField } from "~/components/moderation";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { notFound, pageParam } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { ReportDecisionSchema } from "~/lib/moderation-schemas.server";
import { actionReply, type ActionReply } from "~/lib/refusal";
import {
  countOpenReportItems,
  dismissReports,
  hideReportedItem,
  listOpenReportItems,
  rejectReportedSubmission,
  REVIEW_REFUSALS,
  type ReviewItem,
} from "~/models/report-review.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

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
  const submission = await parseForm(args.request, ReportDecisionSchema);
  if (submission.status !== "success") return invalid(submission);
  const d = submission.value;
  const by = { moderatorId: user.id, moderatorRole: user.role };
  const { db } = args.context;
  const r =
    d.intent === "reject"
      ? await rejectReportedSubmission(db, { ...by, targetId: d.targetId, reasonCode: d.reasonCode, reason: d.reason })
      : d.intent === "hide"
        ? await hideReportedItem(db, { ...by, targetType: d.targetType, targetId: d.targetId, reason: d.reason })
        : await dismissReports(db, { ...by, targetType: d.targetType, targetId: d.targetId, reason: d.reason });
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    if (r.reason === "invalid")
      return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: REVIEW_REFUSALS.invalid });
    return refuse(r.reason, REVIEW_REFUSALS, { submission, message: `reports.refused.${r.reason}` });
  }
  return redirect(pagePath(page), 303);
}

/** The item a reply is about (its form), as the page lists it now. */
function itemKey(targetType: unknown, targetId: unknown): string {
  return `${String(targetType)}-${String(targetId)}`;
}

export default function ModerationReports() {
  const { page, hasMore, total, items } = useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const sent = lastResult?.initialValue;
  const about = sent ? items.find((i) => itemKey(i.targetType, i.targetId) === itemKey(sent.targetType, sent.targetId)) : undefined;
  // Every message of a refused decision, at the top: the form it came from may not be on this page (an item decided meanwhile).
  const messages = [...new Set(Object.values(lastResult?.error ?? {}).flatMap((e) => e ?? []))];
  return (
    <>
      <p>
        <Link to="/moderation">{t("moderation.title")}</Link>
      </p>
      <h1>{t("reports.title")}</h1>
      <p>{t("reports.intro")}</p>
      <ErrorSummary
        fields={[]}
        formErrors={messages}
        // A decision refused for the item's state names the state it is in now.
        formErrorValues={
          lastResult?.refusal?.reason === "wrongState"
            ? { status: about ? t(`status.${about.status}`, { defaultValue: about.status }) : "—" }
            : undefined
        }
      />
      <p>
        <strong>{t("reports.summary", { count: total })}</strong>
      </p>
      {items.length === 0 ? (
        <p className="empty">{t("reports.none")}</p>
      ) : (
        <ol className="reported-items">
          {items.map((item) => (
            <li key={`${item.targetType}-${item.targetId}`}>
              <ReportedItem item={item} formAction={pagePath(page)} lastResult={item === about ? lastResult : undefined} />
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

function ReportedItem({ item, formAction, lastResult }: { item: ReviewItem; formAction: string; lastResult?: ActionReply }) {
  const { t } = useTranslation();
  const key = itemKey(item.targetType, item.targetId);
  const rejecting = lastResult?.initialValue?.intent === "reject";
  const [decideForm, decide] = useForm<Record<string, string>>({
    id: `${key}-decide`,
    lastResult: lastResult && !rejecting ? lastResult : undefined,
    shouldValidate: "onSubmit",
  });
  const [rejectForm, reject] = useForm<Record<string, string>>({
    id: `${key}-reject`,
    lastResult: rejecting ? lastResult : undefined,
    shouldValidate: "onSubmit",
  });
  const isSubmission = item.targetType === "submission";
  const heading = isSubmission ? t("reports.submissionHeading", { id: item.targetId }) : t("reports.commentHeading", { id: item.targetId });
  const status = item.hiddenAutomatically
    ? t("reports.hiddenAutomatically")
    : isSubmission
      ? t(`status.${item.status}`, { defaultValue: item.status })
      : t(`reports.commentStatus.${item.status}`, { defaultValue: item.status });
  // What "hide" means for this item: hide it, or (already out of public view) close its reports.
  const { outOfView, canHide, canReject } = item.decisions;
  const hidden = item.status === "hidden";
  const number = useNumberFormat();
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
          <dt>{t("reports.countedReporters")}</dt>
          <dd data-testid="counted-reporters">
            <NumberText value={item.countedReporters} />
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
              <th scope="col">{t("reports.counts")}</th>
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
                <td className={r.notCounted ? "not-counted" : undefined}>
                  {r.notCounted
                    ? t(`reports.notCounted.${r.notCounted}`, { hours: number(item.minAccountAgeHours) })
                    : t("reports.counted")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {item.openReports > item.reports.length ? (
        <p className="muted">{t("reports.more", { count: item.openReports - item.reports.length })}</p>
      ) : null}
      <Form
        method="post"
        action={formAction}
        {...getFormProps(decideForm)}
        className="stack"
        aria-label={t("reports.about", { item: heading })}
      >
        <input type="hidden" name="targetType" value={item.targetType} />
        <input type="hidden" name="targetId" value={item.targetId} />
        <TextField field={decide.reason} label={t("reports.note")} dir="auto" maxLength={2000} />
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
      {canReject ? (
        <details className="details" open={rejecting || undefined}>
          <summary>{t("reports.reject")}</summary>
          <Form method="post" action={formAction} {...getFormProps(rejectForm)} className="stack">
            <input type="hidden" name="targetType" value="submission" />
            <input type="hidden" name="targetId" value={item.targetId} />
            <RejectReasonField field={reject.reasonCode} label={t("reports.rejectReasonCode")} required />
            <TextAreaField
              field={reject.reason}
              label={t("reports.rejectReason")}
              hint={t("reports.rejectReasonHint")}
              rows={3}
              maxLength={2000}
              required
            />
            <button type="submit" name="intent" value="reject" className="button">
              {t("reports.rejectSubmit")}
            </button>
          </Form>
        </details>
      ) : null}
    </article>
  );
}
