// Transactions and the dialect, once for every model.
import type { Transaction } from "kysely";
import { dialectOf, type DB, type Executor } from "./client";
import type { Database } from "./schema";

export type Trx = Transaction<Database>;

/**
 * Runs `work` in a transaction: a new one, or the caller's when `db` is
 * already one (a caller that must commit several models' writes together,
 * e.g. the reports review closing an item's reports with the decision, or a
 * rate-limit count with the support it limits).
 */
export function inTransaction<T>(db: Executor, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Trx) : (db as DB).transaction().execute(work);
}

export { dialectOf };
