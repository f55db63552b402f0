import { getFormProps, useForm } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { SplitBarChart } from "~/components/charts";
import { CoverageTable } from "~/components/coverage";
import { DateText, NumberText } from "~/components/dates";
import { ErrorSummary, TextAreaField } from "~/components/form";
import { coverageView, leftOutView } from "~/lib/coverage-view.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { badRequest, pageParam } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { RowId } from "~/lib/row-id";
import { z } from "~/lib/zod-setup";
import { getActiveConsultation } from "~/models/consultation.server";
import { COVERAGE_REFUSALS, coverageSnapshot, listUncovered, REASON_MAX, setCoverageReason } from "~/models/coverage.server";
import { nowMs } from "~/lib/clock.server";
import { splitBarGeometry } from "~/models/dashboard-charts.server";
import { listClusters } from "~/models/taxonomy.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

const PAGE_SIZE = 50;
const SLUG = /^[a-z0-9-]{1,60}$/;

/** The cluster named by `?cluster=` (none: all); a value that names no cluster is a 400. */
async function scope(args: LoaderFunctionArgs | ActionFunctionArgs) {
  const url = new URL(args.request.url);
  const slug = url.searchParams.get("cluster") ?? "";
  const clusters = await listClusters(args.context.db, { includeArchived: true });
  if (!slug) return { url, clusters, cluster: null };
  const cluster = SLUG.test(slug) ? clusters.find((c) => c.slug === slug) : undefined;
  if (!cluster) badRequest();
  return { url, clusters, cluster };
}

// The organisers' coverage page (issue 19, item 3; ADR 0030): how much of the
// consultation the final recommendations reflect, per cluster and category,
// and the suggestions left out, most supported first, each with the
// organisers' reason for leaving it out. `?cluster=` limits it to one cluster.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { url, clusters, cluster } = await scope(args);
  const page = pageParam(url.searchParams.get("page"));
  const { t, lng, digits } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const base = {
    title: `${t("coverage.title")} · ${t("app.name")}`,
    cluster: cluster?.slug ?? "",
    clusters: clusters.filter((c) => !c.archived || c.slug === cluster?.slug).map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    reasonMax: REASON_MAX,
  };
  if (!consultation) return { ...base, consultation: false as const };
  const clusterId = cluster?.id ?? null;
  const [snapshot, uncovered] = await Promise.all([
    coverageSnapshot(db, { consultationId: consultation.id, clusterId, now: nowMs() }),
    listUncovered(db, { consultationId: consultation.id, clusterId, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
  ]);
  const view = coverageView(snapshot.figures, t, lng, digits);
  const byCategory = view.byCategory;
  return {
    ...base,
    consultation: true as const,
    figuresAt: snapshot.at,
    overall: view.overall,
    byCluster: view.byCluster,
    byCategory,
    chart: splitBarGeometry({
      rows: byCategory.map((r) => ({
        label: r.name,
        part: r.coveredSuggestions,
        total: r.suggestions,
        title: t("coverage.barTitle", { name: r.name, covered: r.coveredSuggestions, total: r.suggestions, percent: r.suggestionShare }),
      })),
      partLabel: t("coverage.legendCovered"),
      restLabel: t("coverage.legendNotCovered"),
      lng,
      digits,
    }),
    uncovered: {
      total: uncovered.total,
      page,
      pages: Math.max(1, Math.ceil(uncovered.total / PAGE_SIZE)),
      rows: leftOutView(uncovered.rows, lng),
    },
  };
}

const ReasonFormSchema = z.object({
  intent: z.literal("reason"),
  submission: RowId,
  reason: z.string().max(REASON_MAX).optional(),
});

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "organiser");
  const { url, cluster } = await scope(args);
  const submission = await parseForm(args.request, ReasonFormSchema);
  if (submission.status !== "success") return invalid(submission);
  const consultation = await getActiveConsultation(args.context.db);
  const r = await setCoverageReason(args.context.db, {
    actorId: user.id,
    actorRole: user.role,
    consultationId: consultation?.id ?? null,
    submissionId: submission.value.submission,
    reason: submission.value.reason,
  });
  if (!r.ok) return refuse(r.reason, COVERAGE_REFUSALS, { submission, message: `coverage.refused.${r.reason}` });
  // Back to the same list (only validated values go into the address), at the suggestion.
  const back = new URLSearchParams();
  if (cluster) back.set("cluster", cluster.slug);
  const page = pageParam(url.searchParams.get("page"));
  if (page > 1) back.set("page", String(page));
  return redirect(`/organiser/coverage${back.size ? `?${back}` : ""}#left-out-${submission.value.submission}`, 303);
}

type Loaded = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { consultation: true }>;

/** A field no one types in (intent, submission) refused: the form was not sent by this page as it is. */
function badFormErrors(reply: ActionReply | undefined): string[] {
  return Object.keys(reply?.error ?? {}).some((k) => k !== "" && k !== "reason") ? ["coverage.badForm"] : [];
}

/** The answer to this row's last post, if it was this row's. */
function replyFor(reply: ActionReply | undefined, id: number): ActionReply | undefined {
  const initial = reply?.initialValue as Record<string, unknown> | undefined;
  return initial?.submission === String(id) ? reply : undefined;
}

function ReasonForm({
  row,
  reply,
  reasonMax,
}: {
  row: Loaded["uncovered"]["rows"][number];
  reply: ActionReply | undefined;
  reasonMax: number;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string>>({
    id: `reason-${row.id}`,
    lastResult: replyFor(reply, row.id),
    defaultValue: { reason: row.reason },
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <ErrorSummary
        formErrors={[...(form.errors ?? []), ...badFormErrors(replyFor(reply, row.id))]}
        fields={[{ field: fields.reason, label: t("coverage.reason") }]}
      />
      <input type="hidden" name="intent" value="reason" />
      <input type="hidden" name="submission" value={row.id} />
      <TextAreaField field={fields.reason} label={t("coverage.reason")} hint={t("coverage.reasonHint")} rows={2} maxLength={reasonMax} />
      {row.reasonBy && row.reasonAt ? (
        <p className="hint reason-by">
          {t("coverage.reasonBy", { name: row.reasonBy })} <DateText iso={row.reasonAt} />
        </p>
      ) : null}
      <button type="submit" className="button button--secondary">
        {t("coverage.save")}
      </button>
    </Form>
  );
}

function pageHref(cluster: string, page: number) {
  const q = new URLSearchParams();
  if (cluster) q.set("cluster", cluster);
  if (page > 1) q.set("page", String(page));
  return `/organiser/coverage${q.size ? `?${q}` : ""}`;
}

export default function Coverage() {
  const d = useLoaderData<typeof loader>();
  const reply = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  return (
    <div className="stack">
      <h1>{t("coverage.title")}</h1>
      <p>{t("coverage.intro")}</p>
      <p className="button-row">
        <Link to="/organiser/recommendations">{t("recommendation.organiserTitle")}</Link>
        <Link to={`/organiser/briefing${d.cluster ? `?cluster=${d.cluster}` : ""}`}>{t("recommendation.briefingLink")}</Link>
        <a href="/exports/left-out.csv">{t("coverage.csv")}</a>
      </p>
      <Form method="get" className="button-row" aria-label={t("coverage.filter")}>
        <label htmlFor="coverage-cluster">{t("coverage.cluster")}</label>
        <select id="coverage-cluster" name="cluster" defaultValue={d.cluster}>
          <option value="">{t("coverage.allClusters")}</option>
          {d.clusters.map((c) => (
            <option key={c.slug} value={c.slug}>
              {c.name}
            </option>
          ))}
        </select>
        <button type="submit" className="button button--secondary">
          {t("coverage.show")}
        </button>
      </Form>
      {reply && !(d.consultation && d.uncovered.rows.some((r) => replyFor(reply, r.id))) ? (
        // A post no row of this page could have sent (or about a suggestion not listed): said here.
        <ErrorSummary
          fields={[]}
          formErrors={[...formErrorsOf(reply), ...badFormErrors(reply), ...(reply.error?.reason ? ["coverage.badForm"] : [])]}
        />
      ) : null}
      {!d.consultation ? (
        <p className="muted">{t("coverage.noConsultation")}</p>
      ) : (
        <>
          <section aria-labelledby="coverage-overall">
            <h2 id="coverage-overall">{t("coverage.overall")}</h2>
            <p className="hint">
              {t("coverage.asOf")} <DateText iso={d.figuresAt} />
            </p>
            <dl className="figures figures--large">
              <div>
                <dt>{t("coverage.suggestionsCovered")}</dt>
                <dd className="overall-suggestions">
                  {d.overall.suggestionShare} (<NumberText value={d.overall.coveredSuggestions} />
                  {" / "}
                  <NumberText value={d.overall.suggestions} />)
                </dd>
              </div>
              <div>
                <dt>{t("coverage.supportersCovered")}</dt>
                <dd className="overall-supporters">
                  {d.overall.supporterShare} (<NumberText value={d.overall.coveredSupporters} />
                  {" / "}
                  <NumberText value={d.overall.supporters} />)
                </dd>
              </div>
            </dl>
          </section>
          <section aria-labelledby="coverage-by-category" className="stack">
            <h2 id="coverage-by-category">{t("coverage.byCategory")}</h2>
            {d.byCategory.length ? (
              <>
                <SplitBarChart id="coverage-chart" title={t("coverage.chartTitle")} desc={t("coverage.chartDesc")} g={d.chart} />
                <CoverageTable
                  id="coverage-categories"
                  caption={t("coverage.byCategory")}
                  nameHeader={t("coverage.col.category")}
                  rows={d.byCategory}
                />
              </>
            ) : (
              <p className="muted">{t("coverage.nothing")}</p>
            )}
          </section>
          {d.byCluster.length ? (
            <section aria-labelledby="coverage-by-cluster">
              <h2 id="coverage-by-cluster">{t("coverage.byCluster")}</h2>
              <CoverageTable
                id="coverage-clusters"
                caption={t("coverage.byCluster")}
                nameHeader={t("coverage.col.cluster")}
                rows={d.byCluster}
              />
            </section>
          ) : null}
          <section aria-labelledby="left-out" className="stack">
            <h2 id="left-out">{t("coverage.leftOut")}</h2>
            <p>{t("coverage.leftOutIntro")}</p>
            <p className="left-out-count">{t("coverage.leftOutCount", { count: d.uncovered.total })}</p>
            {d.uncovered.rows.length ? (
              <ol className="left-out stack">
                {d.uncovered.rows.map((r) => (
                  <li key={r.id} id={`left-out-${r.id}`} data-submission={r.id} className="card stack">
                    <h3>
                      <Link to={`/submissions/${r.id}`}>
                        #{r.id} <bdi>{r.title}</bdi>
                      </Link>
                    </h3>
                    <p>
                      {r.cluster}
                      {t("app.separator")}
                      {t("coverage.col.supporters")}: <NumberText value={r.supporters} />
                    </p>
                    <ReasonForm row={r} reply={reply} reasonMax={d.reasonMax} />
                  </li>
                ))}
              </ol>
            ) : (
              <p className="muted">{t("coverage.noneLeftOut")}</p>
            )}
            {d.uncovered.pages > 1 ? (
              <nav aria-label={t("pager.label")} className="button-row">
                {d.uncovered.page > 1 ? <Link to={pageHref(d.cluster, d.uncovered.page - 1)}>{t("pager.previous")}</Link> : null}
                <span>{t("pager.position", { page: d.uncovered.page, pages: d.uncovered.pages })}</span>
                {d.uncovered.page < d.uncovered.pages ? (
                  <Link to={pageHref(d.cluster, d.uncovered.page + 1)}>{t("pager.next")}</Link>
                ) : null}
              </nav>
            ) : null}
          </section>
        </>
      )}
    </div>
  );
}
