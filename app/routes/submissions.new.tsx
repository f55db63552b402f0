import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { DateText } from "~/components/dates";
import { SubmissionForm } from "~/components/submission-form";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, RULES, takeRateLimits } from "~/lib/rate-limit.server";
import { SubmissionFormSchema } from "~/lib/schemas";
import { securityEvent } from "~/lib/security.server";
import { getActiveConsultation, windowPhase } from "~/models/consultation.server";
import { rememberSimilarAfterCommit } from "~/models/moderation-queue.server";
import { createSubmission, findSimilarPublished, SUBMISSION_REFUSALS } from "~/models/submission.server";
import { taxonomyOptions } from "~/models/taxonomy.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

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
  const submission = await parseForm(args.request, SubmissionFormSchema);
  const { lng } = await getFixedT(args.request, args.context);

  // The form's second button (formNoValidate) names an intent; the main one none, so the intent is not part of the schema.
  if (submission.payload.intent === "check") {
    // "Check for similar" without JavaScript: list look-alikes, keep what was typed, create nothing.
    const consultation = await getActiveConsultation(db);
    const title = typeof submission.payload.title === "string" ? submission.payload.title.slice(0, 300) : "";
    const similar = consultation ? await findSimilarPublished(db, { consultationId: consultation.id, text: title }) : [];
    // A success payload: what was typed, without judging it (nothing was submitted yet), and the look-alikes.
    return data({
      checked: { initialValue: submission.reply({ resetForm: false }).initialValue },
      similar: similar.map((s) => ({
        id: s.id,
        title: s.title,
        supporters: s.supporters_count,
        cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng),
      })),
    });
  }

  if (submission.status !== "success") return invalid(submission);
  // The slot is taken before the suggestion is stored, atomically, so a burst stores
  // no more than the limit (ADR 0019); a refused or invalid suggestion gives it back.
  const limit = await takeRateLimits(db, [{ rule: RULES.submissions, key: String(user.id) }]);
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.submissions.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      headers: { "Retry-After": String(limit.retryAfter) },
    });
  }
  const result = await createSubmission(db, { authorId: user.id, authorRole: user.role, input: submission.value });
  if (!result.ok) {
    await giveBackRateLimits(db, limit.slots);
    if (result.reason === "invalid")
      return data(submission.reply({ fieldErrors: result.fieldErrors }), { status: SUBMISSION_REFUSALS.invalid });
    const message =
      result.reason === "windowNotOpen"
        ? "errors.submissionNotOpen"
        : result.reason === "windowClosed"
          ? "errors.submissionClosed"
          : "errors.noConsultation";
    return refuse(result.reason, SUBMISSION_REFUSALS, { submission, message });
  }
  await rememberSimilarAfterCommit(args.context, result.id);
  return redirect(`/submissions/${result.id}`, 303);
}

export default function NewSubmission() {
  const { clusters, categories, stages, window, preselect } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const reply = actionReply(actionData);
  const check = actionData && "checked" in actionData ? actionData : null;
  const { t } = useTranslation();
  const lastResult = reply ?? check?.checked ?? (preselect ? { initialValue: { cluster: preselect } } : undefined);
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
        formErrors={formErrorsOf(reply)}
        clusters={clusters}
        categories={categories}
        stages={stages}
        similar={check ? check.similar : null}
        submitLabel={t("submission.new.submit")}
        showSimilarCheck
      />
    </div>
  );
}
