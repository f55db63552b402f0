import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { DateText, NumberText } from "../components/dates";
import { DecisionErrorSummary, FieldError, type FieldErrorMap } from "../components/moderation";
import { RecommendationFields, ResponseFields, type RecommendationValues, type ResponseValues } from "../components/recommendation-form";
import { RecommendationFiguresSection } from "../components/recommendation-figures";
import { idParam, readForm } from "../lib/http.server";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { readRecommendationForm, readResponseForm, RecommendationSearchSchema, SourceNumberSchema } from "../lib/recommendation-schemas.server";
import { figuresView, sourceView } from "../lib/recommendation-view.server";
import { getRecommendation, linkSource, recordResponse, searchLinkableSubmissions, unlinkSource, updateRecommendation } from "../models/recommendation.server";
import { listCategories, listClusters } from "../models/taxonomy.server";
import { recommendationNumber } from "../lib/recommendation-reference";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

// One recommendation for organisers: edit it, link and unlink sources (by
// number or from a full-text search, `?q=`), see its figures, record the
// government response. `:id` is the n of R-n.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const id = idParam(args.params.id);
  const { db } = args.context;
  const r = await getRecommendation(db, { id });
  if (!r) throw data({ error: "notFound" }, { status: 404 });
  const { t, lng } = await getFixedT(args.request, args.context);
  const { q } = RecommendationSearchSchema.parse(Object.fromEntries(new URL(args.request.url).searchParams));
  const [clusters, categories, results] = await Promise.all([
    listClusters(db),
    listCategories(db),
    q ? searchLinkableSubmissions(db, { consultationId: r.consultation_id, q, excludeRecommendationId: r.id }) : [],
  ]);
  return {
    title: `${recommendationNumber(r.id)} · ${t("recommendation.organiserTitle")} · ${t("app.name")}`,
    recommendation: {
      id: r.id,
      title: r.title,
      status: r.status,
      values: {
        title: r.title,
        text: r.text,
        cluster: r.clusters.map((c) => c.slug),
        category: r.categories.map((c) => c.slug),
        priority: String(r.priority),
        dissent: r.dissent,
        status: r.status,
      } satisfies RecommendationValues,
      response: {
        responseStatus: r.response_status ?? "",
        responseText: r.response_text ?? "",
        responsibleAgency: r.responsible_agency ?? "",
        responseDate: r.response_date ?? "",
      } satisfies ResponseValues,
      sources: r.sources.map((s) => sourceView(s, lng)),
      figures: figuresView(r.figures, t, lng),
    },
    q: q ?? "",
    searched: Boolean(q),
    results: results.map((s) => ({ id: s.id, title: s.title, status: s.status, supporters: s.supporters_count, cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng) })),
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    categories: categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
  };
}

interface DetailActionData {
  intent: string;
  message?: string;
  fieldErrors?: FieldErrorMap;
  values?: Record<string, unknown>;
}

const INTENTS = ["update", "link", "unlink", "respond"];

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "organiser");
  const id = idParam(args.params.id);
  const form = await readForm(args.request);
  const intent = String(form.get("intent") ?? "");
  const db = args.context.db;
  const who = { actorId: user.id, actorRole: user.role };
  const answer = (status: number, body: Omit<DetailActionData, "intent">) => data<DetailActionData>({ intent, ...body }, { status });
  const back = redirect(`/organiser/recommendations/${id}`, 303);
  if (!INTENTS.includes(intent)) return answer(400, { message: "recommendation.errors.unknownIntent" });

  if (intent === "update") {
    const values = readRecommendationForm(form);
    const r = await updateRecommendation(db, { ...who, id, input: values });
    if (r.ok) return back;
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    if (r.reason === "invalid") return answer(400, { values, fieldErrors: r.fieldErrors });
    return answer(409, { values, message: "recommendation.errors.noConsultation" });
  }

  if (intent === "respond") {
    const values = readResponseForm(form);
    const r = await recordResponse(db, { ...who, id, input: values });
    if (r.ok) return back;
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    if (r.reason === "invalid") return answer(400, { values, fieldErrors: r.fieldErrors });
    return answer(409, { values, message: "recommendation.errors.notFinal" });
  }

  // link / unlink: `submission` = a suggestion number ("12" or "#12").
  const raw = String(form.get("submission") ?? "");
  const parsed = SourceNumberSchema.safeParse(raw);
  if (!parsed.success) return answer(400, { values: { submission: raw }, fieldErrors: { submission: ["recommendation.errors.sourceNumber"] } });
  const submissionId = parsed.data;
  if (intent === "unlink") {
    const r = await unlinkSource(db, { ...who, id, submissionId });
    if (!r.ok) throw data({ error: "notFound" }, { status: 404 });
    return back;
  }
  const r = await linkSource(db, { ...who, id, submissionId });
  if (r.ok) return back;
  if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
  return answer(422, { values: { submission: raw }, fieldErrors: { submission: [`recommendation.errors.link.${r.reason}`] } });
}

export default function OrganiserRecommendation() {
  const { recommendation: r, q, searched, results, clusters, categories } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as DetailActionData | undefined;
  const { t } = useTranslation();
  const errorsFor = (intent: string) => (actionData?.intent === intent ? (actionData.fieldErrors ?? {}) : {});
  const updateValues = actionData?.intent === "update" ? (actionData.values as unknown as RecommendationValues) : r.values;
  const responseValues = actionData?.intent === "respond" ? (actionData.values as unknown as ResponseValues) : r.response;
  const linkValue = actionData?.intent === "link" ? String(actionData.values?.submission ?? "") : "";
  const linkErrors = errorsFor("link").submission ?? errorsFor("unlink").submission;
  return (
    <div className="stack">
      <h1>
        {recommendationNumber(r.id)} <bdi>{r.title}</bdi>
      </h1>
      <p className="button-row">
        <Link to="/organiser/recommendations">{t("recommendation.backToList")}</Link>
        {r.status === "final" ? <Link to={`/recommendations/${r.id}`}>{t("recommendation.viewPublic")}</Link> : null}
        <span className="badge badge--ok">{t(`recommendation.status.${r.status}`, { defaultValue: r.status })}</span>
      </p>
      <DecisionErrorSummary message={actionData?.message} fieldErrors={actionData?.fieldErrors} prefix={actionData?.intent === "unlink" ? "link" : (actionData?.intent ?? "x")} />

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
        <Form method="post" className="stack narrow" id="link-form">
          <div className={`field${linkErrors?.length ? " field--error" : ""}`}>
            <label htmlFor="link-submission">{t("recommendation.sources.byNumber")}</label>
            <p className="hint" id="link-submission-hint">
              {t("recommendation.sources.byNumberHint")}
            </p>
            <FieldError id="link-submission-error" errors={linkErrors} />
            <input
              id="link-submission"
              name="submission"
              inputMode="numeric"
              dir="ltr"
              defaultValue={linkValue}
              aria-invalid={linkErrors?.length ? true : undefined}
              aria-describedby={linkErrors?.length ? "link-submission-hint link-submission-error" : "link-submission-hint"}
            />
          </div>
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

      <section aria-labelledby="edit-title" className="narrow narrow--wide">
        <h2 id="edit-title">{t("recommendation.edit")}</h2>
        <Form method="post" className="stack" id="update-recommendation">
          <RecommendationFields prefix="update" values={updateValues} errors={errorsFor("update")} clusters={clusters} categories={categories} />
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
        {r.status === "final" ? (
          <Form method="post" className="stack" id="respond-form">
            <ResponseFields values={responseValues} errors={errorsFor("respond")} />
            <button type="submit" name="intent" value="respond" className="button">
              {t("recommendation.response.submit")}
            </button>
          </Form>
        ) : (
          <p className="notice">{t("recommendation.response.needsFinal")}</p>
        )}
      </section>
    </div>
  );
}
