// Group commit (issue 17, item 2; docs/decisions/0034-group-commit.md).
//
// On SQLite every commit with `synchronous=FULL` waits for an fsync, and the
// write lock is held (for every process) until it returns. At a last-day
// peak most writes are small and alike (supports), so one worker's writes
// that arrive while a commit is in progress, or while the next transaction
// waits for the write lock, are run together in that transaction, each in its
// own savepoint, and committed with one fsync. Each
// caller is answered only after the commit that holds its write returned:
// nothing is acknowledged that a power cut could lose.
//
// A write that throws is rolled back to its savepoint and its caller gets the
// error; the others in the batch are unaffected. A failed commit fails every
// write of the batch (none was answered yet). On PostgreSQL (its own server
// process commits, and many connections commit at once) and inside a caller's
// transaction the work runs in an ordinary transaction.
import { sql } from "kysely";
import { dialectOf, type DB, type Executor } from "./client";
import { inTransaction, type Trx } from "./transaction";

/** The most writes one transaction takes: a batch's writes hold the lock one after another. */
export const GROUP_COMMIT_MAX = 64;

interface Pending {
  work: (trx: Trx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Group {
  queue: Pending[];
  running: boolean;
  /** transactions committed and writes in them, since the process started (tests and benches read these) */
  commits: number;
  writes: number;
}

const groups = new WeakMap<object, Group>();

function groupOf(db: DB): Group {
  let g = groups.get(db);
  if (!g) groups.set(db, (g = { queue: [], running: false, commits: 0, writes: 0 }));
  return g;
}

/** How many commits carried how many writes on `db` (SQLite; zeros elsewhere). */
export function groupCommitStats(db: Executor): { commits: number; writes: number } {
  const g = groups.get(db);
  return { commits: g?.commits ?? 0, writes: g?.writes ?? 0 };
}

/**
 * Runs `work` in a transaction and resolves with its result once that
 * transaction has committed. On SQLite, writes of this process that arrive
 * while another batch commits share the next transaction (see above); `work`
 * must not keep `trx` after it returns, and must not assume it is alone in the
 * transaction (it is in its own savepoint).
 */
export function groupCommit<T>(db: Executor, work: (trx: Trx) => Promise<T>): Promise<T> {
  if (db.isTransaction || dialectOf(db) !== "sqlite") return inTransaction(db, work);
  const g = groupOf(db as DB);
  return new Promise<T>((resolve, reject) => {
    g.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
    if (!g.running) void runBatches(db as DB, g);
  });
}

async function runBatches(db: DB, g: Group): Promise<void> {
  g.running = true;
  try {
    while (g.queue.length) {
      // The batch is taken once the write lock is held, not before: the writes
      // that arrive while another process holds it (at 10 connections a batch
      // waited ~2 ms for the lock) join this transaction instead of the next.
      let batch: Pending[] = [];
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
      try {
        await db.transaction().execute(async (trx) => {
          batch = g.queue.splice(0, GROUP_COMMIT_MAX);
          for (const item of batch) {
            await sql`savepoint group_commit`.execute(trx);
            try {
              const value = await item.work(trx);
              await sql`release group_commit`.execute(trx);
              outcomes.push({ ok: true, value });
            } catch (error) {
              await sql`rollback to group_commit`.execute(trx);
              await sql`release group_commit`.execute(trx);
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (error) {
        // The commit (or a savepoint statement) failed: nothing of this batch is kept. When the
        // write lock was never had (it stayed taken past SQLITE_LOCK_WAIT_MS), the writes waiting
        // for it get the error, as they would have had they been taken before.
        if (batch.length === 0) batch = g.queue.splice(0, GROUP_COMMIT_MAX);
        for (const item of batch) item.reject(error);
        continue;
      }
      g.commits += 1;
      g.writes += batch.length;
      batch.forEach((item, i) => {
        const o = outcomes[i];
        if (o.ok) item.resolve(o.value);
        else item.reject(o.error);
      });
    }
  } finally {
    g.running = false;
  }
}
