// A fresh, migrated and seeded database per test file (or per test): SQLite
// by default, PostgreSQL when TEST_DATABASE_URL is set. No test sees another's rows.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb, type DB, type DbHandle } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { seedTaxonomy } from "../../db/seed";

export const testDialect = process.env.TEST_DATABASE_URL ? "postgres" : "sqlite";

/**
 * Test databases are named `<TEST_DB_PREFIX>_<pid>_<random>` (default
 * `mashwara_t`); SQLite files go under `/tmp/<prefix>-…`. Set it to keep one
 * run's databases apart from another's (e.g. TEST_DB_PREFIX=crash).
 */
const DB_PREFIX = /^[a-z][a-z0-9_]{0,30}$/.test(process.env.TEST_DB_PREFIX ?? "") ? process.env.TEST_DB_PREFIX! : "mashwara_t";

export interface TestDb extends DbHandle {
  /** the DATABASE_URL a server process can use to open the same database */
  url: string;
  destroy(): Promise<void>;
}

/** A new empty database (not migrated): its URL and a function that removes it. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${DB_PREFIX}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        try {
          // WITH (FORCE) also ends an autovacuum worker busy on the new tables; a
          // role without pg_signal_backend is refused that (42501): wait for it.
          for (let attempt = 1; ; attempt++) {
            try {
              await c.query(`drop database if exists "${name}" with (force)`);
              break;
            } catch (error) {
              if ((error as { code?: string }).code !== "42501" || attempt >= 20) throw error;
              await new Promise((r) => setTimeout(r, 250));
            }
          }
        } finally {
          await c.end();
        }
      },
    };
  }
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), DB_PREFIX === "mashwara_t" ? "mashwara-test-" : `${DB_PREFIX.replace(/_/g, "-")}-test-`),
  );
  return {
    url: path.join(dir, `${name}.sqlite`),
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export async function createTestDb(options: { seed?: boolean } = {}): Promise<TestDb> {
  const { url, drop } = await createEmptyDatabase();
  const handle = createDb(url, { poolSize: 4 });
  await migrateToLatest(handle);
  if (options.seed !== false) await seedTaxonomy(handle.db);
  return {
    ...handle,
    url,
    destroy: async () => {
      await handle.close();
      await drop();
    },
  };
}

/**
 * What an entry of suggestions writes, counted: submissions, organisations,
 * submission events and audit rows (a refused entry or import changes none).
 */
export async function entryCounts(db: DB) {
  const count = async (table: "submissions" | "organisations" | "submission_events" | "audit_log") =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    submissions: await count("submissions"),
    organisations: await count("organisations"),
    events: await count("submission_events"),
    audit: await count("audit_log"),
  };
}
