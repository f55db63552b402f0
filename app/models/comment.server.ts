// Comments: plain text on published submissions, one level of replies,
// editable by their author for 15 minutes. The submission's comment counter
// and trending weight move in the same transaction.
import type { DB, Executor } from "../../db/client";
import { nowIso } from "../lib/time";
import { notify } from "./notification.server";
import { trendingWeight } from "./support.server";

export const COMMENT_EDIT_WINDOW_MS = 15 * 60_000;

export type AddCommentResult =
  | { ok: true; id: number }
  | { ok: false; reason: "notFound" | "notPublished" | "badParent" };

export async function addComment(
  db: DB,
  params: { submissionId: number; authorId: number; body: string; parentId?: number; now?: Date },
): Promise<AddCommentResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<AddCommentResult> => {
    const s = await trx
      .selectFrom("submissions as s")
      .innerJoin("consultations as c", "c.id", "s.consultation_id")
      .select(["s.id", "s.status", "s.author_id", "c.created_at as trending_origin"])
      .where("s.id", "=", params.submissionId)
      .executeTakeFirst();
    if (!s) return { ok: false, reason: "notFound" };
    if (s.status !== "published") return { ok: false, reason: "notPublished" };
    if (params.parentId) {
      // One level of replies: the parent must be a visible top-level comment of this submission.
      const parent = await trx
        .selectFrom("comments")
        .select("id")
        .where("id", "=", params.parentId)
        .where("submission_id", "=", s.id)
        .where("parent_id", "is", null)
        .where("status", "=", "visible")
        .executeTakeFirst();
      if (!parent) return { ok: false, reason: "badParent" };
    }
    const iso = nowIso(now);
    const row = await trx
      .insertInto("comments")
      .values({
        submission_id: s.id,
        author_id: params.authorId,
        parent_id: params.parentId ?? null,
        body: params.body,
        status: "visible",
        created_at: iso,
        updated_at: iso,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("submissions")
      .set((eb) => ({
        comments_count: eb("comments_count", "+", 1),
        trending_score: eb("trending_score", "+", trendingWeight(now, s.trending_origin)),
      }))
      .where("id", "=", s.id)
      .execute();
    if (s.author_id !== params.authorId) {
      await notify(trx, { userId: s.author_id, kind: "commented", submissionId: s.id, data: { commentId: row.id } }, now);
    }
    return { ok: true, id: row.id };
  });
}

export type EditCommentResult = { ok: true } | { ok: false; reason: "notFound" | "tooLate" };

/** The author edits their own comment within 15 minutes of writing it. */
export async function editComment(
  db: Executor,
  params: { commentId: number; submissionId: number; authorId: number; body: string; now?: Date },
): Promise<EditCommentResult> {
  const now = params.now ?? new Date();
  const c = await db
    .selectFrom("comments")
    .select(["id", "created_at"])
    .where("id", "=", params.commentId)
    .where("submission_id", "=", params.submissionId)
    .where("author_id", "=", params.authorId)
    .where("status", "=", "visible")
    .executeTakeFirst();
  if (!c) return { ok: false, reason: "notFound" };
  if (now.getTime() - new Date(c.created_at).getTime() > COMMENT_EDIT_WINDOW_MS) return { ok: false, reason: "tooLate" };
  await db.updateTable("comments").set({ body: params.body, updated_at: nowIso(now) }).where("id", "=", c.id).execute();
  return { ok: true };
}

/**
 * Comments of a submission, oldest first, replies grouped under their parent.
 * A hidden top-level comment that has visible replies stays as a placeholder
 * (body null), so the replies are not lost with it.
 */
export async function listComments(db: Executor, submissionId: number) {
  const rows = await db
    .selectFrom("comments as c")
    .leftJoin("users as u", "u.id", "c.author_id")
    .select(["c.id", "c.parent_id", "c.body", "c.status", "c.author_id", "c.created_at", "c.updated_at", "u.display_name", "u.status as author_status"])
    .where("c.submission_id", "=", submissionId)
    .where("c.status", "in", ["visible", "hidden"])
    .orderBy("c.id")
    .limit(1000)
    .execute();
  const replies = rows.filter((r) => r.parent_id !== null && r.status === "visible");
  return rows
    .filter((r) => r.parent_id === null)
    .map((t) => ({ ...t, body: t.status === "visible" ? t.body : null, replies: replies.filter((r) => r.parent_id === t.id) }))
    .filter((t) => t.body !== null || t.replies.length > 0);
}
