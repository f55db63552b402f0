// Crash safety: the production server on a seeded database, a support
// storm from many signed-in people (and a moderator merging duplicates),
// `kill -9` at a random moment, then the database read back: every answered
// support and withdrawal is there, one support per person and suggestion,
// counters equal the rows, merges consistent, SQLite's integrity check ok,
// and the server starts again on it. Also killed in the middle of a streamed
// CSV export, and (SQLite) in the middle of `db:backup`.
//
// Rounds: CRASH_ROUNDS (default 20) on one database, each a fresh start of
// the server on what the previous crash left. Odd rounds: killed in the
// middle of a streamed CSV export (the first CRASH_EXPORT_ROUNDS, default
// 10). Even rounds: on SQLite a `db:backup` signalled at a random moment at
// the same time (the first CRASH_BACKUP_ROUNDS, default 10). Every fourth
// round runs two worker processes (the whole process group is killed).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { cli } from "../support/cli";
import { spawnServer, type SpawnedServer } from "../support/server";
import {
  between,
  createCrashDatabase,
  csvRows,
  hotSet,
  killLeftovers,
  Ledger,
  sleep,
  startStorm,
  track,
  verify,
  type CrashDatabase,
} from "./harness";

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const EXPORT_ROUNDS = Number(process.env.CRASH_EXPORT_ROUNDS ?? 10);
const BACKUP_ROUNDS = Number(process.env.CRASH_BACKUP_ROUNDS ?? 10);
const CONCURRENCY = 100;
const ROOT = path.resolve(__dirname, "../..");

let db: CrashDatabase;
const ledger = new Ledger();
const summary: string[] = [];
let exportMs = 0;

beforeAll(async () => {
  const started = Date.now();
  db = await createCrashDatabase();
  summary.push(`seeded ${db.submissions} suggestions, ${db.people.length} signed-in people in ${Date.now() - started} ms`);
});
afterEach(killLeftovers);
afterAll(async () => {
  await killLeftovers();
  summary.push(
    `storm totals: ${ledger.counts.acknowledged} acknowledged, ${ledger.counts.refused} refused, ${ledger.counts.unanswered} unanswered (killed in flight), ` +
      `${ledger.counts.mergesAcknowledged} merges acknowledged, ${ledger.counts.serverErrors} 5xx`,
  );
  process.stdout.write(`\n[crash ${testDialect}] ${summary.join("\n[crash] ")}\n`);
  if (backupDir) fs.rmSync(backupDir, { recursive: true, force: true });
  await db?.drop();
});

async function start(workers: 1 | 2): Promise<SpawnedServer> {
  const server = track(
    await spawnServer({ databaseUrl: db.url, env: { WEB_CONCURRENCY: String(workers), LOG_LEVEL: "error" }, detached: true }),
    true,
  );
  await server.waitReady();
  return server;
}

/** kill -9 the server and every worker it forked, and wait until it is gone. */
async function kill9(server: SpawnedServer) {
  try {
    process.kill(-server.process.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  await server.exited;
}

/** The full CSV export (every status) as an organiser; tells whether it ended whole. */
async function readExport(
  server: SpawnedServer,
  onBytes: (received: number) => void,
): Promise<{ status: number; bytes: number; complete: boolean; text: string }> {
  const res = await fetch(`${server.url}/exports/submissions.csv?status=all`, { headers: { Cookie: db.organiser.cookie } });
  let bytes = 0;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      onBytes(bytes);
      chunks.push(Buffer.from(chunk));
    }
    return { status: res.status, bytes, complete: true, text: Buffer.concat(chunks).toString("utf8") };
  } catch {
    return { status: res.status, bytes, complete: false, text: "" };
  }
}

async function checkAfterCrash(label: string) {
  const result = await verify(db.url, ledger);
  expect(result.problems, label).toEqual([]);
  if (testDialect === "sqlite") expect(result.integrity).toBe("ok");
  expect(ledger.counts.serverErrors, ledger.serverErrorSamples.join("\n")).toBe(0);
  return result;
}

/** What else is going on when the server dies. */
type Extra = "export" | "backup" | "none";

/**
 * Odd rounds: killed during a streamed CSV export. Even rounds: on SQLite a
 * db:backup signalled at the same moment. Every fourth round runs two worker
 * processes (their start is the slowest part of a round), the others one.
 */
function plan(round: number): { workers: 1 | 2; extra: Extra } {
  const workers = round % 4 === 0 ? 2 : 1;
  if (round % 2 === 1) return { workers, extra: round <= EXPORT_ROUNDS * 2 ? "export" : "none" };
  return { workers, extra: testDialect === "sqlite" && round <= BACKUP_ROUNDS * 2 ? "backup" : "none" };
}

describe(`kill -9 during a support storm (${testDialect})`, () => {
  beforeAll(async () => {
    // How long a whole export takes with nothing else running, and that it is whole.
    const server = await start(1);
    const t0 = Date.now();
    const full = await readExport(server, () => {});
    exportMs = Date.now() - t0;
    await server.stop();
    expect(full.status).toBe(200);
    expect(full.complete).toBe(true);
    expect(csvRows(full.text)).toBe(db.submissions + 1);
    summary.push(`a full export alone: ${db.submissions} rows, ${full.bytes} bytes in ${exportMs} ms`);
    if (testDialect === "sqlite") await timeBackup();
  });

  for (let round = 1; round <= ROUNDS; round++) {
    const { workers, extra } = plan(round);
    const during = extra === "export" ? ", during a CSV export" : extra === "backup" ? ", during db:backup" : "";
    it(`round ${round} (${workers} worker${workers > 1 ? "s" : ""}${during}): every acknowledged support survives, counters equal rows`, async () => {
      const t0 = Date.now();
      const server = await start(workers);
      const startMs = Date.now() - t0;
      const before = ledger.counts.acknowledged;
      const storm = startStorm({
        baseUrl: server.url,
        db,
        ledger,
        concurrency: CONCURRENCY,
        hot: await hotSet(db.url, db, 60),
        merges: true,
      });
      // The storm is under way (answers coming back) before anything else starts.
      for (let waited = 0; ledger.counts.acknowledged - before < 20 && waited < 30_000; waited += 20) await sleep(20);
      let note = "";
      let delay: number;
      if (extra === "export") {
        let streamingRows!: () => void;
        const streaming = new Promise<void>((r) => (streamingRows = r));
        const download = readExport(server, (bytes) => bytes >= 64 * 1024 && streamingRows());
        await Promise.race([streaming, download]);
        // Rows are flowing; within a third of an unloaded export's time: in the middle of it.
        delay = between(0, Math.max(50, Math.floor(exportMs / 3)));
        await sleep(delay);
        await kill9(server);
        const result = await download;
        expect(result.status).toBe(200);
        expect(result.bytes).toBeGreaterThanOrEqual(64 * 1024);
        // The client sees a broken download, never one that looks whole.
        expect(result.complete).toBe(false);
        note = `, the export cut off after ${result.bytes} bytes`;
      } else if (extra === "backup") {
        const outcome = await backupKilled(round, server);
        delay = outcome.delay;
        note = `; ${outcome.note}`;
      } else {
        delay = between(300, 2500);
        await sleep(delay);
        await kill9(server);
      }
      storm.stop();
      await storm.done;
      const acknowledged = ledger.counts.acknowledged - before;
      // A storm that was never answered would prove nothing.
      expect(acknowledged).toBeGreaterThan(0);
      const t1 = Date.now();
      const result = await checkAfterCrash(`round ${round}`);
      summary.push(
        `round ${round}: started in ${startMs} ms, killed after ${delay} ms${note}; ${acknowledged} supports answered in the round; checked in ${Date.now() - t1} ms: ` +
          `${result.supports} support rows${result.integrity ? `, integrity ${result.integrity}` : ""}`,
      );
    });
  }
});

// db:backup (SQLite): a process of its own, signalled at a random moment.
let backupDir = "";
let backupMs = 0;
let backupsLeftBehind = 0;

/** `npm run cli -- db:backup FILE`, as a process we can signal. */
function backupProcess(file: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", "db:backup", file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: db.url, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, signal) => r({ code, signal })),
  );
  return { child, exited, output: () => output };
}

/** Resolves true when the partial file of `file` appears, false if the process ended first. */
async function partialAppears(file: string, exited: Promise<unknown>): Promise<boolean> {
  let over = false;
  void exited.then(() => (over = true));
  const prefix = `${path.basename(file)}.partial-`;
  while (!over) {
    if (fs.readdirSync(path.dirname(file)).some((n) => n.startsWith(prefix))) return true;
    await sleep(2);
  }
  return false;
}

function checkBackupFile(file: string): string {
  const copy = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(copy.pragma("integrity_check", { simple: true }));
    const n = copy.prepare("select count(*) as n from submissions").get() as { n: number };
    expect(n.n).toBe(db.submissions);
    return integrity;
  } finally {
    copy.close();
  }
}

async function timeBackup() {
  backupDir = fs.mkdtempSync(path.join(os.tmpdir(), "crash-backups-"));
  // The copy's duration, from the partial file appearing to the process ending.
  const file = path.join(backupDir, "timing.sqlite");
  const p = backupProcess(file);
  expect(await partialAppears(file, p.exited)).toBe(true);
  const t0 = Date.now();
  const { code } = await p.exited;
  backupMs = Date.now() - t0;
  expect(code, p.output()).toBe(0);
  expect(checkBackupFile(file)).toBe("ok");
  fs.rmSync(file);
  summary.push(
    `a backup alone: ${backupMs} ms from the partial file appearing to the end (database file ${fs.statSync(db.url).size} bytes)`,
  );
}

/**
 * db:backup while the storm runs; at a random moment up to its usual length
 * (measured alone; under the storm it takes longer), SIGKILL (odd backup rounds: nothing can clean up) or SIGTERM to
 * it, and kill -9 to the server at the same moment. The backup file is then
 * whole (integrity ok, every suggestion) or absent; a SIGTERM leaves nothing;
 * a SIGKILL leaves at most its own partial file, which the next backup removes.
 */
async function backupKilled(round: number, server: SpawnedServer): Promise<{ delay: number; note: string }> {
  const signal: NodeJS.Signals = (round / 2) % 2 === 1 ? "SIGKILL" : "SIGTERM";
  const name = `backup-${round}.sqlite`;
  const file = path.join(backupDir, name);
  const p = backupProcess(file);
  const appeared = await partialAppears(file, p.exited);
  const delay = between(0, Math.max(20, backupMs));
  await sleep(delay);
  const stillRunning = p.child.exitCode === null;
  p.child.kill(signal);
  await kill9(server);
  const exit = await p.exited;
  const left = fs.readdirSync(backupDir).filter((n) => n.startsWith(name));
  let outcome = "no backup file";
  if (left.includes(name)) {
    expect(checkBackupFile(file)).toBe("ok");
    outcome = "a whole backup (integrity ok)";
    fs.rmSync(file);
  }
  const partials = left.filter((n) => n !== name);
  if (signal === "SIGTERM" || exit.code === 0) {
    // Stopped by a signal it could handle, or done: nothing half-written stays.
    expect(partials, p.output()).toEqual([]);
  } else {
    for (const n of partials) expect(n).toMatch(new RegExp(`^backup-${round}\\.sqlite\\.partial-${p.child.pid}(-wal|-shm|-journal)?$`));
    backupsLeftBehind += partials.length ? 1 : 0;
  }
  return {
    delay,
    note:
      `db:backup got ${signal} ${delay} ms after its partial file ${appeared ? "appeared" : "(never appeared)"}` +
      `${stillRunning ? "" : " (it had finished)"}: ${outcome}${partials.length ? `, ${partials.join(" ")} left for the next backup` : ", nothing else left"}`,
  };
}

describe(`after the last crash (${testDialect})`, () => {
  if (testDialect === "sqlite") {
    it("the next db:backup works and removes the partial files that killed backups left", async () => {
      const next = await cli(db.url, "db:backup", path.join(backupDir, "after.sqlite"));
      expect(next.code, next.stderr).toBe(0);
      expect(checkBackupFile(path.join(backupDir, "after.sqlite"))).toBe("ok");
      expect(fs.readdirSync(backupDir)).toEqual(["after.sqlite"]);
      summary.push(`after the rounds: ${backupsLeftBehind} SIGKILLed backups had left a partial file; the next db:backup removed them`);
    });
  }

  it("the server starts on the database and serves a suggestion with the stored count", async () => {
    const server = await start(1);
    try {
      const id = db.published[0];
      const res = await fetch(`${server.url}/submissions/${id}`);
      expect(res.status).toBe(200);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const result = await checkAfterCrash("final");
    summary.push(`final: ${result.supports} support rows, checks passed`);
  });
});
