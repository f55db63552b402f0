// The moderation queue: suggestions of the active consultation in one state
// (pending by default), oldest first, 50 a page, each with its author's
// organisation and up to three likely duplicates among the published and
// pending suggestions of the consultation (full-text similarity of the title).
//
// A similarity search costs tens of milliseconds on a national data set, so
// the queue does not run one per row: each suggestion's likely duplicates are
// found once, after it is submitted or edited (rememberSimilar), and stored
// both ways in submission_similar; the queue reads them with one query. The
// decision screen searches afresh for its one suggestion.
import type { Executor } from "../../db/client";
import type { SubmissionStatus } from "../../db/schema";
import { findSimilarIds } from "./search.server";

const QUEUE_PAGE_SIZE = 50;
const DUPLICATE_STATUSES = ["published", "pending"] as const;

export interface QueueQuery {
  consultationId: number;
  status: SubmissionStatus;
  clusterId?: number;
  page: number;
}

export async function listQueue(db: Executor, q: QueueQuery) {
  let base = db.selectFrom("submissions as s").where("s.consultation_id", "=", q.consultationId).where("s.status", "=", q.status);
  if (q.clusterId) base = base.where("s.cluster_id", "=", q.clusterId);
  const total = Number((await base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  const rows = await base
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .leftJoin("organisations as o", "o.id", "s.organisation_id")
    .leftJoin("users as u", "u.id", "s.author_id")
    .leftJoin("categories as sc", "sc.id", "s.suggested_category_id")
    .select([
      "s.id",
      "s.title",
      "s.status",
      "s.source",
      "s.created_at",
      "s.supporters_count",
      "s.original_language",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
      "o.id as organisation_id",
      "o.name as organisation_name",
      "o.verified as organisation_verified",
      "u.display_name as author_name",
      "sc.slug as suggested_category_slug",
    ])
    .orderBy("s.created_at")
    .orderBy("s.id")
    .limit(QUEUE_PAGE_SIZE)
    .offset((q.page - 1) * QUEUE_PAGE_SIZE)
    .execute();
  const duplicates = await storedDuplicates(
    db,
    rows.map((r) => r.id),
    3,
  );
  return {
    total,
    pages: Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE)),
    rows: rows.map((r) => ({ ...r, duplicates: duplicates.get(r.id) ?? [] })),
  };
}

/** Up to `limit` published or pending suggestions whose text looks like each one's title. */
export async function likelyDuplicates(
  db: Executor,
  consultationId: number,
  items: Array<{ id: number; title: string }>,
  limit: number,
): Promise<Map<number, Array<{ id: number; title: string; status: string }>>> {
  const idsByItem = new Map<number, number[]>();
  for (const item of items) {
    idsByItem.set(
      item.id,
      await findSimilarIds(db, { text: item.title, consultationId, statuses: DUPLICATE_STATUSES, excludeId: item.id, limit }),
    );
  }
  const all = [...new Set([...idsByItem.values()].flat())];
  const titles = all.length ? await db.selectFrom("submissions").select(["id", "title", "status"]).where("id", "in", all).execute() : [];
  const byId = new Map(titles.map((t) => [t.id, t]));
  return new Map([...idsByItem].map(([id, ids]) => [id, ids.map((d) => byId.get(d)!).filter(Boolean)]));
}

/** The stored likely duplicates (still published or pending) of each id, best first, at most `limit` each. */
async function storedDuplicates(db: Executor, ids: number[], limit: number) {
  const map = new Map<number, Array<{ id: number; title: string; status: string }>>();
  if (!ids.length) return map;
  const rows = await db
    .selectFrom("submission_similar as ss")
    .innerJoin("submissions as d", "d.id", "ss.similar_id")
    .select(["ss.submission_id", "d.id", "d.title", "d.status"])
    .where("ss.submission_id", "in", ids)
    .where("d.status", "in", DUPLICATE_STATUSES)
    .orderBy("ss.submission_id")
    .orderBy("ss.rank")
    .orderBy("d.id")
    .execute();
  for (const r of rows) {
    const list = map.get(r.submission_id) ?? [];
    if (list.length < limit) list.push({ id: r.id, title: r.title, status: r.status });
    map.set(r.submission_id, list);
  }
  return map;
}

const REMEMBERED = 5;

/**
 * Finds a suggestion's likely duplicates now and stores them both ways
 * (replacing what was stored for it before, e.g. after an edit). Called after
 * the suggestion's own transaction has committed; a failure only means the
 * queue shows fewer hints.
 */
async function rememberSimilar(db: Executor, id: number): Promise<number> {
  const s = await db.selectFrom("submissions").select(["id", "title", "consultation_id"]).where("id", "=", id).executeTakeFirst();
  if (!s) return 0;
  const similar = await findSimilarIds(db, {
    text: s.title,
    consultationId: s.consultation_id,
    statuses: DUPLICATE_STATUSES,
    excludeId: s.id,
    limit: REMEMBERED,
  });
  // Both directions: after an edit, a suggestion that found this one earlier must not keep listing
  // it for text it no longer has (what is still similar is stored again just below).
  await db
    .deleteFrom("submission_similar")
    .where((eb) => eb.or([eb("submission_id", "=", s.id), eb("similar_id", "=", s.id)]))
    .execute();
  if (!similar.length) return 0;
  const rows = similar.flatMap((other, i) => [
    { submission_id: s.id, similar_id: other, rank: i + 1 },
    { submission_id: other, similar_id: s.id, rank: i + 1 },
  ]);
  await db
    .insertInto("submission_similar")
    .values(rows)
    .onConflict((oc) => oc.columns(["submission_id", "similar_id"]).doUpdateSet((eb) => ({ rank: eb.ref("excluded.rank") })))
    .execute();
  return similar.length;
}

/** rememberSimilar for a route: after the suggestion's own commit; a failure is logged, never the request's. */
export async function rememberSimilarAfterCommit(
  ctx: { db: Executor; logger: { warn(obj: object, msg: string): void } },
  id: number,
): Promise<void> {
  try {
    await rememberSimilar(ctx.db, id);
  } catch (err) {
    ctx.logger.warn({ err, submissionId: id }, "could not record likely duplicates");
  }
}

/**
 * rememberSimilar for many suggestions (an import), one after another in the
 * background, yielding between them so requests keep being served. Not
 * awaited by the request; failures are logged.
 */
export function rememberSimilarInBackground(ctx: { db: Executor; logger: { warn(obj: object, msg: string): void } }, ids: number[]): void {
  void (async () => {
    for (const id of ids) {
      await rememberSimilarAfterCommit(ctx, id);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
}
