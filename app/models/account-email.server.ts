// Confirmed addresses and password recovery (issue 15, items 1 and 2; ADR 0026).
//
// Each function writes its email into the outbox in the caller's transaction
// (queued with SMTP, held and logged without), in the recipient's language,
// with a link made by account-token.server.ts. The pages that use them are
// /confirm-email/:token, /me/confirm-email, /forgot-password and
// /reset-password/:token.
import type { Executor } from "../../db/client";
import { inTransaction } from "../../db/transaction";
import { checkPassword, hashPassword } from "~/auth/password.server";
import { tFor } from "~/lib/i18next.server";
import { bodyText, headerText, safeEmailAddress } from "~/lib/mail-text.server";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { consumeToken, issueToken, peekToken } from "./account-token.server";
import { recordAudit } from "./audit.server";
import { insertEmail, mailSettings } from "./email-outbox.server";
import { deleteUserSessions } from "./session.server";
import { normaliseEmail, PASSWORD_ERROR_KEYS, type FieldErrors } from "./user.server";
import { updateProfile, type ProfileInput } from "./account.server";
import { RULES, takeRateLimits } from "~/lib/rate-limit.server";

export type AccountEmailKind = "confirm" | "reset" | "passwordChanged" | "emailChanged" | "emailChangeRequested";

export const ACCOUNT_EMAIL_REFUSALS = defineRefusals({
  notFound: 404,
  /** the address is confirmed and no new one is waiting */
  alreadyConfirmed: 409,
  /** a link that does not work (unknown, used, expired, or for an address no longer asked for) */
  invalidToken: 410,
  /** the new address was taken by someone else meanwhile */
  emailTaken: 409,
  invalid: 400,
});

/** Subject and body of an account email in one language, made safe for mail. */
export function renderAccountEmail(lng: string, kind: AccountEmailKind, vars: { name: string; link?: string; email?: string }) {
  const t = tFor(lng === "ur" ? "ur" : "en");
  const name = headerText(vars.name, 100);
  const subject = headerText(t(`email.account.${kind}.subject`));
  const body = [
    t("email.greeting", { name }),
    t(`email.account.${kind}.body`, { link: vars.link ?? "", email: vars.email ?? "" }),
    t("email.account.footer"),
  ];
  return { subject, body: bodyText(body.join("\n\n")) };
}

/** Queues one account email in the recipient's language (also for the admin page's reset link, which the admin never sees). */
export async function queueAccountEmail(
  db: Executor,
  p: { userId: number; to: string; lng: string; kind: AccountEmailKind; name: string; link?: string; email?: string },
  now: Date,
): Promise<number | null> {
  const to = safeEmailAddress(p.to);
  if (!to) return null;
  const { subject, body } = renderAccountEmail(p.lng, p.kind, p);
  return insertEmail(db, { userId: p.userId, notificationId: null, to, subject, body }, now);
}

function accountOf(db: Executor, userId: number) {
  return db
    .selectFrom("users")
    .select(["id", "email", "pending_email", "email_confirmed_at", "display_name", "locale", "role", "status"])
    .where("id", "=", userId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

/**
 * Send (again) the link that confirms the person's address, or the new address
 * they asked for. Earlier links stop working.
 */
export async function sendEmailConfirmation(
  db: Executor,
  p: { userId: number; now?: Date },
): Promise<{ ok: true; to: string } | { ok: false; reason: "notFound" | "alreadyConfirmed" }> {
  const now = p.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const user = await accountOf(trx, p.userId);
    if (!user || user.status !== "active") return { ok: false, reason: "notFound" } as const;
    const to = user.pending_email ?? (user.email_confirmed_at === null ? user.email : null);
    if (!to) return { ok: false, reason: "alreadyConfirmed" } as const;
    const { token } = await issueToken(trx, { userId: user.id, purpose: "confirm-email", email: to, now });
    const link = `${mailSettings().origin}/confirm-email/${token}`;
    await queueAccountEmail(trx, { userId: user.id, to, lng: user.locale, kind: "confirm", name: user.display_name, link }, now);
    return { ok: true, to } as const;
  });
}

/** What the confirmation page shows before the button is pressed (nothing is used up). */
export async function peekEmailConfirmation(db: Executor, p: { token: string; now?: Date }): Promise<{ email: string } | null> {
  const live = await peekToken(db, { token: p.token, purpose: "confirm-email", now: p.now });
  return live ? { email: live.email } : null;
}

/**
 * Use a confirmation link. For the person's current address it confirms it;
 * for the new address they asked for, the new one replaces the old, which is
 * told. A link for an address that is neither any more does nothing.
 */
export async function confirmEmail(
  db: Executor,
  p: { token: string; ip?: string | null; now?: Date },
): Promise<{ ok: true; userId: number; email: string; changedFrom: string | null } | { ok: false; reason: "invalidToken" | "emailTaken" }> {
  const now = p.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const live = await consumeToken(trx, { token: p.token, purpose: "confirm-email", now });
    if (!live) return { ok: false, reason: "invalidToken" } as const;
    const user = await accountOf(trx, live.userId);
    if (!user || user.status !== "active") return { ok: false, reason: "invalidToken" } as const;
    const iso = nowIso(now);
    const audit = { actorId: user.id, actorRole: user.role, targetType: "user", targetId: user.id, ip: p.ip ?? null };

    if (normaliseEmail(live.email) === normaliseEmail(user.email)) {
      if (user.email_confirmed_at === null) {
        await trx.updateTable("users").set({ email_confirmed_at: iso, updated_at: iso }).where("id", "=", user.id).execute();
        await recordAudit(trx, { ...audit, action: "user.email-confirm" }, now);
      }
      return { ok: true, userId: user.id, email: user.email, changedFrom: null } as const;
    }
    if (user.pending_email === null || normaliseEmail(live.email) !== normaliseEmail(user.pending_email)) {
      return { ok: false, reason: "invalidToken" } as const;
    }
    const taken = await trx
      .selectFrom("users")
      .select("id")
      .where("email_normalised", "=", normaliseEmail(user.pending_email))
      .where("id", "<>", user.id)
      .executeTakeFirst();
    if (taken) return { ok: false, reason: "emailTaken" } as const;
    await trx
      .updateTable("users")
      .set({
        email: user.pending_email,
        email_normalised: normaliseEmail(user.pending_email),
        pending_email: null,
        email_confirmed_at: iso,
        updated_at: iso,
      })
      .where("id", "=", user.id)
      .execute();
    await recordAudit(
      trx,
      { ...audit, action: "user.email-change", before: { email: user.email }, after: { email: user.pending_email } },
      now,
    );
    await queueAccountEmail(
      trx,
      { userId: user.id, to: user.email, lng: user.locale, kind: "emailChanged", name: user.display_name, email: user.pending_email },
      now,
    );
    return { ok: true, userId: user.id, email: user.pending_email, changedFrom: user.email } as const;
  });
}

/**
 * The profile's email change (issue 15, item 1): the new address is kept as
 * `pending_email` and takes effect only when its confirmation link is used
 * (confirmEmail); the old address keeps working meanwhile and is told now,
 * so a person whose session was taken over learns of it before the change.
 * Giving the current address again cancels a waiting change; giving the
 * waiting address again changes nothing (/me/confirm-email sends the link
 * again). An address another account uses is refused.
 */
export async function requestEmailChange(
  db: Executor,
  p: { userId: number; email: string; ip?: string | null; now?: Date },
): Promise<{ ok: true; change: "none" | "cancelled" | "requested"; to: string | null } | { ok: false; reason: "notFound" | "emailTaken" }> {
  const now = p.now ?? new Date();
  const wanted = p.email.trim();
  const normalised = normaliseEmail(wanted);
  return inTransaction(db, async (trx) => {
    const user = await accountOf(trx, p.userId);
    if (!user || user.status !== "active") return { ok: false, reason: "notFound" } as const;
    const iso = nowIso(now);
    if (normalised === normaliseEmail(user.email)) {
      if (user.pending_email === null) return { ok: true, change: "none", to: null } as const;
      await trx.updateTable("users").set({ pending_email: null, updated_at: iso }).where("id", "=", user.id).execute();
      // The link sent to the address no longer asked for stops working.
      await trx
        .updateTable("account_tokens")
        .set({ used_at: iso })
        .where("user_id", "=", user.id)
        .where("purpose", "=", "confirm-email")
        .where("email", "=", user.pending_email)
        .where("used_at", "is", null)
        .execute();
      return { ok: true, change: "cancelled", to: null } as const;
    }
    if (user.pending_email !== null && normaliseEmail(user.pending_email) === normalised) {
      return { ok: true, change: "none", to: user.pending_email } as const;
    }
    const taken = await trx.selectFrom("users").select("id").where("email_normalised", "=", normalised).executeTakeFirst();
    if (taken) return { ok: false, reason: "emailTaken" } as const;
    await trx.updateTable("users").set({ pending_email: wanted, updated_at: iso }).where("id", "=", user.id).execute();
    await recordAudit(
      trx,
      {
        actorId: user.id,
        actorRole: user.role,
        action: "user.email-change-request",
        targetType: "user",
        targetId: user.id,
        ip: p.ip ?? null,
        after: { email: wanted },
      },
      now,
    );
    await queueAccountEmail(
      trx,
      { userId: user.id, to: user.email, lng: user.locale, kind: "emailChangeRequested", name: user.display_name, email: wanted },
      now,
    );
    const sent = await sendEmailConfirmation(trx, { userId: user.id, now });
    return { ok: true, change: "requested", to: sent.ok ? sent.to : wanted } as const;
  });
}

export type SaveProfileResult =
  | { ok: true; email: "none" | "cancelled" | "requested" }
  | { ok: false; reason: "notFound" }
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  | { ok: false; reason: "emailTaken" }
  | { ok: false; reason: "rateLimited"; retryAfter: number };

/** Thrown inside saveProfile's transaction so that a refusal undoes what was written before it. */
class ProfileRefused extends Error {
  constructor(readonly result: Exclude<SaveProfileResult, { ok: true }>) {
    super(result.reason);
  }
}

/**
 * /me/profile saved as one: its fields (updateProfile) and, when `email` is
 * given, the address change (requestEmailChange) in ONE transaction, with
 * the 5-new-addresses-a-day limit (RULES.emailChange) counted only when a
 * change is really asked for. Any refusal — an address another account has,
 * the limit, an invalid organisation edit — rolls everything back, so a
 * refused form saves nothing.
 */
export async function saveProfile(
  db: Executor,
  p: { userId: number; input: ProfileInput; email?: string; ip?: string | null; now?: Date },
): Promise<SaveProfileResult> {
  try {
    return await inTransaction(db, async (trx): Promise<SaveProfileResult> => {
      const saved = await updateProfile(trx, { userId: p.userId, input: p.input, ip: p.ip, now: p.now });
      if (!saved.ok) throw new ProfileRefused(saved.reason === "notFound" ? { ok: false, reason: "notFound" } : saved);
      if (p.email === undefined) return { ok: true, email: "none" };
      const change = await requestEmailChange(trx, { userId: p.userId, email: p.email, ip: p.ip, now: p.now });
      if (!change.ok) throw new ProfileRefused({ ok: false, reason: change.reason });
      if (change.change === "requested") {
        const taken = await takeRateLimits(trx, [{ rule: RULES.emailChange, key: String(p.userId) }], (p.now ?? new Date()).getTime());
        if (taken.limited) throw new ProfileRefused({ ok: false, reason: "rateLimited", retryAfter: taken.retryAfter });
      }
      return { ok: true, email: change.change };
    });
  } catch (e) {
    if (e instanceof ProfileRefused) return e.result;
    throw e;
  }
}

/** An admin confirms someone's address (a person who cannot receive the email). */
export async function confirmEmailByAdmin(
  db: Executor,
  p: { userId: number; actor: { id: number | null; role: string }; ip?: string | null; now?: Date },
): Promise<{ ok: true; changed: boolean } | { ok: false; reason: "notFound" }> {
  const now = p.now ?? new Date();
  return inTransaction(db, async (trx) => {
    const user = await accountOf(trx, p.userId);
    if (!user) return { ok: false, reason: "notFound" } as const;
    if (user.email_confirmed_at !== null) return { ok: true, changed: false } as const;
    const iso = nowIso(now);
    await trx.updateTable("users").set({ email_confirmed_at: iso, updated_at: iso }).where("id", "=", user.id).execute();
    await trx
      .updateTable("account_tokens")
      .set({ used_at: iso })
      .where("user_id", "=", user.id)
      .where("purpose", "=", "confirm-email")
      .where("used_at", "is", null)
      .execute();
    await recordAudit(
      trx,
      {
        actorId: p.actor.id,
        actorRole: p.actor.role,
        action: "user.email-confirm",
        targetType: "user",
        targetId: user.id,
        ip: p.ip ?? null,
      },
      now,
    );
    return { ok: true, changed: true } as const;
  });
}

/**
 * The least time /forgot-password takes to answer, whether or not the address
 * has an account: the work for a known one (a link, an email, one
 * transaction: a few milliseconds, more on a busy database) then hides under
 * it, so a timer cannot tell who is registered.
 */
export const RESET_REQUEST_MIN_MS = 300;

/**
 * A reset link for the address, if it belongs to an active account. The
 * answer is the same whether or not it does (the page must not tell); the
 * caller spends the same rate-limit slots either way.
 */
export async function requestPasswordReset(db: Executor, p: { email: string; now?: Date }): Promise<void> {
  const now = p.now ?? new Date();
  await inTransaction(db, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "email", "display_name", "locale", "status"])
      .where("email_normalised", "=", normaliseEmail(p.email))
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    if (!user || user.status !== "active") return;
    const link = await passwordResetLink(trx, { userId: user.id, email: user.email, now });
    await queueAccountEmail(trx, { userId: user.id, to: user.email, lng: user.locale, kind: "reset", name: user.display_name, link }, now);
  });
}

/** A reset link for one account: for the email above, the CLI and the admin page. */
export async function passwordResetLink(db: Executor, p: { userId: number; email: string; now?: Date }): Promise<string> {
  const { token } = await issueToken(db, { userId: p.userId, purpose: "reset-password", email: p.email, now: p.now });
  return `${mailSettings().origin}/reset-password/${token}`;
}

/** Whether a reset link still works (the page shows the form or says it does not). */
export async function peekPasswordReset(db: Executor, p: { token: string; now?: Date }): Promise<boolean> {
  return (await peekToken(db, { token: p.token, purpose: "reset-password", now: p.now })) !== null;
}

/**
 * Set a new password with a reset link: the same rules as registration, the
 * link used up, every session of the person ended, and the person told by
 * email. A password the rules refuse leaves the link working.
 */
export async function resetPassword(
  db: Executor,
  p: { token: string; newPassword: string; ip?: string | null; now?: Date },
): Promise<
  | { ok: true; userId: number; endedSessions: number }
  | { ok: false; reason: "invalidToken" }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> }
> {
  const now = p.now ?? new Date();
  const live = await peekToken(db, { token: p.token, purpose: "reset-password", now });
  if (!live) return { ok: false, reason: "invalidToken" };
  const user = await accountOf(db, live.userId);
  if (!user || user.status !== "active") return { ok: false, reason: "invalidToken" };
  const problem = checkPassword(p.newPassword, [user.email.split("@")[0], user.display_name]);
  if (problem) return { ok: false, reason: "invalid", fieldErrors: { newPassword: [PASSWORD_ERROR_KEYS[problem]] } };
  // Hash outside the transaction: tens of milliseconds, no lock held.
  const passwordHash = await hashPassword(p.newPassword);
  return inTransaction(db, async (trx) => {
    const used = await consumeToken(trx, { token: p.token, purpose: "reset-password", now });
    if (!used || used.userId !== user.id) return { ok: false, reason: "invalidToken" } as const;
    const iso = nowIso(now);
    await trx.updateTable("users").set({ password_hash: passwordHash, updated_at: iso }).where("id", "=", user.id).execute();
    const endedSessions = await deleteUserSessions(trx, user.id);
    await recordAudit(
      trx,
      { actorId: user.id, actorRole: user.role, action: "user.password-reset", targetType: "user", targetId: user.id, ip: p.ip ?? null },
      now,
    );
    await queueAccountEmail(
      trx,
      { userId: user.id, to: user.email, lng: user.locale, kind: "passwordChanged", name: user.display_name },
      now,
    );
    return { ok: true, userId: user.id, endedSessions } as const;
  });
}
