// /admin/users, /admin/users/:id and /admin/audit over real HTTP against the
// built server, posting the fields of docs/contract.md as a browser without JavaScript
// does. The journey: an admin disables a user whose open session fails at once
// and who cannot sign in; changes a role, which ends that user's sessions; the
// audit log shows both. Only admins, on GET and on every POST; bad input 400,
// unknown user 404, self-demotion 422, never a 500; the audit log's filters and
// pages, and no POST on it changes anything.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { recordAudit } from "~/models/audit.server";
import { testDialect } from "../support/db";
import { makeUser, uniqueEmail, type MadeUser } from "../support/factories";
import { Client, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

const INTENTS = ["role", "disable", "enable", "end-sessions", "confirm-email", "send-reset", "reset-two-factor"] as const;

describe(`/admin/users over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let admin: MadeUser;
  let adminClient: Client;

  beforeAll(async () => {
    admin = await makeUser(t.db, { role: "admin", displayName: "Head Admin" });
    adminClient = await signedIn(server.url, admin);
  });

  const userRow = (id: number) => t.db.selectFrom("users").select(["role", "status"]).where("id", "=", id).executeTakeFirstOrThrow();
  const auditCount = async () =>
    Number(
      (
        await t.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("action", "like", "user.%")
          .executeTakeFirstOrThrow()
      ).n,
    );
  const sessionCount = async (id: number) =>
    Number(
      (
        await t.db
          .selectFrom("sessions")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("user_id", "=", id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("the journey: disable ends the open session at once and refuses sign-in; a role change ends sessions; the audit log shows both", async () => {
    const person = await makeUser(t.db, { displayName: "Disabled Later" });
    const theirs = await signedIn(server.url, person);
    const bystander = await signedIn(server.url, await makeUser(t.db));
    expect((await theirs.get("/me")).status).toBe(200);

    // The list offers the forms, with the contract's field names.
    const list = await adminClient.get(`/admin/users?q=${encodeURIComponent(person.email)}`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`name="userId" value="${person.id}"`);
    expect(list.text).toMatch(/name="intent" value="disable"/);
    expect(list.text).toMatch(/name="intent" value="end-sessions"/);
    expect(list.text).toMatch(/<select[^>]*name="role"/);

    // Disable: 303 back to the same search, with a notice.
    const disable = await adminClient.post(`/admin/users?q=${encodeURIComponent(person.email)}`, {
      intent: "disable",
      userId: String(person.id),
    });
    expect(disable.status).toBe(303);
    expect(disable.location).toMatch(/^\/admin\/users\?q=[^&]+&done=disable&user=\d+/);
    expect(pageText((await adminClient.get(disable.location!)).text)).toContain(en.admin.users.done.disable);
    expect((await userRow(person.id)).status).toBe("disabled");

    // Their open session fails on the very next request…
    const me = await theirs.get("/me");
    expect(me.status).toBe(302);
    expect(me.location).toBe("/login?redirectTo=%2Fme");
    // …only theirs…
    expect((await bystander.get("/me")).status).toBe(200);
    // …and sign-in is refused with a plain message.
    const again = await new Client(server.url).post("/login", { email: person.email, password: person.password });
    expect(again.status).toBe(403);
    expect(pageText(again.text)).toContain(en.errors.accountDisabled);
    expect(again.headers.getSetCookie().some((c) => c.startsWith("mashwara_session=") && !/max-age=0/i.test(c))).toBe(false);
    expect(pageText((await adminClient.get(`/admin/users?q=${encodeURIComponent(person.email)}`)).text)).toContain(en.userStatus.disabled);

    // Enable: they sign in again.
    const enable = await adminClient.post("/admin/users", { intent: "enable", email: person.email });
    expect(enable.status).toBe(303);
    const back = await signedIn(server.url, person);
    expect((await back.get("/me")).status).toBe(200);
    expect((await back.get("/organiser")).status).toBe(403);

    // A role change (by email, as docs/contract.md allows) ends their sessions; signing in again gives the new role.
    const role = await adminClient.post("/admin/users", { intent: "role", email: person.email.toUpperCase(), role: "organiser" });
    expect(role.status).toBe(303);
    expect(role.location).toMatch(/done=role/);
    expect((await userRow(person.id)).role).toBe("organiser");
    const stale = await back.get("/me");
    expect(stale.status).toBe(302);
    expect(stale.location).toBe("/login?redirectTo=%2Fme");
    const promoted = await signedIn(server.url, person);
    expect((await promoted.get("/organiser")).status).toBe(200);

    // End all sessions.
    expect(await sessionCount(person.id)).toBe(1);
    const end = await adminClient.post("/admin/users", { intent: "end-sessions", userId: String(person.id) });
    expect(end.status).toBe(303);
    expect(await sessionCount(person.id)).toBe(0);
    expect((await promoted.get("/me")).status).toBe(302);

    // The audit log shows each change, by whom, before and after, with a link to the user.
    const audit = await adminClient.get(`/admin/audit?action=user.&actor=${encodeURIComponent(admin.email)}`);
    expect(audit.status).toBe(200);
    const text = pageText(audit.text);
    for (const action of ["user.disable", "user.enable", "user.role", "user.end-sessions"]) expect(text).toContain(action);
    // Each action also named in words, in the reader's language.
    for (const label of [
      en.admin.audit.actions.user.disable,
      en.admin.audit.actions.user.enable,
      en.admin.audit.actions.user.role,
      en.admin.audit.actions.user["end-sessions"],
    ])
      expect(text).toContain(label);
    expect(text).toContain("Head Admin");
    expect(text).toContain(admin.email);
    expect(audit.text).toContain(`href="/admin/users/${person.id}"`);
    expect(text).toMatch(/role\s*:\s*stakeholder\s*→\s*organiser/);
    expect(text).toMatch(/status\s*:\s*active\s*→\s*disabled/);
    expect(text).toContain("127.0.0.1");
    const rows = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "ip"])
      .where("target_type", "=", "user")
      .where("target_id", "=", String(person.id))
      .where("action", "!=", "user.create")
      .orderBy("id")
      .execute();
    expect(rows.map((r) => r.action)).toEqual(["user.disable", "user.enable", "user.role", "user.end-sessions"]);
    expect(rows.every((r) => r.actor_id === admin.id && r.ip === "127.0.0.1")).toBe(true);
  });

  it("the per-user page: profile, organisation, sessions, audit entries about them; its forms act on that user", async () => {
    const person = await makeUser(t.db, { displayName: "Detail Person" });
    await signedIn(server.url, person);
    await signedIn(server.url, person);
    const page = await adminClient.get(`/admin/users/${person.id}`);
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    expect(text).toContain("Detail Person");
    expect(text).toContain(person.email);
    expect(text).toContain("Sialkot");
    expect(text).toContain(en.admin.users.sessions);
    expect(text).toContain("user.create");
    expect(page.text).toContain(`href="/admin/audit?actor=${person.id}"`);
    expect(page.text).not.toMatch(/argon2/);

    const res = await adminClient.post(`/admin/users/${person.id}`, { intent: "disable" });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/users/${person.id}?done=disable`);
    expect((await userRow(person.id)).status).toBe("disabled");
    expect(await sessionCount(person.id)).toBe(0);
    // The URL names the user: a userId or email in the form cannot redirect the action to someone else.
    const other = await makeUser(t.db);
    expect(
      (await adminClient.post(`/admin/users/${person.id}`, { intent: "disable", userId: String(other.id), email: other.email })).status,
    ).toBe(303);
    expect((await userRow(other.id)).status).toBe("active");

    for (const path of ["/admin/users/999999999", "/admin/users/abc", "/admin/users/0", "/admin/users/1e3"]) {
      expect((await adminClient.get(path)).status, path).toBe(404);
    }
    expect((await adminClient.post("/admin/users/999999999", { intent: "enable" })).status).toBe(404);
  });

  it("bad input is a 400 with the reason, an unknown user a 404; nothing changes; never a 500", async () => {
    const person = await makeUser(t.db);
    const before = await auditCount();
    const bad: Array<Record<string, string | string[]>> = [
      {},
      { intent: "delete", userId: String(person.id) },
      { intent: "", userId: String(person.id) },
      { intent: "role", userId: String(person.id) },
      { intent: "role", userId: String(person.id), role: "root" },
      { intent: "role", userId: String(person.id), role: "ADMIN" },
      { intent: "disable" },
      { intent: "disable", userId: "abc" },
      { intent: "disable", userId: "-1" },
      { intent: "disable", userId: "0" },
      { intent: "disable", userId: "1.5" },
      { intent: "disable", userId: "99999999999999999999" },
      { intent: "disable", email: "not an email" },
      { intent: "disable", email: `${"x".repeat(400)}@example.pk` },
    ];
    for (const form of bad) {
      const res = await adminClient.post("/admin/users", form);
      expect(res.status, JSON.stringify(form)).toBe(400);
    }
    const noIntent = await adminClient.post("/admin/users", { userId: String(person.id) });
    expect(pageText(noIntent.text)).toContain(en.admin.users.errors.intent);
    const noRole = await adminClient.post("/admin/users", { intent: "role", userId: String(person.id), role: "root" });
    expect(pageText(noRole.text)).toContain(en.admin.users.errors.role);

    const unknown: Array<Record<string, string>> = [
      { intent: "disable", userId: "2000000000" },
      { intent: "role", userId: "2000000000", role: "admin" },
      { intent: "end-sessions", email: uniqueEmail("ghost") },
    ];
    for (const form of unknown) {
      const res = await adminClient.post("/admin/users", form);
      expect(res.status, JSON.stringify(form)).toBe(404);
      expect(pageText(res.text)).toContain(en.admin.users.refused.notFound);
    }
    // Not a form at all, or a body that is not text.
    const json = await adminClient.request("/admin/users", {
      method: "POST",
      body: JSON.stringify({ intent: "disable", userId: person.id }),
      headers: { "Content-Type": "application/json", Origin: server.url },
    });
    expect(json.status).toBe(415);
    const nul = await adminClient.post("/admin/users", { intent: "disable", email: "a\u0000@b.pk" });
    expect(nul.status).toBe(400);

    expect(await userRow(person.id)).toEqual({ role: "stakeholder", status: "active" });
    expect(await auditCount()).toBe(before);
  });

  it("an admin cannot demote or disable themselves (422 with the reason); they stay signed in", async () => {
    const self = await makeUser(t.db, { role: "admin" });
    const client = await signedIn(server.url, self);
    const before = await auditCount();
    const demotions: Array<Record<string, string>> = [
      { intent: "role", userId: String(self.id), role: "organiser" },
      { intent: "role", email: self.email, role: "stakeholder" },
    ];
    for (const form of demotions) {
      const res = await client.post("/admin/users", form);
      expect(res.status).toBe(422);
      expect(pageText(res.text)).toContain(en.admin.users.refused.selfRole);
    }
    const disable = await client.post("/admin/users", { intent: "disable", userId: String(self.id) });
    expect(disable.status).toBe(422);
    expect(pageText(disable.text)).toContain(en.admin.users.refused.selfDisable);
    expect((await client.post(`/admin/users/${self.id}`, { intent: "disable" })).status).toBe(422);
    expect(await userRow(self.id)).toEqual({ role: "admin", status: "active" });
    expect(await auditCount()).toBe(before);
    expect((await client.get("/admin/users")).status).toBe(200);
    // Their own row offers no role change and no disabling.
    const own = await client.get(`/admin/users/${self.id}`);
    expect(own.text).not.toMatch(/name="intent" value="disable"/);
    expect(own.text).not.toMatch(/name="intent" value="role"/);
    expect(pageText(own.text)).toContain(en.admin.users.selfHint);
  });

  it("account actions: confirm an address, email a reset link (the admin never sees it), turn two-factor off; audited", async () => {
    const person = await makeUser(t.db, { displayName: "Mail Never Arrives", emailConfirmed: false });
    await t.db.updateTable("users").set({ email_confirmed_at: null }).where("id", "=", person.id).execute();
    const page = await adminClient.get(`/admin/users/${person.id}`);
    expect(pageText(page.text)).toContain(en.admin.users.emailUnconfirmed);
    expect(page.text).toMatch(/name="intent" value="confirm-email"/);
    expect(page.text).toMatch(/name="intent" value="send-reset"/);
    // Two-factor is off: nothing to turn off.
    expect(page.text).not.toMatch(/name="intent" value="reset-two-factor"/);

    const confirm = await adminClient.post(`/admin/users/${person.id}`, { intent: "confirm-email" });
    expect([confirm.status, confirm.location]).toEqual([303, `/admin/users/${person.id}?done=confirm-email`]);
    const row = await t.db.selectFrom("users").select("email_confirmed_at").where("id", "=", person.id).executeTakeFirstOrThrow();
    expect(row.email_confirmed_at).not.toBeNull();
    expect((await adminClient.get(`/admin/users/${person.id}`)).text).not.toMatch(/name="intent" value="confirm-email"/);

    const reset = await adminClient.post("/admin/users", { intent: "send-reset", email: person.email.toUpperCase() });
    expect(reset.status).toBe(303);
    const mail = await t.db.selectFrom("email_outbox").select("body").where("to_email", "=", person.email).executeTakeFirstOrThrow();
    const link = mail.body.match(/\/reset-password\/[a-z2-7]{32}/)?.[0];
    expect(link).toBeTruthy();
    // The admin's pages never show the link.
    const after = await adminClient.get(`/admin/users/${person.id}`);
    expect(after.text).not.toContain(link!);
    expect(pageText(after.text)).toContain("user.password-reset-link");

    // Two-factor on (as the enrolment leaves it), then an admin turns it off.
    await t.db
      .updateTable("users")
      .set({ two_factor_secret: "JBSWY3DPEHPK3PXP", two_factor_enabled_at: new Date().toISOString() })
      .where("id", "=", person.id)
      .execute();
    const theirs = await signedIn(server.url, person);
    expect(await sessionCount(person.id)).toBeGreaterThan(0);
    expect((await adminClient.get(`/admin/users/${person.id}`)).text).toMatch(/name="intent" value="reset-two-factor"/);
    const off = await adminClient.post(`/admin/users/${person.id}`, { intent: "reset-two-factor" });
    expect(off.status).toBe(303);
    const tf = await t.db
      .selectFrom("users")
      .select(["two_factor_secret", "two_factor_enabled_at"])
      .where("id", "=", person.id)
      .executeTakeFirstOrThrow();
    expect(tf).toEqual({ two_factor_secret: null, two_factor_enabled_at: null });
    expect(await sessionCount(person.id)).toBe(0);
    expect((await theirs.get("/me")).status).toBe(302);
    const actions = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("target_id", "=", String(person.id))
      .where("action", "!=", "user.create")
      .orderBy("id")
      .execute();
    expect(actions).toEqual([
      { action: "user.email-confirm", actor_id: admin.id },
      { action: "user.password-reset-link", actor_id: admin.id },
      { action: "user.two-factor-reset", actor_id: admin.id },
    ]);
  });

  it("a reset link for a disabled account is refused (409); an admin cannot turn off their own two-factor here (422)", async () => {
    const person = await makeUser(t.db);
    await adminClient.post("/admin/users", { intent: "disable", userId: String(person.id) });
    const reset = await adminClient.post("/admin/users", { intent: "send-reset", userId: String(person.id) });
    expect(reset.status).toBe(409);
    expect(pageText(reset.text)).toContain(en.admin.users.refused.inactive);
    expect(await t.db.selectFrom("account_tokens").select("id").where("user_id", "=", person.id).execute()).toEqual([]);
    const self = await adminClient.post("/admin/users", { intent: "reset-two-factor", userId: String(admin.id) });
    expect(self.status).toBe(422);
    expect(pageText(self.text)).toContain(en.admin.users.refused.selfTwoFactor);
  });

  describe("only admins", () => {
    const targetForm = (intent: (typeof INTENTS)[number], userId: number) => ({ intent, userId: String(userId), role: "admin" });

    it.each(["stakeholder", "moderator", "organiser"] as const)("as %s: 403 on GET and on every POST, nothing changes", async (role) => {
      const someone = await makeUser(t.db, { role });
      const client = await signedIn(server.url, someone);
      const victim = await makeUser(t.db);
      await signedIn(server.url, victim);
      const before = await auditCount();
      for (const path of ["/admin/users", `/admin/users/${victim.id}`, "/admin/audit", "/admin/users/999999999"]) {
        expect((await client.get(path)).status, path).toBe(403);
      }
      for (const intent of INTENTS) {
        expect((await client.post("/admin/users", targetForm(intent, victim.id))).status, intent).toBe(403);
        expect((await client.post(`/admin/users/${victim.id}`, targetForm(intent, victim.id))).status, intent).toBe(403);
        // Not even on themselves.
        expect((await client.post("/admin/users", targetForm(intent, someone.id))).status, intent).toBe(403);
      }
      expect((await client.post("/admin/audit", { intent: "delete" })).status).toBe(403);
      expect(await userRow(victim.id)).toEqual({ role: "stakeholder", status: "active" });
      expect(await userRow(someone.id)).toEqual({ role, status: "active" });
      expect(await sessionCount(victim.id)).toBe(1);
      expect(await auditCount()).toBe(before);
    });

    it("visitors are sent to sign in, on GET and on every POST", async () => {
      const visitor = new Client(server.url);
      const victim = await makeUser(t.db);
      for (const path of ["/admin/users", `/admin/users/${victim.id}`, "/admin/audit"]) {
        const res = await visitor.get(path);
        expect(res.status, path).toBe(302);
        expect(res.location).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
      }
      for (const intent of INTENTS) {
        for (const path of ["/admin/users", `/admin/users/${victim.id}`]) {
          const res = await visitor.post(path, targetForm(intent, victim.id));
          expect(res.status, `${intent} ${path}`).toBe(302);
          expect(res.location).toMatch(/^\/login\?redirectTo=/);
        }
      }
      const audit = await visitor.post("/admin/audit", {});
      expect(audit.status).toBe(302);
      expect(audit.location).toMatch(/^\/login\?redirectTo=/);
      expect(await userRow(victim.id)).toEqual({ role: "stakeholder", status: "active" });
    });
  });
});

describe(`/admin/audit over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let admin: MadeUser;
  let adminClient: Client;
  let moderator: MadeUser;

  beforeAll(async () => {
    admin = await makeUser(t.db, { role: "admin" });
    moderator = await makeUser(t.db, { role: "moderator", displayName: "Mod Erator" });
    adminClient = await signedIn(server.url, admin);
    // 55 entries under a private prefix, one a day from 1 November 2026, by the moderator.
    for (let i = 0; i < 55; i++) {
      await recordAudit(
        t.db,
        {
          actorId: moderator.id,
          actorRole: "moderator",
          action: `zz.page_${String(i).padStart(2, "0")}`,
          targetType: "submission",
          targetId: 7,
          before: { n: i },
          after: { n: i + 1 },
          reason: `reason ${i}`,
        },
        new Date(Date.UTC(2026, 10, 1 + i, 12)),
      );
    }
  });

  const shown = (html: string) => [...pageText(html).matchAll(/zz\.page_(\d\d)/g)].map((m) => Number(m[1]));

  it("50 a page, newest first, with the filters kept in the pager's links", async () => {
    const p1 = await adminClient.get("/admin/audit?action=zz.page_");
    expect(p1.status).toBe(200);
    expect(shown(p1.text)).toEqual(Array.from({ length: 50 }, (_, i) => 54 - i));
    const next = p1.text.match(/href="(\/admin\/audit\?[^"]*page=2[^"]*)"/)?.[1];
    expect(next).toBeDefined();
    expect(next!.replace(/&amp;/g, "&")).toContain("action=zz.page_");
    const p2 = await adminClient.get(next!.replace(/&amp;/g, "&"));
    expect(shown(p2.text)).toEqual([4, 3, 2, 1, 0]);
    expect(p2.text).not.toMatch(/page=3/);
  });

  it("entries show time, actor, action, target (a link to the suggestion), before/after, reason", async () => {
    const res = await adminClient.get("/admin/audit?action=zz.page_54");
    const text = pageText(res.text);
    expect(text).toContain("Mod Erator");
    expect(text).toContain(moderator.email);
    expect(text).toContain(en.role.moderator);
    expect(text).toMatch(/\bn\s*:\s*54\s*→\s*55\b/);
    expect(text).toContain("reason 54");
    expect(text).toContain("2026-12-25 12:00:00");
    expect(res.text).toContain('href="/submissions/7"');
  });

  it("filters by actor (id or email), action prefix and a range of UTC days, both ends included", async () => {
    const byEmail = await adminClient.get(`/admin/audit?actor=${encodeURIComponent(moderator.email.toUpperCase())}&action=zz.`);
    expect(shown(byEmail.text)).toHaveLength(50);
    const byId = await adminClient.get(`/admin/audit?actor=${admin.id}&action=zz.`);
    expect(shown(byId.text)).toEqual([]);
    const unknown = await adminClient.get(`/admin/audit?actor=${encodeURIComponent(uniqueEmail("nobody"))}`);
    expect(unknown.status).toBe(200);
    expect(pageText(unknown.text)).toContain(en.admin.audit.unknownActor);

    // 1–3 November 2026 (UTC): entries 0, 1, 2.
    const range = await adminClient.get("/admin/audit?action=zz.&from=2026-11-01&to=2026-11-03");
    expect(shown(range.text)).toEqual([2, 1, 0]);
    const oneDay = await adminClient.get("/admin/audit?action=zz.&from=2026-12-25&to=2026-12-25");
    expect(shown(oneDay.text)).toEqual([54]);
    const fromOnly = await adminClient.get("/admin/audit?action=zz.&from=2026-12-24");
    expect(shown(fromOnly.text)).toEqual([54, 53]);
    const reversed = await adminClient.get("/admin/audit?action=zz.&from=2026-12-25&to=2026-11-01");
    expect(shown(reversed.text)).toEqual([]);
  });

  it("security events are filterable: failed sign-ins, access denied", async () => {
    await new Client(server.url).post("/login", { email: moderator.email, password: "wrong password entirely" });
    const mod = await signedIn(server.url, moderator);
    expect((await mod.get("/admin/audit")).status).toBe(403);
    const failures = await adminClient.get("/admin/audit?action=security.login.failure");
    expect(pageText(failures.text)).toContain("security.login.failure");
    expect(pageText(failures.text)).toContain(moderator.email.toLowerCase());
    const denied = await adminClient.get(`/admin/audit?action=security.access&actor=${moderator.id}`);
    expect(pageText(denied.text)).toContain("security.access.denied");
    expect(pageText(denied.text)).toContain("/admin/audit");
    const rate = await adminClient.get("/admin/audit?action=security.rate_limit");
    expect(rate.status).toBe(200);
    // The shortcuts lead there.
    expect((await adminClient.get("/admin/audit")).text).toContain('href="/admin/audit?action=security.login.failure"');
  });

  it("malformed filter values are ignored with a notice, never a 500", async () => {
    const queries = [
      "from=2026-02-30",
      "from=yesterday&to=9999-99-99",
      "actor=%27%20or%201%3D1",
      "actor=99999999999",
      "actor=a%00b",
      "action=%3Cscript%3E",
      "action=a%25",
      "action=" + "a".repeat(500),
      "page=-1",
      "page=abc",
      "page=99999999999",
      "action=zz.&action=security.",
      "from=%FF%FE",
      "to=2026-12-01T00:00",
    ];
    for (const q of queries) {
      const res = await adminClient.get(`/admin/audit?${q}`);
      // A NUL byte anywhere in a query is refused before the page (400) by the server.
      expect(res.status, q).toBe(q.includes("%00") ? 400 : 200);
    }
    const res = await adminClient.get("/admin/audit?from=2026-02-30&actor=%27%20or%201%3D1");
    expect(pageText(res.text)).toContain(
      en.admin.audit.ignored.replace("{{fields}}", `${en.admin.audit.field.actor}, ${en.admin.audit.field.from}`),
    );
  });

  it("entries are never changed through the app: POST is 405 whatever it says, and the log is as it was", async () => {
    const snapshot = async () => t.db.selectFrom("audit_log").selectAll().orderBy("id").execute();
    const before = await snapshot();
    const forms: Array<Record<string, string>> = [
      {},
      { intent: "delete", id: String(before[0].id) },
      { intent: "update", id: String(before[0].id), action: "x" },
      { _method: "DELETE" },
    ];
    for (const form of forms) {
      const res = await adminClient.post("/admin/audit", form);
      expect(res.status, JSON.stringify(form)).toBe(405);
    }
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const res = await adminClient.request("/admin/audit", { method, headers: { Origin: server.url } });
      expect([403, 404, 405], method).toContain(res.status);
    }
    expect(await snapshot()).toEqual(before);
  });
});
