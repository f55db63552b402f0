// Rate limits kept in the database, so they hold across several app instances.
// A sliding-window estimate over two fixed buckets (the Cloudflare approach):
// estimate = previous bucket × (share of it still inside the window) + current.
// One upsert per counted event (it reads the previous bucket too); a check is
// one indexed read.
import { sql } from "kysely";
import type { Executor } from "../../db/client";

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
  loginAccount: (limit: number): RateRule => ({ name: "login-account", limit, windowMs: 15 * 60_000 }),
  loginIp: (limit: number): RateRule => ({ name: "login-ip", limit, windowMs: 15 * 60_000 }),
  registerIp: (limit: number): RateRule => ({ name: "register-ip", limit, windowMs: 60 * 60_000 }),
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

/** Reads the state without counting an event. */
export async function peekRateLimit(db: Executor, rule: RateRule, key: string, now: number = Date.now()): Promise<RateState> {
  const { prev, curr } = await counts(db, rule, key, now);
  return estimate(rule, now, prev, curr);
}

/** Counts one event and returns the state including it. */
export async function hitRateLimit(db: Executor, rule: RateRule, key: string, now: number = Date.now()): Promise<RateState> {
  const { current, previous } = bucketsOf(rule, now);
  const fullKey = `${rule.name}:${key}`;
  const row = await db
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
    .returning(["count", (eb) => eb.selectFrom("rate_limits as p").select("p.count").where("p.key", "=", fullKey).where("p.bucket", "=", previous).as("prev")])
    .executeTakeFirstOrThrow();
  const prev = row.prev ?? 0;
  // The event just counted is allowed if the estimate before it was under the limit.
  const after = estimate(rule, now, prev, row.count);
  if (!estimate(rule, now, prev, row.count - 1).limited) return { limited: false, count: after.count, retryAfter: 0 };
  return after;
}

/** Deletes counters no window can read any more. Run periodically. */
export async function pruneRateLimits(db: Executor, now: Date = new Date()): Promise<number> {
  const r = await db.deleteFrom("rate_limits").where("expires_at", "<", now.toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
