// The server half of the one refusal route module of the action-only
// addresses under /submissions/:id/{support,report,withdraw,comments}; the
// view half is submission-action.shared.tsx (split so the browser bundle,
// which takes the view, never reaches a .server module). Each route keeps
// only its action and re-exports the rest.
//
// Loaders run after the action in the same document request (as GET), so the
// loader cannot redirect: a refused post (no JavaScript) renders its reason
// (`actionData.refusal`), and a plain visit shows the way to the suggestion.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam, notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { submissionExists } from "~/models/submission.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = idParam(params.id);
  // A plain visit to an action's address: a way back to the suggestion, so only for one that exists.
  if (!(await submissionExists(context.db, id))) notFound();
  const { t } = await getFixedT(request, context);
  return { id, title: `${t("refusal.title")} · ${t("app.name")}` };
}
