import { type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText } from "~/components/dates";
import { CoverageTable } from "~/components/coverage";
import { BreakdownTable } from "~/components/recommendation-form";
import { coverageView, leftOutBound, leftOutView } from "~/lib/coverage-view.server";
import { notFound } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT, tFor } from "~/lib/i18next.server";
import { BriefingQuerySchema } from "~/lib/recommendation-schemas.server";
import { figuresView } from "~/lib/recommendation-view.server";
import { buildBriefing } from "~/models/briefing.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { listClusters } from "~/models/taxonomy.server";
import briefingStyles from "~/styles/briefing.css?url";
import { recommendationNumber } from "~/lib/recommendation-reference";
import { ShownBlock, ShownText } from "~/components/recommendation-language";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: briefingStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

// The printable conference briefing, per cluster or for all; the same
// content as /exports/briefing.docx. Organisers and above.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { cluster, lang } = BriefingQuerySchema.parse(Object.fromEntries(new URL(args.request.url).searchParams));
  const consultation = await getActiveConsultation(db);
  if (!consultation) notFound();
  const { t, lng, digits } = await getFixedT(args.request, args.context);
  // The document's language (`lang`, else the page's) chooses each recommendation's version (ADR 0032);
  // a recommendation without one says so in that language.
  const docLng = lang ?? lng;
  const td = tFor(docLng, digits);
  const [briefing, clusters] = await Promise.all([
    buildBriefing(db, { consultationId: consultation.id, clusterSlug: cluster, lang: docLng }),
    listClusters(db),
  ]);
  if (!briefing) notFound();
  return {
    docLng,
    lang: lang ?? "",
    missingNote: td("recommendation.language.missing"),
    dissentMissingNote: td("recommendation.language.dissentMissing"),
    title: `${t("briefing.title")} · ${t("app.name")}`,
    lng,
    consultation: lng === "ur" ? consultation.title_ur : consultation.title_en,
    scope: briefing.cluster ? localName(briefing.cluster, lng) : t("briefing.allClusters"),
    cluster: briefing.cluster?.slug ?? "",
    preparedAt: new Date().toISOString(),
    summary: briefing.summary,
    sections: briefing.sections.map((s) => ({
      key: s.cluster?.slug ?? "cross-cluster",
      name: s.cluster ? localName(s.cluster, lng) : t("briefing.crossCluster"),
      recommendations: s.recommendations.map((r) => ({ ...r, figures: figuresView(r.figures, t, lng) })),
    })),
    annex: briefing.annex.map((a) => ({ ...a, cluster: localName({ name_en: a.cluster_name_en, name_ur: a.cluster_name_ur }, lng) })),
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    coverage: {
      ...coverageView(briefing.coverage.figures, t, lng, digits),
      leftOut: leftOutView(briefing.coverage.leftOut.rows, lng),
      bound: leftOutBound(t, lng, digits, briefing.coverage.leftOut),
    },
  };
}

export default function Briefing() {
  const d = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const docxHref = (lang?: string) => {
    const q = new URLSearchParams();
    if (d.cluster) q.set("cluster", d.cluster);
    if (lang) q.set("lang", lang);
    return `/exports/briefing.docx${q.size ? `?${q}` : ""}`;
  };
  const otherLanguage = d.lng === "ur" ? "en" : "ur";
  // The recommendations in the other language (`lang`; ADR 0032): the page's own labels stay in the reader's.
  const versionsIn = d.docLng === "ur" ? "en" : "ur";
  const versionsHref = () => {
    const q = new URLSearchParams();
    if (d.cluster) q.set("cluster", d.cluster);
    q.set("lang", versionsIn);
    return `/organiser/briefing?${q}`;
  };
  return (
    <div className="briefing">
      <div className="briefing__controls stack">
        <Form method="get" className="button-row">
          {d.lang ? <input type="hidden" name="lang" value={d.lang} /> : null}
          <label htmlFor="briefing-cluster">{t("briefing.cluster")}</label>
          <select id="briefing-cluster" name="cluster" defaultValue={d.cluster}>
            <option value="">{t("briefing.allClusters")}</option>
            {d.clusters.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.name}
              </option>
            ))}
          </select>
          <button type="submit" className="button button--secondary">
            {t("briefing.show")}
          </button>
        </Form>
        <p className="button-row">
          <a href={docxHref()} download>
            {t("briefing.docx")}
          </a>
          <a href={docxHref(otherLanguage)} download>
            {t(`briefing.docxIn.${otherLanguage}`)}
          </a>
          <Link to={versionsHref()}>{t(`briefing.versionsIn.${versionsIn}`)}</Link>
          <Link to="/organiser/recommendations">{t("recommendation.backToOrganiser")}</Link>
        </p>
        <p className="hint">{t("briefing.printHint")}</p>
      </div>

      <header className="briefing__cover">
        <h1>{t("briefing.title")}</h1>
        <p>
          <bdi>{d.consultation}</bdi>
        </p>
        <p>
          {t("briefing.cluster")}: {d.scope}
        </p>
        <p>
          {t("briefing.prepared")}: <DateText iso={d.preparedAt} />
        </p>
        <h2 className="briefing__first">{t("briefing.summary")}</h2>
        <dl className="figures figures--large">
          {(
            [
              ["suggestions", d.summary.suggestions],
              ["supporters", d.summary.supporters],
              ["organisations", d.summary.organisations],
              ["verifiedOrganisations", d.summary.verifiedOrganisations],
              ["recommendations", d.summary.recommendations],
            ] as const
          ).map(([key, value]) => (
            <div key={key}>
              <dt>{t(`briefing.${key}`)}</dt>
              <dd>
                <NumberText value={value} />
              </dd>
            </div>
          ))}
        </dl>
      </header>

      {d.sections.length === 0 ? <p className="muted">{t("briefing.none")}</p> : null}
      {d.sections.map((s) => (
        <section key={s.key} aria-labelledby={`section-${s.key}`}>
          <h2 id={`section-${s.key}`}>{s.name}</h2>
          {s.recommendations.map((r) => (
            <article key={r.id} className="briefing__recommendation">
              <h3>
                {recommendationNumber(r.id)} <ShownText shown={{ value: r.title, lang: r.lang }} />
              </h3>
              {r.missing ? (
                <p className="notice missing-version" role="note" data-missing-version="recommendation" lang={d.docLng}>
                  {d.missingNote}
                </p>
              ) : null}
              <p>
                <strong>{t("briefing.priority")}:</strong> <NumberText value={r.priority} />
              </p>
              <ShownBlock shown={{ value: r.text, lang: r.lang }} />
              <h4>{t("briefing.support")}</h4>
              <p>
                {t("briefing.uniqueSupporters")}: <NumberText value={r.figures.uniqueSupporters} /> ({t("briefing.fromVerified")}:{" "}
                <NumberText value={r.figures.verifiedSupporters} />) · {t("briefing.organisations")}:{" "}
                <NumberText value={r.figures.organisations} /> ({t("briefing.verified")}:{" "}
                <NumberText value={r.figures.verifiedOrganisations} />) · {t("briefing.provinces")}:{" "}
                <NumberText value={r.figures.provinces} />
              </p>
              <BreakdownTable caption={t("recommendation.figures.byCluster")} rows={r.figures.byCluster} />
              <BreakdownTable caption={t("recommendation.figures.bySize")} rows={r.figures.bySize} />
              <BreakdownTable caption={t("recommendation.figures.byProvince")} rows={r.figures.byProvince} />
              {r.dissent ? (
                <>
                  <h4>{t("briefing.dissent")}</h4>
                  {r.dissentMissing ? (
                    <p className="notice missing-version" role="note" data-missing-version="dissent" lang={d.docLng}>
                      {d.dissentMissingNote}
                    </p>
                  ) : null}
                  <ShownBlock shown={{ value: r.dissent, lang: r.dissentLang }} />
                </>
              ) : null}
              {r.responseStatus ? (
                <>
                  <h4>{t("briefing.response")}</h4>
                  <p>
                    {t(`recommendation.response.statuses.${r.responseStatus}`, { defaultValue: r.responseStatus })} ·{" "}
                    <bdi>{r.responsibleAgency}</bdi> · {r.responseDate ? <DateText iso={`${r.responseDate}T00:00:00Z`} /> : null}
                  </p>
                  {r.responseText ? (
                    <p className="plain-text" dir="auto">
                      {r.responseText}
                    </p>
                  ) : null}
                </>
              ) : null}
              {r.progress ? (
                <>
                  <h4>{t("recommendation.progress.title")}</h4>
                  <p>
                    {t(`recommendation.progress.statuses.${r.progress.status}`, { defaultValue: r.progress.status })} ·{" "}
                    <DateText iso={`${r.progress.date}T00:00:00Z`} />
                  </p>
                  <p className="plain-text" dir="auto">
                    {r.progress.text}
                  </p>
                </>
              ) : null}
              <p className="briefing__sources">
                {t("briefing.sources")}:{" "}
                {r.sourceNumbers.map((n, i) => (
                  <span key={n}>
                    {i ? " " : ""}
                    <a href={`#source-${n}`}>[{n}]</a>
                  </span>
                ))}
              </p>
            </article>
          ))}
        </section>
      ))}

      <section aria-labelledby="coverage-title" className="briefing__coverage">
        <h2 id="coverage-title">{t("briefing.coverage")}</h2>
        <p>{t("coverage.intro")}</p>
        <dl className="figures">
          <div>
            <dt>{t("coverage.suggestionsCovered")}</dt>
            <dd>
              {d.coverage.overall.suggestionShare} (<NumberText value={d.coverage.overall.coveredSuggestions} />
              {" / "}
              <NumberText value={d.coverage.overall.suggestions} />)
            </dd>
          </div>
          <div>
            <dt>{t("coverage.supportersCovered")}</dt>
            <dd>
              {d.coverage.overall.supporterShare} (<NumberText value={d.coverage.overall.coveredSupporters} />
              {" / "}
              <NumberText value={d.coverage.overall.supporters} />)
            </dd>
          </div>
        </dl>
        {d.coverage.byCluster.length > 1 ? (
          <CoverageTable
            id="briefing-coverage-clusters"
            caption={t("coverage.byCluster")}
            nameHeader={t("coverage.col.cluster")}
            rows={d.coverage.byCluster}
          />
        ) : null}
        {d.coverage.byCategory.length ? (
          <CoverageTable
            id="briefing-coverage-categories"
            caption={t("coverage.byCategory")}
            nameHeader={t("coverage.col.category")}
            rows={d.coverage.byCategory}
          />
        ) : null}
        <h3 id="left-out-title">{t("briefing.leftOut")}</h3>
        <p className="left-out-bound">{d.coverage.bound}</p>
        {d.coverage.leftOut.length ? (
          <div className="table-wrap">
            <table id="briefing-left-out" aria-labelledby="left-out-title">
              <thead>
                <tr>
                  <th scope="col">{t("briefing.annexSuggestion")}</th>
                  <th scope="col">{t("briefing.annexTitle")}</th>
                  <th scope="col">{t("briefing.annexCluster")}</th>
                  <th scope="col">{t("briefing.annexSupporters")}</th>
                  <th scope="col">{t("briefing.leftOutReason")}</th>
                </tr>
              </thead>
              <tbody>
                {d.coverage.leftOut.map((r) => (
                  <tr key={r.id} data-submission={r.id}>
                    <th scope="row">
                      <Link to={`/submissions/${r.id}`}>#{r.id}</Link>
                    </th>
                    <td>
                      <bdi>{r.title}</bdi>
                    </td>
                    <td>{r.cluster}</td>
                    <td>
                      <NumberText value={r.supporters} />
                    </td>
                    <td className="plain-text" dir="auto">
                      {r.reason || <span className="muted">{t("briefing.noReason")}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="annex-title">
        <h2 id="annex-title">{t("briefing.annex")}</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("briefing.annexNumber")}</th>
                <th scope="col">{t("briefing.annexSuggestion")}</th>
                <th scope="col">{t("briefing.annexTitle")}</th>
                <th scope="col">{t("briefing.annexCluster")}</th>
                <th scope="col">{t("briefing.annexSupporters")}</th>
                <th scope="col">{t("briefing.annexOrganisations")}</th>
                <th scope="col">{t("briefing.annexStatus")}</th>
              </tr>
            </thead>
            <tbody>
              {d.annex.map((a) => (
                <tr key={a.id} id={`source-${a.n}`}>
                  <th scope="row">[{a.n}]</th>
                  <td>
                    <Link to={`/submissions/${a.id}`}>#{a.id}</Link>
                  </td>
                  <td>
                    <bdi>{a.title}</bdi>
                  </td>
                  <td>{a.cluster}</td>
                  <td>
                    <NumberText value={a.supporters} />
                  </td>
                  <td>
                    <NumberText value={a.organisations} />
                  </td>
                  <td>{t(`status.${a.status}`, { defaultValue: a.status })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
