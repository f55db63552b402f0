// The dialect factory: one DATABASE_URL picks SQLite (the embedded default) or
// PostgreSQL (scale-out). Everything above this file is dialect-neutral Kysely.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from "kysely";
import type { Database } from "./schema";

export type Dialect = "sqlite" | "postgres";
export type DB = Kysely<Database>;
export type Executor = Kysely<Database> | Transaction<Database>;

export interface DbHandle {
  db: DB;
  dialect: Dialect;
  /** for SQLite: the file path; for PostgreSQL: the URL without password */
  location: string;
  /** the raw better-sqlite3 connection (SQLite only): online backup, pragmas */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

// int8 (count(*), bigint) and numeric come back from pg as strings; every
// number we store fits a JS number, so parse them once here.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** A file path or `file:` URL → the SQLite file path. */
export function sqlitePathFromUrl(url: string): string {
  if (url.startsWith("file://")) return new URL(url).pathname;
  if (url.startsWith("file:")) return url.slice("file:".length);
  return url;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

export interface CreateDbOptions {
  /** PostgreSQL pool size (default 10) */
  poolSize?: number;
}

export function createDb(url: string, options: CreateDbOptions = {}): DbHandle {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle client that errors (e.g. the server restarted) must not crash the process.
    pool.on("error", () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: "postgres", location: redactUrl(url), close: () => db.destroy() };
  }

  const file = sqlitePathFromUrl(url);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL: readers never block the writer. synchronous=FULL: a commit that was
  // answered survives a power cut, not only a process crash.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: "sqlite", location: file, sqlite, close: () => db.destroy() };
}
