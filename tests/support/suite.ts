// The set-up a describe (or a file) registers for its tests, written once:
// `useTestDb()` for model tests (a fresh migrated database), `useServer()` for
// route tests (that, and the built server on it), `useActiveConsultation`
// for tests that close, deactivate or archive what the next test needs open.
//
//   const { t, server } = useServer({ env: { REGISTRATIONS_PER_IP: "1000" } });
//   beforeAll(async () => { admin = await signedIn(server.url, await makeUser(t.db, { role: "admin" })); });
//
// It registers a beforeAll (create the database, run `seed`, start the server)
// and an afterAll (stop the server, remove the database). `t` and `server` are
// filled in place by that beforeAll: read them inside hooks and tests, never at
// the top level of the describe. Hooks registered after the call run after the
// server is up; their afterAll hooks run before it stops (vitest runs after-hooks
// in reverse order).
import { afterAll, afterEach, beforeAll } from "vitest";
import { createTestDb, type TestDb } from "./db";
import { startServer, type RunningServer } from "./server";

/**
 * A fresh, migrated and seeded database for the enclosing describe: created by
 * a beforeAll, removed by an afterAll. The object is filled in place by that
 * beforeAll: read it inside hooks and tests.
 */
export function useTestDb(options: { seed?: boolean } = {}): TestDb {
  const t = {} as TestDb;
  beforeAll(async () => {
    Object.assign(t, await createTestDb(options));
  });
  afterAll(async () => {
    await t.destroy?.();
  });
  return t;
}

/**
 * The active consultation of `t` (its `id`, filled in by a beforeAll); after
 * each test its submission window, its being the active one and every
 * cluster's archived flag are put back as they were before the first test
 * (tests close the window, deactivate the consultation or archive a cluster).
 */
export function useActiveConsultation(t: TestDb): { id: number } {
  const consultation = { id: 0 };
  let windows: { submission_opens_at: string; submission_closes_at: string };
  beforeAll(async () => {
    const c = await t.db.selectFrom("consultations").selectAll().where("is_active", "=", 1).executeTakeFirstOrThrow();
    consultation.id = c.id;
    windows = { submission_opens_at: c.submission_opens_at, submission_closes_at: c.submission_closes_at };
  });
  afterEach(async () => {
    await t.db
      .updateTable("consultations")
      .set({ ...windows, is_active: 1 })
      .where("id", "=", consultation.id)
      .execute();
    await t.db.updateTable("clusters").set({ archived: 0 }).execute();
  });
  return consultation;
}

export interface UseServerOptions {
  /** the server's environment beyond startServer's defaults; a function is read when the server starts */
  env?: Record<string, string> | (() => Record<string, string>);
  /** rows the server must find already there when it starts (runs after the migration, before the spawn) */
  seed?: (t: TestDb) => Promise<void>;
}

export interface ServedApp {
  /** the test database (the same one the server uses) */
  t: TestDb;
  /** the running server: `server.url`, `server.output()`, `server.stop()` */
  server: RunningServer;
}

export function useServer(options: UseServerOptions = {}): ServedApp {
  const t = {} as TestDb;
  const server = {} as RunningServer;
  beforeAll(async () => {
    Object.assign(t, await createTestDb());
    await options.seed?.(t);
    const env = typeof options.env === "function" ? options.env() : options.env;
    Object.assign(server, await startServer({ databaseUrl: t.url, env }));
  });
  afterAll(async () => {
    // stop() is safe to call again when a test or an afterAll stopped it already.
    await server.stop?.();
    await t.destroy?.();
  });
  return { t, server };
}
