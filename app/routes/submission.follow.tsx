import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { FollowFormSchema } from "~/lib/schemas";
import { FOLLOW_REFUSALS, setFollow } from "~/models/follow.server";

export { headers, loader } from "./submission-action.server";
export { default, ErrorBoundary, meta } from "./submission-action.shared";

/** Follow or unfollow a public suggestion (issue 16): anyone signed in, an unconfirmed address too (it counts nothing). */
export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, FollowFormSchema);
  const back = `/submissions/${id}#follow`;
  if (submission.status !== "success")
    return refuse("invalid", FOLLOW_REFUSALS, { submission, message: "errorPage.badRequest.body", back });
  const result = await setFollow(args.context.db, {
    userId: user.id,
    target: { type: "submission", id },
    following: submission.value.intent === "follow",
  });
  if (!result.ok) notFound();
  return redirect(back, 303);
}
