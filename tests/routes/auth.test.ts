// Registration, sign-in and sign-out over real HTTP, as a browser without
// JavaScript sends them (plain form posts, field names per docs/contract.md).
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { GOOD_PASSWORD, makeUser, registrationForm, uniqueEmail } from "../support/factories";
import { Client, formHtml, inputValue, pageText, SESSION_COOKIE, setCookieLine, signIn } from "../support/http";
import { selectedOption } from "../support/pages";
import { useServer } from "../support/suite";

describe(`registration, sign-in, sign-out (${testDialect})`, () => {
  // Many registrations from one address in this file; the per-IP limit has its own tests.
  const { t, server } = useServer({ env: { REGISTRATIONS_PER_IP: "1000" } });

  const userByEmail = (email: string) =>
    t.db.selectFrom("users").selectAll().where("email_normalised", "=", email.toLowerCase()).executeTakeFirst();

  describe("register", () => {
    it("GET /register shows the form with the contract's field names and the honeypot", async () => {
      const res = await new Client(server.url).get("/register");
      expect(res.status).toBe(200);
      for (const name of ["email", "password", "displayName", "organisationName", "city", "registrationNumber", "website"]) {
        expect(res.text).toMatch(new RegExp(`<input[^>]*name="${name}"`));
      }
      for (const name of ["organisationType", "sizeBand", "province", "cluster"]) {
        expect(res.text).toMatch(new RegExp(`<select[^>]*name="${name}"`));
      }
    });

    it("signs the new user in (HttpOnly, SameSite=Lax session cookie) and redirects to /me", async () => {
      const client = new Client(server.url);
      const form = registrationForm({ displayName: "Amina Sheikh", organisationName: "Sialkot Tanners Ltd", city: "Sialkot" });
      const res = await client.post("/register", form);
      expect([302, 303]).toContain(res.status);
      expect(res.location).toBe("/me");
      const cookie = setCookieLine(res.headers, SESSION_COOKIE);
      expect(cookie).not.toBeNull();
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
      expect(cookie).not.toMatch(/;\s*Secure/i); // plain http origin
      expect(client.cookies.get(SESSION_COOKIE)).toMatch(/^[A-Za-z0-9]{20,}$/);

      const me = await client.get("/me");
      expect(me.status).toBe(200);
      const text = pageText(me.text);
      expect(text).toContain("Amina Sheikh");
      expect(text).toContain(form.email);
      expect(text).toContain("Sialkot Tanners Ltd");
      expect(text).toContain("Stakeholder");

      const row = await userByEmail(form.email);
      expect(row).toMatchObject({ role: "stakeholder", status: "active", display_name: "Amina Sheikh" });
      // argon2id, memory ≥ 19 MiB, iterations ≥ 2 (OWASP ASVS 5.0 appendix C).
      const params = row!.password_hash.match(/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/);
      expect(params, row!.password_hash.slice(0, 40)).not.toBeNull();
      expect(Number(params![1])).toBeGreaterThanOrEqual(19_456);
      expect(Number(params![2])).toBeGreaterThanOrEqual(2);
      expect(row!.password_hash).not.toContain(form.password);
      const sessions = await t.db.selectFrom("sessions").select("id").where("user_id", "=", row!.id).execute();
      expect(sessions).toHaveLength(1);
      // Only the token's hash is stored.
      expect(sessions[0].id).not.toBe(client.cookies.get(SESSION_COOKIE));

      // A signed-in user who opens /register or /login is sent on.
      const again = await client.get("/register");
      expect(again.status).toBe(302);
    });

    it("refuses an email already taken in another case: 400, typed values kept, password not echoed", async () => {
      const email = uniqueEmail("Taken");
      expect((await new Client(server.url).post("/register", registrationForm({ email }))).status).toBe(302);

      const secret = "Zebra crossing at dusk 4417";
      const res = await new Client(server.url).post(
        "/register",
        registrationForm({
          email: email.toUpperCase(),
          password: secret,
          displayName: "Bilal Qureshi",
          organisationName: "Gujranwala Cutlery Works",
          organisationType: "association",
          sizeBand: "medium",
          city: "Gujranwala",
          province: "sindh",
          cluster: "surgical-instruments",
          registrationNumber: "0987654-3",
        }),
      );
      expect(res.status).toBe(400);
      expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
      expect(pageText(res.text)).toContain(en.errors.emailTaken);
      expect(inputValue(res.text, "email")).toBe(email.toUpperCase());
      expect(inputValue(res.text, "displayName")).toBe("Bilal Qureshi");
      expect(inputValue(res.text, "organisationName")).toBe("Gujranwala Cutlery Works");
      expect(inputValue(res.text, "city")).toBe("Gujranwala");
      expect(inputValue(res.text, "registrationNumber")).toBe("0987654-3");
      expect(selectedOption(res.text, "organisationType")).toBe("association");
      expect(selectedOption(res.text, "sizeBand")).toBe("medium");
      expect(selectedOption(res.text, "province")).toBe("sindh");
      expect(selectedOption(res.text, "cluster")).toBe("surgical-instruments");
      // Nowhere in the page, not even in the hydration data.
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain(encodeURIComponent(secret));
      expect(inputValue(res.text, "password")).toBe("");

      const rows = await t.db.selectFrom("users").select("id").where("email_normalised", "=", email.toLowerCase()).execute();
      expect(rows).toHaveLength(1);
    });

    it("refuses a password shorter than 8 characters with 400", async () => {
      const form = registrationForm({ password: "Ab3$xyz" });
      const res = await new Client(server.url).post("/register", form);
      expect(res.status).toBe(400);
      expect(pageText(res.text)).toContain(en.errors.passwordTooShort);
      expect(res.text).not.toContain("Ab3$xyz");
      expect(await userByEmail(form.email)).toBeUndefined();
    });

    it("accepts exactly 8 characters and refuses more than 256", async () => {
      const ok = registrationForm({ password: "zq8#Lm2!" });
      expect((await new Client(server.url).post("/register", ok)).status).toBe(302);
      const long = registrationForm({ password: "a quiet river ".repeat(19) }); // 266 characters
      const res = await new Client(server.url).post("/register", long);
      expect(res.status).toBe(400);
      expect(pageText(res.text)).toContain(en.errors.passwordTooLong);
      expect(await userByEmail(long.email)).toBeUndefined();
    });

    it.each(["password1", "Pakistan123", "iloveyou2"])("refuses the common password %s with 400 and says why", async (password) => {
      const form = registrationForm({ password });
      const res = await new Client(server.url).post("/register", form);
      expect(res.status).toBe(400);
      expect(pageText(res.text)).toContain(en.errors.passwordCommon);
      expect(await userByEmail(form.email)).toBeUndefined();
    });

    it("refuses a password built on the site's own words", async () => {
      const form = registrationForm({ password: "Mashwara2026!" });
      const res = await new Client(server.url).post("/register", form);
      expect(res.status).toBe(400);
      expect(pageText(res.text)).toContain(en.errors.passwordContext);
    });

    it("refuses missing fields with 400, listing each in the error summary", async () => {
      const res = await new Client(server.url).post("/register", { email: uniqueEmail("partial"), displayName: "Zara" });
      expect(res.status).toBe(400);
      const text = pageText(res.text);
      expect(res.text).toContain('class="error-summary"');
      expect(text).toContain(en.errors.required);
      for (const label of ["password", "organisationName", "organisationType", "sizeBand", "city", "province", "cluster"] as const) {
        expect(text).toContain(`${en.register[label]}: `);
      }
      expect(res.text).toMatch(/href="#register-password"/);
      const empty = await new Client(server.url).post("/register", {});
      expect(empty.status).toBe(400);
    });

    it("refuses invalid values (bad email, unknown province, unknown cluster) with 400", async () => {
      const invalid: Array<Record<string, string>> = [
        { email: "not-an-email" },
        { province: "atlantis" },
        { cluster: "shipbuilding" },
        { sizeBand: "huge" },
      ];
      for (const overrides of invalid) {
        const form = registrationForm(overrides);
        const res = await new Client(server.url).post("/register", form);
        expect(res.status, JSON.stringify(overrides)).toBe(400);
        expect(res.text).toContain('class="error-summary"');
      }
      expect(await t.db.selectFrom("users").select("id").where("email", "=", "not-an-email").executeTakeFirst()).toBeUndefined();
    });

    it("refuses a filled honeypot field with 400 and creates no user", async () => {
      const form = registrationForm({ website: "https://cheap-seo.example" });
      const res = await new Client(server.url).post("/register", form);
      expect(res.status).toBe(400);
      expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
      expect(pageText(res.text)).toContain(en.errors.honeypot);
      expect(await userByEmail(form.email)).toBeUndefined();
      // Counted, not an audit row: no one is signed in (ADR 0020).
      const counted = await t.db
        .selectFrom("security_event_counts")
        .select("count")
        .where("kind", "=", "honeypot")
        .where("last_target", "=", "/register")
        .execute();
      expect(counted.length).toBeGreaterThanOrEqual(1);
    });

    it("joins colleagues who give the same registration number to one organisation (once a member approves)", async () => {
      const first = registrationForm({
        organisationName: "Karachi Pharma Labs",
        registrationNumber: "SECP-0042117",
        cluster: "pharmaceutical",
      });
      const second = registrationForm({
        organisationName: "KPL (Karachi)",
        registrationNumber: " secp-0042117 ",
        cluster: "pharmaceutical",
      });
      const third = registrationForm({
        organisationName: "Karachi Pharma Labs",
        registrationNumber: "SECP-0042118",
        cluster: "pharmaceutical",
      });
      for (const form of [first, second, third]) expect((await new Client(server.url).post("/register", form)).status).toBe(302);
      // Issue 15: the second colleague's registration is a request to join; the first approves it on /me/organisation.
      const pending = await userByEmail(second.email);
      expect(pending!.organisation_id).toBeNull();
      const founder = new Client(server.url);
      expect((await signIn(founder, first.email, first.password)).status).toBe(302);
      expect((await founder.post("/me/organisation", { intent: "approve", userId: String(pending!.id) })).status).toBe(303);
      const [a, b, c] = await Promise.all([first, second, third].map((f) => userByEmail(f.email)));
      expect(a!.organisation_id).not.toBeNull();
      expect(b!.organisation_id).toBe(a!.organisation_id);
      expect(c!.organisation_id).not.toBe(a!.organisation_id);
      const orgs = await t.db
        .selectFrom("organisations")
        .select(["id", "name"])
        .where("registration_number", "=", "SECP-0042117")
        .execute();
      expect(orgs).toEqual([{ id: a!.organisation_id, name: "Karachi Pharma Labs" }]);

      // The second colleague's page shows the organisation they joined.
      const client = new Client(server.url);
      expect((await signIn(client, second.email, second.password)).status).toBe(302);
      expect(pageText((await client.get("/me")).text)).toContain("Karachi Pharma Labs");
    });
  });

  describe("sign in", () => {
    it("GET /login shows the form with a local redirectTo only", async () => {
      const local = await new Client(server.url).get("/login?redirectTo=%2Fclusters%2Fit");
      expect(local.status).toBe(200);
      expect(inputValue(formHtml(local.text, "login"), "redirectTo")).toBe("/clusters/it");
      const evil = await new Client(server.url).get("/login?redirectTo=https%3A%2F%2Fevil.example");
      expect(inputValue(formHtml(evil.text, "login"), "redirectTo")).toBe("/me");
    });

    it("a wrong password answers 400 with a message and no session", async () => {
      const user = await makeUser(t.db);
      const client = new Client(server.url);
      const res = await signIn(client, user.email, "not the right passphrase");
      expect(res.status).toBe(400);
      expect(pageText(res.text)).toContain(en.errors.invalidCredentials);
      expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
      expect(inputValue(res.text, "email")).toBe(user.email);
      expect(res.text).not.toContain("not the right passphrase");
      // An unknown account gets the very same answer.
      const unknown = await signIn(new Client(server.url), uniqueEmail("ghost"), "not the right passphrase");
      expect(unknown.status).toBe(400);
      expect(pageText(unknown.text)).toContain(en.errors.invalidCredentials);
      // Missing fields are a 400 too.
      expect((await new Client(server.url).post("/login", {})).status).toBe(400);
    });

    it("the right password redirects to /me with a NEW session id every time", async () => {
      const user = await makeUser(t.db, { displayName: "Farah Naz" });
      const client = new Client(server.url);
      // A session id planted by an attacker is never adopted.
      client.cookies.set(SESSION_COOKIE, "attackerChosenSessionId0000000000");
      const first = await signIn(client, user.email.toUpperCase(), user.password);
      expect([302, 303]).toContain(first.status);
      expect(first.location).toBe("/me");
      const id1 = client.cookies.get(SESSION_COOKIE)!;
      expect(id1).toBeDefined();
      expect(id1).not.toBe("attackerChosenSessionId0000000000");
      expect(pageText((await client.get("/me")).text)).toContain("Farah Naz");

      // Signing in again (already signed in) issues another id and ends the old session.
      const old = new Client(server.url);
      old.cookies.set(SESSION_COOKIE, id1);
      const second = await signIn(client, user.email, user.password);
      expect([302, 303]).toContain(second.status);
      const id2 = client.cookies.get(SESSION_COOKIE)!;
      expect(id2).not.toBe(id1);
      expect((await client.get("/me")).status).toBe(200);
      const replay = await old.get("/me");
      expect(replay.status).toBe(302);
      expect(replay.location).toBe("/login?redirectTo=%2Fme");

      // A third sign-in from a fresh browser: yet another id; the second session stays valid.
      const other = new Client(server.url);
      await signIn(other, user.email, user.password);
      const id3 = other.cookies.get(SESSION_COOKIE)!;
      expect(new Set([id1, id2, id3]).size).toBe(3);
      expect((await client.get("/me")).status).toBe(200);
    });

    it("honours redirectTo for local paths only", async () => {
      const user = await makeUser(t.db);
      const cases: Array<[string, string]> = [
        ["/clusters/leather?sort=top", "/clusters/leather?sort=top"],
        ["https://evil.example/", "/me"],
        ["//evil.example/path", "/me"],
        ["/\\evil.example", "/me"],
        ["evil.example", "/me"],
        ["", "/me"],
      ];
      for (const [redirectTo, expected] of cases) {
        const res = await signIn(new Client(server.url), user.email, user.password, { redirectTo });
        expect([302, 303], redirectTo).toContain(res.status);
        expect(res.location, redirectTo).toBe(expected);
      }
    });

    it("a filled honeypot on the sign-in form is refused without signing in", async () => {
      const user = await makeUser(t.db);
      const res = await signIn(new Client(server.url), user.email, user.password, { website: "x" });
      expect(res.status).toBe(400);
      expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
    });

    it("a disabled account cannot sign in", async () => {
      const user = await makeUser(t.db);
      await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", user.id).execute();
      const res = await signIn(new Client(server.url), user.email, user.password);
      expect(res.status).toBe(403);
      expect(pageText(res.text)).toContain(en.errors.accountDisabled);
      expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
    });

    it("disabling a signed-in account ends its session at the next request", async () => {
      const user = await makeUser(t.db);
      const client = new Client(server.url);
      await signIn(client, user.email, user.password);
      expect((await client.get("/me")).status).toBe(200);
      await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", user.id).execute();
      const res = await client.get("/me");
      expect(res.status).toBe(302);
      expect(res.location).toBe("/login?redirectTo=%2Fme");
    });
  });

  describe("sign out", () => {
    it("POST /logout ends the session on the server: replaying the old cookie is signed out", async () => {
      const user = await makeUser(t.db, { displayName: "Omar Farooq" });
      const client = new Client(server.url);
      await signIn(client, user.email, user.password);
      const token = client.cookies.get(SESSION_COOKIE)!;
      const home = await client.get("/");
      expect(pageText(home.text)).toContain(en.nav.logout);
      expect(pageText(home.text)).toContain(en.nav.me);

      const out = await client.post("/logout");
      expect([302, 303]).toContain(out.status);
      expect(out.location).toBe("/");
      const cleared = setCookieLine(out.headers, SESSION_COOKIE);
      expect(cleared).toMatch(/^mashwara_session=;|Max-Age=0/i);
      expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

      const replay = new Client(server.url);
      replay.cookies.set(SESSION_COOKIE, token);
      const me = await replay.get("/me");
      expect(me.status).toBe(302);
      expect(me.location).toBe("/login?redirectTo=%2Fme");
      const page = await replay.get("/");
      expect(page.status).toBe(200);
      const text = pageText(page.text);
      expect(text).toContain(en.nav.login);
      expect(text).not.toContain("Omar Farooq");
      expect(text).not.toContain(en.nav.logout);
      const rows = await t.db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute();
      expect(rows).toHaveLength(0);
    });

    it("GET /logout does not sign out", async () => {
      const user = await makeUser(t.db);
      const client = new Client(server.url);
      await signIn(client, user.email, user.password);
      const res = await client.get("/logout");
      expect(res.status).toBe(200);
      expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
      expect(res.text).toMatch(/<form[^>]*method="post"/i);
      expect((await client.get("/me")).status).toBe(200);
      expect(await t.db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute()).toHaveLength(1);
    });

    it("POST /logout when signed out is harmless", async () => {
      const res = await new Client(server.url).post("/logout");
      expect([302, 303]).toContain(res.status);
      expect(res.location).toBe("/");
    });

    it("/me signed out redirects to /login?redirectTo=/me", async () => {
      const res = await new Client(server.url).get("/me");
      expect(res.status).toBe(302);
      expect(res.location).toBe("/login?redirectTo=%2Fme");
    });
  });

  it("the factories' default password is accepted by the rules (sanity)", () => {
    expect(GOOD_PASSWORD.length).toBeGreaterThanOrEqual(15);
  });
});
