import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { getFixedT } from "../lib/i18next.server";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "../auth/guards.server";
import { BackToSubmission, RefusalNotice } from "../components/refusal";
import { submissionExists } from "../models/submission.server";
import { idParam, readForm, refusalStatus } from "../lib/http.server";
import { hitRateLimit, RULES } from "../lib/rate-limit.server";
import { SupportFormSchema } from "../lib/schemas";
import { securityEvent } from "../lib/security.server";
import { isParticipationRefusal, PARTICIPATION_REFUSAL_STATUS } from "../models/consultation.server";
import { supportSubmission, withdrawSupport } from "../models/support.server";

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
  const parsed = SupportFormSchema.safeParse({ intent: form.get("intent") ?? undefined });
  if (!parsed.success) throw data({ error: "badRequest" }, { status: 400 });
  const inline = form.get("inline") === "1";
  const back = `/submissions/${id}#support`;

  // The rate-limit counter and the support are one transaction, so one commit
  // (one fsync on SQLite) per support instead of two. A refused (limited)
  // attempt still commits its count.
  const outcome = await args.context.db.transaction().execute(async (trx) => {
    const limit = await hitRateLimit(trx, RULES.supports, String(user.id));
    if (limit.limited) return { limited: true as const, retryAfter: limit.retryAfter };
    const result =
      parsed.data.intent === "support"
        ? await supportSubmission(trx, { submissionId: id, userId: user.id })
        : await withdrawSupport(trx, { submissionId: id, userId: user.id });
    return { limited: false as const, result };
  });
  if (outcome.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.supports.name });
    return data({ ok: false as const, message: "errors.rateLimited", back }, { status: 429, headers: { "Retry-After": String(outcome.retryAfter) } });
  }
  const { result } = outcome;
  if (!result.ok) {
    if (result.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    if (isParticipationRefusal(result)) return data({ ok: false as const, message: `refusal.${result.reason}`, back }, { status: PARTICIPATION_REFUSAL_STATUS });
    const message =
      result.reason === "budgetSpent" ? `support.refused.budgetSpent|${result.budget}` : `support.refused.${result.reason}`;
    const at = result.reason === "windowNotOpen" ? result.opensAt : result.reason === "windowClosed" ? result.closesAt : undefined;
    return data({ ok: false as const, message, at, back }, { status: refusalStatus(result.reason) });
  }
  if (inline) {
    return data({ ok: true as const, supported: parsed.data.intent === "support", supporters: result.supporters });
  }
  return redirect(back, 303);
}

export default function SupportRefused() {
  const actionData = useActionData<typeof action>();
  const { id } = useLoaderData<typeof loader>();
  if (actionData && !actionData.ok) return <RefusalNotice refusal={actionData} />;
  return <BackToSubmission id={id} />;
}
