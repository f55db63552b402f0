// /stats: public participation figures of the active consultation (issue 16,
// item 6) — totals, then by cluster, province, organisation size and type, and
// week by week; each as a chart (SVG drawn on the server) and as a table (the
// chart's text alternative), each table also as CSV (/stats.csv?table=…).
// No figure identifies anyone: see app/models/public-stats.server.ts.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { BarChart, LineChart } from "~/components/charts";
import { DateText, NumberText } from "~/components/dates";
import { formatDate, formatNumber } from "~/lib/format";
import { getFixedT } from "~/lib/i18next.server";
import type { PageCacheHandle } from "~/lib/page-cache";
import { SMALL_CELL, STATS_DIMENSIONS, statsGroupLabel, type Figure } from "~/lib/stats-labels";
import { getActiveConsultation } from "~/models/consultation.server";
import { barChartGeometry, lineChartGeometry } from "~/models/dashboard-charts.server";
import { getPublicStats } from "~/models/public-stats.server";
import { listClusters } from "~/models/taxonomy.server";

// Kept for readers who are not signed in while the data is unchanged (app/lib/page-cache.ts).
// Signed-in stakeholders get it from a template too (ADR 0036): nothing here depends on who they are.
export const handle: PageCacheHandle = { pageCache: () => "shared", signedIn: true };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  const { db } = args.context;
  const { t, lng, digits } = await getFixedT(args.request, args.context);
  const title = `${t("stats.title")} · ${t("app.name")}`;
  const consultation = await getActiveConsultation(db);
  if (!consultation) return { title, stats: null };
  const [stats, clusters] = await Promise.all([getPublicStats(db, { consultationId: consultation.id }), listClusters(db)]);
  const n = (v: number) => formatNumber({ lng, digits }, v);
  const figure = (v: Figure) => (v === null ? t("stats.suppressed", { n: n(SMALL_CELL) }) : n(v));

  const breakdowns = STATS_DIMENSIONS.map((dimension) => {
    const rows = stats.by[dimension].map((r) => ({ ...r, label: statsGroupLabel(dimension, r.key, lng, t, clusters) }));
    const charted = rows.filter((r) => r.participants !== null && r.participants > 0);
    return {
      dimension,
      caption: t(`stats.by.${dimension}`),
      rows,
      left: rows.length - charted.length,
      g: barChartGeometry({
        rows: charted.map((r) => ({
          label: r.label,
          value: r.participants ?? 0,
          title: t("stats.barTitle", { label: r.label, participants: figure(r.participants) }),
        })),
        lng,
        digits,
      }),
    };
  });

  const weekLabel = (week: string) => formatDate({ lng, digits }, `${week}T00:00:00Z`, "day");
  const line = (key: "suggestions" | "supports") =>
    lineChartGeometry({
      days: stats.weeks.map((w) => w.week),
      // A suppressed week is drawn at zero; its point and the table say "fewer than 5".
      values: stats.weeks.map((w) => w[key] ?? 0),
      lng,
      digits,
      dayLabel: weekLabel,
      title: (week, value) => {
        const w = stats.weeks.find((x) => x.week === week);
        return t("stats.weekTitle", { week: weekLabel(week), value: w && w[key] === null ? figure(null) : n(value) });
      },
    });

  return {
    title,
    stats: {
      asOf: stats.asOf,
      totals: stats.totals,
      breakdowns,
      weeks: stats.weeks,
      lines: stats.weeks.length > 1 ? { suggestions: line("suggestions"), supports: line("supports") } : null,
    },
  };
}

function FigureText({ value }: { value: Figure }) {
  const { t } = useTranslation();
  if (value === null) {
    return <span className="muted">{t("stats.suppressed", { n: SMALL_CELL })}</span>;
  }
  return <NumberText value={value} />;
}

const MEASURES = ["participants", "organisations", "suggestions", "supports"] as const;

export default function Stats() {
  const { stats } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  if (!stats) {
    return (
      <div className="stack">
        <h1>{t("stats.title")}</h1>
        <p className="muted">{t("stats.noConsultation")}</p>
      </div>
    );
  }
  return (
    <div className="stack">
      <h1>{t("stats.title")}</h1>
      <p>{t("stats.intro", { n: SMALL_CELL })}</p>
      <p className="muted">
        {t("stats.asOf")} <DateText iso={stats.asOf} withTime />
      </p>
      <section aria-labelledby="totals-title">
        <h2 id="totals-title">{t("stats.totals")}</h2>
        <dl className="facts">
          {MEASURES.map((m) => (
            <div key={m}>
              <dt>{t(`stats.measure.${m}`)}</dt>
              <dd>
                <FigureText value={stats.totals[m]} />
              </dd>
            </div>
          ))}
        </dl>
      </section>
      {stats.breakdowns.map((b) => (
        <section key={b.dimension} aria-labelledby={`by-${b.dimension}`}>
          <h2 id={`by-${b.dimension}`}>{b.caption}</h2>
          {b.g.bars.length ? <BarChart id={`${b.dimension}-chart`} title={b.caption} desc={t("stats.barDesc")} g={b.g} /> : null}
          {b.left ? <p className="field-hint">{t("stats.leftOut", { count: b.left, n: SMALL_CELL })}</p> : null}
          <div className="table-wrap">
            <table id={`stats-${b.dimension}`}>
              <caption>{b.caption}</caption>
              <thead>
                <tr>
                  <th scope="col">{t(`stats.group.${b.dimension}`)}</th>
                  {MEASURES.map((m) => (
                    <th scope="col" key={m}>
                      {t(`stats.measure.${m}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.rows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">
                      <bdi>{r.label}</bdi>
                    </th>
                    {MEASURES.map((m) => (
                      <td key={m}>
                        <FigureText value={r[m]} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <a href={`/stats.csv?table=${b.dimension}`} download>
              {t("stats.csv", { table: b.caption })}
            </a>
          </p>
        </section>
      ))}
      <section aria-labelledby="by-week">
        <h2 id="by-week">{t("stats.by.week")}</h2>
        {stats.lines ? (
          <div className="chart-pair">
            <h3>{t("stats.measure.suggestions")}</h3>
            <LineChart
              id="weeks-suggestions"
              title={t("stats.suggestionsPerWeek")}
              desc={t("stats.lineDesc")}
              g={stats.lines.suggestions}
            />
            <h3>{t("stats.measure.supports")}</h3>
            <LineChart id="weeks-supports" title={t("stats.supportsPerWeek")} desc={t("stats.lineDesc")} g={stats.lines.supports} />
          </div>
        ) : null}
        {stats.weeks.length ? (
          <div className="table-wrap table-wrap--tall" tabIndex={0} role="region" aria-labelledby="weeks-caption">
            <table id="stats-week">
              <caption id="weeks-caption">{t("stats.by.week")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("stats.group.week")}</th>
                  <th scope="col">{t("stats.measure.suggestions")}</th>
                  <th scope="col">{t("stats.measure.supports")}</th>
                </tr>
              </thead>
              <tbody>
                {stats.weeks.map((w) => (
                  <tr key={w.week}>
                    <th scope="row">
                      <DateText iso={`${w.week}T00:00:00Z`} />
                    </th>
                    <td>
                      <FigureText value={w.suggestions} />
                    </td>
                    <td>
                      <FigureText value={w.supports} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t("stats.noActivity")}</p>
        )}
        <p>
          <a href="/stats.csv?table=week" download>
            {t("stats.csv", { table: t("stats.by.week") })}
          </a>
        </p>
      </section>
    </div>
  );
}
