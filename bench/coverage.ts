// Times the coverage figures of /organiser/coverage (ADR 0030) on a database
// (default: DATABASE_URL; the 100,000-suggestion bench set of
// docs/benchmarks.md, migrated to the latest schema first): a snapshot miss
// (coverageFigures) for the whole consultation and for one cluster, the same
// figures by the plain SQL they replaced (tests/support/coverage-oracle.ts,
// "before"), and the left-out list (listUncovered, 50 and 500 rows). For each:
// the median wall time of its runs and the longest event-loop block of any run
// ("blockMs": what another request on the same worker waits at worst;
// better-sqlite3 is synchronous) with the CPU time used within it; "median
// CPU ms": the process's CPU time for one run (the cost whatever the machine's load).
// Usage: DATABASE_URL=/tmp/cov.sqlite npx tsx bench/coverage.ts [--runs 3] [--json] [--no-sql]
import os from "node:os";
import { parseArgs } from "node:util";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { getActiveConsultation } from "~/models/consultation.server";
import { coverageFigures, listUncovered } from "~/models/coverage.server";
import { coverageFiguresBySql } from "../tests/support/coverage-oracle";
import { blocking } from "./lib/event-loop";

const { values: options } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
    "no-sql": { type: "boolean", default: false },
  },
});
const runs = Number(options.runs);
const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const handle = createDb(url);
await migrateToLatest(handle);
const { db, dialect, close } = handle;
const consultation = await getActiveConsultation(db);
if (!consultation) throw new Error("no active consultation");
const count = async (table: "submissions" | "supports" | "recommendation_submissions") =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
const finals = Number(
  (
    await db
      .selectFrom("recommendations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "final")
      .executeTakeFirstOrThrow()
  ).n,
);
const data = {
  submissions: await count("submissions"),
  supports: await count("supports"),
  finalRecommendations: finals,
  links: await count("recommendation_submissions"),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(name: string, f: () => Promise<unknown>) {
  await f(); // warm-up: the first statement of each kind prepares it
  const ms: number[] = [];
  let blockMs = 0;
  let blockCpuMs = 0;
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const r = await blocking(f);
    const c = process.cpuUsage(c0);
    cpu.push(Math.round((c.user + c.system) / 1000));
    ms.push(r.ms);
    blockMs = Math.max(blockMs, r.blockMs);
    blockCpuMs = Math.max(blockCpuMs, r.blockCpuMs);
  }
  return { name, runs, medianMs: median(ms), maxMs: Math.max(...ms), cpuMs: median(cpu), blockMs, blockCpuMs };
}

const consultationId = consultation.id;
const leather = (await db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow()).id;
const results = [
  await time("coverageFigures: all clusters (a snapshot miss)", () => coverageFigures(db, { consultationId })),
  await time("coverageFigures: cluster=leather", () => coverageFigures(db, { consultationId, clusterId: leather })),
  await time("listUncovered: 50 rows", () => listUncovered(db, { consultationId, limit: 50 })),
  await time("listUncovered: 500 rows", () => listUncovered(db, { consultationId, limit: 500 })),
  await time("listUncovered: cluster=leather, 50 rows", () => listUncovered(db, { consultationId, clusterId: leather, limit: 50 })),
];
if (!options["no-sql"]) {
  results.push(
    await time("before: the six SQL aggregates, all clusters", () => coverageFiguresBySql(db, { consultationId })),
    await time("before: the six SQL aggregates, cluster=leather", () => coverageFiguresBySql(db, { consultationId, clusterId: leather })),
  );
}
const meta = { dialect, data, node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => l.toFixed(2)) };
if (options.json) console.log(JSON.stringify({ meta, results }, null, 2));
else {
  console.log(JSON.stringify(meta));
  console.log("| call | runs | median ms | max ms | median CPU ms | longest block ms | its CPU ms |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of results)
    console.log(`| ${r.name} | ${r.runs} | ${r.medianMs} | ${r.maxMs} | ${r.cpuMs} | ${r.blockMs} | ${r.blockCpuMs} |`);
}
await close();
