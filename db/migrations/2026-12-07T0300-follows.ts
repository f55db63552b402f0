// Follows (issue 16, item 2): who hears of what happens to a suggestion or a
// final recommendation. One row per person and thing followed:
//   follows(user_id, target_type 'submission' | 'recommendation', target_id,
//           following 1 | 0, origin 'author' | 'supporter' | 'explicit' | 'merge' | 'backfill',
//           created_at, updated_at)
// `following = 0` is an explicit unfollow, kept (not deleted) so that it sticks:
// writing or supporting again later adds a follow only where the person has
// no row at all (insert … on conflict do nothing), never over their unfollow.
// target_id has no foreign key (it points to one of two tables by target_type);
// suggestions and recommendations are never deleted.
// Backfill: every author of a suggestion and every supporter (one row each,
// the author's first) follow it, as if they had always been auto-followed.
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("follows")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("target_type", "text", (c) => c.notNull().check(sql`target_type in ('submission', 'recommendation')`))
    .addColumn("target_id", "integer", (c) => c.notNull())
    .addColumn("following", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("origin", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("follows_pk", ["user_id", "target_type", "target_id"])
    .execute();
  // followers of one thing (every notification to followers reads this)
  await db.schema.createIndex("follows_target_idx").on("follows").columns(["target_type", "target_id", "following"]).execute();

  const now = new Date().toISOString();
  await sql`
    insert into follows (user_id, target_type, target_id, following, origin, created_at, updated_at)
    select author_id, 'submission', id, 1, 'backfill', ${now}, ${now} from submissions where author_id is not null
  `.execute(db);
  await sql`
    insert into follows (user_id, target_type, target_id, following, origin, created_at, updated_at)
    select sp.user_id, 'submission', sp.submission_id, 1, 'backfill', ${now}, ${now} from supports sp
    where not exists (
      select 1 from follows f
      where f.user_id = sp.user_id and f.target_type = 'submission' and f.target_id = sp.submission_id
    )
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("follows_target_idx").execute();
  await db.schema.dropTable("follows").execute();
}
