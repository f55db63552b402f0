// Security events of visitors who are not signed in (a honeypot form, a
// cross-site POST, a 429, a failed sign-in on an unknown address) are counted,
// not written one audit row each (issue 13, finding 7; ADR 0020): one row per
// (kind, client address, UTC minute), its count raised by an upsert. A flood of
// such requests costs one row per address and minute, not one per request.
// The last target (path or e-mail tried), rule and reason seen are kept so an
// admin can tell what the requests were after.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("security_event_counts")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("ip", "text", (c) => c.notNull())
    /** UTC minute, `YYYY-MM-DDTHH:MM` */
    .addColumn("minute", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("last_target", "text")
    .addColumn("last_rule", "text")
    .addColumn("last_reason", "text")
    .addPrimaryKeyConstraint("security_event_counts_pk", ["kind", "ip", "minute"])
    .execute();
  await db.schema.createIndex("security_event_counts_minute_idx").on("security_event_counts").column("minute").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("security_event_counts").execute();
}
