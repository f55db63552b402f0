import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { getFixedT } from "../lib/i18next.server";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "../auth/guards.server";
import { BackToSubmission, RefusalNotice } from "../components/refusal";
import { submissionExists } from "../models/submission.server";
import { idParam, readForm } from "../lib/http.server";
import { hitRateLimit, RULES } from "../lib/rate-limit.server";
import { ReportFormSchema } from "../lib/schemas";
import { securityEvent } from "../lib/security.server";
import { isParticipationRefusal, PARTICIPATION_REFUSAL_STATUS } from "../models/consultation.server";
import { reportItem } from "../models/report.server";

// Loaders run after the action in the same document request (as GET), so this
// cannot redirect: a refused post (no JavaScript) renders its reason here, and a
// plain visit shows the way to the suggestion.
export { retryAfterHeaders as headers } from "../lib/headers";

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = idParam(params.id);
  // A plain visit to an action's address: a way back to the suggestion, so only for one that exists.
  if (!(await submissionExists(context.db, id))) throw data({ error: "notFound" }, { status: 404 });
  const { t } = await getFixedT(request, context);
  return { id, title: `${t("refusal.title")} · ${t("app.name")}` };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const form = await readForm(args.request);
  const parsed = ReportFormSchema.safeParse(Object.fromEntries([...form].filter(([, v]) => v !== "")));
  const back = `/submissions/${id}`;
  if (!parsed.success) return data({ ok: false as const, message: "report.refused.invalid", back }, { status: 400 });
  const limit = await hitRateLimit(args.context.db, RULES.reports, String(user.id));
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.reports.name });
    return data({ ok: false as const, message: "errors.rateLimited", back }, { status: 429, headers: { "Retry-After": String(limit.retryAfter) } });
  }
  const { reason, details, commentId } = parsed.data;
  const r = await reportItem(args.context.db, {
    target: commentId ? { type: "comment", id: commentId, submissionId: id } : { type: "submission", id },
    reporterId: user.id,
    reason,
    details,
  });
  if (!r.ok) {
    if (isParticipationRefusal(r)) return data({ ok: false as const, message: `refusal.${r.reason}`, back }, { status: PARTICIPATION_REFUSAL_STATUS });
    throw data({ error: "notFound" }, { status: 404 });
  }
  return redirect(`/submissions/${id}?reported=1`, 303);
}

export default function ReportRefused() {
  const actionData = useActionData<typeof action>();
  const { id } = useLoaderData<typeof loader>();
  if (actionData && !actionData.ok) return <RefusalNotice refusal={actionData} />;
  return <BackToSubmission id={id} />;
}
