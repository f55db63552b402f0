// Administration of accounts through the real models on a real
// migrated database: role changes, disabling, enabling and ending sessions
// each end the right sessions in one transaction with their audit entry; an
// admin cannot demote or disable themselves; users by id or by email. Also
// the audit log's filters and its before/after summary, and the parsing of
// the admin forms and filters (malformed values never throw).
import { beforeAll, describe, expect, it } from "vitest";
import { createAuth } from "~/auth/session.server";
import { AdminUserActionSchema } from "~/lib/admin-schemas.server";
import { auditChanges } from "~/lib/audit-diff";
import { AuditQuerySchema } from "~/lib/query-schemas.server";
import { disableUser, enableUser, endAllUserSessions, getUserForAdmin, setUserRole } from "~/models/admin-users.server";
import { listAuditEntries, likePrefix, recordAudit } from "~/models/audit.server";
import { authenticate } from "~/models/user.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makeUser, uniqueEmail, type MadeUser } from "../support/factories";

const t = useTestDb();
let auth: ReturnType<typeof createAuth>;
let admin: MadeUser;
const asAdmin = () => ({ actorId: admin.id, actorRole: "admin", ip: "203.0.113.7" });

beforeAll(async () => {
  auth = createAuth(t.db, { secureCookies: false });
  admin = await makeUser(t.db, { role: "admin", displayName: "Admin Person" });
});

/** Signs a user in `n` times; the session tokens. */
async function sessions(userId: number, n = 2): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) tokens.push(auth.readToken(await auth.signIn(userId))!);
  return tokens;
}

async function sessionCount(userId: number): Promise<number> {
  const r = await t.db
    .selectFrom("sessions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function auditRows(action: string, userId: number) {
  return t.db
    .selectFrom("audit_log")
    .selectAll()
    .where("action", "=", action)
    .where("target_type", "=", "user")
    .where("target_id", "=", String(userId))
    .orderBy("id")
    .execute();
}

async function auditTotal(): Promise<number> {
  return Number(
    (
      await t.db
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

async function user(id: number) {
  return t.db.selectFrom("users").select(["role", "status"]).where("id", "=", id).executeTakeFirstOrThrow();
}

describe(`setUserRole (${testDialect})`, () => {
  it("by user id: changes the role, ends every session of that user only, audits before/after with actor and IP", async () => {
    const u = await makeUser(t.db);
    const bystander = await makeUser(t.db);
    const tokens = await sessions(u.id, 2);
    const [other] = await sessions(bystander.id, 1);

    const r = await setUserRole(t.db, { userId: u.id, role: "moderator", ...asAdmin() });
    expect(r).toEqual({ ok: true, userId: u.id, previous: "stakeholder" });
    expect((await user(u.id)).role).toBe("moderator");
    expect(await sessionCount(u.id)).toBe(0);
    for (const token of tokens) expect(await auth.validate(token)).toBeNull();
    expect((await auth.validate(other))?.user.id).toBe(bystander.id);

    const rows = await auditRows("user.role", u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: admin.id, actor_role: "admin", ip: "203.0.113.7" });
    expect(JSON.parse(rows[0].before!)).toEqual({ role: "stakeholder" });
    expect(JSON.parse(rows[0].after!)).toEqual({ role: "moderator" });
  });

  it("by email, in any case and with spaces: the same effect", async () => {
    const u = await makeUser(t.db);
    await sessions(u.id, 1);
    const r = await setUserRole(t.db, { email: `  ${u.email.toUpperCase()} `, role: "organiser", ...asAdmin() });
    expect(r).toEqual({ ok: true, userId: u.id, previous: "stakeholder" });
    expect((await user(u.id)).role).toBe("organiser");
    expect(await sessionCount(u.id)).toBe(0);
    expect(await auditRows("user.role", u.id)).toHaveLength(1);
  });

  it("the role a user already has: nothing changes, sessions stay, no audit entry", async () => {
    const u = await makeUser(t.db, { role: "moderator" });
    await sessions(u.id, 1);
    const before = await auditTotal();
    expect(await setUserRole(t.db, { userId: u.id, role: "moderator", ...asAdmin() })).toEqual({
      ok: true,
      userId: u.id,
      previous: "moderator",
    });
    expect(await sessionCount(u.id)).toBe(1);
    expect(await auditTotal()).toBe(before);
  });

  it("an admin cannot take away their own admin role (by id or by email); nothing changes", async () => {
    const self = await makeUser(t.db, { role: "admin" });
    const [token] = await sessions(self.id, 1);
    const before = await auditTotal();
    for (const role of ["organiser", "moderator", "stakeholder"] as const) {
      expect(await setUserRole(t.db, { userId: self.id, role, actorId: self.id, actorRole: "admin" })).toEqual({
        ok: false,
        reason: "self",
      });
      expect(await setUserRole(t.db, { email: self.email, role, actorId: self.id, actorRole: "admin" })).toEqual({
        ok: false,
        reason: "self",
      });
    }
    expect((await user(self.id)).role).toBe("admin");
    expect(await auth.validate(token)).not.toBeNull();
    expect(await auditTotal()).toBe(before);
    // Keeping one's own role is harmless.
    expect(await setUserRole(t.db, { userId: self.id, role: "admin", actorId: self.id, actorRole: "admin" })).toEqual({
      ok: true,
      userId: self.id,
      previous: "admin",
    });
    // Another admin may demote them.
    expect((await setUserRole(t.db, { userId: self.id, role: "organiser", ...asAdmin() })).ok).toBe(true);
  });

  it("unknown or deleted users: notFound, nothing written", async () => {
    const gone = await makeUser(t.db);
    await t.db.updateTable("users").set({ status: "deleted" }).where("id", "=", gone.id).execute();
    const before = await auditTotal();
    expect(await setUserRole(t.db, { userId: 2_000_000_000, role: "admin", ...asAdmin() })).toEqual({ ok: false, reason: "notFound" });
    expect(await setUserRole(t.db, { email: uniqueEmail("ghost"), role: "admin", ...asAdmin() })).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect(await setUserRole(t.db, { userId: gone.id, role: "admin", ...asAdmin() })).toEqual({ ok: false, reason: "notFound" });
    expect((await user(gone.id)).role).toBe("stakeholder");
    expect(await auditTotal()).toBe(before);
  });
});

describe(`disableUser and enableUser (${testDialect})`, () => {
  it("disabling ends every session at once, refuses sign-in as 'disabled', and is audited; enabling lets them back in", async () => {
    const u = await makeUser(t.db);
    const tokens = await sessions(u.id, 3);
    expect((await authenticate(t.db, u.email, u.password)).ok).toBe(true);

    const r = await disableUser(t.db, { userId: u.id, ...asAdmin() });
    expect(r).toEqual({ ok: true, userId: u.id, changed: true, sessionsEnded: 3 });
    expect((await user(u.id)).status).toBe("disabled");
    expect(await sessionCount(u.id)).toBe(0);
    for (const token of tokens) expect(await auth.validate(token)).toBeNull();
    expect(await authenticate(t.db, u.email, u.password)).toEqual({ ok: false, reason: "disabled", userId: u.id });
    // A wrong password still says only "invalid": the status is not revealed to a guesser.
    expect(await authenticate(t.db, u.email, "not the password at all")).toMatchObject({ ok: false, reason: "invalid" });

    const disabled = await auditRows("user.disable", u.id);
    expect(disabled).toHaveLength(1);
    expect(disabled[0]).toMatchObject({ actor_id: admin.id, actor_role: "admin", ip: "203.0.113.7" });
    expect(JSON.parse(disabled[0].before!)).toEqual({ status: "active", sessions: 3 });
    expect(JSON.parse(disabled[0].after!)).toEqual({ status: "disabled", sessions: 0 });

    // Disabling again changes nothing and writes nothing.
    expect(await disableUser(t.db, { userId: u.id, ...asAdmin() })).toEqual({ ok: true, userId: u.id, changed: false, sessionsEnded: 0 });
    expect(await auditRows("user.disable", u.id)).toHaveLength(1);

    const e = await enableUser(t.db, { email: u.email, ...asAdmin() });
    expect(e).toEqual({ ok: true, userId: u.id, changed: true });
    expect((await user(u.id)).status).toBe("active");
    expect((await authenticate(t.db, u.email, u.password)).ok).toBe(true);
    const enabled = await auditRows("user.enable", u.id);
    expect(enabled).toHaveLength(1);
    expect(JSON.parse(enabled[0].before!)).toEqual({ status: "disabled" });
    expect(JSON.parse(enabled[0].after!)).toEqual({ status: "active" });
    // The old sessions stay ended: enabling does not revive them.
    for (const token of tokens) expect(await auth.validate(token)).toBeNull();
    // Enabling an active account changes nothing.
    expect(await enableUser(t.db, { userId: u.id, ...asAdmin() })).toEqual({ ok: true, userId: u.id, changed: false });
    expect(await auditRows("user.enable", u.id)).toHaveLength(1);
  });

  it("a session of a disabled account that somehow survived is still refused (status checked on every request)", async () => {
    const u = await makeUser(t.db);
    const [token] = await sessions(u.id, 1);
    // Only the status, without the model: validate() must not trust the session row alone.
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", u.id).execute();
    expect(await auth.validate(token)).toBeNull();
  });

  it("an admin cannot disable themselves; other users only by an admin; unknown users notFound", async () => {
    const self = await makeUser(t.db, { role: "admin" });
    const [token] = await sessions(self.id, 1);
    const before = await auditTotal();
    expect(await disableUser(t.db, { userId: self.id, actorId: self.id, actorRole: "admin" })).toEqual({ ok: false, reason: "self" });
    expect(await disableUser(t.db, { email: self.email.toUpperCase(), actorId: self.id, actorRole: "admin" })).toEqual({
      ok: false,
      reason: "self",
    });
    expect((await user(self.id)).status).toBe("active");
    expect(await auth.validate(token)).not.toBeNull();
    expect(await disableUser(t.db, { email: uniqueEmail("nobody"), ...asAdmin() })).toEqual({ ok: false, reason: "notFound" });
    expect(await enableUser(t.db, { userId: 2_000_000_000, ...asAdmin() })).toEqual({ ok: false, reason: "notFound" });
    expect(await auditTotal()).toBe(before);
  });
});

describe(`endAllUserSessions (${testDialect})`, () => {
  it("ends every session of that user only, with an audit entry saying how many", async () => {
    const u = await makeUser(t.db);
    const bystander = await makeUser(t.db);
    const tokens = await sessions(u.id, 2);
    const [other] = await sessions(bystander.id, 1);
    expect(await endAllUserSessions(t.db, { email: u.email, ...asAdmin() })).toEqual({ ok: true, userId: u.id, sessionsEnded: 2 });
    for (const token of tokens) expect(await auth.validate(token)).toBeNull();
    expect(await auth.validate(other)).not.toBeNull();
    // The account itself is untouched: they sign in again.
    expect(await user(u.id)).toEqual({ role: "stakeholder", status: "active" });
    expect((await authenticate(t.db, u.email, u.password)).ok).toBe(true);
    const rows = await auditRows("user.end-sessions", u.id);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].before!)).toEqual({ sessions: 2 });
    expect(JSON.parse(rows[0].after!)).toEqual({ sessions: 0 });
    expect(await endAllUserSessions(t.db, { userId: 2_000_000_000, ...asAdmin() })).toEqual({ ok: false, reason: "notFound" });
  });

  it("an admin may end their own sessions (sign out everywhere)", async () => {
    const self = await makeUser(t.db, { role: "admin" });
    const [token] = await sessions(self.id, 1);
    expect(await endAllUserSessions(t.db, { userId: self.id, actorId: self.id, actorRole: "admin" })).toMatchObject({
      ok: true,
      sessionsEnded: 1,
    });
    expect(await auth.validate(token)).toBeNull();
    expect((await user(self.id)).role).toBe("admin");
  });
});

describe(`getUserForAdmin (${testDialect})`, () => {
  it("profile, organisation and open sessions; never the password hash; deleted users are not found", async () => {
    const u = await makeUser(t.db, { displayName: "Shown Person" });
    await sessions(u.id, 2);
    const view = await getUserForAdmin(t.db, u.id);
    expect(view).toMatchObject({
      id: u.id,
      email: u.email,
      display_name: "Shown Person",
      role: "stakeholder",
      status: "active",
      sessions: 2,
      cluster_slug: "leather",
      city: "Sialkot",
    });
    expect(view!.organisation_name).toMatch(/^Test Organisation/);
    expect(view!.last_seen_at).toEqual(expect.any(String));
    expect(Object.keys(view!)).not.toContain("password_hash");
    await t.db.updateTable("users").set({ status: "deleted" }).where("id", "=", u.id).execute();
    expect(await getUserForAdmin(t.db, u.id)).toBeUndefined();
  });
});

describe(`listAuditEntries filters (${testDialect})`, () => {
  let actor: MadeUser;
  let other: MadeUser;
  beforeAll(async () => {
    actor = await makeUser(t.db, { role: "moderator" });
    other = await makeUser(t.db, { role: "moderator" });
    const at = (iso: string) => new Date(iso);
    // A private corner of the log: actions under "zz." that nothing else writes.
    await recordAudit(
      t.db,
      { actorId: actor.id, actorRole: "moderator", action: "zz.rate_limit", targetType: "submission", targetId: 1 },
      at("2026-12-01T00:00:00.000Z"),
    );
    await recordAudit(
      t.db,
      { actorId: actor.id, actorRole: "moderator", action: "zz.ratexlimit", targetType: "submission", targetId: 2 },
      at("2026-12-01T23:59:59.999Z"),
    );
    await recordAudit(
      t.db,
      { actorId: other.id, actorRole: "moderator", action: "zz.100%", targetType: "user", targetId: actor.id },
      at("2026-12-02T12:00:00.000Z"),
    );
    await recordAudit(
      t.db,
      { actorId: other.id, actorRole: "moderator", action: "zz.other", targetType: "user", targetId: other.id },
      at("2026-12-03T00:00:00.000Z"),
    );
  });
  const actions = (rows: Array<{ action: string }>) => rows.map((r) => r.action);
  const list = (q: Partial<Parameters<typeof listAuditEntries>[1]>) => listAuditEntries(t.db, { page: 1, pageSize: 50, ...q });

  it("an action prefix matches literally: '_' and '%' are not wildcards", async () => {
    expect(actions(await list({ action: "zz." }))).toEqual(["zz.other", "zz.100%", "zz.ratexlimit", "zz.rate_limit"]);
    expect(actions(await list({ action: "zz.rate_" }))).toEqual(["zz.rate_limit"]);
    expect(actions(await list({ action: "zz.100%" }))).toEqual(["zz.100%"]);
    expect(actions(await list({ action: "zz.1%" }))).toEqual([]);
    expect(likePrefix("a_b%c!")).toBe("a!_b!%c!!%");
  });

  it("by actor, by target, by a range of days (from inclusive, before exclusive)", async () => {
    expect(actions(await list({ action: "zz.", actorId: actor.id }))).toEqual(["zz.ratexlimit", "zz.rate_limit"]);
    expect(actions(await list({ action: "zz.", target: { type: "user", id: actor.id } }))).toEqual(["zz.100%"]);
    expect(actions(await list({ action: "zz.", from: "2026-12-01T00:00:00.000Z", before: "2026-12-02T00:00:00.000Z" }))).toEqual([
      "zz.ratexlimit",
      "zz.rate_limit",
    ]);
    expect(actions(await list({ action: "zz.", from: "2026-12-02T00:00:00.000Z" }))).toEqual(["zz.other", "zz.100%"]);
    expect(actions(await list({ action: "zz.", before: "2026-12-01T00:00:00.000Z" }))).toEqual([]);
  });

  it("pages: one row more than the page size says there is a next page", async () => {
    const p1 = await list({ action: "zz.", pageSize: 3 });
    expect(p1).toHaveLength(4);
    const p2 = await list({ action: "zz.", pageSize: 3, page: 2 });
    expect(actions(p2)).toEqual(["zz.rate_limit"]);
    const first = await list({ action: "zz.", pageSize: 1 });
    expect(first[0]).toMatchObject({ actor_id: other.id, actor_email: other.email, actor_name: "Test Person", actor_role: "moderator" });
  });
});

describe("auditChanges", () => {
  it("two objects: only the keys that changed", () => {
    expect(auditChanges('{"role":"stakeholder"}', '{"role":"organiser"}')).toEqual([
      { key: "role", before: "stakeholder", after: "organiser" },
    ]);
    expect(auditChanges('{"status":"active","sessions":3}', '{"status":"disabled","sessions":0}')).toEqual([
      { key: "status", before: "active", after: "disabled" },
      { key: "sessions", before: "3", after: "0" },
    ]);
    expect(auditChanges('{"a":1,"same":true}', '{"a":2,"same":true,"b":[1,2]}')).toEqual([
      { key: "a", before: "1", after: "2" },
      { key: "b", before: null, after: "[1,2]" },
    ]);
  });

  it("one side only, nothing, non-objects, text that is not JSON, long values cut", () => {
    expect(auditChanges(null, '{"rule":"admin"}')).toEqual([{ key: "rule", before: null, after: "admin" }]);
    expect(auditChanges('{"x":1}', null)).toEqual([{ key: "x", before: "1", after: null }]);
    expect(auditChanges(null, null)).toEqual([]);
    expect(auditChanges("[1]", "[2]")).toEqual([{ key: null, before: "[1]", after: "[2]" }]);
    expect(auditChanges("{not json", null)).toEqual([{ key: null, before: "{not json", after: null }]);
    expect(auditChanges('{"k":1}', '{"k":1}')).toEqual([{ key: "k", before: null, after: "1" }]);
    const long = auditChanges(null, JSON.stringify({ text: "x".repeat(1000) }));
    expect(long[0].after!.length).toBe(160);
    expect(long[0].after!.endsWith("…")).toBe(true);
  });
});

describe("form and filter parsing", () => {
  it("the admin user action: the contract's fields, user by id or email, role required for intent=role", () => {
    expect(AdminUserActionSchema.parse({ intent: "role", userId: "12", role: "moderator" })).toEqual({
      intent: "role",
      userId: 12,
      role: "moderator",
    });
    expect(AdminUserActionSchema.parse({ intent: "disable", email: "a@b.pk", role: "" })).toEqual({ intent: "disable", email: "a@b.pk" });
    expect(AdminUserActionSchema.parse({ intent: "end-sessions", userId: "3", email: "" })).toEqual({ intent: "end-sessions", userId: 3 });
    // What FormData.get gives for a field that was not sent.
    expect(AdminUserActionSchema.parse({ intent: "enable", userId: null, email: "a@b.pk", role: null })).toEqual({
      intent: "enable",
      email: "a@b.pk",
    });
    for (const bad of [
      { intent: "delete", userId: "1" },
      { intent: "role", userId: "1" },
      { intent: "role", userId: "1", role: "root" },
      { intent: "enable" },
      { intent: "enable", userId: "", email: "" },
      { intent: "enable", userId: "0" },
      { intent: "enable", userId: "1e3" },
      { intent: "enable", userId: "-1" },
      { intent: "enable", userId: "99999999999" },
      { intent: "enable", userId: "4294967296" },
      { intent: "enable", email: "not-an-email" },
      { intent: "enable", email: `${"a".repeat(300)}@b.pk` },
      { intent: ["role", "disable"], userId: "1" },
      {},
    ]) {
      expect(AdminUserActionSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("audit filters: good values kept, malformed ones dropped, never a throw", () => {
    expect(AuditQuerySchema.parse({ action: "Submission.", actor: "12", from: "2026-12-01", to: "2026-12-31" })).toEqual({
      action: "submission.",
      actor: { id: 12 },
      from: "2026-12-01",
      to: "2026-12-31",
    });
    expect(AuditQuerySchema.parse({ actor: "Someone@Example.pk" }).actor).toEqual({ email: "Someone@Example.pk" });
    const bad = AuditQuerySchema.parse({ action: "drop table; --", actor: "' or 1=1", from: "2026-02-30", to: "yesterday" });
    expect(bad).toEqual({ action: undefined, actor: undefined, from: undefined, to: undefined });
    for (const from of ["2026-13-01", "1999-12-31", "3000-01-01", "2026-1-1", "2026-12-01T00:00", ""]) {
      expect(AuditQuerySchema.parse({ from }).from, from).toBeUndefined();
    }
    expect(AuditQuerySchema.parse({ actor: "99999999999" }).actor).toBeUndefined();
    expect(AuditQuerySchema.parse({}).action).toBeUndefined();
  });
});
