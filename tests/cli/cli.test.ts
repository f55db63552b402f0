// The operators' command line (`npm run cli -- …`): exit codes, messages, and
// the effect on a running server that shares the database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli";
import { createEmptyDatabase, createTestDb, testDialect, type TestDb } from "../support/db";
import { GOOD_PASSWORD, makeUser, uniqueEmail } from "../support/factories";
import { Client, signIn } from "../support/http";
import { startServer, type RunningServer } from "../support/server";
import { useServer } from "../support/suite";

// Each command starts a fresh Node process with tsx: allow for a busy machine.
describe(`command line (${testDialect})`, { timeout: 120_000 }, () => {
  const { t, server } = useServer();

  const userByEmail = (email: string) =>
    t.db.selectFrom("users").selectAll().where("email_normalised", "=", email.toLowerCase()).executeTakeFirst();

  it("a server started without an admin prints how to create one", () => {
    const out = server.output();
    expect(out).toContain("No admin account yet");
    expect(out).toContain("user:create");
    expect(out).toContain("--role admin");
    expect(out).toContain("ADMIN_EMAIL");
  });

  it("user:create creates a user (exit 0) who can then sign in with that role", async () => {
    const email = uniqueEmail("cli");
    const r = await cli(
      t.url,
      "user:create",
      "--email",
      email,
      "--password",
      GOOD_PASSWORD,
      "--name",
      "Sana Moderator",
      "--role",
      "moderator",
      "--organisation",
      "Lahore Chamber",
      "--cluster",
      "food-processing",
      "--city",
      "Lahore",
      "--province",
      "punjab",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(email);
    expect(r.stdout).not.toContain(GOOD_PASSWORD);
    const row = await userByEmail(email);
    expect(row).toMatchObject({ role: "moderator", status: "active", display_name: "Sana Moderator" });
    const org = await t.db.selectFrom("organisations").selectAll().where("id", "=", row!.organisation_id!).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ name: "Lahore Chamber", city: "Lahore", province: "punjab" });

    const client = new Client(server.url);
    const login = await signIn(client, email, GOOD_PASSWORD);
    expect(login.status).toBe(302);
    expect((await client.get("/moderation")).status).toBe(200);
    expect((await client.get("/organiser")).status).toBe(403);
  });

  it("user:create without --role makes a stakeholder", async () => {
    const email = uniqueEmail("cli-default");
    const r = await cli(t.url, "user:create", "--email", email, "--password", GOOD_PASSWORD, "--name", "Plain Person");
    expect(r.code, r.stderr).toBe(0);
    expect((await userByEmail(email))!.role).toBe("stakeholder");
  });

  it("user:create with an email that exists in another case → exit 1 with a message", async () => {
    const existing = await makeUser(t.db);
    const r = await cli(t.url, "user:create", "--email", existing.email.toUpperCase(), "--password", GOOD_PASSWORD, "--name", "Twin");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists/i);
    const rows = await t.db.selectFrom("users").select("id").where("email_normalised", "=", existing.email.toLowerCase()).execute();
    expect(rows).toHaveLength(1);
  });

  it("user:create with an unknown role → exit 1 naming the allowed roles", async () => {
    const email = uniqueEmail("cli-badrole");
    const r = await cli(t.url, "user:create", "--email", email, "--password", GOOD_PASSWORD, "--name", "Root", "--role", "superuser");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/role/i);
    expect(r.stderr).toMatch(/stakeholder.*moderator.*organiser.*admin/s);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("user:create with a common password → exit 1 saying so", async () => {
    const email = uniqueEmail("cli-common");
    const r = await cli(t.url, "user:create", "--email", email, "--password", "password1", "--name", "Weak Pass");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/common/i);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it("user:create with a short password, a bad email or missing options → exit 1", async () => {
    const short = await cli(t.url, "user:create", "--email", uniqueEmail("cli-short"), "--password", "abc", "--name", "Short");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/8 characters/);
    const bad = await cli(t.url, "user:create", "--email", "not-an-email", "--password", GOOD_PASSWORD, "--name", "Bad");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/email/i);
    const missing = await cli(t.url, "user:create", "--email", uniqueEmail("cli-missing"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--password|required/i);
    const unknown = await cli(t.url, "no:such-command");
    expect(unknown.code).toBe(1);
  });

  it("user:set-role changes the role and ends that user's sessions", async () => {
    const user = await makeUser(t.db);
    const bystander = await makeUser(t.db);
    const client = new Client(server.url);
    const other = new Client(server.url);
    await signIn(client, user.email, user.password);
    await signIn(other, bystander.email, bystander.password);
    expect((await client.get("/me")).status).toBe(200);
    expect((await client.get("/organiser")).status).toBe(403);

    const r = await cli(t.url, "user:set-role", "--email", user.email.toUpperCase(), "--role", "organiser");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stakeholder → organiser/);
    expect((await userByEmail(user.email))!.role).toBe("organiser");

    // Signed out everywhere: the old cookie no longer works.
    const me = await client.get("/me");
    expect(me.status).toBe(302);
    expect(me.location).toBe("/login?redirectTo=%2Fme");
    // Only that user's sessions.
    expect((await other.get("/me")).status).toBe(200);
    // Signing in again gives the new role.
    await signIn(client, user.email, user.password);
    expect((await client.get("/organiser")).status).toBe(200);

    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "user.role")
      .where("target_id", "=", String(user.id))
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].before!)).toEqual({ role: "stakeholder" });
    expect(JSON.parse(audit[0].after!)).toEqual({ role: "organiser" });
  });

  it("user:set-role runs the admin page's model: same effect as the page (sessions ended, user.role audited), and the role already held changes nothing", async () => {
    const user = await makeUser(t.db, { role: "moderator" });
    const client = new Client(server.url);
    await signIn(client, user.email, user.password);
    const same = await cli(t.url, "user:set-role", "--email", user.email, "--role", "moderator");
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/already moderator; nothing changed/);
    expect((await client.get("/me")).status).toBe(200);
    const audit = () =>
      t.db.selectFrom("audit_log").selectAll().where("action", "=", "user.role").where("target_id", "=", String(user.id)).execute();
    expect(await audit()).toHaveLength(0);

    // A role change by the CLI shows in the admin's audit log like one made on the page, by the operator.
    const r = await cli(t.url, "user:set-role", "--email", user.email, "--role", "stakeholder");
    expect(r.code, r.stderr).toBe(0);
    expect((await client.get("/me")).status).toBe(302);
    const rows = await audit();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: null, actor_role: "operator", target_type: "user" });
    const admin = await makeUser(t.db, { role: "admin" });
    const adminClient = new Client(server.url);
    await signIn(adminClient, admin.email, admin.password);
    const page = await adminClient.get(`/admin/audit?action=user.role`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/admin/users/${user.id}"`);
  });

  it("user:set-role with an unknown role or email → exit 1, nothing changed", async () => {
    const user = await makeUser(t.db);
    const badRole = await cli(t.url, "user:set-role", "--email", user.email, "--role", "root");
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/role/i);
    const nobody = await cli(t.url, "user:set-role", "--email", uniqueEmail("nobody"), "--role", "admin");
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no user/i);
    expect((await userByEmail(user.email))!.role).toBe("stakeholder");
  });

  it("db:migrate and db:seed exit 0 and are idempotent", async () => {
    const fresh = await createEmptyDatabase();
    try {
      const m1 = await cli(fresh.url, "db:migrate");
      expect(m1.code, m1.stderr).toBe(0);
      expect(m1.stdout).toMatch(/applied/);
      const m2 = await cli(fresh.url, "db:migrate");
      expect(m2.code, m2.stderr).toBe(0);
      expect(m2.stdout).toMatch(/already up to date/);

      const s1 = await cli(fresh.url, "db:seed");
      expect(s1.code, s1.stderr).toBe(0);
      expect(s1.stdout).toMatch(/clusters \+5/);
      expect(s1.stdout).toMatch(/default consultation created/);
      const s2 = await cli(fresh.url, "db:seed");
      expect(s2.code, s2.stderr).toBe(0);
      expect(s2.stdout).toMatch(/clusters \+0, categories \+0, stages \+0, default consultation already there/);
    } finally {
      await fresh.drop();
    }
    // On the server's database, in use: nothing to do, nothing doubled.
    expect((await cli(t.url, "db:migrate")).code).toBe(0);
    expect((await cli(t.url, "db:seed")).code).toBe(0);
    const clusters = await t.db.selectFrom("clusters").select("slug").execute();
    expect(clusters).toHaveLength(5);
    const consultations = await t.db.selectFrom("consultations").select("id").execute();
    expect(consultations).toHaveLength(1);
    expect((await new Client(server.url).get("/healthz")).status).toBe(200);
  });

  if (testDialect === "sqlite") {
    it("db:backup FILE writes a consistent copy while the server serves", async () => {
      const user = await makeUser(t.db, { displayName: "Backed Up" });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mashwara-backup-"));
      try {
        const file = path.join(dir, "nested", "backup.sqlite");
        // The server is busy while the backup runs.
        const traffic = Promise.all(Array.from({ length: 10 }, () => new Client(server.url).get("/")));
        const r = await cli(t.url, "db:backup", file);
        await traffic;
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/integrity ok/);
        expect(fs.existsSync(file)).toBe(true);
        // No half-written file is left under any name.
        expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes("partial"))).toEqual([]);

        const copy = new SQLite(file, { readonly: true });
        try {
          expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
          const emails = (copy.prepare("select email from users").all() as Array<{ email: string }>).map((r) => r.email);
          expect(emails).toContain(user.email);
          const live = await t.db.selectFrom("users").select("email").execute();
          expect(emails.sort()).toEqual(live.map((r) => r.email).sort());
          expect((copy.prepare("select count(*) as n from clusters").get() as { n: number }).n).toBe(5);
        } finally {
          copy.close();
        }

        const onto = await cli(t.url, "db:backup", t.url);
        expect(onto.code).toBe(1);
        expect(onto.stderr).toMatch(/must not be the database itself/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  } else {
    it("db:backup on PostgreSQL exits 1 and points to pg_dump", async () => {
      const file = path.join(os.tmpdir(), `mashwara-backup-${process.pid}.sqlite`);
      const r = await cli(t.url, "db:backup", file);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/pg_dump/);
      expect(fs.existsSync(file)).toBe(false);
    });
  }

  it("an invalid DATABASE_URL → exit 1 naming the variable", async () => {
    const r = await cli("mysql://root@localhost/mashwara", "db:migrate");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("DATABASE_URL");
  });
});

describe(`first admin from ADMIN_EMAIL / ADMIN_PASSWORD (${testDialect})`, { timeout: 120_000 }, () => {
  let t: TestDb;
  let server: RunningServer;
  const email = uniqueEmail("first-admin");
  const password = "tea at the Faisal mosque steps";

  beforeAll(async () => {
    t = await createTestDb();
    server = await startServer({ databaseUrl: t.url, env: { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } });
  });
  afterAll(async () => {
    await server?.stop();
    await t?.destroy();
  });

  it("creates that admin, who can open /admin", async () => {
    expect(server.output()).toContain("admin account created from ADMIN_EMAIL");
    expect(server.output()).not.toContain("No admin account yet");
    expect(server.output()).not.toContain(password);
    const row = await t.db.selectFrom("users").selectAll().where("email_normalised", "=", email).executeTakeFirstOrThrow();
    expect(row.role).toBe("admin");
    const client = new Client(server.url);
    expect((await signIn(client, email, password)).status).toBe(302);
    const admin = await client.get("/admin");
    expect(admin.status).toBe(200);
    expect((await client.get("/admin/users")).status).toBe(200);
  });

  it("a restart with the same variables creates nothing new", async () => {
    expect(await server.stop()).toBe(0);
    server = await startServer({ databaseUrl: t.url, env: { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } });
    const admins = await t.db.selectFrom("users").select("id").where("role", "=", "admin").execute();
    expect(admins).toHaveLength(1);
    expect(server.output()).not.toContain("admin account created");
  });
});
