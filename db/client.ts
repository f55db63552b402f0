// The dialect factory: one DATABASE_URL picks SQLite (the embedded default) or
// PostgreSQL (scale-out). Everything above this file is dialect-neutral Kysely.
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import SQLite from "better-sqlite3";
import pg from "pg";
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  sql,
  type KyselyConfig,
  type Transaction,
} from "kysely";
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

/**
 * The dialect behind a Kysely instance or one of its transactions, for the
 * few places that do less on SQLite (where every transaction holds the
 * database's write lock from its first statement: `ImmediateSqliteDriver`).
 */
export function dialectOf(db: Executor): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

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

/**
 * SQLite transactions start with `BEGIN IMMEDIATE`: the write lock is taken
 * before anything is read. With a plain (deferred) BEGIN, a transaction that
 * read and then writes after another process committed fails at once with
 * SQLITE_BUSY_SNAPSHOT, which busy_timeout cannot wait out; with IMMEDIATE a
 * second process (WEB_CONCURRENCY > 1, the CLI beside the server) waits its
 * turn instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await beginImmediate(connection);
  }
}

/** How long a transaction waits for another process's write lock before it fails (as busy_timeout did). */
export const SQLITE_LOCK_WAIT_MS = 5000;
const BUSY_TIMEOUT = `pragma busy_timeout = ${SQLITE_LOCK_WAIT_MS}`;

const isBusy = (error: unknown) => (error as { code?: string } | null)?.code === "SQLITE_BUSY";

/**
 * `BEGIN IMMEDIATE` that waits for another process's write lock without
 * blocking the event loop. SQLite's busy handler sleeps inside the call
 * (better-sqlite3 is synchronous), so while one worker committed, the other
 * stood still: no page served, no request read. Here the attempt fails at
 * once when the lock is taken and is retried after a short timer, 1–4 ms,
 * while the loop serves everything else, for up to SQLITE_LOCK_WAIT_MS.
 * Statements inside the transaction keep busy_timeout (the write lock is
 * held by then; only a checkpoint could still make them wait).
 */
async function beginImmediate(connection: DatabaseConnection): Promise<void> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  await connection.executeQuery(CompiledQuery.raw("pragma busy_timeout = 0"));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1 + Math.min(attempt, 3) * Math.random()));
      }
    }
  } finally {
    await connection.executeQuery(CompiledQuery.raw(BUSY_TIMEOUT));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqliteConfig: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(sqliteConfig);
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

/**
 * Marks a statement to be prepared once per connection on PostgreSQL (a named
 * statement: parsed and planned once, then only bound and run; PostgreSQL
 * keeps a generic plan after five runs when it costs no more than a custom
 * one). Put it on the few statements every request of a hot path runs, whose
 * plan does not depend on the values (lookups by key): `.modifyFront(PREPARE)`
 * on a select (it becomes `select /* prepare *\/ …`, a comment SQLite ignores).
 * Unmarked statements are sent as before, parsed and planned each time.
 * Planning was most of PostgreSQL's CPU per support (ADR 0035).
 */
export const PREPARE = sql.raw(`/* prepare */`);
const PREPARE_MARK = "/* prepare */";
const statementNames = new Map<string, string>();

/**
 * The name a marked statement is prepared under: its text's hash (one text,
 * one name, on every connection). Bounded: marked statements are a handful of
 * fixed shapes; past 1,000 texts a new one is sent unprepared, so a runaway
 * cannot fill the connections' statement caches.
 */
function statementName(text: string): string | null {
  let name = statementNames.get(text);
  if (!name) {
    if (statementNames.size >= 1000) return null;
    name = `m_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** pg's client, sending the statements marked with PREPARE as named (prepared) ones. */
class PreparingClient extends pg.Client {
  // pg's query() has many overloads; Kysely calls query(text, values) only.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name =
      typeof text === "string" && Array.isArray(values) && args.length === 2 && text.includes(PREPARE_MARK) ? statementName(text) : null;
    if (name) return super.query({ name, text: text as string, values: values as unknown[] }) as never;
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

export interface CreateDbOptions {
  /** PostgreSQL pool size (default 10) */
  poolSize?: number;
  /** called with every statement's SQL as it is run, BEGIN and COMMIT included (tests count a model's statements with it) */
  onStatement?: (sql: string) => void;
}

function statementLog(options: CreateDbOptions): KyselyConfig["log"] {
  const onStatement = options.onStatement;
  return onStatement ? (event) => (event.level === "query" ? onStatement(event.query.sql) : undefined) : undefined;
}

export function createDb(url: string, options: CreateDbOptions = {}): DbHandle {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, Client: PreparingClient });
    // An idle client that errors (e.g. the server restarted) must not crash the process.
    pool.on("error", () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: statementLog(options) });
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
  sqlite.pragma(`busy_timeout = ${SQLITE_LOCK_WAIT_MS}`);
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
    log: statementLog(options),
  });
  return { db, dialect: "sqlite", location: file, sqlite, close: () => db.destroy() };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; compiling the SQL was a tenth of a page's
 * database time. The same SQL text reuses its prepared statement (SQLite
 * re-prepares it by itself after a schema change). A statement still being
 * iterated (a streamed query) is busy, so a second user of the same SQL then
 * gets a fresh one.
 */
function withStatementCache(sqlite: SQLite.Database) {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      const cached = statements.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(sql);
      if (!cached) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
