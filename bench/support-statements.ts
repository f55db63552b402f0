// Where a support's time goes while it holds SQLite's write lock (issue 17,
// item 2): `changeSupport` called in one process, one after another (batches of
// one), on a copy of the database, with every SQLite statement's own time
// (better-sqlite3's run/get/all, native) added up by SQL text. What is left of
// the wall clock is JavaScript: Kysely building and compiling the queries, the
// group-commit and transaction code, the model.
//
//   DATABASE_URL=/tmp/bench.sqlite npx tsx bench/support-statements.ts [--n 6000] [--users 500] [--no-sync]
//
// The first half of the calls support (person, suggestion) pairs of the first
// --users confirmed people and 50 published suggestions; the second half
// withdraws them. --no-sync sets `synchronous=OFF` on the copy, to show the
// commit without its fsync (the app never runs so).
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { arg, loadAverage, machine, scratchDatabase } from "./lib/server";

const N = Number(arg("n", "6000"));
const USERS = Number(arg("users", "500"));
const NO_SYNC = process.argv.includes("--no-sync");
const source = process.env.DATABASE_URL;
if (!source) throw new Error("DATABASE_URL is required (a SQLite file)");

// Every statement the app prepares, timed where it runs.
const statementMs = new Map<string, { calls: number; ms: number }>();
const prototype = SQLite.prototype as unknown as { prepare: (text: string) => Record<string, (...args: unknown[]) => unknown> };
const prepare = prototype.prepare;
prototype.prepare = function (this: unknown, text: string) {
  const statement = prepare.call(this, text);
  for (const method of ["run", "get", "all"]) {
    const run = statement[method].bind(statement);
    statement[method] = (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return run(...args);
      } finally {
        const e = statementMs.get(text) ?? { calls: 0, ms: 0 };
        e.calls += 1;
        e.ms += performance.now() - t0;
        statementMs.set(text, e);
      }
    };
  }
  return statement;
};

const { createDb } = await import("../db/client");
const { changeSupport } = await import("../app/models/support.server");
const scratch = scratchDatabase(source, "support-statements");
const handle = createDb(scratch.url);
const { db } = handle;
if (NO_SYNC) await sql`pragma synchronous = off`.execute(db);
const users = await db.selectFrom("users").select("id").where("email_confirmed_at", "is not", null).orderBy("id").limit(USERS).execute();
const suggestions = await db.selectFrom("submissions").select("id").where("status", "=", "published").orderBy("id").limit(50).execute();
const loadBefore = loadAverage();
statementMs.clear();
const t0 = performance.now();
// The first half supports N/2 (person, suggestion) pairs; the second withdraws the same pairs.
for (let i = 0; i < N; i++) {
  const pair = i % Math.ceil(N / 2);
  await changeSupport(db, {
    intent: i < N / 2 ? "support" : "withdraw",
    userId: users[pair % users.length].id,
    submissionId: suggestions[Math.floor(pair / users.length) % suggestions.length].id,
  });
}
const wallMs = (performance.now() - t0) / N;
await handle.close();
scratch.dispose();

const short = (text: string) => {
  const s = text.replace(/\s+/g, " ").replace(/^select \/\* prepare \*\/ /, "select ");
  return s.length > 90 ? `${s.slice(0, 87)}…` : s;
};
let nativeMs = 0;
const rows = [...statementMs].sort((a, b) => b[1].ms - a[1].ms);
for (const [, e] of rows) nativeMs += e.ms;
console.log(`${machine()}; load average ${loadBefore} → ${loadAverage()}`);
console.log(
  `${N} changeSupport calls (half supports, half withdrawals), ${users.length} people × ${suggestions.length} suggestions, synchronous=${NO_SYNC ? "OFF" : "FULL"}\n`,
);
console.log("| statement | calls | ms per change |\n|---|---:|---:|");
for (const [text, e] of rows) console.log(`| \`${short(text)}\` | ${e.calls} | ${(e.ms / N).toFixed(3)} |`);
console.log(`| **SQLite, all statements** | | **${(nativeMs / N).toFixed(3)}** |`);
console.log(`| JavaScript (the rest) | | ${(wallMs - nativeMs / N).toFixed(3)} |`);
console.log(`| **wall clock** | | **${wallMs.toFixed(3)}** |`);
