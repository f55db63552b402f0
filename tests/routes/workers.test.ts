// WEB_CONCURRENCY=2: the built server as a primary process with two workers
// sharing the port (what a 2-core machine runs in production). Both workers
// must see a change made through the other at once, writes from both must
// never collide into a 500 (SQLite: BEGIN IMMEDIATE), and SIGTERM must stop
// the lot gracefully.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, signedIn } from "../support/http";
import { spawnServer, type SpawnedServer } from "../support/server";
import { cardIds } from "../support/pages";

/** A GET on a new connection each time, so the primary hands requests to both workers in turn. */
async function freshGet(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers: { Connection: "close" } });
  return { status: res.status, text: await res.text() };
}

describe(`two worker processes (${testDialect})`, () => {
  let t: TestDb;
  let server: SpawnedServer;
  let moderator: MadeUser;
  let author: MadeUser;

  beforeAll(async () => {
    t = await createTestDb();
    server = await spawnServer({ databaseUrl: t.url, env: { WEB_CONCURRENCY: "2" } });
    await server.waitReady();
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
  });
  afterAll(async () => {
    if (server && server.process.exitCode === null) await server.stop();
    await t?.destroy();
  });

  it("starts a primary and two workers that answer on one port", async () => {
    for (let i = 0; i < 50 && (server.output().match(/Mashwara listening/g) ?? []).length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(server.output().match(/Mashwara listening/g)).toHaveLength(2);
    expect(server.output()).toContain('"workers":2');
    const pids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await freshGet(`${server.url}/`);
      expect(res.status).toBe(200);
    }
    // Each worker logs its own pid on its requests.
    for (const m of server.output().matchAll(/"pid":(\d+)[^\n]*"url":"\/"/g)) pids.add(m[1]);
    expect(pids.size).toBe(2);
  });

  it("a suggestion published through one worker is in every worker's search and count at once", async () => {
    const search = `${server.url}/clusters/leather?sort=top&q=saddlery`;
    await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Saddlery export credit line" },
    });
    // Both workers remember the search with one result.
    for (let i = 0; i < 6; i++) expect(cardIds((await freshGet(search)).text)).toHaveLength(1);

    // A moderator approves a second one over HTTP, handled by one of the workers.
    const pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "Saddlery design centre in Kasur" } });
    const mod = await signedIn(server.url, moderator);
    const res = await mod.post(`/moderation/submissions/${pending}`, { intent: "approve", category: ["export-markets"] });
    expect(res.status).toBe(303);
    for (let i = 0; i < 6; i++) {
      const ids = cardIds((await freshGet(search)).text);
      expect(ids, `request ${i}`).toHaveLength(2);
      expect(ids).toContain(pending);
    }
  });

  it("supports sent at once through both workers: every one answered, none a 5xx, counter equal to the rows", async () => {
    const id = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Tannery shared effluent plant" },
    });
    const users = await Promise.all(Array.from({ length: 16 }, () => makeUser(t.db)));
    const clients = await Promise.all(users.map((u) => signedIn(server.url, u)));
    const statuses = await Promise.all(
      clients.flatMap((c) => [
        c.post(`/submissions/${id}/support`, { intent: "support" }).then((r) => r.status),
        c.post(`/submissions/${id}/support`, { intent: "support" }).then((r) => r.status),
      ]),
    );
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 303 || s === 409)).toBe(true);
    const rows = await t.db
      .selectFrom("supports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("submission_id", "=", id)
      .executeTakeFirstOrThrow();
    const row = await t.db.selectFrom("submissions").select("supporters_count").where("id", "=", id).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(16);
    expect(Number(row.supporters_count)).toBe(16);
  });

  it("SIGTERM: the primary stops both workers gracefully and exits 0 within 10 s", async () => {
    const client = new Client(server.url);
    expect((await client.get("/")).status).toBe(200);
    const started = Date.now();
    const code = await server.stop("SIGTERM");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(0);
    expect(server.output()).toContain("all workers stopped");
    expect(server.output().match(/"msg":"stopped"/g)).toHaveLength(2);
    expect(server.output()).not.toMatch(/second (SIGTERM|error)|EPIPE|killed by timeout/);
  });
});
