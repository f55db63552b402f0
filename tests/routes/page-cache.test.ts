// The page cache for readers who are not signed in (server/page-cache.ts,
// ADR 0018), over real HTTP against the built server (run `npm run build`
// first). The oracle: after every kind of change, what a cached server answers
// an anonymous reader is exactly what a server without the cache renders at
// that moment (nonces and the servers' own addresses aside), with one worker
// and with two (a write in one worker seen by the other).
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveSubmission } from "~/models/moderation.server";
import { notify } from "~/models/notification.server";
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

const ENQUEUE = /window\.__remixContext\.streamController\.enqueue\(("(?:[^"\\]|\\.)*")\);/g;

/** The loader data a page hydrates with, decoded (turbo-stream numbers its values, so equal data may be written differently). */
async function hydrationData(html: string): Promise<unknown> {
  const text = [...html.matchAll(ENQUEUE)].map((m) => JSON.parse(m[1]) as string).join("");
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  const decoded = await decode(stream);
  await decoded.done;
  return decoded.value;
}

/**
 * A signed-in page against its oracle: the markup the same but for nonces and
 * addresses, and the same hydration data. (A template holds the stand-in's id
 * as a value of its own, where a render for the reader may write a later equal
 * number as a reference to the id: the same data, other bytes.)
 */
async function expectSamePage(path: string, own: { server: RunningServer; html: string }, oracle: { server: RunningServer; html: string }) {
  const markup = (x: { server: RunningServer; html: string }) => normalised(x.server, x.html).replace(ENQUEUE, "ENQUEUE");
  expect(markup(own), path).toBe(markup(oracle));
  expect(await hydrationData(own.html), path).toEqual(await hydrationData(oracle.html));
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

  it("serves a signed-in stakeholder's page from a template: exactly the page rendered for them (ADR 0036)", async () => {
    // Names and an address that exercise each escaping the template fills in:
    // React's HTML text, and the hydration data (JSON in a JavaScript string in <script>).
    const people = await Promise.all(
      [
        { displayName: `Shahid "who" <supports> & O'Brien` },
        { displayName: "شاہد علی\u2028 </script><script>alert(1)</script>" },
        { displayName: "Back\\slash 🙂 \\u0026", emailConfirmed: false },
        { displayName: "Naheed with news" },
      ].map((o) => makeUser(t.db, o)),
    );
    await notify(t.db, { userId: people[3].id, kind: "commented", submissionId: first });
    await notify(t.db, { userId: people[3].id, kind: "commented", submissionId: first });
    const sessions = await Promise.all(
      people.map(async (person) => {
        const client = new Client(cached.url);
        await signIn(client, person.email, person.password);
        // The same session on the server without the cache: its render is the oracle.
        const oracle = new Client(plain.url);
        for (const [k, v] of client.cookies) oracle.cookies.set(k, v);
        return { person, client, oracle };
      }),
    );
    const signedInPages = ["/", "/clusters/leather", "/clusters/leather?sort=top", "/clusters/leather?sort=random", "/recommendations"];
    const seen = new Map<string, Set<string | null>>();
    for (let round = 0; round < 3; round++) {
      for (const { client, oracle } of sessions) {
        for (const path of signedInPages) {
          const [own, rendered] = await Promise.all([client.get(path), oracle.get(path)]);
          expect(own.status, path).toBe(200);
          await expectSamePage(path, { server: cached, html: own.text }, { server: plain, html: rendered.text });
          expect(own.headers.get("Cache-Control"), path).toBe("no-store");
          expect(own.headers.get("X-Mashwara-Page-Cache"), path).toBeNull();
          seen.set(path, (seen.get(path) ?? new Set()).add(own.headers.get("X-Page-Cache")));
        }
      }
    }
    // Every listed page comes from a template (asked again where another test file's write moved the version).
    for (const path of signedInPages) {
      if (!seen.get(path)?.has("hit")) await hit(cached, path, { Cookie: sessions[0].client.cookieHeader() });
    }
    // /stats and /accountability show their own process's snapshot time, so the oracle is this server's own
    // render for the reader: the first ask of a new address is rendered for them, the next comes from a template.
    for (const [i, { client }] of sessions.entries()) {
      for (const path of [`/stats?v=${i}`, `/accountability?v=${i}`]) {
        const rendered = await client.get(path);
        const own = await client.get(path);
        expect(rendered.headers.get("X-Page-Cache"), path).toBeNull();
        expect(own.headers.get("X-Page-Cache"), path).toMatch(/^(miss|hit)$/);
        await expectSamePage(path, { server: cached, html: own.text }, { server: cached, html: rendered.text });
      }
    }
    // What is theirs is on their page only: the name (in the hydration data), the notice with the address, the badge.
    const page = async (i: number) => (await sessions[i].client.get("/clusters/leather?sort=top")).text;
    const [a, b, c, d] = [await page(0), await page(1), await page(2), await page(3)];
    expect(a).not.toContain(people[1].email);
    expect(c).toContain(people[2].email);
    expect(a).not.toContain(people[2].email);
    expect(d).toMatch(/class="badge"[^>]*>2</);
    expect(a).not.toContain('class="badge"');
    expect(b).not.toContain("alert(1)</script>");
    // Anonymous readers never get a signed-in page, nor the signed-in the anonymous one.
    for (const path of signedInPages) {
      const anonymous = await expectCurrent(cached, path);
      for (const { person } of sessions) expect(anonymous.text).not.toContain(person.email);
      expect(anonymous.text).not.toContain("Naheed with news");
    }
  });

  it("counts a search in a template's render against the reader, never the stand-in", async () => {
    const reader = new Client(cached.url);
    await signIn(reader, author.email, author.password);
    const path = "/clusters/leather?sort=top&q=tanneries";
    const counted = async () =>
      Number(
        (
          await t.db
            .selectFrom("rate_limits")
            .select((eb) => eb.fn.sum<number>("count").as("n"))
            .where("key", "like", `%user:${author.id}%`)
            .executeTakeFirst()
        )?.n ?? 0,
      );
    // The first ask is rendered for the reader (and counts for them); the listing memo then holds the search.
    expect((await reader.get(path)).status).toBe(200);
    const before = await counted();
    // Once the listing memo (10 s, app/lib/listing-cache.server.ts) and the template (PAGE_CACHE_SECONDS) are past,
    // the next ask is a template's render for the stand-in that misses the memo: the search is counted again.
    await new Promise((r) => setTimeout(r, 10_300));
    const again = await reader.get(path);
    expect(again.status).toBe(200);
    expect(again.headers.get("X-Page-Cache")).toMatch(/^(miss|hit)$/);
    expect(await counted()).toBeGreaterThan(before);
    const standIn = await t.db.selectFrom("rate_limits").select("key").where("key", "like", "%-736451829%").execute();
    expect(standIn).toEqual([]);
  }, 30_000);

  it("keeps templates per role (a moderator sees organisations revealed), and never for a page about the reader", async () => {
    const staff = new Client(cached.url);
    await signIn(staff, moderator.email, moderator.password);
    const staffOracle = new Client(plain.url);
    for (const [k, v] of staff.cookies) staffOracle.cookies.set(k, v);
    const reader = new Client(cached.url);
    await signIn(reader, supporter.email, supporter.password);
    const readerOracle = new Client(plain.url);
    for (const [k, v] of reader.cookies) readerOracle.cookies.set(k, v);
    const path = "/clusters/leather?sort=top&page=1";
    for (let i = 0; i < 3; i++) {
      for (const [own, oracle] of [
        [staff, staffOracle],
        [reader, readerOracle],
      ] as const) {
        const [mine, rendered] = await Promise.all([own.get(path), oracle.get(path)]);
        await expectSamePage(path, { server: cached, html: mine.text }, { server: plain, html: rendered.text });
      }
    }
    await hit(cached, path, { Cookie: staff.cookieHeader() });
    const [asStaff, asReader] = [await staff.get(path), await reader.get(path)];
    // Organisations are named to moderators only (the seeded ones are "Test Organisation …").
    expect(asStaff.text).toContain("Test Organisation");
    expect(asReader.text).not.toContain("Test Organisation");
    expect(asStaff.text).toContain('href="/moderation"');
    expect(asReader.text).not.toContain('href="/moderation"');
    // A suggestion's page shows the reader's own support: rendered for them every time.
    for (let i = 0; i < 3; i++) {
      const own = await reader.get(`/submissions/${first}`);
      expect(own.headers.get("X-Page-Cache")).toBeNull();
      expect(own.text).toContain("Shahid who supports");
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

  it("serves every signed-in reader's random order from one template, each with their own cards (ADR 0041)", async () => {
    // Enough suggestions that readers' orders differ (each is a rotation seeded by the session).
    for (let i = 0; i < 8; i++) {
      await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: `Tanning water plant ${i}` } });
    }
    const path = "/clusters/leather?sort=random";
    const sessions = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const person = await makeUser(t.db, { displayName: `Random reader ${i}` });
        const client = new Client(cached.url);
        await signIn(client, person.email, person.password);
        const oracle = new Client(plain.url);
        for (const [k, v] of client.cookies) oracle.cookies.set(k, v);
        return { client, oracle };
      }),
    );
    // The first ask of an address is rendered for the reader and says whether its route allows templates; then
    // the template (rendered for a stand-in, its list a slot) serves everyone: other readers' first asks are hits.
    await sessions[0].client.get(path);
    await hit(cached, path, { Cookie: sessions[0].client.cookieHeader() });
    const orders = new Set<string>();
    let hits = 0;
    for (const { client, oracle } of sessions.slice(1)) {
      const [own, rendered] = await Promise.all([client.get(path), oracle.get(path)]);
      expect(own.status).toBe(200);
      if (own.headers.get("X-Page-Cache") === "hit") hits += 1;
      // Exactly the page rendered for them: their own order, markup and hydration data.
      await expectSamePage(path, { server: cached, html: own.text }, { server: plain, html: rendered.text });
      orders.add([...own.text.matchAll(/href="\/submissions\/(\d+)"/g)].map((m) => m[1]).join(","));
    }
    // A reader's first ask served from the template another reader's ask made (per session, each first ask was a
    // render). Not every one: the servers' background work (the outbox of the sign-ins' mail) commits now and then,
    // and each commit ends the template; PostgreSQL's snapshot may also move without a write of ours.
    if (testDialect === "sqlite") expect(hits).toBeGreaterThan(0);
    else await hit(cached, path, { Cookie: sessions[1].client.cookieHeader() });
    expect(orders.size).toBeGreaterThan(1);
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
