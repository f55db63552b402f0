// Security events without a signed-in actor, counted (issue 13, finding 7;
// ADR 0020): one row per kind, client address and UTC minute, raised by one
// upsert, so a flood of anonymous requests costs O(1) rows per address and
// minute. Events tied to an account stay one audit row each (audit.server.ts).
import { sql } from "kysely";
import type { Executor } from "../../db/client";

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

export async function countSecurityEvent(db: Executor, event: CountedSecurityEvent, now: Date = new Date()): Promise<void> {
  await db
    .insertInto("security_event_counts")
    .values({
      kind: event.kind,
      ip: event.ip.slice(0, 64),
      minute: utcMinute(now),
      count: 1,
      last_target: clip(event.target),
      last_rule: clip(event.rule),
      last_reason: clip(event.reason),
    })
    .onConflict((oc) =>
      oc.columns(["kind", "ip", "minute"]).doUpdateSet({
        count: sql<number>`security_event_counts.count + 1`,
        last_target: sql<string | null>`excluded.last_target`,
        last_rule: sql<string | null>`excluded.last_rule`,
        last_reason: sql<string | null>`excluded.last_reason`,
      }),
    )
    .execute();
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
