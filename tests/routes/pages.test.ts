// Public pages over real HTTP: home, languages, health, not-found pages.
import { describe, expect, it } from "vitest";
import taxonomy from "../../db/taxonomy.json";
import { testDialect } from "../support/db";
import { Client, pageText, setCookieLine } from "../support/http";
import { useServer } from "../support/suite";

const CLUSTERS = taxonomy.clusters;

/** No stack trace or source path ever reaches a page. */
function expectNoStackTrace(html: string) {
  expect(html).not.toMatch(/\bat [^\s<]+ \(?[^\s<]*\.(?:js|ts|tsx):\d+/);
  expect(html).not.toContain("node_modules");
  expect(html).not.toMatch(/\/work\/|file:\/\//);
}

describe(`public pages (${testDialect})`, () => {
  const { server } = useServer();

  it("GET / answers 200 with the active consultation and the five clusters", async () => {
    const res = await new Client(server.url).get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html lang="en" dir="ltr"/);
    const text = pageText(res.text);
    expect(text).toContain(taxonomy.default_consultation.en);
    for (const c of CLUSTERS) {
      expect(res.text).toContain(`href="/clusters/${c.slug}"`);
      expect(text).toContain(c.en);
    }
    expect(CLUSTERS).toHaveLength(5);
  });

  it("serves Urdu, right to left, when the browser prefers Urdu", async () => {
    const res = await new Client(server.url).get("/", { "Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5" });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<html lang="ur" dir="rtl"/);
    const text = pageText(res.text);
    expect(text).toContain("مشورہ");
    for (const c of CLUSTERS) expect(text).toContain(c.ur);
    expect(text).toContain(taxonomy.default_consultation.ur);
  });

  it("falls back to English for a language it does not have", async () => {
    const res = await new Client(server.url).get("/", { "Accept-Language": "fr-FR,fr;q=0.9" });
    expect(res.text).toMatch(/<html lang="en" dir="ltr"/);
  });

  it("POST /language remembers the choice in a cookie and goes back to a local page", async () => {
    const client = new Client(server.url);
    const res = await client.post("/language", { lng: "ur", redirectTo: "/clusters/leather?sort=new" });
    expect([302, 303]).toContain(res.status);
    expect(res.location).toBe("/clusters/leather?sort=new");
    const cookie = setCookieLine(res.headers, "lng");
    expect(cookie).not.toBeNull();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=\d{5,}/i);

    // The cookie wins over the browser's header, on every page.
    const home = await client.get("/", { "Accept-Language": "en" });
    expect(home.text).toMatch(/<html lang="ur" dir="rtl"/);
    const cluster = await client.get("/clusters/leather");
    expect(cluster.text).toMatch(/<html lang="ur" dir="rtl"/);

    const back = await client.post("/language", { lng: "en", redirectTo: "/" });
    expect(back.location).toBe("/");
    expect((await client.get("/", { "Accept-Language": "ur" })).text).toMatch(/<html lang="en" dir="ltr"/);
  });

  it.each([
    ["an absolute URL", "https://evil.example/phish"],
    ["a protocol-relative URL", "//evil.example"],
    ["a backslash trick", "/\\evil.example"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a path with a newline", "/me\r\nSet-Cookie: x=1"],
  ])("POST /language never redirects off-site (%s → /)", async (_label, redirectTo) => {
    const res = await new Client(server.url).post("/language", { lng: "ur", redirectTo });
    expect([302, 303]).toContain(res.status);
    expect(res.location).toBe("/");
  });

  it("POST /language without redirectTo goes home; an unknown language is a 400", async () => {
    const client = new Client(server.url);
    const ok = await client.post("/language", { lng: "ur" });
    expect(ok.location).toBe("/");
    const bad = await new Client(server.url).post("/language", { lng: "de", redirectTo: "/" });
    expect(bad.status).toBe(400);
    expect(setCookieLine(bad.headers, "lng")).toBeNull();
  });

  it("GET /language changes nothing", async () => {
    const res = await new Client(server.url).get("/language?lng=ur&redirectTo=/me");
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(setCookieLine(res.headers, "lng")).toBeNull();
  });

  it("/healthz answers 200 JSON with the database reachable", async () => {
    const res = await new Client(server.url).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(JSON.parse(res.text)).toEqual({ status: "ok", database: testDialect });
  });

  it("/healthz answers the same in any case, with a trailing slash or a query, and to HEAD", async () => {
    // server/app.ts answers the probe before Remix: it matches the paths Remix matched.
    for (const p of ["/HEALTHZ", "/healthz/", "/healthz?probe=1"]) {
      const res = await new Client(server.url).get(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get("content-type"), p).toBe("application/json");
      expect(res.headers.get("cache-control"), p).toBe("no-store");
      expect(res.headers.get("x-content-type-options"), p).toBe("nosniff");
      expect(JSON.parse(res.text), p).toEqual({ status: "ok", database: testDialect });
    }
    const head = await new Client(server.url).request("/healthz", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("application/json");
    expect(head.text).toBe("");
  });

  it("an unknown path answers a 404 page, without a stack trace", async () => {
    const res = await new Client(server.url).get("/no/such/page");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(pageText(res.text)).toContain("Page not found");
    expectNoStackTrace(res.text);
    const post = await new Client(server.url).post("/no/such/page", { a: "b" });
    expect(post.status).toBe(404);
    expectNoStackTrace(post.text);
  });

  it("the 404 page follows the language too", async () => {
    const res = await new Client(server.url).get("/nope", { "Accept-Language": "ur" });
    expect(res.status).toBe(404);
    expect(res.text).toMatch(/<html lang="ur" dir="rtl"/);
  });

  it("/clusters/leather answers 200 with the cluster's names in both languages", async () => {
    const res = await new Client(server.url).get("/clusters/leather");
    expect(res.status).toBe(200);
    const text = pageText(res.text);
    expect(text).toContain("Leather");
    expect(text).toContain("چمڑا سازی");
  });

  it.each(["/clusters/nope", "/clusters/LEATHER", "/clusters/leather%00", "/clusters/%E0%A4%A"])(
    "%s answers 404, never 500",
    async (path) => {
      const res = await new Client(server.url).get(path);
      expect(res.status).toBe(404);
      expectNoStackTrace(res.text);
    },
  );

  it("a nonsense page number on a cluster page is page 1, not an error", async () => {
    for (const page of ["-1", "abc", "99999999999999999999", "1e9"]) {
      const res = await new Client(server.url).get(`/clusters/it?page=${page}`);
      expect(res.status).toBe(200);
    }
  });
});
