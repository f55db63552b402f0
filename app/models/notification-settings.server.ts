// Notification settings (issue 16, item 3; ADR 0028): how a person hears of
// their notifications by email. One choice, `email` = off | instant | daily |
// weekly (users.email_frequency); never chosen (NULL), the default rule
// applies: at once for decisions on what the person wrote, in a weekly digest
// for everything else. The rule is decided here, once (`emailDeliveryOf`):
// notify() asks `emailDeliveryFor` what to do with each notification, and the
// batched fan-out notifyMany() applies the same rule to values read in bulk.
//
// Every notification or digest email carries a signed one-click unsubscribe
// link (HMAC-SHA256 with the installation's key in app_secrets, no sign-in
// needed); using it sets the choice to `off`. Account and security emails
// (confirmation, reset, two-factor, email change, membership decisions) do
// not go through notify() and are not subject to any of this.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Executor } from "../../db/client";
import type { EmailFrequency } from "../../db/schema";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import type { NotificationKind } from "./notification.server";

export const EMAIL_FREQUENCIES = ["off", "instant", "daily", "weekly"] as const satisfies readonly EmailFrequency[];
export type { EmailFrequency };

/** How a notification reaches a person by email: at once, in a digest, or not at all (in-app only). */
export type EmailDelivery = EmailFrequency;

/** Kinds that are, by themselves, a decision on the recipient's own suggestion (they go to its author only). */
// A translation of one's suggestion counts too: the author is the one who can tell a wrong one (issue 18).
const OWN_DECISION_KINDS = new Set<NotificationKind>(["published", "rejected", "merged", "recommended", "hidden", "translated"]);

/**
 * Whether a notification is a decision on something the recipient wrote: the
 * author's kinds always; a response when the recipient wrote one of the
 * recommendation's sources (`wroteASource`); everything else (follows,
 * comments, progress, a response to what one only supported) is not.
 */
export function isOwnDecision(kind: NotificationKind, wroteASource = false): boolean {
  if (OWN_DECISION_KINDS.has(kind)) return true;
  return kind === "responded" && wroteASource;
}

/**
 * The rule: a choice the person made applies to everything; never chosen,
 * their own decisions come at once and the rest weekly.
 */
export function emailDeliveryDecision(chosen: EmailFrequency | null | undefined, ownDecision: boolean): EmailDelivery {
  if (chosen && (EMAIL_FREQUENCIES as readonly string[]).includes(chosen)) return chosen;
  return ownDecision ? "instant" : "weekly";
}

/**
 * The delivery of one notification to one person from what is stored: their
 * choice (null: never chosen) and, for a response, whether they wrote one of
 * the recommendation's sources. Pure: notify() (one person, emailDeliveryFor)
 * and notifyMany() (a fan-out, values read in bulk) both decide with it.
 */
export function emailDeliveryOf(kind: NotificationKind, chosen: EmailFrequency | null | undefined, wroteASource: boolean): EmailDelivery {
  if (chosen) return emailDeliveryDecision(chosen, false);
  return emailDeliveryDecision(null, isOwnDecision(kind, wroteASource));
}

/** Whether the "wrote a source" fact matters for this notification (a response to a recommendation); else it is not looked up. */
export function needsSourceAuthorship(kind: NotificationKind, recommendationId: number | null | undefined): boolean {
  return kind === "responded" && !!recommendationId;
}

/** The delivery of one notification to one person, as notify() needs it. */
export async function emailDeliveryFor(
  db: Executor,
  n: { userId: number; kind: NotificationKind; recommendationId?: number | null },
): Promise<EmailDelivery> {
  const user = await db.selectFrom("users").select("email_frequency").where("id", "=", n.userId).executeTakeFirst();
  const chosen = user?.email_frequency ?? null;
  if (chosen) return emailDeliveryOf(n.kind, chosen, false);
  let wrote = false;
  if (needsSourceAuthorship(n.kind, n.recommendationId) && n.recommendationId) {
    const source = await db
      .selectFrom("recommendation_submissions as rs")
      .innerJoin("submissions as s", "s.id", "rs.submission_id")
      .select("s.id")
      .where("rs.recommendation_id", "=", n.recommendationId)
      .where("s.author_id", "=", n.userId)
      .limit(1)
      .executeTakeFirst();
    wrote = source !== undefined;
  }
  return emailDeliveryOf(n.kind, null, wrote);
}

/**
 * For a fan-out: of these recommendations, the authors of their sources
 * (recommendation id → author ids), one query per 500 recommendations.
 */
export async function sourceAuthorsOf(db: Executor, recommendationIds: number[]): Promise<Map<number, Set<number>>> {
  const out = new Map<number, Set<number>>();
  const ids = [...new Set(recommendationIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom("recommendation_submissions as rs")
      .innerJoin("submissions as s", "s.id", "rs.submission_id")
      .select(["rs.recommendation_id", "s.author_id"])
      .where("rs.recommendation_id", "in", ids.slice(i, i + 500))
      .where("s.author_id", "is not", null)
      .distinct()
      .execute();
    for (const r of rows) {
      if (r.author_id === null) continue;
      const set = out.get(r.recommendation_id) ?? new Set<number>();
      set.add(r.author_id);
      out.set(r.recommendation_id, set);
    }
  }
  return out;
}

/** What the settings page shows: the choice (null: never chosen, the default rule applies). */
export async function getNotificationSettings(db: Executor, userId: number): Promise<{ email: EmailFrequency | null }> {
  const user = await db.selectFrom("users").select("email_frequency").where("id", "=", userId).executeTakeFirst();
  return { email: user?.email_frequency ?? null };
}

/** Sets the person's choice. Only the four values of the Contract reach here (the route's schema). */
export async function setEmailFrequency(db: Executor, userId: number, email: EmailFrequency, now: Date = new Date()): Promise<void> {
  await db
    .updateTable("users")
    .set({ email_frequency: email, updated_at: nowIso(now) })
    .where("id", "=", userId)
    .execute();
}

// ───────────────────────────── one-click unsubscribe ─────────────────────────────

/** An unsubscribe link that does not verify (forged, altered, or the account is gone): gone, as every emailed link that does not work. */
export const UNSUBSCRIBE_REFUSALS = defineRefusals({ invalidToken: 410 });

const TOKEN_PATTERN = /^([1-9]\d{0,9})\.([A-Za-z0-9_-]{43})$/;

/** The installation's unsubscribe key (read once per fan-out by notifyMany). */
export async function unsubscribeKey(db: Executor): Promise<string> {
  const row = await db.selectFrom("app_secrets").select("value").where("name", "=", "unsubscribe").executeTakeFirst();
  if (!row) throw new Error("app_secrets has no unsubscribe key: run the migrations");
  return row.value;
}

function sign(key: string, userId: number): string {
  return createHmac("sha256", key).update(`unsubscribe:v1:${userId}`).digest("base64url");
}

/** The token of a person's unsubscribe link: their id and an HMAC of it. It does not expire (an old email's link keeps working). */
export async function unsubscribeToken(db: Executor, userId: number): Promise<string> {
  return unsubscribeTokenWith(await unsubscribeKey(db), userId);
}

/** The same token with the key already read (a fan-out signs thousands with one key). */
export function unsubscribeTokenWith(key: string, userId: number): string {
  return `${userId}.${sign(key, userId)}`;
}

/** The person a token names, if its signature is right and the account is active; else null. */
export async function verifyUnsubscribeToken(
  db: Executor,
  token: string,
): Promise<{ userId: number; email: EmailFrequency | null } | null> {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) return null;
  const userId = Number(m[1]);
  if (!Number.isSafeInteger(userId) || userId > 2_147_483_647) return null;
  const expected = Buffer.from(sign(await unsubscribeKey(db), userId));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const user = await db.selectFrom("users").select(["status", "email_frequency"]).where("id", "=", userId).executeTakeFirst();
  if (!user || user.status !== "active") return null;
  return { userId, email: user.email_frequency ?? null };
}

export type UnsubscribeResult = { ok: true; userId: number } | { ok: false; reason: "invalidToken" };

/** One-click unsubscribe: a valid token sets the person's email choice to `off`; anything else changes nothing. */
export async function unsubscribe(db: Executor, token: string, now: Date = new Date()): Promise<UnsubscribeResult> {
  const who = await verifyUnsubscribeToken(db, token);
  if (!who) return { ok: false, reason: "invalidToken" };
  if (who.email !== "off") await setEmailFrequency(db, who.userId, "off", now);
  return { ok: true, userId: who.userId };
}
