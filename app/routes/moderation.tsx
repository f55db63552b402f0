import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText } from "~/components/dates";
import { ErrorSummary, isChecked, TextAreaField } from "~/components/form";
import { CategoryField, RejectReasonField } from "~/components/moderation";
import { StatusTable } from "~/components/status-table";
import { invalid, parseForm } from "~/lib/form-action.server";
import { pageParam } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { BulkDecisionSchema } from "~/lib/moderation-schemas.server";
import { QueueQuerySchema } from "~/lib/query-schemas.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { SUBMISSION_STATUSES } from "~/lib/reference";
import { getActiveConsultation } from "~/models/consultation.server";
import { bulkDecide, bulkDecisionsFor, MODERATION_REFUSALS, type BulkDecision } from "~/models/moderation.server";
import { listQueue } from "~/models/moderation-queue.server";
import { countUntranslatedByCluster, listOpenTranslationFlags, listTranslationQueue } from "~/models/translation.server";
import { countOpenReports, countSubmissionsByClusterAndStatus, listCategories, listClusters } from "~/models/taxonomy.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// The moderation queue: suggestions of the active consultation in one
// state (pending by default), oldest first, 50 a page, with likely duplicates;
// a bulk decision on a selection; and the overview by cluster and state.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  const { db } = args.context;
  const url = new URL(args.request.url);
  const query = QueueQuerySchema.parse(Object.fromEntries(url.searchParams));
  const page = pageParam(url.searchParams.get("page"), 10_000);
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const [clusters, categories, counts, openReports] = await Promise.all([
    // Suggestions already in an archived cluster still need moderating: filter and overview list every cluster.
    listClusters(db, { includeArchived: true }),
    listCategories(db),
    consultation ? countSubmissionsByClusterAndStatus(db, consultation.id) : [],
    countOpenReports(db),
  ]);
  const cluster = query.cluster ? clusters.find((c) => c.slug === query.cluster) : undefined;
  const translating = query.queue === "translate";
  const queue =
    consultation && !translating
      ? await listQueue(db, { consultationId: consultation.id, status: query.status, clusterId: cluster?.id, page })
      : { total: 0, pages: 1, rows: [] };
  const [toTranslate, untranslated, flags] = await Promise.all([
    consultation && translating ? listTranslationQueue(db, { consultationId: consultation.id, clusterId: cluster?.id, page }) : [],
    consultation && translating ? countUntranslatedByCluster(db, consultation.id) : new Map<number, number>(),
    listOpenTranslationFlags(db),
  ]);
  const untranslatedTotal = cluster ? (untranslated.get(cluster.id) ?? 0) : [...untranslated.values()].reduce((n, c) => n + c, 0);
  return {
    title: `${t("moderation.title")} · ${t("app.name")}`,
    filters: { status: query.status, cluster: cluster?.slug ?? "", queue: query.queue ?? "" },
    page,
    total: queue.total,
    pages: translating ? Math.max(1, Math.ceil(untranslatedTotal / 50)) : queue.pages,
    translation: translating
      ? {
          total: untranslatedTotal,
          rows: toTranslate.map((r) => ({
            id: r.id,
            title: r.title,
            originalLanguage: r.original_language,
            supporters: r.supporters_count,
            cluster: localName({ name_en: r.cluster_name_en, name_ur: r.cluster_name_ur }, lng),
          })),
          byCluster: clusters
            .map((c) => ({ slug: c.slug, name: localName(c, lng), count: untranslated.get(c.id) ?? 0 }))
            .filter((c) => c.count > 0),
        }
      : null,
    flags: flags.map((f) => ({ id: f.id, submissionId: f.submission_id, title: f.title, reason: f.reason, createdAt: f.created_at })),
    rows: queue.rows.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      source: r.source,
      createdAt: r.created_at,
      supporters: r.supporters_count,
      originalLanguage: r.original_language,
      cluster: localName({ name_en: r.cluster_name_en, name_ur: r.cluster_name_ur }, lng),
      organisation: r.organisation_name,
      organisationId: r.organisation_id,
      verified: r.organisation_verified === 1,
      author: r.author_name,
      duplicates: r.duplicates,
    })),
    clusters: clusters.map((c) => ({ id: c.id, slug: c.slug, name: localName(c, lng) })),
    categories: categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    counts,
    pending: counts.filter((c) => c.status === "pending").reduce((n, c) => n + c.count, 0),
    openReports,
    /** the bulk decisions offered for suggestions in this state, as the model decides them */
    bulk: bulkDecisionsFor(query.status),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const submission = await parseForm(args.request, BulkDecisionSchema);
  if (submission.status !== "success") return invalid(submission);
  const p = submission.value;
  const decision: BulkDecision =
    p.intent === "reject"
      ? { intent: "reject", reasonCode: p.reasonCode ?? "", reason: p.reason ?? "" }
      : p.intent === "tag"
        ? { intent: "tag", categorySlugs: p.category, reason: p.reason }
        : { intent: "approve", categorySlugs: p.category };
  const r = await bulkDecide(args.context.db, { ids: p.id, decision, moderatorId: user.id, moderatorRole: user.role });
  if (!r.ok) return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: MODERATION_REFUSALS.invalid });
  // Back to the same view of the queue, saying what was done.
  const back = new URL(args.request.url);
  back.searchParams.set("done", String(r.outcome.done.length));
  back.searchParams.set("refused", String(r.outcome.refused.length));
  back.searchParams.set("intent", p.intent);
  return redirect(`${back.pathname}${back.search}`, 303);
}

export default function ModerationQueue() {
  const { filters, page, total, pages, rows, clusters, categories, counts, pending, openReports, bulk, translation, flags } =
    useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string | string[]>>({ id: "bulk", lastResult, shouldValidate: "onSubmit" });
  const done = params.get("done");
  const refused = Number(params.get("refused") ?? 0) || 0;
  const pageLink = (p: number) => {
    const q = new URLSearchParams();
    if (filters.status !== "pending") q.set("status", filters.status);
    if (filters.cluster) q.set("cluster", filters.cluster);
    if (filters.queue) q.set("queue", filters.queue);
    if (p > 1) q.set("page", String(p));
    return `?${q}`;
  };
  return (
    <>
      <h1>{t("moderation.title")}</h1>
      <nav aria-label={t("moderation.tools")} className="subnav">
        <ul>
          <li>
            <Link to="/moderation/reports">{t("moderation.links.reports")}</Link>
          </li>
          <li>
            <Link to="/moderation/organisations">{t("moderation.links.organisations")}</Link>
          </li>
          <li>
            <Link to="/moderation/workshop">{t("moderation.links.workshop")}</Link>
          </li>
          <li>
            <Link to="/moderation/import">{t("moderation.links.import")}</Link>
          </li>
          <li>
            <Link to="/moderation?queue=translate">{t("translation.queue.link")}</Link>
          </li>
        </ul>
      </nav>
      <dl className="figures figures--large">
        <div>
          <dt>{t("moderation.pending")}</dt>
          <dd>
            <NumberText value={pending} />
          </dd>
        </div>
        <div>
          <dt>{t("moderation.openReports")}</dt>
          <dd>
            <Link to="/moderation/reports">
              <NumberText value={openReports} />
            </Link>
          </dd>
        </div>
      </dl>
      {done !== null ? (
        <p className="notice" role="status">
          {t("moderation.bulk.outcome", { count: Number(done) })}
          {refused > 0 ? <> {t("moderation.bulk.refused", { count: refused })}</> : null}
        </p>
      ) : null}

      <FlaggedTranslations flags={flags} />

      <Form method="get" className="filters" aria-label={t("moderation.queue.filters")}>
        {filters.queue ? <input type="hidden" name="queue" value={filters.queue} /> : null}
        {filters.queue ? null : (
          <div className="field">
            <label htmlFor="q-status">{t("moderation.queue.status")}</label>
            <select id="q-status" name="status" defaultValue={filters.status}>
              {SUBMISSION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="q-cluster">{t("moderation.queue.cluster")}</label>
          <select id="q-cluster" name="cluster" defaultValue={filters.cluster}>
            <option value="">{t("cluster.any")}</option>
            {clusters.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          {t("cluster.apply")}
        </button>
      </Form>

      {translation ? (
        <TranslationQueue translation={translation} />
      ) : (
        <>
          <h2 id="queue-title">{t("moderation.queue.title", { count: total, status: t(`status.${filters.status}`) })}</h2>
          <ErrorSummary
            formErrors={formErrorsOf(lastResult)}
            fields={[
              { field: fields.id },
              { field: fields.category },
              { field: fields.reasonCode },
              { field: fields.reason },
              { field: fields.intent },
            ]}
          />
          {rows.length === 0 ? (
            <p className="empty">{t("moderation.queue.empty")}</p>
          ) : (
            <Form method="post" {...getFormProps(form)} className="stack" aria-labelledby="queue-title">
              <div className="table-wrap">
                <table className="queue">
                  <caption className="visually-hidden">{t("moderation.queue.caption")}</caption>
                  <thead>
                    <tr>
                      {bulk.any ? <th scope="col">{t("moderation.queue.select")}</th> : null}
                      <th scope="col">{t("moderation.queue.suggestion")}</th>
                      <th scope="col">{t("moderation.queue.cluster")}</th>
                      <th scope="col">{t("moderation.queue.organisation")}</th>
                      <th scope="col">{t("moderation.queue.submitted")}</th>
                      <th scope="col">{t("moderation.queue.duplicates")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.id}>
                        {bulk.any ? (
                          <td>
                            <input
                              type="checkbox"
                              name="id"
                              value={r.id}
                              id={`select-${r.id}`}
                              key={fields.id.key}
                              defaultChecked={isChecked(fields.id, String(r.id))}
                              aria-label={t("moderation.queue.selectOne", { id: r.id })}
                            />
                          </td>
                        ) : null}
                        <th scope="row">
                          <Link to={`/moderation/submissions/${r.id}`}>
                            #{r.id} <bdi>{r.title}</bdi>
                          </Link>
                          <div className="muted">
                            {t(`translation.language.${r.originalLanguage}`)}
                            {" · "}
                            {t(`source.${r.source}`)}
                            {r.author ? (
                              <>
                                {" · "}
                                <bdi>{r.author}</bdi>
                              </>
                            ) : null}
                          </div>
                        </th>
                        <td>{r.cluster}</td>
                        <td>
                          {r.organisationId ? (
                            <Link to={`/moderation/organisations/${r.organisationId}`}>
                              <bdi>{r.organisation}</bdi>
                            </Link>
                          ) : (
                            "—"
                          )}
                          {r.verified ? <span className="badge badge--ok">{t("moderation.queue.verified")}</span> : null}
                        </td>
                        <td>
                          <DateText iso={r.createdAt} withTime />
                        </td>
                        <td>
                          {r.duplicates.length ? (
                            <ul className="plain">
                              {r.duplicates.map((d) => (
                                <li key={d.id}>
                                  <Link to={`/moderation/submissions/${d.id}`}>
                                    #{d.id} <bdi>{d.title}</bdi>
                                  </Link>{" "}
                                  <span className="muted">({t(`status.${d.status}`)})</span>
                                </li>
                              ))}
                            </ul>
                          ) : (
                            <span className="muted">{t("moderation.queue.noDuplicates")}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {bulk.any ? (
                <fieldset className="bulk" id="bulk-id">
                  <legend>{t("moderation.bulk.title")}</legend>
                  <p className="hint">{t("moderation.bulk.hint")}</p>
                  <CategoryField field={fields.category} categories={categories} legend={t("moderation.categories")} />
                  <div className="button-row">
                    {bulk.canApprove ? (
                      <button type="submit" name="intent" value="approve" className="button">
                        {t("moderation.bulk.approve")}
                      </button>
                    ) : null}
                    <button type="submit" name="intent" value="tag" className="button button--secondary">
                      {t("moderation.bulk.tag")}
                    </button>
                  </div>
                  <RejectReasonField field={fields.reasonCode} />
                  <TextAreaField
                    field={fields.reason}
                    label={t("moderation.reject.reason")}
                    hint={t("moderation.reject.reasonHint")}
                    rows={3}
                    maxLength={2000}
                  />
                  <button type="submit" name="intent" value="reject" className="button button--danger">
                    {t("moderation.bulk.reject")}
                  </button>
                </fieldset>
              ) : null}
            </Form>
          )}
        </>
      )}
      {pages > 1 ? (
        <nav className="pager" aria-label={t("pager.label")}>
          {page > 1 ? <Link to={pageLink(page - 1)}>{t("pager.previous")}</Link> : null}
          <span>{t("pager.position", { page, pages })}</span>
          {page < pages ? <Link to={pageLink(page + 1)}>{t("pager.next")}</Link> : null}
        </nav>
      ) : null}
      <StatusTable caption={t("moderation.byCluster")} clusters={clusters} counts={counts} />
    </>
  );
}

type QueueData = ReturnType<typeof useLoaderData<typeof loader>>;

/** Translations their authors say are wrong: open until a moderator saves a new version. */
function FlaggedTranslations({ flags }: { flags: QueueData["flags"] }) {
  const { t } = useTranslation();
  if (!flags.length) return null;
  return (
    <section aria-labelledby="flagged-title" className="notice">
      <h2 id="flagged-title">{t("translation.flagged.title")}</h2>
      <ul className="plain">
        {flags.map((f) => (
          <li key={f.id}>
            <Link to={`/moderation/submissions/${f.submissionId}#translation-title`}>
              #{f.submissionId} <bdi>{f.title}</bdi>
            </Link>{" "}
            — <bdi>{f.reason}</bdi> (<DateText iso={f.createdAt} withTime />)
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Published suggestions without a translation, most supported first, and how many per cluster. */
function TranslationQueue({ translation }: { translation: NonNullable<QueueData["translation"]> }) {
  const { t } = useTranslation();
  return (
    <>
      <h2 id="queue-title">{t("translation.queue.title", { count: translation.total })}</h2>
      <p className="hint">{t("translation.queue.intro")}</p>
      {translation.rows.length === 0 ? (
        <p className="empty">{t("translation.queue.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table className="queue">
            <caption className="visually-hidden">{t("translation.queue.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("moderation.queue.suggestion")}</th>
                <th scope="col">{t("translation.originalLanguage")}</th>
                <th scope="col">{t("moderation.queue.cluster")}</th>
                <th scope="col">{t("cluster.supporters")}</th>
              </tr>
            </thead>
            <tbody>
              {translation.rows.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/moderation/submissions/${r.id}#translation-title`}>
                      #{r.id} <bdi>{r.title}</bdi>
                    </Link>
                  </th>
                  <td>{t(`translation.language.${r.originalLanguage}`)}</td>
                  <td>{r.cluster}</td>
                  <td>
                    <NumberText value={r.supporters} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {translation.byCluster.length ? (
        <div className="table-wrap">
          <table>
            <caption>{t("translation.queue.byCluster")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("moderation.queue.cluster")}</th>
                <th scope="col">{t("translation.queue.count")}</th>
              </tr>
            </thead>
            <tbody>
              {translation.byCluster.map((c) => (
                <tr key={c.slug}>
                  <th scope="row">
                    <Link to={`/moderation?queue=translate&cluster=${c.slug}`}>{c.name}</Link>
                  </th>
                  <td>
                    <NumberText value={c.count} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
