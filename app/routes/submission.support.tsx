import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { notFound, idParam } from "~/lib/http.server";
import { RATE_LIMIT_REFUSALS, RULES } from "~/lib/rate-limit.server";
import { SupportFormSchema } from "~/lib/schemas";
import { securityEvent } from "~/lib/security.server";
import { z } from "~/lib/zod-setup";
import { isParticipationRefusal, participantRefusal } from "~/models/consultation.server";
import { changeSupport, SUPPORT_REFUSALS, supportChangeFor } from "~/models/support.server";

export { headers, loader } from "./submission-action.server";
export { default, ErrorBoundary, meta } from "./submission-action.shared";

// `inline=1`: the enhanced button posts through a fetcher and reads the new count (a success payload, not a redirect).
const SupportActionSchema = SupportFormSchema.extend({ inline: z.string().optional() });

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, SupportActionSchema);
  const back = `/submissions/${id}#support`;
  if (submission.status !== "success")
    return refuse("invalid", SUPPORT_REFUSALS, { submission, message: "errorPage.badRequest.body", back });
  const { intent } = submission.value;
  // An unconfirmed address (the model's rule, read before anything is written, the rate-limit count included).
  const unconfirmed = intent === "support" ? participantRefusal(user) : null;
  if (unconfirmed) return refuse(unconfirmed.reason, SUPPORT_REFUSALS, { back });

  const asked = { intent, submissionId: id, userId: user.id };
  // The quick support path (server/quick-support.ts) asked the model already when it hands on a refusal.
  const outcome = supportChangeFor(args.context.supportChange, asked) ?? (await changeSupport(args.context.db, asked));
  if (outcome.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.supports.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      message: "errors.rateLimited",
      back,
      headers: { "Retry-After": String(outcome.retryAfter) },
    });
  }
  const { result } = outcome;
  if (!result.ok) {
    if (result.reason === "notFound") notFound();
    if (isParticipationRefusal(result)) return refuse(result.reason, SUPPORT_REFUSALS, { back });
    const message = result.reason === "budgetSpent" ? `support.refused.budgetSpent|${result.budget}` : `support.refused.${result.reason}`;
    const at = result.reason === "windowNotOpen" ? result.opensAt : result.reason === "windowClosed" ? result.closesAt : undefined;
    return refuse(result.reason, SUPPORT_REFUSALS, { message, at, back });
  }
  if (submission.value.inline === "1") {
    return data({ ok: true as const, supported: intent === "support", supporters: result.supporters });
  }
  return redirect(back, 303);
}
