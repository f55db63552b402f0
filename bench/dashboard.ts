// Times each aggregate of the organiser dashboard on a database (default:
// DATABASE_URL), and the longest stretch the event loop was held during the
// whole computation ("blockMs": what another request on the same worker waits
// at worst; better-sqlite3 is synchronous).
// Usage: DATABASE_URL=/tmp/dash.sqlite npx tsx bench/dashboard.ts [runs]
import { createDb } from "../db/client";
import { getActiveConsultation } from "~/models/consultation.server";
import { getDashboard } from "~/models/dashboard.server";
import { getDashboardSnapshot } from "~/models/dashboard-snapshot.server";
import { listClusters } from "~/models/taxonomy.server";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const runs = Number(process.argv[2] ?? 5);
const { db, close } = createDb(url);
const consultation = await getActiveConsultation(db);
if (!consultation) throw new Error("no active consultation");
const clusterIds = (await listClusters(db)).map((c) => c.id);

/**
 * Runs `f` while a 1 ms timer samples the event loop: the longest gap between
 * two of its turns is the longest time another request would have waited.
 * (Wall-clock: on a busy machine a descheduled process shows as a gap too.)
 */
async function blocking<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; blockMs: number }> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await new Promise((r) => setTimeout(r, 5));
  longest = 0;
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  // One more turn of the sampler, so a block at the very end is counted too.
  await new Promise((r) => setTimeout(r, 3));
  running = false;
  return { value, ms: Math.round(ms), blockMs: Math.round(longest * 10) / 10 };
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
console.log(
  JSON.stringify({ snapshot: "10 views at once (cold)", totalMs: together.ms, blockMs: together.blockMs, computations: asOf.size }),
);
const warm = await blocking(() => getDashboardSnapshot(db, params));
console.log(JSON.stringify({ snapshot: "a view within the memo's age", totalMs: warm.ms, blockMs: warm.blockMs }));
await close();
