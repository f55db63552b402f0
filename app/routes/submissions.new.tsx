import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "../auth/guards.server";
import { DateText } from "../components/dates";
import { SubmissionForm } from "../components/submission-form";
import { readForm } from "../lib/http.server";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { giveBackRateLimits, RULES, takeRateLimits } from "../lib/rate-limit.server";
import { SubmissionFormSchema } from "../lib/schemas";
import { securityEvent } from "../lib/security.server";
import { getActiveConsultation, windowPhase } from "../models/consultation.server";
import { rememberSimilarAfterCommit } from "../models/moderation-queue.server";
import { createSubmission, findSimilarPublished } from "../models/submission.server";
import { taxonomyOptions } from "../models/taxonomy.server";

export { retryAfterHeaders as headers } from "../lib/headers";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  requireUser(args);
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const options = await taxonomyOptions(db, lng);
  const preselect = new URL(args.request.url).searchParams.get("cluster");
  return {
    title: `${t("submission.new.title")} · ${t("app.name")}`,
    ...options,
    preselect: options.clusters.some((c) => c.value === preselect) ? preselect : null,
    window: consultation
      ? {
          phase: windowPhase(consultation.submission_opens_at, consultation.submission_closes_at),
          opensAt: consultation.submission_opens_at,
          closesAt: consultation.submission_closes_at,
        }
      : null,
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { db } = args.context;
  const formData = await readForm(args.request);
  const { lng } = await getFixedT(args.request, args.context);

  if (formData.get("intent") === "check") {
    // "Check for similar" without JavaScript: list look-alikes, keep what was typed, create nothing.
    const consultation = await getActiveConsultation(db);
    const title = String(formData.get("title") ?? "").slice(0, 300);
    const similar = consultation ? await findSimilarPublished(db, { consultationId: consultation.id, text: title }) : [];
    // Keep what was typed, without judging it: nothing was submitted yet.
    const typed = parseWithZod(formData, { schema: SubmissionFormSchema }).reply({ resetForm: false });
    return data({
      result: { initialValue: typed.initialValue },
      similar: similar.map((s) => ({ id: s.id, title: s.title, supporters: s.supporters_count, cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng) })),
      checked: true,
      formErrors: [] as string[],
    });
  }

  const submission = parseWithZod(formData, { schema: SubmissionFormSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), similar: null, checked: false, formErrors: [] as string[] }, { status: 400 });
  }
  // The slot is taken before the suggestion is stored, atomically, so a burst stores
  // no more than the limit (ADR 0019); a refused or invalid suggestion gives it back.
  const limit = await takeRateLimits(db, [{ rule: RULES.submissions, key: String(user.id) }]);
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.submissions.name });
    return data(
      { result: submission.reply(), similar: null, checked: false, formErrors: ["errors.rateLimited"] },
      { status: 429, headers: { "Retry-After": String(limit.retryAfter) } },
    );
  }
  const result = await createSubmission(db, { authorId: user.id, authorRole: user.role, input: submission.value });
  if (!result.ok) {
    await giveBackRateLimits(db, limit.slots);
    if (result.reason === "invalid") {
      return data({ result: submission.reply({ fieldErrors: result.fieldErrors }), similar: null, checked: false, formErrors: [] as string[] }, { status: 400 });
    }
    const message = result.reason === "windowNotOpen" ? "errors.submissionNotOpen" : result.reason === "windowClosed" ? "errors.submissionClosed" : "errors.noConsultation";
    return data({ result: submission.reply(), similar: null, checked: false, formErrors: [message] }, { status: 409 });
  }
  await rememberSimilarAfterCommit(args.context, result.id);
  return redirect(`/submissions/${result.id}`, 303);
}

export default function NewSubmission() {
  const { clusters, categories, stages, window, preselect } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const lastResult = actionData?.result ?? (preselect ? { initialValue: { cluster: preselect } } : undefined);
  return (
    <div className="narrow narrow--wide">
      <h1>{t("submission.new.title")}</h1>
      <p>{t("submission.new.intro")}</p>
      {window && window.phase !== "open" ? (
        <p className="notice" role="status">
          {window.phase === "upcoming" ? t("submission.new.opensOn") : t("submission.new.closedOn")}{" "}
          <DateText iso={window.phase === "upcoming" ? window.opensAt : window.closesAt} withTime />
        </p>
      ) : null}
      <SubmissionForm
        id="submission-new"
        lastResult={lastResult}
        formErrors={actionData?.formErrors}
        clusters={clusters}
        categories={categories}
        stages={stages}
        similar={actionData?.checked ? actionData.similar : null}
        submitLabel={t("submission.new.submit")}
        showSimilarCheck
      />
    </div>
  );
}
