// Start-up and shutdown of the real server process: invalid configuration
// stops the start naming the variable; two instances may start at once on a
// fresh database; SIGTERM lets a request in flight finish, then exits 0.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/client";
import { getMigrations } from "../../db/migrations/index";
import { createEmptyDatabase, createTestDb, testDialect, type TestDb } from "../support/db";
import { makeUser } from "../support/factories";
import { Client } from "../support/http";
import { spawnServer, type SpawnedServer } from "../support/server";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("invalid configuration stops the start with a message naming the variable", { timeout: 60_000 }, () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["PORT=abc", { PORT: "abc" }, /PORT/],
    ["PORT=70000", { PORT: "70000" }, /PORT/],
    ["DATABASE_URL=mysql://…", { DATABASE_URL: "mysql://root@localhost/mashwara" }, /DATABASE_URL/],
    ["ORIGIN=not a url", { ORIGIN: "consult.example.pk" }, /ORIGIN/],
    ["LOG_LEVEL=loud", { LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    ["ADMIN_EMAIL without ADMIN_PASSWORD", { ADMIN_EMAIL: "boss@example.pk" }, /ADMIN_PASSWORD/],
    ["TRUST_PROXY=maybe", { TRUST_PROXY: "maybe" }, /TRUST_PROXY/],
    ["TRUST_PROXY=true (every hop)", { TRUST_PROXY: "true" }, /TRUST_PROXY: "true" would trust every hop/],
  ];

  it.each(cases)("%s → exit 1", async (_label, env, names) => {
    const server = await spawnServer({ databaseUrl: ":memory:", env });
    const timer = setTimeout(() => server.process.kill("SIGKILL"), 30_000);
    const code = await server.exited;
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(server.output()).toMatch(names);
    expect(server.output()).not.toMatch(/listening/i);
  });

  it("an ADMIN_PASSWORD is never printed, even when refused", async () => {
    const server = await spawnServer({ databaseUrl: ":memory:", env: { ADMIN_EMAIL: "not-an-email", ADMIN_PASSWORD: "s3cret-but-short" } });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/ADMIN_EMAIL/);
    expect(server.output()).not.toContain("s3cret-but-short");
  });
});

describe(`three instances starting together on a fresh database (${testDialect})`, { timeout: 150_000 }, () => {
  let fresh: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let servers: SpawnedServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await fresh?.drop();
  });

  it("all come up: migrations and seed are safe concurrently", async () => {
    fresh = await createEmptyDatabase();
    // Three at once, as an orchestrator scaling out would start them.
    servers = await Promise.all([1, 2, 3].map(() => spawnServer({ databaseUrl: fresh.url })));
    const outcomes = await Promise.allSettled(servers.map((s) => s.waitReady(90_000)));
    const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [String(o.reason)] : []));
    expect(failures).toEqual([]);
    for (const s of servers) {
      expect((await new Client(s.url).get("/healthz")).status).toBe(200);
      expect((await new Client(s.url).get("/")).status).toBe(200);
    }
    const handle = createDb(fresh.url, { poolSize: 1 });
    try {
      const migrations = await handle.db
        .selectFrom("kysely_migration" as never)
        .selectAll()
        .execute();
      // Each migration of the static list applied exactly once, not once per instance.
      expect(migrations).toHaveLength(Object.keys(getMigrations("sqlite")).length);
      expect(await handle.db.selectFrom("clusters").select("slug").execute()).toHaveLength(5);
      expect(await handle.db.selectFrom("categories").select("slug").execute()).toHaveLength(14);
      const consultations = await handle.db.selectFrom("consultations").select(["id", "is_active"]).execute();
      expect(consultations).toEqual([{ id: consultations[0].id, is_active: 1 }]);
    } finally {
      await handle.close();
    }
  });
});

/** Opens a connection and sends a sign-in whose body is still arriving: certainly a request in flight. */
async function startSignIn(server: SpawnedServer, email: string, password: string) {
  const body = new URLSearchParams({ email, password }).toString();
  const socket = net.connect(server.port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let response = "";
  let answeredAt = 0;
  socket.on("data", (d) => {
    response += d;
    if (!answeredAt && response.includes("\r\n\r\n")) answeredAt = Date.now();
  });
  socket.on("error", () => {});
  socket.write(
    `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body.slice(0, 12),
  );
  return {
    finish: () => socket.write(body.slice(12)),
    response: () => response,
    answeredAt: () => answeredAt,
  };
}

describe(`graceful shutdown on SIGTERM (${testDialect})`, { timeout: 60_000 }, () => {
  let t: TestDb;
  let servers: SpawnedServer[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    servers = await Promise.all([1, 2, 3].map(() => spawnServer({ databaseUrl: t.url })));
    await Promise.all(servers.map((s) => s.waitReady()));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop("SIGKILL")));
    await t?.destroy();
  });

  it("a request in flight completes, new connections are refused, and the server exits 0 within 10 s", async () => {
    const server = servers[0];
    const user = await makeUser(t.db);
    const request = await startSignIn(server, user.email, user.password);
    await sleep(300);
    const t0 = Date.now();
    server.process.kill("SIGTERM");

    // No new work is taken on while stopping (the listener closes; the request in flight keeps the process up).
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await fetch(`${server.url}/healthz`).then(
        () => false,
        () => true,
      );
      if (!refused) await sleep(100);
    }
    expect(refused).toBe(true);
    expect(server.process.exitCode).toBeNull();

    request.finish();
    const code = await server.exited;
    const elapsed = Date.now() - t0;
    const response = request.response();
    expect(response).toMatch(/^HTTP\/1\.1 302 /);
    expect(response).toMatch(/\r\nLocation: \/me\r\n/i);
    expect(response).toMatch(/\r\nSet-Cookie: mashwara_session=[A-Za-z0-9]+;/i);
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
    expect(server.output()).toMatch(/stopping/);
    // The session the answer carried was really stored before the database closed.
    const sessions = await t.db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute();
    expect(sessions).toHaveLength(1);
  });

  it("a slow request (its body arriving 6 s after SIGTERM) completes and the server still exits 0, not killed by its own timeout", async () => {
    const server = servers[1];
    const user = await makeUser(t.db);
    const request = await startSignIn(server, user.email, user.password);
    await sleep(300);
    server.process.kill("SIGTERM");
    await sleep(6_000);
    request.finish();
    const code = await server.exited;
    expect(request.response()).toMatch(/^HTTP\/1\.1 302 /);
    // Once the last answer is out, a kept-alive connection must not hold the shutdown
    // until the keep-alive timeout (5 s) and then past the 10 s grace period.
    expect(server.output()).not.toMatch(/killed by timeout/);
    expect(code).toBe(0);
  });

  it("an idle server with a kept-alive connection exits 0 promptly", async () => {
    const server = servers[2];
    expect((await new Client(server.url).get("/")).status).toBe(200);
    const t0 = Date.now();
    server.process.kill("SIGTERM");
    const code = await server.exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
