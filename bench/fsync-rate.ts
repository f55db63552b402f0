// The disk's durable-write rate, the physical limit under supports at peak
// (issue 17 item 2): how long one fdatasync of a small append takes on the
// disk holding the database, and how many SQLite commits a second one
// connection makes with the app's settings (WAL, synchronous=FULL) when each
// commit is one small insert.
//
//   npx tsx bench/fsync-rate.ts [--dir /tmp] [--n 500]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { arg, loadAverage, machine } from "./lib/server";

const N = Number(arg("n", "500"));
const dir = fs.mkdtempSync(path.join(arg("dir", os.tmpdir()), "bench-fsync-"));
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const fd = fs.openSync(path.join(dir, "append.bin"), "a");
const block = Buffer.alloc(4096, 1);
const syncs: number[] = [];
for (let i = 0; i < N; i++) {
  fs.writeSync(fd, block);
  const t0 = process.hrtime.bigint();
  fs.fdatasyncSync(fd);
  syncs.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
fs.closeSync(fd);

const db = new SQLite(path.join(dir, "commits.sqlite"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec("create table t (id integer primary key, v text)");
const insert = db.prepare("insert into t (v) values (?)");
const commits: number[] = [];
const started = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const t0 = process.hrtime.bigint();
  db.transaction(() => insert.run(`row ${i}`))();
  commits.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
db.close();
fs.rmSync(dir, { recursive: true, force: true });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`Machine: ${machine()}; ${N} of each; load average ${loadAverage()}`);
console.log("");
console.log("| what | mean ms | p50 ms | p99 ms | per second (one at a time) |");
console.log("|---|---:|---:|---:|---:|");
console.log(
  `| fdatasync of a 4 KB append | ${mean(syncs).toFixed(2)} | ${pct(syncs, 0.5).toFixed(2)} | ${pct(syncs, 0.99).toFixed(2)} | ${(1000 / mean(syncs)).toFixed(0)} |`,
);
console.log(
  `| SQLite commit of one insert (WAL, synchronous=FULL) | ${mean(commits).toFixed(2)} | ${pct(commits, 0.5).toFixed(2)} | ${pct(commits, 0.99).toFixed(2)} | ${(N / seconds).toFixed(0)} |`,
);
