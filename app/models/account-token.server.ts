// Links sent by email: confirm an address, reset a password (ADR 0026).
//
// A token is 160 random bits in lower-case base32; only its SHA-256 is stored,
// so a copy of the database does not give anyone a working link. A link is
// used by one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so
// two uses at once (a mail scanner and the person, two tabs) never both
// succeed. A new link of one purpose ends the person's earlier unused ones.
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import type { Executor } from "../../db/client";
import type { AccountTokensTable } from "../../db/schema";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";

export type TokenPurpose = AccountTokensTable["purpose"];

/**
 * How long a token lasts: a confirmation link a week, a reset link an hour, a
 * pending sign-in (password accepted, two-factor code not yet; kept in a
 * cookie, never emailed) ten minutes.
 */
export const TOKEN_LIFETIME_MS: Readonly<Record<TokenPurpose, number>> = {
  "confirm-email": 7 * 24 * 60 * 60 * 1000,
  "reset-password": 60 * 60 * 1000,
  "sign-in": 10 * 60 * 1000,
};

/** A link that does not work answers 410 whatever the reason (unknown, used, expired): it tells a guesser nothing. */
export const TOKEN_REFUSALS = defineRefusals({ invalidToken: 410 });

/** The shape of a token in a URL; anything else is not looked up. */
const TOKEN_PATTERN = /^[a-z2-7]{32}$/;

export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

function newToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/**
 * A new link for `userId`: returns the token (put it in the email, never store
 * it). Earlier unused links of the same purpose stop working.
 */
export async function issueToken(
  db: Executor,
  p: { userId: number; purpose: TokenPurpose; email: string; now?: Date },
): Promise<{ token: string; expiresAt: string }> {
  const now = p.now ?? new Date();
  const token = newToken();
  const expiresAt = nowIso(new Date(now.getTime() + TOKEN_LIFETIME_MS[p.purpose]));
  await db
    .updateTable("account_tokens")
    .set({ used_at: nowIso(now) })
    .where("user_id", "=", p.userId)
    .where("purpose", "=", p.purpose)
    .where("used_at", "is", null)
    .execute();
  await db
    .insertInto("account_tokens")
    .values({
      user_id: p.userId,
      purpose: p.purpose,
      token_hash: hashToken(token),
      email: p.email,
      created_at: nowIso(now),
      expires_at: expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

export interface LiveToken {
  userId: number;
  email: string;
  expiresAt: string;
}

/** The link's owner and address while it still works (the GET page: nothing is used up). */
export async function peekToken(db: Executor, p: { token: string; purpose: TokenPurpose; now?: Date }): Promise<LiveToken | null> {
  if (!TOKEN_PATTERN.test(p.token)) return null;
  const row = await db
    .selectFrom("account_tokens")
    .select(["user_id", "email", "expires_at"])
    .where("token_hash", "=", hashToken(p.token))
    .where("purpose", "=", p.purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", nowIso(p.now))
    .executeTakeFirst();
  return row ? { userId: row.user_id, email: row.email, expiresAt: row.expires_at } : null;
}

/**
 * Use the link up: its owner and address, or null when it does not exist, has
 * expired or was used. Of two concurrent uses exactly one gets the owner.
 */
export async function consumeToken(db: Executor, p: { token: string; purpose: TokenPurpose; now?: Date }): Promise<LiveToken | null> {
  if (!TOKEN_PATTERN.test(p.token)) return null;
  const now = nowIso(p.now);
  const row = await db
    .updateTable("account_tokens")
    .set({ used_at: now })
    .where("token_hash", "=", hashToken(p.token))
    .where("purpose", "=", p.purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning(["user_id", "email", "expires_at"])
    .executeTakeFirst();
  return row ? { userId: row.user_id, email: row.email, expiresAt: row.expires_at } : null;
}

/** Links past their time or used more than a day ago are of no use to anyone: delete them. */
export async function pruneTokens(db: Executor, now: Date = new Date()): Promise<number> {
  const dayAgo = nowIso(new Date(now.getTime() - 24 * 60 * 60 * 1000));
  const r = await db
    .deleteFrom("account_tokens")
    .where((eb) => eb.or([eb("expires_at", "<=", nowIso(now)), eb("used_at", "<=", dayAgo)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
