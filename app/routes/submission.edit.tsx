import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { RefusalNotice, type Refusal } from "~/components/refusal";
import { SubmissionForm } from "~/components/submission-form";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { actionReply } from "~/lib/refusal";
import { getFixedT } from "~/lib/i18next.server";
import { SubmissionFormSchema } from "~/lib/schemas";
import { rememberSimilarAfterCommit } from "~/models/moderation-queue.server";
import { isParticipationRefusal } from "~/models/consultation.server";
import { editRefusal, getEditableSubmission, SUBMISSION_REFUSALS, updateSubmission } from "~/models/submission.server";
import { taxonomyOptions } from "~/models/taxonomy.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const s = await getEditableSubmission(args.context.db, { id, viewer: user });
  if (!s) notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  // The author's form is not offered once the consultation is closed (a moderator's is).
  const closed = await editRefusal(args.context.db, { id, viewer: user });
  if (closed) {
    return data(
      {
        title: `${t("refusal.title")} · ${t("app.name")}`,
        id,
        refusal: { message: `refusal.${closed.reason}`, back: `/submissions/${id}` } as Refusal | null,
        clusters: [],
        categories: [],
        stages: [],
        initialValue: null,
      },
      { status: SUBMISSION_REFUSALS[closed.reason] },
    );
  }
  return {
    title: `${t("submission.edit.title")} · ${t("app.name")}`,
    id,
    refusal: null as Refusal | null,
    // An archived cluster or category it already has stays on offer: editing must not force a new choice.
    ...(await taxonomyOptions(args.context.db, lng, { keep: { cluster: s.cluster_slug, category: s.category_slug } })),
    initialValue: {
      cluster: s.cluster_slug,
      title: s.title,
      problem: s.problem,
      proposal: s.proposal,
      expectedImpact: s.expected_impact,
      stage: s.stage ?? "",
      suggestedCategory: s.category_slug ?? "",
      horizon: s.horizon ?? "",
    },
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, SubmissionFormSchema);
  if (submission.status !== "success") return invalid(submission);
  const result = await updateSubmission(args.context.db, { id, viewer: user, input: submission.value });
  if (!result.ok) {
    if (result.reason === "notFound") notFound();
    if (isParticipationRefusal(result)) return refuse(result.reason, SUBMISSION_REFUSALS, { submission, back: `/submissions/${id}` });
    return data(submission.reply({ fieldErrors: result.fieldErrors }), { status: SUBMISSION_REFUSALS.invalid });
  }
  await rememberSimilarAfterCommit(args.context, id);
  return redirect(`/submissions/${id}`, 303);
}

export default function EditSubmission() {
  const { id, clusters, categories, stages, initialValue, refusal } = useLoaderData<typeof loader>();
  const actionData = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const refused = actionData?.refusal ?? refusal;
  if (refused || !initialValue) return refused ? <RefusalNotice refusal={refused} /> : null;
  return (
    <div className="narrow narrow--wide">
      <h1>
        {t("submission.edit.title")} #{id}
      </h1>
      <SubmissionForm
        id="submission-edit"
        lastResult={actionData ?? { initialValue }}
        clusters={clusters}
        categories={categories}
        stages={stages}
        similar={null}
        submitLabel={t("submission.edit.submit")}
        showSimilarCheck={false}
      />
    </div>
  );
}
