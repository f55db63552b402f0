// Benchmark: the synthesis workbench (issue 19, item 4; ADR 0029). Five
// organisers at once read /organiser/synthesis over several filter
// combinations; each scenario's p50/p95/p99 is measured from every request's
// own latency (no histogram bucket guessing) and set against /healthz measured
// the same way in the same run on the same server (the baseline). Then one
// POST links 500 suggestions to a new draft (one request), and the same POST
// again (all 500 already there). The query plans of the workbench's list
// queries follow (SQLite).
//
//   Full run (the 100,000-suggestion set; the file is copied, never written):
//     npm run cli -- db:seed --demo --size bench     (DATABASE_URL=… once)
//     DATABASE_URL=… npm run bench:synthesis [-- --duration 20]
//   Small run (a fresh SQLite file with ~5,000 suggestions, to check the bench works):
//     npm run bench:synthesis -- --small
//
// More pages: add a path to SCENARIOS below, or pass `--url /organiser/coverage`
// (repeatable) to time extra organiser pages with the same five sessions.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Kysely, SqliteDialect, type CompiledQuery } from "kysely";
import SQLite from "better-sqlite3";
import { createDb, isPostgresUrl, sqlitePathFromUrl } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import type { Database } from "../db/schema";
import { seedTaxonomy } from "../db/seed";
import { seedDemo } from "../server/demo-seed";
import { getActiveConsultation } from "~/models/consultation.server";
import { listWorkbench } from "~/models/synthesis.server";
import { ensureOrganiser, loadAverage, machine, scratchDatabase, sessionCookies, startServer } from "./lib/server";

/** The workbench pages timed: the filters an organiser uses (a heat-map cell is cluster + category). */
export const SCENARIOS: Array<{ name: string; path: string }> = [
  { name: "workbench, no filter", path: "/organiser/synthesis" },
  { name: "heat-map cell (cluster + category)", path: "/organiser/synthesis?cluster=leather&category=export-markets" },
  { name: "cluster, not covered", path: "/organiser/synthesis?cluster=leather&covered=no" },
  { name: "covered=no, page 20", path: "/organiser/synthesis?covered=no&page=20" },
  { name: "covered=yes", path: "/organiser/synthesis?covered=yes" },
  { name: "stage + category", path: "/organiser/synthesis?stage=finance&category=financial-assistance" },
  { name: "words (q=export) in a cluster", path: "/organiser/synthesis?cluster=leather&q=export" },
  { name: "words (Urdu) not covered", path: `/organiser/synthesis?covered=no&q=${encodeURIComponent("برآمد")}` },
];

const { values: options } = parseArgs({
  options: {
    small: { type: "boolean", default: false },
    duration: { type: "string", default: "10" },
    organisers: { type: "string", default: "5" },
    url: { type: "string", multiple: true, default: [] },
    json: { type: "boolean", default: false },
  },
});
const DURATION_MS = Number(options.duration) * 1000;
const ORGANISERS = Number(options.organisers);

interface Row {
  name: string;
  path: string;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (n: number) => Math.round(n * 10) / 10;

/** `ORGANISERS` loops, each with its own session, requesting `path` back to back for `ms`; every latency kept. */
async function load(base: string, name: string, pathname: string, cookies: string[], ms: number): Promise<Row> {
  const latencies: number[] = [];
  let non2xx = 0;
  const until = performance.now() + ms;
  await Promise.all(
    cookies.map(async (cookie) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const res = await fetch(base + pathname, { headers: { Cookie: cookie }, redirect: "manual" });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status < 200 || res.status >= 300) non2xx++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    name,
    path: pathname,
    requests: latencies.length,
    rps: latencies.length / (ms / 1000),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    non2xx,
  };
}

/** A fresh SQLite file with ~5,000 suggestions (the `--small` run). */
async function smallDatabase(): Promise<{ url: string; dispose: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synthesis-small-"));
  const url = path.join(dir, "small.sqlite");
  const handle = createDb(url);
  await migrateToLatest(handle);
  await seedTaxonomy(handle.db);
  await seedDemo(handle, {
    size: { users: 2_500, organisations: 1_000, submissions: 5_000, supports: 50_000, comments: 5_000, recommendations: 30 },
  });
  await handle.close();
  return { url, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function queryPlans(url: string): Promise<string> {
  if (isPostgresUrl(url)) return "(query plans: run against SQLite, or use EXPLAIN in psql)";
  const captured: CompiledQuery[] = [];
  const raw = new SQLite(sqlitePathFromUrl(url), { readonly: true });
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: raw }),
    log: (e) => {
      if (e.level === "query") captured.push(e.query);
    },
  });
  const consultation = await getActiveConsultation(db);
  const leather = await db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
  const out: string[] = [];
  for (const [label, extra] of [
    ["no filter", {}],
    ["cluster, covered=no", { clusterId: leather.id, covered: "no" as const }],
    ["covered=yes", { covered: "yes" as const }],
  ] as const) {
    captured.length = 0;
    await listWorkbench(db, { consultationId: consultation!.id, page: 1, ...extra });
    out.push(`#### ${label}`);
    for (const q of captured.slice(0, 2)) {
      const plan = raw.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>;
      out.push("```", q.sql.slice(0, 300) + (q.sql.length > 300 ? " …" : ""), ...plan.map((p) => `  → ${p.detail}`), "```");
    }
  }
  raw.close();
  return out.join("\n");
}

async function main() {
  const source = options.small ? await smallDatabase() : null;
  const from = source?.url ?? process.env.DATABASE_URL;
  if (!from) throw new Error("set DATABASE_URL to the benchmark database, or pass --small");
  // The POST writes: work on a copy (SQLite) so the data set stays as seeded.
  const scratch = source ?? scratchDatabase(from, "synthesis");
  const handle = createDb(scratch.url);
  const organiser = await ensureOrganiser(handle);
  const cookies = await sessionCookies(
    handle,
    Array.from({ length: ORGANISERS }, () => organiser.id),
  );
  const consultation = await getActiveConsultation(handle.db);
  if (!consultation) throw new Error("no active consultation");
  const publicIds = (
    await handle.db
      .selectFrom("submissions")
      .select("id")
      .where("consultation_id", "=", consultation.id)
      .where("status", "=", "published")
      .orderBy("id")
      .limit(500)
      .execute()
  ).map((r) => r.id);
  const counts = await handle.db
    .selectFrom("submissions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  await handle.close();

  const server = await startServer({ databaseUrl: scratch.url, workers: Number(process.env.WEB_CONCURRENCY ?? 1) });
  try {
    const rows: Row[] = [];
    const scenarios = [...SCENARIOS, ...(options.url as string[]).map((u) => ({ name: u, path: u }))];
    // Warm-up (JIT, page cache), then the baseline, then each page.
    for (const s of scenarios) await load(server.base, s.name, s.path, cookies, 500);
    rows.push(await load(server.base, "baseline: /healthz (same server, one trivial query)", "/healthz", cookies, DURATION_MS));
    for (const s of scenarios) rows.push(await load(server.base, s.name, s.path, cookies, DURATION_MS));

    const post = async () => {
      const body = new URLSearchParams({ intent: "link-many", recommendation: "new", title: "Bench: five hundred at once" });
      for (const id of publicIds) body.append("submission", String(id));
      const t0 = performance.now();
      const res = await fetch(`${server.base}/organiser/synthesis`, {
        method: "POST",
        body,
        headers: { Cookie: cookies[0], "Content-Type": "application/x-www-form-urlencoded", Origin: server.base },
        redirect: "manual",
      });
      const html = await res.text();
      return { status: res.status, ms: round(performance.now() - t0), ok: /started as a draft/.test(html) };
    };
    const first = await post();
    // The same ids to the draft just made are "already there": read its number from the database.
    const again = await (async () => {
      const h = createDb(scratch.url);
      const made = await h.db
        .selectFrom("recommendations")
        .select("id")
        .where("title", "=", "Bench: five hundred at once")
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      await h.close();
      const body = new URLSearchParams({ intent: "link-many", recommendation: String(made.id) });
      for (const id of publicIds) body.append("submission", String(id));
      const t0 = performance.now();
      const res = await fetch(`${server.base}/organiser/synthesis`, {
        method: "POST",
        body,
        headers: { Cookie: cookies[0], "Content-Type": "application/x-www-form-urlencoded", Origin: server.base },
        redirect: "manual",
      });
      await res.text();
      return { status: res.status, ms: round(performance.now() - t0) };
    })();

    if (options.json) {
      console.log(JSON.stringify({ rows, post: { first, again, linked: publicIds.length } }));
      return;
    }
    const baseline = rows[0];
    console.log(
      [
        `Machine: ${machine()}; database ${isPostgresUrl(scratch.url) ? "PostgreSQL" : "SQLite"} with ${Number(counts.n).toLocaleString("en")} suggestions` +
          `${options.small ? " (--small)" : ""}; ${ORGANISERS} organisers at once (one session each, back to back), ${DURATION_MS / 1000} s per scenario; ` +
          `load generator on the same machine; load average at the end ${loadAverage()}.`,
        "",
        "| scenario | requests | req/s | share of baseline req/s | p50 ms | p95 ms | p99 ms | p95 ÷ baseline p95 | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...rows.map(
          (r) =>
            `| ${r.name} | ${r.requests} | ${r.rps.toFixed(0)} | ${((r.rps / baseline.rps) * 100).toFixed(0)} % | ${r.p50} | ${r.p95} | ${r.p99} | ${(r.p95 / Math.max(baseline.p95, 0.1)).toFixed(1)} × | ${r.non2xx} |`,
        ),
        "",
        `POST link-many of ${publicIds.length} suggestions to a new draft: ${first.status}, ${first.ms} ms${first.ok ? "" : " (the answer did not say the draft was started)"}; ` +
          `the same ${publicIds.length} again (all already linked): ${again.status}, ${again.ms} ms.`,
        "",
        "Query plans of the workbench's list queries (SQLite):",
        "",
        await queryPlans(scratch.url),
      ].join("\n"),
    );
  } finally {
    await server.stop();
    scratch.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
