import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { useTranslation } from "react-i18next";
import { BarChart } from "~/components/charts";
import { DateText, NumberText } from "~/components/dates";
import { formatNumber } from "~/lib/format";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import type { PageCacheHandle } from "~/lib/page-cache";
import { recommendationNumber, STALE_AFTER_DAYS } from "~/lib/recommendation-reference";
import { asLanguage } from "~/lib/recommendation-language";
import { MissingVersionMark, ShownText } from "~/components/recommendation-language";
import { z } from "~/lib/zod-setup";
import { getAccountability, type AccountabilityRow } from "~/models/accountability.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { barChartGeometry } from "~/models/dashboard-charts.server";
import { listClusters } from "~/models/taxonomy.server";

// Kept for readers who are not signed in while the data is unchanged (app/lib/page-cache.ts).
// Signed-in stakeholders get it from a template too (ADR 0036): nothing here depends on who they are.
export const handle: PageCacheHandle = { pageCache: () => "shared", signedIn: true };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  { tagName: "link", rel: "alternate", type: "application/atom+xml", href: "/recommendations.atom", title: data?.feedTitle },
];

const QuerySchema = z.object({
  cluster: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .optional()
    .catch(undefined),
});

// Public (issue 16, item 5): every final recommendation with its response and
// latest progress; those without a response or without progress for 90 days
// are listed first, apart, each with its marker. `?cluster=` filters.
export async function loader(args: LoaderFunctionArgs) {
  const { db } = args.context;
  const { t, lng, digits } = await getFixedT(args.request, args.context);
  const query = QuerySchema.parse(Object.fromEntries(new URL(args.request.url).searchParams));
  const [consultation, clusters] = await Promise.all([getActiveConsultation(db), listClusters(db)]);
  const cluster = clusters.find((c) => c.slug === query.cluster);
  const data = consultation
    ? await getAccountability(db, { consultationId: consultation.id, clusterSlug: cluster?.slug, lang: asLanguage(lng) })
    : null;
  const n = (v: number) => formatNumber({ lng, digits }, v);
  const chart = (rows: Array<{ key: string; count: number }>, label: (key: string) => string) =>
    barChartGeometry({
      rows: rows.map((r) => ({ label: label(r.key), value: r.count, title: `${label(r.key)}: ${n(r.count)}` })),
      lng,
      digits,
    });
  const responseLabel = (k: string) =>
    k === "none" ? t("accountability.noResponse") : t(`recommendation.response.statuses.${k}`, { defaultValue: k });
  const progressLabel = (k: string) =>
    k === "none" ? t("accountability.noProgress") : t(`recommendation.progress.statuses.${k}`, { defaultValue: k });
  const view = (r: AccountabilityRow) => ({
    ...r,
    responseLabel: responseLabel(r.responseStatus ?? "none"),
    progressLabel: progressLabel(r.progressStatus ?? "none"),
  });
  return {
    title: `${t("accountability.title")} · ${t("app.name")}`,
    feedTitle: t("feeds.recommendationsLink"),
    cluster: cluster?.slug ?? "",
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    attention: data ? data.rows.filter((r) => r.needsAttention).map(view) : [],
    onTrack: data ? data.rows.filter((r) => !r.needsAttention).map(view) : [],
    charts: data
      ? {
          response: { g: chart(data.byResponse, responseLabel), rows: data.byResponse.map((r) => ({ ...r, label: responseLabel(r.key) })) },
          progress: { g: chart(data.byProgress, progressLabel), rows: data.byProgress.map((r) => ({ ...r, label: progressLabel(r.key) })) },
        }
      : null,
  };
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>["attention"][number];

function AccountabilityTable({ id, caption, rows }: { id: string; caption: string; rows: Row[] }) {
  const { t } = useTranslation();
  if (!rows.length) return <p className="muted">{t("accountability.noneInGroup")}</p>;
  return (
    <div className="table-wrap">
      <table id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("accountability.col.recommendation")}</th>
            <th scope="col">{t("accountability.col.supporters")}</th>
            <th scope="col">{t("accountability.col.response")}</th>
            <th scope="col">{t("accountability.col.agency")}</th>
            <th scope="col">{t("accountability.col.progress")}</th>
            <th scope="col">{t("accountability.col.sinceUpdate")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-recommendation={r.id}>
              <th scope="row">
                <Link to={`/recommendations/${r.id}`}>
                  {recommendationNumber(r.id)} <ShownText shown={r.localTitle} />
                </Link>
                {r.localTitle.fallback ? <MissingVersionMark /> : null}
                {r.noResponse ? (
                  <>
                    {" "}
                    <span className="badge badge--warning marker-no-response">{t("accountability.markerNoResponse")}</span>
                  </>
                ) : null}
                {r.stale ? (
                  <>
                    {" "}
                    <span className="badge badge--warning marker-stale">{t("accountability.markerStale", { days: STALE_AFTER_DAYS })}</span>
                  </>
                ) : null}
              </th>
              <td>
                <NumberText value={r.uniqueSupporters} />
              </td>
              <td>{r.responseLabel}</td>
              <td>{r.responsibleAgency ? <bdi>{r.responsibleAgency}</bdi> : "—"}</td>
              <td>
                {r.progressLabel}
                {r.progressDate ? (
                  <>
                    {" · "}
                    <DateText iso={`${r.progressDate}T00:00:00Z`} />
                  </>
                ) : null}
              </td>
              <td>
                {t("accountability.days", { count: r.daysSinceUpdate })} (<DateText iso={`${r.lastUpdate}T00:00:00Z`} />)
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CountTable({
  id,
  caption,
  heading,
  rows,
}: {
  id: string;
  caption: string;
  heading: string;
  rows: Array<{ key: string; label: string; count: number }>;
}) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{heading}</th>
            <th scope="col">{t("accountability.col.count")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>
                <NumberText value={r.count} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function Accountability() {
  const { cluster, clusters, attention, onTrack, charts } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <h1>{t("accountability.title")}</h1>
      <p>{t("accountability.intro", { days: STALE_AFTER_DAYS })}</p>
      <Form method="get" className="stack narrow" role="search">
        <div className="field">
          <label htmlFor="accountability-cluster">{t("accountability.cluster")}</label>
          <select id="accountability-cluster" name="cluster" defaultValue={cluster}>
            <option value="">{t("accountability.allClusters")}</option>
            {clusters.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--secondary">
          {t("accountability.filter")}
        </button>
      </Form>
      <p>
        <a href="/recommendations.atom" type="application/atom+xml">
          {t("feeds.recommendationsLink")}
        </a>
      </p>
      {charts ? (
        <section aria-labelledby="accountability-glance">
          <h2 id="accountability-glance">{t("accountability.glance")}</h2>
          {(
            [
              { id: "by-response", title: t("accountability.byResponse"), heading: t("accountability.col.response"), ...charts.response },
              { id: "by-progress", title: t("accountability.byProgress"), heading: t("accountability.col.progress"), ...charts.progress },
            ] as const
          ).map((c) => (
            <Fragment key={c.id}>
              <h3>{c.title}</h3>
              <BarChart id={`${c.id}-chart`} title={c.title} desc={t("accountability.chartDesc")} g={c.g} />
              <CountTable id={c.id} caption={c.title} heading={c.heading} rows={c.rows} />
            </Fragment>
          ))}
        </section>
      ) : null}
      <section aria-labelledby="needs-attention">
        <h2 id="needs-attention">{t("accountability.attentionTitle")}</h2>
        <AccountabilityTable id="accountability-attention" caption={t("accountability.attentionTitle")} rows={attention} />
      </section>
      <section aria-labelledby="on-track">
        <h2 id="on-track">{t("accountability.onTrackTitle")}</h2>
        <AccountabilityTable id="accountability-on-track" caption={t("accountability.onTrackTitle")} rows={onTrack} />
      </section>
    </div>
  );
}
