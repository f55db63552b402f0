// One "app instance" start-up step, run in its own process by
// migrate-concurrency.test.ts: opens DATABASE_URL, waits for a shared start
// time so that several processes begin at the same moment, then migrates
// and/or seeds and prints one JSON line with the outcome.
//   tsx tests/models/helpers/start-instance.ts <url> <migrate|seed|start> <startAtEpochMs>
import { createDb } from "../../../db/client";
import { migrateToLatest } from "../../../db/migrate";
import { seedTaxonomy } from "../../../db/seed";

async function main() {
  const [url, step, startAt] = process.argv.slice(2);
  if (!url || !step || !startAt) throw new Error("usage: start-instance.ts <url> <migrate|seed|start> <startAtEpochMs>");
  const handle = createDb(url, { poolSize: 2 });
  const out: Record<string, unknown> = {};
  try {
    const wait = Number(startAt) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (step === "migrate" || step === "start") out.applied = (await migrateToLatest(handle)).applied;
    if (step === "seed" || step === "start") out.seed = await seedTaxonomy(handle.db, new Date("2026-12-01T00:00:00.000Z"));
    process.stdout.write(`${JSON.stringify({ ok: true, ...out })}\n`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  const e = error as { message?: string; code?: string };
  process.stdout.write(`${JSON.stringify({ ok: false, error: e?.message ?? String(error), code: e?.code ?? null })}\n`);
  process.exitCode = 1;
});
