import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { hitRateLimit, RATE_LIMIT_REFUSALS, RULES } from "~/lib/rate-limit.server";
import { ReportFormSchema } from "~/lib/schemas";
import { securityEvent } from "~/lib/security.server";
import { participantRefusal } from "~/models/consultation.server";
import { REPORT_REFUSALS, reportItem } from "~/models/report.server";

export { headers, loader } from "./submission-action.server";
export { default, ErrorBoundary, meta } from "./submission-action.shared";

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, ReportFormSchema);
  const back = `/submissions/${id}`;
  if (submission.status !== "success") return refuse("invalid", REPORT_REFUSALS, { submission, message: "report.refused.invalid", back });
  // An unconfirmed address (the model's rule, read before anything is written, the rate-limit count included).
  const unconfirmed = participantRefusal(user);
  if (unconfirmed) return refuse(unconfirmed.reason, REPORT_REFUSALS, { back });
  const limit = await hitRateLimit(args.context.db, RULES.reports, String(user.id));
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.reports.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      message: "errors.rateLimited",
      back,
      headers: { "Retry-After": String(limit.retryAfter) },
    });
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
