// Security events without a signed-in actor, counted (issue 13, finding 7;
// ADR 0020): one row per kind, client address and UTC minute, raised by one
// upsert, so a flood of anonymous requests costs O(1) rows per address and
// minute. Events tied to an account stay one audit row each (audit.server.ts).
import { sql } from "kysely";
import type { Executor } from "../../db/client";
import { inTransaction } from "../../db/transaction";

export interface CountedSecurityEvent {
  kind: string;
  ip: string;
  target?: string | null;
  rule?: string | null;
  reason?: string | null;
}

/** `YYYY-MM-DDTHH:MM`, the UTC minute of `now`. */
function utcMinute(now: Date = new Date()): string {
  return now.toISOString().slice(0, 16);
}

/** Texts kept for display only: bounded, so a long header cannot grow a row. */
const clip = (v: string | null | undefined) => (v == null ? null : v.slice(0, 200));

export async function countSecurityEvent(db: Executor, event: CountedSecurityEvent, now: Date = new Date(), count = 1): Promise<void> {
  await db
    .insertInto("security_event_counts")
    .values({
      kind: event.kind,
      ip: event.ip.slice(0, 64),
      minute: utcMinute(now),
      count,
      last_target: clip(event.target),
      last_rule: clip(event.rule),
      last_reason: clip(event.reason),
    })
    .onConflict((oc) =>
      oc.columns(["kind", "ip", "minute"]).doUpdateSet({
        count: sql<number>`security_event_counts.count + excluded.count`,
        last_target: sql<string | null>`excluded.last_target`,
        last_rule: sql<string | null>`excluded.last_rule`,
        last_reason: sql<string | null>`excluded.last_reason`,
      }),
    )
    .execute();
}

/**
 * Counted events raised before a request reaches the application (the early
 * answers of server/early-answers.ts: a cross-site POST without a session),
 * added up in memory and written once a second, in one transaction: a flood
 * of them costs one write a second per process, not a write and an fsync
 * each (ADR 0037). What a crash loses is at most the last second's counts;
 * each event's log line is written at once. Several processes add to the same
 * rows (the upsert adds the counts).
 */
export class SecurityCountBuffer {
  private pending = new Map<string, { event: CountedSecurityEvent; at: Date; count: number }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Executor,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 1000,
  ) {}

  add(event: CountedSecurityEvent, now: Date = new Date()): void {
    const key = `${event.kind}\u0000${event.ip}\u0000${utcMinute(now)}`;
    const entry = this.pending.get(key);
    // The row keeps the last target, rule and reason of its minute, as one write each would.
    if (entry) Object.assign(entry, { event, count: entry.count + 1 });
    else this.pending.set(key, { event, at: now, count: 1 });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending now (and waits for a write already under way). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await inTransaction(this.db, async (trx) => {
          for (const { event, at, count } of batch) await countSecurityEvent(trx, event, at, count);
        });
      } catch (error) {
        this.onError(error);
      }
    });
    return this.flushing;
  }
}

export interface SecurityCountQuery {
  /** one kind (`honeypot`, `rate_limit`, …) or its start (`login.`) */
  kind?: string;
  /** `YYYY-MM-DDTHH:MM` bounds: `from` inclusive, `before` exclusive */
  from?: string;
  before?: string;
  limit: number;
}

/** Counted events, newest minute first (then the largest count). */
export async function listSecurityEventCounts(db: Executor, q: SecurityCountQuery) {
  let query = db.selectFrom("security_event_counts").select(["kind", "ip", "minute", "count", "last_target", "last_rule", "last_reason"]);
  if (q.kind) query = query.where(sql<boolean>`kind like ${`${q.kind.replace(/[!%_]/g, (c) => `!${c}`)}%`} escape '!'`);
  if (q.from) query = query.where("minute", ">=", q.from);
  if (q.before) query = query.where("minute", "<", q.before);
  const rows = await query.orderBy("minute", "desc").orderBy("count", "desc").orderBy("kind").orderBy("ip").limit(q.limit).execute();
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}
