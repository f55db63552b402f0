// Every write of the `sessions` table, in one place: the sign-in adapter
// (app/auth/session.server.ts), the account's own pages (account.server.ts:
// password change, deletion, ending sessions) and the administrators'
// (admin-users.server.ts: role change, disable, end all) call these. Each takes
// an executor, so it joins the caller's transaction. Ids are the stored ones
// (the SHA-256 of the cookie's token, see hashSessionToken), never a token.
import type { Executor } from "../../db/client";

export interface SessionRow {
  id: string;
  user_id: number;
  expires_at: string;
  created_at: string;
  last_seen_at: string;
  user_agent: string | null;
  ip: string | null;
}

/** A new session (at sign-in). */
export async function insertSession(db: Executor, row: SessionRow): Promise<void> {
  await db.insertInto("sessions").values(row).execute();
}

/** Moves a session's expiry, and its last use when given (a request refreshes it). */
export async function touchSession(db: Executor, id: string, times: { expiresAt: string; lastSeenAt?: string }): Promise<void> {
  await db
    .updateTable("sessions")
    .set(times.lastSeenAt ? { expires_at: times.expiresAt, last_seen_at: times.lastSeenAt } : { expires_at: times.expiresAt })
    .where("id", "=", id)
    .execute();
}

/** Ends one session; with `userId`, only when it is that account's. Returns how many ended (0 or 1). */
export async function deleteSession(db: Executor, id: string, options: { userId?: number } = {}): Promise<number> {
  let q = db.deleteFrom("sessions").where("id", "=", id);
  if (options.userId !== undefined) q = q.where("user_id", "=", options.userId);
  return Number((await q.executeTakeFirst()).numDeletedRows);
}

/** Ends every session of an account, except the one named by `except`; returns how many ended. */
export async function deleteUserSessions(db: Executor, userId: number, options: { except?: string | null } = {}): Promise<number> {
  let q = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (options.except) q = q.where("id", "!=", options.except);
  return Number((await q.executeTakeFirst()).numDeletedRows);
}

/** Ends the sessions past their expiry. */
export async function deleteExpiredSessions(db: Executor, now: Date = new Date()): Promise<number> {
  return Number((await db.deleteFrom("sessions").where("expires_at", "<=", now.toISOString()).executeTakeFirst()).numDeletedRows);
}
