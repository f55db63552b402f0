// Moderation decisions. Each decision and its audit entry are one transaction.
// (The suggestions issue needs approval; the moderation issue adds the rest.)
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { nowIso } from "../lib/time";
import { recordAudit } from "./audit.server";
import { notify } from "./notification.server";
import { recordEvent } from "./submission.server";

export type ApproveResult =
  | { ok: true }
  | { ok: false; reason: "notFound" | "notPending" }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> };

/** Publishes a pending submission with one or more issue categories. */
export async function approveSubmission(
  db: DB,
  params: { id: number; moderatorId: number; moderatorRole: Role; categorySlugs: string[]; now?: Date },
): Promise<ApproveResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const slugs = [...new Set(params.categorySlugs)];
  if (!slugs.length) return { ok: false, reason: "invalid", fieldErrors: { category: ["errors.categoryRequired"] } };
  const categories = await db.selectFrom("categories").select(["id", "slug"]).where("slug", "in", slugs).where("archived", "=", 0).execute();
  if (categories.length !== slugs.length) return { ok: false, reason: "invalid", fieldErrors: { category: ["errors.invalid"] } };
  return db.transaction().execute(async (trx): Promise<ApproveResult> => {
    const s = await trx.selectFrom("submissions").select(["id", "status", "author_id"]).where("id", "=", params.id).executeTakeFirst();
    if (!s) return { ok: false, reason: "notFound" };
    if (s.status !== "pending") return { ok: false, reason: "notPending" };
    const r = await trx
      .updateTable("submissions")
      .set({ status: "published", published_at: iso, updated_at: iso })
      .where("id", "=", s.id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    // Another moderator published it a moment ago: one decision, not two.
    if (Number(r.numUpdatedRows) !== 1) return { ok: false, reason: "notPending" };
    await trx.deleteFrom("submission_categories").where("submission_id", "=", s.id).execute();
    await trx
      .insertInto("submission_categories")
      .values(categories.map((c) => ({ submission_id: s.id, category_id: c.id, tagged_by: params.moderatorId, tagged_at: iso })))
      .execute();
    const after = categories.map((c) => c.slug).sort();
    await trx
      .insertInto("tag_log")
      .values({ submission_id: s.id, actor_id: params.moderatorId, before: "[]", after: JSON.stringify(after), reason: null, created_at: iso })
      .execute();
    await recordEvent(trx, { submissionId: s.id, event: "published", actorId: params.moderatorId, actorRole: "moderator" }, now);
    await recordEvent(trx, { submissionId: s.id, event: "tagged", actorId: params.moderatorId, actorRole: "moderator", data: { categories: after } }, now);
    await recordAudit(
      trx,
      { actorId: params.moderatorId, actorRole: params.moderatorRole, action: "submission.approve", targetType: "submission", targetId: s.id, before: { status: "pending" }, after: { status: "published", categories: after } },
      now,
    );
    await notify(trx, { userId: s.author_id, kind: "published", submissionId: s.id }, now);
    return { ok: true };
  });
}
