// Runs the static migration list with Kysely's Migrator. Safe when two
// instances start at once: PostgreSQL serialises them with Kysely's advisory
// lock; on SQLite the loser of the write lock gets SQLITE_BUSY, its whole
// migration transaction rolls back, and it retries and finds nothing to do.
import { Migrator, type MigrationResult } from "kysely";
import type { DbHandle } from "./client";
import { getMigrations } from "./migrations/index";

export interface MigrateOutcome {
  applied: string[];
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

export async function migrateToLatest(handle: DbHandle): Promise<MigrateOutcome> {
  const migrator = new Migrator({
    db: handle.db,
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
