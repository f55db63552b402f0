import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText } from "~/components/dates";
import { ErrorSummary, TextAreaField, TextField } from "~/components/form";
import { CategoryField, RejectReasonField } from "~/components/moderation";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { DecisionSchema } from "~/lib/moderation-schemas.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import {
  approveSubmission,
  decisionsFor,
  MERGE_TARGET_REFUSALS,
  MODERATION_REFUSALS,
  hideSubmission,
  listTagLog,
  mergeSubmission,
  rejectSubmission,
  restoreSubmission,
  tagSubmission,
} from "~/models/moderation.server";
import { likelyDuplicates } from "~/models/moderation-queue.server";
import { getSubmissionForViewer } from "~/models/submission.server";
import {
  getTranslations,
  listTranslationVersions,
  openFlagsOf,
  saveTranslation,
  translationLanguageFor,
  translationRefusal,
  TRANSLATION_REFUSALS,
} from "~/models/translation.server";
import { listCategories } from "~/models/taxonomy.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// The decision screen: approve with categories, reject with a reason,
// re-tag (logged), merge into another suggestion, hide or restore; and a
// link to correct the text (the original is kept in the history).
export async function loader(args: LoaderFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const id = idParam(args.params.id);
  const { db } = args.context;
  const s = await getSubmissionForViewer(db, { id, viewer: user });
  if (!s) notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  const [categories, tagLog, duplicates, translations, versions, flags] = await Promise.all([
    listCategories(db, { includeArchived: true }),
    listTagLog(db, id),
    likelyDuplicates(db, s.consultation_id, [{ id: s.id, title: s.title }], 5),
    getTranslations(db, id),
    listTranslationVersions(db, id),
    openFlagsOf(db, id),
  ]);
  // The translation is into the other language than the suggestion's own (the model's rule).
  const translationLanguage = translationLanguageFor(s.original_language);
  const translation = translations.find((tr) => tr.language === translationLanguage) ?? null;
  const categoryName = new Map(categories.map((c) => [c.slug, localName(c, lng)]));
  const names = (slugs: string[]) => slugs.map((slug) => categoryName.get(slug) ?? slug);
  return {
    title: `${t("moderation.decide")} #${id} · ${t("app.name")}`,
    submission: {
      id: s.id,
      title: s.title,
      problem: s.problem,
      proposal: s.proposal,
      expectedImpact: s.expected_impact,
      status: s.status,
      source: s.source,
      createdAt: s.created_at,
      cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng),
      organisation: s.organisation_name,
      verified: s.organisation_verified === 1,
      supporters: s.breadth.supporters,
      mergedInto: s.merged_into_id,
      rejectReasonCode: s.reject_reason_code,
      rejectReason: s.reject_reason,
      suggested: s.suggested_category_slug,
      current: s.categories.map((c) => c.slug),
      originalLanguage: s.original_language,
    },
    translation: {
      language: translationLanguage,
      canTranslate: translationRefusal(s, translationLanguage) === null,
      current: translation
        ? {
            title: translation.title,
            problem: translation.problem,
            proposal: translation.proposal,
            expectedImpact: translation.expected_impact,
            version: translation.version,
            translator: translation.translator_name,
            updatedAt: translation.updated_at,
          }
        : null,
      versions: versions.map((v) => ({
        id: v.id,
        language: v.language,
        version: v.version,
        title: v.title,
        translator: v.translator_name,
        createdAt: v.created_at,
      })),
      flags: flags.map((f) => ({ id: f.id, reason: f.reason, createdAt: f.created_at })),
    },
    /** the decisions that apply to it, as the model decides them */
    decisions: decisionsFor(s.status),
    // New choices offer active categories only; re-tagging may keep an archived one the suggestion already has.
    categories: categories.filter((c) => !c.archived).map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    tagCategories: categories
      .filter((c) => !c.archived || s.categories.some((sc) => sc.slug === c.slug))
      .map((c) => ({
        slug: c.slug,
        name: c.archived ? t("admin.taxonomy.shown.archivedName", { name: localName(c, lng) }) : localName(c, lng),
      })),
    duplicates: duplicates.get(s.id) ?? [],
    tagLog: tagLog.map((l) => ({
      id: l.id,
      before: names(l.before),
      after: names(l.after),
      reason: l.reason,
      createdAt: l.created_at,
      actor: l.actor_name,
    })),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, DecisionSchema);
  if (submission.status !== "success") return invalid(submission);
  const d = submission.value;
  const who = { id, moderatorId: user.id, moderatorRole: user.role };
  const db = args.context.db;
  if (d.intent === "translate") {
    const tr = await saveTranslation(db, {
      submissionId: id,
      language: d.language,
      text: { title: d.title, problem: d.problem, proposal: d.proposal, expected_impact: d.expectedImpact },
      translatorId: user.id,
      translatorRole: user.role,
    });
    if (!tr.ok) {
      if (tr.reason === "notFound") notFound();
      if (tr.reason === "invalid") return invalid(submission, { fieldErrors: tr.fieldErrors });
      if (tr.reason === "sameLanguage")
        return refuse(tr.reason, TRANSLATION_REFUSALS, { submission, field: "language", message: "translation.refused.sameLanguage" });
      return refuse(tr.reason, TRANSLATION_REFUSALS, { submission, message: `translation.refused.${tr.reason}` });
    }
    return redirect(`/moderation/submissions/${id}?translated=1#translation-title`, 303);
  }
  const r =
    d.intent === "approve"
      ? await approveSubmission(db, { ...who, categorySlugs: d.category })
      : d.intent === "tag"
        ? await tagSubmission(db, { ...who, categorySlugs: d.category, reason: d.reason })
        : d.intent === "reject"
          ? await rejectSubmission(db, { ...who, reasonCode: d.reasonCode, reason: d.reason })
          : d.intent === "merge"
            ? await mergeSubmission(db, { ...who, into: d.into, reason: d.reason })
            : d.intent === "hide"
              ? await hideSubmission(db, { ...who, reason: d.reason })
              : await restoreSubmission(db, { ...who, reason: d.reason });
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    if (r.reason === "invalid")
      return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: MODERATION_REFUSALS.invalid });
    if (MERGE_TARGET_REFUSALS.includes(r.reason))
      return refuse(r.reason, MODERATION_REFUSALS, { submission, field: "into", message: `moderation.merge.refused.${r.reason}` });
    return refuse(r.reason, MODERATION_REFUSALS, { submission, message: "moderation.refused.wrongState" });
  }
  // After a decision: the suggestion as it now is (a merged one links to its target).
  return redirect(`/submissions/${id}`, 303);
}

/** The form of one decision: its own fields and errors, given the action's answer only when it was this decision's. */
function useDecisionForm(intent: string, lastResult: ActionReply | undefined, defaultValue?: Record<string, string | string[]>) {
  return useForm<Record<string, string | string[]>>({
    id: intent,
    lastResult: lastResult?.initialValue?.intent === intent ? lastResult : undefined,
    defaultValue,
    shouldValidate: "onSubmit",
  });
}

export default function ModerationDecision() {
  const { submission: s, decisions, categories, tagCategories, duplicates, tagLog, translation } = useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [searchParams] = useSearchParams();
  const tr = translation.current;
  const [translateForm, translate] = useDecisionForm(
    "translate",
    lastResult,
    tr ? { title: tr.title, problem: tr.problem, proposal: tr.proposal, expectedImpact: tr.expectedImpact } : undefined,
  );
  const rtl = translation.language === "ur" ? "rtl" : "ltr";
  const current = s.current.length ? s.current : s.suggested ? [s.suggested] : [];
  const [approveForm, approve] = useDecisionForm("approve", lastResult, { category: current });
  const [tagForm, tag] = useDecisionForm("tag", lastResult, { category: s.current });
  const [mergeForm, merge] = useDecisionForm("merge", lastResult);
  const [rejectForm, reject] = useDecisionForm("reject", lastResult);
  const visibilityIntent = decisions.canHide ? "hide" : "restore";
  const [visibilityForm, visibility] = useDecisionForm(visibilityIntent, lastResult);
  const summary = [
    { field: approve.category },
    { field: tag.category },
    { field: tag.reason },
    { field: merge.into },
    { field: merge.reason },
    { field: reject.reasonCode },
    { field: reject.reason },
    { field: visibility.reason },
    { field: translate.language },
    { field: translate.title },
    { field: translate.problem },
    { field: translate.proposal },
    { field: translate.expectedImpact },
  ];
  // Form-level messages (a refusal by a rule, an unknown intent) whichever form was sent.
  const formErrors = [...formErrorsOf(lastResult), ...(lastResult?.error?.intent ?? [])];
  return (
    <div className="narrow narrow--wide stack">
      <h1>
        {t("moderation.decide")} #{s.id}
      </h1>
      <ErrorSummary fields={summary} formErrors={formErrors} />
      <section aria-labelledby="what-title" className="card">
        <h2 id="what-title">
          <Link to={`/submissions/${s.id}`}>
            <bdi>{s.title}</bdi>
          </Link>
        </h2>
        <dl className="facts">
          <dt>{t("moderation.queue.status")}</dt>
          <dd>{t(`status.${s.status}`)}</dd>
          <dt>{t("moderation.queue.cluster")}</dt>
          <dd>{s.cluster}</dd>
          <dt>{t("moderation.queue.organisation")}</dt>
          <dd>
            <bdi>{s.organisation ?? "—"}</bdi>{" "}
            {s.verified ? <span className="badge badge--ok">{t("moderation.queue.verified")}</span> : null}
          </dd>
          <dt>{t("moderation.queue.source")}</dt>
          <dd>{t(`source.${s.source}`)}</dd>
          <dt>{t("translation.originalLanguage")}</dt>
          <dd>{t(`translation.language.${s.originalLanguage}`)}</dd>
          <dt>{t("moderation.queue.submitted")}</dt>
          <dd>
            <DateText iso={s.createdAt} withTime />
          </dd>
          <dt>{t("cluster.supporters")}</dt>
          <dd>
            <NumberText value={s.supporters} />
          </dd>
          {s.mergedInto ? (
            <>
              <dt>{t("submission.mergedInto")}</dt>
              <dd>
                <Link to={`/submissions/${s.mergedInto}`}>#{s.mergedInto}</Link>
              </dd>
            </>
          ) : null}
          {s.rejectReasonCode ? (
            <>
              <dt>{t("moderation.reject.code")}</dt>
              <dd>
                {t(`rejectReason.${s.rejectReasonCode}`)}
                {s.rejectReason ? (
                  <>
                    {" — "}
                    <bdi>{s.rejectReason}</bdi>
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
        </dl>
        <h3>{t("submission.form.problem")}</h3>
        <p className="plain-text" dir="auto">
          {s.problem}
        </p>
        <h3>{t("submission.form.proposal")}</h3>
        <p className="plain-text" dir="auto">
          {s.proposal}
        </p>
        {s.expectedImpact ? (
          <>
            <h3>{t("submission.form.expectedImpact")}</h3>
            <p className="plain-text" dir="auto">
              {s.expectedImpact}
            </p>
          </>
        ) : null}
        {s.status !== "withdrawn" ? (
          <p>
            <Link to={`/submissions/${s.id}/edit`}>{t("moderation.correct")}</Link>
          </p>
        ) : null}
      </section>

      <section aria-labelledby="translation-title">
        <h2 id="translation-title">{t("translation.title", { language: t(`translation.language.${translation.language}`) })}</h2>
        {searchParams.get("translated") ? (
          <p className="notice" role="status">
            {t("translation.saved")}
          </p>
        ) : null}
        {translation.flags.length ? (
          <div className="notice">
            <h3>{t("translation.flags.title")}</h3>
            <ul className="plain">
              {translation.flags.map((f) => (
                <li key={f.id}>
                  <DateText iso={f.createdAt} withTime /> — <bdi>{f.reason}</bdi>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {tr ? (
          <p className="muted">
            {t("translation.current", { version: tr.version, translator: tr.translator ?? "—" })} · <DateText iso={tr.updatedAt} withTime />
          </p>
        ) : (
          <p className="muted">{t("translation.none")}</p>
        )}
        {translation.canTranslate ? (
          <Form method="post" {...getFormProps(translateForm)} className="stack">
            <input type="hidden" name="language" value={translation.language} />
            <TextField field={translate.title} label={t("submission.form.title")} dir={rtl} lang={translation.language} maxLength={150} />
            <TextAreaField
              field={translate.problem}
              label={t("submission.form.problem")}
              dir={rtl}
              lang={translation.language}
              maxLength={2000}
              required
            />
            <TextAreaField
              field={translate.proposal}
              label={t("submission.form.proposal")}
              dir={rtl}
              lang={translation.language}
              maxLength={2000}
              required
            />
            <TextAreaField
              field={translate.expectedImpact}
              label={t("submission.form.expectedImpact")}
              dir={rtl}
              lang={translation.language}
              maxLength={1000}
            />
            <button type="submit" name="intent" value="translate" className="button">
              {tr ? t("translation.update") : t("translation.save")}
            </button>
          </Form>
        ) : null}
        <h3>{t("translation.history.title")}</h3>
        {translation.versions.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("translation.history.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("translation.history.version")}</th>
                  <th scope="col">{t("moderation.tagLog.when")}</th>
                  <th scope="col">{t("moderation.tagLog.who")}</th>
                  <th scope="col">{t("submission.form.title")}</th>
                </tr>
              </thead>
              <tbody>
                {translation.versions.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <NumberText value={v.version} />
                    </td>
                    <td>
                      <DateText iso={v.createdAt} withTime />
                    </td>
                    <td>
                      <bdi>{v.translator ?? "—"}</bdi>
                    </td>
                    <td>
                      <bdi>{v.title}</bdi>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t("translation.history.none")}</p>
        )}
      </section>

      {decisions.canApprove ? (
        <section aria-labelledby="approve-title">
          <h2 id="approve-title">{t("moderation.approveTitle")}</h2>
          <Form method="post" {...getFormProps(approveForm)} className="stack">
            <CategoryField field={approve.category} categories={categories} legend={t("moderation.categories")} />
            <button type="submit" name="intent" value="approve" className="button">
              {t("moderation.approve")}
            </button>
          </Form>
        </section>
      ) : null}

      {decisions.canRetag ? (
        <section aria-labelledby="tag-title">
          <h2 id="tag-title">{t("moderation.tag.title")}</h2>
          <Form method="post" {...getFormProps(tagForm)} className="stack">
            <CategoryField field={tag.category} categories={tagCategories} legend={t("moderation.categories")} />
            <TextAreaField field={tag.reason} label={t("moderation.tag.reason")} rows={3} maxLength={2000} />
            <button type="submit" name="intent" value="tag" className="button">
              {t("moderation.tag.submit")}
            </button>
          </Form>
        </section>
      ) : null}

      {decisions.canMerge ? (
        <section aria-labelledby="merge-title">
          <h2 id="merge-title">{t("moderation.merge.title")}</h2>
          <p className="hint">{t("moderation.merge.hint")}</p>
          {duplicates.length ? (
            <>
              <h3>{t("moderation.queue.duplicates")}</h3>
              <ul className="plain">
                {duplicates.map((d) => (
                  <li key={d.id}>
                    <Link to={`/moderation/submissions/${d.id}`}>
                      #{d.id} <bdi>{d.title}</bdi>
                    </Link>{" "}
                    <span className="muted">({t(`status.${d.status}`)})</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <Form method="post" {...getFormProps(mergeForm)} className="stack">
            <TextField field={merge.into} label={t("moderation.merge.into")} inputMode="numeric" dir="ltr" />
            <TextAreaField field={merge.reason} label={t("moderation.merge.reason")} rows={3} maxLength={2000} />
            <button type="submit" name="intent" value="merge" className="button">
              {t("moderation.merge.submit")}
            </button>
          </Form>
        </section>
      ) : null}

      {decisions.canReject ? (
        <section aria-labelledby="reject-title">
          <h2 id="reject-title">{t("moderation.reject.title")}</h2>
          <Form method="post" {...getFormProps(rejectForm)} className="stack">
            <RejectReasonField field={reject.reasonCode} />
            <TextAreaField
              field={reject.reason}
              label={t("moderation.reject.reason")}
              hint={t("moderation.reject.reasonHint")}
              rows={3}
              maxLength={2000}
              required
            />
            <button type="submit" name="intent" value="reject" className="button button--danger">
              {t("moderation.reject.submit")}
            </button>
          </Form>
        </section>
      ) : null}

      {decisions.canHide || decisions.canRestore ? (
        <section aria-labelledby="visibility-title">
          <h2 id="visibility-title">{t("moderation.visibility.title")}</h2>
          <Form method="post" {...getFormProps(visibilityForm)} className="stack">
            <TextAreaField field={visibility.reason} label={t("moderation.visibility.reason")} rows={3} maxLength={2000} />
            {decisions.canHide ? (
              <button type="submit" name="intent" value="hide" className="button button--danger">
                {t("moderation.visibility.hide")}
              </button>
            ) : (
              <button type="submit" name="intent" value="restore" className="button">
                {t("moderation.visibility.restore")}
              </button>
            )}
          </Form>
        </section>
      ) : null}

      {decisions.none ? <p className="notice">{t("moderation.refused.nothingToDo")}</p> : null}

      <section aria-labelledby="taglog-title">
        <h2 id="taglog-title">{t("moderation.tagLog.title")}</h2>
        {tagLog.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("moderation.tagLog.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("moderation.tagLog.when")}</th>
                  <th scope="col">{t("moderation.tagLog.who")}</th>
                  <th scope="col">{t("moderation.tagLog.before")}</th>
                  <th scope="col">{t("moderation.tagLog.after")}</th>
                  <th scope="col">{t("moderation.tagLog.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {tagLog.map((l) => (
                  <tr key={l.id}>
                    <td>
                      <DateText iso={l.createdAt} withTime />
                    </td>
                    <td>
                      <bdi>{l.actor ?? "—"}</bdi>
                    </td>
                    <td>{l.before.join(", ") || "—"}</td>
                    <td>{l.after.join(", ")}</td>
                    <td>
                      <bdi>{l.reason ?? ""}</bdi>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t("moderation.tagLog.none")}</p>
        )}
      </section>
    </div>
  );
}
