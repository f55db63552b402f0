// The audit log: who did what to which record, with before/after. Written in
// the same transaction as the change it records (pass the transaction). The
// app only ever adds entries: nothing here (or anywhere) edits or deletes one.
import { sql } from "kysely";
import type { Executor } from "../../db/client";
import { nowIso } from "~/lib/time";

export interface AuditEntry {
  actorId?: number | null;
  actorRole?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  ip?: string | null;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export async function recordAudit(db: Executor, entry: AuditEntry, now: Date = new Date()): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      actor_id: entry.actorId ?? null,
      actor_role: entry.actorRole ?? null,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId == null ? null : String(entry.targetId),
      before: json(entry.before),
      after: json(entry.after),
      reason: entry.reason ?? null,
      ip: entry.ip ?? null,
      created_at: nowIso(now),
    })
    .execute();
}

export interface AuditQuery {
  /** an action or the start of one: `submission.` lists every submission action */
  action?: string;
  actorId?: number;
  /** entries about one record, e.g. `{ type: "user", id: 12 }` */
  target?: { type: string; id: string | number };
  /** ISO 8601 UTC bounds: `from` inclusive, `before` exclusive */
  from?: string;
  before?: string;
  page: number;
  pageSize: number;
}

/**
 * `value` as a LIKE pattern that matches it literally (`_` and `%` are common in action names).
 * Exported only for the tests (tests/models/admin-users.test.ts).
 */
export function likePrefix(value: string): string {
  return `${value.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** The audit log, newest first, filtered; one row more than a page, so the caller knows whether there is a next one. */
export async function listAuditEntries(db: Executor, q: AuditQuery) {
  let query = db
    .selectFrom("audit_log as a")
    .leftJoin("users as u", "u.id", "a.actor_id")
    .select([
      "a.id",
      "a.action",
      "a.actor_id",
      "a.actor_role",
      "a.target_type",
      "a.target_id",
      "a.before",
      "a.after",
      "a.reason",
      "a.ip",
      "a.created_at",
      "u.display_name as actor_name",
      "u.email as actor_email",
    ]);
  if (q.action) query = query.where(sql<boolean>`a.action like ${likePrefix(q.action)} escape '!'`);
  if (q.actorId) query = query.where("a.actor_id", "=", q.actorId);
  if (q.target) query = query.where("a.target_type", "=", q.target.type).where("a.target_id", "=", String(q.target.id));
  if (q.from) query = query.where("a.created_at", ">=", q.from);
  if (q.before) query = query.where("a.created_at", "<", q.before);
  return query
    .orderBy("a.id", "desc")
    .limit(q.pageSize + 1)
    .offset((q.page - 1) * q.pageSize)
    .execute();
}
