// Times each aggregate of the organiser dashboard on a database (default: DATABASE_URL).
// Usage: DATABASE_URL=/tmp/dash.sqlite npx tsx bench/dashboard.ts [runs]
import { createDb } from "../db/client";
import { getActiveConsultation } from "../app/models/consultation.server";
import { getDashboard } from "../app/models/dashboard.server";
import { listClusters } from "../app/models/taxonomy.server";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const runs = Number(process.argv[2] ?? 5);
const { db, close } = createDb(url);
const consultation = await getActiveConsultation(db);
if (!consultation) throw new Error("no active consultation");
const clusterIds = (await listClusters(db)).map((c) => c.id);
for (let i = 0; i < runs; i++) {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  await getDashboard(db, { consultationId: consultation.id, clusterIds, timings });
  console.log(JSON.stringify({ run: i + 1, totalMs: Math.round(performance.now() - t0), ...timings }));
}
await close();
