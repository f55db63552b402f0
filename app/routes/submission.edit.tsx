import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "../auth/guards.server";
import { RefusalNotice, type Refusal } from "../components/refusal";
import { SubmissionForm } from "../components/submission-form";
import { idParam, readForm } from "../lib/http.server";
import { getFixedT } from "../lib/i18next.server";
import { SubmissionFormSchema } from "../lib/schemas";
import { rememberSimilarAfterCommit } from "../models/moderation-queue.server";
import { isParticipationRefusal, PARTICIPATION_REFUSAL_STATUS } from "../models/consultation.server";
import { editRefusal, getEditableSubmission, updateSubmission } from "../models/submission.server";
import { taxonomyOptions } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

const notFound = () => data({ error: "notFound" }, { status: 404 });

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const s = await getEditableSubmission(args.context.db, { id, viewer: user });
  if (!s) throw notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  // The author's form is not offered once the consultation is closed (a moderator's is).
  const closed = await editRefusal(args.context.db, { id, viewer: user });
  if (closed) {
    return data(
      { title: `${t("refusal.title")} · ${t("app.name")}`, id, refusal: { message: `refusal.${closed.reason}`, back: `/submissions/${id}` } as Refusal | null, clusters: [], categories: [], stages: [], initialValue: null },
      { status: PARTICIPATION_REFUSAL_STATUS },
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
  const formData = await readForm(args.request);
  const submission = parseWithZod(formData, { schema: SubmissionFormSchema });
  if (submission.status !== "success") return data({ result: submission.reply() }, { status: 400 });
  const result = await updateSubmission(args.context.db, { id, viewer: user, input: submission.value });
  if (!result.ok) {
    if (result.reason === "notFound") throw notFound();
    if (isParticipationRefusal(result)) {
      return data({ result: submission.reply(), refusal: { message: `refusal.${result.reason}`, back: `/submissions/${id}` } }, { status: PARTICIPATION_REFUSAL_STATUS });
    }
    return data({ result: submission.reply({ fieldErrors: result.fieldErrors }) }, { status: 400 });
  }
  await rememberSimilarAfterCommit(args.context, id);
  return redirect(`/submissions/${id}`, 303);
}

export default function EditSubmission() {
  const { id, clusters, categories, stages, initialValue, refusal } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const refused = ((actionData && "refusal" in actionData ? actionData.refusal : null) ?? refusal) as Refusal | null;
  if (refused || !initialValue) return refused ? <RefusalNotice refusal={refused} /> : null;
  return (
    <div className="narrow narrow--wide">
      <h1>
        {t("submission.edit.title")} #{id}
      </h1>
      <SubmissionForm
        id="submission-edit"
        lastResult={actionData?.result ?? { initialValue }}
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
