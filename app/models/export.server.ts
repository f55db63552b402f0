// Exports and open data: the rows of the submissions and recommendations
// exports, the XLSX annex's sheets and the rows of the /api/v1 open-data API,
// read as pages. The file formats (CSV, JSON, XLSX) are written by
// app/lib/export-formats.server.ts, the HTTP download by app/lib/download.server.ts.
//
// Everything streams: rows are read in keyset pages (`id > last`, 100 at a
// time, the same SQL on SQLite and PostgreSQL), written as read, and the event
// loop is given back between pages, so memory stays flat from 100 to 100,000
// rows and other requests keep being served while an export runs.
//
// Two views: "organiser" (the /exports downloads and the CLI: organisation
// names always, draft and final recommendations) and "public" (the open-data
// API: published and merged submissions only, an organisation's name only
// where its member chose to show it, final recommendations only). Neither
// ever carries an email or a person's name.
//
// The recommendation figures (unique supporters over all sources, distinct
// organisations, and of them those from verified organisations) come from
// recommendationTotals, the same query the recommendation pages use. A
// submission's figures from verified organisations are one aggregate over the
// page's supports (issue 15), beside its categories and recommendations.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { sql } from "kysely";
import { z } from "zod";
import type { Executor } from "../../db/client";
import type { SubmissionStatus } from "../../db/schema";
import { isPublicStatus, PUBLIC_STATUSES, SUBMISSION_STATUSES } from "~/lib/reference";
import { asLanguage, versionIn } from "~/lib/recommendation-language";
import { toCsv, toJson, toXlsx, type ExportFormat, type XlsxSheet } from "~/lib/export-formats.server";
import { coverageSnapshot, LEFT_OUT_LIMIT, listUncovered } from "./coverage.server";
import { recommendationTotals } from "./recommendation.server";
import { latestProgress } from "./progress.server";
import { otherLanguage, type Language } from "./original-language";
import { translationsOf, type TranslationText } from "./translation.server";

/**
 * Rows per keyset page. Small on purpose: a page is alive across the awaits
 * that write it, so V8 promotes its rows to the old generation, which is only
 * collected when it has grown; 1,000-row pages grew the heap by 80–110 MB over
 * a 100,000-row export, 100-row pages keep it flat (docs/benchmarks.md).
 */
const PAGE_SIZE = 100;

export const SUBMISSION_COLUMNS = [
  "id",
  "consultation",
  "cluster",
  "title",
  "problem",
  "proposal",
  "expected_impact",
  "stage",
  "horizon",
  "status",
  "categories",
  "supporters",
  "supporting_organisations",
  "supporting_provinces",
  "comments",
  "organisation",
  "organisation_type",
  "size_band",
  "city",
  "province",
  "source",
  "created_at",
  "published_at",
  "merged_into",
  "recommendations",
  // Issue 15, appended at the end (a Contract change): of `supporters` and `supporting_organisations`, those from verified organisations.
  "supporters_verified_organisations",
  "verified_organisations",
  // Issue 18, appended at the end (a Contract change): the language it was written in, and the moderators'
  // translation into the other language (empty when there is none).
  "original_language",
  "translated_title",
  "translated_problem",
  "translated_proposal",
  "translated_expected_impact",
] as const;

/** The JSON export (and the API) also carry every translation as an object per language (issue 18). */
export const SUBMISSION_JSON_COLUMNS = [...SUBMISSION_COLUMNS, "translations"] as const;

export const RECOMMENDATION_COLUMNS = [
  "id",
  "title",
  "clusters",
  "categories",
  "priority",
  "status",
  "text",
  "dissent",
  "unique_supporters",
  "organisations",
  "sources",
  "response_status",
  "response_text",
  "responsible_agency",
  "response_date",
  // Issue 15, appended at the end (a Contract change): of `unique_supporters` and `organisations`, those from verified organisations.
  "unique_supporters_verified_organisations",
  "verified_organisations",
  // Issue 16, appended at the end (a Contract change): the latest implementation progress update (empty when none).
  "progress_status",
  "progress_date",
  // Issue 18, appended at the end (a Contract change; ADR 0032): the language of title, text and dissent
  // (en | ur), then the Urdu version ("" when there is none; the same as title/text/dissent when language is ur).
  "language",
  "title_ur",
  "text_ur",
  "dissent_ur",
] as const;

export type SubmissionExportRow = {
  id: number;
  consultation: string;
  cluster: string;
  title: string;
  problem: string;
  proposal: string;
  expected_impact: string;
  stage: string;
  horizon: string;
  status: SubmissionStatus;
  categories: string;
  supporters: number;
  supporting_organisations: number;
  supporting_provinces: number;
  comments: number;
  organisation: string;
  organisation_type: string;
  size_band: string;
  city: string;
  province: string;
  source: string;
  created_at: string;
  published_at: string;
  merged_into: number | "";
  recommendations: string;
  /** distinct supporters whose support names a verified organisation (of `supporters`) */
  supporters_verified_organisations: number;
  /** distinct verified organisations among the supports (of `supporting_organisations`) */
  verified_organisations: number;
  original_language: Language;
  translated_title: string;
  translated_problem: string;
  translated_proposal: string;
  translated_expected_impact: string;
  /** the moderators' translations, by language: `{ "en": { title, problem, proposal, expected_impact } }` */
  translations: Partial<Record<Language, TranslationText>>;
};

export type RecommendationExportRow = {
  id: string;
  title: string;
  clusters: string;
  categories: string;
  priority: number;
  status: string;
  text: string;
  dissent: string;
  unique_supporters: number;
  organisations: number;
  sources: string;
  response_status: string;
  response_text: string;
  responsible_agency: string;
  response_date: string;
  /** of unique_supporters, those whose support names a verified organisation (a person once) */
  unique_supporters_verified_organisations: number;
  /** of organisations, the verified ones */
  verified_organisations: number;
  /** the latest implementation progress update (planned | in-progress | done | stalled), "" when none */
  progress_status: string;
  /** its date (YYYY-MM-DD), "" when none */
  progress_date: string;
  /** en | ur: the language of title, text and dissent (ADR 0032) */
  language: string;
  /** the Urdu version ("" when none) */
  title_ur: string;
  text_ur: string;
  dissent_ur: string;
  /** the public view only (the API): linked sources no longer public */
  sources_not_public?: number;
};

export type ExportView = "organiser" | "public";

/**
 * Organisers' default: everything a moderator has decided on or the author
 * withdrew — all but `pending` (not yet moderated). `status=pending` or
 * `status=all` asks for the rest. (The public only ever sees PUBLIC_STATUSES.)
 */
const ORGANISER_DEFAULT_STATUSES: SubmissionStatus[] = SUBMISSION_STATUSES.filter((s) => s !== "pending");

/** ISO 8601 UTC (stored values already are; this normalises any other parseable form). */
function isoUtc(value: string | null | undefined): string {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

// ─────────────────────────────── filters ───────────────────────────────

export interface SubmissionFilters {
  consultationId?: number | null;
  cluster?: string | null;
  category?: string | null;
  statuses?: SubmissionStatus[];
}

const slug = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9-]+$/);

const SubmissionExportQuery = z.object({
  cluster: slug.optional(),
  category: slug.optional(),
  status: z.enum([...SUBMISSION_STATUSES, "all"]).optional(),
});

export type ParsedFilters = { ok: true; filters: SubmissionFilters; clusterSlug: string | null } | { ok: false; error: string };

/** The filters as given (a request's query values, the CLI's options); absent, null or empty is no filter. */
export interface SubmissionExportQueryInput {
  cluster?: string | null;
  category?: string | null;
  status?: string | null;
}

function givenValues(input: SubmissionExportQueryInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["cluster", "category", "status"] as const) {
    const v = input[name];
    // An empty value (a form's "any" option) is no filter.
    if (v !== null && v !== undefined && v !== "") out[name] = v;
  }
  return out;
}

/** Checks that the named cluster and category exist. */
async function checkTaxonomy(db: Executor, cluster?: string, category?: string): Promise<string | null> {
  if (cluster && !(await db.selectFrom("clusters").select("id").where("slug", "=", cluster).executeTakeFirst()))
    return `unknown cluster: ${cluster}`;
  if (category && !(await db.selectFrom("categories").select("id").where("slug", "=", category).executeTakeFirst()))
    return `unknown category: ${category}`;
  return null;
}

/** The organisers' submissions export filters: unknown values are an error (→ 400). */
export async function parseSubmissionExportQuery(db: Executor, input: SubmissionExportQueryInput): Promise<ParsedFilters> {
  const parsed = SubmissionExportQuery.safeParse(givenValues(input));
  if (!parsed.success) return { ok: false, error: `invalid ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}` };
  const { cluster, category, status } = parsed.data;
  const unknown = await checkTaxonomy(db, cluster, category);
  if (unknown) return { ok: false, error: unknown };
  const consultation = await activeConsultationId(db);
  return {
    ok: true,
    clusterSlug: cluster ?? null,
    filters: {
      consultationId: consultation,
      cluster: cluster ?? null,
      category: category ?? null,
      statuses: status === "all" ? [...SUBMISSION_STATUSES] : status ? [status as SubmissionStatus] : ORGANISER_DEFAULT_STATUSES,
    },
  };
}

/**
 * The active consultation's id (exports cover it); null when there is none.
 * Exported only for the tests (tests/models/exports.test.ts).
 */
export async function activeConsultationId(db: Executor): Promise<number | null> {
  const row = await db.selectFrom("consultations").select("id").where("is_active", "=", 1).orderBy("id", "desc").executeTakeFirst();
  return row?.id ?? null;
}

// ─────────────────────────────── submissions ───────────────────────────────

/** One keyset page of submissions with their columns, in id order. */
type Slugs = { clusterRows: Array<{ id: number; slug: string }>; consultationRows: Array<{ id: number; slug: string }> };

// Clusters and consultations are a handful of rows: read them apart, so the
// page query is driven by the submissions' primary key alone (no join the
// planner could start from); an export reads them once, not once a page.
async function readSlugs(db: Executor): Promise<Slugs> {
  const [clusterRows, consultationRows] = await Promise.all([
    db.selectFrom("clusters").select(["id", "slug"]).execute(),
    db.selectFrom("consultations").select(["id", "slug"]).execute(),
  ]);
  return { clusterRows, consultationRows };
}

async function submissionPage(
  db: Executor,
  view: ExportView,
  filters: SubmissionFilters,
  after: number,
  limit: number,
  slugs?: Slugs,
): Promise<SubmissionExportRow[]> {
  const { clusterRows, consultationRows } = slugs ?? (await readSlugs(db));
  const clusterSlug = new Map(clusterRows.map((c) => [c.id, c.slug]));
  const consultationSlug = new Map(consultationRows.map((c) => [c.id, c.slug]));
  let q = db
    .selectFrom("submissions as s")
    .leftJoin("organisations as o", "o.id", "s.organisation_id")
    .leftJoin("users as u", "u.id", "s.author_id")
    .select([
      "s.id",
      "s.consultation_id",
      "s.cluster_id",
      "s.title",
      "s.problem",
      "s.proposal",
      "s.expected_impact",
      "s.stage",
      "s.horizon",
      "s.status",
      "s.supporters_count",
      "s.supporting_organisations",
      "s.supporting_provinces",
      "s.comments_count",
      "o.name as organisation_name",
      "o.type as organisation_type",
      "o.size_band",
      "o.city",
      "o.province",
      "u.show_organisation",
      "s.source",
      "s.created_at",
      "s.published_at",
      "s.merged_into_id",
      "s.original_language",
    ])
    .where("s.id", ">", after)
    .orderBy("s.id")
    .limit(limit);
  const statuses =
    view === "public"
      ? (filters.statuses ?? [...PUBLIC_STATUSES]).filter(isPublicStatus)
      : (filters.statuses ?? ORGANISER_DEFAULT_STATUSES);
  if (!statuses.length) return [];
  // Walk the primary key: `status || ''` and `consultation_id + 0` keep the
  // planner (SQLite's above all) from driving the query through a
  // (consultation, status, …) index, which sorts every matching row again on
  // each page — quadratic over 100 pages. The same SQL on both dialects.
  q = q.where(sql<string>`s.status || ''`, "in", statuses);
  if (filters.consultationId != null) q = q.where(sql<number>`s.consultation_id + 0`, "=", filters.consultationId);
  if (filters.cluster) {
    const clusterId = clusterRows.find((c) => c.slug === filters.cluster)?.id;
    if (clusterId === undefined) return [];
    q = q.where(sql<number>`s.cluster_id + 0`, "=", clusterId);
  }
  if (filters.category) {
    const category = filters.category;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("submission_categories as fc")
          .innerJoin("categories as fcat", "fcat.id", "fc.category_id")
          .select("fc.submission_id")
          .whereRef("fc.submission_id", "=", "s.id")
          .where("fcat.slug", "=", category),
      ),
    );
  }
  const rows = await q.execute();
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [categories, recommendations, verified, translations] = await Promise.all([
    db
      .selectFrom("submission_categories as sc")
      .innerJoin("categories as cat", "cat.id", "sc.category_id")
      .select(["sc.submission_id", "cat.slug"])
      .where("sc.submission_id", "in", ids)
      .orderBy("sc.submission_id")
      .orderBy("cat.sort_order")
      .orderBy("cat.slug")
      .execute(),
    (() => {
      let r = db
        .selectFrom("recommendation_submissions as rs")
        .innerJoin("recommendations as r", "r.id", "rs.recommendation_id")
        .select(["rs.submission_id", "r.id"])
        .where("rs.submission_id", "in", ids)
        .orderBy("rs.submission_id")
        .orderBy("r.id");
      if (view === "public") r = r.where("r.status", "=", "final");
      return r.execute();
    })(),
    // The page's supports from verified organisations, one aggregate a page (issue 15).
    db
      .selectFrom("supports as sp")
      .innerJoin("organisations as vo", "vo.id", "sp.organisation_id")
      .select((eb) => [
        "sp.submission_id",
        eb.fn.count<number>("sp.user_id").distinct().as("supporters"),
        eb.fn.count<number>("sp.organisation_id").distinct().as("organisations"),
      ])
      .where("sp.submission_id", "in", ids)
      .where("vo.verified", "=", 1)
      .groupBy("sp.submission_id")
      .execute(),
    translationsOf(db, ids),
  ]);
  const verifiedBy = new Map(verified.map((v) => [v.submission_id, v]));
  const catsBy = group(
    categories,
    (c) => c.submission_id,
    (c) => c.slug,
  );
  const recsBy = group(
    recommendations,
    (r) => r.submission_id,
    (r) => `R-${r.id}`,
  );
  return rows.map((r) => ({
    id: r.id,
    consultation: consultationSlug.get(r.consultation_id) ?? "",
    cluster: clusterSlug.get(r.cluster_id) ?? "",
    title: r.title,
    problem: r.problem,
    proposal: r.proposal,
    expected_impact: r.expected_impact ?? "",
    stage: r.stage ?? "",
    horizon: r.horizon ?? "",
    status: r.status,
    categories: (catsBy.get(r.id) ?? []).join(";"),
    supporters: Number(r.supporters_count),
    supporting_organisations: Number(r.supporting_organisations),
    supporting_provinces: Number(r.supporting_provinces),
    comments: Number(r.comments_count),
    // Organisers always see the name; the public only where its member allowed it.
    organisation: view === "organiser" || r.show_organisation === 1 ? (r.organisation_name ?? "") : "",
    organisation_type: r.organisation_type ?? "",
    size_band: r.size_band ?? "",
    city: r.city ?? "",
    province: r.province ?? "",
    source: r.source,
    created_at: isoUtc(r.created_at),
    published_at: isoUtc(r.published_at),
    merged_into: r.merged_into_id ?? "",
    recommendations: (recsBy.get(r.id) ?? []).join(";"),
    supporters_verified_organisations: Number(verifiedBy.get(r.id)?.supporters ?? 0),
    verified_organisations: Number(verifiedBy.get(r.id)?.organisations ?? 0),
    ...translatedColumns(r.original_language, translations.get(r.id) ?? {}),
  }));
}

/** The issue 18 columns of a row: its language, its translation into the other one (empty when none), and every translation. */
function translatedColumns(original: Language, translations: Partial<Record<Language, TranslationText>>) {
  const other = translations[otherLanguage(original)];
  return {
    original_language: original,
    translated_title: other?.title ?? "",
    translated_problem: other?.problem ?? "",
    translated_proposal: other?.proposal ?? "",
    translated_expected_impact: other?.expected_impact ?? "",
    translations,
  };
}

function group<T, K, V>(rows: T[], key: (r: T) => K, value: (r: T) => V): Map<K, V[]> {
  const m = new Map<K, V[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(value(r));
    else m.set(k, [value(r)]);
  }
  return m;
}

/** Pages of submission rows (keyset by id), yielding to the event loop between pages. */
async function* submissionPages(
  db: Executor,
  view: ExportView,
  filters: SubmissionFilters,
  pageSize = PAGE_SIZE,
): AsyncGenerator<SubmissionExportRow[]> {
  let after = 0;
  const slugs = await readSlugs(db);
  for (;;) {
    const page = await submissionPage(db, view, filters, after, pageSize, slugs);
    if (!page.length) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].id;
    await yieldToEventLoop();
  }
}

/** One page for the open-data API: up to `limit` rows after id `after`. */
export function listPublicSubmissions(
  db: Executor,
  params: { after: number; limit: number; cluster?: string | null; category?: string | null },
) {
  return submissionPage(
    db,
    "public",
    { cluster: params.cluster, category: params.category, statuses: [...PUBLIC_STATUSES] },
    params.after,
    params.limit,
  );
}

// ─────────────────────────────── recommendations ───────────────────────────────

export interface RecommendationFilters {
  consultationId?: number | null;
  /** final only (the public view) */
  finalOnly?: boolean;
  /**
   * The public view of the sources: only published or merged ones in
   * `sources`, and `sources_not_public` counting the others (a source
   * rejected, hidden or withdrawn after it was linked; issue 13).
   */
  publicSources?: boolean;
  cluster?: string | null;
  category?: string | null;
}

async function recommendationPage(
  db: Executor,
  filters: RecommendationFilters,
  after: number,
  limit: number,
): Promise<RecommendationExportRow[]> {
  let q = db
    .selectFrom("recommendations as r")
    .select([
      "r.id",
      "r.title",
      "r.text",
      "r.priority",
      "r.dissent",
      "r.language",
      "r.other_title",
      "r.other_text",
      "r.other_dissent",
      "r.status",
      "r.response_status",
      "r.response_text",
      "r.responsible_agency",
      "r.response_date",
    ])
    .where("r.id", ">", after)
    .orderBy("r.id")
    .limit(limit);
  if (filters.consultationId != null) q = q.where("r.consultation_id", "=", filters.consultationId);
  if (filters.finalOnly) q = q.where("r.status", "=", "final");
  if (filters.cluster) {
    const cluster = filters.cluster;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("recommendation_clusters as fc")
          .innerJoin("clusters as fcl", "fcl.id", "fc.cluster_id")
          .select("fc.recommendation_id")
          .whereRef("fc.recommendation_id", "=", "r.id")
          .where("fcl.slug", "=", cluster),
      ),
    );
  }
  if (filters.category) {
    const category = filters.category;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("recommendation_categories as fc")
          .innerJoin("categories as fcat", "fcat.id", "fc.category_id")
          .select("fc.recommendation_id")
          .whereRef("fc.recommendation_id", "=", "r.id")
          .where("fcat.slug", "=", category),
      ),
    );
  }
  const rows = await q.execute();
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [clusters, categories, sources, figures] = await Promise.all([
    db
      .selectFrom("recommendation_clusters as rc")
      .innerJoin("clusters as c", "c.id", "rc.cluster_id")
      .select(["rc.recommendation_id", "c.slug"])
      .where("rc.recommendation_id", "in", ids)
      .orderBy("rc.recommendation_id")
      .orderBy("c.sort_order")
      .orderBy("c.slug")
      .execute(),
    db
      .selectFrom("recommendation_categories as rc")
      .innerJoin("categories as c", "c.id", "rc.category_id")
      .select(["rc.recommendation_id", "c.slug"])
      .where("rc.recommendation_id", "in", ids)
      .orderBy("rc.recommendation_id")
      .orderBy("c.sort_order")
      .orderBy("c.slug")
      .execute(),
    db
      .selectFrom("recommendation_submissions as rs")
      .innerJoin("submissions as s", "s.id", "rs.submission_id")
      .select(["rs.recommendation_id", "rs.submission_id", "s.status"])
      .where("rs.recommendation_id", "in", ids)
      .orderBy("rs.recommendation_id")
      .orderBy("rs.submission_id")
      .execute(),
    // Unique supporters over ALL support rows of all sources: a person behind two sources counts once.
    recommendationTotals(db, ids),
  ]);
  const progress = await latestProgress(db, ids);
  const clustersBy = group(
    clusters,
    (c) => c.recommendation_id,
    (c) => c.slug,
  );
  const categoriesBy = group(
    categories,
    (c) => c.recommendation_id,
    (c) => c.slug,
  );
  const shown = filters.publicSources ? sources.filter((s) => isPublicStatus(s.status)) : sources;
  const sourcesBy = group(
    shown,
    (s) => s.recommendation_id,
    (s) => s.submission_id,
  );
  const notPublic = new Map<number, number>();
  if (filters.publicSources)
    for (const s of sources)
      if (!isPublicStatus(s.status)) notPublic.set(s.recommendation_id, (notPublic.get(s.recommendation_id) ?? 0) + 1);
  return rows.map((r) => {
    const ur = versionIn(r, "ur");
    return {
      id: `R-${r.id}`,
      title: r.title,
      clusters: (clustersBy.get(r.id) ?? []).join(";"),
      categories: (categoriesBy.get(r.id) ?? []).join(";"),
      priority: Number(r.priority),
      status: r.status,
      text: r.text,
      dissent: r.dissent ?? "",
      unique_supporters: figures.get(r.id)?.uniqueSupporters ?? 0,
      organisations: figures.get(r.id)?.organisations ?? 0,
      sources: (sourcesBy.get(r.id) ?? []).join(";"),
      response_status: r.response_status ?? "",
      response_text: r.response_text ?? "",
      responsible_agency: r.responsible_agency ?? "",
      response_date: r.response_date ?? "",
      unique_supporters_verified_organisations: figures.get(r.id)?.verifiedSupporters ?? 0,
      verified_organisations: figures.get(r.id)?.verifiedOrganisations ?? 0,
      progress_status: progress.get(r.id)?.status ?? "",
      progress_date: progress.get(r.id)?.date ?? "",
      language: asLanguage(r.language),
      title_ur: ur?.title ?? "",
      text_ur: ur?.text ?? "",
      dissent_ur: ur?.dissent ?? "",
      ...(filters.publicSources ? { sources_not_public: notPublic.get(r.id) ?? 0 } : {}),
    };
  });
}

async function* recommendationPages(
  db: Executor,
  filters: RecommendationFilters,
  pageSize = PAGE_SIZE,
): AsyncGenerator<RecommendationExportRow[]> {
  let after = 0;
  for (;;) {
    const page = await recommendationPage(db, filters, after, pageSize);
    if (!page.length) return;
    yield page;
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1].id.slice(2));
    await yieldToEventLoop();
  }
}

export function listPublicRecommendations(
  db: Executor,
  params: { after: number; limit: number; cluster?: string | null; category?: string | null },
) {
  return recommendationPage(
    db,
    { finalOnly: true, publicSources: true, cluster: params.cluster, category: params.category },
    params.after,
    params.limit,
  );
}

// ─────────────────────────────── the annex ───────────────────────────────

/** Keyset pages over any table with an integer id. */
async function* keysetPages<T extends { id: number }>(
  fetch: (after: number, limit: number) => Promise<T[]>,
  pageSize = PAGE_SIZE,
): AsyncGenerator<T[]> {
  let after = 0;
  for (;;) {
    const page = await fetch(after, pageSize);
    if (!page.length) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].id;
    await yieldToEventLoop();
  }
}

const slugList = (json: string) => {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.join(";") : "";
  } catch {
    return "";
  }
};

const TAG_LOG_COLUMNS = ["submission", "when", "who", "before", "after", "reason"] as const;
const DECISION_COLUMNS = ["time", "action", "submission", "actor_role", "reason"] as const;
const MATRIX_COLUMNS = ["cluster", "category", "submissions", "supporters", "organisations"] as const;

/** The tag log: who by role only (never a name). */
function tagLogPages(db: Executor, consultationId: number | null) {
  return keysetPages(async (after, limit) => {
    let q = db
      .selectFrom("tag_log as t")
      .innerJoin("submissions as s", "s.id", "t.submission_id")
      .leftJoin("users as u", "u.id", "t.actor_id")
      .select(["t.id", "t.submission_id", "t.created_at", "u.role", "t.before", "t.after", "t.reason"])
      .where("t.id", ">", after)
      .orderBy("t.id")
      .limit(limit);
    if (consultationId != null) q = q.where("s.consultation_id", "=", consultationId);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      submission: r.submission_id,
      when: isoUtc(r.created_at),
      who: r.role ?? "",
      before: slugList(r.before),
      after: slugList(r.after),
      reason: r.reason ?? "",
    }));
  });
}

/** Moderation decisions from the audit log (`submission.*` actions): no actor ids, no IPs, no before/after. */
function decisionPages(db: Executor, consultationId: number | null) {
  return keysetPages(async (after, limit) => {
    let q = db
      .selectFrom("audit_log as a")
      .select(["a.id", "a.created_at", "a.action", "a.target_id", "a.actor_role", "a.reason"])
      .where("a.action", "like", "submission.%")
      .where("a.id", ">", after)
      .orderBy("a.id")
      .limit(limit);
    if (consultationId != null) {
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom("submissions as s")
            .select("s.id")
            .where("s.consultation_id", "=", consultationId)
            .where(sql<string>`cast(s.id as text)`, "=", sql<string>`a.target_id`),
        ),
      );
    }
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      time: isoUtc(r.created_at),
      action: r.action,
      submission: r.target_id && /^\d+$/.test(r.target_id) ? Number(r.target_id) : (r.target_id ?? ""),
      actor_role: r.actor_role ?? "",
      reason: r.reason ?? "",
    }));
  });
}

/** Cluster × category over published submissions: how many, their supporters (sum), distinct supporting organisations. */
async function clusterCategoryMatrix(db: Executor, consultationId: number | null) {
  let counts = db
    .selectFrom("submissions as s")
    .innerJoin("submission_categories as sc", "sc.submission_id", "s.id")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .innerJoin("categories as cat", "cat.id", "sc.category_id")
    .select((eb) => [
      "c.slug as cluster",
      "cat.slug as category",
      "c.sort_order as cluster_order",
      "cat.sort_order as category_order",
      eb.fn.countAll<number>().as("submissions"),
      eb.fn.sum<number>("s.supporters_count").as("supporters"),
    ])
    .where("s.status", "=", "published")
    .groupBy(["c.slug", "cat.slug", "c.sort_order", "cat.sort_order"]);
  let orgs = db
    .selectFrom("submissions as s")
    .innerJoin("submission_categories as sc", "sc.submission_id", "s.id")
    .innerJoin("supports as sp", "sp.submission_id", "s.id")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .innerJoin("categories as cat", "cat.id", "sc.category_id")
    .select((eb) => ["c.slug as cluster", "cat.slug as category", eb.fn.count<number>("sp.organisation_id").distinct().as("organisations")])
    .where("s.status", "=", "published")
    .groupBy(["c.slug", "cat.slug"]);
  if (consultationId != null) {
    counts = counts.where("s.consultation_id", "=", consultationId);
    orgs = orgs.where("s.consultation_id", "=", consultationId);
  }
  const [a, b] = await Promise.all([counts.execute(), orgs.execute()]);
  const orgsBy = new Map(b.map((r) => [`${r.cluster}\u0000${r.category}`, Number(r.organisations)]));
  return a
    .sort((x, y) => x.cluster_order - y.cluster_order || x.category_order - y.category_order)
    .map((r) => ({
      cluster: r.cluster,
      category: r.category,
      submissions: Number(r.submissions),
      supporters: Number(r.supporters ?? 0),
      organisations: orgsBy.get(`${r.cluster}\u0000${r.category}`) ?? 0,
    }));
}

// Coverage (issue 19, ADR 0030), appended as sheets of their own and a CSV: the
// share of suggestions and of distinct supporters final recommendations
// reflect, and the suggestions left out with the organisers' reasons. The list
// is bounded: the LEFT_OUT_LIMIT most supported; every row says its rank and
// how many were left out in all, so the file says what it leaves out itself.
export const COVERAGE_COLUMNS = ["scope", "slug", "suggestions", "covered_suggestions", "supporters", "covered_supporters"] as const;
export const LEFT_OUT_COLUMNS = [
  "rank",
  "left_out_total",
  "submission",
  "title",
  "cluster",
  "supporters",
  "reason",
  "reason_set_at",
  "reason_set_by_role",
] as const;

async function coverageRows(db: Executor, consultationId: number | null) {
  if (consultationId == null) return [];
  const { figures: f } = await coverageSnapshot(db, { consultationId });
  const row = (
    scope: string,
    slug: string,
    s: { suggestions: number; coveredSuggestions: number; supporters: number; coveredSupporters: number },
  ) => ({
    scope,
    slug,
    suggestions: s.suggestions,
    covered_suggestions: s.coveredSuggestions,
    supporters: s.supporters,
    covered_supporters: s.coveredSupporters,
  });
  return [
    row("all", "", f.overall),
    ...f.byCluster.map((r) => row("cluster", r.slug ?? "", r)),
    ...f.byCategory.map((r) => row("category", r.slug ?? "", r)),
  ];
}

async function leftOutRows(db: Executor, consultationId: number | null) {
  if (consultationId == null) return [];
  const { total, rows } = await listUncovered(db, { consultationId, limit: LEFT_OUT_LIMIT });
  return rows.map((r, i) => ({
    rank: i + 1,
    left_out_total: total,
    submission: r.id,
    title: r.title,
    cluster: r.cluster_slug,
    supporters: r.supporters,
    reason: r.reason ?? "",
    reason_set_at: isoUtc(r.reason_at),
    reason_set_by_role: r.reason_by_role ?? "",
  }));
}

/** /exports/left-out.csv: the suggestions left out, most supported first (at most LEFT_OUT_LIMIT), with reasons. */
export async function leftOutExport(db: Executor): Promise<AsyncIterable<string>> {
  const consultationId = await activeConsultationId(db);
  return toCsv(
    LEFT_OUT_COLUMNS,
    (async function* () {
      yield await leftOutRows(db, consultationId);
    })(),
  );
}

/** The conference annex: five sheets, then (issue 19) coverage and the suggestions left out; streamed. Organiser view. */
export async function annexSheets(db: Executor): Promise<XlsxSheet[]> {
  const consultationId = await activeConsultationId(db);
  const filters: SubmissionFilters = { consultationId, statuses: ORGANISER_DEFAULT_STATUSES };
  return [
    { name: "submissions", columns: SUBMISSION_COLUMNS, pages: () => submissionPages(db, "organiser", filters) },
    { name: "tag log", columns: TAG_LOG_COLUMNS, pages: () => tagLogPages(db, consultationId) },
    { name: "moderation decisions", columns: DECISION_COLUMNS, pages: () => decisionPages(db, consultationId) },
    { name: "recommendations", columns: RECOMMENDATION_COLUMNS, pages: () => recommendationPages(db, { consultationId }) },
    {
      name: "cluster x category",
      columns: MATRIX_COLUMNS,
      pages: async function* () {
        yield await clusterCategoryMatrix(db, consultationId);
      },
    },
    {
      name: "coverage",
      columns: COVERAGE_COLUMNS,
      pages: async function* () {
        yield await coverageRows(db, consultationId);
      },
    },
    {
      name: "left out",
      columns: LEFT_OUT_COLUMNS,
      pages: async function* () {
        yield await leftOutRows(db, consultationId);
      },
    },
  ];
}

// ─────────────────────────────── entry points ───────────────────────────────

/** The submissions export body in a format (organiser view unless told). */
export function submissionsExport(
  db: Executor,
  format: ExportFormat,
  filters: SubmissionFilters,
  view: ExportView = "organiser",
): AsyncIterable<string | Buffer> {
  const pages = () => submissionPages(db, view, filters);
  if (format === "csv") return toCsv(SUBMISSION_COLUMNS, pages());
  if (format === "json") return toJson(SUBMISSION_JSON_COLUMNS, pages());
  return toXlsx([{ name: "submissions", columns: SUBMISSION_COLUMNS, pages }]);
}

export async function recommendationsExport(db: Executor, format: "csv" | "json"): Promise<AsyncIterable<string>> {
  const consultationId = await activeConsultationId(db);
  const pages = recommendationPages(db, { consultationId });
  return format === "csv" ? toCsv(RECOMMENDATION_COLUMNS, pages) : toJson(RECOMMENDATION_COLUMNS, pages);
}
