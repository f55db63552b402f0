// Benchmark: the streamed exports on the national-scale data set.
//
//   DATABASE_URL=/tmp/bench.sqlite npm run bench:export [-- --formats csv,json,xlsx] [--query status=all] [--read-delay-ms 0] [--stall-ms 0]
//
// Never writes to DATABASE_URL: the SQLite file is copied to a temporary
// directory first (the copy gets an organiser account). Starts the production
// build on the copy, signs in, and downloads /exports/submissions.<format>?status=all
// through HTTP while sampling the server's VmRSS (/proc/<pid>/status) every
// 100 ms and timing /healthz every 250 ms (other requests must keep being
// served). Prints a Markdown table for docs/benchmarks.md ("Exports").
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createDb, isPostgresUrl, sqlitePathFromUrl } from "../db/client";
import { createUser } from "../app/models/user.server";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const FORMATS = arg("formats", "csv,json,xlsx").split(",");
/** extra filters, e.g. --query cluster=it (to compare a fifth of the rows with all of them) */
const QUERY = arg("query", "status=all");
/** a slow client: pause this long after each chunk read (memory must stay flat all the same) */
const READ_DELAY_MS = Number(arg("read-delay-ms", "0"));
/** a stalled client: stop reading for this long after the first chunk (the server must stop producing meanwhile) */
const STALL_MS = Number(arg("stall-ms", "0"));
const SOURCE = process.env.DATABASE_URL;
if (!SOURCE || isPostgresUrl(SOURCE)) {
  console.error("set DATABASE_URL to the SQLite benchmark database (e.g. /tmp/bench.sqlite); it is copied, never written");
  process.exit(1);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function rssKb(pid: number): number {
  const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) : 0;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mashwara-bench-export-"));
  const copy = path.join(dir, "bench.sqlite");
  const src = sqlitePathFromUrl(SOURCE!);
  fs.copyFileSync(src, copy);
  for (const ext of ["-wal"]) if (fs.existsSync(src + ext)) fs.copyFileSync(src + ext, copy + ext);

  const email = `bench.exports.${Date.now()}@example.pk`;
  const password = "bench export organiser on margalla road";
  const handle = createDb(copy);
  const made = await createUser(handle.db, { email, password, displayName: "Bench Organiser", role: "organiser", organisation: null });
  if (!made.ok) throw new Error(`could not create the organiser: ${JSON.stringify(made)}`);
  const count = await handle.db.selectFrom("submissions").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  await handle.close();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: { ...process.env, DATABASE_URL: copy, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", ORIGIN: base, LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        /* not yet */
      }
      if (i > 600) throw new Error("server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
      body: new URLSearchParams({ email, password }),
    });
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    if (login.status !== 302 || !cookie) throw new Error(`sign-in failed: ${login.status}`);

    const rows: string[] = [];
    for (const format of FORMATS) {
      // settle, then take the baseline
      await new Promise((r) => setTimeout(r, 1000));
      const pid = child.pid!;
      const baseline = rssKb(pid);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 100);
      const probes: number[] = [];
      let probing = true;
      const prober = (async () => {
        while (probing) {
          const t0 = performance.now();
          await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
          probes.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      const started = performance.now();
      const res = await fetch(`${base}/exports/submissions.${format}?${QUERY}`, { headers: { Cookie: cookie, "Accept-Encoding": "identity" } });
      if (res.status !== 200) throw new Error(`${format}: HTTP ${res.status}`);
      let bytes = 0;
      let firstByte = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!firstByte) {
          firstByte = performance.now() - started;
          if (STALL_MS) await new Promise((r) => setTimeout(r, STALL_MS));
        }
        bytes += chunk.byteLength;
        if (READ_DELAY_MS) await new Promise((r) => setTimeout(r, READ_DELAY_MS));
      }
      const seconds = (performance.now() - started) / 1000;
      probing = false;
      await prober;
      clearInterval(sampler);
      peak = Math.max(peak, rssKb(pid));
      const growthMb = (peak - baseline) / 1024;
      const sorted = [...probes].sort((a, b) => a - b);
      const p = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
      rows.push(
        `| ${format}${READ_DELAY_MS ? ` (client pauses ${READ_DELAY_MS} ms a chunk)` : ""}${STALL_MS ? ` (client stalls ${STALL_MS / 1000} s after the first chunk)` : ""} | ${QUERY} | ${Number(count.n).toLocaleString("en")} | ${seconds.toFixed(1)} s | ${(bytes / 1048576).toFixed(1)} MB | ${(firstByte / 1000).toFixed(2)} s | ${(baseline / 1024).toFixed(0)} MB | ${(peak / 1024).toFixed(0)} MB | ${growthMb.toFixed(1)} MB | ${probes.length} · p50 ${p(0.5).toFixed(0)} ms · max ${p(1).toFixed(0)} ms |`,
      );
      console.error(rows[rows.length - 1]);
    }
    console.log(`Machine: ${os.cpus().length} cores, Node ${process.version}, SQLite copy of ${src}, ${new Date().toISOString().slice(0, 10)}`);
    console.log("");
    console.log("| format | query | rows in the database | time | bytes | first byte | RSS before | RSS peak | RSS growth | /healthz during export (n · p50 · max) |");
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    for (const r of rows) console.log(r);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
