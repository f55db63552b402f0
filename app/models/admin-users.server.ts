// Administration of accounts: change a role, disable, enable, end
// all sessions, confirm an address, send a reset link, turn two-factor off —
// for /admin/users and for the CLI (`user:set-role`, `user:reset-password`),
// which share these functions. Each change is one transaction with its audit entry,
// and every change that takes rights away ends the user's sessions in that
// same transaction, so their very next request is signed out.
import type { DB, Executor } from "../../db/client";
import type { Role, UserStatus } from "../../db/schema";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { confirmEmailByAdmin, passwordResetLink, queueAccountEmail } from "./account-email.server";
import { recordAudit } from "./audit.server";
import { resetTwoFactor } from "./two-factor.server";
import { deleteUserSessions } from "./session.server";
import { normaliseEmail } from "./user.server";

/** Who a change is about: by id, or by email (case-insensitive). */
export type UserRef = { userId: number } | { email: string };

/** Who makes a change: an admin on the page, or the operator at the command line (no id). */
export interface AdminActor {
  actorId?: number | null;
  actorRole?: string | null;
  ip?: string | null;
}

/**
 * Why a change to an account is refused, and the status each answers with:
 * no such user (404); an admin taking their own role or access away (422,
 * never allowed: someone else must); a reset link for a disabled account,
 * which could not be used (409).
 */
export const ADMIN_USER_REFUSALS = defineRefusals({ notFound: 404, self: 422, inactive: 409 });
export type AdminUserRefusal = keyof typeof ADMIN_USER_REFUSALS;

/** What an admin may do to an account, as the pages offer it: not change their own role, nor disable themselves. */
export function userActionsFor(actorId: number, userId: number): { changeRole: boolean; disable: boolean; endSessions: boolean } {
  const self = actorId === userId;
  return { changeRole: !self, disable: !self, endSessions: true };
}
/**
 * The account actions of /admin/users/:id, as the page offers them: confirm an
 * address that is not confirmed (a person whose mail does not arrive), send a
 * reset link to an active account, turn off someone else's two-factor sign-in
 * (a lost phone and lost recovery codes; their own an admin changes on
 * /me/two-factor).
 */
export function accountActionsFor(
  actorId: number,
  target: { id: number; status: UserStatus; emailConfirmed: boolean; twoFactorEnabled: boolean },
): { confirmEmail: boolean; sendReset: boolean; resetTwoFactor: boolean } {
  return {
    confirmEmail: !target.emailConfirmed,
    sendReset: target.status === "active",
    resetTwoFactor: target.twoFactorEnabled && actorId !== target.id,
  };
}

export type AdminUserResult<T = object> = ({ ok: true; userId: number } & T) | { ok: false; reason: AdminUserRefusal };

interface TargetRow {
  id: number;
  role: Role;
  status: UserStatus;
}

/** The user a change is about; deleted (anonymised) accounts are not found. */
async function findTarget(db: Executor, ref: UserRef): Promise<TargetRow | undefined> {
  let query = db.selectFrom("users").select(["id", "role", "status"]).where("status", "!=", "deleted");
  query = "userId" in ref ? query.where("id", "=", ref.userId) : query.where("email_normalised", "=", normaliseEmail(ref.email));
  return query.executeTakeFirst();
}

const isSelf = (actor: AdminActor, target: TargetRow) => actor.actorId != null && actor.actorId === target.id;

/**
 * Changes a user's role and ends all their sessions, with a `user.role`
 * audit entry. Setting the role a user already has changes nothing. An admin
 * cannot take the admin role from themselves (`self`): someone else must.
 */
export async function setUserRole(
  db: DB,
  params: UserRef & AdminActor & { role: Role },
): Promise<{ ok: true; userId: number; previous: Role } | { ok: false; reason: AdminUserRefusal }> {
  return db.transaction().execute(async (trx) => {
    const user = await findTarget(trx, params);
    if (!user) return { ok: false as const, reason: "notFound" as const };
    if (user.role === params.role) return { ok: true as const, userId: user.id, previous: user.role };
    if (isSelf(params, user)) return { ok: false as const, reason: "self" as const };
    await trx.updateTable("users").set({ role: params.role, updated_at: nowIso() }).where("id", "=", user.id).execute();
    await deleteUserSessions(trx, user.id);
    await recordAudit(trx, {
      actorId: params.actorId ?? null,
      actorRole: params.actorRole ?? "operator",
      action: "user.role",
      targetType: "user",
      targetId: user.id,
      before: { role: user.role },
      after: { role: params.role },
      ip: params.ip ?? null,
    });
    return { ok: true as const, userId: user.id, previous: user.role };
  });
}

/**
 * Disables an account: sign-in is refused from now on and every session ends
 * at once. Disabling a disabled account changes nothing. Nobody disables
 * themselves (`self`).
 */
export async function disableUser(
  db: DB,
  params: UserRef & AdminActor,
): Promise<AdminUserResult<{ changed: boolean; sessionsEnded: number }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findTarget(trx, params);
    if (!user) return { ok: false as const, reason: "notFound" as const };
    if (isSelf(params, user)) return { ok: false as const, reason: "self" as const };
    // Even when already disabled: no session of a disabled account may live on.
    const sessionsEnded = await deleteUserSessions(trx, user.id);
    if (user.status === "disabled") return { ok: true as const, userId: user.id, changed: false, sessionsEnded };
    await trx.updateTable("users").set({ status: "disabled", updated_at: nowIso() }).where("id", "=", user.id).execute();
    await recordAudit(trx, {
      actorId: params.actorId ?? null,
      actorRole: params.actorRole ?? "operator",
      action: "user.disable",
      targetType: "user",
      targetId: user.id,
      before: { status: user.status, sessions: sessionsEnded },
      after: { status: "disabled", sessions: 0 },
      ip: params.ip ?? null,
    });
    return { ok: true as const, userId: user.id, changed: true, sessionsEnded };
  });
}

/** Enables a disabled account: its owner can sign in again. Enabling an active account changes nothing. */
export async function enableUser(db: DB, params: UserRef & AdminActor): Promise<AdminUserResult<{ changed: boolean }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findTarget(trx, params);
    if (!user) return { ok: false as const, reason: "notFound" as const };
    if (user.status === "active") return { ok: true as const, userId: user.id, changed: false };
    await trx.updateTable("users").set({ status: "active", updated_at: nowIso() }).where("id", "=", user.id).execute();
    await recordAudit(trx, {
      actorId: params.actorId ?? null,
      actorRole: params.actorRole ?? "operator",
      action: "user.enable",
      targetType: "user",
      targetId: user.id,
      before: { status: user.status },
      after: { status: "active" },
      ip: params.ip ?? null,
    });
    return { ok: true as const, userId: user.id, changed: true };
  });
}

/**
 * Ends every session of a user ("sign out everywhere", e.g. after a lost
 * phone). Allowed on oneself too: the admin is then signed out as well.
 */
export async function endAllUserSessions(db: DB, params: UserRef & AdminActor): Promise<AdminUserResult<{ sessionsEnded: number }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findTarget(trx, params);
    if (!user) return { ok: false as const, reason: "notFound" as const };
    const sessionsEnded = await deleteUserSessions(trx, user.id);
    await recordAudit(trx, {
      actorId: params.actorId ?? null,
      actorRole: params.actorRole ?? "operator",
      action: "user.end-sessions",
      targetType: "user",
      targetId: user.id,
      before: { sessions: sessionsEnded },
      after: { sessions: 0 },
      ip: params.ip ?? null,
    });
    return { ok: true as const, userId: user.id, sessionsEnded };
  });
}

/** An admin confirms a person's address (ADR 0026); audited as the admin. */
export async function confirmUserEmail(db: DB, params: UserRef & AdminActor): Promise<AdminUserResult<{ changed: boolean }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findTarget(trx, params);
    if (!user) return { ok: false as const, reason: "notFound" as const };
    const r = await confirmEmailByAdmin(trx, {
      userId: user.id,
      actor: { id: params.actorId ?? null, role: params.actorRole ?? "operator" },
      ip: params.ip,
    });
    if (!r.ok) return { ok: false as const, reason: "notFound" as const };
    return { ok: true as const, userId: user.id, changed: r.changed };
  });
}

/**
 * A reset link for an account, audited: with `send`, emailed to the person
 * (the admin page: the admin never sees the link); without, returned for the
 * operator to pass on (`user:reset-password`). A disabled account is refused:
 * its link could not be used.
 */
export async function issuePasswordReset(
  db: DB,
  params: UserRef & AdminActor & { send: boolean; now?: Date },
): Promise<AdminUserResult<{ link: string | null; email: string }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findTarget(trx, params);
    if (!user) return { ok: false as const, reason: "notFound" as const };
    if (user.status !== "active") return { ok: false as const, reason: "inactive" as const };
    const row = await trx
      .selectFrom("users")
      .select(["email", "display_name", "locale"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    const link = await passwordResetLink(trx, { userId: user.id, email: row.email, now: params.now });
    if (params.send)
      await queueAccountEmail(
        trx,
        { userId: user.id, to: row.email, lng: row.locale, kind: "reset", name: row.display_name, link },
        params.now ?? new Date(),
      );
    await recordAudit(trx, {
      actorId: params.actorId ?? null,
      actorRole: params.actorRole ?? "operator",
      action: "user.password-reset-link",
      targetType: "user",
      targetId: user.id,
      after: { sent: params.send ? "email" : "operator" },
      ip: params.ip ?? null,
    });
    return { ok: true as const, userId: user.id, link: params.send ? null : link, email: row.email };
  });
}

/** An admin turns off someone else's two-factor sign-in (they enrol again at their next sign-in). */
export async function resetUserTwoFactor(db: DB, params: UserRef & AdminActor): Promise<AdminUserResult<{ changed: boolean }>> {
  return db.transaction().execute(async (trx) => {
    const user = await findTarget(trx, params);
    if (!user) return { ok: false as const, reason: "notFound" as const };
    if (isSelf(params, user)) return { ok: false as const, reason: "self" as const };
    const r = await resetTwoFactor(trx, {
      userId: user.id,
      actor: params.actorId != null ? { id: params.actorId, role: (params.actorRole ?? "admin") as Role } : null,
      ip: params.ip,
    });
    if (!r.ok) return { ok: false as const, reason: "notFound" as const };
    // A second factor taken away: the sessions it guarded end too.
    await deleteUserSessions(trx, user.id);
    return { ok: true as const, userId: user.id, changed: r.wasEnabled };
  });
}

/** What /admin/users/:id shows: profile, organisation, open sessions. Never the password hash. */
export async function getUserForAdmin(db: Executor, userId: number, now: Date = new Date()) {
  const user = await db
    .selectFrom("users as u")
    .leftJoin("organisations as o", "o.id", "u.organisation_id")
    .leftJoin("clusters as c", "c.id", "o.cluster_id")
    .select([
      "u.id",
      "u.email",
      "u.display_name",
      "u.role",
      "u.status",
      "u.locale",
      "u.created_at",
      "u.updated_at",
      "u.email_confirmed_at",
      "u.pending_email",
      "u.two_factor_enabled_at",
      "o.id as organisation_id",
      "o.name as organisation_name",
      "o.type as organisation_type",
      "o.size_band",
      "o.city",
      "o.province",
      "o.registration_number",
      "o.verified",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .where("u.id", "=", userId)
    .where("u.status", "!=", "deleted")
    .executeTakeFirst();
  if (!user) return undefined;
  const sessions = await db
    .selectFrom("sessions")
    .select([(eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.max("last_seen_at").as("last_seen_at")])
    .where("user_id", "=", userId)
    .where("expires_at", ">", now.toISOString())
    .executeTakeFirstOrThrow();
  return { ...user, sessions: Number(sessions.n), last_seen_at: (sessions.last_seen_at as string | null) ?? null };
}
