// The cluster page's list for one request: read by the page's loader, and by
// the server for a signed-in reader's page served from a template whose list
// is theirs (the random order, seeded by their session: ADR 0041).
import { data, type AppLoadContext, type LoaderFunctionArgs } from "@remix-run/node";
import type { TFunction } from "i18next";
import { LRUCache } from "lru-cache";
import { renderToString } from "react-dom/server";
import { hasRole } from "~/auth/permissions";
import { cardLabels, ServerLink, SubmissionCards, type Card } from "~/components/submission-card";
import { notFound, pageParam } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { renderTranslator } from "~/lib/i18n-page.server";
import { resolveFormat } from "~/lib/i18next.server";
import type { ReaderPart } from "~/lib/page-cache";
import { ClusterQuerySchema } from "~/lib/query-schemas.server";
import { countSearch, SearchLimited } from "~/lib/search-limit.server";
import { isLanguage } from "~/models/original-language";
import { getPublicConsultation, windowPhase } from "~/models/consultation.server";
import { listClusterSubmissions, randomSortSeed } from "~/models/submission.server";
import { getClusterBySlug, listCategories, listStages } from "~/models/taxonomy.server";
import { translationsOf } from "~/models/translation.server";

export const PAGE_SIZE = 20;

interface ListArgs {
  request: Request;
  params: LoaderFunctionArgs["params"];
  context: AppLoadContext;
  /** the database's version the request is served at (a template's reader part): what is read once per version */
  version?: string;
}

// The same reads at one database version give the same rows: a reader part reads the cluster, the consultation and
// the categories once per version, not once per reader (the version moves with every commit, so none is stale).
const atVersion: { version: string; values: Map<string, Promise<unknown>> } = { version: "", values: new Map() };
function onceAtVersion<T>(version: string | undefined, key: string, read: () => Promise<T>): Promise<T> {
  if (version === undefined) return read();
  // An unknown `?consultation=` per request must not grow it without end.
  if (atVersion.version !== version || atVersion.values.size >= 1_000) atVersion.values = new Map();
  atVersion.version = version;
  let value = atVersion.values.get(key) as Promise<T> | undefined;
  if (!value) {
    const values = atVersion.values;
    value = read();
    values.set(key, value);
    value.catch(() => values.delete(key));
  }
  return value;
}

/** What the cluster page shows for this request: the cluster, its filters and one page of cards. */
export async function clusterListing({ request, params, context, version }: ListArgs) {
  const { db } = context;
  const clusterSlug = params.cluster ?? "";
  const cluster = await onceAtVersion(version, `cluster:${clusterSlug}`, () => getClusterBySlug(db, clusterSlug));
  if (!cluster) notFound();
  const { lng, digits } = await resolveFormat(request, context);
  const url = new URL(request.url);
  const query = ClusterQuerySchema.parse(Object.fromEntries(url.searchParams));
  const page = pageParam(url.searchParams.get("page"));
  // `?consultation=slug` reads a past consultation's suggestions; otherwise the active one.
  const slug = url.searchParams.get("consultation") || null;
  if (slug && !/^[a-z0-9-]{1,60}$/.test(slug)) notFound();
  // Archived categories still filter the suggestions tagged with them (a shared link keeps working); the list offers active ones.
  const [consultation, categories, stages] = await Promise.all([
    onceAtVersion(version, `consultation:${slug ?? ""}`, () => getPublicConsultation(db, slug)),
    onceAtVersion(version, "categories", () => listCategories(db, { includeArchived: true })),
    onceAtVersion(version, "stages", () => listStages(db)),
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
        db,
        list.submissions.map((s) => s.id),
        lng,
      )
    : new Map();
  const cards: Card[] = list.submissions.map((s) => ({
    id: s.id,
    title: (isLanguage(lng) ? translated.get(s.id)?.[lng]?.title : undefined) ?? s.title,
    translated: isLanguage(lng) && translated.get(s.id)?.[lng] !== undefined,
    publishedAt: s.published_at ?? s.created_at,
    organisation: { name: s.organisation_name, city: s.city, sizeBand: s.size_band, type: s.organisation_type },
    categories: s.categories.map((c) => localName(c, lng)),
    breadth: s.breadth,
    comments: s.comments_count,
  }));
  return { cluster, lng, digits, query, page, slug, categories, stages, sort, category, total: list.total, cards };
}

/** The loader data's form of a list of cards: one string, so a template can hold a slot for it (ADR 0041). */
export function cardsData(cards: Card[]): string {
  return JSON.stringify(cards);
}

// A card's markup is a function of its data, language, digits and cluster: kept by those (~1 KB each), so a reader
// who comes back, or whose list shares cards with another's, is not rendered again. Its figures are in its data.
const cardMarkup = new LRUCache<string, string>({
  maxSize: 16 * 1024 * 1024,
  // UTF-16 code units of the key and the markup, two bytes each.
  sizeCalculation: (markup, key) => 2 * (markup.length + key.length),
});
const CARD_START = '<li class="card">';

/**
 * A signed-in reader's own list on a template of the cluster page in random
 * order: their cards' markup and loader data, exactly as the page's render
 * writes them. Null when this request's page is not such a list (the server
 * then renders the page for the reader).
 */
export async function clusterReaderList(args: ListArgs): Promise<ReaderPart | null> {
  const listing = await clusterListing(args).catch(() => null);
  if (!listing || listing.sort !== "random" || listing.cards.length === 0) return null;
  const { lng, digits, cluster, cards } = listing;
  const clusterName = localName(cluster, lng);
  const texts = cards.map((card) => JSON.stringify(card));
  const keys = texts.map((text) => `${lng}:${digits}:${clusterName}\n${text}`);
  const markup = keys.map((key) => cardMarkup.get(key));
  const missing = cards.flatMap((card, i) => (markup[i] === undefined ? [i] : []));
  if (missing.length) {
    // One render for all the cards not kept: a card's markup begins with its <li class="card"> (no text a reader
    // wrote can: React escapes it), so the render splits into cards there.
    const labels = cardLabels(renderTranslator(lng, digits) as unknown as TFunction, { lng, digits }, clusterName, ServerLink);
    const rendered = renderToString(<SubmissionCards cards={missing.map((i) => cards[i])} labels={labels} />).split(CARD_START);
    if (rendered.length !== missing.length + 1 || rendered[0] !== "") return null;
    for (const [j, i] of missing.entries()) {
      markup[i] = CARD_START + rendered[j + 1];
      cardMarkup.set(keys[i], markup[i]);
    }
  }
  const html = markup.join("");
  // JSON.stringify of the array, from its elements' texts.
  return { html, data: `[${texts.join(",")}]` };
}
