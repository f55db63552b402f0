// Rate limits kept in the database, so they hold across several app instances.
// A sliding-window estimate over two fixed buckets (the Cloudflare approach):
// estimate = previous bucket × (share of it still inside the window) + current.
// One upsert per counted event (it reads the previous bucket too); a check is
// one indexed read. Work that a limit guards takes its slot first
// (takeRateLimits: the upsert counts and answers in one statement) and gives it
// back when the attempt does not count (ADR 0019).
import { sql } from "kysely";
import type { Executor } from "../../db/client";
import { nowMs } from "./clock.server";
import { defineRefusals } from "./refusal";

/** A limited attempt: 429 with `Retry-After` (message `errors.rateLimited`). */
export const RATE_LIMIT_REFUSALS = defineRefusals({ rateLimited: 429 });

export interface RateRule {
  /** namespaces the key: "login-account", "register-ip", … */
  name: string;
  limit: number;
  windowMs: number;
}

export interface RateState {
  limited: boolean;
  /** estimated events in the sliding window */
  count: number;
  /** seconds until one more event would be allowed (0 when not limited) */
  retryAfter: number;
}

export const RULES = {
  /** failed sign-ins per account and client address (LOGIN_FAILURES_PER_ACCOUNT) */
  loginPair: (limit: number): RateRule => ({ name: "login-pair", limit, windowMs: 15 * 60_000 }),
  /** failed sign-ins per account from all addresses (LOGIN_FAILURES_PER_ACCOUNT_TOTAL) */
  loginAccount: (limit: number): RateRule => ({ name: "login-account", limit, windowMs: 15 * 60_000 }),
  loginIp: (limit: number): RateRule => ({ name: "login-ip", limit, windowMs: 15 * 60_000 }),
  registerIp: (limit: number): RateRule => ({ name: "register-ip", limit, windowMs: 60 * 60_000 }),
  /** wrong two-factor codes per account (/login/two-factor, turning it off on /me/two-factor), from any address */
  twoFactorAccount: { name: "two-factor-account", limit: 5, windowMs: 15 * 60_000 } as RateRule,
  /** reset links asked for one address, and from one client address */
  resetEmail: { name: "reset-email", limit: 3, windowMs: 60 * 60_000 } as RateRule,
  resetIp: { name: "reset-ip", limit: 20, windowMs: 60 * 60_000 } as RateRule,
  /** new addresses asked for in the profile, per account: each sends two emails */
  emailChange: { name: "email-change", limit: 5, windowMs: 24 * 60 * 60_000 } as RateRule,
  /** confirmation links sent again to one account (POST /me/confirm-email) */
  confirmEmail: { name: "confirm-email-user", limit: 3, windowMs: 60 * 60_000 } as RateRule,
  submissions: { name: "submit-user", limit: 10, windowMs: 60 * 60_000 } as RateRule,
  comments: { name: "comment-user", limit: 30, windowMs: 60 * 60_000 } as RateRule,
  supports: { name: "support-user", limit: 300, windowMs: 60 * 60_000 } as RateRule,
  reports: { name: "report-user", limit: 20, windowMs: 60 * 60_000 } as RateRule,
  /** searches the memo did not hold (similar titles, a cluster page's `q`), per account or address */
  searches: { name: "search-client", limit: 60, windowMs: 60_000 } as RateRule,
} as const;

function bucketsOf(rule: RateRule, now: number) {
  const current = Math.floor(now / rule.windowMs);
  const elapsed = (now - current * rule.windowMs) / rule.windowMs;
  return { current, previous: current - 1, elapsed };
}

function estimate(rule: RateRule, now: number, prevCount: number, currCount: number): RateState {
  const { current, elapsed } = bucketsOf(rule, now);
  const count = prevCount * (1 - elapsed) + currCount;
  if (count < rule.limit) return { limited: false, count, retryAfter: 0 };
  // When does the estimate drop below the limit if nothing else happens? In this
  // bucket the previous one's weight falls linearly; failing that, in the next
  // bucket this one's weight does.
  let waitMs: number;
  if (currCount < rule.limit && prevCount > 0) {
    const share = 1 - (rule.limit - currCount) / prevCount; // elapsed share needed
    waitMs = (share - elapsed) * rule.windowMs;
  } else {
    const share = currCount > 0 ? Math.max(0, 1 - rule.limit / currCount) : 0;
    waitMs = (current + 1 + share) * rule.windowMs - now;
  }
  // At exactly waitMs the estimate equals the limit, still refused: the first
  // allowed moment is strictly after it, hence floor + 1.
  return { limited: true, count, retryAfter: Math.max(1, Math.floor(waitMs / 1000) + 1) };
}

async function counts(db: Executor, rule: RateRule, key: string, now: number) {
  const { current, previous } = bucketsOf(rule, now);
  const rows = await db
    .selectFrom("rate_limits")
    .select(["bucket", "count"])
    .where("key", "=", `${rule.name}:${key}`)
    .where("bucket", "in", [previous, current])
    .execute();
  return {
    prev: rows.find((r) => r.bucket === previous)?.count ?? 0,
    curr: rows.find((r) => r.bucket === current)?.count ?? 0,
  };
}

/**
 * Reads the state without counting an event. Used only by the tests
 * (tests/models/rate-limit.test.ts reads the sliding estimate with it): kept
 * exported for them.
 */
export async function peekRateLimit(db: Executor, rule: RateRule, key: string, now: number = nowMs()): Promise<RateState> {
  const { prev, curr } = await counts(db, rule, key, now);
  return estimate(rule, now, prev, curr);
}

/**
 * The upsert that counts one event and reads the previous bucket in the same
 * statement, and how to read the row it returns: run alone (countOne), or as
 * a common table expression of a caller's larger statement on PostgreSQL (the
 * support button counts and takes the person's row lock in one round trip).
 */
export function rateLimitHit(db: Executor, rule: RateRule, key: string, now: number = nowMs()) {
  const { current, previous } = bucketsOf(rule, now);
  const fullKey = `${rule.name}:${key}`;
  const query = db
    .insertInto("rate_limits")
    .values({
      key: fullKey,
      bucket: current,
      count: 1,
      // kept for two windows: the sliding estimate still reads it as "previous"
      expires_at: new Date((current + 2) * rule.windowMs).toISOString(),
    })
    .onConflict((oc) => oc.columns(["key", "bucket"]).doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
    // the previous bucket read by the same statement: one round trip per counted event
    .returning([
      "count",
      (eb) => eb.selectFrom("rate_limits as p").select("p.count").where("p.key", "=", fullKey).where("p.bucket", "=", previous).as("prev"),
    ]);
  /** The state including the event just counted, the state before it (what a refused event that is given back leaves), and its bucket. */
  const read = (row: { count: number; prev: number | null }): { state: RateState; before: RateState; bucket: number } => {
    const prev = row.prev ?? 0;
    // The event just counted is allowed if the estimate before it was under the limit.
    const after = estimate(rule, now, prev, row.count);
    const before = estimate(rule, now, prev, row.count - 1);
    if (!before.limited) return { state: { limited: false, count: after.count, retryAfter: 0 }, before, bucket: current };
    return { state: after, before, bucket: current };
  };
  return { query, read };
}

/** Counts one event (one upsert that also reads the previous bucket): rateLimitHit run alone. */
async function countOne(
  db: Executor,
  rule: RateRule,
  key: string,
  now: number,
): Promise<{ state: RateState; before: RateState; bucket: number }> {
  const hit = rateLimitHit(db, rule, key, now);
  return hit.read(await hit.query.executeTakeFirstOrThrow());
}

/** Counts one event and returns the state including it. */
export async function hitRateLimit(db: Executor, rule: RateRule, key: string, now: number = nowMs()): Promise<RateState> {
  return (await countOne(db, rule, key, now)).state;
}

/** One slot taken by takeRateLimits: which counter, and the bucket it was counted in. */
export interface RateSlot {
  rule: RateRule;
  key: string;
  bucket: number;
}

export interface RateTake {
  limited: boolean;
  /** seconds until every refusing rule would allow one more (0 when not limited) */
  retryAfter: number;
  /** the first rule that refused, or null */
  rule: RateRule | null;
  /** the slots held by an allowed attempt, to give back with giveBackRateLimits (empty when refused) */
  slots: RateSlot[];
}

/**
 * Takes a slot under each rule BEFORE the work the rules guard (a password check,
 * a new suggestion). Each slot is one upsert that counts and returns the state, so
 * two requests at once can never both take the last slot: with a limit of N, at
 * most N attempts get through, however many arrive together (a read before the
 * work and a count after it let a burst through). When any rule refuses, every
 * slot just taken is given back, so a refused attempt counts for nothing and
 * hammering a locked key does not keep it locked. The caller gives the slots back
 * when the attempt turns out not to count (a right password, an invalid form).
 */
export async function takeRateLimits(
  db: Executor,
  entries: ReadonlyArray<{ rule: RateRule; key: string }>,
  now: number = nowMs(),
): Promise<RateTake> {
  const slots: RateSlot[] = [];
  let refusedBy: RateRule | null = null;
  let retryAfter = 0;
  for (const { rule, key } of entries) {
    const { state, before, bucket } = await countOne(db, rule, key, now);
    slots.push({ rule, key, bucket });
    if (state.limited) {
      refusedBy ??= rule;
      // A refused take is given back below: the wait is the one its absence leaves.
      retryAfter = Math.max(retryAfter, before.retryAfter);
    }
  }
  if (!refusedBy) return { limited: false, retryAfter: 0, rule: null, slots };
  await giveBackRateLimits(db, slots);
  return { limited: true, retryAfter, rule: refusedBy, slots: [] };
}

/** Gives taken slots back (each counter one lower, never below 0), in the bucket each was taken in. */
export async function giveBackRateLimits(db: Executor, slots: readonly RateSlot[]): Promise<void> {
  for (const slot of slots) {
    await db
      .updateTable("rate_limits")
      .set({ count: sql<number>`${sql.ref("count")} - 1` })
      .where("key", "=", `${slot.rule.name}:${slot.key}`)
      .where("bucket", "=", slot.bucket)
      .where("count", ">", 0)
      .execute();
  }
}

/** Deletes counters no window can read any more. Run periodically. */
export async function pruneRateLimits(db: Executor, now: Date = new Date()): Promise<number> {
  const r = await db.deleteFrom("rate_limits").where("expires_at", "<", now.toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
