// Recommendations: an organiser's consolidated statement (R-n) linking
// source suggestions, with figures counted across its sources (a person behind
// two sources counts once), and the government's response. Every change is one
// transaction with its audit entry, its history events and its notifications.
import { sql } from "kysely";
import type { Executor } from "../../db/client";
import type { SubmissionStatus } from "../../db/schema";
import { inTransaction } from "../../db/transaction";
import { defineRefusals } from "~/lib/refusal";
import { z } from "~/lib/zod-setup";
import { storedVersions, VERSION_COLUMNS } from "~/lib/recommendation-language";
import {
  missingVersionFields,
  RecommendationInputSchema,
  ResponseInputSchema,
  type RecommendationInput,
  type ResponseInput,
} from "~/lib/recommendation-schemas.server";
import { isPublicStatus, PUBLIC_STATUSES } from "~/lib/reference";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { getActiveConsultation } from "./consultation.server";
import { notifyFollowers } from "./follow.server";
import { notify } from "./notification.server";
import { matchAllTerms } from "./search.server";
import { recordEvent, type FieldErrors } from "./submission.server";

export interface Actor {
  actorId: number;
  actorRole: string;
  now?: Date;
}

// ───────────────────────────── create / update ─────────────────────────────

async function resolveSlugs(db: Executor, table: "clusters" | "categories", slugs: string[]): Promise<number[] | null> {
  if (!slugs.length) return [];
  const rows = await db.selectFrom(table).select(["id", "slug"]).where("slug", "in", slugs).where("archived", "=", 0).execute();
  if (rows.length !== slugs.length) return null;
  const bySlug = new Map(rows.map((r) => [r.slug, r.id]));
  return slugs.map((s) => bySlug.get(s)!);
}

type Parsed =
  | { ok: true; input: RecommendationInput; clusterIds: number[]; categoryIds: number[] }
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors };

async function parseRecommendation(db: Executor, raw: unknown): Promise<Parsed> {
  const parsed = RecommendationInputSchema.safeParse(raw);
  // A started language version needs its title and text; at least one version is needed (ADR 0032).
  const missing = missingVersionFields(raw);
  if (!parsed.success || missing.length) {
    const fieldErrors = (parsed.success ? {} : z.flattenError(parsed.error).fieldErrors) as FieldErrors;
    for (const f of missing) fieldErrors[f] ??= ["errors.required"];
    return { ok: false, reason: "invalid", fieldErrors };
  }
  const input = parsed.data;
  const [clusterIds, categoryIds] = await Promise.all([
    resolveSlugs(db, "clusters", input.cluster),
    resolveSlugs(db, "categories", input.category),
  ]);
  const fieldErrors: FieldErrors = {};
  if (!clusterIds) fieldErrors.cluster = ["errors.invalid"];
  if (!categoryIds) fieldErrors.category = ["errors.invalid"];
  if (!clusterIds || !categoryIds) return { ok: false, reason: "invalid", fieldErrors };
  return { ok: true, input, clusterIds, categoryIds };
}

async function replaceTaxonomy(trx: Executor, id: number, clusterIds: number[], categoryIds: number[]) {
  await trx.deleteFrom("recommendation_clusters").where("recommendation_id", "=", id).execute();
  await trx.deleteFrom("recommendation_categories").where("recommendation_id", "=", id).execute();
  if (clusterIds.length)
    await trx
      .insertInto("recommendation_clusters")
      .values(clusterIds.map((cluster_id) => ({ recommendation_id: id, cluster_id })))
      .execute();
  if (categoryIds.length)
    await trx
      .insertInto("recommendation_categories")
      .values(categoryIds.map((category_id) => ({ recommendation_id: id, category_id })))
      .execute();
}

const includedData = (id: number) => ({ recommendation: id });

/**
 * A source became part of a FINAL recommendation: its author hears it once
 * (per recommendation) and its public history says "included" once.
 */
async function announceInclusion(trx: Executor, recommendationId: number, submissionIds: number[], actor: Actor, now: Date) {
  if (!submissionIds.length) return;
  const sources = await trx.selectFrom("submissions").select(["id", "author_id"]).where("id", "in", submissionIds).orderBy("id").execute();
  const dataText = JSON.stringify(includedData(recommendationId));
  const told = new Set(
    (
      await trx
        .selectFrom("notifications")
        .select("user_id")
        .where("kind", "in", ["recommended", "followed.recommended"])
        .where("recommendation_id", "=", recommendationId)
        .execute()
    ).map((r) => r.user_id),
  );
  for (const s of sources) {
    const already = await trx
      .selectFrom("submission_events")
      .select("id")
      .where("submission_id", "=", s.id)
      .where("event", "=", "included")
      .where("data", "=", dataText)
      .executeTakeFirst();
    if (!already)
      await recordEvent(
        trx,
        { submissionId: s.id, event: "included", actorId: actor.actorId, actorRole: "organiser", data: includedData(recommendationId) },
        now,
      );
    if (s.author_id !== null && !told.has(s.author_id)) {
      told.add(s.author_id);
      await notify(trx, { userId: s.author_id, kind: "recommended", submissionId: s.id, recommendationId }, now);
    }
  }
  // Then the followers of each source (supporters, people who chose to follow), once per
  // recommendation: after every author, so an author hears it as the author.
  for (const s of sources) {
    const followers = await notifyFollowers(trx, {
      target: { type: "submission", id: s.id },
      event: "recommended",
      recommendationId,
      data: includedData(recommendationId),
      except: told,
      now,
    });
    for (const u of followers) told.add(u);
  }
}

/**
 * Why a change to a recommendation is refused, and the status each answers
 * with: a form that does not validate (400); no such recommendation (404); no
 * active consultation to create it in, or a response to one that is not final
 * (409); a source that cannot be linked (422: never allowed as it stands).
 */
export const RECOMMENDATION_REFUSALS = defineRefusals({
  invalid: 400,
  notFound: 404,
  noConsultation: 409,
  notFinal: 409,
  submissionNotFound: 422,
  notPublic: 422,
  otherConsultation: 422,
});

/** What the organiser's page may offer for a recommendation in this status: a response only to a final one. */
export function recommendationActions(status: string): { canRespond: boolean; isPublic: boolean } {
  return { canRespond: status === "final", isPublic: status === "final" };
}

export type SaveResult =
  | { ok: true; id: number }
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  | { ok: false; reason: "noConsultation" | "notFound" };

/** Creates a recommendation in the active consultation (raw form values are parsed here). */
export async function createRecommendation(db: Executor, params: Actor & { input: unknown }): Promise<SaveResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const parsed = await parseRecommendation(db, params.input);
  if (!parsed.ok) return parsed;
  const consultation = await getActiveConsultation(db);
  if (!consultation) return { ok: false, reason: "noConsultation" };
  const { input } = parsed;
  return inTransaction(db, async (trx): Promise<SaveResult> => {
    const row = await trx
      .insertInto("recommendations")
      .values({
        consultation_id: consultation.id,
        ...storedVersions(input),
        priority: input.priority,
        status: input.status,
        created_by: params.actorId,
        created_at: iso,
        updated_at: iso,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await replaceTaxonomy(trx, row.id, parsed.clusterIds, parsed.categoryIds);
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "recommendation.create",
        targetType: "recommendation",
        targetId: row.id,
        after: input,
      },
      now,
    );
    return { ok: true, id: row.id };
  });
}

async function snapshot(db: Executor, id: number) {
  const r = await db
    .selectFrom("recommendations")
    .select([
      "id",
      "consultation_id",
      ...VERSION_COLUMNS,
      "priority",
      "status",
      "response_status",
      "response_text",
      "responsible_agency",
      "response_date",
    ])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) return null;
  const [clusters, categories] = await Promise.all([
    db
      .selectFrom("recommendation_clusters as rc")
      .innerJoin("clusters as c", "c.id", "rc.cluster_id")
      .select("c.slug")
      .where("rc.recommendation_id", "=", id)
      .orderBy("c.sort_order")
      .execute(),
    db
      .selectFrom("recommendation_categories as rc")
      .innerJoin("categories as c", "c.id", "rc.category_id")
      .select("c.slug")
      .where("rc.recommendation_id", "=", id)
      .orderBy("c.sort_order")
      .execute(),
  ]);
  return { ...r, cluster: clusters.map((c) => c.slug), category: categories.map((c) => c.slug) };
}

export async function updateRecommendation(db: Executor, params: Actor & { id: number; input: unknown }): Promise<SaveResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  if (!(await db.selectFrom("recommendations").select("id").where("id", "=", params.id).executeTakeFirst()))
    return { ok: false, reason: "notFound" };
  const parsed = await parseRecommendation(db, params.input);
  if (!parsed.ok) return parsed;
  const { input } = parsed;
  return inTransaction(db, async (trx): Promise<SaveResult> => {
    const before = await snapshot(trx, params.id);
    if (!before) return { ok: false, reason: "notFound" };
    await trx
      .updateTable("recommendations")
      .set({
        ...storedVersions(input),
        priority: input.priority,
        status: input.status,
        updated_at: iso,
      })
      .where("id", "=", params.id)
      .execute();
    await replaceTaxonomy(trx, params.id, parsed.clusterIds, parsed.categoryIds);
    if (input.status === "final" && before.status !== "final") {
      const sources = await trx
        .selectFrom("recommendation_submissions")
        .select("submission_id")
        .where("recommendation_id", "=", params.id)
        .execute();
      await announceInclusion(
        trx,
        params.id,
        sources.map((s) => s.submission_id),
        params,
        now,
      );
    }
    const {
      consultation_id: _c,
      response_status: _rs,
      response_text: _rt,
      responsible_agency: _ra,
      response_date: _rd,
      id: _id,
      ...was
    } = before;
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "recommendation.update",
        targetType: "recommendation",
        targetId: params.id,
        before: was,
        after: input,
      },
      now,
    );
    return { ok: true, id: params.id };
  });
}

// ───────────────────────────── sources ─────────────────────────────

export type LinkRefusal = "submissionNotFound" | "notPublic" | "otherConsultation";
export type LinkResult =
  { ok: true; changed: boolean } | { ok: false; reason: "notFound" } | { ok: false; reason: LinkRefusal; status?: string };

/** Links a source suggestion (published or merged, any cluster of the same consultation). Linking twice changes nothing. */
export async function linkSource(db: Executor, params: Actor & { id: number; submissionId: number }): Promise<LinkResult> {
  const now = params.now ?? new Date();
  return inTransaction(db, async (trx): Promise<LinkResult> => {
    const r = await trx
      .selectFrom("recommendations")
      .select(["id", "consultation_id", "status"])
      .where("id", "=", params.id)
      .executeTakeFirst();
    if (!r) return { ok: false, reason: "notFound" };
    const s = await trx
      .selectFrom("submissions")
      .select(["id", "status", "consultation_id", "author_id"])
      .where("id", "=", params.submissionId)
      .executeTakeFirst();
    if (!s) return { ok: false, reason: "submissionNotFound" };
    if (!isPublicStatus(s.status)) return { ok: false, reason: "notPublic", status: s.status };
    if (s.consultation_id !== r.consultation_id) return { ok: false, reason: "otherConsultation" };
    const inserted = await trx
      .insertInto("recommendation_submissions")
      .values({ recommendation_id: r.id, submission_id: s.id, linked_by: params.actorId, linked_at: nowIso(now) })
      .onConflict((oc) => oc.columns(["recommendation_id", "submission_id"]).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return { ok: true, changed: false };
    if (r.status === "final") await announceInclusion(trx, r.id, [s.id], params, now);
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "recommendation.link",
        targetType: "recommendation",
        targetId: r.id,
        after: { submission: s.id },
      },
      now,
    );
    return { ok: true, changed: true };
  });
}

export type UnlinkResult = { ok: true; changed: boolean } | { ok: false; reason: "notFound" };

export async function unlinkSource(db: Executor, params: Actor & { id: number; submissionId: number }): Promise<UnlinkResult> {
  const now = params.now ?? new Date();
  return inTransaction(db, async (trx): Promise<UnlinkResult> => {
    const r = await trx.selectFrom("recommendations").select("id").where("id", "=", params.id).executeTakeFirst();
    if (!r) return { ok: false, reason: "notFound" };
    const removed = await trx
      .deleteFrom("recommendation_submissions")
      .where("recommendation_id", "=", r.id)
      .where("submission_id", "=", params.submissionId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) return { ok: true, changed: false };
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "recommendation.unlink",
        targetType: "recommendation",
        targetId: r.id,
        before: { submission: params.submissionId },
      },
      now,
    );
    return { ok: true, changed: true };
  });
}

// ───────────────────────────── government response ─────────────────────────────

export type RespondResult =
  | { ok: true; notified: number }
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  | { ok: false; reason: "notFound" | "notFinal" };

/**
 * Records the government's response. Authors and supporters of every source
 * hear it once each (a person behind two sources gets one notification), and
 * each source's public history says "response recorded".
 */
export async function recordResponse(db: Executor, params: Actor & { id: number; input: unknown }): Promise<RespondResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const exists = await db.selectFrom("recommendations").select(["id", "status"]).where("id", "=", params.id).executeTakeFirst();
  if (!exists) return { ok: false, reason: "notFound" };
  const parsed = ResponseInputSchema.safeParse(params.input);
  if (!parsed.success) return { ok: false, reason: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors as FieldErrors };
  const input: ResponseInput = parsed.data;
  // A draft is not public: nobody can be told about a response to it.
  if (exists.status !== "final") return { ok: false, reason: "notFinal" };
  return inTransaction(db, async (trx): Promise<RespondResult> => {
    const before = await trx
      .selectFrom("recommendations")
      .select(["status", "response_status", "response_text", "responsible_agency", "response_date"])
      .where("id", "=", params.id)
      .executeTakeFirst();
    if (!before) return { ok: false, reason: "notFound" };
    if (before.status !== "final") return { ok: false, reason: "notFinal" };
    await trx
      .updateTable("recommendations")
      .set({
        response_status: input.responseStatus,
        response_text: input.responseText,
        responsible_agency: input.responsibleAgency,
        response_date: input.responseDate,
        updated_at: iso,
      })
      .where("id", "=", params.id)
      .execute();
    const sources = (
      await trx
        .selectFrom("recommendation_submissions")
        .select("submission_id")
        .where("recommendation_id", "=", params.id)
        .orderBy("submission_id")
        .execute()
    ).map((s) => s.submission_id);
    // Everyone behind the sources (Contract C7: authors and supporters, a merge's carried
    // supports included), each with the first source they are behind; and the followers
    // (follow.server.ts). One notification and one email each, active accounts only.
    const behind = !sources.length
      ? []
      : await trx
          .selectFrom(
            trx
              .selectFrom("supports")
              .select(["user_id", "submission_id"])
              .where("submission_id", "in", sources)
              .unionAll(
                trx
                  .selectFrom("submissions")
                  .select([sql<number>`author_id`.as("user_id"), sql<number>`id`.as("submission_id")])
                  .where("id", "in", sources)
                  .where("author_id", "is not", null),
              )
              .as("p"),
          )
          .select(["p.user_id", (eb) => eb.fn.min<number>("p.submission_id").as("submission_id")])
          .groupBy("p.user_id")
          .execute();
    const firstSource = new Map(behind.map((p) => [Number(p.user_id), Number(p.submission_id)]));
    const told = await notifyFollowers(trx, {
      target: { type: "recommendation", id: params.id },
      event: "responded",
      also: [...firstSource.keys()],
      submissionIdOf: (userId) => firstSource.get(userId) ?? null,
      data: { status: input.responseStatus },
      now,
    });
    const notified = told.length;
    if (sources.length) {
      for (const id of sources) {
        await recordEvent(
          trx,
          {
            submissionId: id,
            event: "response",
            actorId: params.actorId,
            actorRole: "organiser",
            data: { recommendation: params.id, status: input.responseStatus },
          },
          now,
        );
      }
    }
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "recommendation.respond",
        targetType: "recommendation",
        targetId: params.id,
        before: {
          responseStatus: before.response_status,
          responseText: before.response_text,
          responsibleAgency: before.responsible_agency,
          responseDate: before.response_date,
        },
        after: { ...input, notified },
      },
      now,
    );
    return { ok: true, notified };
  });
}

// ───────────────────────────── figures ─────────────────────────────

export interface RecommendationFigures {
  /** distinct people supporting any source (a merge's carried rows and people behind two sources count once) */
  uniqueSupporters: number;
  organisations: number;
  provinces: number;
  /** of uniqueSupporters, those whose support came with an organisation that is verified (issue 15); counted the same way */
  verifiedSupporters: number;
  /** of organisations, the verified ones */
  verifiedOrganisations: number;
  byCluster: Array<{ clusterId: number; slug: string; name_en: string; name_ur: string; supporters: number }>;
  bySize: Array<{ sizeBand: string | null; supporters: number }>;
  byProvince: Array<{ province: string | null; supporters: number }>;
}

const emptyFigures = (): RecommendationFigures => ({
  uniqueSupporters: 0,
  organisations: 0,
  provinces: 0,
  verifiedSupporters: 0,
  verifiedOrganisations: 0,
  byCluster: [],
  bySize: [],
  byProvince: [],
});

/**
 * The headline figures of each recommendation over all support rows of its
 * sources: distinct people (a person behind two sources, or carried by a
 * merge, counts once), organisations and provinces; and, apart, those of
 * them from verified organisations (issue 15: a supporter whose support row
 * names an organisation that is verified; the same person once). One SQL
 * aggregate; the recommendations export uses it too.
 */
export type RecommendationTotals = Pick<
  RecommendationFigures,
  "uniqueSupporters" | "organisations" | "provinces" | "verifiedSupporters" | "verifiedOrganisations"
>;

export async function recommendationTotals(db: Executor, ids: number[]): Promise<Map<number, RecommendationTotals>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom("recommendation_submissions as rs")
    .innerJoin("supports as sp", "sp.submission_id", "rs.submission_id")
    .leftJoin("organisations as o", "o.id", "sp.organisation_id")
    .select((eb) => [
      "rs.recommendation_id",
      eb.fn.count<number>("sp.user_id").distinct().as("supporters"),
      eb.fn.count<number>("sp.organisation_id").distinct().as("organisations"),
      eb.fn.count<number>("sp.province").distinct().as("provinces"),
      eb.fn
        .count<number>(eb.case().when("o.verified", "=", 1).then(eb.ref("sp.user_id")).end())
        .distinct()
        .as("verified_supporters"),
      eb.fn
        .count<number>(eb.case().when("o.verified", "=", 1).then(eb.ref("sp.organisation_id")).end())
        .distinct()
        .as("verified_organisations"),
    ])
    .where("rs.recommendation_id", "in", [...new Set(ids)])
    .groupBy("rs.recommendation_id")
    .execute();
  return new Map(
    rows.map((r) => [
      r.recommendation_id,
      {
        uniqueSupporters: Number(r.supporters),
        organisations: Number(r.organisations),
        provinces: Number(r.provinces),
        verifiedSupporters: Number(r.verified_supporters),
        verifiedOrganisations: Number(r.verified_organisations),
      },
    ]),
  );
}

/**
 * Support figures of each recommendation across its sources, every number a
 * SQL aggregate (count distinct supports.user_id, …): never rows counted in JS.
 * Breakdowns: by the source's cluster, and by the supporter's organisation
 * size band and province as recorded on the support rows.
 * Exported only for the tests (tests/models/recommendations.test.ts).
 */
export async function recommendationFigures(db: Executor, ids: number[]): Promise<Map<number, RecommendationFigures>> {
  const map = new Map<number, RecommendationFigures>();
  const unique = [...new Set(ids)];
  if (!unique.length) return map;
  for (const id of unique) map.set(id, emptyFigures());
  const base = () =>
    db
      .selectFrom("recommendation_submissions as rs")
      .innerJoin("supports as sp", "sp.submission_id", "rs.submission_id")
      .where("rs.recommendation_id", "in", unique);
  const [totals, byCluster, bySize, byProvince] = await Promise.all([
    recommendationTotals(db, unique),
    base()
      .innerJoin("clusters as c", "c.id", "sp.cluster_id")
      .select((eb) => [
        "rs.recommendation_id",
        "c.id",
        "c.slug",
        "c.name_en",
        "c.name_ur",
        "c.sort_order",
        eb.fn.count<number>("sp.user_id").distinct().as("supporters"),
      ])
      .groupBy(["rs.recommendation_id", "c.id", "c.slug", "c.name_en", "c.name_ur", "c.sort_order"])
      .orderBy("c.sort_order")
      .execute(),
    base()
      .leftJoin("organisations as o", "o.id", "sp.organisation_id")
      .select((eb) => ["rs.recommendation_id", "o.size_band", eb.fn.count<number>("sp.user_id").distinct().as("supporters")])
      .groupBy(["rs.recommendation_id", "o.size_band"])
      .execute(),
    base()
      .select((eb) => ["rs.recommendation_id", "sp.province", eb.fn.count<number>("sp.user_id").distinct().as("supporters")])
      .groupBy(["rs.recommendation_id", "sp.province"])
      .execute(),
  ]);
  for (const [id, total] of totals) Object.assign(map.get(id)!, total);
  for (const r of byCluster) {
    map
      .get(r.recommendation_id)!
      .byCluster.push({ clusterId: r.id, slug: r.slug, name_en: r.name_en, name_ur: r.name_ur, supporters: Number(r.supporters) });
  }
  const SIZE_ORDER = ["micro", "small", "medium", "large"];
  for (const r of bySize) map.get(r.recommendation_id)!.bySize.push({ sizeBand: r.size_band ?? null, supporters: Number(r.supporters) });
  for (const r of byProvince)
    map.get(r.recommendation_id)!.byProvince.push({ province: r.province ?? null, supporters: Number(r.supporters) });
  for (const f of map.values()) {
    f.bySize.sort(
      (a, b) => (a.sizeBand === null ? 99 : SIZE_ORDER.indexOf(a.sizeBand)) - (b.sizeBand === null ? 99 : SIZE_ORDER.indexOf(b.sizeBand)),
    );
    f.byProvince.sort((a, b) => b.supporters - a.supporters || String(a.province).localeCompare(String(b.province)));
  }
  return map;
}

// ───────────────────────────── reading ─────────────────────────────

async function taxonomyOf(db: Executor, ids: number[]) {
  const clusters = new Map<number, Array<{ slug: string; name_en: string; name_ur: string }>>();
  const categories = new Map<number, Array<{ slug: string; name_en: string; name_ur: string }>>();
  if (!ids.length) return { clusters, categories };
  const [cl, ca] = await Promise.all([
    db
      .selectFrom("recommendation_clusters as rc")
      .innerJoin("clusters as c", "c.id", "rc.cluster_id")
      .select(["rc.recommendation_id", "c.slug", "c.name_en", "c.name_ur"])
      .where("rc.recommendation_id", "in", ids)
      .orderBy("c.sort_order")
      .execute(),
    db
      .selectFrom("recommendation_categories as rc")
      .innerJoin("categories as c", "c.id", "rc.category_id")
      .select(["rc.recommendation_id", "c.slug", "c.name_en", "c.name_ur"])
      .where("rc.recommendation_id", "in", ids)
      .orderBy("c.sort_order")
      .execute(),
  ]);
  for (const r of cl)
    clusters.set(r.recommendation_id, [
      ...(clusters.get(r.recommendation_id) ?? []),
      { slug: r.slug, name_en: r.name_en, name_ur: r.name_ur },
    ]);
  for (const r of ca)
    categories.set(r.recommendation_id, [
      ...(categories.get(r.recommendation_id) ?? []),
      { slug: r.slug, name_en: r.name_en, name_ur: r.name_ur },
    ]);
  return { clusters, categories };
}

/** Recommendations of a consultation, highest priority (1) first, with source counts and unique supporters. */
/**
 * Whether a linked source may be shown to the public: the statuses the cluster
 * pages show (published, merged). A source rejected, hidden or withdrawn after
 * it was linked stays linked (organisers see it) but leaves public pages,
 * which say how many are no longer public (issue 13, finding 4).
 */
function isPublicSource(s: { status: SubmissionStatus }): boolean {
  return isPublicStatus(s.status);
}

/**
 * `publicSources`: count only public sources (the public list), and how many
 * are not public any more.
 */
export async function listRecommendations(
  db: Executor,
  params: { consultationId: number; finalOnly?: boolean; clusterSlug?: string; publicSources?: boolean },
) {
  let q = db
    .selectFrom("recommendations as r")
    .select((eb) => [
      "r.id",
      "r.title",
      "r.text",
      "r.dissent",
      "r.language",
      "r.other_title",
      "r.other_text",
      "r.other_dissent",
      "r.status",
      "r.priority",
      "r.response_status",
      "r.response_date",
      "r.responsible_agency",
      "r.response_text",
      "r.updated_at",
      eb
        .selectFrom("recommendation_submissions as rs")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("rs.recommendation_id", "=", "r.id")
        .as("sources"),
      eb
        .selectFrom("recommendation_submissions as rs")
        .innerJoin("submissions as s", "s.id", "rs.submission_id")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("rs.recommendation_id", "=", "r.id")
        .where("s.status", "not in", [...PUBLIC_STATUSES])
        .as("sources_not_public"),
    ])
    .where("r.consultation_id", "=", params.consultationId);
  if (params.finalOnly) q = q.where("r.status", "=", "final");
  if (params.clusterSlug) {
    const slug = params.clusterSlug;
    q = q.where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom("recommendation_clusters as rc")
            .innerJoin("clusters as c", "c.id", "rc.cluster_id")
            .select("rc.cluster_id")
            .whereRef("rc.recommendation_id", "=", "r.id")
            .where("c.slug", "=", slug),
        ),
        eb.not(
          eb.exists(
            eb.selectFrom("recommendation_clusters as rc2").select("rc2.cluster_id").whereRef("rc2.recommendation_id", "=", "r.id"),
          ),
        ),
      ]),
    );
  }
  const rows = await q.orderBy("r.priority").orderBy("r.id").execute();
  const ids = rows.map((r) => r.id);
  const [figures, { clusters, categories }] = await Promise.all([recommendationFigures(db, ids), taxonomyOf(db, ids)]);
  return rows.map((r) => ({
    ...r,
    sources: Number(r.sources ?? 0) - (params.publicSources ? Number(r.sources_not_public ?? 0) : 0),
    sources_not_public: Number(r.sources_not_public ?? 0),
    clusters: clusters.get(r.id) ?? [],
    categories: categories.get(r.id) ?? [],
    figures: figures.get(r.id) ?? emptyFigures(),
  }));
}

/** Sources of recommendations, each with its own support figures (its counters = its support rows). */
export async function listSources(db: Executor, ids: number[]) {
  const map = new Map<number, Array<Awaited<ReturnType<typeof sourceRows>>[number]>>();
  if (!ids.length) return map;
  for (const r of await sourceRows(db, ids)) map.set(r.recommendation_id, [...(map.get(r.recommendation_id) ?? []), r]);
  return map;
}

function sourceRows(db: Executor, ids: number[]) {
  return db
    .selectFrom("recommendation_submissions as rs")
    .innerJoin("submissions as s", "s.id", "rs.submission_id")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .leftJoin("organisations as o", "o.id", "s.organisation_id")
    .leftJoin("users as u", "u.id", "s.author_id")
    .select([
      "rs.recommendation_id",
      "s.id",
      "s.title",
      "s.status",
      "s.merged_into_id",
      "s.supporters_count",
      "s.supporting_organisations",
      "s.supporting_provinces",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
      "o.name as organisation_name",
      "u.show_organisation",
    ])
    .where("rs.recommendation_id", "in", ids)
    .orderBy("rs.recommendation_id")
    .orderBy("s.id")
    .execute();
}

/**
 * One recommendation with its taxonomy, sources and figures; null when unknown
 * (or a draft and `finalOnly`). `publicSources`: only the sources the public
 * may see (`isPublicSource`), and `sourcesNotPublic` counts the others.
 */
export async function getRecommendation(db: Executor, params: { id: number; finalOnly?: boolean; publicSources?: boolean }) {
  let q = db
    .selectFrom("recommendations as r")
    .select([
      "r.id",
      "r.consultation_id",
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
      "r.created_at",
      "r.updated_at",
    ])
    .where("r.id", "=", params.id);
  if (params.finalOnly) q = q.where("r.status", "=", "final");
  const r = await q.executeTakeFirst();
  if (!r) return null;
  const [figures, { clusters, categories }, sources] = await Promise.all([
    recommendationFigures(db, [r.id]),
    taxonomyOf(db, [r.id]),
    listSources(db, [r.id]),
  ]);
  const all = sources.get(r.id) ?? [];
  const shown = params.publicSources ? all.filter(isPublicSource) : all;
  return {
    ...r,
    clusters: clusters.get(r.id) ?? [],
    categories: categories.get(r.id) ?? [],
    sources: shown,
    sourcesNotPublic: all.length - shown.length,
    figures: figures.get(r.id) ?? emptyFigures(),
  };
}

/** Published or merged suggestions of a consultation matching every word of `q` (full text), for the "link a source" box. */
export async function searchLinkableSubmissions(
  db: Executor,
  params: { consultationId: number; q: string; excludeRecommendationId?: number; limit?: number },
) {
  const match = await matchAllTerms(db, params.q, "s.id");
  if (!match) return [];
  let q = db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .select([
      "s.id",
      "s.title",
      "s.status",
      "s.supporters_count",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .where("s.consultation_id", "=", params.consultationId)
    .where("s.status", "in", [...PUBLIC_STATUSES])
    .where(match);
  if (params.excludeRecommendationId) {
    const rid = params.excludeRecommendationId;
    q = q.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("recommendation_submissions as rs")
            .select("rs.submission_id")
            .whereRef("rs.submission_id", "=", "s.id")
            .where("rs.recommendation_id", "=", rid),
        ),
      ),
    );
  }
  return q
    .orderBy("s.supporters_count", "desc")
    .orderBy("s.id")
    .limit(params.limit ?? 20)
    .execute();
}
