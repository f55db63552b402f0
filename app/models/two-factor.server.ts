// Two-factor sign-in (TOTP, RFC 6238) and its recovery codes (ADR 0026).
//
// Enrolment is two steps: `startEnrolment` stores a new secret (not yet in
// force), `confirmEnrolment` turns it on when the person types a code from it,
// and returns ten recovery codes, shown once and stored as SHA-256. A code is
// accepted once: the accepted time step is kept, and a step not later than
// the last one is refused (one conditional UPDATE, so two sign-ins with one
// code never both pass). A recovery code is used up the same way.
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import type { Executor } from "../../db/client";
import type { Role } from "../../db/schema";
import { inTransaction } from "../../db/transaction";
import { hasRole } from "~/auth/permissions";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { matchTotp, newTotpSecret } from "~/lib/totp.server";
import { recordAudit } from "./audit.server";

export const RECOVERY_CODE_COUNT = 10;

export const TWO_FACTOR_REFUSALS = defineRefusals({
  notFound: 404,
  /** enrolment asked for while two-factor is on: turn it off (reset) first */
  alreadyEnabled: 409,
  /** a code typed for an enrolment that was never started */
  notStarted: 409,
  notEnabled: 409,
  wrongCode: 400,
  /** the code's time step was already used */
  codeUsed: 400,
  /** turning it off, asked by a staff member while STAFF_TWO_FACTOR=required */
  requiredForStaff: 409,
});
export type TwoFactorRefusal = keyof typeof TWO_FACTOR_REFUSALS;

type Refused = { ok: false; reason: TwoFactorRefusal };

/** STAFF_TWO_FACTOR: whether moderators, organisers and admins must have two-factor sign-in. */
export type StaffTwoFactorPolicy = "required" | "optional";

/** Whether a person of `role` must have two-factor sign-in under `policy` (stakeholders may always choose). */
export function twoFactorRequired(role: Role, policy: StaffTwoFactorPolicy): boolean {
  return policy === "required" && hasRole(role, "moderator");
}

/**
 * A signed-in person who must enrol before any other signed-in page opens:
 * staff without two-factor while it is required (their password alone let them in).
 */
export function mustEnrolTwoFactor(user: { role: Role; twoFactorEnabled: boolean }, policy: StaffTwoFactorPolicy): boolean {
  return !user.twoFactorEnabled && twoFactorRequired(user.role, policy);
}

/**
 * The signed-in person as every page and guard sees them (server/app.ts puts
 * this in the request's context): staff who must enrol count as stakeholders
 * until they have, flagged so the guard sends them to /me/two-factor. A
 * password alone then opens no staff view anywhere — not the guarded staff
 * pages, and not the staff views of public pages (a moderator's view of a
 * hidden suggestion, the organisation names members chose to hide), however
 * the page is asked for (a full load or the client router's data request).
 */
export function restrictUntilEnrolled<T extends { role: Role; twoFactorEnabled: boolean }>(
  user: T | null,
  policy: StaffTwoFactorPolicy,
): (T & { enrolmentRequired?: boolean }) | null {
  if (!user || !mustEnrolTwoFactor(user, policy)) return user;
  return { ...user, role: "stakeholder", enrolmentRequired: true };
}

function hashCode(code: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(code)));
}

/** A recovery code as typed → its stored form: lower case, no spaces or dashes. */
export function normaliseRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]+/g, "");
}

function newRecoveryCode(): string {
  const bytes = new Uint8Array(10);
  crypto.getRandomValues(bytes);
  const raw = encodeBase32LowerCaseNoPadding(bytes); // 16 characters, 80 bits
  return raw.match(/.{4}/g)!.join("-");
}

/**
 * What follows a right password: "code" (two-factor is on: no session until a
 * code, /login/two-factor), "enrol" (staff without it while it is required: a
 * session, and only /me/two-factor opens) or "signed-in".
 */
export async function afterPassword(
  db: Executor,
  p: { userId: number; policy: StaffTwoFactorPolicy },
): Promise<{ next: "code"; email: string } | { next: "enrol" | "signed-in" }> {
  const user = await db
    .selectFrom("users")
    .select(["email", "role", "two_factor_enabled_at"])
    .where("id", "=", p.userId)
    .executeTakeFirstOrThrow();
  if (user.two_factor_enabled_at !== null) return { next: "code", email: user.email };
  return { next: mustEnrolTwoFactor({ role: user.role, twoFactorEnabled: false }, p.policy) ? "enrol" : "signed-in" };
}

export interface TwoFactorState {
  enabled: boolean;
  /** enrolment started, not yet confirmed */
  pending: boolean;
  enabledAt: string | null;
  recoveryCodesLeft: number;
}

export async function getTwoFactorState(db: Executor, userId: number): Promise<TwoFactorState | null> {
  const user = await db
    .selectFrom("users")
    .select(["two_factor_secret", "two_factor_enabled_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user) return null;
  const left = await db
    .selectFrom("two_factor_recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return {
    enabled: user.two_factor_enabled_at !== null,
    pending: user.two_factor_enabled_at === null && user.two_factor_secret !== null,
    enabledAt: user.two_factor_enabled_at,
    recoveryCodesLeft: Number(left.n),
  };
}

/** A new secret for the person to put in their app; not in force until confirmed. */
export async function startEnrolment(db: Executor, p: { userId: number }): Promise<{ ok: true; secret: string } | Refused> {
  const secret = newTotpSecret();
  const r = await db
    .updateTable("users")
    .set({ two_factor_secret: secret, two_factor_last_step: null })
    .where("id", "=", p.userId)
    .where("two_factor_enabled_at", "is", null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1) return { ok: true, secret };
  const exists = await db.selectFrom("users").select("id").where("id", "=", p.userId).executeTakeFirst();
  return { ok: false, reason: exists ? "alreadyEnabled" : "notFound" };
}

/** The secret of an enrolment in progress (to show it again after a wrong code). */
export async function pendingSecret(db: Executor, userId: number): Promise<string | null> {
  const user = await db
    .selectFrom("users")
    .select(["two_factor_secret", "two_factor_enabled_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
  return user && user.two_factor_enabled_at === null ? user.two_factor_secret : null;
}

/**
 * Turn two-factor on with a code from the new secret. Returns the recovery
 * codes: the only time they exist outside the person's hands.
 */
export async function confirmEnrolment(
  db: Executor,
  p: { userId: number; code: string; ip?: string | null; now?: Date },
): Promise<{ ok: true; recoveryCodes: string[] } | Refused> {
  const now = p.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["role", "two_factor_secret", "two_factor_enabled_at"])
      .where("id", "=", p.userId)
      .executeTakeFirst();
    if (!user) return { ok: false, reason: "notFound" } as const;
    if (user.two_factor_enabled_at !== null) return { ok: false, reason: "alreadyEnabled" } as const;
    if (!user.two_factor_secret) return { ok: false, reason: "notStarted" } as const;
    const step = matchTotp(user.two_factor_secret, p.code, now.getTime());
    if (step === null) return { ok: false, reason: "wrongCode" } as const;
    const r = await trx
      .updateTable("users")
      .set({ two_factor_enabled_at: nowIso(now), two_factor_last_step: step })
      .where("id", "=", p.userId)
      .where("two_factor_enabled_at", "is", null)
      .where("two_factor_secret", "=", user.two_factor_secret)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return { ok: false, reason: "alreadyEnabled" } as const;
    const recoveryCodes = await replaceRecoveryCodes(trx, p.userId, now);
    await recordAudit(
      trx,
      {
        actorId: p.userId,
        actorRole: user.role,
        action: "user.two-factor-enable",
        targetType: "user",
        targetId: p.userId,
        ip: p.ip ?? null,
      },
      now,
    );
    return { ok: true, recoveryCodes } as const;
  });
}

async function replaceRecoveryCodes(trx: Executor, userId: number, now: Date): Promise<string[]> {
  await trx.deleteFrom("two_factor_recovery_codes").where("user_id", "=", userId).execute();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await trx
    .insertInto("two_factor_recovery_codes")
    .values(codes.map((code) => ({ user_id: userId, code_hash: hashCode(normaliseRecoveryCode(code)), created_at: nowIso(now) })))
    .execute();
  return codes;
}

/**
 * The second step of a sign-in: a code from the app, or a recovery code.
 * Each is accepted once.
 */
export async function verifySecondFactor(
  db: Executor,
  p: { userId: number; code: string; now?: Date },
): Promise<{ ok: true; via: "totp" | "recovery" } | Refused> {
  const now = p.now ?? new Date();
  const user = await db
    .selectFrom("users")
    .select(["two_factor_secret", "two_factor_enabled_at"])
    .where("id", "=", p.userId)
    .executeTakeFirst();
  if (!user) return { ok: false, reason: "notFound" };
  if (user.two_factor_enabled_at === null || !user.two_factor_secret) return { ok: false, reason: "notEnabled" };

  const recovery = normaliseRecoveryCode(p.code);
  if (/^[a-z2-7]{16}$/.test(recovery)) {
    const r = await db
      .updateTable("two_factor_recovery_codes")
      .set({ used_at: nowIso(now) })
      .where("user_id", "=", p.userId)
      .where("code_hash", "=", hashCode(recovery))
      .where("used_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1 ? { ok: true, via: "recovery" } : { ok: false, reason: "wrongCode" };
  }

  const step = matchTotp(user.two_factor_secret, p.code, now.getTime());
  if (step === null) return { ok: false, reason: "wrongCode" };
  const r = await db
    .updateTable("users")
    .set({ two_factor_last_step: step })
    .where("id", "=", p.userId)
    .where((eb) => eb.or([eb("two_factor_last_step", "is", null), eb("two_factor_last_step", "<", step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? { ok: true, via: "totp" } : { ok: false, reason: "codeUsed" };
}

/** New recovery codes (the old ones stop working): for a person who used or lost theirs. */
export async function regenerateRecoveryCodes(
  db: Executor,
  p: { userId: number; ip?: string | null; now?: Date },
): Promise<{ ok: true; recoveryCodes: string[] } | Refused> {
  const now = p.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const user = await trx.selectFrom("users").select(["role", "two_factor_enabled_at"]).where("id", "=", p.userId).executeTakeFirst();
    if (!user) return { ok: false, reason: "notFound" } as const;
    if (user.two_factor_enabled_at === null) return { ok: false, reason: "notEnabled" } as const;
    const recoveryCodes = await replaceRecoveryCodes(trx, p.userId, now);
    await recordAudit(
      trx,
      {
        actorId: p.userId,
        actorRole: user.role,
        action: "user.two-factor-recovery-codes",
        targetType: "user",
        targetId: p.userId,
        ip: p.ip ?? null,
      },
      now,
    );
    return { ok: true, recoveryCodes } as const;
  });
}

/**
 * Two-factor off: the secret, its last step and the recovery codes gone. By
 * the person (after re-authentication), or by an operator for a locked-out
 * one (`actor` null: the CLI).
 */
export async function resetTwoFactor(
  db: Executor,
  p: { userId: number; actor?: { id: number; role: Role } | null; ip?: string | null; now?: Date },
): Promise<{ ok: true; wasEnabled: boolean } | Refused> {
  const now = p.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const user = await trx.selectFrom("users").select(["role", "two_factor_enabled_at"]).where("id", "=", p.userId).executeTakeFirst();
    if (!user) return { ok: false, reason: "notFound" } as const;
    await trx
      .updateTable("users")
      .set({ two_factor_secret: null, two_factor_enabled_at: null, two_factor_last_step: null })
      .where("id", "=", p.userId)
      .execute();
    await trx.deleteFrom("two_factor_recovery_codes").where("user_id", "=", p.userId).execute();
    await recordAudit(
      trx,
      {
        actorId: p.actor?.id ?? null,
        actorRole: p.actor?.role ?? null,
        action: "user.two-factor-reset",
        targetType: "user",
        targetId: p.userId,
        before: { enabled: user.two_factor_enabled_at !== null },
        after: { enabled: false },
        ip: p.ip ?? null,
      },
      now,
    );
    return { ok: true, wasEnabled: user.two_factor_enabled_at !== null } as const;
  });
}

/**
 * The person turns their own two-factor off, with a code from their app (or a
 * recovery code), unless the policy requires it for their role. The code is
 * checked first only when turning it off is allowed at all.
 */
export async function disableTwoFactor(
  db: Executor,
  p: { userId: number; code: string; policy: StaffTwoFactorPolicy; ip?: string | null; now?: Date },
): Promise<{ ok: true } | Refused> {
  const user = await db.selectFrom("users").select(["role", "two_factor_enabled_at"]).where("id", "=", p.userId).executeTakeFirst();
  if (!user) return { ok: false, reason: "notFound" };
  if (user.two_factor_enabled_at === null) return { ok: false, reason: "notEnabled" };
  if (twoFactorRequired(user.role, p.policy)) return { ok: false, reason: "requiredForStaff" };
  const checked = await verifySecondFactor(db, { userId: p.userId, code: p.code, now: p.now });
  if (!checked.ok) return checked;
  const reset = await resetTwoFactor(db, { userId: p.userId, actor: { id: p.userId, role: user.role }, ip: p.ip, now: p.now });
  return reset.ok ? { ok: true } : reset;
}
