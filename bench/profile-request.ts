// CPU profile of N sequential requests of one kind, without the server's
// start-up and warm-up (bench/lib/late-profile.mjs): one production server
// process, then the top self-time frames by package and function.
//
//   DATABASE_URL=/tmp/bench.sqlite npx tsx bench/profile-request.ts [--path /healthz] [--requests 2000] [--warm 300]
//       [--signed yes] (a demo stakeholder's session) [--readers 1000] (that many stakeholders' sessions, in turn)
//       [--organiser yes] (an organiser's, e.g. --path /organiser)
//       [--method POST] [--origin https://elsewhere.example] [--cache 0] (PAGE_CACHE_SECONDS)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { profileReport } from "./lib/profile";
import { arg, demoReaders, ensureOrganiser, loadAverage, scratchDatabase, signIn, sleep, startServer } from "./lib/server";

const N = Number(arg("requests", "2000"));
const WARM = Number(arg("warm", "300"));
const PATH = arg("path", "/healthz");
const method = arg("method", "GET");
const origin = arg("origin", "");
const source = process.env.DATABASE_URL;
if (!source) throw new Error("DATABASE_URL is required");
const scratch = scratchDatabase(source, "rprof");
const handle = createDb(scratch.url);
await migrateToLatest(handle);
const readers = arg("signed", "no") === "yes" ? await demoReaders(handle, Number(arg("readers", "1"))) : null;
const organiser = arg("organiser", "no") === "yes" ? await ensureOrganiser(handle) : null;
await handle.close();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-rprof-"));
const server = await startServer({
  databaseUrl: scratch.url,
  nodeArgs: ["--import", "./bench/lib/late-profile.mjs"],
  env: { LATE_PROFILE_DIR: dir, PAGE_CACHE_SECONDS: arg("cache", "60") },
});
const headers: Record<string, string> = { "accept-encoding": "gzip" };
let turn = 0;
if (organiser) headers.cookie = await signIn(server.base, organiser.email, organiser.password);
if (origin) headers.origin = origin;
const request = () =>
  fetch(
    server.base + PATH,
    method === "GET"
      ? { headers: readers ? { ...headers, cookie: readers.cookies[turn++ % readers.cookies.length] } : headers }
      : {
          method,
          headers: {
            ...headers,
            ...(readers ? { cookie: readers.cookies[turn++ % readers.cookies.length] } : {}),
            "content-type": "application/x-www-form-urlencoded",
          },
          body: "intent=support",
          redirect: "manual",
        },
  ).then((r) => r.arrayBuffer());

for (let i = 0; i < WARM; i++) await request();
process.kill(server.child.pid!, "SIGWINCH");
await sleep(300);
const t0 = performance.now();
for (let i = 0; i < N; i++) await request();
const ms = (performance.now() - t0) / N;
process.kill(server.child.pid!, "SIGWINCH");
for (let i = 0; i < 100 && !fs.existsSync(path.join(dir, "late.cpuprofile")); i++) await sleep(100);
await server.stop();
scratch.dispose();
console.log(`${N} sequential ${method} ${PATH}: ${ms.toFixed(2)} ms per request (wall clock, load average ${loadAverage()})\n`);
console.log(profileReport(dir, N, { functions: 30 }));
fs.rmSync(dir, { recursive: true, force: true });
