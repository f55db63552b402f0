// Scale-out: two app instances (separate processes, as on two machines
// behind a load balancer) on one PostgreSQL database. Started at the same
// moment on a fresh, empty database: both come up and the schema is migrated
// once. Then nothing that matters lives in one instance's memory: a session
// made on one works on the other (and ends on both), a rate limit counted on
// one applies on the other, and supports sent to both at once for the same
// person and suggestion count once, with counters equal to the rows.
//
// PostgreSQL only: vitest.config.ts includes tests/pg/ only when
// TEST_DATABASE_URL is set (`npm run test:pg`), so a SQLite run neither runs
// nor lists it.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../../db/client";
import { getMigrations } from "../../db/migrations/index";
import { createEmptyDatabase, testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, pageText } from "../support/http";
import { spawnServer, type SpawnedServer } from "../support/server";

if (testDialect !== "postgres") throw new Error("tests/pg/ needs PostgreSQL: run it with TEST_DATABASE_URL set (npm run test:pg)");

const LOGIN_LIMIT = 4;

describe("two app instances on one PostgreSQL database", () => {
  let database: { url: string; drop(): Promise<void> };
  let handle: DbHandle;
  let a: SpawnedServer;
  let b: SpawnedServer;
  let moderator: MadeUser;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    const env = { LOGIN_FAILURES_PER_ACCOUNT: String(LOGIN_LIMIT) };
    // Both at once, on a database with no tables yet.
    [a, b] = await Promise.all([spawnServer({ databaseUrl: database.url, env }), spawnServer({ databaseUrl: database.url, env })]);
    await Promise.all([a.waitReady(), b.waitReady()]);
    handle = createDb(database.url, { poolSize: 4 });
    moderator = await makeUser(handle.db, { role: "moderator" });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((s) => s.stop()));
    await handle?.close();
    await database?.drop();
  });

  /** A client for `to` carrying the cookies `from` holds (the load balancer sent the next request elsewhere). */
  const sameBrowser = (from: Client, to: SpawnedServer) => {
    const c = new Client(to.url);
    for (const [k, v] of from.cookies) c.cookies.set(k, v);
    return c;
  };

  it("started together on a fresh database: both serve, the schema was migrated once, seeded once", async () => {
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(handle.db);
    const expected = Object.keys(getMigrations("postgres")).sort();
    expect(applied.rows.map((r) => r.name)).toEqual(expected);
    // Exactly one of the two applied them; the other waited for the lock and found nothing to do.
    const appliedBy = [a, b].filter((s) => s.output().includes('"msg":"migrations applied"'));
    expect(appliedBy).toHaveLength(1);
    const consultations = await handle.db
      .selectFrom("consultations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const clusters = await handle.db
      .selectFrom("clusters")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(consultations.n)).toBe(1);
    expect(Number(clusters.n)).toBe(5);
  });

  it("a session made by signing in on one instance works on the other, and signing out on the other ends it on both", async () => {
    const user = await makeUser(handle.db, { displayName: "Saima Two-Instances" });
    const onA = new Client(a.url);
    const login = await onA.post("/login", { email: user.email, password: user.password });
    expect(login.status).toBe(302);
    expect(login.location).toBe("/me");

    const onB = sameBrowser(onA, b);
    const me = await onB.get("/me");
    expect(me.status).toBe(200);
    expect(pageText(me.text)).toContain("Saima Two-Instances");

    expect((await onB.post("/logout")).status).toBeGreaterThanOrEqual(300);
    const again = await sameBrowser(onA, a).get("/me");
    expect(again.status).toBe(302);
    expect(again.location).toMatch(/^\/login/);
  });

  it("failed sign-ins counted on one instance are refused with 429 on the other", async () => {
    const user = await makeUser(handle.db);
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const res = await new Client(a.url).post("/login", { email: user.email, password: "not the password at all" });
      expect(res.status, `failure ${i + 1} on A`).toBe(400);
    }
    const onB = await new Client(b.url).post("/login", { email: user.email, password: user.password });
    expect(onB.status).toBe(429);
    expect(Number(onB.headers.get("Retry-After"))).toBeGreaterThan(0);

    // Counted on both alternately: the limit is the sum, not per instance.
    const other = await makeUser(handle.db);
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const server = i % 2 === 0 ? a : b;
      expect((await new Client(server.url).post("/login", { email: other.email, password: "wrong wrong wrong" })).status).toBe(400);
    }
    expect((await new Client(a.url).post("/login", { email: other.email, password: other.password })).status).toBe(429);
    expect((await new Client(b.url).post("/login", { email: other.email, password: other.password })).status).toBe(429);
  });

  it("the same people supporting the same suggestion through both instances at once: counted once each, counters equal rows", async () => {
    const author = await makeUser(handle.db);
    const id = await makePublishedSubmission(handle.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Shared testing laboratory for two instances" },
    });
    const people = await Promise.all(Array.from({ length: 12 }, () => makeUser(handle.db)));
    const clients = await Promise.all(
      people.map(async (p) => {
        const c = new Client(a.url);
        expect((await c.post("/login", { email: p.email, password: p.password })).status).toBe(302);
        return c;
      }),
    );
    // Each person: two supports on A and two on B, all in flight together.
    const statuses = await Promise.all(
      clients.flatMap((c) => [
        c.post(`/submissions/${id}/support`, { intent: "support" }),
        c.post(`/submissions/${id}/support`, { intent: "support" }),
        sameBrowser(c, b).post(`/submissions/${id}/support`, { intent: "support" }),
        sameBrowser(c, b).post(`/submissions/${id}/support`, { intent: "support" }),
      ]),
    );
    expect(statuses.map((r) => r.status)).toEqual(Array(people.length * 4).fill(303));

    const rows = await handle.db.selectFrom("supports").select(["user_id"]).where("submission_id", "=", id).execute();
    expect(rows.map((r) => r.user_id).sort((x, y) => x - y)).toEqual(people.map((p) => p.id).sort((x, y) => x - y));
    const counters = await handle.db
      .selectFrom("submissions")
      .select(["supporters_count", "supporting_organisations", "supporting_provinces"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const breadth = await handle.db
      .selectFrom("supports")
      .select((eb) => [
        eb.fn.count<number>("organisation_id").distinct().as("orgs"),
        eb.fn.count<number>("province").distinct().as("provinces"),
      ])
      .where("submission_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(counters).toEqual({
      supporters_count: people.length,
      supporting_organisations: Number(breadth.orgs),
      supporting_provinces: Number(breadth.provinces),
    });
    expect(Number(breadth.orgs)).toBe(people.length);

    // Withdrawn through B and supported again through A at once: whatever order they took, rows and counter agree.
    await Promise.all(
      clients.flatMap((c) => [
        sameBrowser(c, b).post(`/submissions/${id}/support`, { intent: "withdraw" }),
        c.post(`/submissions/${id}/support`, { intent: "support" }),
      ]),
    );
    const after = await handle.db
      .selectFrom("supports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("submission_id", "=", id)
      .executeTakeFirstOrThrow();
    const counter = await handle.db.selectFrom("submissions").select("supporters_count").where("id", "=", id).executeTakeFirstOrThrow();
    expect(Number(counter.supporters_count)).toBe(Number(after.n));
  });
});
