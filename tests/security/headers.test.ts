// Response headers: an enforced CSP with a per-request nonce that every
// <script> carries, nosniff, Referrer-Policy, no-store for signed-in pages,
// HSTS and a __Host- Secure session cookie only when the public origin is https.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { makeUser, registrationForm } from "../support/factories";
import { Client, SECURE_SESSION_COOKIE, SESSION_COOKIE, setCookieLine, signIn } from "../support/http";
import { useServer } from "../support/suite";

/** CSP directives by name. */
function cspDirectives(header: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

function nonceOf(header: string | null): string {
  const scriptSrc = cspDirectives(header).get("script-src") ?? [];
  const nonces = scriptSrc.filter((v) => v.startsWith("'nonce-")).map((v) => v.slice(7, -1));
  expect(nonces, `one nonce in script-src: ${header}`).toHaveLength(1);
  return nonces[0];
}

function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/gi) ?? [];
}

describe(`security headers over http (${testDialect})`, () => {
  const { t, server } = useServer();

  it("an enforced CSP with object-src, base-uri and frame-ancestors 'none'", async () => {
    const res = await new Client(server.url).get("/");
    expect(res.headers.get("content-security-policy-report-only")).toBeNull();
    const csp = cspDirectives(res.headers.get("content-security-policy"));
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    const scriptSrc = csp.get("script-src")!;
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc.join(" ")).not.toMatch(/https?:|\*/);
  });

  it.each(["/", "/login", "/register", "/clusters/it", "/no-such-page"])(
    "every <script> on %s carries the response's nonce",
    async (path) => {
      const res = await new Client(server.url).get(path);
      const nonce = nonceOf(res.headers.get("content-security-policy"));
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22,}={0,2}$/);
      const tags = scriptTags(res.text);
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
      // No inline event handlers (a nonce does not cover them).
      expect(res.text).not.toMatch(/<[^>]+\son[a-z]+=["']/i);
    },
  );

  it("every <script> carries the nonce on a 403 page for a signed-in user too", async () => {
    const user = await makeUser(t.db);
    const client = new Client(server.url);
    await signIn(client, user.email, user.password);
    const res = await client.get("/admin");
    expect(res.status).toBe(403);
    const nonce = nonceOf(res.headers.get("content-security-policy"));
    for (const tag of scriptTags(res.text)) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("the nonce changes with every request", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) nonces.add(nonceOf((await new Client(server.url).get("/")).headers.get("content-security-policy")));
    expect(nonces.size).toBe(5);
  });

  it("nosniff, a Referrer-Policy, no framing, no X-Powered-By, on pages, JSON and assets", async () => {
    const asset = fs.readdirSync(path.resolve(__dirname, "../../build/client/assets")).find((f) => f.endsWith(".js"));
    expect(asset).toBeDefined();
    for (const p of ["/", "/healthz", `/assets/${asset}`, "/no-such-page"]) {
      const res = await new Client(server.url).get(p);
      expect(res.headers.get("x-content-type-options"), p).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), p).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
      expect(res.headers.get("x-powered-by"), p).toBeNull();
    }
    const page = await new Client(server.url).get("/");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("no Strict-Transport-Security when the public origin is http", async () => {
    const res = await new Client(server.url).get("/");
    expect(res.headers.get("strict-transport-security")).toBeNull();
    const csp = cspDirectives(res.headers.get("content-security-policy"));
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
  });

  it("Cache-Control: no-store on every page for a signed-in user", async () => {
    const user = await makeUser(t.db);
    const client = new Client(server.url);
    await signIn(client, user.email, user.password);
    for (const p of ["/", "/me", "/clusters/leather", "/logout", "/no-such-page"]) {
      const res = await client.get(p);
      expect(res.headers.get("cache-control"), p).toMatch(/\bno-store\b/);
    }
    // The sign-in response itself, which sets the cookie, is not stored either.
    const again = new Client(server.url);
    const login = await signIn(again, user.email, user.password);
    expect(login.status).toBe(302);
    expect(login.headers.get("cache-control") ?? "").not.toMatch(/\bpublic\b/);
  });

  it("the plain-http session cookie is not Secure and has no __Host- prefix", async () => {
    const res = await new Client(server.url).post("/register", registrationForm());
    expect(res.status).toBe(302);
    expect(setCookieLine(res.headers, SECURE_SESSION_COOKIE)).toBeNull();
    expect(setCookieLine(res.headers, SESSION_COOKIE)).not.toMatch(/;\s*Secure/i);
  });
});

describe(`an https public origin (${testDialect})`, () => {
  const ORIGIN = "https://consult.example.pk";
  const { t, server } = useServer({ env: { ORIGIN, TRUST_PROXY: "1" } });
  /** what a browser on the public site sends through a TLS proxy that passes the public host on */
  const viaProxy = { Origin: ORIGIN, "X-Forwarded-Host": "consult.example.pk", "X-Forwarded-Proto": "https" };

  it("sends HSTS for a year and asks browsers to upgrade insecure requests", async () => {
    const res = await new Client(server.url).get("/");
    expect(res.status).toBe(200);
    const hsts = res.headers.get("strict-transport-security");
    expect(hsts).toMatch(/max-age=(\d+)/);
    expect(Number(hsts!.match(/max-age=(\d+)/)![1])).toBeGreaterThanOrEqual(31_536_000);
    expect(cspDirectives(res.headers.get("content-security-policy")).has("upgrade-insecure-requests")).toBe(true);
  });

  it("names the session cookie __Host-mashwara_session, Secure, Path=/, no Domain", async () => {
    const client = new Client(server.url);
    const form = registrationForm();
    const res = await client.post("/register", form, viaProxy);
    expect(res.status).toBe(302);
    expect(res.location).toBe("/me");
    expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
    const cookie = setCookieLine(res.headers, SECURE_SESSION_COOKIE);
    expect(cookie).not.toBeNull();
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/i);
    expect(cookie).not.toMatch(/;\s*Domain=/i);
    expect((await client.get("/me")).status).toBe(200);

    // Sign-in and the language cookie follow the same rule.
    const user = await makeUser(t.db);
    const other = new Client(server.url);
    const login = await other.post("/login", { email: user.email, password: user.password }, viaProxy);
    expect(login.status).toBe(302);
    expect(setCookieLine(login.headers, SECURE_SESSION_COOKIE)).toMatch(/;\s*Secure/i);
    const lng = await other.post("/language", { lng: "ur", redirectTo: "/" }, viaProxy);
    expect(setCookieLine(lng.headers, "lng")).toMatch(/;\s*Secure/i);
  });

  it("a plain session cookie name is not accepted in place of the __Host- one", async () => {
    const user = await makeUser(t.db);
    const client = new Client(server.url);
    await client.post("/login", { email: user.email, password: user.password }, viaProxy);
    const token = client.cookies.get(SECURE_SESSION_COOKIE)!;
    expect(token).toBeDefined();
    const impostor = new Client(server.url);
    impostor.cookies.set(SESSION_COOKIE, token);
    const me = await impostor.get("/me");
    expect(me.status).toBe(302);
  });

  it("refuses a post whose Origin is the internal http address, not the public origin", async () => {
    const form = registrationForm();
    const res = await new Client(server.url).post("/register", form, { Origin: server.url });
    expect(res.status).toBe(403);
    expect(await t.db.selectFrom("users").select("id").where("email", "=", form.email).executeTakeFirst()).toBeUndefined();
  });

  it("accepts a post from the public origin when the proxy passes its own Host (no 500)", async () => {
    // A TLS proxy that forwards to http://127.0.0.1:PORT with the upstream Host
    // (nginx's default): the browser's Origin is the public origin, which the
    // server was told about in ORIGIN.
    const client = new Client(server.url);
    const form = registrationForm();
    const res = await client.post("/register", form, { Origin: ORIGIN });
    expect(res.status).toBe(302);
    expect(setCookieLine(res.headers, SECURE_SESSION_COOKIE)).toMatch(/;\s*Secure/i);
    expect(await t.db.selectFrom("users").select("id").where("email", "=", form.email).executeTakeFirst()).toBeDefined();
  });
});
