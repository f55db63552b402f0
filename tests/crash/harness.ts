// The crash tests' harness: a seeded database with many signed-in people, a
// support storm over real HTTP that remembers every answer, and the checks
// that must hold after any crash: every acknowledged support or
// withdrawal is there, one support per (person, suggestion), counters equal
// the rows, merges consistent, and on SQLite `PRAGMA integrity_check` = ok.
import { randomInt } from "node:crypto";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { createDb, type DbHandle } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { seedTaxonomy } from "../../db/seed";
import { createAuth } from "~/auth/session.server";
import { trendingWeight } from "~/models/support.server";
import { seedDemo } from "../../server/demo-seed";
import { createEmptyDatabase } from "../support/db";
import { makeUser } from "../support/factories";
import type { SpawnedServer } from "../support/server";

export interface Person {
  id: number;
  /** the Cookie header of a session created for them */
  cookie: string;
}

export interface CrashDatabase {
  url: string;
  dialect: "sqlite" | "postgres";
  people: Person[];
  moderator: Person;
  organiser: Person;
  /** published suggestions at the start */
  published: number[];
  submissions: number;
  drop(): Promise<void>;
}

/** The size the crash tests seed: enough that a full CSV export streams for a second or more. */
export const CRASH_DATA = { users: 400, organisations: 150, submissions: 4_000, supports: 20_000, comments: 2_000, recommendations: 5 };

/** A fresh database, migrated, with demo data and a session for every demo person, a moderator and an organiser. */
export async function createCrashDatabase(): Promise<CrashDatabase> {
  const { url, drop } = await createEmptyDatabase();
  const handle = createDb(url, { poolSize: 4 });
  try {
    await migrateToLatest(handle);
    await seedTaxonomy(handle.db);
    const moderatorUser = await makeUser(handle.db, { role: "moderator" });
    const organiserUser = await makeUser(handle.db, { role: "organiser" });
    await seedDemo(handle, { size: CRASH_DATA, seed: 8 });
    // Sessions straight into the database, as a sign-in writes them (a sign-in's password hash would cost 400 × 50 ms).
    const auth = createAuth(handle.db, { secureCookies: false });
    const session = async (id: number): Promise<Person> => ({ id, cookie: (await auth.signIn(id)).split(";")[0] });
    const demo = await handle.db.selectFrom("users").select("id").where("email_normalised", "like", "demo.%").orderBy("id").execute();
    const people: Person[] = [];
    for (const u of demo) people.push(await session(u.id));
    const published = await handle.db.selectFrom("submissions").select("id").where("status", "=", "published").orderBy("id").execute();
    const total = await handle.db
      .selectFrom("submissions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return {
      url,
      dialect: handle.dialect,
      people,
      moderator: await session(moderatorUser.id),
      organiser: await session(organiserUser.id),
      published: published.map((r) => r.id),
      submissions: Number(total.n),
      drop,
    };
  } finally {
    await handle.close();
  }
}

type PairState = "on" | "off" | "unknown";

/**
 * What the clients were told. A support or withdrawal answered 303 is known;
 * a refusal (4xx) changed nothing; a request that got no answer (the server
 * died under it) leaves that pair unknown until the next check reads it back.
 * Each person sends one request at a time, so their answers are in order.
 */
export class Ledger {
  readonly pairs = new Map<string, PairState>();
  readonly merges: Array<{ source: number; target: number }> = [];
  readonly counts = { acknowledged: 0, refused: 0, unanswered: 0, serverErrors: 0, mergesAcknowledged: 0, mergesUnanswered: 0 };
  readonly statuses = new Map<number, number>();
  readonly serverErrorSamples: string[] = [];

  static key(submission: number, user: number) {
    return `${submission}:${user}`;
  }
  record(submission: number, user: number, intent: "support" | "withdraw", outcome: number | "unanswered", body = "") {
    const key = Ledger.key(submission, user);
    if (outcome === "unanswered") {
      this.counts.unanswered++;
      this.pairs.set(key, "unknown");
      return;
    }
    this.statuses.set(outcome, (this.statuses.get(outcome) ?? 0) + 1);
    if (outcome === 303) {
      this.counts.acknowledged++;
      this.pairs.set(key, intent === "support" ? "on" : "off");
    } else if (outcome >= 500) {
      this.counts.serverErrors++;
      if (this.serverErrorSamples.length < 3) this.serverErrorSamples.push(`${outcome} ${intent} ${submission}: ${body.slice(0, 300)}`);
      this.pairs.set(key, "unknown");
    } else {
      this.counts.refused++;
    }
  }
}

export interface StormOptions {
  baseUrl: string;
  db: CrashDatabase;
  ledger: Ledger;
  /** people sending at once */
  concurrency: number;
  /** suggestions most of the storm goes to (contention on the same rows) */
  hot: number[];
  /** a moderator merging hot suggestions into each other meanwhile */
  merges?: boolean;
}

export interface Storm {
  /** resolves once every sender has stopped (after the server died, or stop()) */
  done: Promise<void>;
  stop(): void;
  sent(): number;
}

const pickOne = <T>(list: readonly T[]): T => list[randomInt(list.length)];

/** Form posts as a browser on the site sends them; null when no answer came (connection refused or reset). */
async function post(
  baseUrl: string,
  path: string,
  cookie: string,
  form: Record<string, string>,
): Promise<{ status: number; body: string } | null> {
  try {
    const res = await fetch(baseUrl + path, {
      method: "POST",
      body: new URLSearchParams(form),
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl, Cookie: cookie },
      redirect: "manual",
    });
    const body = await res.text();
    return { status: res.status, body };
  } catch {
    return null;
  }
}

/** Many people supporting and withdrawing at once, each one request at a time, until the server stops answering. */
export function startStorm(o: StormOptions): Storm {
  let stopped = false;
  let sent = 0;
  const people = [...o.db.people].sort(() => Math.random() - 0.5).slice(0, o.concurrency);
  const merged = new Set(o.ledger.merges.map((m) => m.source));
  const sender = async (person: Person) => {
    while (!stopped) {
      const submission = Math.random() < 0.7 ? pickOne(o.hot) : pickOne(o.db.published);
      const intent = Math.random() < 0.75 ? "support" : "withdraw";
      sent++;
      const res = await post(o.baseUrl, `/submissions/${submission}/support`, person.cookie, { intent });
      o.ledger.record(submission, person.id, intent, res?.status ?? "unanswered", res?.body);
      if (!res) return; // the server is gone
    }
  };
  const moderator = async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 150 + randomInt(200)));
      const candidates = o.hot.filter((id) => !merged.has(id));
      if (candidates.length < 10 || stopped) return;
      const source = pickOne(candidates);
      const target = pickOne(candidates.filter((id) => id !== source));
      const res = await post(o.baseUrl, `/moderation/submissions/${source}`, o.db.moderator.cookie, {
        intent: "merge",
        into: String(target),
        reason: "duplicate (crash test)",
      });
      if (!res) {
        o.ledger.counts.mergesUnanswered++;
        merged.add(source); // unknown: never merge it again, nor into it
        return;
      }
      if (res.status === 303) {
        o.ledger.counts.mergesAcknowledged++;
        o.ledger.merges.push({ source, target });
        merged.add(source);
      } else if (res.status >= 500) {
        o.ledger.counts.serverErrors++;
        if (o.ledger.serverErrorSamples.length < 3) o.ledger.serverErrorSamples.push(`${res.status} merge: ${res.body.slice(0, 300)}`);
      }
    }
  };
  const done = Promise.all([...people.map(sender), ...(o.merges ? [moderator()] : [])]).then(() => undefined);
  return { done, stop: () => (stopped = true), sent: () => sent };
}

/** Hot suggestions that are still published (a merged one refuses supports). */
export async function hotSet(url: string, db: CrashDatabase, n: number): Promise<number[]> {
  const handle = createDb(url, { poolSize: 1 });
  try {
    const rows = await handle.db
      .selectFrom("submissions")
      .select("id")
      .where("status", "=", "published")
      .where("id", "in", db.published.slice(0, n * 6))
      .limit(n)
      .execute();
    return rows.map((r) => r.id);
  } finally {
    await handle.close();
  }
}

export interface Verification {
  problems: string[];
  supports: number;
  integrity?: string;
}

/**
 * Reads the database back with a fresh connection (as a restarted server
 * would) and lists every broken promise. Afterwards the ledger's unknown
 * pairs take the state found, so the next round checks against it.
 */
export async function verify(url: string, ledger: Ledger): Promise<Verification> {
  const problems: string[] = [];
  let integrity: string | undefined;
  if (!/^postgres/.test(url)) {
    // A plain connection first: recovery from the -wal file, then the full structural check.
    const raw = new SQLite(url);
    try {
      integrity = String(raw.pragma("integrity_check", { simple: true }));
      if (integrity !== "ok") problems.push(`integrity_check: ${integrity}`);
      const fk = raw.pragma("foreign_key_check") as unknown[];
      if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk.slice(0, 3))}`);
    } finally {
      raw.close();
    }
  }
  const handle: DbHandle = createDb(url, { poolSize: 2 });
  try {
    const db = handle.db;
    const duplicates = await db
      .selectFrom("supports")
      .select(["submission_id", "user_id", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy(["submission_id", "user_id"])
      .having((eb) => eb.fn.countAll(), ">", 1)
      .execute();
    if (duplicates.length) problems.push(`duplicate supports: ${JSON.stringify(duplicates.slice(0, 5))}`);

    // Counters equal the rows, for every suggestion.
    const counted = await sql<{
      id: number;
      supporters_count: number;
      supporting_organisations: number;
      supporting_provinces: number;
      n: number;
      orgs: number;
      provinces: number;
    }>`
      select s.id, s.supporters_count, s.supporting_organisations, s.supporting_provinces,
             count(sp.user_id) as n, count(distinct sp.organisation_id) as orgs, count(distinct sp.province) as provinces
      from submissions s left join supports sp on sp.submission_id = s.id
      group by s.id, s.supporters_count, s.supporting_organisations, s.supporting_provinces
    `.execute(db);
    const wrong = counted.rows.filter(
      (r) =>
        Number(r.supporters_count) !== Number(r.n) ||
        Number(r.supporting_organisations) !== Number(r.orgs) ||
        Number(r.supporting_provinces) !== Number(r.provinces),
    );
    if (wrong.length)
      problems.push(`${wrong.length} suggestions whose counters differ from their rows, e.g. ${JSON.stringify(wrong.slice(0, 3))}`);

    // The trending score is the sum of its supports' and comments' weights (ADR 0008).
    const origin = (await db.selectFrom("consultations").select("created_at").where("is_active", "=", 1).executeTakeFirstOrThrow())
      .created_at;
    const expected = new Map<number, number>();
    for (const table of ["supports", "comments"] as const) {
      const rows = await db.selectFrom(table).select(["submission_id", "created_at"]).execute();
      for (const r of rows) expected.set(r.submission_id, (expected.get(r.submission_id) ?? 0) + trendingWeight(r.created_at, origin));
    }
    const scores = await db.selectFrom("submissions").select(["id", "trending_score"]).execute();
    const drift = scores.filter(
      (s) => Math.abs(Number(s.trending_score) - (expected.get(s.id) ?? 0)) > 1e-6 * Math.max(1, expected.get(s.id) ?? 0),
    );
    if (drift.length)
      problems.push(
        `${drift.length} trending scores differ from their rows, e.g. ${JSON.stringify(drift.slice(0, 3).map((s) => ({ ...s, expected: expected.get(s.id) })))}`,
      );

    // Merges: every acknowledged one is there; a carried support points at a suggestion merged into this one;
    // the target's author is never among the carried (self-support is off); every merge has its audit entry.
    const mergedRows = await db
      .selectFrom("submissions")
      .select(["id", "status", "merged_into_id"])
      .where("merged_into_id", "is not", null)
      .execute();
    const mergedInto = new Map(mergedRows.map((r) => [r.id, r]));
    for (const m of ledger.merges) {
      const row = mergedInto.get(m.source);
      if (!row || row.status !== "merged" || row.merged_into_id !== m.target)
        problems.push(`acknowledged merge ${m.source} → ${m.target} is not there: ${JSON.stringify(row ?? null)}`);
    }
    const carried = await db
      .selectFrom("supports as sp")
      .innerJoin("submissions as t", "t.id", "sp.submission_id")
      .select(["sp.submission_id", "sp.user_id", "sp.merged_from_id", "t.author_id"])
      .where("sp.merged_from_id", "is not", null)
      .execute();
    for (const c of carried) {
      const source = mergedInto.get(c.merged_from_id!);
      if (!source || source.merged_into_id !== c.submission_id)
        problems.push(`carried support ${JSON.stringify(c)} does not come from a suggestion merged into it`);
      if (c.user_id === c.author_id) problems.push(`carried support ${JSON.stringify(c)} is the target author's own`);
    }
    const audited = await db.selectFrom("audit_log").select("target_id").where("action", "=", "submission.merge").execute();
    const auditedIds = new Set(audited.map((a) => Number(a.target_id)));
    for (const r of mergedRows) if (!auditedIds.has(r.id)) problems.push(`merge of ${r.id} has no audit entry`);

    // Every answered support and withdrawal is what the client was told.
    const rows = await db.selectFrom("supports").select(["submission_id", "user_id", "merged_from_id"]).execute();
    const present = new Map(rows.map((r) => [Ledger.key(r.submission_id, r.user_id), r.merged_from_id]));
    let lost = 0;
    let resurrected = 0;
    const samples: string[] = [];
    for (const [key, state] of ledger.pairs) {
      const has = present.has(key);
      if (state === "on" && !has) {
        lost++;
        if (samples.length < 5) samples.push(`lost ${key}`);
      }
      // After an acknowledged withdrawal the row may only be back as one carried over by a later merge.
      if (state === "off" && has && present.get(key) === null) {
        resurrected++;
        if (samples.length < 5) samples.push(`withdrawn but present ${key}`);
      }
      ledger.pairs.set(key, has ? "on" : "off");
    }
    if (lost) problems.push(`${lost} acknowledged supports missing: ${samples.join(", ")}`);
    if (resurrected) problems.push(`${resurrected} acknowledged withdrawals undone: ${samples.join(", ")}`);
    return { problems, supports: rows.length, integrity };
  } finally {
    await handle.close();
  }
}

/** Waits for `ms` (a random crash moment). */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A uniformly random whole number of milliseconds in [min, max]. */
export const between = (min: number, max: number) => min + randomInt(Math.max(1, max - min + 1));

/** The records in a CSV text (a quoted field can hold a newline). */
export function csvRows(text: string): number {
  let rows = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "\n" && !quoted) rows++;
  }
  return rows;
}

const spawned = new Set<SpawnedServer & { detached?: boolean }>();

/** Remembers a server so that a failed or timed-out test never leaves it running (see killLeftovers). */
export function track<T extends SpawnedServer>(server: T, detached = false): T {
  spawned.add(Object.assign(server, { detached }));
  void server.exited.then(() => spawned.delete(server));
  return server;
}

/** kill -9 every tracked server still running (its workers too when it has its own process group). */
export async function killLeftovers() {
  for (const server of [...spawned]) {
    try {
      if (server.detached) process.kill(-server.process.pid!, "SIGKILL");
      else server.process.kill("SIGKILL");
    } catch {
      // gone already
    }
    await server.exited;
  }
}
