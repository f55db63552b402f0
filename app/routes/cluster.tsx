import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { isLanguage } from "~/models/original-language";
import { translationsOf } from "~/models/translation.server";
import { useTranslation } from "react-i18next";
import { hasRole } from "~/auth/permissions";
import { DateText, NumberText } from "~/components/dates";
import { organisationLabel } from "~/components/organisation-label";
import { pageParam, notFound } from "~/lib/http.server";
import type { PageCacheHandle } from "~/lib/page-cache";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { ClusterQuerySchema } from "~/lib/query-schemas.server";
import { ORGANISATION_TYPES, PROVINCES, PUBLIC_STATUSES, SORTS } from "~/lib/reference";
import { countSearch, SearchLimited } from "~/lib/search-limit.server";
import { getPublicConsultation, windowPhase } from "~/models/consultation.server";
import { listClusterSubmissions, randomSortSeed } from "~/models/submission.server";
import { getClusterBySlug, listCategories, listStages } from "~/models/taxonomy.server";

// Kept for readers who are not signed in while the data is unchanged
// (app/lib/page-cache.ts); the random order is seeded by the reader's address
// (a signed-in reader's: by their session). Signed-in stakeholders get it from
// a template (ADR 0036): the loader reads only their role and session.
export const handle: PageCacheHandle = {
  pageCache: (data) => ((data as { filters?: { sort?: string } } | undefined)?.filters?.sort === "random" ? "visitor" : "shared"),
  signedIn: true,
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  { name: "description", content: data?.description },
  ...(data?.feed
    ? [{ tagName: "link", rel: "alternate", type: "application/atom+xml", href: data.feed.href, title: data.feed.title }]
    : []),
];

const PAGE_SIZE = 20;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db } = context;
  const cluster = await getClusterBySlug(db, params.cluster ?? "");
  if (!cluster) notFound();
  const { t, lng } = await getFixedT(request, context);
  const url = new URL(request.url);
  const query = ClusterQuerySchema.parse(Object.fromEntries(url.searchParams));
  const page = pageParam(url.searchParams.get("page"));
  // `?consultation=slug` reads a past consultation's suggestions; otherwise the active one.
  const slug = url.searchParams.get("consultation") || null;
  if (slug && !/^[a-z0-9-]{1,60}$/.test(slug)) notFound();
  // Archived categories still filter the suggestions tagged with them (a shared link keeps working); the list offers active ones.
  const [consultation, categories, stages] = await Promise.all([
    getPublicConsultation(db, slug),
    listCategories(db, { includeArchived: true }),
    listStages(db),
  ]);
  if (slug && !consultation) notFound();
  const supportOpen = consultation ? windowPhase(consultation.support_opens_at, consultation.support_closes_at) === "open" : false;
  const sort = query.sort ?? (supportOpen ? "random" : "top");
  const category = query.category ? categories.find((c) => c.slug === query.category) : undefined;
  const list = consultation
    ? await listClusterSubmissions(
        db,
        {
          consultationId: consultation.id,
          clusterId: cluster.id,
          sort,
          page,
          pageSize: PAGE_SIZE,
          seed: randomSortSeed(context.sessionToken ?? context.clientIp),
          q: query.q || undefined,
          category: category?.id,
          stage: query.stage,
          orgType: query.orgType,
          province: query.province,
          status: query.status,
          revealOrganisations: context.user ? hasRole(context.user.role, "moderator") : false,
        },
        { cache: context.listingCache, onSearchMiss: countSearch(context) },
      ).catch((error: unknown) => {
        if (error instanceof SearchLimited)
          throw data({ error: "rateLimited" }, { status: 429, headers: { "Retry-After": String(error.retryAfter) } });
        throw error;
      })
    : { total: 0, submissions: [] };
  // A moderators' translation into the reader's language stands in for the title, labelled (issue 18).
  const translated = isLanguage(lng)
    ? await translationsOf(
        context.db,
        list.submissions.map((s) => s.id),
        lng,
      )
    : new Map();
  const name = localName(cluster, lng);
  return {
    title: `${name} · ${t("app.name")}`,
    description: t("cluster.description", { cluster: name }),
    feed: { href: `/clusters/${cluster.slug}/feed.atom`, title: t("feeds.clusterLink", { cluster: name }) },
    cluster: {
      slug: cluster.slug,
      name,
      otherName: lng === "ur" ? cluster.name_en : cluster.name_ur,
      otherLng: lng === "ur" ? "en" : "ur",
      archived: cluster.archived === 1,
    },
    filters: { ...query, category: category?.slug, sort, consultation: slug ?? undefined },
    categories: categories
      .filter((c) => !c.archived || c.slug === category?.slug)
      .map((c) => ({ value: c.slug, label: localName(c, lng) })),
    // Stage names as the admin set them (/admin/taxonomy), like the suggestion form.
    stages: stages.map((s) => ({ value: s.slug, label: localName(s, lng) })),
    total: list.total,
    page,
    pages: Math.max(1, Math.ceil(list.total / PAGE_SIZE)),
    submissions: list.submissions.map((s) => ({
      id: s.id,
      title: (isLanguage(lng) ? translated.get(s.id)?.[lng]?.title : undefined) ?? s.title,
      translated: isLanguage(lng) && translated.get(s.id)?.[lng] !== undefined,
      publishedAt: s.published_at ?? s.created_at,
      organisation: { name: s.organisation_name, city: s.city, sizeBand: s.size_band, type: s.organisation_type },
      categories: s.categories.map((c) => localName(c, lng)),
      breadth: s.breadth,
      comments: s.comments_count,
    })),
  };
}

type Card = ReturnType<typeof useLoaderData<typeof loader>>["submissions"][number];
interface CardLabels {
  t: TFunction;
  categories: string;
  supporters: string;
  organisations: string;
  provinces: string;
  comments: string;
  translated: string;
}

// A list page renders dozens of cards: their labels are translated once per page, not per card.
function SubmissionCard({ s, clusterName, labels }: { s: Card; clusterName: string; labels: CardLabels }) {
  const figure = (label: string, value: number) => (
    <div>
      <dt>{label}</dt>
      <dd>
        <NumberText value={value} />
      </dd>
    </div>
  );
  return (
    <li className="card">
      <h2 className="card__title">
        <Link to={`/submissions/${s.id}`}>
          <bdi>{s.title}</bdi>
        </Link>
      </h2>
      {s.translated ? <p className="card__note muted">{labels.translated}</p> : null}
      <p className="card__meta">
        #{s.id}
        {labels.t("app.separator")}
        <bdi>{organisationLabel(labels.t, { ...s.organisation, cluster: clusterName })}</bdi>
        {labels.t("app.separator")}
        <DateText iso={s.publishedAt} />
      </p>
      {s.categories.length ? (
        <ul className="chips" aria-label={labels.categories}>
          {s.categories.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      ) : null}
      <dl className="figures figures--inline">
        {figure(labels.supporters, s.breadth.supporters)}
        {figure(labels.organisations, s.breadth.organisations)}
        {figure(labels.provinces, s.breadth.provinces)}
        {figure(labels.comments, s.comments)}
      </dl>
    </li>
  );
}

export default function ClusterPage() {
  const { cluster, filters, categories, stages, total, page, pages, submissions } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const labels: CardLabels = {
    t,
    categories: t("submission.categories"),
    supporters: t("cluster.supporters"),
    organisations: t("submission.breadth.organisations"),
    provinces: t("submission.breadth.provinces"),
    comments: t("comment.title"),
    translated: t("translation.label"),
  };
  const linkTo = (changes: Record<string, string | number | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, page: undefined, ...changes })) {
      if (v !== undefined && v !== "" && !(k === "page" && String(v) === "1")) p.set(k, String(v));
    }
    const s = p.toString();
    return s ? `?${s}` : "?";
  };
  const option = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}`) });
  const select = (name: string, label: string, options: Array<{ value: string; label: string }>, value?: string) => (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name} defaultValue={value ?? ""}>
        <option value="">{t("cluster.any")}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{cluster.name}</h1>
          <p className="subtitle" lang={cluster.otherLng} dir={cluster.otherLng === "ur" ? "rtl" : "ltr"}>
            {cluster.otherName}
          </p>
        </div>
        {cluster.archived || filters.consultation ? null : (
          <Link to={`/submissions/new?cluster=${cluster.slug}`} className="button">
            {t("cluster.suggest")}
          </Link>
        )}
      </div>
      {cluster.archived ? <p className="notice">{t("admin.taxonomy.shown.clusterArchived")}</p> : null}
      <Form method="get" className="filters" role="search" aria-label={t("cluster.filtersLabel")}>
        {filters.consultation ? <input type="hidden" name="consultation" value={filters.consultation} /> : null}
        <div className="field filters__q">
          <label htmlFor="f-q">{t("cluster.search")}</label>
          <input id="f-q" type="search" name="q" defaultValue={filters.q ?? ""} dir="auto" />
        </div>
        {select("sort", t("cluster.sort"), SORTS.map(option("sort")), filters.sort)}
        {select("category", t("cluster.category"), categories, filters.category)}
        {select("stage", t("cluster.stage"), stages, filters.stage)}
        {select("orgType", t("cluster.orgType"), ORGANISATION_TYPES.map(option("organisationType")), filters.orgType)}
        {select("province", t("cluster.province"), PROVINCES.map(option("province")), filters.province)}
        {select("status", t("cluster.status"), PUBLIC_STATUSES.map(option("status")), filters.status)}
        <button type="submit" className="button">
          {t("cluster.apply")}
        </button>
      </Form>
      <p role="status">{t("cluster.results", { count: total })}</p>
      {submissions.length === 0 ? (
        <p className="empty">
          {filters.q || filters.category || filters.stage || filters.orgType || filters.province
            ? t("cluster.noMatch")
            : t("cluster.empty")}
        </p>
      ) : (
        <ol className="card-list">
          {submissions.map((s) => (
            <SubmissionCard key={s.id} s={s} clusterName={cluster.name} labels={labels} />
          ))}
        </ol>
      )}
      {pages > 1 ? (
        <nav className="pager" aria-label={t("pager.label")}>
          {page > 1 ? <Link to={linkTo({ page: page - 1 })}>{t("pager.previous")}</Link> : null}
          <span>{t("pager.position", { page, pages })}</span>
          {page < pages ? <Link to={linkTo({ page: page + 1 })}>{t("pager.next")}</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
