import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText } from "~/components/dates";
import { ErrorSummary, TextField } from "~/components/form";
import { ProgressFields, RecommendationFields, ResponseFields, useRecommendationLabels } from "~/components/recommendation-form";
import { ProgressHistory } from "~/components/recommendation-progress";
import { RecommendationFiguresSection } from "~/components/recommendation-figures";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { RecommendationPageFormSchema, RecommendationSearchSchema } from "~/lib/recommendation-schemas.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { figuresView, sourceView } from "~/lib/recommendation-view.server";
import {
  getRecommendation,
  linkSource,
  RECOMMENDATION_REFUSALS,
  recommendationActions,
  recordResponse,
  searchLinkableSubmissions,
  unlinkSource,
  updateRecommendation,
} from "~/models/recommendation.server";
import { listProgress, progressRefusal, recordProgress } from "~/models/progress.server";
import { moreLikeThese } from "~/models/synthesis.server";
import { listCategories, listClusters } from "~/models/taxonomy.server";
import { recommendationNumber } from "~/lib/recommendation-reference";
import { asLanguage, recommendationIn, versionIn } from "~/lib/recommendation-language";
import { MissingVersionNote, ShownText } from "~/components/recommendation-language";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// One recommendation for organisers: edit it, link and unlink sources (by
// number or from a full-text search, `?q=`), see its figures, record the
// government response. `:id` is the n of R-n.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const id = idParam(args.params.id);
  const { db } = args.context;
  const r = await getRecommendation(db, { id });
  if (!r) notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  const { q } = RecommendationSearchSchema.parse(Object.fromEntries(new URL(args.request.url).searchParams));
  const [clusters, categories, progress, results, alike] = await Promise.all([
    listClusters(db),
    listCategories(db),
    listProgress(db, r.id),
    q ? searchLinkableSubmissions(db, { consultationId: r.consultation_id, q, excludeRecommendationId: r.id }) : [],
    moreLikeThese(db, { recommendationId: r.id }),
  ]);
  // The form edits both language versions (ADR 0032); the heading is the reader's one.
  const [en, ur] = [versionIn(r, "en"), versionIn(r, "ur")];
  const local = recommendationIn(r, asLanguage(lng));
  return {
    title: `${recommendationNumber(r.id)} · ${t("recommendation.organiserTitle")} · ${t("app.name")}`,
    recommendation: {
      id: r.id,
      title: local.title,
      missing: local.missing,
      status: r.status,
      // What the page offers, as the model decides it.
      ...recommendationActions(r.status),
      canReportProgress: progressRefusal(r.status) === null,
      values: {
        title: en?.title ?? "",
        text: en?.text ?? "",
        dissent: en?.dissent ?? "",
        titleUr: ur?.title ?? "",
        textUr: ur?.text ?? "",
        dissentUr: ur?.dissent ?? "",
        cluster: r.clusters.map((c) => c.slug),
        category: r.categories.map((c) => c.slug),
        priority: String(r.priority),
        status: r.status,
      },
      response: {
        responseStatus: r.response_status ?? "",
        responseText: r.response_text ?? "",
        responsibleAgency: r.responsible_agency ?? "",
        responseDate: r.response_date ?? "",
      },
      sources: r.sources.map((s) => sourceView(s, lng)),
      figures: figuresView(r.figures, t, lng),
      progress: progress.map(({ id, status, text, date, evidenceUrl }) => ({ id, status, text, date, evidenceUrl })),
    },
    q: q ?? "",
    searched: Boolean(q),
    results: results.map((s) => ({
      id: s.id,
      title: s.title,
      status: s.status,
      supporters: s.supporters_count,
      cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng),
    })),
    // "More like these" (issue 19): the published suggestions most like the sources, not linked yet.
    alike: alike.map((s) => ({ id: s.id, title: s.title, supporters: s.supporters, cluster: localName(s.cluster, lng) })),
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    categories: categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "organiser");
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, RecommendationPageFormSchema);
  if (submission.status !== "success") return invalid(submission);
  const v = submission.value;
  const db = args.context.db;
  const who = { actorId: user.id, actorRole: user.role };
  const back = redirect(`/organiser/recommendations/${id}`, 303);
  switch (v.intent) {
    case "update": {
      const { intent: _intent, ...input } = v;
      const r = await updateRecommendation(db, { ...who, id, input });
      if (r.ok) return back;
      if (r.reason === "notFound") notFound();
      if (r.reason === "invalid")
        return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: RECOMMENDATION_REFUSALS.invalid });
      return refuse(r.reason, RECOMMENDATION_REFUSALS, { submission, message: "recommendation.errors.noConsultation" });
    }
    case "respond": {
      const { intent: _intent, ...input } = v;
      const r = await recordResponse(db, { ...who, id, input });
      if (r.ok) return back;
      if (r.reason === "notFound") notFound();
      if (r.reason === "invalid")
        return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: RECOMMENDATION_REFUSALS.invalid });
      return refuse(r.reason, RECOMMENDATION_REFUSALS, { submission, message: "recommendation.errors.notFinal" });
    }
    case "progress": {
      const { intent: _intent, ...input } = v;
      const r = await recordProgress(db, { ...who, id, input });
      if (r.ok) return back;
      if (r.reason === "notFound") notFound();
      if (r.reason === "invalid")
        return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: RECOMMENDATION_REFUSALS.invalid });
      return refuse(r.reason, RECOMMENDATION_REFUSALS, { submission, message: "recommendation.progress.needsFinal" });
    }
    case "unlink": {
      const r = await unlinkSource(db, { ...who, id, submissionId: v.submission });
      if (!r.ok) notFound();
      return back;
    }
    case "link": {
      const r = await linkSource(db, { ...who, id, submissionId: v.submission });
      if (r.ok) return back;
      if (r.reason === "notFound") notFound();
      return refuse(r.reason, RECOMMENDATION_REFUSALS, {
        submission,
        field: "submission",
        message: `recommendation.errors.link.${r.reason}`,
      });
    }
  }
}

/** The answer to a post of this form (`intents`), if it was this form's. */
function replyFor(reply: ActionReply | undefined, ...intents: string[]): ActionReply | undefined {
  const intent = (reply?.initialValue as Record<string, unknown> | undefined)?.intent;
  return typeof intent === "string" && intents.includes(intent) ? reply : undefined;
}

export default function OrganiserRecommendation() {
  const { recommendation: r, q, searched, results, alike, clusters, categories } = useLoaderData<typeof loader>();
  const reply = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  // One form per intent; the page's error summary names the fields of the form that was posted.
  const [updateForm, updateFields] = useForm<Record<string, string | string[]>>({
    id: "update",
    lastResult: replyFor(reply, "update"),
    defaultValue: r.values,
    shouldValidate: "onSubmit",
  });
  const [respondForm, respondFields] = useForm<Record<string, string>>({
    id: "respond",
    lastResult: replyFor(reply, "respond"),
    defaultValue: r.response,
    shouldValidate: "onSubmit",
  });
  const [progressForm, progressFields] = useForm<Record<string, string>>({
    id: "progress",
    lastResult: replyFor(reply, "progress"),
    shouldValidate: "onSubmit",
  });
  const [linkForm, linkFields] = useForm<Record<string, string>>({
    id: "link",
    lastResult: replyFor(reply, "link", "unlink"),
    shouldValidate: "onSubmit",
  });
  const recommendationLabels = useRecommendationLabels();
  const responseLabels = {
    responseStatus: t("recommendation.response.status"),
    responseText: t("recommendation.response.text"),
    responsibleAgency: t("recommendation.response.agency"),
    responseDate: t("recommendation.response.date"),
  };
  const progressLabels = {
    progressStatus: t("recommendation.progress.status"),
    progressText: t("recommendation.progress.text"),
    progressDate: t("recommendation.progress.date"),
    evidenceUrl: t("recommendation.progress.evidence"),
  };
  const summaryFields = [
    ...Object.entries(recommendationLabels).map(([name, label]) => ({ field: updateFields[name], label })),
    ...Object.entries(responseLabels).map(([name, label]) => ({ field: respondFields[name], label })),
    ...Object.entries(progressLabels).map(([name, label]) => ({ field: progressFields[name], label })),
    { field: linkFields.submission, label: t("recommendation.sources.byNumber") },
  ];
  // A post no form of the page made (an unknown intent) has its message at the page level.
  const pageErrors = replyFor(reply, "update", "respond", "progress", "link", "unlink") ? [] : formErrorsOf(reply);
  const formErrors = [
    ...(updateForm.errors ?? []),
    ...(respondForm.errors ?? []),
    ...(progressForm.errors ?? []),
    ...(linkForm.errors ?? []),
    ...pageErrors,
  ];
  return (
    <div className="stack">
      <h1>
        {recommendationNumber(r.id)} <ShownText shown={r.title} />
      </h1>
      {r.missing ? <MissingVersionNote /> : null}
      <p className="button-row">
        <Link to="/organiser/recommendations">{t("recommendation.backToList")}</Link>
        {r.isPublic ? <Link to={`/recommendations/${r.id}`}>{t("recommendation.viewPublic")}</Link> : null}
        <span className="badge badge--ok">{t(`recommendation.status.${r.status}`, { defaultValue: r.status })}</span>
      </p>
      <ErrorSummary formErrors={[...new Set(formErrors)]} fields={summaryFields} />

      <RecommendationFiguresSection figures={r.figures} />

      <section aria-labelledby="sources-title">
        <h2 id="sources-title">{t("recommendation.sources.title")}</h2>
        {r.sources.length ? (
          <div className="table-wrap">
            <table className="sources">
              <caption className="visually-hidden">{t("recommendation.sources.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("recommendation.sources.suggestion")}</th>
                  <th scope="col">{t("recommendation.sources.cluster")}</th>
                  <th scope="col">{t("recommendation.sources.status")}</th>
                  <th scope="col">{t("recommendation.sources.ownSupporters")}</th>
                  <th scope="col">{t("recommendation.sources.organisations")}</th>
                  <th scope="col">{t("recommendation.sources.action")}</th>
                </tr>
              </thead>
              <tbody>
                {r.sources.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">
                      <Link to={`/submissions/${s.id}`}>
                        #{s.id} <bdi>{s.title}</bdi>
                      </Link>
                    </th>
                    <td>{s.cluster}</td>
                    <td>{t(`status.${s.status}`, { defaultValue: s.status })}</td>
                    <td>
                      <NumberText value={s.supporters} />
                    </td>
                    <td>
                      <NumberText value={s.organisations} />
                    </td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="submission" value={s.id} />
                        <button type="submit" name="intent" value="unlink" className="button button--secondary">
                          {t("recommendation.sources.unlink")}
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t("recommendation.sources.none")}</p>
        )}

        <h3>{t("recommendation.sources.linkTitle")}</h3>
        <Form method="post" {...getFormProps(linkForm)} className="stack narrow">
          <TextField
            field={linkFields.submission}
            label={t("recommendation.sources.byNumber")}
            hint={t("recommendation.sources.byNumberHint")}
            dir="ltr"
            inputMode="numeric"
          />
          <button type="submit" name="intent" value="link" className="button">
            {t("recommendation.sources.link")}
          </button>
        </Form>

        <Form method="get" className="stack narrow" role="search">
          <div className="field">
            <label htmlFor="source-search">{t("recommendation.sources.search")}</label>
            <input id="source-search" type="search" name="q" defaultValue={q} dir="auto" />
          </div>
          <button type="submit" className="button button--secondary">
            {t("recommendation.sources.searchSubmit")}
          </button>
        </Form>
        {searched ? (
          results.length ? (
            <div className="table-wrap">
              <table className="search-results">
                <caption>{t("recommendation.sources.results")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("recommendation.sources.suggestion")}</th>
                    <th scope="col">{t("recommendation.sources.cluster")}</th>
                    <th scope="col">{t("recommendation.sources.ownSupporters")}</th>
                    <th scope="col">{t("recommendation.sources.action")}</th>
                  </tr>
                </thead>
                <tbody>
                  {results.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">
                        <Link to={`/submissions/${s.id}`}>
                          #{s.id} <bdi>{s.title}</bdi>
                        </Link>{" "}
                        <span className="muted">({t(`status.${s.status}`, { defaultValue: s.status })})</span>
                      </th>
                      <td>{s.cluster}</td>
                      <td>
                        <NumberText value={s.supporters} />
                      </td>
                      <td>
                        <Form method="post">
                          <input type="hidden" name="submission" value={s.id} />
                          <button type="submit" name="intent" value="link" className="button button--secondary">
                            {t("recommendation.sources.link")}
                          </button>
                        </Form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">{t("recommendation.sources.noResults")}</p>
          )
        ) : null}
      </section>

      <section aria-labelledby="alike-title">
        <h2 id="alike-title">{t("synthesis.moreLike.title")}</h2>
        <p className="hint">{t("synthesis.moreLike.intro")}</p>
        {!r.sources.length ? (
          <p className="muted">{t("synthesis.moreLike.noSources")}</p>
        ) : alike.length ? (
          <div className="table-wrap">
            <table className="more-like">
              <caption className="visually-hidden">{t("synthesis.moreLike.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("recommendation.sources.suggestion")}</th>
                  <th scope="col">{t("recommendation.sources.cluster")}</th>
                  <th scope="col">{t("recommendation.sources.ownSupporters")}</th>
                  <th scope="col">{t("recommendation.sources.action")}</th>
                </tr>
              </thead>
              <tbody>
                {alike.map((s) => (
                  <tr key={s.id} data-submission={s.id}>
                    <th scope="row">
                      <Link to={`/submissions/${s.id}`}>
                        #{s.id} <bdi>{s.title}</bdi>
                      </Link>
                    </th>
                    <td>{s.cluster}</td>
                    <td>
                      <NumberText value={s.supporters} />
                    </td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="submission" value={s.id} />
                        <button
                          type="submit"
                          name="intent"
                          value="link"
                          className="button button--secondary"
                          aria-label={t("synthesis.moreLike.linkOne", { id: s.id })}
                        >
                          {t("recommendation.sources.link")}
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t("synthesis.moreLike.none")}</p>
        )}
      </section>

      <section aria-labelledby="edit-title" className="narrow narrow--wide">
        <h2 id="edit-title">{t("recommendation.edit")}</h2>
        <Form method="post" {...getFormProps(updateForm)} className="stack">
          <RecommendationFields fields={updateFields} clusters={clusters} categories={categories} />
          <button type="submit" name="intent" value="update" className="button">
            {t("recommendation.save")}
          </button>
        </Form>
      </section>

      <section aria-labelledby="respond-title" className="narrow narrow--wide">
        <h2 id="respond-title">{t("recommendation.response.title")}</h2>
        {r.response.responseStatus ? (
          <dl className="facts">
            <dt>{t("recommendation.response.status")}</dt>
            <dd>{t(`recommendation.response.statuses.${r.response.responseStatus}`, { defaultValue: r.response.responseStatus })}</dd>
            <dt>{t("recommendation.response.agency")}</dt>
            <dd>
              <bdi>{r.response.responsibleAgency}</bdi>
            </dd>
            <dt>{t("recommendation.response.date")}</dt>
            <dd>
              <DateText iso={`${r.response.responseDate}T00:00:00Z`} />
            </dd>
          </dl>
        ) : null}
        {r.canRespond ? (
          <Form method="post" {...getFormProps(respondForm)} className="stack">
            <ResponseFields fields={respondFields} />
            <button type="submit" name="intent" value="respond" className="button">
              {t("recommendation.response.submit")}
            </button>
          </Form>
        ) : (
          <p className="notice">{t("recommendation.response.needsFinal")}</p>
        )}
      </section>

      <section aria-labelledby="progress-form-title" className="narrow narrow--wide stack">
        <ProgressHistory entries={r.progress} />
        <h3 id="progress-form-title">{t("recommendation.progress.add")}</h3>
        {r.canReportProgress ? (
          <Form method="post" {...getFormProps(progressForm)} className="stack">
            <ProgressFields fields={progressFields} />
            <button type="submit" name="intent" value="progress" className="button">
              {t("recommendation.progress.submit")}
            </button>
          </Form>
        ) : (
          <p className="notice">{t("recommendation.progress.needsFinal")}</p>
        )}
      </section>
    </div>
  );
}
