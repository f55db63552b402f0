import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useFormatPrefs } from "~/components/dates";
import { cardLabels, SubmissionCards, type Card } from "~/components/submission-card";
import { cardsData, clusterListing, PAGE_SIZE } from "~/lib/cluster-list.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { READER_PART_PLACEHOLDER, type PageCacheHandle } from "~/lib/page-cache";
import { ORGANISATION_TYPES, PROVINCES, PUBLIC_STATUSES, SORTS } from "~/lib/reference";

// Kept for readers who are not signed in while the data is unchanged
// (app/lib/page-cache.ts); the random order is seeded by the reader's address
// (a signed-in reader's: by their session). Signed-in stakeholders get it from
// a template (ADR 0036): the loader reads only their role and session. In
// random order that template is every reader's, its list a slot the server
// fills with the reader's own cards (ADR 0041).
export const handle: PageCacheHandle = {
  pageCache: (data) => {
    const page = data as { filters?: { sort?: string }; list?: string } | undefined;
    return page?.filters?.sort === "random" && page.list !== READER_PART_PLACEHOLDER ? "visitor" : "shared";
  },
  signedIn: true,
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  { name: "description", content: data?.description },
  ...(data?.feed
    ? [{ tagName: "link", rel: "alternate", type: "application/atom+xml", href: data.feed.href, title: data.feed.title }]
    : []),
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { cluster, lng, query, page, slug, categories, stages, sort, category, total, cards } = await clusterListing({
    request,
    params,
    context,
  });
  const { t } = await getFixedT(request, context);
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
    total,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    // The cards as one JSON text. In a signed-in template's render (ADR 0041) the random order's list is a
    // placeholder: the server fills in each reader's own cards, this text and their markup.
    list: context.templateRender && sort === "random" && cards.length > 0 ? READER_PART_PLACEHOLDER : cardsData(cards),
  };
}

export default function ClusterPage() {
  const { cluster, filters, categories, stages, total, page, pages, list } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const labels = cardLabels(t, useFormatPrefs(), cluster.name);
  const readerPart = list === READER_PART_PLACEHOLDER;
  const submissions = useMemo(() => (readerPart ? [] : (JSON.parse(list) as Card[])), [list, readerPart]);
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
      {readerPart ? (
        // A template's slot for the reader's own cards (ADR 0041): the server writes them in.
        <ol className="card-list">{READER_PART_PLACEHOLDER}</ol>
      ) : submissions.length === 0 ? (
        <p className="empty">
          {filters.q || filters.category || filters.stage || filters.orgType || filters.province
            ? t("cluster.noMatch")
            : t("cluster.empty")}
        </p>
      ) : (
        <ol className="card-list">
          <SubmissionCards cards={submissions} labels={labels} />
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
