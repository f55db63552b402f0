import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { getFixedT } from "../lib/i18next.server";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "../auth/guards.server";
import { BackToSubmission, RefusalNotice } from "../components/refusal";
import { idParam } from "../lib/http.server";
import { isParticipationRefusal, PARTICIPATION_REFUSAL_STATUS } from "../models/consultation.server";
import { submissionExists, withdrawSubmission } from "../models/submission.server";

// Loaders run after the action in the same document request (as GET), so this
// cannot redirect: a refused post (no JavaScript) renders its reason here, and a
// plain visit shows the way to the suggestion.
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
  const r = await withdrawSubmission(args.context.db, { id, userId: user.id });
  if (!r.ok) {
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    if (isParticipationRefusal(r)) return data({ ok: false as const, message: `refusal.${r.reason}`, back: `/submissions/${id}` }, { status: PARTICIPATION_REFUSAL_STATUS });
    return data({ ok: false as const, message: "submission.refused.notWithdrawable", back: `/submissions/${id}` }, { status: 409 });
  }
  return redirect(`/submissions/${id}`, 303);
}

export default function WithdrawRefused() {
  const actionData = useActionData<typeof action>();
  const { id } = useLoaderData<typeof loader>();
  if (actionData && !actionData.ok) return <RefusalNotice refusal={actionData} />;
  return <BackToSubmission id={id} />;
}
