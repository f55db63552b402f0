import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getUser } from "~/auth/guards.server";
import { hasRole } from "~/auth/permissions";
import { DateText, NumberText } from "~/components/dates";
import { FollowForm } from "~/components/follow-form";
import { RecommendationFiguresSection } from "~/components/recommendation-figures";
import { ProgressHistory } from "~/components/recommendation-progress";
import { idParam, notFound } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { figuresView, sourceView } from "~/lib/recommendation-view.server";
import { isFollowing } from "~/models/follow.server";
import { listProgress } from "~/models/progress.server";
import { getRecommendation } from "~/models/recommendation.server";
import { asLanguage, recommendationIn } from "~/lib/recommendation-language";
import { MissingVersionNote, ShownBlock, ShownText } from "~/components/recommendation-language";
import { recommendationNumber } from "~/lib/recommendation-reference";
import type { PageCacheHandle } from "~/lib/page-cache";

// Kept for readers who are not signed in while the data is unchanged (app/lib/page-cache.ts).
export const handle: PageCacheHandle = { pageCache: () => "shared" };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  { tagName: "link", rel: "alternate", type: "application/atom+xml", href: "/recommendations.atom", title: data?.feedTitle },
];

// Public: one final recommendation (a draft is a 404 for everyone here), its
// sources, figures and the government response.
export async function loader(args: LoaderFunctionArgs) {
  const id = idParam(args.params.id);
  const { db } = args.context;
  const r = await getRecommendation(db, { id, finalOnly: true, publicSources: true });
  if (!r) notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  const user = getUser(args);
  const following = user ? await isFollowing(db, user.id, { type: "recommendation", id }) : false;
  const progress = await listProgress(db, r.id);
  // The reader's language version, or the other one with a note (ADR 0032).
  const local = recommendationIn(r, asLanguage(lng));
  return {
    signedIn: Boolean(user),
    following,
    title: `R-${r.id} ${local.title.value} · ${t("app.name")}`,
    feedTitle: t("feeds.recommendationsLink"),
    canManage: user ? hasRole(user.role, "organiser") : false,
    recommendation: {
      id: r.id,
      title: local.title,
      text: local.text,
      dissent: local.dissent,
      missing: local.missing,
      priority: r.priority,
      clusters: r.clusters.map((c) => localName(c, lng)),
      categories: r.categories.map((c) => localName(c, lng)),
      response: r.response_status
        ? { status: r.response_status, text: r.response_text ?? "", agency: r.responsible_agency ?? "", date: r.response_date ?? "" }
        : null,
      sources: r.sources.map((s) => sourceView(s, lng)),
      sourcesNotPublic: r.sourcesNotPublic,
      figures: figuresView(r.figures, t, lng),
      progress: progress.map(({ id, status, text, date, evidenceUrl }) => ({ id, status, text, date, evidenceUrl })),
    },
  };
}

export default function RecommendationPage() {
  const { recommendation: r, canManage, signedIn, following } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <article className="stack narrow narrow--wide">
      <p>
        <Link to="/recommendations">{t("recommendation.backToList")}</Link>
        {canManage ? (
          <>
            {" · "}
            <Link to={`/organiser/recommendations/${r.id}`}>{t("recommendation.backToOrganiser")}</Link>
          </>
        ) : null}
      </p>
      <h1>
        {recommendationNumber(r.id)} <ShownText shown={r.title} />
      </h1>
      {r.missing ? <MissingVersionNote /> : null}
      <dl className="facts">
        <dt>{t("recommendation.field.cluster")}</dt>
        <dd>{r.clusters.length ? r.clusters.join(", ") : t("recommendation.crossCluster")}</dd>
        <dt>{t("recommendation.field.category")}</dt>
        <dd>{r.categories.join(", ")}</dd>
        <dt>{t("recommendation.field.priority")}</dt>
        <dd>
          <NumberText value={r.priority} />
        </dd>
      </dl>
      <ShownBlock shown={r.text} />
      <FollowForm
        action={`/recommendations/${r.id}/follow`}
        following={following}
        signedIn={signedIn}
        loginPath={`/login?redirectTo=${encodeURIComponent(`/recommendations/${r.id}`)}`}
        kind="recommendation"
      />
      {r.dissent.value ? (
        <section aria-labelledby="dissent-title">
          <h2 id="dissent-title">{t("recommendation.dissent")}</h2>
          {r.dissent.fallback && !r.missing ? <MissingVersionNote part="dissent" /> : null}
          <ShownBlock shown={r.dissent} />
        </section>
      ) : null}

      <section aria-labelledby="response-title">
        <h2 id="response-title">{t("recommendation.response.title")}</h2>
        {r.response ? (
          <>
            <dl className="facts">
              <dt>{t("recommendation.response.status")}</dt>
              <dd>{t(`recommendation.response.statuses.${r.response.status}`, { defaultValue: r.response.status })}</dd>
              <dt>{t("recommendation.response.agency")}</dt>
              <dd>
                <bdi>{r.response.agency}</bdi>
              </dd>
              <dt>{t("recommendation.response.date")}</dt>
              <dd>
                <DateText iso={`${r.response.date}T00:00:00Z`} />
              </dd>
            </dl>
            <p className="plain-text" dir="auto">
              {r.response.text}
            </p>
          </>
        ) : (
          <p className="muted">{t("recommendation.response.none")}</p>
        )}
      </section>

      <ProgressHistory entries={r.progress} />

      <RecommendationFiguresSection figures={r.figures} />

      <section aria-labelledby="sources-title">
        <h2 id="sources-title">{t("recommendation.sources.title")}</h2>
        {r.sources.length ? (
          <ul className="card-list sources">
            {r.sources.map((s) => (
              <li key={s.id} className="card">
                <h3 className="card__title">
                  <Link to={`/submissions/${s.id}`}>
                    #{s.id} <bdi>{s.title}</bdi>
                  </Link>
                </h3>
                <p className="card__meta">
                  {s.cluster} · {t(`status.${s.status}`, { defaultValue: s.status })} · {t("recommendation.sources.ownSupporters")}:{" "}
                  <NumberText value={s.supporters} />
                </p>
              </li>
            ))}
          </ul>
        ) : r.sourcesNotPublic ? null : (
          <p className="muted">{t("recommendation.sources.none")}</p>
        )}
        {r.sourcesNotPublic ? (
          <p className="muted" id="sources-not-public">
            {t("recommendation.sources.notPublic", { count: r.sourcesNotPublic })}
          </p>
        ) : null}
      </section>
    </article>
  );
}
