// Graceful shutdown under load: a few hundred requests in flight (pages,
// supports by signed-in people, a streaming CSV export), then SIGTERM. The
// requests in flight finish, the process exits 0 within 10 s, and no request
// gets a 5xx; the only failures allowed are new requests refused or reset
// once the listener has closed. With one process and with two workers.
import http from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { spawnServer } from "../support/server";
import { createCrashDatabase, csvRows, killLeftovers, Ledger, sleep, track, verify, type CrashDatabase } from "./harness";

const IN_FLIGHT = Number(process.env.GRACEFUL_IN_FLIGHT ?? 200);

let db: CrashDatabase;
const summary: string[] = [];

beforeAll(async () => {
  db = await createCrashDatabase();
});
afterEach(killLeftovers);
afterAll(async () => {
  process.stdout.write(`\n[graceful ${testDialect}] ${summary.join("\n[graceful] ")}\n`);
  await db?.drop();
});

interface Outcome {
  kind: "page" | "support";
  started: number;
  ended: number;
  /** sent on a connection that had already carried an answer (Node's `request.reusedSocket`) */
  reused: boolean;
  status?: number;
  error?: string;
}

/** One request through `agent`: its status, or the connection error; and whether the connection was already in use. */
function send(
  agent: http.Agent,
  base: URL,
  path: string,
  o: { method?: string; body?: string; cookie?: string },
): Promise<{ status?: number; error?: string; reused: boolean }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (o.body !== undefined) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      headers["Content-Length"] = String(Buffer.byteLength(o.body));
      headers.Origin = base.origin;
    }
    if (o.cookie) headers.Cookie = o.cookie;
    const req = http.request({ host: base.hostname, port: base.port, path, method: o.method ?? "GET", headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
      res.on("error", (e) => resolve({ error: errorCode(e), reused: req.reusedSocket }));
    });
    req.on("error", (e) => resolve({ error: errorCode(e), reused: req.reusedSocket }));
    req.end(o.body);
  });
}

/** The error code under fetch's "fetch failed" (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET…). */
function errorCode(error: unknown): string {
  let e = error as { code?: string; cause?: unknown; message?: string } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code) return e.code;
    e = e.cause as typeof e;
  }
  return (error as Error)?.message ?? String(error);
}

const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET", "EPIPE"]);

describe(`SIGTERM under load (${testDialect})`, () => {
  for (const workers of [1, 2] as const) {
    it(`WEB_CONCURRENCY=${workers}: in-flight requests finish, no 5xx, exit 0 within 10 s`, { timeout: 180_000 }, async () => {
      const server = track(
        await spawnServer({ databaseUrl: db.url, env: { WEB_CONCURRENCY: String(workers), LOG_LEVEL: "warn" }, detached: true }),
        true,
      );
      await server.waitReady();
      const ledger = new Ledger();
      const outcomes: Outcome[] = [];
      let sigtermAt = Infinity;
      let stopSending = false;

      const hot = db.published.slice(0, 50);
      const base = new URL(server.url);
      const loop = async (i: number) => {
        const person = db.people[i % db.people.length];
        // One kept-alive connection per sender, so each request knows whether it went on a connection already in use.
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          while (!stopSending) {
            const kind = i % 2 === 0 ? "support" : "page";
            const intent = Math.random() < 0.8 ? "support" : "withdraw";
            const submission = hot[Math.floor(Math.random() * hot.length)];
            const o: Outcome = { kind, started: Date.now(), ended: 0, reused: false };
            outcomes.push(o);
            const body = kind === "support" ? new URLSearchParams({ intent }).toString() : "";
            const path =
              kind === "support"
                ? `/submissions/${submission}/support`
                : i % 4 === 1
                  ? `/clusters/leather?page=${1 + (i % 5)}`
                  : `/submissions/${submission}`;
            const result = await send(agent, base, path, kind === "support" ? { method: "POST", body, cookie: person.cookie } : {});
            Object.assign(o, result, { ended: Date.now() });
            if (kind === "support") ledger.record(submission, person.id, intent, result.status ?? "unanswered");
            // Stop once the server refuses: what is left to test is what was in flight.
            if (o.error) return;
          }
        } finally {
          agent.destroy();
        }
      };
      const loops = Array.from({ length: IN_FLIGHT }, (_, i) => loop(i));

      // A long download in flight at SIGTERM: it must arrive whole.
      let flowing!: () => void;
      const rowsFlowing = new Promise<void>((r) => (flowing = r));
      const download = (async () => {
        const res = await fetch(`${server.url}/exports/submissions.csv?status=all`, { headers: { Cookie: db.organiser.cookie } });
        let bytes = 0;
        const chunks: Buffer[] = [];
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.byteLength;
          chunks.push(Buffer.from(chunk));
          if (bytes >= 64 * 1024) flowing();
        }
        return { status: res.status, text: Buffer.concat(chunks).toString("utf8") };
      })().catch((error: unknown) => ({ status: 0, text: `download failed: ${errorCode(error)}` }));

      await sleep(1_500);
      await Promise.race([rowsFlowing, download]);
      const inFlightAtSigterm = outcomes.filter((o) => o.ended === 0).length;
      sigtermAt = Date.now();
      server.process.kill("SIGTERM");
      const code = await server.exited;
      const exitMs = Date.now() - sigtermAt;
      stopSending = true;
      await Promise.all(loops);
      const exported = await download;

      const before = outcomes.filter((o) => o.started < sigtermAt);
      const after = outcomes.filter((o) => o.started >= sigtermAt);
      const beforeOnUsedConnection = before.filter((o) => o.reused);
      const statuses = (list: Outcome[]) =>
        list.reduce<Record<string, number>>((m, o) => ((m[o.status ?? o.error!] = (m[o.status ?? o.error!] ?? 0) + 1), m), {});
      summary.push(
        `WEB_CONCURRENCY=${workers}: ${inFlightAtSigterm} requests and a CSV export in flight at SIGTERM; exit ${code} after ${exitMs} ms; ` +
          `sent before SIGTERM on a connection in use ${JSON.stringify(statuses(beforeOnUsedConnection))}, on a new one ${JSON.stringify(statuses(before.filter((o) => !o.reused)))}, ` +
          `sent after ${JSON.stringify(statuses(after))}`,
      );

      const problems = server
        .output()
        .split("\n")
        .filter((l) => /"level":(50|60)|killed by timeout/.test(l));
      if (problems.length) summary.push(`server errors: ${problems.slice(0, 5).join("\n")}`);
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(10_000);
      expect(inFlightAtSigterm).toBeGreaterThanOrEqual(IN_FLIGHT / 2);
      // No 5xx, before or after the signal.
      expect(outcomes.filter((o) => (o.status ?? 0) >= 500)).toEqual([]);
      // Everything sent before the signal on a connection the server was already serving got its answer
      // (a first request on a new connection may find the listener closed: refused or reset, allowed).
      expect(beforeOnUsedConnection.length).toBeGreaterThan(0);
      expect(beforeOnUsedConnection.filter((o) => o.error)).toEqual([]);
      // Any failure is a refused or reset connection, never anything else.
      expect(outcomes.filter((o) => o.error && !CONNECTION_ERRORS.has(o.error))).toEqual([]);
      // The export that was streaming when the signal came arrived whole.
      expect(exported.status).toBe(200);
      expect(csvRows(exported.text)).toBe(db.submissions + 1);
      expect(server.output()).not.toMatch(/killed by timeout/);
      // Every support answered is there, and counters equal rows.
      expect(ledger.counts.acknowledged).toBeGreaterThan(0);
      expect((await verify(db.url, ledger)).problems).toEqual([]);
    });
  }
});
