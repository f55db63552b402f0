// CPU time per request of the production server (one process, WEB_CONCURRENCY=1):
// the process's user + system time (/proc/PID/stat) before and after N
// sequential requests of each kind, divided by N. CPU time depends far less on
// the machine's load than wall time does (issue 17: a request that reaches no
// page should cost under 0.5 ms of CPU).
//
//   DATABASE_URL=/tmp/bench.sqlite npx tsx bench/request-cost.ts [--requests 2000] [--page-cache on]
import os from "node:os";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { arg, demoReaders, loadAverage, processCpuMs, scratchDatabase, startServer } from "./lib/server";

const N = Number(arg("requests", "2000"));
const source = process.env.DATABASE_URL;
if (!source) throw new Error("DATABASE_URL is required");
const scratch = scratchDatabase(source, "cost");
const handle = createDb(scratch.url);
await migrateToLatest(handle);
const readers = await demoReaders(handle, 200);
await handle.close();

const server = await startServer({
  databaseUrl: scratch.url,
  env: arg("page-cache", "on") === "on" ? {} : { PAGE_CACHE_SECONDS: "0" },
});
/** CPU time (ms, user + system) of the server process so far. */
const cpuMs = () => processCpuMs(server.child.pid!);

const cookie = readers.cookies[0];
let supportTurn = 0;
const leatherId = readers.published[0];
const kinds: Array<{ label: string; count?: number; request: () => Promise<Response> }> = [
  { label: "GET /healthz", request: () => fetch(`${server.base}/healthz`) },
  { label: "GET /no-such-page (404)", request: () => fetch(`${server.base}/no-such-page`) },
  {
    label: "POST /submissions/:id/support from another site, signed in (403, an audit row)",
    request: () =>
      fetch(`${server.base}/submissions/${leatherId}/support`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example", cookie },
        body: "intent=support",
      }),
  },
  {
    label: "POST /submissions/:id/support from another site, not signed in (403)",
    request: () =>
      fetch(`${server.base}/submissions/${leatherId}/support`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
        body: "intent=support",
      }),
  },
  {
    label: "POST /submissions/:id/support, not signed in (302 to /login)",
    request: () =>
      fetch(`${server.base}/submissions/${leatherId}/support`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: server.base },
        body: "intent=support",
      }),
  },
  {
    label: "POST /submissions/:id/support, signed in (support or withdraw, 303)",
    count: Math.max(100, Math.round(N / 2)),
    request: () => {
      const i = supportTurn++;
      const who = Math.floor(i / 2) % readers.cookies.length;
      return fetch(`${server.base}/submissions/${readers.published[who % readers.published.length]}/support`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: server.base, cookie: readers.cookies[who] },
        body: i % 2 === 0 ? "intent=support" : "intent=withdraw",
      });
    },
  },
  {
    label: "GET /clusters/leather?sort=top, anonymous",
    request: () => fetch(`${server.base}/clusters/leather?sort=top`, { headers: { "accept-encoding": "gzip" } }),
  },
  {
    label: "GET /clusters/leather?sort=top, signed in",
    count: Math.max(50, Math.round(N / 10)),
    request: () => fetch(`${server.base}/clusters/leather?sort=top`, { headers: { cookie, "accept-encoding": "gzip" } }),
  },
];

const rows: string[] = [];
for (const kind of kinds) {
  const n = kind.count ?? N;
  let status = 0;
  for (let i = 0; i < Math.min(200, n); i++) status = (await kind.request().then(async (r) => (await r.arrayBuffer(), r.status))) as number;
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await kind.request().then((r) => r.arrayBuffer());
  const wall = (performance.now() - t0) / n;
  const cpu = (cpuMs() - c0) / n;
  rows.push(`| ${kind.label} | ${status} | ${n} | ${cpu.toFixed(2)} | ${wall.toFixed(2)} |`);
}
await server.stop();
scratch.dispose();
console.log(`CPU per request, one server process, sequential requests; load average ${loadAverage()}; ${os.cpus().length} cores\n`);
console.log("| request | status | requests | server CPU ms / request | wall ms / request |");
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
