// Load benchmark of issue 8: every scenario at 10 and 50 connections against
// the production build, with the bare node:http baseline (bench/baseline-server.ts)
// measured in the same run.
//
//   DATABASE_URL=/tmp/bench.sqlite npm run bench:load [-- --connections 10,50] [--duration 10]
//       [--workers 2] [--scenarios cluster,mixed,submission,support,support-enhanced,login,dashboard,export] [--support-rate 500]
//       [--cluster-pages sort=random] (only the cluster pages whose names contain it)
//   DATABASE_URL=postgres://…/bench_x npm run bench:load -- --scenarios cluster,support
//
// A SQLite file is copied first (never written); a PostgreSQL database is
// used as is (name it bench_*; the run adds sessions, supports and an
// organiser to it). Before the run: an organiser and 1,000 demo stakeholders
// get sessions (written to the database directly: no password hashing per
// user). Per scenario: 2 s warm-up, then `--duration` s measured. Latency
// percentiles come from every response's own time (autocannon's histogram
// summary has no p95); the peak RSS is the sum over the server's processes
// (primary and workers), sampled every 100 ms. Prints Markdown tables.
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { createDb, isPostgresUrl } from "../db/client";
import { DEMO_PASSWORD } from "../server/demo-seed";
import { measureExport, percentile } from "./export";
import {
  arg,
  ensureOrganiser,
  freePort,
  loadAverage,
  machine,
  peakSampler,
  scratchDatabase,
  demoReaders,
  signIn,
  sleep,
  startServer,
  treeRssKb,
  treeCpuMs,
  cpuBetween,
  machineCpu,
} from "./lib/server";

const CONNECTIONS = arg("connections", "10,50").split(",").map(Number);
const DURATION = Number(arg("duration", "10"));
const WORKERS = Number(arg("workers", process.env.WEB_CONCURRENCY ?? "2"));
const SCENARIOS = new Set(arg("scenarios", "cluster,mixed,submission,support,support-enhanced,login,dashboard,export").split(","));
const SUPPORT_RATE = Number(arg("support-rate", "500"));
// The cluster scenario's pages whose names contain one of these (e.g. "sort=random"); all of them when empty.
const CLUSTER_PAGES = arg("cluster-pages", "").split(",").filter(Boolean);
const USERS = 1000;
const SOURCE = process.env.DATABASE_URL;
if (!SOURCE) {
  console.error("set DATABASE_URL to the benchmark database (see the header of bench/load.ts)");
  process.exit(1);
}
const PG = isPostgresUrl(SOURCE);

interface Result {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  bad: number;
  statuses: string;
  peakRssMb: number;
  /** the server processes' CPU per answered request (ms), when measured */
  serverCpuPerRequest?: number;
  /** the load generator's (this process's) CPU, in cores */
  generatorCores: number;
  /** the machine's CPU busy over the run, every process's (not idle, not I/O wait), of all cores */
  machineBusy: number;
  baselineRps?: number;
  note?: string;
}

type Req = { method?: string; path: string; body?: string; headers?: Record<string, string> };

/** One autocannon run; `next` gives each request its own path/body/headers. */
async function run(
  name: string,
  base: string,
  connections: number,
  options: {
    next?: () => Req;
    duration?: number;
    overallRate?: number;
    rssOf?: () => number;
    cpuOf?: () => Map<number, number>;
    warm?: boolean;
    stopWhen?: Promise<unknown>;
  } = {},
): Promise<Result> {
  const requests = options.next
    ? [
        {
          setupRequest: (req: Record<string, unknown>) => {
            const n = options.next!();
            return { ...req, method: n.method ?? "GET", path: n.path, body: n.body, headers: { ...(req.headers as object), ...n.headers } };
          },
        },
      ]
    : undefined;
  const opts = { url: base, connections, requests, overallRate: options.overallRate, timeout: 30 } as autocannon.Options;
  if (options.warm !== false) await idle(base);
  if (options.warm !== false) await autocannon({ ...opts, duration: 2 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const rss = options.rssOf ? peakSampler(options.rssOf) : null;
  const serverCpu0 = options.cpuOf?.();
  const generatorCpu0 = process.cpuUsage();
  const machine0 = machineCpu();
  const t0 = performance.now();
  let instance: autocannon.Instance | undefined;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ ...opts, duration: options.duration ?? DURATION }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    void options.stopWhen?.then(() => instance?.stop());
  });
  const wallMs = performance.now() - t0;
  const serverCpuMs = serverCpu0 && options.cpuOf ? cpuBetween(serverCpu0, options.cpuOf()) : null;
  const generatorCpu = process.cpuUsage(generatorCpu0);
  const machine1 = machineCpu();
  const peak = rss?.stop() ?? 0;
  const bad = [...statuses].filter(([s]) => s < 200 || s >= 400).reduce((a, [, n]) => a + n, 0);
  return {
    name,
    connections,
    rps: latencies.length / (r.duration || options.duration || DURATION),
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    errors: r.errors + r.timeouts,
    bad,
    statuses: [...statuses]
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(" "),
    peakRssMb: peak / 1024,
    serverCpuPerRequest: serverCpuMs !== null && latencies.length ? serverCpuMs / latencies.length : undefined,
    generatorCores: (generatorCpu.user + generatorCpu.system) / 1000 / wallMs,
    machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
  };
}

/** Waits (up to 60 s) until the server answers /healthz within 100 ms: the previous scenario's requests are done. */
async function idle(base: string) {
  for (let i = 0; i < 120; i++) {
    const t0 = performance.now();
    try {
      await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
    } catch {
      /* retry */
    }
    if (performance.now() - t0 < 100) return;
    await sleep(500);
  }
}

async function startBaseline(databaseUrl: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "bench/baseline-server.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), WEB_CONCURRENCY: String(WORKERS) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 600) throw new Error("baseline did not start");
    await sleep(100);
  }
  for (let i = 0; i < 20; i++) await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
  return {
    base,
    rssKb: () => treeRssKb(child.pid!),
    cpu: () => treeCpuMs(child.pid!),
    stop: async () => {
      child.kill("SIGTERM");
      await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
    },
  };
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

function table(results: Result[]): string {
  const lines = [
    "| scenario | conn. | req/s | share of baseline | p50 ms | p95 ms | p99 ms | errors | 4xx/5xx | peak RSS (all processes) | server CPU per request | load generator | machine busy | statuses |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.name}${r.note ? ` (${r.note})` : ""} | ${r.connections} | ${fmt(r.rps)} | ${r.baselineRps ? `${((r.rps / r.baselineRps) * 100).toFixed(0)} %` : ""} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.errors} | ${r.bad} | ${r.peakRssMb.toFixed(0)} MB | ${r.serverCpuPerRequest === undefined ? "" : `${r.serverCpuPerRequest.toFixed(2)} ms`} | ${r.generatorCores.toFixed(2)} cores | ${(r.machineBusy * 100).toFixed(0)} % | ${r.statuses} |`,
    );
  }
  return lines.join("\n");
}

async function main() {
  const scratch = scratchDatabase(SOURCE!, "load");
  const loads: string[] = [`start ${loadAverage()}`];
  const handle = createDb(scratch.url);
  const organiser = await ensureOrganiser(handle);
  const { cookies, published } = await demoReaders(handle, USERS);
  const clusterSlugs = (await handle.db.selectFrom("clusters").select("slug").orderBy("id").execute()).map((r) => r.slug);
  const category = (await handle.db.selectFrom("categories").select("slug").orderBy("sort_order").executeTakeFirstOrThrow()).slug;
  await handle.close();

  const app = await startServer({ databaseUrl: scratch.url, workers: WORKERS });
  const baseline = SCENARIOS.has("cluster") ? await startBaseline(scratch.url) : null;
  const organiserCookie = await signIn(app.base, organiser.email, organiser.password);
  const results: Result[] = [];
  let exportLine = "";
  try {
    let n = 0;
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
    const clusterScenarios = (
      [
        ["cluster page, sort=top, page 1", "/clusters/leather?sort=top"],
        ["cluster page, sort=random, page 1", "/clusters/leather?sort=random"],
        ["cluster page, sort=top, q=export", "/clusters/leather?sort=top&q=export"],
        [`cluster page, sort=top, category=${category}`, `/clusters/leather?sort=top&category=${category}`],
        ["cluster page, sort=top, page 200", "/clusters/leather?sort=top&page=200"],
      ] as Array<[string, string]>
    ).filter(([name]) => !CLUSTER_PAGES.length || CLUSTER_PAGES.some((term) => name.includes(term)));
    // Background supports (the mixed scenario, during the export): the next of the 1,000 people supports or
    // withdraws one of the cluster's suggestions, as the form without JavaScript posts it.
    const supportNext = () => {
      const k = n++;
      const user = Math.floor(k / 2) % USERS;
      return {
        method: "POST",
        path: `/submissions/${published[(k * 13) % published.length]}/support`,
        body: `intent=${k % 2 === 0 ? "support" : "withdraw"}`,
        headers: { "content-type": "application/x-www-form-urlencoded", origin: app.base, cookie: cookies[user] },
      };
    };
    for (const c of CONNECTIONS) {
      if (SCENARIOS.has("cluster") && baseline) {
        for (const [name, path] of clusterScenarios) {
          const b = await run(`baseline: ${name}`, baseline.base, c, {
            next: () => ({ path }),
            rssOf: baseline.rssKb,
            cpuOf: baseline.cpu,
          });
          // Anonymous readers get the page cache (server/page-cache.ts); a signed-in reader's page is rendered every time.
          const r = await run(`${name}, anonymous`, app.base, c, { next: () => ({ path }), rssOf: app.rssKb, cpuOf: app.cpu });
          const signedIn = await run(`${name}, signed in`, app.base, c, {
            next: () => ({ path, headers: { cookie: pick(cookies) } }),
            rssOf: app.rssKb,
            cpuOf: app.cpu,
          });
          for (const x of [b, r, signedIn]) x.baselineRps = b.rps;
          results.push(b, r, signedIn);
          console.error(table([b, r, signedIn]).split("\n").slice(2).join("\n"), `load ${loadAverage()}`);
        }
        // Anonymous readers spread over 1,000 addresses (5 clusters × pages 1–200): the cache keeps only what is read again within its time.
        const spread = await run("cluster page, anonymous, 1,000 addresses (5 clusters × pages 1–200)", app.base, c, {
          next: () => ({ path: `/clusters/${pick(clusterSlugs)}?sort=top&page=${1 + Math.floor(Math.random() * 200)}` }),
          rssOf: app.rssKb,
          cpuOf: app.cpu,
        });
        results.push(spread);
        console.error(table([spread]).split("\n").slice(2).join("\n"));
        loads.push(`cluster@${c} ${loadAverage()}`);
      }
      if (SCENARIOS.has("mixed")) {
        // Signed-in readers while supports keep coming: every support moves the database's version, and a kept
        // page (anonymous, or a signed-in template: ADR 0018, 0036) is served only while the version is unchanged.
        for (const rate of [20, 100]) {
          await idle(app.base);
          const [pages, supports] = await Promise.all([
            run(`while supports come at ${rate}/s: cluster page, sort=top, signed in`, app.base, c, {
              warm: false,
              next: () => ({ path: "/clusters/leather?sort=top", headers: { cookie: pick(cookies) } }),
              rssOf: app.rssKb,
              cpuOf: app.cpu,
            }),
            run(`while signed-in readers read: support/withdraw, ${rate}/s offered`, app.base, 2, {
              warm: false,
              overallRate: rate,
              next: supportNext,
            }),
          ]);
          results.push(pages, supports);
          console.error(table([pages, supports]).split("\n").slice(2).join("\n"), `load ${loadAverage()}`);
        }
      }
      if (SCENARIOS.has("submission")) {
        const r = await run("submission page (a random published one of the cluster), anonymous", app.base, c, {
          next: () => ({ path: `/submissions/${pick(published)}` }),
          rssOf: app.rssKb,
          cpuOf: app.cpu,
        });
        const signedIn = await run("submission page (a random published one of the cluster), signed in", app.base, c, {
          next: () => ({ path: `/submissions/${pick(published)}`, headers: { cookie: pick(cookies) } }),
          rssOf: app.rssKb,
          cpuOf: app.cpu,
        });
        results.push(r, signedIn);
        console.error(table([r, signedIn]).split("\n").slice(2).join("\n"));
      }
      // user k % 1000 supports then withdraws submission …: 1,000 distinct signed-in users; "support" posts the
      // form as a browser without JavaScript does (303), "support-enhanced" as the button's fetcher does (.data, 200)
      for (const scenario of ["support", "support-enhanced"] as const) {
        if (!SCENARIOS.has(scenario)) continue;
        const enhanced = scenario === "support-enhanced";
        const r = await run(
          `support/withdraw${enhanced ? " (the button's fetcher)" : ""}, ${USERS} users, ${SUPPORT_RATE}/s offered`,
          app.base,
          c,
          {
            overallRate: SUPPORT_RATE,
            rssOf: app.rssKb,
            cpuOf: app.cpu,
            next: () => {
              const k = n++;
              const pair = Math.floor(k / 2);
              const user = pair % USERS;
              const submission = published[(Math.floor(pair / USERS) * 7919 + user * 31) % published.length];
              const intent = k % 2 === 0 ? "support" : "withdraw";
              return {
                method: "POST",
                path: `/submissions/${submission}/support${enhanced ? ".data" : ""}`,
                body: enhanced ? `intent=${intent}&inline=1` : `intent=${intent}`,
                headers: { "content-type": "application/x-www-form-urlencoded", origin: app.base, cookie: cookies[user] },
              };
            },
          },
        );
        results.push(r);
        console.error(table([r]).split("\n").slice(2).join("\n"));
      }
      if (SCENARIOS.has("login")) {
        const r = await run("sign-in (POST /login, a different demo user each time)", app.base, c, {
          rssOf: app.rssKb,
          cpuOf: app.cpu,
          next: () => ({
            method: "POST",
            path: "/login",
            body: new URLSearchParams({ email: `demo.${(n++ % 50_000) + 1}@example.pk`, password: DEMO_PASSWORD }).toString(),
            headers: { "content-type": "application/x-www-form-urlencoded", origin: app.base },
          }),
        });
        results.push(r);
        console.error(table([r]).split("\n").slice(2).join("\n"));
      }
      loads.push(`after ${c} connections ${loadAverage()}`);
    }
    // Last: a dashboard takes seconds of synchronous SQLite work, and the
    // server goes on with the requests in flight after autocannon stops.
    if (SCENARIOS.has("dashboard")) {
      for (const c of CONNECTIONS) {
        await idle(app.base);
        const r = await run("organiser dashboard (/organiser)", app.base, c, {
          rssOf: app.rssKb,
          cpuOf: app.cpu,
          next: () => ({ path: "/organiser", headers: { cookie: organiserCookie } }),
        });
        results.push(r);
        console.error(table([r]).split("\n").slice(2).join("\n"));
      }
    }

    if (SCENARIOS.has("export")) {
      await idle(app.base);
      // The CSV export of everything while the cluster page (10 connections) and supports (100/s offered) keep coming.
      await sleep(2000);
      let finish: () => void = () => {};
      const finished = new Promise<void>((r) => (finish = r));
      const exporting = measureExport(app, organiserCookie, "csv", { probe: false }).finally(finish);
      const [clusterDuring, supportDuring, exp] = await Promise.all([
        run("during the export: cluster page, sort=top", app.base, 10, {
          warm: false,
          duration: 60,
          stopWhen: finished,
          next: () => ({ path: "/clusters/leather?sort=top" }),
        }),
        run("during the export: support/withdraw, 100/s offered", app.base, 10, {
          warm: false,
          duration: 60,
          overallRate: 100,
          stopWhen: finished,
          next: supportNext,
        }),
        exporting,
      ]);
      results.push(clusterDuring, supportDuring);
      exportLine =
        `CSV export of all submissions (status=all) during that load: ${exp.seconds.toFixed(1)} s, ${(exp.bytes / 1048576).toFixed(1)} MB, ` +
        `RSS of the ${WORKERS > 1 ? `${WORKERS} workers and primary` : "server"} ${exp.rssBeforeMb.toFixed(0)} → peak ${exp.rssPeakMb.toFixed(0)} MB (growth ${exp.growthMb.toFixed(1)} MB).`;
      console.error(exportLine);
    }
  } finally {
    await baseline?.stop();
    await app.stop();
    scratch.dispose();
  }
  loads.push(`end ${loadAverage()}`);
  console.log(
    `Machine: ${machine()}; database ${PG ? "PostgreSQL 15 (same machine)" : "SQLite (a copy of the file)"}; WEB_CONCURRENCY=${WORKERS} (baseline: as many node:http processes); ` +
      `${DURATION} s per scenario after 2 s warm-up; load generator on the same machine; load average (1/5/15 min): ${loads.join("; ")}; ${new Date().toISOString().slice(0, 16)} UTC`,
  );
  console.log("");
  console.log(table(results));
  if (exportLine) console.log(`\n${exportLine}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
