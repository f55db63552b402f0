// CPU profile of a support: one production server process under
// `node --cpu-prof`, N sequential support/withdraw POSTs (the no-JavaScript
// form, answered 303) by signed-in demo users, then the top self-time frames
// (grouped by package and by function) of the profile it wrote, and the CPU
// time of the server process per request (user + system, from /proc).
//
//   DATABASE_URL=/tmp/bench.sqlite npx tsx bench/profile-support.ts [--requests 2000] [--users 1000] [--no-prof] [--enhanced]
//
// --enhanced: the button as the browser's JavaScript posts it (a fetcher:
// `/submissions/:id/support.data`, `inline=1`, answered 200 in Remix's encoding).
//
// The SQLite file is copied first (never written). Sessions are written to the
// copy up front (no password hashing per user), as bench/load.ts does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { profileReport } from "./lib/profile";
import { arg, demoReaders, processCpuMs, scratchDatabase, startServer } from "./lib/server";

const N = Number(arg("requests", "2000"));
const USERS = Number(arg("users", "1000"));
const PROFILE = !process.argv.includes("--no-prof");
const ENHANCED = process.argv.includes("--enhanced");
const source = process.env.DATABASE_URL;
if (!source) throw new Error("DATABASE_URL is required");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-prof-support-"));
const scratch = scratchDatabase(source, "prof-support");
const handle = createDb(scratch.url);
await migrateToLatest(handle);
const { users, cookies, published } = await demoReaders(handle, USERS);
await handle.close();

const server = await startServer({ databaseUrl: scratch.url, nodeArgs: PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [] });
/** CPU time (ms, user + system) of the server process so far. */
const cpuMs = () => processCpuMs(server.child.pid!);
const statuses = new Map<number, number>();
let k = 0;
async function post() {
  const pair = Math.floor(k / 2);
  const user = pair % users.length;
  const submission = published[(Math.floor(pair / users.length) * 7919 + user * 31) % published.length];
  const intent = k % 2 === 0 ? "support" : "withdraw";
  k++;
  const res = await fetch(`${server.base}/submissions/${submission}/support${ENHANCED ? ".data" : ""}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.base, cookie: cookies[user] },
    body: `intent=${intent}${ENHANCED ? "&inline=1" : ""}`,
  });
  await res.arrayBuffer();
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
}
const WARM = 100;
for (let i = 0; i < WARM; i++) await post();
statuses.clear();
const cpu0 = cpuMs();
const t0 = performance.now();
for (let i = 0; i < N; i++) await post();
const ms = (performance.now() - t0) / N;
const cpuPer = (cpuMs() - cpu0) / N;
await server.stop();
scratch.dispose();
console.log(
  `${N} sequential support/withdraw POSTs (${ENHANCED ? "enhanced: .data, inline=1" : "the plain form"}; ${users.length} users): ${ms.toFixed(2)} ms per request (wall clock), ` +
    `${cpuPer.toFixed(2)} ms of server CPU per request (user+system${PROFILE ? ", with the profiler on" : ""}); ` +
    `statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(" ")}; load average ${os.loadavg()[0].toFixed(1)}`,
);
if (!PROFILE) process.exit(0);
console.log(profileReport(dir, N + WARM, { functions: 25 }));
