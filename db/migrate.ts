// Runs the static migration list with Kysely's Migrator, all of it in one
// transaction, safe when several instances start at once:
// - PostgreSQL: transactional DDL, and Kysely's advisory lock serialises the
//   instances; the second finds nothing left to do.
// - SQLite: Kysely's SQLite adapter claims no transactional DDL and takes no
//   lock, so two processes could both run the first migration. Migrations run
//   here through a dialect that wraps them in `BEGIN IMMEDIATE` (the write lock
//   is taken before anything is read; SQLite DDL is transactional): a second
//   process waits for the lock (busy_timeout), or gets SQLITE_BUSY, rolls back
//   and retries, and finds the work done. A crash mid-migration leaves nothing half-built.
import { Kysely, Migrator, SqliteAdapter, type MigrationResult } from "kysely";
import { ImmediateSqliteDialect, type DbHandle } from "./client";
import { getMigrations } from "./migrations/index";

export interface MigrateOutcome {
  applied: string[];
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class MigrationSqliteDialect extends ImmediateSqliteDialect {
  override createAdapter() {
    return new TransactionalDdlSqliteAdapter();
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

export async function migrateToLatest(handle: DbHandle): Promise<MigrateOutcome> {
  // On SQLite, a second Kysely over the same connection, used only here. It is
  // never destroyed: that would close the connection the app goes on using.
  const db =
    handle.dialect === "sqlite" && handle.sqlite
      ? new Kysely<any>({ dialect: new MigrationSqliteDialect({ database: handle.sqlite }) })
      : handle.db;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => getMigrations(handle.dialect) },
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) {
      return { applied: (results ?? []).filter((r: MigrationResult) => r.status === "Success").map((r) => r.migrationName) };
    }
    if (isBusy(error) && attempt < 20) {
      await new Promise((r) => setTimeout(r, 100 * attempt));
      continue;
    }
    throw error instanceof Error ? error : new Error(String(error));
  }
}
