import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { NumberText } from "~/components/dates";
import { StatusTable } from "~/components/status-table";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { SUBMISSION_STATUSES } from "~/lib/reference";
import { getActiveConsultation } from "~/models/consultation.server";
import { countSubmissionsByClusterAndStatus, listCategories, listClusters } from "~/models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

// Addresses, not words: the same in every language (docs/contract.md: /api/v1/*).
const API_PATHS = ["/api/v1/submissions", "/api/v1/recommendations", "/api/v1/clusters", "/api/v1/categories"];

const STATUSES = SUBMISSION_STATUSES;

// The organisers' exports area: every download with its filters (plain GET
// forms, so they work without JavaScript), and what each one contains.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const [clusters, categories, counts] = await Promise.all([
    listClusters(db, { includeArchived: true }),
    listCategories(db),
    consultation ? countSubmissionsByClusterAndStatus(db, consultation.id) : [],
  ]);
  return {
    title: `${t("exports.title")} · ${t("app.name")}`,
    // An archived cluster shows while this consultation has suggestions in it.
    clusters: clusters
      .filter((c) => !c.archived || counts.some((n) => n.clusterId === c.id))
      .map((c) => ({ id: c.id, slug: c.slug, name: localName(c, lng) })),
    categories: categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    counts,
    total: counts.reduce((n, c) => n + c.count, 0),
  };
}

export default function ExportsIndex() {
  const { clusters, categories, counts, total } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("exports.title")}</h1>
      <p>
        {t("exports.total")}:{" "}
        <strong>
          <NumberText value={total} />
        </strong>
      </p>

      <section aria-labelledby="exports-submissions">
        <h2 id="exports-submissions">{t("exports.submissions.title")}</h2>
        <p>{t("exports.submissions.contains")}</p>
        <p>{t("exports.submissions.privacy")}</p>
        <form method="get" action="/exports/submissions.csv" id="exports-submissions-form">
          <p>
            <label htmlFor="export-cluster">{t("exports.filters.cluster")}</label>{" "}
            <select id="export-cluster" name="cluster" defaultValue="">
              <option value="">{t("exports.filters.allClusters")}</option>
              {clusters.map((c) => (
                <option key={c.slug} value={c.slug}>
                  {c.name}
                </option>
              ))}
            </select>
          </p>
          <p>
            <label htmlFor="export-category">{t("exports.filters.category")}</label>{" "}
            <select id="export-category" name="category" defaultValue="">
              <option value="">{t("exports.filters.allCategories")}</option>
              {categories.map((c) => (
                <option key={c.slug} value={c.slug}>
                  {c.name}
                </option>
              ))}
            </select>
          </p>
          <p>
            <label htmlFor="export-status">{t("exports.filters.status")}</label>{" "}
            <select id="export-status" name="status" defaultValue="">
              <option value="">{t("exports.filters.defaultStatuses")}</option>
              <option value="all">{t("exports.filters.allStatuses")}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </p>
          <p>
            <button type="submit" formAction="/exports/submissions.csv">
              {t("exports.download.csv")}
            </button>{" "}
            <button type="submit" formAction="/exports/submissions.json">
              {t("exports.download.json")}
            </button>{" "}
            <button type="submit" formAction="/exports/submissions.xlsx">
              {t("exports.download.xlsx")}
            </button>
          </p>
        </form>
      </section>

      <section aria-labelledby="exports-recommendations">
        <h2 id="exports-recommendations">{t("exports.recommendations.title")}</h2>
        <p>{t("exports.recommendations.contains")}</p>
        <ul>
          <li>
            <a href="/exports/recommendations.csv" download>
              {t("exports.download.csv")}
            </a>
          </li>
          <li>
            <a href="/exports/recommendations.json" download>
              {t("exports.download.json")}
            </a>
          </li>
        </ul>
      </section>

      <section aria-labelledby="exports-left-out">
        <h2 id="exports-left-out">{t("exports.leftOut.title")}</h2>
        <p>{t("exports.leftOut.contains")}</p>
        <p>
          <a href="/exports/left-out.csv" download>
            {t("exports.download.csv")}
          </a>{" "}
          <a href="/organiser/coverage">{t("organiser.toCoverage")}</a>
        </p>
      </section>

      <section aria-labelledby="exports-annex">
        <h2 id="exports-annex">{t("exports.annex.title")}</h2>
        <p>{t("exports.annex.contains")}</p>
        <p>
          <a href="/exports/annex.xlsx" download>
            {t("exports.download.xlsx")}
          </a>
        </p>
      </section>

      <section aria-labelledby="exports-api">
        <h2 id="exports-api">{t("exports.api.title")}</h2>
        <p>{t("exports.api.contains")}</p>
        <ul>
          {API_PATHS.map((p) => (
            <li key={p}>
              <a href={p}>
                <code>{p}</code>
              </a>
            </li>
          ))}
        </ul>
      </section>

      <StatusTable caption={t("exports.byCluster")} clusters={clusters} counts={counts} />
    </>
  );
}
