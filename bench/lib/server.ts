// Shared machinery of the benchmarks: ports in the bench range, a scratch
// copy of the data set, the production server (server/index.ts, NODE_ENV=production)
// started on it, the RSS of its process tree (primary + workers) and the
// memory probe (bench/lib/mem-probe.mjs).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { isPostgresUrl, sqlitePathFromUrl, type DbHandle } from "../../db/client";
import { createAuth } from "~/auth/session.server";
import { createUser } from "~/models/user.server";

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** BENCH_PORT_BASE (default 46000): the first port tried; each call takes the next free one. */
let nextPort = Number(process.env.BENCH_PORT_BASE ?? 46000);
export async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = nextPort++;
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error("no free port");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/**
 * A database the benchmark may write to: a copy of a SQLite file (the source is
 * never written), or the PostgreSQL database itself (name it bench_*).
 */
export function scratchDatabase(source: string, label: string): { url: string; dispose: () => void } {
  if (isPostgresUrl(source)) return { url: source, dispose: () => {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${label}-`));
  const copy = path.join(dir, "bench.sqlite");
  const src = sqlitePathFromUrl(source);
  fs.copyFileSync(src, copy);
  if (fs.existsSync(`${src}-wal`)) fs.copyFileSync(`${src}-wal`, `${copy}-wal`);
  return { url: copy, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const BENCH_PASSWORD = "bench organiser on margalla road";

/** An organiser account (made once per database, reused after). */
export async function ensureOrganiser(handle: DbHandle): Promise<{ email: string; password: string; id: number }> {
  const email = "bench.organiser@example.pk";
  let row = await handle.db.selectFrom("users").select("id").where("email_normalised", "=", email).executeTakeFirst();
  if (!row) {
    const made = await createUser(handle.db, {
      email,
      password: BENCH_PASSWORD,
      displayName: "Bench Organiser",
      role: "organiser",
      organisation: null,
    });
    if (!made.ok) throw new Error(`could not create the organiser: ${JSON.stringify(made)}`);
    row = await handle.db.selectFrom("users").select("id").where("email_normalised", "=", email).executeTakeFirstOrThrow();
  }
  return { email, password: BENCH_PASSWORD, id: row.id };
}

/** Signed-in sessions made up front (no password hashing per user): one Cookie header per user id. */
export async function sessionCookies(handle: DbHandle, userIds: number[]): Promise<string[]> {
  const auth = createAuth(handle.db, { secureCookies: false });
  const out: string[] = [];
  // As among people who are active: their sessions last seen at times spread over the last 5 minutes, so the
  // server slides (writes) about as many of them a second as it would in steady use (TOUCH_INTERVAL_MS,
  // app/auth/session.server.ts), rather than none for 5 minutes and then all at once. Each such write moves
  // the database's version, which the page cache keys on.
  const spread = 5 * 60_000;
  for (const [i, id] of userIds.entries()) {
    const seen = new Date(Date.now() - (i * spread) / userIds.length);
    out.push((await auth.signIn(id, { userAgent: "bench" }, seen)).split(";")[0]);
  }
  return out;
}

/**
 * The demo data set's first `count` stakeholders, signed in up front, and the
 * published suggestions of the leather cluster (the one the scenarios read).
 */
export async function demoReaders(handle: DbHandle, count: number) {
  const users = await handle.db
    .selectFrom("users")
    .select("id")
    .where("role", "=", "stakeholder")
    .where("email_normalised", "like", "demo.%")
    .orderBy("id")
    .limit(count)
    .execute();
  // Only a confirmed address may support or comment (issue 15); a data set
  // seeded before that has its participants unconfirmed (the migration's rule),
  // and the support scenario then measured 403s for half its requests.
  await handle.db
    .updateTable("users")
    .set((eb) => ({ email_confirmed_at: eb.ref("created_at") }))
    .where(
      "id",
      "in",
      users.map((u) => u.id),
    )
    .where("email_confirmed_at", "is", null)
    .execute();
  const cookies = await sessionCookies(
    handle,
    users.map((u) => u.id),
  );
  const leather = await handle.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
  const published = (
    await handle.db
      .selectFrom("submissions")
      .select("id")
      .where("status", "=", "published")
      .where("cluster_id", "=", leather.id)
      .orderBy("id")
      .execute()
  ).map((r) => r.id);
  return { users, cookies, published };
}

export interface Server {
  child: ChildProcess;
  port: number;
  base: string;
  /** RSS of the primary and every worker, summed (kB) */
  rssKb(): number;
  /** CPU time used so far by the server's processes (treeCpuMs) */
  cpu(): Map<number, number>;
  /** the probe's samples (JSON lines per process) since `since` (ms epoch) */
  memSamples(since?: number): Array<{
    pid: number;
    t: number;
    gc?: boolean;
    rss: number;
    heapUsed: number;
    heapTotal: number;
    external: number;
    arrayBuffers: number;
  }>;
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of safeReaddir(`/proc/${pid}/task`)) {
    try {
      out.push(...fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* gone */
    }
  }
  return out;
}
function safeReaddir(p: string): string[] {
  try {
    return fs.readdirSync(p);
  } catch {
    return [];
  }
}
export function treeRssKb(pid: number): number {
  let sum = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const m = fs.readFileSync(`/proc/${p}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
      if (m) sum += Number(m[1]);
    } catch {
      continue;
    }
    stack.push(...childrenOf(p));
  }
  return sum;
}

/** The processes of a tree: `pid` and every descendant alive now. */
function treePids(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...childrenOf(p));
  }
  return out;
}

/** CPU time (user + system, ms) a process has used, from /proc (USER_HZ = 100); 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU time (ms) used so far by a process tree, per process id (a difference must be taken per process). */
export function treeCpuMs(pid: number): Map<number, number> {
  return new Map(treePids(pid).map((p) => [p, processCpuMs(p)]));
}

/** The CPU the tree used between two `treeCpuMs` readings (processes seen in the later one). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [p, ms] of after) sum += ms - (before.get(p) ?? 0);
  return sum;
}

/** The whole machine's CPU counters (/proc/stat, jiffies over every core): busy (not idle, not I/O wait) and total. */
export function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - n[4], total };
}

/** Starts the production build on `databaseUrl`; resolves once /healthz answers. */
export async function startServer(options: {
  databaseUrl: string;
  workers?: number;
  env?: Record<string, string>;
  nodeArgs?: string[];
  port?: number;
}): Promise<Server> {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const memFile = path.join(os.tmpdir(), `bench-mem-${port}-${Date.now()}`);
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), "--import", "tsx", "--import", "./bench/lib/mem-probe.mjs", "server/index.ts"],
    {
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        ORIGIN: base,
        LOG_LEVEL: "warn",
        WEB_CONCURRENCY: String(options.workers ?? 1),
        BENCH_MEM_FILE: memFile,
        // The benches sign organisers in with a password (two-factor codes are for people, not load).
        STAFF_TWO_FACTOR: "optional",
        ...options.env,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([new Promise((r) => child.once("exit", r)), sleep(15_000)]);
    }
    for (const f of safeReaddir(os.tmpdir()))
      if (f.startsWith(path.basename(memFile))) fs.rmSync(path.join(os.tmpdir(), f), { force: true });
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 3000 || child.exitCode !== null) {
      await stop();
      throw new Error("server did not start");
    }
    await sleep(100);
  }
  if ((options.workers ?? 1) > 1) {
    // every worker listening: several /healthz in a row
    for (let i = 0; i < 20; i++) await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
  }
  return {
    child,
    port,
    base,
    rssKb: () => treeRssKb(child.pid!),
    cpu: () => treeCpuMs(child.pid!),
    memSamples: (since = 0) => {
      const out = [];
      for (const f of safeReaddir(os.tmpdir())) {
        if (!f.startsWith(`${path.basename(memFile)}.`)) continue;
        const pid = Number(f.split(".").pop());
        for (const line of fs.readFileSync(path.join(os.tmpdir(), f), "utf8").split("\n")) {
          if (!line) continue;
          const s = JSON.parse(line);
          if (s.t >= since) out.push({ pid, ...s });
        }
      }
      return out;
    },
    stop,
  };
}

/** Samples a function every `ms` and keeps the maximum. */
export function peakSampler(read: () => number, ms = 100) {
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), ms);
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, read());
      return peak;
    },
  };
}

/** Signs in through the real form; returns the Cookie header. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ email, password }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  if (res.status < 300 || res.status >= 400 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie;
}
