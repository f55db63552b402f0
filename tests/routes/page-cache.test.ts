// The page cache for readers who are not signed in (server/page-cache.ts,
// ADR 0018), over real HTTP against the built server (run `npm run build`
// first). The oracle: after every kind of change, what a cached server answers
// an anonymous reader is exactly what a server without the cache renders at
// that moment (nonces and the servers' own addresses aside), with one worker
// and with two (a write in one worker seen by the other).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveSubmission } from "~/models/moderation.server";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, signIn, type HttpResponse } from "../support/http";
import { startServer, type RunningServer } from "../support/server";

let t: TestDb;
let cached: RunningServer; // one worker: hits are predictable
let twoWorkers: RunningServer;
let plain: RunningServer; // PAGE_CACHE_SECONDS=0
let shortLived: RunningServer; // PAGE_CACHE_SECONDS=1
let author: MadeUser;
let moderator: MadeUser;
let supporter: MadeUser;
let first: number;

const PAGES = () => ["/", "/clusters/leather", "/clusters/leather?sort=top", `/submissions/${first}`, "/recommendations"];

/** The page without what differs by response or server: nonces and the server's own address. */
function normalised(server: RunningServer, html: string): string {
  return html.replaceAll(server.url, "ORIGIN").replace(/nonce="[^"]*"/g, 'nonce=""');
}

async function get(server: RunningServer, path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return new Client(server.url).get(path, headers);
}

/** Anonymous: the cached server's page equals the plain server's, now. */
async function expectCurrent(server: RunningServer, path: string, headers: Record<string, string> = {}) {
  const [fromCache, rendered] = await Promise.all([get(server, path, headers), get(plain, path, headers)]);
  expect(fromCache.status, path).toBe(200);
  expect(normalised(server, fromCache.text), path).toBe(normalised(plain, rendered.text));
  return fromCache;
}

/**
 * Asks until an answer comes from the cache. On SQLite the second ask is one;
 * on PostgreSQL the version is the whole database server's, so another test
 * file writing at that moment costs a retry.
 */
async function hit(server: RunningServer, path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  for (let i = 0; i < (testDialect === "postgres" ? 30 : 2); i++) {
    const r = await get(server, path, headers);
    if (r.headers.get("X-Page-Cache") === "hit") return r;
  }
  throw new Error(`${path}: never served from the cache`);
}

describe("page cache for anonymous readers", () => {
  beforeAll(async () => {
    t = await createTestDb();
    author = await makeUser(t.db, { displayName: "Rukhsana the author" });
    moderator = await makeUser(t.db, { role: "moderator" });
    supporter = await makeUser(t.db, { displayName: "Shahid who supports" });
    first = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Bonded warehouses for leather chemicals" },
    });
    await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Export credit for small tanneries in Kasur" },
    });
    [cached, twoWorkers, plain, shortLived] = await Promise.all([
      startServer({ databaseUrl: t.url, env: { TRUST_PROXY: "1" } }),
      startServer({ databaseUrl: t.url, env: { WEB_CONCURRENCY: "2" } }),
      startServer({ databaseUrl: t.url, env: { PAGE_CACHE_SECONDS: "0" } }),
      startServer({ databaseUrl: t.url, env: { PAGE_CACHE_SECONDS: "1" } }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([cached?.stop(), twoWorkers?.stop(), plain?.stop(), shortLived?.stop()]);
    await t?.destroy();
  });

  it("serves a public page again with a fresh nonce, and nothing internal leaks", async () => {
    for (const path of PAGES()) {
      const miss = await expectCurrent(cached, path);
      expect(miss.headers.get("X-Page-Cache"), path).toMatch(/^(miss|hit)$/);
      const again = await hit(cached, path);
      expect(normalised(cached, again.text), path).toBe(normalised(cached, miss.text));
      // Every script in the page carries this response's nonce, the one its CSP names.
      const csp = again.headers.get("Content-Security-Policy") ?? "";
      const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
      expect(nonce, path).toBeTruthy();
      const nonces = new Set([...again.text.matchAll(/nonce="([^"]*)"/g)].map((m) => m[1]));
      expect([...nonces], path).toEqual([nonce]);
      expect(again.text, path).not.toContain(miss.headers.get("Content-Security-Policy")?.match(/'nonce-([^']+)'/)?.[1] ?? "-");
      expect(again.headers.get("X-Mashwara-Page-Cache"), path).toBeNull();
      expect(again.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
      expect(again.headers.get("Cache-Control")).toBe("private, no-cache");
      expect(again.headers.get("Vary")).toMatch(/Accept-Language, Cookie/);
    }
  });

  it("shows a support sent through the server at once, in both workers", async () => {
    for (const path of PAGES()) await hit(cached, path);
    const client = new Client(twoWorkers.url);
    await signIn(client, supporter.email, supporter.password);
    const before = await get(plain, `/submissions/${first}`);
    const supported = await client.post(`/submissions/${first}/support`, { intent: "support" });
    expect(supported.status).toBe(303);
    const after = await get(plain, `/submissions/${first}`);
    expect(normalised(plain, after.text)).not.toBe(normalised(plain, before.text));
    for (const path of PAGES()) {
      await expectCurrent(cached, path);
      // Several times: the answers come from either worker.
      for (let i = 0; i < 4; i++) await expectCurrent(twoWorkers, path);
    }
  });

  it("shows a change written by another process (the CLI, another instance) at once", async () => {
    for (const path of PAGES()) {
      await hit(cached, path);
      await expectCurrent(twoWorkers, path);
    }
    const id = await makeSubmission(t.db, { authorId: author.id, input: { title: "Common effluent plant for Sialkot tanneries" } });
    const approved = await approveSubmission(t.db, {
      id,
      moderatorId: moderator.id,
      moderatorRole: "moderator",
      categorySlugs: ["export-markets"],
    });
    expect(approved.ok).toBe(true);
    const cluster = await expectCurrent(cached, "/clusters/leather?sort=top");
    expect(cluster.text).toContain("Common effluent plant for Sialkot tanneries");
    for (const path of PAGES()) {
      await expectCurrent(cached, path);
      for (let i = 0; i < 4; i++) await expectCurrent(twoWorkers, path);
    }
  });

  it("never keeps or serves a signed-in reader's page", async () => {
    const client = new Client(cached.url);
    await signIn(client, supporter.email, supporter.password);
    for (const path of PAGES()) {
      const own = await client.get(path);
      expect(own.status).toBe(200);
      expect(own.headers.get("X-Page-Cache"), path).toBeNull();
      expect(own.headers.get("Cache-Control")).toBe("no-store");
      expect(own.text).toContain("Shahid who supports");
      const anonymous = await expectCurrent(cached, path);
      expect(anonymous.text).not.toContain("Shahid who supports");
    }
  });

  it("keeps each language and choice of digits apart", async () => {
    const path = "/clusters/leather?sort=top";
    // The language switch's cookies, as Remix writes them (base64 of JSON).
    const cookie = (name: string, value: string) => `${name}=${encodeURIComponent(Buffer.from(JSON.stringify(value)).toString("base64"))}`;
    const cases: Array<[Record<string, string>, string, boolean]> = [
      [{ "Accept-Language": "ur" }, "ur", true],
      [{ "Accept-Language": "en" }, "en", false],
      [{ Cookie: `${cookie("lng", "ur")}; ${cookie("digits", "western")}`, "Accept-Language": "en" }, "ur", false],
      [{ Cookie: cookie("lng", "en"), "Accept-Language": "ur" }, "en", false],
    ];
    const bodies = new Set<string>();
    for (const [headers, lang, urduDigits] of cases) {
      await expectCurrent(cached, path, headers);
      const again = await hit(cached, path, headers);
      expect(again.text.match(/<html lang="(\w+)"/)?.[1]).toBe(lang);
      // The supporter figures: Urdu digits only where the reader has them.
      const figures = [...again.text.matchAll(/<dd>([^<]*)<\/dd>/g)].map((m) => m[1]).join(" ");
      expect(figures).toMatch(urduDigits ? /^[۰-۹ ]+$/ : /^[0-9 ]+$/);
      bodies.add(normalised(cached, again.text));
      expect(normalised(cached, again.text)).toBe(normalised(plain, (await get(plain, path, headers)).text));
    }
    // Urdu with Urdu digits, English, and Urdu with Western digits: three pages (English twice).
    expect(bodies.size).toBe(3);
  });

  it("keeps a randomly ordered page per reader's address", async () => {
    const path = "/clusters/leather?sort=random";
    const a = { "X-Forwarded-For": "203.0.113.7" };
    const b = { "X-Forwarded-For": "203.0.113.8" };
    await get(cached, path, a);
    await hit(cached, path, a);
    const other = await get(cached, path, b);
    expect(other.headers.get("X-Page-Cache")).toBe("miss");
    await hit(cached, path, b);
  });

  it("keeps no error page, no page with a session cookie and no HEAD answer", async () => {
    const missing = await get(cached, "/submissions/999999");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("X-Page-Cache")).toBeNull();
    expect((await get(cached, "/submissions/999999")).headers.get("X-Page-Cache")).toBeNull();
    // A stale or forged session cookie: rendered, its cookie cleared, not kept.
    const stale = await get(cached, "/clusters/leather?sort=top", { Cookie: "mashwara_session=not-a-real-session" });
    expect(stale.headers.get("X-Page-Cache")).toBeNull();
    expect(stale.headers.getSetCookie().join("\n")).toContain("mashwara_session=");
    const head = await new Client(cached.url).request("/clusters/leather?sort=top", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("X-Page-Cache")).toBeNull();
    // Pages that are not public listings are rendered every time.
    for (const path of ["/login", "/register"]) expect((await get(cached, path)).headers.get("X-Page-Cache"), path).toBeNull();
  });

  it("lets a kept page expire after PAGE_CACHE_SECONDS, and is off at 0", async () => {
    const path = "/clusters/leather?sort=top";
    await get(shortLived, path);
    await new Promise((r) => setTimeout(r, 1_300));
    expect((await get(shortLived, path)).headers.get("X-Page-Cache")).toBe("miss");
    for (let i = 0; i < 3; i++) expect((await get(plain, path)).headers.get("X-Page-Cache")).toBeNull();
  });
});
