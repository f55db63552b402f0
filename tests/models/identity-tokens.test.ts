// Links sent by email (ADR 0026): only a hash stored, single use even when two
// uses race, a lifetime per purpose measured on an injected clock, and a new
// link ending the earlier ones.
import { describe, expect, it } from "vitest";
import { consumeToken, hashToken, issueToken, peekToken, pruneTokens, TOKEN_LIFETIME_MS } from "~/models/account-token.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makeUser } from "../support/factories";

const t = useTestDb();

const T0 = new Date("2026-12-07T09:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe(`account tokens (${testDialect})`, () => {
  it("stores only the token's hash, and the link works once", async () => {
    const user = await makeUser(t.db);
    const { token, expiresAt } = await issueToken(t.db, { userId: user.id, purpose: "confirm-email", email: user.email, now: T0 });
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    expect(expiresAt).toBe(at(TOKEN_LIFETIME_MS["confirm-email"]).toISOString());
    const rows = await t.db.selectFrom("account_tokens").selectAll().where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);

    expect(await peekToken(t.db, { token, purpose: "confirm-email", now: at(1000) })).toEqual({
      userId: user.id,
      email: user.email,
      expiresAt,
    });
    expect(await consumeToken(t.db, { token, purpose: "confirm-email", now: at(2000) })).toMatchObject({
      userId: user.id,
      email: user.email,
    });
    expect(await consumeToken(t.db, { token, purpose: "confirm-email", now: at(3000) })).toBeNull();
    expect(await peekToken(t.db, { token, purpose: "confirm-email", now: at(3000) })).toBeNull();
  });

  it("a link is for its own purpose only", async () => {
    const user = await makeUser(t.db);
    const { token } = await issueToken(t.db, { userId: user.id, purpose: "confirm-email", email: user.email, now: T0 });
    expect(await consumeToken(t.db, { token, purpose: "reset-password", now: at(1) })).toBeNull();
    expect(await consumeToken(t.db, { token, purpose: "confirm-email", now: at(2) })).not.toBeNull();
  });

  it("a reset link lasts an hour and a confirmation link seven days, to the millisecond", async () => {
    const user = await makeUser(t.db);
    const hour = TOKEN_LIFETIME_MS["reset-password"];
    expect(hour).toBe(3_600_000);
    expect(TOKEN_LIFETIME_MS["confirm-email"]).toBe(7 * 86_400_000);
    const reset = await issueToken(t.db, { userId: user.id, purpose: "reset-password", email: user.email, now: T0 });
    expect(await peekToken(t.db, { token: reset.token, purpose: "reset-password", now: at(hour - 1) })).not.toBeNull();
    expect(await consumeToken(t.db, { token: reset.token, purpose: "reset-password", now: at(hour) })).toBeNull();
    const confirm = await issueToken(t.db, { userId: user.id, purpose: "confirm-email", email: user.email, now: T0 });
    expect(await consumeToken(t.db, { token: confirm.token, purpose: "confirm-email", now: at(7 * 86_400_000 + 1) })).toBeNull();
  });

  it("a new link of one purpose ends the earlier unused ones, and leaves the other purpose alone", async () => {
    const user = await makeUser(t.db);
    const first = await issueToken(t.db, { userId: user.id, purpose: "reset-password", email: user.email, now: T0 });
    const confirm = await issueToken(t.db, { userId: user.id, purpose: "confirm-email", email: user.email, now: T0 });
    const second = await issueToken(t.db, { userId: user.id, purpose: "reset-password", email: user.email, now: at(1000) });
    expect(await consumeToken(t.db, { token: first.token, purpose: "reset-password", now: at(2000) })).toBeNull();
    expect(await consumeToken(t.db, { token: second.token, purpose: "reset-password", now: at(2000) })).not.toBeNull();
    expect(await consumeToken(t.db, { token: confirm.token, purpose: "confirm-email", now: at(2000) })).not.toBeNull();
  });

  it("of twenty uses of one link at once, exactly one succeeds", async () => {
    const user = await makeUser(t.db);
    const { token } = await issueToken(t.db, { userId: user.id, purpose: "reset-password", email: user.email, now: T0 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => consumeToken(t.db, { token, purpose: "reset-password", now: at(1000) })),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it("refuses what is not a token without a query, and an unknown token", async () => {
    for (const bad of ["", "x", "A".repeat(32), "' or 1=1 --", "a".repeat(33)]) {
      expect(await peekToken(t.db, { token: bad, purpose: "confirm-email" })).toBeNull();
      expect(await consumeToken(t.db, { token: bad, purpose: "confirm-email" })).toBeNull();
    }
    expect(await consumeToken(t.db, { token: "a".repeat(32), purpose: "confirm-email" })).toBeNull();
  });

  it("prunes links past their time and those used more than a day ago", async () => {
    const user = await makeUser(t.db);
    const live = await issueToken(t.db, { userId: user.id, purpose: "confirm-email", email: user.email, now: T0 });
    await issueToken(t.db, { userId: user.id, purpose: "reset-password", email: user.email, now: T0 });
    const pruned = await pruneTokens(t.db, at(2 * 3_600_000));
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await peekToken(t.db, { token: live.token, purpose: "confirm-email", now: at(2 * 3_600_000) })).not.toBeNull();
    const left = await t.db.selectFrom("account_tokens").select("purpose").where("user_id", "=", user.id).execute();
    expect(left.map((r) => r.purpose)).toEqual(["confirm-email"]);
  });
});
