// CPU profile of a support: one production server process under
// `node --cpu-prof`, N sequential support/withdraw POSTs (the no-JavaScript
// form, answered 303) by signed-in demo users, then the top self-time frames
// (grouped by package and by function) of the profile it wrote, and the CPU
// time of the server process per request (user + system, from /proc).
//
//   DATABASE_URL=/tmp/bench.sqlite npx tsx bench/profile-support.ts [--requests 2000] [--users 1000] [--no-prof]
//
// The SQLite file is copied first (never written). Sessions are written to the
// copy up front (no password hashing per user), as bench/load.ts does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { arg, scratchDatabase, sessionCookies, startServer } from "./lib/server";

const N = Number(arg("requests", "2000"));
const USERS = Number(arg("users", "1000"));
const PROFILE = !process.argv.includes("--no-prof");
const source = process.env.DATABASE_URL;
if (!source) throw new Error("DATABASE_URL is required");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-prof-support-"));
const scratch = scratchDatabase(source, "prof-support");
const handle = createDb(scratch.url);
await migrateToLatest(handle);
const users = await handle.db
  .selectFrom("users")
  .select("id")
  .where("role", "=", "stakeholder")
  .where("email_normalised", "like", "demo.%")
  .orderBy("id")
  .limit(USERS)
  .execute();
const cookies = await sessionCookies(
  handle,
  users.map((u) => u.id),
);
const leather = await handle.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
const published = (
  await handle.db.selectFrom("submissions").select("id").where("status", "=", "published").where("cluster_id", "=", leather.id).orderBy("id").execute()
).map((r) => r.id);
await handle.close();

const server = await startServer({ databaseUrl: scratch.url, nodeArgs: PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [] });
/** CPU seconds (user + system) of the server process so far. */
function cpuMs(): number {
  const stat = fs.readFileSync(`/proc/${server.child.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const tick = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) / tick) * 1000;
}
const statuses = new Map<number, number>();
let k = 0;
async function post() {
  const pair = Math.floor(k / 2);
  const user = pair % users.length;
  const submission = published[(Math.floor(pair / users.length) * 7919 + user * 31) % published.length];
  const intent = k % 2 === 0 ? "support" : "withdraw";
  k++;
  const res = await fetch(`${server.base}/submissions/${submission}/support`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.base, cookie: cookies[user] },
    body: `intent=${intent}`,
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
  `${N} sequential support/withdraw POSTs (${users.length} users): ${ms.toFixed(2)} ms per request (wall clock), ` +
    `${cpuPer.toFixed(2)} ms of server CPU per request (user+system${PROFILE ? ", with the profiler on" : ""}); ` +
    `statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(" ")}; load average ${os.loadavg()[0].toFixed(1)}`,
);
if (!PROFILE) process.exit(0);
const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error("no profile written");
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "");
  const key = `${functionName || "(anonymous)"} ${where}:${lineNumber}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const after = url.includes("node_modules/") ? url.split("node_modules/")[1] : "";
  const p = !url
    ? functionName.startsWith("(")
      ? functionName
      : "(native)"
    : after
      ? after.split("/").slice(0, after.startsWith("@") ? 2 : 1).join("/")
      : url.startsWith("node:")
        ? "node internals"
        : url.includes("/build/server/")
          ? "our server build (routes, components, models)"
          : path.relative(process.cwd(), url.replace(/^file:\/\//, ""));
  pkg.set(p, (pkg.get(p) ?? 0) + us);
}
// The profile spans the whole process (start-up, warm-up, the measured requests): shares are what counts.
const idle = [...fn].filter(([name]) => name.startsWith("(idle)")).reduce((a, [, us]) => a + us, 0);
const busy = total - idle;
const requests = N + WARM;
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .filter(([name]) => !name.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => `| ${name} | ${((us / busy) * 100).toFixed(1)} % | ${(us / 1000 / requests).toFixed(3)} ms |`);
console.log(`profile ${path.join(dir, file)}; busy samples ${(busy / 1000).toFixed(0)} ms over ${requests} requests and the start-up\n`);
console.log("| by package | share of busy samples | per request |\n|---|---:|---:|\n" + top(pkg, 15).join("\n"));
console.log("\n| top functions (self time) | share | per request |\n|---|---:|---:|\n" + top(fn, 25).join("\n"));
