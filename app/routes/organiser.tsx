// The organiser dashboard: cluster × category heat map, top suggestions
// per cluster, activity per day, participation and the moderation backlog.
// Every figure is a SQL aggregate (app/models/dashboard.server.ts); chart
// geometry is computed here on the server, so the page needs no JavaScript.
// The figures are a snapshot at most a minute old, with its time on the page
// and a form to read them again now (ADR 0017).
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { BarChart, HeatMap, LineChart } from "~/components/charts";
import { DateText, NumberText } from "~/components/dates";
import { formatDate, formatNumber, type Digits } from "~/lib/format";
import { DashboardFormSchema } from "~/lib/admin-schemas.server";
import { invalid, parseForm } from "~/lib/form-action.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { PROVINCES, SIZE_BANDS } from "~/lib/reference";
import { getActiveConsultation } from "~/models/consultation.server";
import { barChartGeometry, heatMapGeometry, lineChartGeometry } from "~/models/dashboard-charts.server";
import { getDashboardSnapshot, type DashboardSnapshot } from "~/models/dashboard-snapshot.server";
import type { Participation } from "~/models/dashboard.server";
import { listCategories, listClusters } from "~/models/taxonomy.server";
import type { PageCacheHandle } from "~/lib/page-cache";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// The same page for every organiser (of one role, language and digits): kept as a template (ADR 0036) while
// the database is unchanged and no newer snapshot was taken (the loader and the action say which they showed).
export const handle: PageCacheHandle = { signedIn: true };

const DAY_MS = 86_400_000;

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { t, lng, digits } = await getFixedT(args.request, args.context);
  const title = `${t("organiser.title")} · ${t("app.name")}`;
  const consultation = await getActiveConsultation(db);
  if (!consultation) return { title, dashboard: null };
  const [clusters, categories] = await Promise.all([listClusters(db), listCategories(db)]);
  const snapshot = await getDashboardSnapshot(db, { consultationId: consultation.id, clusterIds: clusters.map((c) => c.id) });
  args.context.snapshotTaken?.(`dashboard:${consultation.id}`, snapshot.asOf);
  // The page's figures, chart geometry and labels are the same for every view
  // of one snapshot in one language (hundreds of translated titles): built
  // once per snapshot, language, digits and taxonomy names.
  let pages = pageMemo.get(snapshot);
  if (!pages) pageMemo.set(snapshot, (pages = new Map()));
  const key = JSON.stringify([
    lng,
    digits,
    clusters.map((c) => [c.id, c.slug, c.name_en, c.name_ur]),
    categories.map((c) => [c.id, c.slug, c.name_en, c.name_ur]),
  ]);
  let dashboard = pages.get(key);
  if (!dashboard) {
    dashboard = dashboardPage(snapshot, { clusters, categories, t, lng, digits });
    if (pages.size >= 16) pages.clear();
    pages.set(key, dashboard);
  }
  return { title, dashboard };
}

const pageMemo = new WeakMap<DashboardSnapshot, Map<string, ReturnType<typeof dashboardPage>>>();

type Taxonomy = Awaited<ReturnType<typeof listClusters>>;

function dashboardPage(
  { asOf, dashboard: d }: DashboardSnapshot,
  {
    clusters,
    categories,
    t,
    lng,
    digits,
  }: { clusters: Taxonomy; categories: Awaited<ReturnType<typeof listCategories>>; t: TFunction; lng: string; digits: Digits },
) {
  // Ages (the oldest waiting suggestion) are counted at the snapshot's time, like every other figure.
  const now = new Date(asOf);
  const n = (v: number) => formatNumber({ lng, digits }, v);
  // "3 supporters", "1 supporter": the noun agrees with the number in both languages.
  const counted = (noun: "suggestions" | "supporters" | "organisations", v: number) => t(`organiser.counts.${noun}`, { count: v, n: n(v) });

  const clusterRows = clusters.map((c) => ({ id: c.id, slug: c.slug, name: localName(c, lng) }));
  const categoryRows = categories.map((c) => ({ id: c.id, slug: c.slug, name: localName(c, lng) }));
  const cellOf = (clusterId: number, categoryId: number) =>
    d.matrix.find((m) => m.clusterId === clusterId && m.categoryId === categoryId) ?? {
      submissions: 0,
      supporters: 0,
      organisations: 0,
      verifiedOrganisations: 0,
    };
  const matrix = categoryRows.map((cat) => ({
    ...cat,
    cells: clusterRows.map((cl) => ({ cluster: cl.slug, href: workbenchHref(cl.slug, cat.slug), ...cellOf(cl.id, cat.id) })),
  }));
  const heat = heatMapGeometry({
    rows: categoryRows.map((c) => ({ key: c.slug, label: c.name })),
    cols: clusterRows.map((c) => ({ key: c.slug, label: c.name })),
    cell: (catSlug, clSlug) => {
      const cat = categoryRows.find((c) => c.slug === catSlug)!;
      const cl = clusterRows.find((c) => c.slug === clSlug)!;
      const v = cellOf(cl.id, cat.id);
      return {
        value: v.submissions,
        href: workbenchHref(cl.slug, cat.slug),
        title: t("organiser.cellTitle", {
          cluster: cl.name,
          category: cat.name,
          submissions: counted("suggestions", v.submissions),
          supporters: counted("supporters", v.supporters),
          organisations: counted("organisations", v.organisations),
          verified: n(v.verifiedOrganisations),
        }),
      };
    },
    legendTitle: t("organiser.legend"),
    lng,
    digits,
  });

  const dayLabel = (day: string) => formatDate({ lng, digits }, `${day}T00:00:00Z`, "day");
  const days = d.perDay.map((p) => p.day);
  const lineFor = (key: "submissions" | "supports") =>
    lineChartGeometry({
      days,
      values: d.perDay.map((p) => p[key]),
      lng,
      digits,
      dayLabel,
      title: (day, value) => `${dayLabel(day)}: ${n(value)}`,
    });

  const bars = (rows: Participation[], label: (key: string | null) => string) =>
    barChartGeometry({
      rows: rows.map((r) => ({
        label: label(r.key),
        value: r.supporters,
        title: t("organiser.barTitle", {
          label: label(r.key),
          supporters: counted("supporters", r.supporters),
          organisations: counted("organisations", r.organisations),
        }),
      })),
      lng,
      digits,
    });
  const clusterName = (key: string | null) => clusterRows.find((c) => String(c.id) === key)?.name ?? t("organiser.none");
  const ordered = (rows: Participation[], order: readonly string[]) =>
    [...rows].sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : order.indexOf(a.key) - order.indexOf(b.key)));
  const bySize = ordered(d.participation.bySize, SIZE_BANDS);
  const byProvince = ordered(d.participation.byProvince, PROVINCES);
  const sizeName = (key: string | null) => (key ? t(`sizeBand.${key}`) : t("organiser.none"));
  const provinceName = (key: string | null) => (key ? t(`province.${key}`) : t("organiser.none"));
  const participation = [
    {
      id: "p-cluster",
      caption: t("organiser.participationByCluster"),
      rows: d.participation.byCluster.map((r) => ({ ...r, name: clusterName(r.key) })),
      g: bars(d.participation.byCluster, clusterName),
    },
    {
      id: "p-size",
      caption: t("organiser.participationBySize"),
      rows: bySize.map((r) => ({ ...r, name: sizeName(r.key) })),
      g: bars(bySize, sizeName),
    },
    {
      id: "p-province",
      caption: t("organiser.participationByProvince"),
      rows: byProvince.map((r) => ({ ...r, name: provinceName(r.key) })),
      g: bars(byProvince, provinceName),
    },
  ];

  return {
    asOf,
    clusters: clusterRows,
    matrix,
    heat,
    top: d.top.map((x) => ({ ...x, name: clusterRows.find((c) => c.id === x.clusterId)!.name })),
    perDay: d.perDay,
    lines: { submissions: lineFor("submissions"), supports: lineFor("supports") },
    participation,
    backlog: d.backlog.map((b) => ({
      ...b,
      name: clusterRows.find((c) => c.id === b.clusterId)!.name,
      ageDays: b.oldestPendingAt ? Math.floor((now.getTime() - Date.parse(b.oldestPendingAt)) / DAY_MS) : null,
    })),
    openReports: d.openReports,
  };
}

/** "Read the figures again now": a new snapshot unless the last one is only seconds old (DASHBOARD_MIN_REFRESH_MS). */
export async function action(args: ActionFunctionArgs) {
  await requireRole(args, "organiser");
  const submission = await parseForm(args.request, DashboardFormSchema);
  if (submission.status !== "success") return invalid(submission);
  const { db } = args.context;
  const consultation = await getActiveConsultation(db);
  if (consultation) {
    const clusters = await listClusters(db);
    const snapshot = await getDashboardSnapshot(db, {
      consultationId: consultation.id,
      clusterIds: clusters.map((c) => c.id),
      refresh: true,
    });
    args.context.snapshotTaken?.(`dashboard:${consultation.id}`, snapshot.asOf);
  }
  return redirect("/organiser", 303);
}

/** A heat-map cell opens the synthesis workbench on its cluster and category (issue 19). */
function workbenchHref(cluster: string, category: string): string {
  return `/organiser/synthesis?${new URLSearchParams({ cluster, category })}`;
}

export default function Organiser() {
  const { dashboard: d } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  if (!d) {
    return (
      <>
        <h1>{t("organiser.title")}</h1>
        <p>{t("organiser.noConsultation")}</p>
      </>
    );
  }
  return (
    <>
      <h1>{t("organiser.title")}</h1>
      <p className="button-row">
        <Link to="/organiser/synthesis">{t("synthesis.navLink")}</Link>
        <Link to="/organiser/recommendations">{t("synthesis.toRecommendations")}</Link>
      </p>
      <Form method="post" className="dashboard-as-of">
        <p className="dashboard-as-of__time">
          {t("organiser.asOf")} <DateText iso={d.asOf} style="longWithSeconds" />
        </p>
        <p className="hint">{t("organiser.freshness")}</p>
        <button type="submit" name="intent" value="refresh" className="button button--secondary">
          {t("organiser.refresh")}
        </button>
      </Form>

      <section aria-labelledby="matrix-title" className="dashboard-section">
        <h2 id="matrix-title">{t("organiser.matrixTitle")}</h2>
        <div className="chart-and-table">
          <HeatMap id="matrix-chart" title={t("organiser.matrixTitle")} desc={t("organiser.matrixDesc")} g={d.heat} />
          <div className="table-wrap">
            <table className="dashboard-matrix">
              <caption>{t("organiser.matrixCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("organiser.category")}</th>
                  {d.clusters.map((c) => (
                    <th scope="col" key={c.id}>
                      {c.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {d.matrix.map((row) => (
                  <tr key={row.id}>
                    <th scope="row">{row.name}</th>
                    {row.cells.map((c) => (
                      <td key={c.cluster} data-cluster={c.cluster} data-category={row.slug}>
                        <Link to={c.href}>
                          <span className="cell-submissions">
                            <NumberText value={c.submissions} />
                          </span>
                        </Link>
                        <span className="cell-detail">
                          <span className="cell-supporters">
                            <NumberText value={c.supporters} />
                          </span>
                          {t("app.separator")}
                          <span className="cell-organisations">
                            <NumberText value={c.organisations} />
                          </span>
                          {t("app.separator")}
                          <span className="cell-verified">
                            <NumberText value={c.verifiedOrganisations} />
                          </span>
                        </span>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
        <p className="hint">{t("organiser.cellLegend")}</p>
      </section>

      <section aria-labelledby="top-title" className="dashboard-section">
        <h2 id="top-title">{t("organiser.topTitle")}</h2>
        {d.top.map((cl) => (
          <div key={cl.clusterId} className="top-lists">
            <h3>{cl.name}</h3>
            {(
              [
                ["bySupporters", cl.bySupporters],
                ["byOrganisations", cl.byOrganisations],
              ] as const
            ).map(([key, list]) => (
              <div className="table-wrap" key={key}>
                <table className={`top-list top-list--${key}`} data-cluster={cl.clusterId}>
                  <caption>{t(`organiser.${key}`, { cluster: cl.name })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("organiser.suggestion")}</th>
                      <th scope="col">{t("organiser.supporters")}</th>
                      <th scope="col">{t("organiser.organisations")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.length === 0 ? (
                      <tr>
                        <td colSpan={3}>{t("organiser.nothingYet")}</td>
                      </tr>
                    ) : (
                      list.map((s) => (
                        <tr key={s.id}>
                          <th scope="row">
                            <Link to={`/submissions/${s.id}`}>
                              #{s.id} <bdi>{s.title}</bdi>
                            </Link>
                          </th>
                          <td>
                            <NumberText value={s.supporters} />
                          </td>
                          <td>
                            <NumberText value={s.organisations} />
                          </td>
                        </tr>
                      ))
                    )}
                  </tbody>
                </table>
              </div>
            ))}
          </div>
        ))}
      </section>

      <section aria-labelledby="days-title" className="dashboard-section">
        <h2 id="days-title">{t("organiser.perDayTitle", { count: d.perDay.length })}</h2>
        <div className="chart-and-table">
          <div>
            <h3>{t("organiser.submissionsPerDay")}</h3>
            <LineChart
              id="days-submissions"
              title={t("organiser.submissionsPerDay")}
              desc={t("organiser.perDayDesc")}
              g={d.lines.submissions}
            />
            <h3>{t("organiser.supportsPerDay")}</h3>
            <LineChart id="days-supports" title={t("organiser.supportsPerDay")} desc={t("organiser.perDayDesc")} g={d.lines.supports} />
          </div>
          {/* It scrolls on its own: keyboard users must be able to reach it (focusable, named by its caption). */}
          <div className="table-wrap table-wrap--tall" tabIndex={0} role="region" aria-labelledby="per-day-caption">
            <table className="per-day">
              <caption id="per-day-caption">{t("organiser.perDayCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("organiser.day")}</th>
                  <th scope="col">{t("organiser.submissions")}</th>
                  <th scope="col">{t("organiser.supports")}</th>
                </tr>
              </thead>
              <tbody>
                {d.perDay.map((p) => (
                  <tr key={p.day} data-day={p.day}>
                    <th scope="row">
                      <DateText iso={`${p.day}T12:00:00.000Z`} />
                    </th>
                    <td>
                      <NumberText value={p.submissions} />
                    </td>
                    <td>
                      <NumberText value={p.supports} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </section>

      <section aria-labelledby="participation-title" className="dashboard-section">
        <h2 id="participation-title">{t("organiser.participationTitle")}</h2>
        {d.participation.map((p) => (
          <div className="chart-and-table" key={p.id}>
            <BarChart id={`${p.id}-chart`} title={p.caption} desc={t("organiser.barDesc")} g={p.g} />
            <div className="table-wrap">
              <table className="participation" id={p.id}>
                <caption>{p.caption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("organiser.group")}</th>
                    <th scope="col">{t("organiser.supporters")}</th>
                    <th scope="col">{t("organiser.organisations")}</th>
                  </tr>
                </thead>
                <tbody>
                  {p.rows.map((r) => (
                    <tr key={r.key ?? "none"} data-key={r.key ?? ""}>
                      <th scope="row">{r.name}</th>
                      <td>
                        <NumberText value={r.supporters} />
                      </td>
                      <td>
                        <NumberText value={r.organisations} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        ))}
      </section>

      <section aria-labelledby="backlog-title" className="dashboard-section">
        <h2 id="backlog-title">{t("organiser.backlogTitle")}</h2>
        <div className="table-wrap">
          <table className="backlog">
            <caption>{t("organiser.backlogCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("table.cluster")}</th>
                <th scope="col">{t("organiser.pending")}</th>
                <th scope="col">{t("organiser.oldestPending")}</th>
              </tr>
            </thead>
            <tbody>
              {d.backlog.map((b) => (
                <tr key={b.clusterId} data-cluster={b.clusterId}>
                  <th scope="row">{b.name}</th>
                  <td>
                    <NumberText value={b.pending} />
                  </td>
                  <td>
                    {b.oldestPendingAt ? (
                      <>
                        {t("organiser.ageDays", { count: b.ageDays ?? 0, days: b.ageDays ?? 0 })} (<DateText iso={b.oldestPendingAt} />)
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          {t("organiser.openReports")}:{" "}
          <span className="open-reports">
            <NumberText value={d.openReports} />
          </span>
        </p>
        <p>
          <Link to="/moderation">{t("organiser.toModeration")}</Link>
          {t("app.separator")}
          <Link to="/moderation/reports">{t("organiser.toReports")}</Link>
          {t("app.separator")}
          <Link to="/organiser/coverage">{t("organiser.toCoverage")}</Link>
        </p>
      </section>
    </>
  );
}
