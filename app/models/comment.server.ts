// Comments: plain text on published submissions, one level of replies,
// editable by their author for 15 minutes. The submission's comment counter
// and trending weight move in the same transaction.
import { originalLanguageOf } from "./original-language";
import type { DB, Executor } from "../../db/client";
import { RULE_NUMBERS } from "~/lib/rules";
import { nowIso } from "~/lib/time";
import { defineRefusals } from "~/lib/refusal";
import {
  emailConfirmedOf,
  participantRefusal,
  participationRefusal,
  participationRefusalFor,
  PARTICIPATION_COLUMNS,
  PARTICIPATION_REFUSALS,
  type ParticipationRefusal,
} from "./consultation.server";
import { notifyFollowers } from "./follow.server";
import { notify } from "./notification.server";
import { trendingWeight } from "./support.server";

export const COMMENT_EDIT_WINDOW_MS = RULE_NUMBERS.commentEditMinutes * 60_000;

/** Why a comment (or its edit) is refused, and the status each answers with. */
export const COMMENT_REFUSALS = defineRefusals({
  ...PARTICIPATION_REFUSALS,
  notFound: 404,
  invalid: 400,
  notPublished: 422,
  badParent: 422,
  tooLate: 409,
});

/** Whether a comment written at `createdAt` may still be edited by its author (`editComment` refuses it as tooLate after). */
export function withinCommentEditWindow(createdAt: string, now: Date = new Date()): boolean {
  return now.getTime() - new Date(createdAt).getTime() <= COMMENT_EDIT_WINDOW_MS;
}

/**
 * Why this person (null: anyone) may not comment on this suggestion now, or
 * null: the consultation takes participants' writes, the suggestion is
 * published, and the person's address is confirmed (`participantRefusal`).
 * The rule `addComment` applies (before a reply's parent is checked).
 */
export function commentRefusal(
  s: { status: string; is_active: number; archived_at: string | null; submission_closes_at: string; support_closes_at: string },
  now: Date = new Date(),
  person: { emailConfirmed: boolean } | null = null,
): ParticipationRefusal | { ok: false; reason: "notPublished" } | null {
  const closed = participationRefusal(s, now);
  if (closed) return closed;
  if (s.status !== "published") return { ok: false, reason: "notPublished" };
  return participantRefusal(person);
}

export type AddCommentResult =
  { ok: true; id: number } | { ok: false; reason: "notFound" | "notPublished" | "badParent" } | ParticipationRefusal;

export async function addComment(
  db: DB,
  params: { submissionId: number; authorId: number; body: string; parentId?: number; now?: Date },
): Promise<AddCommentResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<AddCommentResult> => {
    const s = await trx
      .selectFrom("submissions as s")
      .innerJoin("consultations as c", "c.id", "s.consultation_id")
      .select([
        "s.id",
        "s.status",
        "s.author_id",
        "c.created_at as trending_origin",
        ...PARTICIPATION_COLUMNS.map((k) => `c.${k}` as const),
      ])
      .where("s.id", "=", params.submissionId)
      .executeTakeFirst();
    if (!s) return { ok: false, reason: "notFound" };
    const refusal = commentRefusal(s, now, { emailConfirmed: await emailConfirmedOf(trx, params.authorId) });
    if (refusal) return refusal;
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
        original_language: originalLanguageOf(params.body),
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
    // Its followers, once each: not the one who wrote the comment, not the author told above.
    await notifyFollowers(trx, {
      target: { type: "submission", id: s.id },
      event: "commented",
      data: { commentId: row.id },
      except: [params.authorId, s.author_id ?? 0],
      now,
    });
    return { ok: true, id: row.id };
  });
}

export type EditCommentResult = { ok: true } | { ok: false; reason: "notFound" | "tooLate" } | ParticipationRefusal;

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
  const closed = await participationRefusalFor(db, params.submissionId, now);
  if (closed) return closed;
  if (!withinCommentEditWindow(c.created_at, now)) return { ok: false, reason: "tooLate" };
  await db
    .updateTable("comments")
    .set({ body: params.body, original_language: originalLanguageOf(params.body), updated_at: nowIso(now) })
    .where("id", "=", c.id)
    .execute();
  return { ok: true };
}

/** Top-level threads per page of a suggestion's comments; a thread's replies always come with it. */
export const COMMENT_THREADS_PER_PAGE = 10;

/**
 * The top-level comments that make a thread on the page: visible ones, and a
 * hidden one that has visible replies (shown as a placeholder, so the replies
 * are not lost with it). An index range of comments_thread_idx
 * (submission_id, parent_id, id).
 */
function threadsOf(db: Executor, submissionId: number) {
  return db
    .selectFrom("comments as c")
    .where("c.submission_id", "=", submissionId)
    .where("c.parent_id", "is", null)
    .where((eb) =>
      eb.or([
        eb("c.status", "=", "visible"),
        eb.and([
          eb("c.status", "=", "hidden"),
          eb.exists(eb.selectFrom("comments as r").select("r.id").whereRef("r.parent_id", "=", "c.id").where("r.status", "=", "visible")),
        ]),
      ]),
    );
}

export type CommentPage = Awaited<ReturnType<typeof listCommentPage>>;

/**
 * One page of a suggestion's comments, paged by top-level thread: page 1 holds
 * the newest threads, page 2 the ones before them, and so on. Within a page the
 * threads read oldest first (a conversation, the newest next to the comment
 * form), each with all its visible replies, oldest first. A page past the last
 * shows the last (0 pages: an empty page 1). `comments` counts every comment
 * shown across all pages (placeholders of hidden comments not included).
 */
export async function listCommentPage(db: Executor, params: { submissionId: number; page: number; perPage?: number }) {
  const perPage = params.perPage ?? COMMENT_THREADS_PER_PAGE;
  const [threadCount, commentCount] = await Promise.all([
    threadsOf(db, params.submissionId)
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("comments as c")
      .leftJoin("comments as p", "p.id", "c.parent_id")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("c.submission_id", "=", params.submissionId)
      .where("c.status", "=", "visible")
      .where((eb) => eb.or([eb("c.parent_id", "is", null), eb("p.status", "in", ["visible", "hidden"])]))
      .executeTakeFirstOrThrow(),
  ]);
  const threads = Number(threadCount.n);
  const pages = Math.max(1, Math.ceil(threads / perPage));
  const page = Math.min(Math.max(1, Math.trunc(params.page) || 1), pages);
  const tops = threads
    ? await threadsOf(db, params.submissionId)
        .leftJoin("users as u", "u.id", "c.author_id")
        .select([
          "c.id",
          "c.parent_id",
          "c.body",
          "c.status",
          "c.author_id",
          "c.created_at",
          "c.updated_at",
          "u.display_name",
          "u.status as author_status",
        ])
        .orderBy("c.id", "desc")
        .limit(perPage)
        .offset((page - 1) * perPage)
        .execute()
    : [];
  tops.reverse();
  const replies = tops.length
    ? await db
        .selectFrom("comments as c")
        .leftJoin("users as u", "u.id", "c.author_id")
        .select([
          "c.id",
          "c.parent_id",
          "c.body",
          "c.status",
          "c.author_id",
          "c.created_at",
          "c.updated_at",
          "u.display_name",
          "u.status as author_status",
        ])
        .where("c.submission_id", "=", params.submissionId)
        .where(
          "c.parent_id",
          "in",
          tops.map((t) => t.id),
        )
        .where("c.status", "=", "visible")
        .orderBy("c.id")
        .execute()
    : [];
  return {
    page,
    pages,
    perPage,
    threadCount: threads,
    commentCount: Number(commentCount.n),
    threads: tops.map((t) => ({
      ...t,
      body: t.status === "visible" ? t.body : null,
      replies: replies.filter((r) => r.parent_id === t.id),
    })),
  };
}

/**
 * The page (as listCommentPage counts them) that shows a comment: its
 * thread's place among the newer threads. Null when the comment is not shown.
 */
export async function commentPageOf(
  db: Executor,
  params: { submissionId: number; commentId: number; perPage?: number },
): Promise<number | null> {
  const perPage = params.perPage ?? COMMENT_THREADS_PER_PAGE;
  const c = await db
    .selectFrom("comments")
    .select(["id", "parent_id"])
    .where("id", "=", params.commentId)
    .where("submission_id", "=", params.submissionId)
    .executeTakeFirst();
  if (!c) return null;
  const threadId = c.parent_id ?? c.id;
  const [shown, newer] = await Promise.all([
    threadsOf(db, params.submissionId).select("c.id").where("c.id", "=", threadId).executeTakeFirst(),
    threadsOf(db, params.submissionId)
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("c.id", ">", threadId)
      .executeTakeFirstOrThrow(),
  ]);
  if (!shown) return null;
  return Math.floor(Number(newer.n) / perPage) + 1;
}
