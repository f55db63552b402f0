// Implementation progress of a final recommendation (issue 16, item 4): dated
// updates (planned | in-progress | done | stalled, a text, an optional evidence
// link) kept as a history, one row each, never edited. Each update is one
// transaction with its audit entry and the followers' notifications.
import type { Executor } from "../../db/client";
import { inTransaction } from "../../db/transaction";
import { STALE_AFTER_DAYS } from "~/lib/recommendation-reference";
import { ProgressInputSchema, type ProgressInput } from "~/lib/recommendation-schemas.server";
import { nowIso } from "~/lib/time";
import { z } from "~/lib/zod-setup";
import { recordAudit } from "./audit.server";
import { notifyFollowers } from "./follow.server";
import type { Actor } from "./recommendation.server";
import type { FieldErrors } from "./submission.server";

export type ProgressResult =
  | { ok: true; id: number; notified: number }
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  | { ok: false; reason: "notFound" | "notFinal" };

/** Whether progress may be recorded on a recommendation in this status: only a final (public) one, like the response. */
export function progressRefusal(status: string): "notFinal" | null {
  return status === "final" ? null : "notFinal";
}

/**
 * Tells the followers of a recommendation (and of its sources: their authors
 * and supporters follow them unless they unfollowed) of a progress update,
 * in-app and by email, once each (follow.server.ts).
 */
export async function notifyProgressFollowers(
  trx: Executor,
  params: { recommendationId: number; data: unknown; now: Date },
): Promise<number> {
  const told = await notifyFollowers(trx, {
    target: { type: "recommendation", id: params.recommendationId },
    event: "progress",
    data: params.data,
    now: params.now,
  });
  return told.length;
}

/** Adds a dated progress update to a FINAL recommendation (raw form values are parsed here). */
export async function recordProgress(db: Executor, params: Actor & { id: number; input: unknown }): Promise<ProgressResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const exists = await db.selectFrom("recommendations").select(["id", "status"]).where("id", "=", params.id).executeTakeFirst();
  if (!exists) return { ok: false, reason: "notFound" };
  const parsed = ProgressInputSchema.safeParse(params.input);
  if (!parsed.success) return { ok: false, reason: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors as FieldErrors };
  const input: ProgressInput = parsed.data;
  const refusal = progressRefusal(exists.status);
  if (refusal) return { ok: false, reason: refusal };
  return inTransaction(db, async (trx): Promise<ProgressResult> => {
    const r = await trx.selectFrom("recommendations").select("status").where("id", "=", params.id).executeTakeFirst();
    if (!r) return { ok: false, reason: "notFound" };
    const again = progressRefusal(r.status);
    if (again) return { ok: false, reason: again };
    const row = await trx
      .insertInto("recommendation_progress")
      .values({
        recommendation_id: params.id,
        status: input.progressStatus,
        text: input.progressText,
        progress_date: input.progressDate,
        evidence_url: input.evidenceUrl,
        created_by: params.actorId,
        created_at: iso,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.updateTable("recommendations").set({ updated_at: iso }).where("id", "=", params.id).execute();
    const notified = await notifyProgressFollowers(trx, {
      recommendationId: params.id,
      data: { status: input.progressStatus, date: input.progressDate },
      now,
    });
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "recommendation.progress",
        targetType: "recommendation",
        targetId: params.id,
        after: { ...input, progress: row.id, notified },
      },
      now,
    );
    return { ok: true, id: row.id, notified };
  });
}

export interface ProgressEntry {
  id: number;
  recommendationId: number;
  status: string;
  text: string;
  date: string;
  evidenceUrl: string | null;
  createdAt: string;
}

const progressColumns = ["p.id", "p.recommendation_id", "p.status", "p.text", "p.progress_date", "p.evidence_url", "p.created_at"] as const;

function entryOf(r: {
  id: number;
  recommendation_id: number;
  status: string;
  text: string;
  progress_date: string;
  evidence_url: string | null;
  created_at: string;
}): ProgressEntry {
  return {
    id: r.id,
    recommendationId: r.recommendation_id,
    status: r.status,
    text: r.text,
    date: r.progress_date,
    evidenceUrl: r.evidence_url,
    createdAt: r.created_at,
  };
}

/** A recommendation's progress history, newest first (by the date it is about, then the order recorded). */
export async function listProgress(db: Executor, recommendationId: number): Promise<ProgressEntry[]> {
  const rows = await db
    .selectFrom("recommendation_progress as p")
    .select(progressColumns)
    .where("p.recommendation_id", "=", recommendationId)
    .orderBy("p.progress_date", "desc")
    .orderBy("p.id", "desc")
    .execute();
  return rows.map(entryOf);
}

/** The latest progress update of each recommendation (by date, then the last recorded); absent when it has none. */
export async function latestProgress(db: Executor, ids: number[]): Promise<Map<number, ProgressEntry>> {
  const map = new Map<number, ProgressEntry>();
  const unique = [...new Set(ids)];
  if (!unique.length) return map;
  const rows = await db
    .selectFrom("recommendation_progress as p")
    .select(progressColumns)
    .where("p.recommendation_id", "in", unique)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("recommendation_progress as q")
            .select("q.id")
            .whereRef("q.recommendation_id", "=", "p.recommendation_id")
            .where((eb) =>
              eb.or([
                eb("q.progress_date", ">", eb.ref("p.progress_date")),
                eb.and([eb("q.progress_date", "=", eb.ref("p.progress_date")), eb("q.id", ">", eb.ref("p.id"))]),
              ]),
            ),
        ),
      ),
    )
    .execute();
  for (const r of rows) map.set(r.recommendation_id, entryOf(r));
  return map;
}

export { STALE_AFTER_DAYS };

const DAY_MS = 86_400_000;

/**
 * How a final recommendation stands for accountability, decided once here for
 * the page, its filter and the tests: `lastUpdate` is the latest of its
 * progress date and its response date (or, with neither, the day it was
 * created); `stale` when no progress was reported for STALE_AFTER_DAYS days
 * (counted from its last progress, or, with none, from its response or its
 * creation: a recommendation is not stale the day it is published);
 * `noResponse` when the government has not responded.
 */
export function accountabilityStanding(
  r: { responseStatus: string | null; responseDate: string | null; createdAt: string; latestProgressDate: string | null },
  now: Date = new Date(),
): { lastUpdate: string; daysSinceUpdate: number; stale: boolean; noResponse: boolean } {
  const candidates = [r.latestProgressDate, r.responseDate].filter((d): d is string => Boolean(d));
  const lastUpdate = candidates.length ? candidates.sort().at(-1)! : r.createdAt.slice(0, 10);
  const progressSince = r.latestProgressDate ?? r.responseDate ?? r.createdAt.slice(0, 10);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = (day: string) => Math.max(0, Math.floor((today - Date.parse(`${day}T00:00:00Z`)) / DAY_MS));
  return {
    lastUpdate,
    daysSinceUpdate: days(lastUpdate),
    stale: days(progressSince) >= STALE_AFTER_DAYS,
    noResponse: !r.responseStatus,
  };
}
