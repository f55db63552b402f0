// CPU profile of the cluster page: one production server process under
// `node --cpu-prof`, N sequential requests, then the top self-time frames
// (grouped by function and by package) of the profile it wrote. The page
// cache is off (PAGE_CACHE_SECONDS=0): it profiles the render.
//
//   DATABASE_URL=/tmp/bench.sqlite npx tsx bench/profile-cluster.ts [--requests 300] [--path /clusters/leather?sort=top] [--organiser yes]
// (--organiser yes: signed in as an organiser, e.g. for --path /organiser)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { arg, ensureOrganiser, scratchDatabase, signIn, startServer } from "./lib/server";

const N = Number(arg("requests", "300"));
const PATH = arg("path", "/clusters/leather?sort=top");
const source = process.env.DATABASE_URL;
if (!source) throw new Error("DATABASE_URL is required");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-prof-"));
const scratch = scratchDatabase(source, "prof");
// Migrate first, so the profile holds requests, not the server's start-up (an index build on a data set made before it).
const handle = createDb(scratch.url);
await migrateToLatest(handle);
const organiser = arg("organiser", "no") === "yes" ? await ensureOrganiser(handle) : null;
await handle.close();
// The page cache off: this profiles the render (what a signed-in reader, or a cache miss, costs).
const server = await startServer({ databaseUrl: scratch.url, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`], env: { PAGE_CACHE_SECONDS: "0" } });
const headers: Record<string, string> = organiser ? { cookie: await signIn(server.base, organiser.email, organiser.password) } : {};
for (let i = 0; i < 50; i++) await fetch(server.base + PATH, { headers }).then((r) => r.arrayBuffer());
const t0 = performance.now();
for (let i = 0; i < N; i++) await fetch(server.base + PATH, { headers }).then((r) => r.arrayBuffer());
const ms = (performance.now() - t0) / N;
await server.stop();
scratch.dispose();
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
  fn.set(`${functionName || "(anonymous)"} ${where}:${lineNumber}`, (fn.get(`${functionName || "(anonymous)"} ${where}:${lineNumber}`) ?? 0) + us);
  const p = !url ? (functionName.startsWith("(") ? functionName : "(native)") : url.includes("node_modules/") ? url.split("node_modules/")[1].split("/").slice(0, url.split("node_modules/")[1].startsWith("@") ? 2 : 1).join("/") : url.startsWith("node:") ? "node internals" : url.includes("/build/server/") ? "our server build (routes, components, models)" : path.relative(process.cwd(), url.replace(/^file:\/\//, ""));
  pkg.set(p, (pkg.get(p) ?? 0) + us);
}
const top = (m: Map<string, number>, k: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => `| ${name} | ${((us / total) * 100).toFixed(1)} % | ${(us / 1000 / (N + 50)).toFixed(2)} ms |`);
console.log(`${N} sequential requests to ${PATH}: ${ms.toFixed(1)} ms per request (wall clock, load average ${os.loadavg()[0].toFixed(1)}); profile ${path.join(dir, file)}\n`);
console.log("| by package | share of samples | per request |\n|---|---:|---:|\n" + top(pkg, 15).join("\n"));
console.log("\n| top functions (self time) | share | per request |\n|---|---:|---:|\n" + top(fn, 20).join("\n"));
