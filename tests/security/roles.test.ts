// Role guards over real HTTP: signed out → /login?redirectTo=…, signed in
// without the role → 403 page (and an audit entry), the role or a higher one → 200.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import type { Role } from "../../db/schema";
import { testDialect } from "../support/db";
import { makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, signIn } from "../support/http";
import { useServer } from "../support/suite";

const ROLES: Role[] = ["stakeholder", "moderator", "organiser", "admin"];
const PROTECTED: Array<[path: string, required: Role]> = [
  ["/moderation", "moderator"],
  ["/organiser", "organiser"],
  ["/exports", "organiser"],
  ["/admin", "admin"],
  ["/admin/users", "admin"],
  ["/admin/consultation", "admin"],
  ["/admin/taxonomy", "admin"],
  ["/admin/audit", "admin"],
  ["/admin/outbox", "admin"],
];
const rank = (r: Role) => ROLES.indexOf(r);

describe(`role guards (${testDialect})`, () => {
  const { t, server } = useServer();
  const users = {} as Record<Role, MadeUser>;
  const clients = {} as Record<Role, Client>;

  beforeAll(async () => {
    for (const role of ROLES) {
      users[role] = await makeUser(t.db, { role, displayName: `The ${role}` });
      clients[role] = new Client(server.url);
      const res = await signIn(clients[role], users[role].email, users[role].password);
      if (res.status !== 302) throw new Error(`could not sign in as ${role}: ${res.status}`);
    }
  });

  describe.each(PROTECTED)("%s (needs %s)", (path, required) => {
    it("signed out → redirect to /login?redirectTo=<path>", async () => {
      const res = await new Client(server.url).get(path);
      expect(res.status).toBe(302);
      expect(res.location).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    });

    it.each(ROLES)("as %s", async (role) => {
      const res = await clients[role].get(path);
      if (rank(role) >= rank(required)) {
        expect(res.status).toBe(200);
        expect(res.headers.get("cache-control")).toBe("no-store");
      } else {
        expect(res.status).toBe(403);
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        expect(pageText(res.text)).toContain(en.errorPage.forbidden.title);
      }
    });
  });

  it("the query string survives the round trip through /login", async () => {
    const res = await new Client(server.url).get("/admin/users?q=sialkot&page=2");
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/login?redirectTo=${encodeURIComponent("/admin/users?q=sialkot&page=2")}`);
    const admin = new Client(server.url);
    const login = await signIn(admin, users.admin.email, users.admin.password, { redirectTo: "/admin/users?q=sialkot&page=2" });
    expect(login.location).toBe("/admin/users?q=sialkot&page=2");
    expect((await admin.get(login.location!)).status).toBe(200);
  });

  it("/exports/anything: signed out → /login, stakeholder and moderator → 403, organiser and admin → 404", async () => {
    const path = "/exports/anything.csv";
    const out = await new Client(server.url).get(path);
    expect(out.status).toBe(302);
    expect(out.location).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    expect((await clients.stakeholder.get(path)).status).toBe(403);
    expect((await clients.moderator.get(path)).status).toBe(403);
    const organiser = await clients.organiser.get(path);
    expect(organiser.status).toBe(404);
    expect(pageText(organiser.text)).toContain(en.errorPage.notFound.title);
    expect((await clients.admin.get("/exports/nested/deeper")).status).toBe(404);
  });

  it("/admin/anything: 403 below admin, 404 for an admin", async () => {
    expect((await clients.organiser.get("/admin/secret-page")).status).toBe(403);
    expect((await clients.admin.get("/admin/secret-page")).status).toBe(404);
  });

  it("a denied access writes an audit row security.access.denied with the user and the path", async () => {
    const before = await t.db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "security.access.denied")
      .where("actor_id", "=", users.moderator.id)
      .where("target_id", "=", "/admin/audit")
      .execute();
    expect((await clients.moderator.get("/admin/audit")).status).toBe(403);
    const rows = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "security.access.denied")
      .where("actor_id", "=", users.moderator.id)
      .where("target_id", "=", "/admin/audit")
      .execute();
    expect(rows.length).toBe(before.length + 1);
    const row = rows[rows.length - 1];
    expect(row).toMatchObject({ actor_role: "moderator", target_type: "path", ip: "127.0.0.1" });
    expect(JSON.parse(row.after!)).toEqual({ rule: "admin" });

    // An admin sees the entry in the audit log page.
    const audit = await clients.admin.get("/admin/audit?action=security.access");
    expect(audit.status).toBe(200);
    expect(pageText(audit.text)).toContain("security.access.denied");
    expect(pageText(audit.text)).toContain("/admin/audit");
  });

  it("signed-out visitors do not write access-denied rows (they are redirected)", async () => {
    const count = async () =>
      Number(
        (
          await t.db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("action", "=", "security.access.denied")
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    await new Client(server.url).get("/admin");
    expect(await count()).toBe(before);
  });

  it("the navigation shows each role its areas only", async () => {
    const links = async (role: Role) => (await clients[role].get("/")).text;
    const stakeholder = await links("stakeholder");
    expect(stakeholder).not.toContain('href="/moderation"');
    expect(stakeholder).not.toContain('href="/admin"');
    const moderator = await links("moderator");
    expect(moderator).toContain('href="/moderation"');
    expect(moderator).not.toContain('href="/organiser"');
    const admin = await links("admin");
    for (const href of ["/moderation", "/organiser", "/admin"]) expect(admin).toContain(`href="${href}"`);
  });

  it("a role change in the database is seen at the next request (no stale role in the session)", async () => {
    const user = await makeUser(t.db, { role: "admin" });
    const client = new Client(server.url);
    await signIn(client, user.email, user.password);
    expect((await client.get("/admin")).status).toBe(200);
    await t.db.updateTable("users").set({ role: "stakeholder" }).where("id", "=", user.id).execute();
    expect((await client.get("/admin")).status).toBe(403);
  });
});
