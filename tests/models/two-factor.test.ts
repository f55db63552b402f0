// Two-factor sign-in (ADR 0026): enrolment in two steps, codes accepted once,
// recovery codes single use and stored hashed, and the operator's reset.
import { describe, expect, it } from "vitest";
import { matchTotp, totpCode, totpStep, totpUri, qrSvg, TOTP_PERIOD_SECONDS } from "~/lib/totp.server";
import {
  afterPassword,
  confirmEnrolment,
  disableTwoFactor,
  getTwoFactorState,
  mustEnrolTwoFactor,
  normaliseRecoveryCode,
  regenerateRecoveryCodes,
  resetTwoFactor,
  startEnrolment,
  twoFactorRequired,
  verifySecondFactor,
} from "~/models/two-factor.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makeUser } from "../support/factories";

const t = useTestDb();

const T0 = new Date("2026-12-07T09:00:05Z");
const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const at = (ms: number) => new Date(T0.getTime() + ms);
const codeAt = (secret: string, when: Date) => totpCode(secret, totpStep(when.getTime()));

async function enrolled(role: "moderator" | "admin" = "moderator") {
  const user = await makeUser(t.db, { role });
  const started = await startEnrolment(t.db, { userId: user.id });
  if (!started.ok) throw new Error(started.reason);
  const done = await confirmEnrolment(t.db, { userId: user.id, code: codeAt(started.secret, T0), now: T0 });
  if (!done.ok) throw new Error(done.reason);
  return { user, secret: started.secret, recoveryCodes: done.recoveryCodes };
}

describe("TOTP (RFC 6238)", () => {
  it("matches the RFC's SHA-1 test vector at 59 s (8 digits there, the last 6 here)", () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082.
    const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    expect(totpCode(secret, totpStep(59_000))).toBe("287082");
    expect(matchTotp(secret, "287 082", 59_000)).toBe(1);
  });

  it("accepts one step either side of now and no further", () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const now = T0.getTime();
    const step = totpStep(now);
    expect(matchTotp(secret, totpCode(secret, step - 1), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, step + 1), now)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, step - 2), now)).toBeNull();
    expect(matchTotp(secret, "12345", now)).toBeNull();
    expect(matchTotp(secret, "abcdef", now)).toBeNull();
  });

  it("gives an otpauth:// address and its QR code as SVG without script", async () => {
    const uri = totpUri("Mashwara", "amina@example.pk", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    expect(uri).toMatch(/^otpauth:\/\/totp\/Mashwara:amina%40example\.pk\?/);
    expect(uri).toContain("secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    const svg = await qrSvg(uri);
    expect(svg).toMatch(/^<svg /);
    expect(svg).not.toMatch(/<script|href=/i);
  });
});

describe(`two-factor enrolment and sign-in (${testDialect})`, () => {
  it("is off until a code from the new secret confirms it", async () => {
    const user = await makeUser(t.db, { role: "organiser" });
    expect(await getTwoFactorState(t.db, user.id)).toMatchObject({ enabled: false, pending: false });
    const started = await startEnrolment(t.db, { userId: user.id });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect(await getTwoFactorState(t.db, user.id)).toMatchObject({ enabled: false, pending: true });
    expect(await verifySecondFactor(t.db, { userId: user.id, code: codeAt(started.secret, T0), now: T0 })).toEqual({
      ok: false,
      reason: "notEnabled",
    });
    expect(await confirmEnrolment(t.db, { userId: user.id, code: "000000", now: T0 })).toMatchObject({ ok: false });
    const done = await confirmEnrolment(t.db, { userId: user.id, code: codeAt(started.secret, T0), now: T0 });
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    expect(done.recoveryCodes).toHaveLength(10);
    expect(new Set(done.recoveryCodes).size).toBe(10);
    for (const c of done.recoveryCodes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(await getTwoFactorState(t.db, user.id)).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    const audit = await t.db.selectFrom("audit_log").select("action").where("target_id", "=", String(user.id)).execute();
    expect(audit.map((a) => a.action)).toContain("user.two-factor-enable");
    expect(await startEnrolment(t.db, { userId: user.id })).toEqual({ ok: false, reason: "alreadyEnabled" });
  });

  it("stores recovery codes only as hashes", async () => {
    const { user, recoveryCodes } = await enrolled();
    const rows = await t.db.selectFrom("two_factor_recovery_codes").select("code_hash").where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(10);
    const dump = JSON.stringify(rows);
    for (const c of recoveryCodes) {
      expect(dump).not.toContain(c);
      expect(dump).not.toContain(normaliseRecoveryCode(c));
    }
  });

  it("accepts a code once: the same code again, even in the next second, is refused", async () => {
    const { user, secret } = await enrolled();
    const later = at(5 * STEP_MS);
    const code = codeAt(secret, later);
    expect(await verifySecondFactor(t.db, { userId: user.id, code, now: later })).toEqual({ ok: true, via: "totp" });
    expect(await verifySecondFactor(t.db, { userId: user.id, code, now: at(5 * STEP_MS + 1000) })).toEqual({
      ok: false,
      reason: "codeUsed",
    });
    // the enrolment code's step is used too
    expect(await verifySecondFactor(t.db, { userId: user.id, code: codeAt(secret, T0), now: at(STEP_MS / 2) })).toMatchObject({
      ok: false,
    });
    expect(await verifySecondFactor(t.db, { userId: user.id, code: "123456", now: at(6 * STEP_MS) })).toMatchObject({ ok: false });
    const next = at(6 * STEP_MS);
    expect(await verifySecondFactor(t.db, { userId: user.id, code: codeAt(secret, next), now: next })).toEqual({ ok: true, via: "totp" });
  });

  it("of ten sign-ins with one code at once, exactly one passes", async () => {
    const { user, secret } = await enrolled();
    const when = at(20 * STEP_MS);
    const code = codeAt(secret, when);
    const results = await Promise.all(Array.from({ length: 10 }, () => verifySecondFactor(t.db, { userId: user.id, code, now: when })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("a recovery code works once, typed in any case with or without dashes", async () => {
    const { user, recoveryCodes } = await enrolled();
    const typed = recoveryCodes[3].toUpperCase().replace(/-/g, " ");
    expect(await verifySecondFactor(t.db, { userId: user.id, code: typed, now: T0 })).toEqual({ ok: true, via: "recovery" });
    expect(await verifySecondFactor(t.db, { userId: user.id, code: recoveryCodes[3], now: T0 })).toEqual({
      ok: false,
      reason: "wrongCode",
    });
    expect(await getTwoFactorState(t.db, user.id)).toMatchObject({ recoveryCodesLeft: 9 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => verifySecondFactor(t.db, { userId: user.id, code: recoveryCodes[4], now: T0 })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("new recovery codes end the old ones", async () => {
    const { user, recoveryCodes } = await enrolled();
    const fresh = await regenerateRecoveryCodes(t.db, { userId: user.id, now: T0 });
    expect(fresh.ok).toBe(true);
    if (!fresh.ok) return;
    expect(await verifySecondFactor(t.db, { userId: user.id, code: recoveryCodes[0], now: T0 })).toMatchObject({ ok: false });
    expect(await verifySecondFactor(t.db, { userId: user.id, code: fresh.recoveryCodes[0], now: T0 })).toEqual({
      ok: true,
      via: "recovery",
    });
  });

  it("an operator's reset turns it off, removes the codes and is audited; enrolment can start again", async () => {
    const { user, recoveryCodes } = await enrolled("admin");
    expect(await resetTwoFactor(t.db, { userId: user.id, actor: null, now: T0 })).toEqual({ ok: true, wasEnabled: true });
    expect(await getTwoFactorState(t.db, user.id)).toEqual({ enabled: false, pending: false, enabledAt: null, recoveryCodesLeft: 0 });
    expect(await verifySecondFactor(t.db, { userId: user.id, code: recoveryCodes[0], now: T0 })).toEqual({
      ok: false,
      reason: "notEnabled",
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("target_id", "=", String(user.id))
      .where("action", "=", "user.two-factor-reset")
      .execute();
    expect(audit).toEqual([{ action: "user.two-factor-reset", actor_id: null }]);
    expect((await startEnrolment(t.db, { userId: user.id })).ok).toBe(true);
    expect(await resetTwoFactor(t.db, { userId: 2_000_000_000 })).toEqual({ ok: false, reason: "notFound" });
  });
});

describe(`STAFF_TWO_FACTOR and what follows a password (${testDialect})`, () => {
  it("required: staff must have it, stakeholders never; optional: nobody", () => {
    for (const role of ["moderator", "organiser", "admin"] as const) {
      expect(twoFactorRequired(role, "required")).toBe(true);
      expect(twoFactorRequired(role, "optional")).toBe(false);
      expect(mustEnrolTwoFactor({ role, twoFactorEnabled: false }, "required")).toBe(true);
      expect(mustEnrolTwoFactor({ role, twoFactorEnabled: true }, "required")).toBe(false);
    }
    expect(twoFactorRequired("stakeholder", "required")).toBe(false);
    expect(mustEnrolTwoFactor({ role: "stakeholder", twoFactorEnabled: false }, "required")).toBe(false);
  });

  it("after a right password: a code when it is on, enrolment for staff without it under required, else signed in", async () => {
    const stakeholder = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    expect(await afterPassword(t.db, { userId: stakeholder.id, policy: "required" })).toEqual({ next: "signed-in" });
    expect(await afterPassword(t.db, { userId: moderator.id, policy: "required" })).toEqual({ next: "enrol" });
    expect(await afterPassword(t.db, { userId: moderator.id, policy: "optional" })).toEqual({ next: "signed-in" });
    const { user } = await enrolled("admin");
    expect(await afterPassword(t.db, { userId: user.id, policy: "optional" })).toEqual({ next: "code", email: user.email });
  });

  it("turning it off: refused to staff under required before any code is checked; else with a right code only, audited", async () => {
    const staff = await enrolled("moderator");
    const refused = await disableTwoFactor(t.db, {
      userId: staff.user.id,
      code: codeAt(staff.secret, at(STEP_MS)),
      policy: "required",
      now: at(STEP_MS),
    });
    expect(refused).toEqual({ ok: false, reason: "requiredForStaff" });
    // The code was not used up by the refusal.
    expect((await verifySecondFactor(t.db, { userId: staff.user.id, code: codeAt(staff.secret, at(STEP_MS)), now: at(STEP_MS) })).ok).toBe(
      true,
    );

    const wrong = await disableTwoFactor(t.db, { userId: staff.user.id, code: "000000", policy: "optional", now: at(2 * STEP_MS) });
    expect(wrong.ok).toBe(false);
    expect((await getTwoFactorState(t.db, staff.user.id))?.enabled).toBe(true);
    const off = await disableTwoFactor(t.db, {
      userId: staff.user.id,
      code: staff.recoveryCodes[0],
      policy: "optional",
      now: at(2 * STEP_MS),
    });
    expect(off).toEqual({ ok: true });
    expect((await getTwoFactorState(t.db, staff.user.id))?.enabled).toBe(false);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "action"])
      .where("target_id", "=", String(staff.user.id))
      .where("action", "=", "user.two-factor-reset")
      .execute();
    expect(audit).toEqual([{ actor_id: staff.user.id, action: "user.two-factor-reset" }]);
    expect(await disableTwoFactor(t.db, { userId: staff.user.id, code: "123456", policy: "optional" })).toEqual({
      ok: false,
      reason: "notEnabled",
    });
  });
});
