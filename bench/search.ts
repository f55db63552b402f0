// The two searches a visitor can start, timed on a database (default:
// DATABASE_URL; the 100,000-suggestion demo set, see docs/benchmarks.md):
// "similar" (/submissions/similar?title=…, any word, ranked) and the cluster
// page's `q` (every word, the last as a prefix; the page's default sort while
// supports are open, "random", and "top"), with no memo, so each run is what a
// memo miss costs. For each query: the median wall time of its runs and the
// longest event-loop block of any run ("blockMs": what another request on the
// same worker waits at worst; better-sqlite3 is synchronous, so on SQLite a
// statement holds the loop for as long as it runs).
// `--chunk N` reads N ids per statement on SQLite (default SEARCH_CHUNK_IDS;
// `--chunk 1000000000` is one statement per search, as before ADR 0021).
// `--glossary off|on|both` (default both): each query without the glossary's
// expansion (an empty glossary), with it (the database's, ADR 0033), or both
// interleaved run by run, with the ratio on/off (measured in the same run, so
// a busy machine weighs on both alike).
// Usage: DATABASE_URL=/tmp/bench-search.sqlite npm run bench:search -- [--runs 5] [--chunk N] [--glossary both] [--json]
import os from "node:os";
import { parseArgs } from "node:util";
import { createDb } from "../db/client";
import { getActiveConsultation } from "~/models/consultation.server";
import { buildGlossary, currentGlossary, overrideGlossary, SEARCH_CHUNK_IDS } from "~/models/search.server";
import { findSimilarPublished, listClusterSubmissions } from "~/models/submission.server";
import { listClusters } from "~/models/taxonomy.server";
import { blocking } from "./lib/event-loop";

const { values: options } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    chunk: { type: "string" },
    glossary: { type: "string", default: "both" },
    json: { type: "boolean", default: false },
  },
});
const runs = Number(options.runs);
const chunkIds = options.chunk ? Number(options.chunk) : undefined;
const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const { db, dialect, close } = createDb(url);
const consultation = await getActiveConsultation(db);
if (!consultation) throw new Error("no active consultation");
const clusters = await listClusters(db);
const glossaryModes =
  options.glossary === "both" ? (["off", "on"] as const) : options.glossary === "off" ? (["off"] as const) : (["on"] as const);
const databaseGlossary = await currentGlossary(db);
const emptyGlossary = buildGlossary([]);
const cluster = clusters.find((c) => c.slug === "leather") ?? clusters[0];

// Titles as people type them (the similar search) and words they look for on a cluster page.
const SIMILAR = [
  { lang: "en", kind: "common", text: "Market access support for leather export in the EU" },
  { lang: "en", kind: "common", text: "Reduce sales tax on exporters" },
  { lang: "en", kind: "rare", text: "Biometric attendance for tannery workers" },
  { lang: "ur", kind: "common", text: "چمڑے کی برآمد کے لیے قرض" },
  { lang: "ur", kind: "rare", text: "ڈیٹا سینٹر کی بجلی" },
];
const CLUSTER_Q = [
  { lang: "en", kind: "common", text: "export" },
  { lang: "en", kind: "common", text: "market access" },
  { lang: "en", kind: "prefix", text: "ex" },
  { lang: "en", kind: "rare", text: "biometric" },
  { lang: "ur", kind: "common", text: "برآمد" },
  { lang: "ur", kind: "rare", text: "ڈیٹا سینٹر" },
];

interface Row {
  search: string;
  glossary: "off" | "on";
  lang: string;
  kind: string;
  query: string;
  results: number;
  medianMs: number;
  blockMs: number;
  blockCpuMs: number;
  /** CPU time of the whole search (all its statements), median */
  cpuMs: number;
}
const rows: Row[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (n: number) => Math.round(n * 10) / 10;

async function measure(search: string, q: { lang: string; kind: string; text: string }, f: () => Promise<number>) {
  const stats = new Map(glossaryModes.map((m) => [m, { times: [] as number[], cpu: [] as number[], block: 0, blockCpu: 0, results: 0 }]));
  for (const mode of glossaryModes) {
    overrideGlossary(mode === "on" ? databaseGlossary : emptyGlossary);
    await f(); // warm: page cache of the database file, prepared statements
  }
  for (let i = 0; i < runs; i++) {
    for (const mode of glossaryModes) {
      overrideGlossary(mode === "on" ? databaseGlossary : emptyGlossary);
      const s = stats.get(mode)!;
      const cpuBefore = process.cpuUsage();
      const r = await blocking(f);
      const cpu = process.cpuUsage(cpuBefore);
      s.times.push(r.ms);
      s.cpu.push((cpu.user + cpu.system) / 1000);
      s.block = Math.max(s.block, r.blockMs);
      s.blockCpu = Math.max(s.blockCpu, r.blockCpuMs);
      s.results = r.value;
    }
  }
  for (const [mode, s] of stats)
    rows.push({
      search,
      glossary: mode,
      lang: q.lang,
      kind: q.kind,
      query: q.text,
      results: s.results,
      medianMs: median(s.times),
      blockMs: s.block,
      blockCpuMs: s.blockCpu,
      cpuMs: round(median(s.cpu)),
    });
}

for (const q of SIMILAR) {
  await measure(
    "similar",
    q,
    async () => (await findSimilarPublished(db, { consultationId: consultation.id, text: q.text }, { chunkIds })).length,
  );
}
for (const sort of ["random", "top"] as const) {
  for (const q of CLUSTER_Q) {
    await measure(`cluster q (${sort})`, q, async () => {
      const r = await listClusterSubmissions(
        db,
        { consultationId: consultation.id, clusterId: cluster.id, sort, page: 1, pageSize: 20, seed: 123_456_789, q: q.text },
        { chunkIds },
      );
      return r.total;
    });
  }
}
await close();

if (options.json) console.log(JSON.stringify(rows));
else {
  const load = os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(", ");
  console.log(
    `${dialect}, ${chunkIds ?? SEARCH_CHUNK_IDS} ids per statement, ${runs} runs per query, cluster "${cluster.slug}", load average at the end ${load}`,
  );
  console.log(
    "| search | query | lang | kind | glossary | matches | median ms | CPU ms | longest block ms (wall) | longest block ms (CPU) |",
  );
  console.log("|---|---|---|---|---|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.search} | ${r.query} | ${r.lang} | ${r.kind} | ${r.glossary} | ${r.results} | ${r.medianMs} | ${r.cpuMs} | ${r.blockMs} | ${r.blockCpuMs} |`,
    );
  if (glossaryModes.length === 2) {
    console.log("\nThe glossary's cost, on/off in the same run (median wall time, median CPU time):");
    console.log("| search | query | matches off → on | wall on/off | CPU on/off |");
    console.log("|---|---|---:|---:|---:|");
    for (let i = 0; i < rows.length; i += 2) {
      const [off, on] = [rows[i], rows[i + 1]];
      const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "–");
      console.log(
        `| ${on.search} | ${on.query} | ${off.results} → ${on.results} | ${ratio(on.medianMs, off.medianMs)} | ${ratio(on.cpuMs, off.cpuMs)} |`,
      );
    }
  }
}
