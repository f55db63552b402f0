import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { NumberText } from "~/components/dates";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { listRecommendations } from "~/models/recommendation.server";
import { listClusters } from "~/models/taxonomy.server";
import { recommendationNumber } from "~/lib/recommendation-reference";
import { asLanguage, recommendationIn } from "~/lib/recommendation-language";
import { MissingVersionMark, ShownText } from "~/components/recommendation-language";
import type { PageCacheHandle } from "~/lib/page-cache";

// Kept for readers who are not signed in while the data is unchanged (app/lib/page-cache.ts).
// Signed-in stakeholders get it from a template too (ADR 0036): nothing here depends on who they are.
export const handle: PageCacheHandle = { pageCache: () => "shared", signedIn: true };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  { tagName: "link", rel: "alternate", type: "application/atom+xml", href: "/recommendations.atom", title: data?.feedTitle },
];

// Public: the final recommendations (drafts never), by cluster then priority,
// with their response status.
export async function loader(args: LoaderFunctionArgs) {
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const [rows, clusters] = await Promise.all([
    consultation ? listRecommendations(db, { consultationId: consultation.id, finalOnly: true, publicSources: true }) : [],
    listClusters(db),
  ]);
  const item = (r: (typeof rows)[number]) => ({
    id: r.id,
    // The reader's language version, or the other one marked (ADR 0032).
    title: recommendationIn(r, asLanguage(lng)).title,
    priority: r.priority,
    sources: r.sources,
    uniqueSupporters: r.figures.uniqueSupporters,
    responseStatus: r.response_status,
  });
  const groups = clusters
    .map((c) => ({ key: c.slug, name: localName(c, lng), items: rows.filter((r) => r.clusters.some((x) => x.slug === c.slug)).map(item) }))
    .filter((g) => g.items.length);
  const cross = rows.filter((r) => !r.clusters.length).map(item);
  if (cross.length) groups.push({ key: "cross-cluster", name: t("recommendation.crossCluster"), items: cross });
  return { title: `${t("recommendation.listTitle")} · ${t("app.name")}`, feedTitle: t("feeds.recommendationsLink"), groups };
}

export default function Recommendations() {
  const { groups } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <h1>{t("recommendation.listTitle")}</h1>
      <p>{t("recommendation.publicIntro")}</p>
      <p>
        <Link to="/accountability">{t("accountability.link")}</Link>
      </p>
      {groups.length === 0 ? <p className="muted">{t("recommendation.noneFinal")}</p> : null}
      {groups.map((g) => (
        <section key={g.key} aria-labelledby={`group-${g.key}`}>
          <h2 id={`group-${g.key}`}>{g.name}</h2>
          <ul className="card-list">
            {g.items.map((r) => (
              <li key={r.id} className="card">
                <h3 className="card__title">
                  <Link to={`/recommendations/${r.id}`}>
                    {recommendationNumber(r.id)} <ShownText shown={r.title} />
                  </Link>
                  {r.title.fallback ? <MissingVersionMark /> : null}
                </h3>
                <p className="card__meta">
                  {t("recommendation.column.priority")}: <NumberText value={r.priority} /> · {t("recommendation.column.sources")}:{" "}
                  <NumberText value={r.sources} /> · {t("recommendation.column.supporters")}: <NumberText value={r.uniqueSupporters} /> ·{" "}
                  {t("recommendation.column.response")}:{" "}
                  {r.responseStatus
                    ? t(`recommendation.response.statuses.${r.responseStatus}`, { defaultValue: r.responseStatus })
                    : t("recommendation.response.none")}
                </p>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
