import { getFormProps, useForm } from "@conform-to/react";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { NumberText } from "~/components/dates";
import { ErrorSummary, isChecked, SelectField, TextField } from "~/components/form";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { badRequest } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { recommendationNumber } from "~/lib/recommendation-reference";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { readSynthesisQuery, SynthesisFormSchema } from "~/lib/synthesis-schemas.server";
import { getActiveConsultation } from "~/models/consultation.server";
import {
  linkMany,
  listLinkTargets,
  listWorkbench,
  SYNTHESIS_PAGE_SIZE,
  SYNTHESIS_REFUSALS,
  type LinkManyRefusal,
} from "~/models/synthesis.server";
import { listCategories, listClusters, listStages } from "~/models/taxonomy.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// The synthesis workbench (issue 19, ADR 0029): the consultation's public
// suggestions, filtered like a cluster page plus "covered", most supported
// first; tick some and link them all to a draft recommendation or to a new one.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const query = readSynthesisQuery(new URL(args.request.url).searchParams);
  if (!query) badRequest();
  // Archived clusters and categories still filter (a shared link keeps working); the lists offer active ones.
  const [consultation, clusters, categories, stages] = await Promise.all([
    getActiveConsultation(db),
    listClusters(db, { includeArchived: true }),
    listCategories(db, { includeArchived: true }),
    listStages(db),
  ]);
  const cluster = query.cluster ? clusters.find((c) => c.slug === query.cluster) : undefined;
  const category = query.category ? categories.find((c) => c.slug === query.category) : undefined;
  const stage = query.stage ? stages.find((s) => s.slug === query.stage) : undefined;
  if ((query.cluster && !cluster) || (query.category && !category) || (query.stage && !stage)) badRequest();
  const page = query.page ?? 1;
  const [list, targets] = consultation
    ? await Promise.all([
        listWorkbench(db, {
          consultationId: consultation.id,
          clusterId: cluster?.id,
          categoryId: category?.id,
          stage: stage?.slug,
          q: query.q || undefined,
          covered: query.covered,
          page,
        }),
        listLinkTargets(db, consultation.id),
      ])
    : [{ total: 0, rows: [] }, []];
  return {
    title: `${t("synthesis.title")} · ${t("app.name")}`,
    active: Boolean(consultation),
    filters: { cluster: cluster?.slug, category: category?.slug, stage: stage?.slug, q: query.q, covered: query.covered },
    clusters: clusters.filter((c) => !c.archived || c.id === cluster?.id).map((c) => ({ value: c.slug, label: localName(c, lng) })),
    categories: categories.filter((c) => !c.archived || c.id === category?.id).map((c) => ({ value: c.slug, label: localName(c, lng) })),
    stages: stages.map((s) => ({ value: s.slug, label: localName(s, lng) })),
    total: list.total,
    page,
    pages: Math.max(1, Math.ceil(list.total / SYNTHESIS_PAGE_SIZE)),
    rows: list.rows.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      mergedInto: r.mergedInto,
      cluster: localName(r.cluster, lng),
      categories: r.categories.map((c) => localName(c, lng)),
      breadth: r.breadth,
      recommendations: r.recommendations,
    })),
    targets: targets.map((r) => ({ value: String(r.id), label: `${recommendationNumber(r.id)} ${r.title}` })),
  };
}

/** Where a refusal's message stands: next to the field it is about, or at the top. */
const REFUSAL_FIELD: Partial<Record<LinkManyRefusal, string>> = {
  empty: "submission",
  tooMany: "submission",
  titleRequired: "title",
  titleLength: "title",
  notFound: "recommendation",
  final: "recommendation",
};

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "organiser");
  const submission = await parseForm(args.request, SynthesisFormSchema);
  if (submission.status !== "success") return invalid(submission);
  const v = submission.value;
  const r = await linkMany(args.context.db, {
    actorId: user.id,
    actorRole: user.role,
    submissionIds: v.submission,
    recommendation: v.recommendation,
    title: v.title,
  });
  if (!r.ok)
    return refuse(r.reason, SYNTHESIS_REFUSALS, {
      submission,
      field: REFUSAL_FIELD[r.reason],
      message: `synthesis.refusals.${r.reason}`,
    });
  return data({ linked: { id: r.recommendationId, created: r.created, added: r.added, already: r.already } });
}

function linkedOf(value: unknown): { id: number; created: boolean; added: number; already: number } | undefined {
  return value && typeof value === "object" && "linked" in value ? (value as { linked: ReturnType<typeof linkedOf> }).linked : undefined;
}

export default function Synthesis() {
  const { active, filters, clusters, categories, stages, total, page, pages, rows, targets } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const reply = actionReply(answer);
  const linked = linkedOf(answer);
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string | string[]>>({
    id: "link-many",
    lastResult: reply,
    defaultValue: { recommendation: "new" },
    shouldValidate: "onSubmit",
  });
  const linkTo = (changes: Record<string, string | number | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, ...changes })) {
      if (v !== undefined && v !== "" && !(k === "page" && String(v) === "1")) p.set(k, String(v));
    }
    const s = p.toString();
    return s ? `?${s}` : "?";
  };
  const select = (name: string, label: string, options: Array<{ value: string; label: string }>, value?: string) => (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name} defaultValue={value ?? ""}>
        <option value="">{t("cluster.any")}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <div className="stack">
      <h1>{t("synthesis.title")}</h1>
      <p className="button-row">
        <Link to="/organiser">{t("synthesis.toDashboard")}</Link>
        <Link to="/organiser/recommendations">{t("synthesis.toRecommendations")}</Link>
      </p>
      <p>{t("synthesis.intro")}</p>
      {!active ? (
        <p className="notice">{t("organiser.noConsultation")}</p>
      ) : (
        <>
          <Form method="get" className="filters" role="search" aria-label={t("synthesis.filtersLabel")}>
            <div className="field filters__q">
              <label htmlFor="f-q">{t("cluster.search")}</label>
              <input id="f-q" type="search" name="q" defaultValue={filters.q ?? ""} dir="auto" />
            </div>
            {select("cluster", t("synthesis.cluster"), clusters, filters.cluster)}
            {select("category", t("cluster.category"), categories, filters.category)}
            {select("stage", t("cluster.stage"), stages, filters.stage)}
            {select(
              "covered",
              t("synthesis.covered"),
              [
                { value: "yes", label: t("synthesis.coveredYes") },
                { value: "no", label: t("synthesis.coveredNo") },
              ],
              filters.covered,
            )}
            <button type="submit" className="button">
              {t("cluster.apply")}
            </button>
          </Form>
          <p className="hint">{t("synthesis.coveredHelp")}</p>

          {linked ? (
            <p className="notice" role="status">
              {t(linked.created ? "synthesis.doneNew" : "synthesis.done", {
                count: linked.added,
                recommendation: recommendationNumber(linked.id),
              })}{" "}
              {t("synthesis.already", { count: linked.already })}{" "}
              <Link to={`/organiser/recommendations/${linked.id}`}>
                {t("synthesis.openRecommendation", { recommendation: recommendationNumber(linked.id) })}
              </Link>
            </p>
          ) : null}

          <ErrorSummary
            formErrors={formErrorsOf(reply)}
            fields={[
              { field: fields.submission, label: t("synthesis.select") },
              { field: fields.recommendation, label: t("synthesis.recommendation") },
              { field: fields.title, label: t("synthesis.newTitle") },
              // A post this form never makes (an unknown intent): its message alone.
              { field: fields.intent },
            ]}
          />
          <h2 id="results-title" role="status">
            {t("cluster.results", { count: total })}
          </h2>
          {rows.length === 0 ? (
            <p className="empty">{t("synthesis.empty")}</p>
          ) : (
            <Form method="post" {...getFormProps(form)} className="stack" aria-labelledby="results-title">
              <div className="table-wrap" id={fields.submission.id}>
                <table className="synthesis">
                  <caption className="visually-hidden">{t("synthesis.caption")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("synthesis.select")}</th>
                      <th scope="col">{t("synthesis.suggestion")}</th>
                      <th scope="col">{t("synthesis.cluster")}</th>
                      <th scope="col">{t("submission.categories")}</th>
                      <th scope="col">{t("cluster.supporters")}</th>
                      <th scope="col">{t("submission.breadth.organisations")}</th>
                      <th scope="col">{t("submission.breadth.provinces")}</th>
                      <th scope="col">{t("synthesis.inRecommendations")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.id} data-submission={r.id}>
                        <td>
                          <input
                            type="checkbox"
                            name="submission"
                            value={r.id}
                            id={`select-${r.id}`}
                            key={fields.submission.key}
                            defaultChecked={isChecked(fields.submission, String(r.id))}
                            aria-label={t("synthesis.selectOne", { id: r.id })}
                          />
                        </td>
                        <th scope="row">
                          <Link to={`/submissions/${r.id}`}>
                            #{r.id} <bdi>{r.title}</bdi>
                          </Link>
                          {r.mergedInto !== null ? (
                            <div className="muted">
                              {t("synthesis.mergedInto")} <Link to={`/submissions/${r.mergedInto}`}>#{r.mergedInto}</Link>
                            </div>
                          ) : null}
                        </th>
                        <td>{r.cluster}</td>
                        <td>
                          {r.categories.length ? (
                            <ul className="chips">
                              {r.categories.map((c) => (
                                <li key={c}>{c}</li>
                              ))}
                            </ul>
                          ) : null}
                        </td>
                        <td>
                          <NumberText value={r.breadth.supporters} />
                        </td>
                        <td>
                          <NumberText value={r.breadth.organisations} />
                        </td>
                        <td>
                          <NumberText value={r.breadth.provinces} />
                        </td>
                        <td>
                          {r.recommendations.length ? (
                            <ul className="plain">
                              {r.recommendations.map((rec) => (
                                <li key={rec.id}>
                                  <Link to={`/organiser/recommendations/${rec.id}`}>
                                    {recommendationNumber(rec.id)} <bdi>{rec.title}</bdi>
                                  </Link>{" "}
                                  <span className="muted">
                                    ({t(`recommendation.status.${rec.status}`, { defaultValue: rec.status })}
                                    {rec.viaMerge ? (
                                      <>
                                        {t("app.separator")}
                                        {t("synthesis.viaMerge")}
                                      </>
                                    ) : null}
                                    )
                                  </span>
                                </li>
                              ))}
                            </ul>
                          ) : (
                            <span className="muted">{t("synthesis.notCovered")}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <fieldset className="stack narrow">
                <legend>{t("synthesis.linkTitle")}</legend>
                <SelectField
                  field={fields.recommendation}
                  label={t("synthesis.recommendation")}
                  placeholder={t("synthesis.choose")}
                  options={[{ value: "new", label: t("synthesis.newDraft") }, ...targets]}
                  hint={t("synthesis.recommendationHint")}
                />
                <TextField field={fields.title} label={t("synthesis.newTitle")} hint={t("synthesis.newTitleHint")} dir="auto" />
                <button type="submit" name="intent" value="link-many" className="button">
                  {t("synthesis.submit")}
                </button>
              </fieldset>
            </Form>
          )}
          {pages > 1 ? (
            <nav className="pager" aria-label={t("pager.label")}>
              {page > 1 ? <Link to={linkTo({ page: page - 1 })}>{t("pager.previous")}</Link> : null}
              <span>{t("pager.position", { page, pages })}</span>
              {page < pages ? <Link to={linkTo({ page: page + 1 })}>{t("pager.next")}</Link> : null}
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}
