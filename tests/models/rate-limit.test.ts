// Rate limits kept in the database: a sliding-window estimate over two
// fixed buckets, shared by every app instance that uses the same database.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../../db/client";
import {
  RULES,
  giveBackRateLimits,
  hitRateLimit,
  peekRateLimit,
  pruneRateLimits,
  takeRateLimits,
  type RateRule,
} from "~/lib/rate-limit.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";

const W = 60_000;

const t = useTestDb({ seed: false });

function rule(limit: number, windowMs = W): RateRule {
  return { name: `test-${randomBytes(4).toString("hex")}`, limit, windowMs };
}

/** The start of the current window: tests place events relative to it. */
function bucketStart(windowMs = W, at = Date.now()): number {
  return Math.floor(at / windowMs) * windowMs;
}

async function storedCount(r: RateRule, key: string): Promise<number> {
  const rows = await t.db.selectFrom("rate_limits").select("count").where("key", "=", `${r.name}:${key}`).execute();
  return rows.reduce((n, row) => n + Number(row.count), 0);
}

describe(`rate limits (${testDialect})`, () => {
  it("allows up to the limit, then limits with a Retry-After of at least one second", async () => {
    const r = rule(5);
    const now = bucketStart() + 1_000;
    for (let i = 1; i <= 5; i++) {
      const s = await hitRateLimit(t.db, r, "1.2.3.4", now);
      expect(s.limited).toBe(false);
      expect(s.count).toBe(i);
    }
    const sixth = await hitRateLimit(t.db, r, "1.2.3.4", now);
    expect(sixth.limited).toBe(true);
    expect(sixth.retryAfter).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(sixth.retryAfter)).toBe(true);
    const seventh = await hitRateLimit(t.db, r, "1.2.3.4", now + 500);
    expect(seventh.limited).toBe(true);
    expect(seventh.retryAfter).toBeGreaterThanOrEqual(1);
    // every event is counted, limited or not
    expect(await storedCount(r, "1.2.3.4")).toBe(7);
    expect(await peekRateLimit(t.db, r, "1.2.3.4", now + 500)).toMatchObject({ limited: true, count: 7 });
  });

  it("a limit of one allows exactly one event", async () => {
    const r = rule(1);
    const now = bucketStart() + 10;
    expect((await hitRateLimit(t.db, r, "k", now)).limited).toBe(false);
    expect((await hitRateLimit(t.db, r, "k", now)).limited).toBe(true);
  });

  it("reports no wait while under the limit", async () => {
    const r = rule(3);
    const now = bucketStart() + 1_000;
    expect(await peekRateLimit(t.db, r, "k", now)).toEqual({ limited: false, count: 0, retryAfter: 0 });
    expect(await hitRateLimit(t.db, r, "k", now)).toEqual({ limited: false, count: 1, retryAfter: 0 });
    expect(await hitRateLimit(t.db, r, "k", now)).toEqual({ limited: false, count: 2, retryAfter: 0 });
  });

  it("peek does not count", async () => {
    const r = rule(2);
    const now = bucketStart() + 1_000;
    for (let i = 0; i < 10; i++) {
      expect(await peekRateLimit(t.db, r, "peeker", now)).toEqual({ limited: false, count: 0, retryAfter: 0 });
    }
    expect(await storedCount(r, "peeker")).toBe(0);
    await hitRateLimit(t.db, r, "peeker", now);
    expect((await peekRateLimit(t.db, r, "peeker", now)).count).toBe(1);
    expect((await peekRateLimit(t.db, r, "peeker", now)).count).toBe(1);
    expect(await storedCount(r, "peeker")).toBe(1);
    await hitRateLimit(t.db, r, "peeker", now);
    expect((await peekRateLimit(t.db, r, "peeker", now)).limited).toBe(true);
  });

  it("keys are independent, and rules namespace their keys", async () => {
    const r = rule(2);
    const other = rule(2);
    const now = bucketStart() + 1_000;
    for (let i = 0; i < 3; i++) await hitRateLimit(t.db, r, "alice@example.pk", now);
    expect((await peekRateLimit(t.db, r, "alice@example.pk", now)).limited).toBe(true);
    expect(await peekRateLimit(t.db, r, "bob@example.pk", now)).toEqual({ limited: false, count: 0, retryAfter: 0 });
    expect((await hitRateLimit(t.db, r, "bob@example.pk", now)).limited).toBe(false);
    // the same key under another rule is a different counter
    expect(await peekRateLimit(t.db, other, "alice@example.pk", now)).toEqual({ limited: false, count: 0, retryAfter: 0 });
    expect((await hitRateLimit(t.db, other, "alice@example.pk", now)).limited).toBe(false);
  });

  it("the previous window weighs less as the window slides", async () => {
    const r = rule(8);
    const b = bucketStart() - W; // the previous bucket
    for (let i = 0; i < 10; i++) await hitRateLimit(t.db, r, "slide", b + 1_000);
    const cur = b + W; // start of the next bucket
    expect((await peekRateLimit(t.db, r, "slide", b + 30_000)).count).toBe(10);
    expect((await peekRateLimit(t.db, r, "slide", cur)).count).toBeCloseTo(10, 6);
    expect((await peekRateLimit(t.db, r, "slide", cur + 0.25 * W)).count).toBeCloseTo(7.5, 6);
    expect((await peekRateLimit(t.db, r, "slide", cur + 0.5 * W)).count).toBeCloseTo(5, 6);
    expect((await peekRateLimit(t.db, r, "slide", cur + 0.9 * W)).count).toBeCloseTo(1, 6);
    // two windows later nothing of it is left
    expect((await peekRateLimit(t.db, r, "slide", cur + W)).count).toBe(0);

    // limited while the weighted estimate is at or over 8, allowed once under
    expect((await peekRateLimit(t.db, r, "slide", cur + 0.1 * W)).limited).toBe(true); // 9
    expect((await peekRateLimit(t.db, r, "slide", cur + 0.3 * W)).limited).toBe(false); // 7
    const hit = await hitRateLimit(t.db, r, "slide", cur + 0.5 * W); // 5 + 1
    expect(hit.limited).toBe(false);
    expect(hit.count).toBeCloseTo(6, 6);
    // the new event now counts in full, the old ones in part
    expect((await peekRateLimit(t.db, r, "slide", cur + 0.75 * W)).count).toBeCloseTo(2.5 + 1, 6);
  });

  it("computes Retry-After from the sliding estimate", async () => {
    const r = rule(8);
    const b = bucketStart() - W;
    for (let i = 0; i < 10; i++) await hitRateLimit(t.db, r, "retry", b + 1_000);
    const now = b + W + 0.1 * W; // estimate 9: under 8 once more than 20% of the window has passed
    const s = await peekRateLimit(t.db, r, "retry", now);
    expect(s.limited).toBe(true);
    // 6 s of the window must pass (6 or 7 depending on how the boundary is rounded)
    expect(s.retryAfter).toBeGreaterThanOrEqual(6);
    expect(s.retryAfter).toBeLessThanOrEqual(7);
    expect((await peekRateLimit(t.db, r, "retry", now + 5_000)).limited).toBe(true);
    expect((await peekRateLimit(t.db, r, "retry", now + 6_001)).limited).toBe(false);
  });

  it("Retry-After is tight: still limited a second earlier, allowed just after", async () => {
    const scenarios: Array<{ limit: number; prev: number; curr: number; at: number }> = [
      { limit: 5, prev: 0, curr: 5, at: 0.2 },
      { limit: 5, prev: 0, curr: 9, at: 0.7 },
      { limit: 5, prev: 7, curr: 2, at: 0.1 },
      { limit: 5, prev: 20, curr: 0, at: 0.05 },
      { limit: 5, prev: 3, curr: 6, at: 0.5 },
      { limit: 3, prev: 4, curr: 3, at: 0.33 },
    ];
    for (const sc of scenarios) {
      const r = rule(sc.limit);
      const b = bucketStart() - W;
      for (let i = 0; i < sc.prev; i++) await hitRateLimit(t.db, r, "k", b + 10);
      for (let i = 0; i < sc.curr; i++) await hitRateLimit(t.db, r, "k", b + W + 10);
      const now = b + W + Math.round(sc.at * W);
      const s = await peekRateLimit(t.db, r, "k", now);
      expect(s.limited, JSON.stringify(sc)).toBe(true);
      expect(s.retryAfter, JSON.stringify(sc)).toBeGreaterThanOrEqual(1);
      if (s.retryAfter > 1) {
        expect((await peekRateLimit(t.db, r, "k", now + (s.retryAfter - 1) * 1000)).limited, JSON.stringify(sc)).toBe(true);
      }
      expect((await peekRateLimit(t.db, r, "k", now + s.retryAfter * 1000 + 1)).limited, JSON.stringify(sc)).toBe(false);
    }
  });

  // Retry-After means "one more event is allowed after this many seconds". When
  // the wait is a whole number of seconds the estimate then equals the limit
  // exactly, and `count < limit` still refuses: the client is told to come back
  // when it will still get a 429. rate-limit.server.ts estimate(): see the report.
  it("one more event is allowed exactly Retry-After seconds later", async () => {
    const r = rule(3);
    const now = bucketStart() + 1_000;
    for (let i = 0; i < 4; i++) await hitRateLimit(t.db, r, "boundary", now);
    const s = await peekRateLimit(t.db, r, "boundary", now);
    expect(s.limited).toBe(true);
    const later = now + s.retryAfter * 1000;
    expect((await peekRateLimit(t.db, r, "boundary", later)).limited).toBe(false);
    expect((await hitRateLimit(t.db, r, "boundary", later)).limited).toBe(false);
  });

  it("pruneRateLimits removes only counters no window can read any more", async () => {
    const r = rule(5);
    // far in the past, so that no other test's counters expire with these
    const b = bucketStart(W, Date.parse("2001-03-04T05:06:00.000Z"));
    await hitRateLimit(t.db, r, "old", b + 10);
    await hitRateLimit(t.db, r, "old", b + W + 10);
    await hitRateLimit(t.db, r, "old", b + W + 20);
    const rows = await t.db
      .selectFrom("rate_limits")
      .select(["bucket", "expires_at"])
      .where("key", "=", `${r.name}:old`)
      .orderBy("bucket")
      .execute();
    expect(rows).toHaveLength(2);
    // kept while the next window still reads the bucket as "previous"
    expect(rows[0]!.expires_at).toBe(new Date(b + 2 * W).toISOString());

    expect(await pruneRateLimits(t.db, new Date(b + 2 * W - 1))).toBe(0);
    expect((await peekRateLimit(t.db, r, "old", b + 2 * W - 1)).count).toBeGreaterThan(2);
    expect(await pruneRateLimits(t.db, new Date(b + 2 * W + 1))).toBe(1);
    expect(await storedCount(r, "old")).toBe(2);
    expect(await pruneRateLimits(t.db, new Date(b + 3 * W + 1))).toBe(1);
    expect(await storedCount(r, "old")).toBe(0);
    // live counters of the present survive a prune at the present
    const live = rule(5);
    await hitRateLimit(t.db, live, "now");
    await pruneRateLimits(t.db);
    expect(await storedCount(live, "now")).toBe(1);
  });

  it("20 simultaneous hits count exactly 20, and exactly `limit` of them are allowed", async () => {
    const r = rule(10);
    const now = bucketStart() + 1_000;
    const states = await Promise.all(Array.from({ length: 20 }, () => hitRateLimit(t.db, r, "burst", now)));
    expect(await storedCount(r, "burst")).toBe(20);
    expect(states.map((s) => s.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(states.filter((s) => !s.limited)).toHaveLength(10);
  });

  it("two app instances on one database share the counters", async () => {
    const second: DbHandle = createDb(t.url, { poolSize: 4 });
    try {
      const r = rule(10);
      const now = bucketStart() + 1_000;
      const states = await Promise.all(
        Array.from({ length: 20 }, (_, i) => hitRateLimit(i % 2 === 0 ? t.db : second.db, r, "shared", now)),
      );
      expect(await storedCount(r, "shared")).toBe(20);
      expect(states.filter((s) => !s.limited)).toHaveLength(10);
      expect((await peekRateLimit(second.db, r, "shared", now)).count).toBe(20);
    } finally {
      await second.close();
    }
  });

  it("the sign-in and registration rules have the documented windows", () => {
    expect(RULES.loginAccount(10)).toEqual({ name: "login-account", limit: 10, windowMs: 15 * 60_000 });
    expect(RULES.loginIp(50)).toEqual({ name: "login-ip", limit: 50, windowMs: 15 * 60_000 });
    expect(RULES.registerIp(20)).toEqual({ name: "register-ip", limit: 20, windowMs: 60 * 60_000 });
  });

  it("takeRateLimits: of 20 takes at once with a limit of 4, exactly 4 get a slot; refused ones count for nothing", async () => {
    const r = rule(4);
    const now = bucketStart() + 1_000;
    const takes = await Promise.all(Array.from({ length: 20 }, () => takeRateLimits(t.db, [{ rule: r, key: "k" }], now)));
    expect(takes.filter((x) => !x.limited)).toHaveLength(4);
    for (const x of takes.filter((y) => y.limited)) {
      expect(x.rule?.name).toBe(r.name);
      expect(x.slots).toEqual([]);
      expect(x.retryAfter).toBeGreaterThanOrEqual(1);
    }
    expect(await storedCount(r, "k")).toBe(4);
  });

  it("takeRateLimits over several rules: a refusal by one gives back the slots taken under the others; giveBackRateLimits frees a slot", async () => {
    const wide = rule(10);
    const narrow = rule(1);
    const now = bucketStart() + 1_000;
    const first = await takeRateLimits(
      t.db,
      [
        { rule: wide, key: "a" },
        { rule: narrow, key: "b" },
      ],
      now,
    );
    expect(first.limited).toBe(false);
    expect(first.slots).toHaveLength(2);
    const second = await takeRateLimits(
      t.db,
      [
        { rule: wide, key: "a" },
        { rule: narrow, key: "b" },
      ],
      now,
    );
    expect(second).toMatchObject({ limited: true, slots: [] });
    expect(second.rule?.name).toBe(narrow.name);
    expect([await storedCount(wide, "a"), await storedCount(narrow, "b")]).toEqual([1, 1]);
    // The first attempt did not count after all (a right password): its slots come back.
    await giveBackRateLimits(t.db, first.slots);
    expect([await storedCount(wide, "a"), await storedCount(narrow, "b")]).toEqual([0, 0]);
    expect((await takeRateLimits(t.db, [{ rule: narrow, key: "b" }], now)).limited).toBe(false);
    // Never below zero.
    await giveBackRateLimits(t.db, [...first.slots, ...first.slots]);
    expect(await storedCount(wide, "a")).toBe(0);
  });

  it("takeRateLimits: a refused take's Retry-After is for the counts without it (the slot is given back), and one take is allowed then", async () => {
    // Ten slots taken one second into a window: the eleventh is refused until the
    // window ends. Counting the refused (given back) take made it wait a
    // further 1/11 of a window: Retry-After past the window itself.
    const r = rule(10, 3_600_000);
    const start = bucketStart(3_600_000) + 1_000;
    for (let i = 0; i < 10; i++) expect((await takeRateLimits(t.db, [{ rule: r, key: "k" }], start)).limited).toBe(false);
    const refused = await takeRateLimits(t.db, [{ rule: r, key: "k" }], start);
    expect(refused.limited).toBe(true);
    expect(refused.retryAfter).toBe(3_600 - 1 + 1);
    expect(await storedCount(r, "k")).toBe(10);
    expect((await takeRateLimits(t.db, [{ rule: r, key: "k" }], start + (refused.retryAfter - 1) * 1000)).limited).toBe(true);
    expect((await takeRateLimits(t.db, [{ rule: r, key: "k" }], start + refused.retryAfter * 1000)).limited).toBe(false);
  });
});
