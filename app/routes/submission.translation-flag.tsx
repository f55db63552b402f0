import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { TranslationFlagSchema } from "~/lib/translation-schemas.server";
import { flagTranslation, TRANSLATION_FLAG_REFUSALS } from "~/models/translation.server";

export { headers, loader } from "./submission-action.server";
export { default, ErrorBoundary, meta } from "./submission-action.shared";

// The author flags a wrong translation of their suggestion to the moderators
// (issue 18): author only (the model's rule), audit-logged, listed in the queue.
export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, TranslationFlagSchema);
  const back = `/submissions/${id}`;
  if (submission.status !== "success")
    return refuse("invalid", TRANSLATION_FLAG_REFUSALS, { submission, message: "translation.flag.refused.invalid", back });
  const r = await flagTranslation(args.context.db, {
    submissionId: id,
    userId: user.id,
    userRole: user.role,
    reason: submission.value.reason,
  });
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    return refuse(r.reason, TRANSLATION_FLAG_REFUSALS, { submission, message: `translation.flag.refused.${r.reason}`, back });
  }
  return redirect(`/submissions/${id}?flagged=1`, 303);
}
