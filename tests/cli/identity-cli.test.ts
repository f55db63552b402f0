// The operators' identity commands: accounts made by the CLI are confirmed, and
// user:reset-two-factor turns off a locked-out staff member's second factor.
import { describe, expect, it } from "vitest";
import { startEnrolment, confirmEnrolment, getTwoFactorState } from "~/models/two-factor.server";
import { resetPassword } from "~/models/account-email.server";
import { totpCode, totpStep } from "~/lib/totp.server";
import { cli } from "../support/cli";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { GOOD_PASSWORD, makeUser, uniqueEmail } from "../support/factories";

describe(`identity on the command line (${testDialect})`, { timeout: 120_000 }, () => {
  const t = useTestDb();

  it("user:create makes an account whose address is confirmed", async () => {
    const email = uniqueEmail("operator");
    const r = await cli(
      t.url,
      "user:create",
      "--email",
      email,
      "--password",
      GOOD_PASSWORD,
      "--name",
      "Operator Made",
      "--role",
      "moderator",
    );
    expect(r.code, r.stderr).toBe(0);
    const row = await t.db
      .selectFrom("users")
      .select(["email_confirmed_at", "created_at"])
      .where("email_normalised", "=", email.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(row.email_confirmed_at).toBe(row.created_at);
  });

  it("user:reset-two-factor turns it off, is audited, and says when there was nothing to do", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const started = await startEnrolment(t.db, { userId: admin.id });
    if (!started.ok) throw new Error(started.reason);
    const now = new Date();
    expect((await confirmEnrolment(t.db, { userId: admin.id, code: totpCode(started.secret, totpStep(now.getTime())), now })).ok).toBe(
      true,
    );

    const r = await cli(t.url, "user:reset-two-factor", "--email", admin.email.toUpperCase());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/two-factor turned off/);
    expect(await getTwoFactorState(t.db, admin.id)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("action", "=", "user.two-factor-reset")
      .where("target_id", "=", String(admin.id))
      .execute();
    expect(audit).toEqual([{ action: "user.two-factor-reset", actor_id: null }]);

    const again = await cli(t.url, "user:reset-two-factor", "--email", admin.email);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/was not on; nothing changed/);
  });

  it("user:reset-two-factor for an unknown address is a usage error and changes nothing", async () => {
    const r = await cli(t.url, "user:reset-two-factor", "--email", "nobody@example.pk");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no user with email nobody@example\.pk/);
  });

  it("user:reset-password prints a link that works once, writes no email, and is audited as the operator", async () => {
    const user = await makeUser(t.db);
    const r = await cli(t.url, "user:reset-password", "--email", user.email.toUpperCase());
    expect(r.code, r.stderr).toBe(0);
    const m = r.stdout.match(/https?:\/\/\S+\/reset-password\/([a-z2-7]{32})/);
    expect(m, r.stdout).not.toBeNull();
    const outbox = await t.db.selectFrom("email_outbox").select("id").where("to_email", "=", user.email).execute();
    expect(outbox).toEqual([]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "actor_role"])
      .where("target_id", "=", String(user.id))
      .where("action", "=", "user.password-reset-link")
      .execute();
    expect(audit).toEqual([{ action: "user.password-reset-link", actor_id: null, actor_role: "operator" }]);
    const token = m![1];
    expect((await resetPassword(t.db, { token, newPassword: "a new password for the Lahore fort" })).ok).toBe(true);
    expect(await resetPassword(t.db, { token, newPassword: "another password for the Lahore fort" })).toEqual({
      ok: false,
      reason: "invalidToken",
    });
  });

  it("user:reset-password refuses a disabled account and an unknown address", async () => {
    const user = await makeUser(t.db);
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", user.id).execute();
    const disabled = await cli(t.url, "user:reset-password", "--email", user.email);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toMatch(/disabled/);
    const unknown = await cli(t.url, "user:reset-password", "--email", "nobody@example.pk");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user with email nobody@example\.pk/);
    const tokens = await t.db.selectFrom("account_tokens").select("id").where("user_id", "=", user.id).execute();
    expect(tokens).toEqual([]);
  });
});
