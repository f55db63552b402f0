import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { getFixedT } from "../lib/i18next.server";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "../auth/guards.server";
import { BackToSubmission, RefusalNotice } from "../components/refusal";
import { submissionExists } from "../models/submission.server";
import { parseForm, refuse } from "../lib/form-action.server";
import { idParam, notFound } from "../lib/http.server";
import { hitRateLimit, RATE_LIMIT_REFUSALS, RULES } from "../lib/rate-limit.server";
import { ReportFormSchema } from "../lib/schemas";
import { securityEvent } from "../lib/security.server";
import { REPORT_REFUSALS, reportItem } from "../models/report.server";

// Loaders run after the action in the same document request (as GET), so this
// cannot redirect: a refused post (no JavaScript) renders its reason here, and a
// plain visit shows the way to the suggestion.
export { retryAfterHeaders as headers } from "../lib/headers";

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = idParam(params.id);
  // A plain visit to an action's address: a way back to the suggestion, so only for one that exists.
  if (!(await submissionExists(context.db, id))) notFound();
  const { t } = await getFixedT(request, context);
  return { id, title: `${t("refusal.title")} · ${t("app.name")}` };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, ReportFormSchema);
  const back = `/submissions/${id}`;
  if (submission.status !== "success") return refuse("invalid", REPORT_REFUSALS, { submission, message: "report.refused.invalid", back });
  const limit = await hitRateLimit(args.context.db, RULES.reports, String(user.id));
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.reports.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, { message: "errors.rateLimited", back, headers: { "Retry-After": String(limit.retryAfter) } });
  }
  const { reason, details, commentId } = submission.value;
  const r = await reportItem(args.context.db, {
    target: commentId ? { type: "comment", id: commentId, submissionId: id } : { type: "submission", id },
    reporterId: user.id,
    reason,
    details,
  });
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    return refuse(r.reason, REPORT_REFUSALS, { back });
  }
  return redirect(`/submissions/${id}?reported=1`, 303);
}

export default function ReportRefused() {
  const actionData = useActionData<typeof action>();
  const { id } = useLoaderData<typeof loader>();
  if (actionData?.refusal) return <RefusalNotice refusal={actionData.refusal} />;
  return <BackToSubmission id={id} />;
}
