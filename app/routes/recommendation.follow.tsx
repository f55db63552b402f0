// Follow or unfollow a final recommendation (issue 16): an action-only address
// in the submission-action idiom. A plain visit shows the way back to the
// recommendation (only one the public may see); a refused post without
// JavaScript renders its reason.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { RefusalNotice } from "~/components/refusal";
import { parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply } from "~/lib/refusal";
import { FollowFormSchema } from "~/lib/schemas";
import { followableTarget, FOLLOW_REFUSALS, setFollow } from "~/models/follow.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = idParam(params.id);
  if (!(await followableTarget(context.db, { type: "recommendation", id }))) notFound();
  const { t } = await getFixedT(request, context);
  return { id, title: `${t("refusal.title")} · ${t("app.name")}` };
}

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, FollowFormSchema);
  const back = `/recommendations/${id}#follow`;
  if (submission.status !== "success")
    return refuse("invalid", FOLLOW_REFUSALS, { submission, message: "errorPage.badRequest.body", back });
  const result = await setFollow(args.context.db, {
    userId: user.id,
    target: { type: "recommendation", id },
    following: submission.value.intent === "follow",
  });
  if (!result.ok) notFound();
  return redirect(back, 303);
}

export default function RecommendationFollowRefused() {
  const { t } = useTranslation();
  const reply = actionReply(useActionData());
  const { id } = useLoaderData<typeof loader>();
  if (reply?.refusal) return <RefusalNotice refusal={reply.refusal} />;
  return (
    <p className="panel">
      <Link to={`/recommendations/${id}`}>{t("refusal.back")}</Link>
    </p>
  );
}
