import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { DateText, NumberText } from "../components/dates";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { getActiveConsultation, windowPhase } from "../models/consultation.server";
import { listClustersWithCounts } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  { name: "description", content: data?.description },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { t, lng } = await getFixedT(request, context);
  const consultation = await getActiveConsultation(context.db);
  const clusters = await listClustersWithCounts(context.db, consultation?.id ?? null);
  const now = new Date();
  return {
    title: t("app.name") + " · " + t("app.tagline"),
    description: consultation ? (lng === "ur" ? consultation.description_ur : consultation.description_en) : "",
    consultation: consultation
      ? {
          title: lng === "ur" ? consultation.title_ur : consultation.title_en,
          description: lng === "ur" ? consultation.description_ur : consultation.description_en,
          submission: {
            phase: windowPhase(consultation.submission_opens_at, consultation.submission_closes_at, now),
            opensAt: consultation.submission_opens_at,
            closesAt: consultation.submission_closes_at,
          },
          support: {
            phase: windowPhase(consultation.support_opens_at, consultation.support_closes_at, now),
            opensAt: consultation.support_opens_at,
            closesAt: consultation.support_closes_at,
          },
        }
      : null,
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng), submissions: c.submissions, supports: c.supports })),
  };
}

function WindowLine({ label, window }: { label: string; window: { phase: string; opensAt: string; closesAt: string } }) {
  const { t } = useTranslation();
  return (
    <li>
      <strong>{label}:</strong>{" "}
      {window.phase === "open" ? (
        <>
          {t("home.openUntil")} <DateText iso={window.closesAt} />
        </>
      ) : window.phase === "upcoming" ? (
        <>
          {t("home.opensOn")} <DateText iso={window.opensAt} />
        </>
      ) : (
        <>
          {t("home.closedOn")} <DateText iso={window.closesAt} />
        </>
      )}
    </li>
  );
}

export default function Home() {
  const { consultation, clusters } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  return (
    <>
      {params.get("accountDeleted") ? (
        <p className="notice" role="status">
          {t("account.delete.done")}
        </p>
      ) : null}
      <section className="hero" aria-labelledby="consultation-title">
        {consultation ? (
          <>
            <p className="eyebrow">{t("home.activeConsultation")}</p>
            <h1 id="consultation-title">{consultation.title}</h1>
            <p className="lead">{consultation.description}</p>
            <ul className="phases">
              <WindowLine label={t("home.submissionWindow")} window={consultation.submission} />
              <WindowLine label={t("home.supportWindow")} window={consultation.support} />
            </ul>
          </>
        ) : (
          <>
            <h1 id="consultation-title">{t("app.name")}</h1>
            <p className="lead">{t("home.noConsultation")}</p>
          </>
        )}
      </section>
      <section aria-labelledby="clusters-title">
        <h2 id="clusters-title">{t("home.clusters")}</h2>
        <ul className="cluster-grid">
          {clusters.map((c) => (
            <li key={c.slug} className="cluster-card">
              <h3>
                <Link to={`/clusters/${c.slug}`}>{c.name}</Link>
              </h3>
              <dl className="figures">
                <div>
                  <dt>{t("home.suggestions")}</dt>
                  <dd>
                    <NumberText value={c.submissions} />
                  </dd>
                </div>
                <div>
                  <dt>{t("home.supports")}</dt>
                  <dd>
                    <NumberText value={c.supports} />
                  </dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
