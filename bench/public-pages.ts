// Times the two public figure pages of issue 16 on a database (default:
// DATABASE_URL; the 100,000-suggestion demo set of docs/benchmarks.md, migrated
// to the latest schema first): /stats (computePublicStats: every breakdown and
// the weekly lines, then small-cell suppression; the page reads a snapshot at
// most ten minutes old, one computation at a time per process) and
// /accountability (getAccountability: every final recommendation with its
// unique supporters, latest progress and markers), for the whole consultation
// and one cluster. For each: the median wall time of its runs and the longest
// event-loop block of any run ("blockMs": what another request on the same
// worker waits at worst; better-sqlite3 is synchronous).
// Usage: DATABASE_URL=/tmp/bench.sqlite npx tsx bench/public-pages.ts [--runs 5] [--json]
import os from "node:os";
import { parseArgs } from "node:util";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { getAccountability } from "~/models/accountability.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { computePublicStats, getPublicStats } from "~/models/public-stats.server";
import { blocking } from "./lib/event-loop";

const { values: options } = parseArgs({ options: { runs: { type: "string", default: "5" }, json: { type: "boolean", default: false } } });
const runs = Number(options.runs);
const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const handle = createDb(url);
await migrateToLatest(handle);
const { db, dialect, close } = handle;
const consultation = await getActiveConsultation(db);
if (!consultation) throw new Error("no active consultation");
const count = async (table: "submissions" | "users" | "supports" | "recommendations") =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
const data = {
  submissions: await count("submissions"),
  users: await count("users"),
  supports: await count("supports"),
  recommendations: await count("recommendations"),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(name: string, f: () => Promise<unknown>) {
  await f(); // warm-up: the first statement of each kind prepares it
  const ms: number[] = [];
  let blockMs = 0;
  let blockCpuMs = 0;
  for (let i = 0; i < runs; i++) {
    const r = await blocking(f);
    ms.push(r.ms);
    blockMs = Math.max(blockMs, r.blockMs);
    blockCpuMs = Math.max(blockCpuMs, r.blockCpuMs);
  }
  return { name, runs, medianMs: median(ms), maxMs: Math.max(...ms), blockMs, blockCpuMs };
}

const id = consultation.id;
const results = [
  await time("/stats: computePublicStats (a snapshot miss)", () => computePublicStats(db, { consultationId: id })),
  await time("/stats: getPublicStats within the snapshot's age", () => getPublicStats(db, { consultationId: id })),
  await time("/accountability: all clusters", () => getAccountability(db, { consultationId: id })),
  await time("/accountability: cluster=leather", () => getAccountability(db, { consultationId: id, clusterSlug: "leather" })),
];
const meta = { dialect, data, node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => l.toFixed(2)) };
if (options.json) console.log(JSON.stringify({ meta, results }, null, 2));
else {
  console.log(JSON.stringify(meta));
  console.log("| page (model call) | runs | median ms | max ms | longest block ms | its CPU ms |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of results) console.log(`| ${r.name} | ${r.runs} | ${r.medianMs} | ${r.maxMs} | ${r.blockMs} | ${r.blockCpuMs} |`);
}
await close();
