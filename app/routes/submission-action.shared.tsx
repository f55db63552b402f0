// The view half of the one refusal route module of the action-only addresses
// under /submissions/:id/{support,report,withdraw,comments} (the loader and
// headers are in submission-action.server.ts). Not a route itself (app/routes.ts
// names the routes): each of them re-exports `meta`, `default` and `ErrorBoundary` from here.
import { useActionData, useLoaderData } from "@remix-run/react";
import { BackToSubmission, RefusalNotice } from "~/components/refusal";
import { actionReply } from "~/lib/refusal";
import type { loader } from "./submission-action.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

/** A refused post without JavaScript: the reason (`actionData.refusal`); a plain visit: the way to the suggestion. */
export default function ActionRefused() {
  const reply = actionReply(useActionData());
  const { id } = useLoaderData<typeof loader>();
  if (reply?.refusal) return <RefusalNotice refusal={reply.refusal} />;
  return <BackToSubmission id={id} />;
}
