// Soak benchmark (issue 17, item 3): does memory stay flat under a long mixed
// signed-in load? The production server (WEB_CONCURRENCY workers, --expose-gc)
// on a copy of the data set gets, for `--minutes` (default 20), a steady mix
// offered at `--rate` requests a second over 10 connections:
//   55 % a signed-in cluster page (5 clusters × 3 sorts × pages 1–20),
//   15 % a signed-in suggestion page, 15 % support/withdraw (the form's POST),
//    5 % a comment (POST), 5 % an anonymous cluster page, 3 % /me,
//    2 % a sign-in (POST /login, a different demo person each time: argon2id).
// Every 30 s each server process (primary and workers) runs a full GC
// (bench/lib/mem-probe.mjs with BENCH_GC_EVERY_MS) and records its RSS and V8
// heap right after it. The verdict compares each process's
// figures at the end with those at the end of the warm-up (`--warmup`,
// default 3 minutes): growth under 10 % is "flat" (the issue's rule).
//
//   DATABASE_URL=/tmp/bench.sqlite npm run bench:soak [-- --minutes 20 --warmup 3 --rate 80 --workers 2]
//
// Prints the curve (one row a minute) and the verdict as Markdown.
import autocannon from "autocannon";
import { createDb } from "../db/client";
import { DEMO_PASSWORD } from "../server/demo-seed";
import { arg, demoReaders, loadAverage, machine, scratchDatabase, sleep, startServer } from "./lib/server";

const MINUTES = Number(arg("minutes", "20"));
const WARMUP = Number(arg("warmup", "3"));
const RATE = Number(arg("rate", "80"));
const WORKERS = Number(arg("workers", process.env.WEB_CONCURRENCY ?? "2"));
const SOURCE = process.env.DATABASE_URL;
if (!SOURCE) {
  console.error("set DATABASE_URL to the benchmark database (see the header of bench/soak.ts)");
  process.exit(1);
}

interface Point {
  minute: number;
  pid: number;
  rssMb: number;
  heapMb: number;
  /** what V8 has reserved for its heap (used or not): RSS follows it */
  heapTotalMb: number;
  externalMb: number;
}

const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;

async function main() {
  const scratch = scratchDatabase(SOURCE!, "soak");
  const handle = createDb(scratch.url);
  const { cookies, published } = await demoReaders(handle, 1000);
  const clusters = (await handle.db.selectFrom("clusters").select("slug").orderBy("id").execute()).map((r) => r.slug);
  await handle.close();

  const app = await startServer({
    databaseUrl: scratch.url,
    workers: WORKERS,
    nodeArgs: ["--expose-gc"],
    env: { BENCH_GC_EVERY_MS: "30000", BENCH_MEM_INTERVAL_MS: "10000" },
  });
  const started = Date.now();
  const points: Point[] = [];
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  let n = 0;
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
  const form = { "content-type": "application/x-www-form-urlencoded", origin: app.base };
  const next = () => {
    const r = Math.random() * 100;
    const cookie = pick(cookies);
    n += 1;
    if (r < 55) {
      const sort = pick(["top", "new", "trending"]);
      return { path: `/clusters/${pick(clusters)}?sort=${sort}&page=${1 + Math.floor(Math.random() * 20)}`, headers: { cookie } };
    }
    if (r < 70) return { path: `/submissions/${pick(published)}`, headers: { cookie } };
    if (r < 85)
      return {
        method: "POST",
        path: `/submissions/${pick(published.slice(0, 200))}/support`,
        body: `intent=${n % 2 === 0 ? "support" : "withdraw"}`,
        headers: { ...form, cookie },
      };
    if (r < 90)
      return {
        method: "POST",
        path: `/submissions/${pick(published)}/comments`,
        body: new URLSearchParams({ body: `Soak comment ${n}: export finance for leather tanneries needs a faster refund.` }).toString(),
        headers: { ...form, cookie },
      };
    if (r < 95) return { path: `/clusters/${pick(clusters)}?sort=top` };
    if (r < 98) return { path: "/me", headers: { cookie } };
    return {
      method: "POST",
      path: "/login",
      body: new URLSearchParams({ email: `demo.${2000 + (n % 40_000)}@example.pk`, password: DEMO_PASSWORD }).toString(),
      headers: form,
    };
  };

  // Progress on stderr once a minute; the probe runs the GCs (BENCH_GC_EVERY_MS) and writes the samples read at the end.
  let stop = false;
  const progress = (async () => {
    while (!stop) {
      await sleep(5_000);
      if (stop || Math.floor((Date.now() - started) / 5_000) % 12 !== 0) continue;
      const last = new Map(
        app
          .memSamples(Date.now() - 60_000)
          .filter((x) => x.gc)
          .map((x) => [x.pid, x]),
      );
      console.error(
        `${((Date.now() - started) / 60_000).toFixed(1)} min: ${[...last.values()].map((x) => `${x.pid} rss ${mb(x.rss)} heap ${mb(x.heapUsed)}`).join("; ")}; load ${loadAverage()}`,
      );
    }
  })();

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: app.base,
        connections: 10,
        overallRate: RATE,
        duration: MINUTES * 60,
        timeout: 30,
        requests: [
          {
            setupRequest: (req: Record<string, unknown>) => {
              const x = next();
              return {
                ...req,
                method: x.method ?? "GET",
                path: x.path,
                body: x.body,
                headers: { ...(req.headers as object), ...x.headers },
              };
            },
          },
        ],
      } as unknown as autocannon.Options,
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    instance.on("response", (_c, status, _b, ms) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      latencies.push(ms);
    });
  });
  stop = true;
  await progress;
  for (const x of app.memSamples(started).filter((m) => m.gc)) {
    points.push({
      minute: (x.t - started) / 60_000,
      pid: x.pid,
      rssMb: mb(x.rss),
      heapMb: mb(x.heapUsed),
      heapTotalMb: mb(x.heapTotal),
      externalMb: mb(x.external),
    });
  }
  await app.stop();
  scratch.dispose();

  latencies.sort((a, b) => a - b);
  const p = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  const pids = [...new Set(points.map((x) => x.pid))];
  const out: string[] = [];
  out.push(
    `Machine: ${machine()}; SQLite copy of ${SOURCE}; WEB_CONCURRENCY=${WORKERS}; ${MINUTES} min at ${RATE} req/s offered over 10 connections; ` +
      `${latencies.length.toLocaleString("en")} answers (${(latencies.length / (result.duration || MINUTES * 60)).toFixed(1)}/s), p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, ` +
      `statuses ${[...statuses]
        .sort()
        .map(([s, c]) => `${s}×${c}`)
        .join(" ")}, errors ${result.errors + result.timeouts}; load average at the end ${loadAverage()}.`,
    "",
    `| minute | ${pids.map((pid) => `pid ${pid} RSS MB | heap MB`).join(" | ")} |`,
    `|---:|${pids.map(() => "---:|---:").join("|")}|`,
  );
  for (let minute = 1; minute <= MINUTES; minute++) {
    const row = pids.map((pid) => {
      const q = points.filter((x) => x.pid === pid && x.minute <= minute && x.minute > minute - 1).at(-1);
      return q ? `${q.rssMb} | ${q.heapMb}` : " | ";
    });
    out.push(`| ${minute} | ${row.join(" | ")} |`);
  }
  // Single samples swing with what V8 keeps reserved after a GC (heapTotal), so the verdict compares
  // the median of the samples after GC in the first WINDOW minutes after the warm-up with the median of
  // the last WINDOW minutes (and shows the single samples too).
  const WINDOW = Math.min(3, Math.max(1, Math.floor((MINUTES - WARMUP) / 3)));
  const median = (xs: number[]) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length ? Math.round((v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) * 10) / 10 : NaN;
  };
  out.push(
    "",
    `| process | RSS after GC, median of minutes ${WARMUP}–${WARMUP + WINDOW} → of the last ${WINDOW} | growth | heap after GC, the same medians | growth | V8 heap reserved (heapTotal), min–max after warm-up | single samples: RSS, heap at warm-up end → end | flat (< 10 %) |`,
    "|---|---|---:|---|---:|---|---|---|",
  );
  for (const pid of pids) {
    const mine = points.filter((x) => x.pid === pid);
    const early = mine.filter((x) => x.minute > WARMUP && x.minute <= WARMUP + WINDOW);
    const late = mine.filter((x) => x.minute > MINUTES - WINDOW);
    const from = mine.filter((x) => x.minute <= WARMUP).at(-1) ?? mine[0];
    const to = mine.at(-1);
    if (!from || !to || !early.length || !late.length) continue;
    const g = (a: number, b: number) => ((b - a) / a) * 100;
    const [rssA, rssB] = [median(early.map((x) => x.rssMb)), median(late.map((x) => x.rssMb))];
    const [heapA, heapB] = [median(early.map((x) => x.heapMb)), median(late.map((x) => x.heapMb))];
    const reserved = mine.filter((x) => x.minute > WARMUP).map((x) => x.heapTotalMb);
    const rssG = g(rssA, rssB);
    const heapG = g(heapA, heapB);
    out.push(
      `| ${pid} | ${rssA} → ${rssB} MB | ${rssG.toFixed(1)} % | ${heapA} → ${heapB} MB | ${heapG.toFixed(1)} % | ${Math.min(...reserved)}–${Math.max(...reserved)} MB | ${from.rssMb} → ${to.rssMb} MB, ${from.heapMb} → ${to.heapMb} MB | ${rssG < 10 && heapG < 10 ? "yes" : "**no**"} |`,
    );
  }
  console.log(out.join("\n"));
}

await main();
