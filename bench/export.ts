// Benchmark: the streamed exports on the national-scale data set (issue 6: an
// export of 100,000 submissions grows the server's RSS by under 100 MB).
//
//   DATABASE_URL=/tmp/bench.sqlite npm run bench:export [-- --formats csv,json,xlsx] [--rounds 3]
//       [--query status=all] [--gzip] [--read-delay-ms 0] [--stall-ms 0]
//
// Never writes to DATABASE_URL: a SQLite file is copied first (the copy gets an
// organiser account). For every round and format a fresh production server
// (one process) starts on the copy; after 1 s the RSS is taken, then
// /exports/submissions.<format>?<query> is downloaded over HTTP while the RSS
// is sampled every 100 ms and /healthz is timed every 250 ms. The memory probe
// (bench/lib/mem-probe.mjs) records the V8 heap and Buffer memory, to tell
// them apart. Prints a Markdown table for docs/benchmarks.md.
import { createDb } from "../db/client";
import { arg, ensureOrganiser, loadAverage, machine, peakSampler, scratchDatabase, signIn, sleep, startServer } from "./lib/server";

const FORMATS = arg("formats", "csv,json,xlsx").split(",");
const ROUNDS = Number(arg("rounds", "1"));
/** extra filters, e.g. --query cluster=it (to compare a fifth of the rows with all of them) */
const QUERY = arg("query", "status=all");
const GZIP = process.argv.includes("--gzip");
/** a slow client: pause this long after each chunk read (memory must stay flat all the same) */
const READ_DELAY_MS = Number(arg("read-delay-ms", "0"));
/** a stalled client: stop reading for this long after the first chunk (the server must stop producing meanwhile) */
const STALL_MS = Number(arg("stall-ms", "0"));
const SOURCE = process.env.DATABASE_URL;
if (!SOURCE) {
  console.error("set DATABASE_URL to the benchmark database (e.g. /tmp/bench.sqlite); a SQLite file is copied, never written");
  process.exit(1);
}

const MB = 1024 * 1024;

export interface ExportResult {
  format: string;
  seconds: number;
  bytes: number;
  firstByte: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  growthMb: number;
  heapTotalGrowthMb: number;
  externalGrowthMb: number;
  probes: number[];
}

/** Downloads one export from a running server while sampling its memory. */
export async function measureExport(
  server: Awaited<ReturnType<typeof startServer>>,
  cookie: string,
  format: string,
  options: { query?: string; gzip?: boolean; readDelayMs?: number; stallMs?: number; probe?: boolean } = {},
): Promise<ExportResult> {
  const { base } = server;
  const before = server.rssKb();
  const since = Date.now();
  const firstSample = server.memSamples(since - 1000).at(-1);
  const sampler = peakSampler(() => server.rssKb());
  const probes: number[] = [];
  let probing = options.probe !== false;
  const prober = (async () => {
    while (probing) {
      const t0 = performance.now();
      await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
      probes.push(performance.now() - t0);
      await sleep(250);
    }
  })();
  const started = performance.now();
  const res = await fetch(`${base}/exports/submissions.${format}?${options.query ?? "status=all"}`, {
    headers: { Cookie: cookie, "Accept-Encoding": options.gzip ? "gzip" : "identity" },
  });
  if (res.status !== 200) throw new Error(`${format}: HTTP ${res.status}`);
  let bytes = 0;
  let firstByte = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (!firstByte) {
      firstByte = performance.now() - started;
      if (options.stallMs) await sleep(options.stallMs);
    }
    bytes += chunk.byteLength;
    if (options.readDelayMs) await sleep(options.readDelayMs);
  }
  const seconds = (performance.now() - started) / 1000;
  probing = false;
  await prober;
  const peak = sampler.stop();
  const samples = server.memSamples(since);
  const maxOf = (k: "heapTotal" | "external") => Math.max(0, ...samples.map((s) => s[k]));
  return {
    format,
    seconds,
    bytes,
    firstByte: firstByte / 1000,
    rssBeforeMb: before / 1024,
    rssPeakMb: peak / 1024,
    growthMb: (peak - before) / 1024,
    heapTotalGrowthMb: firstSample ? (maxOf("heapTotal") - firstSample.heapTotal) / MB : NaN,
    externalGrowthMb: firstSample ? (maxOf("external") - firstSample.external) / MB : NaN,
    probes,
  };
}

export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
}

async function main() {
  const scratch = scratchDatabase(SOURCE!, "export");
  const handle = createDb(scratch.url);
  const organiser = await ensureOrganiser(handle);
  const count = await handle.db
    .selectFrom("submissions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  await handle.close();
  const rows: string[] = [];
  const loads: string[] = [`before: ${loadAverage()}`];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const format of FORMATS) {
        const server = await startServer({ databaseUrl: scratch.url });
        try {
          const cookie = await signIn(server.base, organiser.email, organiser.password);
          await sleep(1000);
          const r = await measureExport(server, cookie, format, {
            query: QUERY,
            gzip: GZIP,
            readDelayMs: READ_DELAY_MS,
            stallMs: STALL_MS,
          });
          const label = `${format}${GZIP ? " (gzip)" : ""}${READ_DELAY_MS ? ` (client pauses ${READ_DELAY_MS} ms a chunk)` : ""}${STALL_MS ? ` (client stalls ${STALL_MS / 1000} s)` : ""}`;
          rows.push(
            `| ${label} | ${round} | ${QUERY} | ${Number(count.n).toLocaleString("en")} | ${r.seconds.toFixed(1)} s | ${(r.bytes / MB).toFixed(1)} MB | ${r.firstByte.toFixed(2)} s | ${r.rssBeforeMb.toFixed(0)} MB | ${r.rssPeakMb.toFixed(0)} MB | **${r.growthMb.toFixed(1)} MB** | ${r.heapTotalGrowthMb.toFixed(1)} MB | ${r.externalGrowthMb.toFixed(1)} MB | ${r.probes.length} · p50 ${percentile(r.probes, 0.5).toFixed(0)} ms · max ${percentile(r.probes, 1).toFixed(0)} ms |`,
          );
          console.error(rows[rows.length - 1], `(load ${loadAverage()})`);
          loads.push(loadAverage());
        } finally {
          await server.stop();
        }
      }
    }
    console.log(
      `Machine: ${machine()}; database ${SOURCE!.startsWith("postgres") ? "PostgreSQL" : "SQLite (a copy)"}; load average (1/5/15 min) ${loads.join(" → ")}; ${new Date().toISOString().slice(0, 16)} UTC`,
    );
    console.log("");
    console.log(
      "| format | run | query | rows in the database | time | bytes | first byte | RSS before | RSS peak | RSS growth | V8 heap growth | Buffers (external) growth | /healthz during export (n · p50 · max) |",
    );
    console.log("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (const r of rows) console.log(r);
  } finally {
    scratch.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
