// Organisation membership (issue 15, item 4): typing a firm's registration
// number at registration no longer makes a person its member. It makes a
// request to join, which the organisation's active members (or a moderator)
// approve or decline on /me/organisation and /moderation/organisations/:id.
//
// users.requested_organisation_id: the organisation the person asked to join
// (null: no request). While it is set, users.organisation_id stays null, so
// the person acts as an individual and every existing count (supporters per
// organisation, distinct organisations, exports, dashboards) leaves them out
// with no change to those queries. Approval moves the id to organisation_id
// and clears both columns; declining or withdrawing clears them.
// users.organisation_requested_at: when the request was made (ISO 8601 UTC).
//
// Existing members stay members: nothing is moved. An index on the request
// column, for the list of pending requests of one organisation.
import type { Kysely } from "kysely";
import type { Dialect } from "../client";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("requested_organisation_id", "integer", (c) => c.references("organisations.id"))
    .execute();
  await db.schema.alterTable("users").addColumn("organisation_requested_at", "text").execute();
  await db.schema.createIndex("users_requested_organisation_idx").on("users").column("requested_organisation_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("users_requested_organisation_idx").execute();
  await db.schema.alterTable("users").dropColumn("organisation_requested_at").execute();
  await db.schema.alterTable("users").dropColumn("requested_organisation_id").execute();
}
