// Lighthouse (mobile: its default form factor, screen and simulated slow-4G
// throttling) on the home, a cluster page and a suggestion's page, in English
// and in Urdu, against the production build.
//
//   DATABASE_URL=/path/to/national.sqlite npm run bench:lighthouse [-- --runs 1 --out /tmp/lh --cluster it --submission 123]
//   npm run bench:lighthouse -- --url http://127.0.0.1:3000       (a server already running)
//
// Starts the production build (server/index.ts, NODE_ENV=production) on the
// database unless --url is given, and Debian's Chromium (/usr/bin/chromium, or
// CHROME_PATH) headless with a remote-debugging port that Lighthouse drives.
// The language is chosen by the Accept-Language header. Prints a Markdown
// table of the four category scores and the key metrics (median of --runs),
// then every audit that kept a category below 100; --out keeps each JSON report.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const RUNS = Number(arg("runs", "1"));
const OUT = arg("out");
const CHROME = process.env.CHROME_PATH || "/usr/bin/chromium";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
const LANGUAGES = { en: "en-GB,en;q=0.9", ur: "ur-PK,ur;q=0.9" } as const;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, what: string, child: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start`);
}

async function startServer(): Promise<{ base: string; child?: ChildProcess }> {
  const given = arg("url");
  if (given) return { base: given.replace(/\/$/, "") };
  if (!process.env.DATABASE_URL) {
    console.error("set DATABASE_URL to the benchmark database, or pass --url (see the header of bench/lighthouse.ts)");
    process.exit(1);
  }
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      ORIGIN: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`, "the server", child);
  return { base, child };
}

async function startChromium(): Promise<{ port: number; child: ChildProcess; profile: string }> {
  const port = await freePort();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "lighthouse-chromium-"));
  const child = spawn(
    CHROME,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      `--remote-debugging-port=${port}`,
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: "ignore" },
  );
  await waitFor(`http://127.0.0.1:${port}/json/version`, "Chromium", child);
  return { port, child, profile };
}

interface Result {
  page: string;
  lng: string;
  scores: Record<(typeof CATEGORIES)[number], number>;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  bytes: number;
  failing: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function audit(url: string, port: number, acceptLanguage: string, label: string): Promise<Result> {
  const runs: Result[] = [];
  for (let i = 0; i < RUNS; i++) {
    let result: Awaited<ReturnType<typeof lighthouse>>;
    // Lighthouse sometimes loses a trace (NO_NAVSTART, NO_FCP): it says to run again, so it does, twice at most.
    for (let attempt = 1; ; attempt++) {
      result = await lighthouse(url, {
        port,
        output: "json",
        logLevel: "error",
        onlyCategories: [...CATEGORIES],
        extraHeaders: { "Accept-Language": acceptLanguage },
      });
      if (!result) throw new Error(`no Lighthouse result for ${url}`);
      const error = result.lhr.runtimeError;
      if (!error) break;
      if (attempt === 3) throw new Error(`${url}: ${error.code} ${error.message}`);
      console.error(`${label}: ${error.code}, again`);
    }
    const lhr = result.lhr;
    if (OUT) {
      fs.mkdirSync(OUT, { recursive: true });
      fs.writeFileSync(path.join(OUT, `${label.replace(/\W+/g, "-")}-${i + 1}.json`), result.report as string);
    }
    const num = (id: string) => Number(lhr.audits[id]?.numericValue ?? NaN);
    const failing: string[] = [];
    for (const cat of CATEGORIES) {
      for (const ref of lhr.categories[cat].auditRefs) {
        const a = lhr.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1) failing.push(`${cat}: ${a.id} (${a.score}) ${a.displayValue ?? ""}`.trim());
      }
    }
    runs.push({
      page: "",
      lng: "",
      scores: Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c].score ?? 0) * 100)])) as Result["scores"],
      fcp: num("first-contentful-paint"),
      lcp: num("largest-contentful-paint"),
      tbt: num("total-blocking-time"),
      cls: num("cumulative-layout-shift"),
      bytes: num("total-byte-weight"),
      failing,
    });
  }
  return {
    page: "",
    lng: "",
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, median(runs.map((r) => r.scores[c]))])) as Result["scores"],
    fcp: median(runs.map((r) => r.fcp)),
    lcp: median(runs.map((r) => r.lcp)),
    tbt: median(runs.map((r) => r.tbt)),
    cls: median(runs.map((r) => r.cls)),
    bytes: median(runs.map((r) => r.bytes)),
    failing: [...new Set(runs.flatMap((r) => r.failing))],
  };
}

async function main() {
  const { base, child: server } = await startServer();
  const chromium = await startChromium();
  try {
    const home = await (await fetch(base + "/")).text();
    const cluster = arg("cluster") ?? /href="\/clusters\/([a-z0-9-]+)"/.exec(home)?.[1];
    if (!cluster) throw new Error("no cluster link on the home page");
    const clusterHtml = await (await fetch(`${base}/clusters/${cluster}`)).text();
    const submission = arg("submission") ?? /href="\/submissions\/(\d+)"/.exec(clusterHtml)?.[1];
    if (!submission) throw new Error(`no suggestion on /clusters/${cluster}`);
    const pages = [
      ["home", "/"],
      ["cluster", `/clusters/${cluster}`],
      ["submission", `/submissions/${submission}`],
    ] as const;

    const results: Result[] = [];
    for (const [name, p] of pages) {
      for (const [lng, acceptLanguage] of Object.entries(LANGUAGES)) {
        const r = await audit(base + p, chromium.port, acceptLanguage, `${name}-${lng}`);
        results.push({ ...r, page: `${name} (${p})`, lng });
        console.error(`done: ${name} ${lng}`);
      }
    }

    console.log(
      `Lighthouse ${(await import("lighthouse/package.json", { with: { type: "json" } })).default.version}, mobile (default form factor and simulated throttling), Chromium ${(await (await fetch(`http://127.0.0.1:${chromium.port}/json/version`)).json()).Browser}, median of ${RUNS} run(s)\n`,
    );
    console.log("| page | lang | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | total bytes |");
    console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of results) {
      console.log(
        `| ${r.page} | ${r.lng} | ${r.scores.performance} | ${r.scores.accessibility} | ${r.scores["best-practices"]} | ${r.scores.seo} | ${(r.fcp / 1000).toFixed(1)} s | ${(r.lcp / 1000).toFixed(1)} s | ${Math.round(r.tbt)} ms | ${r.cls.toFixed(3)} | ${(r.bytes / 1024).toFixed(0)} KiB |`,
      );
    }
    const failing = results.filter((r) => r.failing.length);
    if (failing.length) {
      console.log("\nAudits below 100 (weighted):");
      for (const r of failing) console.log(`- ${r.page} ${r.lng}: ${r.failing.join("; ")}`);
    }
  } finally {
    const exited = new Promise((r) => chromium.child.once("exit", r));
    chromium.child.kill();
    await exited;
    fs.rmSync(chromium.profile, { recursive: true, force: true });
    server?.kill();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
