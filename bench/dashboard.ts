// Times each aggregate of the organiser dashboard on a database (default:
// DATABASE_URL), and the longest stretch the event loop was held during the
// whole computation ("blockMs": what another request on the same worker waits
// at worst; better-sqlite3 is synchronous).
// Usage: DATABASE_URL=/tmp/dash.sqlite npx tsx bench/dashboard.ts [runs]
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createDb } from "../db/client";
import { getActiveConsultation } from "../app/models/consultation.server";
import { getDashboard } from "../app/models/dashboard.server";
import { getDashboardSnapshot } from "../app/models/dashboard-snapshot.server";
import { listClusters } from "../app/models/taxonomy.server";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const runs = Number(process.argv[2] ?? 5);
const { db, close } = createDb(url);
const consultation = await getActiveConsultation(db);
if (!consultation) throw new Error("no active consultation");
const clusterIds = (await listClusters(db)).map((c) => c.id);

/** Runs `f` while sampling the event loop every millisecond; the longest delay seen is the longest block. */
async function blocking<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; blockMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // Let the histogram's timer start before the work does.
  await new Promise((r) => setTimeout(r, 5));
  h.enable();
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  // One more turn, so a block at the very end is sampled too.
  await new Promise((r) => setTimeout(r, 2));
  h.disable();
  return { value, ms: Math.round(ms), blockMs: Math.round(h.max / 1e5) / 10 };
}

for (let i = 0; i < runs; i++) {
  const timings: Record<string, number> = {};
  const r = await blocking(() => getDashboard(db, { consultationId: consultation.id, clusterIds, timings }));
  console.log(JSON.stringify({ run: i + 1, totalMs: r.ms, blockMs: r.blockMs, ...timings }));
}
// The page's path: the first view computes (once, however many arrive together), later views within the memo's age read it.
const params = { consultationId: consultation.id, clusterIds };
const together = await blocking(() => Promise.all(Array.from({ length: 10 }, () => getDashboardSnapshot(db, params))));
const asOf = new Set(together.value.map((s) => s.asOf));
console.log(JSON.stringify({ snapshot: "10 views at once (cold)", totalMs: together.ms, blockMs: together.blockMs, computations: asOf.size }));
const warm = await blocking(() => getDashboardSnapshot(db, params));
console.log(JSON.stringify({ snapshot: "a view within the memo's age", totalMs: warm.ms, blockMs: warm.blockMs }));
await close();
