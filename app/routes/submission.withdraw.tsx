import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { isParticipationRefusal } from "~/models/consultation.server";
import { SUBMISSION_REFUSALS, withdrawSubmission } from "~/models/submission.server";

export { loader } from "./submission-action.server";
export { default, ErrorBoundary, meta } from "./submission-action.shared";

// The form has no fields: the address says what is withdrawn.
export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const r = await withdrawSubmission(args.context.db, { id, userId: user.id });
  const back = `/submissions/${id}`;
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    if (isParticipationRefusal(r)) return refuse(r.reason, SUBMISSION_REFUSALS, { back });
    return refuse(r.reason, SUBMISSION_REFUSALS, { message: "submission.refused.notWithdrawable", back });
  }
  return redirect(back, 303);
}
