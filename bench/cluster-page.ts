// Benchmark: the cluster page on the national-scale data set, against /healthz,
// with the query plans of the list queries. The full load benchmark with the
// bare node:http baseline is bench/load.ts (npm run bench:load).
//
//   npm run cli -- db:seed --demo --size bench            (DATABASE_URL=… once)
//   DATABASE_URL=… [WEB_CONCURRENCY=2] npm run bench:cluster [-- --duration 20 --connections 10]
//
// Starts the production build (server/index.ts, NODE_ENV=production) on the
// given database, then runs autocannon against, in turn: /healthz (the
// baseline in the same run: the same server and stack doing one trivial
// query), the cluster page sorted by "top", the same with a search word, and
// the random sort. Prints a Markdown table (req/s, latency p50/p95/p99, errors,
// and req/s as a share of the baseline) and the query plans of the list
// queries, for docs/benchmarks.md.
import os from "node:os";
import autocannon from "autocannon";
import { Kysely, SqliteDialect, type CompiledQuery } from "kysely";
import SQLite from "better-sqlite3";
import { createDb, sqlitePathFromUrl } from "../db/client";
import type { Database } from "../db/schema";
import { listClusterSubmissions } from "~/models/submission.server";
import { startServer } from "./lib/server";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const DURATION = Number(arg("duration", "20"));
const CONNECTIONS = Number(arg("connections", "10"));
const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) {
  console.error("set DATABASE_URL to the benchmark database (see the header of bench/cluster-page.ts)");
  process.exit(1);
}

interface Row {
  name: string;
  path: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/**
 * `vary` gives each request its own path (e.g. a different page), so nothing
 * the server remembers between requests helps it.
 */
async function load(name: string, url: string, vary?: () => string): Promise<Row> {
  const requests = vary ? [{ setupRequest: (req: { path: string }) => ({ ...req, path: vary() }) }] : undefined;
  // Warm up (JIT, SQLite page cache) before measuring.
  await autocannon({ url, connections: CONNECTIONS, duration: 3, requests } as autocannon.Options);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, requests } as autocannon.Options);
  return {
    name,
    path: new URL(url).pathname + new URL(url).search,
    rps: r.requests.average,
    p50: r.latency.p50,
    // autocannon reports p97.5 and p99; p95 is not in its histogram summary, so take p97.5 as an upper bound.
    p95: (r.latency as unknown as Record<string, number>).p95 ?? r.latency.p97_5,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

async function queryPlans(): Promise<string> {
  if (!DATABASE_URL || /^postgres/.test(DATABASE_URL)) return "(query plans: run against SQLite, or use EXPLAIN in psql)";
  const captured: CompiledQuery[] = [];
  const raw = new SQLite(sqlitePathFromUrl(DATABASE_URL), { readonly: true });
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: raw }),
    log: (e) => {
      if (e.level === "query") captured.push(e.query);
    },
  });
  const handle = createDb(DATABASE_URL);
  const consultation = await handle.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow();
  const cluster = await handle.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
  await handle.close();
  const out: string[] = [];
  for (const [label, extra] of [
    ["sort=top", { sort: "top" as const }],
    ["sort=top&q=export", { sort: "top" as const, q: "export" }],
    ["sort=random", { sort: "random" as const }],
  ] as const) {
    captured.length = 0;
    await listClusterSubmissions(db, {
      consultationId: consultation.id,
      clusterId: cluster.id,
      page: 1,
      pageSize: 20,
      seed: 12345,
      ...extra,
    });
    out.push(`#### ${label}`);
    for (const q of captured.slice(0, 4)) {
      const plan = raw.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>;
      out.push("```", q.sql.slice(0, 300) + (q.sql.length > 300 ? " …" : ""), ...plan.map((p) => `  → ${p.detail}`), "```");
    }
  }
  raw.close();
  return out.join("\n");
}

async function main() {
  const server = await startServer({ databaseUrl: DATABASE_URL!, workers: Number(process.env.WEB_CONCURRENCY ?? 1) });
  const base = server.base;
  try {
    const rows: Row[] = [];
    rows.push(await load("baseline: /healthz (same server, one trivial query)", `${base}/healthz`));
    rows.push(await load("cluster page, sort=top", `${base}/clusters/leather?sort=top`));
    // "export*" is the commonest word of an export consultation: ~85 % of the submissions match it.
    rows.push(await load("cluster page, sort=top, q=export", `${base}/clusters/leather?sort=top&q=export`));
    let n = 0;
    rows.push(
      await load(
        "cluster page, sort=top, q=export, a different page each request (1–700)",
        `${base}/clusters/leather?sort=top&q=export`,
        () => `/clusters/leather?sort=top&q=export&page=${(n++ % 700) + 1}`,
      ),
    );
    rows.push(
      await load(
        "cluster page, sort=top, q=<one of 8 words> page 1–50, each request different",
        `${base}/clusters/leather?sort=top&q=refinance`,
        () => {
          const words = [
            "refinance",
            "technology",
            "workers",
            "sialkot",
            "design",
            "registration",
            encodeURIComponent("برآمدات"),
            "approvals",
          ];
          const i = n++;
          return `/clusters/leather?sort=top&q=${words[i % 8]}&page=${(Math.floor(i / 8) % 50) + 1}`;
        },
      ),
    );
    rows.push(await load("cluster page, sort=random", `${base}/clusters/leather?sort=random`));
    rows.push(await load("cluster page, sort=top, page 200", `${base}/clusters/leather?sort=top&page=200`));
    const baseline = rows[0].rps;
    const lines = [
      `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
        `database ${/^postgres/.test(DATABASE_URL!) ? "PostgreSQL" : "SQLite"}; ${CONNECTIONS} connections, ${DURATION} s per scenario after 3 s warm-up; load generator on the same machine.`,
      "",
      "| scenario | req/s | share of baseline | p50 ms | p95 ms (p97.5) | p99 ms | errors | non-2xx |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.rps.toFixed(0)} | ${((r.rps / baseline) * 100).toFixed(0)} % | ${r.p50} | ${r.p95} | ${r.p99} | ${r.errors} | ${r.non2xx} |`,
      ),
      "",
      "Query plans of the list queries (SQLite):",
      "",
      await queryPlans(),
    ];
    console.log(lines.join("\n"));
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
