// Follows (issue 16, item 2; ADR 0013 "Follows"): a person follows a public
// suggestion or a final recommendation and hears (in-app and by email, one
// notification per person per event) of what happens to it. Authors and
// supporters follow automatically; an explicit unfollow is a kept row
// (`following = 0`) that no later auto-follow overwrites.
import { sql, type RawBuilder } from "kysely";
import type { Executor } from "../../db/client";
import type { FollowTargetType } from "../../db/schema";
import { inTransaction } from "../../db/transaction";
import { defineRefusals } from "~/lib/refusal";
import { isPublicStatus } from "~/lib/reference";
import { nowIso } from "~/lib/time";
import { type NotificationKind, notifyMany } from "./notification.server";

export interface FollowTarget {
  type: FollowTargetType;
  id: number;
}

/** Why a follow or unfollow is refused: no such thing, or not public (a pending suggestion, a draft recommendation): 404 both. */
export const FOLLOW_REFUSALS = defineRefusals({ invalid: 400, notFound: 404 });

/** Whether this target may be followed by anyone signed in: a public suggestion or a final recommendation. */
export async function followableTarget(db: Executor, target: FollowTarget): Promise<boolean> {
  if (target.type === "submission") {
    const s = await db.selectFrom("submissions").select("status").where("id", "=", target.id).executeTakeFirst();
    return !!s && isPublicStatus(s.status);
  }
  const r = await db.selectFrom("recommendations").select("status").where("id", "=", target.id).executeTakeFirst();
  return !!r && r.status === "final";
}

/**
 * An automatic follow (the author on submitting, a supporter on supporting, a
 * merge carrying supporters): added only where the person has no row at all,
 * so an explicit unfollow sticks.
 */
export async function autoFollow(
  db: Executor,
  params: { userIds: Array<number | null | undefined>; target: FollowTarget; origin: "author" | "supporter" | "merge" },
  now: Date = new Date(),
): Promise<void> {
  const ids = [...new Set(params.userIds.filter((u): u is number => typeof u === "number"))];
  if (!ids.length) return;
  const iso = nowIso(now);
  await db
    .insertInto("follows")
    .values(
      ids.map((user_id) => ({
        user_id,
        target_type: params.target.type,
        target_id: params.target.id,
        following: 1,
        origin: params.origin,
        created_at: iso,
        updated_at: iso,
      })),
    )
    .onConflict((oc) => oc.columns(["user_id", "target_type", "target_id"]).doNothing())
    .execute();
}

/**
 * autoFollow as SQL for one statement that also writes what causes it
 * (PostgreSQL: a support's insert and its follow go in one round trip, a
 * data-modifying CTE): follows the rows of the common table expression
 * `from` (columns `user_id`, `target_id`, `created_at`), none when it is
 * empty, with autoFollow's rule: added only where the person has no row.
 */
export function autoFollowFromRows(from: string, targetType: FollowTargetType, origin: "supporter"): RawBuilder<Record<string, unknown>> {
  // in parentheses: a CTE's body (Kysely adds them to its own builders, not to raw SQL)
  return sql<Record<string, unknown>>`(insert into follows (user_id, target_type, target_id, following, origin, created_at, updated_at)
    select user_id, ${sql.lit(targetType)}, target_id, 1, ${sql.lit(origin)}, created_at, created_at from ${sql.table(from)}
    on conflict (user_id, target_type, target_id) do nothing)`;
}

export type SetFollowResult = { ok: true; changed: boolean } | { ok: false; reason: "notFound" };

/**
 * Follows or unfollows, explicitly (the follow routes). Only a followable
 * target (public suggestion, final recommendation); idempotent. Unfollowing
 * keeps a row with `following = 0`, so that supporting again does not follow again.
 */
export async function setFollow(
  db: Executor,
  params: { userId: number; target: FollowTarget; following: boolean; now?: Date },
): Promise<SetFollowResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const value = params.following ? 1 : 0;
  return inTransaction(db, async (trx): Promise<SetFollowResult> => {
    if (!(await followableTarget(trx, params.target))) return { ok: false, reason: "notFound" };
    const before = await trx
      .selectFrom("follows")
      .select("following")
      .where("user_id", "=", params.userId)
      .where("target_type", "=", params.target.type)
      .where("target_id", "=", params.target.id)
      .executeTakeFirst();
    if (before && before.following === value) return { ok: true, changed: false };
    await trx
      .insertInto("follows")
      .values({
        user_id: params.userId,
        target_type: params.target.type,
        target_id: params.target.id,
        following: value,
        origin: "explicit",
        created_at: iso,
        updated_at: iso,
      })
      .onConflict((oc) =>
        oc.columns(["user_id", "target_type", "target_id"]).doUpdateSet({ following: value, origin: "explicit", updated_at: iso }),
      )
      .execute();
    return { ok: true, changed: !(before === undefined && value === 0) };
  });
}

/** Whether this person follows this target now. */
export async function isFollowing(db: Executor, userId: number, target: FollowTarget): Promise<boolean> {
  const r = await db
    .selectFrom("follows")
    .select("following")
    .where("user_id", "=", userId)
    .where("target_type", "=", target.type)
    .where("target_id", "=", target.id)
    .executeTakeFirst();
  return r?.following === 1;
}

/** What a person follows ("what I follow" on /me/notifications), newest first, public things only, with their titles. */
export async function listFollowing(db: Executor, userId: number, limit = 200) {
  const rows = await db
    .selectFrom("follows as f")
    .leftJoin("submissions as s", (j) => j.onRef("s.id", "=", "f.target_id").on("f.target_type", "=", "submission"))
    .leftJoin("recommendations as r", (j) => j.onRef("r.id", "=", "f.target_id").on("f.target_type", "=", "recommendation"))
    .select([
      "f.target_type",
      "f.target_id",
      "f.updated_at",
      "s.title as submission_title",
      "s.status as submission_status",
      "r.title as recommendation_title",
      "r.status as recommendation_status",
    ])
    .where("f.user_id", "=", userId)
    .where("f.following", "=", 1)
    .orderBy("f.updated_at", "desc")
    .orderBy("f.target_type")
    .orderBy("f.target_id", "desc")
    .limit(limit)
    .execute();
  return rows
    .filter((r) => (r.target_type === "submission" ? isPublicStatus(r.submission_status ?? "") : r.recommendation_status === "final"))
    .map((r) => ({
      type: r.target_type,
      id: r.target_id,
      title: (r.target_type === "submission" ? r.submission_title : r.recommendation_title) ?? "",
    }));
}

// ───────────────────────────── telling followers ─────────────────────────────

/**
 * What followers hear of. The notification kind for each: `responded` is one
 * text for everyone (authors, supporters, followers); the others are the
 * follower's texts (`followed.*`), not the author's ("your suggestion …").
 */
export type FollowEvent = "published" | "merged" | "recommended" | "responded" | "progress" | "commented";

const KIND: Record<FollowEvent, NotificationKind> = {
  published: "followed.published",
  merged: "followed.merged",
  recommended: "followed.recommended",
  responded: "responded",
  progress: "progress",
  commented: "followed.commented",
};

/**
 * The people who hear of an event on a target, active accounts only, each once:
 * - a suggestion: its followers;
 * - a recommendation: its followers and the followers of its sources, less
 *   anyone who explicitly unfollowed the recommendation.
 * Plus `also` (people the Contract says must hear, e.g. the authors and
 * supporters of the sources for a response), less `except`.
 */
export async function followersToTell(
  db: Executor,
  params: { target: FollowTarget; also?: number[]; except?: Iterable<number> },
): Promise<number[]> {
  const { target } = params;
  const ids = new Set<number>();
  const direct = await db
    .selectFrom("follows")
    .select("user_id")
    .where("target_type", "=", target.type)
    .where("target_id", "=", target.id)
    .where("following", "=", 1)
    .execute();
  for (const r of direct) ids.add(r.user_id);
  if (target.type === "recommendation") {
    const viaSources = await db
      .selectFrom("follows as f")
      .innerJoin("recommendation_submissions as rs", "rs.submission_id", "f.target_id")
      .select("f.user_id")
      .where("f.target_type", "=", "submission")
      .where("rs.recommendation_id", "=", target.id)
      .where("f.following", "=", 1)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("follows as u")
              .select("u.user_id")
              .whereRef("u.user_id", "=", "f.user_id")
              .where("u.target_type", "=", "recommendation")
              .where("u.target_id", "=", target.id)
              .where("u.following", "=", 0),
          ),
        ),
      )
      .execute();
    for (const r of viaSources) ids.add(r.user_id);
  }
  for (const u of params.also ?? []) ids.add(u);
  for (const u of params.except ?? []) ids.delete(u);
  if (!ids.size) return [];
  // Everyone behind a national recommendation can be more people than one statement may bind
  // (SQLite 32,766 variables, PostgreSQL 65,535): asked in chunks.
  const all = [...ids];
  const active: number[] = [];
  for (let i = 0; i < all.length; i += IN_LIST_CHUNK) {
    const rows = await db
      .selectFrom("users")
      .select("id")
      .where("id", "in", all.slice(i, i + IN_LIST_CHUNK))
      .where("status", "=", "active")
      .execute();
    for (const r of rows) active.push(r.id);
  }
  return active.sort((a, b) => a - b);
}

/** Ids per `in (…)` list: far inside either database's limit on bound values per statement. */
const IN_LIST_CHUNK = 500;

/**
 * Tells the followers of `target` of `event`: one notification (in-app and
 * its email, written by notifyMany() in the caller's transaction) per person.
 * Pass the people already told of this same event in `except` (e.g. the
 * author who got the author's notification): they get no second one. Returns
 * the ids told, so a caller can pass them on to a second call of the same
 * event (a merge tells the followers of both suggestions).
 *
 * - target: `{ type: "submission" | "recommendation", id }`
 * - event: "published" | "merged" | "recommended" | "responded" | "progress" | "commented"
 * - submissionId / recommendationId: what the notification points to (defaults from target)
 * - data: stored on the notification (JSON), e.g. `{ status }` for a progress update
 * - also: people who must hear even if they do not follow (Contract C7: authors and supporters of the sources for a response)
 * - except: people not to tell (already told, or the one who acted)
 */
export async function notifyFollowers(
  trx: Executor,
  params: {
    target: FollowTarget;
    event: FollowEvent;
    submissionId?: number | null;
    /** per person, the suggestion the notification points to (a response: the first source they are behind) */
    submissionIdOf?: (userId: number) => number | null;
    recommendationId?: number | null;
    data?: unknown;
    also?: number[];
    except?: Iterable<number>;
    now?: Date;
  },
): Promise<number[]> {
  const now = params.now ?? new Date();
  const people = await followersToTell(trx, { target: params.target, also: params.also, except: params.except });
  const submissionId =
    params.submissionId !== undefined ? params.submissionId : params.target.type === "submission" ? params.target.id : null;
  const recommendationId =
    params.recommendationId !== undefined ? params.recommendationId : params.target.type === "recommendation" ? params.target.id : null;
  // One batch (notifyMany): the same rows notify() writes person by person, in a few statements per 500 people.
  await notifyMany(
    trx,
    people.map((userId) => ({
      userId,
      kind: KIND[params.event],
      submissionId: params.submissionIdOf ? (params.submissionIdOf(userId) ?? submissionId) : submissionId,
      recommendationId,
      data: params.data,
    })),
    now,
  );
  return people;
}
