import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { DateText, NumberText } from "~/components/dates";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { getActiveConsultation, getPublicConsultation, listPastConsultations, windowPhase } from "~/models/consultation.server";
import { listClustersWithCounts } from "~/models/taxonomy.server";
import type { PageCacheHandle } from "~/lib/page-cache";
import { notFound } from "~/lib/http.server";

// Kept for readers who are not signed in while the data is unchanged (app/lib/page-cache.ts).
// Signed-in stakeholders get it from a template too (ADR 0036): nothing here depends on who they are.
export const handle: PageCacheHandle = { pageCache: () => "shared", signedIn: true };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  { name: "description", content: data?.description },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { t, lng } = await getFixedT(request, context);
  // `?consultation=slug` shows a past consultation (read-only); otherwise the active one.
  const requested = new URL(request.url).searchParams.get("consultation") || null;
  if (requested && !/^[a-z0-9-]{1,60}$/.test(requested)) notFound();
  const consultation = await getPublicConsultation(context.db, requested);
  if (requested && !consultation) notFound();
  const active = requested ? await getActiveConsultation(context.db) : consultation;
  const [clusters, past] = await Promise.all([
    listClustersWithCounts(context.db, consultation?.id ?? null),
    listPastConsultations(context.db),
  ]);
  const now = new Date();
  return {
    title: t("app.name") + " · " + t("app.tagline"),
    description: consultation ? (lng === "ur" ? consultation.description_ur : consultation.description_en) : "",
    past: past.map((p) => ({ slug: p.slug, title: lng === "ur" ? p.title_ur : p.title_en, closedAt: p.support_closes_at })),
    consultation: consultation
      ? {
          slug: consultation.slug,
          isActive: consultation.id === active?.id,
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
  const { consultation, clusters, past } = useLoaderData<typeof loader>();
  const scoped = consultation && !consultation.isActive ? `?consultation=${consultation.slug}` : "";
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
            <p className="eyebrow">{consultation.isActive ? t("home.activeConsultation") : t("home.pastConsultation")}</p>
            <h1 id="consultation-title">
              <bdi>{consultation.title}</bdi>
            </h1>
            <p className="lead" dir="auto">
              {consultation.description}
            </p>
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
                <Link to={`/clusters/${c.slug}${scoped}`}>{c.name}</Link>
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
      {past.length ? (
        <section aria-labelledby="past-title">
          <h2 id="past-title">{t("home.pastConsultations")}</h2>
          <ul>
            {past.map((p) => (
              <li key={p.slug}>
                <Link to={`/?consultation=${p.slug}`}>
                  <bdi>{p.title}</bdi>
                </Link>{" "}
                <span className="muted">
                  ({t("home.closedOn")} <DateText iso={p.closedAt} />)
                </span>
              </li>
            ))}
          </ul>
          {scoped ? (
            <p>
              <Link to="/">{t("home.backToActive")}</Link>
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
