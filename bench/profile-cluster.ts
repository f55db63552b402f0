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
import { profileReport } from "./lib/profile";
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
const server = await startServer({
  databaseUrl: scratch.url,
  nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
  env: { PAGE_CACHE_SECONDS: "0" },
});
const headers: Record<string, string> = organiser ? { cookie: await signIn(server.base, organiser.email, organiser.password) } : {};
for (let i = 0; i < 50; i++) await fetch(server.base + PATH, { headers }).then((r) => r.arrayBuffer());
const t0 = performance.now();
for (let i = 0; i < N; i++) await fetch(server.base + PATH, { headers }).then((r) => r.arrayBuffer());
const ms = (performance.now() - t0) / N;
await server.stop();
scratch.dispose();
console.log(
  `${N} sequential requests to ${PATH}: ${ms.toFixed(1)} ms per request (wall clock, load average ${os.loadavg()[0].toFixed(1)})\n`,
);
console.log(profileReport(dir, N + 50));
