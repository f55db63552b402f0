// The whole data model foreseeable from the product specification. Frozen in time: later
// changes are new migrations. Takes Kysely<any> and imports no app code.
import { sql, type Kysely, type CreateTableBuilder } from "kysely";
import type { Dialect } from "../client";

type Id = (t: CreateTableBuilder<any, any>) => CreateTableBuilder<any, any>;

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const id: Id = (t) =>
    dialect === "postgres"
      ? t.addColumn("id", "integer", (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());

  await id(db.schema.createTable("clusters"))
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("name_ur", "text", (c) => c.notNull())
    .addColumn("sort_order", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("archived", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await id(db.schema.createTable("categories"))
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("name_ur", "text", (c) => c.notNull())
    .addColumn("hint_en", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("hint_ur", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("sort_order", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("archived", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("stages")
    .addColumn("slug", "text", (c) => c.primaryKey())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("name_ur", "text", (c) => c.notNull())
    .addColumn("sort_order", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await id(db.schema.createTable("organisations"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_normalised", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("size_band", "text", (c) => c.notNull())
    .addColumn("city", "text", (c) => c.notNull())
    .addColumn("province", "text", (c) => c.notNull())
    .addColumn("cluster_id", "integer", (c) => c.references("clusters.id"))
    .addColumn("registration_number", "text", (c) => c.unique())
    .addColumn("verified", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("verified_at", "text")
    .addColumn("verified_by", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("organisations_name_idx").on("organisations").column("name_normalised").execute();

  await id(db.schema.createTable("users"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_normalised", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().defaultTo("stakeholder"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("organisation_id", "integer", (c) => c.references("organisations.id"))
    .addColumn("show_organisation", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("locale", "text", (c) => c.notNull().defaultTo("en"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("deleted_at", "text")
    .execute();
  await db.schema.createIndex("users_organisation_idx").on("users").column("organisation_id").execute();
  await db.schema.createIndex("users_role_idx").on("users").column("role").execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .addColumn("user_agent", "text")
    .addColumn("ip", "text")
    .execute();
  await db.schema.createIndex("sessions_user_idx").on("sessions").column("user_id").execute();
  await db.schema.createIndex("sessions_expires_idx").on("sessions").column("expires_at").execute();

  await id(db.schema.createTable("consultations"))
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("title_en", "text", (c) => c.notNull())
    .addColumn("title_ur", "text", (c) => c.notNull())
    .addColumn("description_en", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("description_ur", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("is_active", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("submission_opens_at", "text", (c) => c.notNull())
    .addColumn("submission_closes_at", "text", (c) => c.notNull())
    .addColumn("support_opens_at", "text", (c) => c.notNull())
    .addColumn("support_closes_at", "text", (c) => c.notNull())
    .addColumn("support_budget", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("allow_self_support", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reports_to_hide", "integer", (c) => c.notNull().defaultTo(3))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await id(db.schema.createTable("submissions"))
    .addColumn("consultation_id", "integer", (c) => c.notNull().references("consultations.id"))
    .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id"))
    .addColumn("author_id", "integer", (c) => c.references("users.id"))
    .addColumn("organisation_id", "integer", (c) => c.references("organisations.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("problem", "text", (c) => c.notNull())
    .addColumn("proposal", "text", (c) => c.notNull())
    .addColumn("expected_impact", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("stage", "text", (c) => c.references("stages.slug"))
    .addColumn("suggested_category_id", "integer", (c) => c.references("categories.id"))
    .addColumn("horizon", "text")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("source", "text", (c) => c.notNull().defaultTo("web"))
    .addColumn("merged_into_id", "integer", (c) => c.references("submissions.id"))
    .addColumn("reject_reason_code", "text")
    .addColumn("reject_reason", "text")
    .addColumn("supporters_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("comments_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("published_at", "text")
    .execute();
  await db.schema
    .createIndex("submissions_list_idx")
    .on("submissions")
    .columns(["consultation_id", "cluster_id", "status", "supporters_count"])
    .execute();
  await db.schema
    .createIndex("submissions_new_idx")
    .on("submissions")
    .columns(["consultation_id", "cluster_id", "status", "published_at"])
    .execute();
  await db.schema.createIndex("submissions_queue_idx").on("submissions").columns(["status", "created_at"]).execute();
  await db.schema.createIndex("submissions_author_idx").on("submissions").column("author_id").execute();
  await db.schema.createIndex("submissions_merged_into_idx").on("submissions").column("merged_into_id").execute();

  await db.schema
    .createTable("submission_categories")
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("category_id", "integer", (c) => c.notNull().references("categories.id"))
    .addColumn("tagged_by", "integer", (c) => c.references("users.id"))
    .addColumn("tagged_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("submission_categories_pk", ["submission_id", "category_id"])
    .execute();
  await db.schema
    .createIndex("submission_categories_category_idx")
    .on("submission_categories")
    .columns(["category_id", "submission_id"])
    .execute();

  await id(db.schema.createTable("tag_log"))
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("actor_id", "integer", (c) => c.references("users.id"))
    .addColumn("before", "text", (c) => c.notNull())
    .addColumn("after", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("tag_log_submission_idx").on("tag_log").column("submission_id").execute();

  await id(db.schema.createTable("submission_events"))
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("actor_id", "integer", (c) => c.references("users.id"))
    .addColumn("actor_role", "text", (c) => c.notNull())
    .addColumn("data", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("submission_events_submission_idx")
    .on("submission_events")
    .columns(["submission_id", "created_at"])
    .execute();

  await db.schema
    .createTable("supports")
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id"))
    .addColumn("consultation_id", "integer", (c) => c.notNull().references("consultations.id"))
    .addColumn("merged_from_id", "integer", (c) => c.references("submissions.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    // One support per person per submission, enforced by the database.
    .addPrimaryKeyConstraint("supports_pk", ["submission_id", "user_id"])
    .execute();
  await db.schema.createIndex("supports_user_idx").on("supports").columns(["user_id", "consultation_id", "cluster_id"]).execute();
  await db.schema.createIndex("supports_created_idx").on("supports").columns(["submission_id", "created_at"]).execute();

  await id(db.schema.createTable("comments"))
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("author_id", "integer", (c) => c.references("users.id"))
    .addColumn("parent_id", "integer", (c) => c.references("comments.id"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("visible"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("comments_submission_idx").on("comments").columns(["submission_id", "created_at"]).execute();
  await db.schema.createIndex("comments_author_idx").on("comments").column("author_id").execute();

  await id(db.schema.createTable("reports"))
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "integer", (c) => c.notNull())
    .addColumn("reporter_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("resolved_by", "integer", (c) => c.references("users.id"))
    .addColumn("resolved_at", "text")
    .addUniqueConstraint("reports_one_per_person", ["target_type", "target_id", "reporter_id"])
    .execute();
  await db.schema.createIndex("reports_status_idx").on("reports").columns(["status", "created_at"]).execute();

  await id(db.schema.createTable("notifications"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("submission_id", "integer", (c) => c.references("submissions.id"))
    .addColumn("recommendation_id", "integer")
    .addColumn("data", "text")
    .addColumn("read_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("notifications_user_idx").on("notifications").columns(["user_id", "created_at"]).execute();

  await id(db.schema.createTable("email_outbox"))
    .addColumn("to_email", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("queued"))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .execute();
  await db.schema.createIndex("email_outbox_status_idx").on("email_outbox").columns(["status", "created_at"]).execute();

  await id(db.schema.createTable("recommendations"))
    .addColumn("consultation_id", "integer", (c) => c.notNull().references("consultations.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(3))
    .addColumn("dissent", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft"))
    .addColumn("response_status", "text")
    .addColumn("response_text", "text")
    .addColumn("responsible_agency", "text")
    .addColumn("response_date", "text")
    .addColumn("created_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("recommendation_clusters")
    .addColumn("recommendation_id", "integer", (c) => c.notNull().references("recommendations.id"))
    .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id"))
    .addPrimaryKeyConstraint("recommendation_clusters_pk", ["recommendation_id", "cluster_id"])
    .execute();
  await db.schema
    .createTable("recommendation_categories")
    .addColumn("recommendation_id", "integer", (c) => c.notNull().references("recommendations.id"))
    .addColumn("category_id", "integer", (c) => c.notNull().references("categories.id"))
    .addPrimaryKeyConstraint("recommendation_categories_pk", ["recommendation_id", "category_id"])
    .execute();
  await db.schema
    .createTable("recommendation_submissions")
    .addColumn("recommendation_id", "integer", (c) => c.notNull().references("recommendations.id"))
    .addColumn("submission_id", "integer", (c) => c.notNull().references("submissions.id"))
    .addColumn("linked_by", "integer", (c) => c.references("users.id"))
    .addColumn("linked_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("recommendation_submissions_pk", ["recommendation_id", "submission_id"])
    .execute();
  await db.schema
    .createIndex("recommendation_submissions_submission_idx")
    .on("recommendation_submissions")
    .column("submission_id")
    .execute();

  await id(db.schema.createTable("audit_log"))
    .addColumn("actor_id", "integer", (c) => c.references("users.id"))
    .addColumn("actor_role", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text")
    .addColumn("target_id", "text")
    .addColumn("before", "text")
    .addColumn("after", "text")
    .addColumn("reason", "text")
    .addColumn("ip", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_created_idx").on("audit_log").column("created_at").execute();
  await db.schema.createIndex("audit_log_actor_idx").on("audit_log").columns(["actor_id", "created_at"]).execute();
  await db.schema.createIndex("audit_log_action_idx").on("audit_log").columns(["action", "created_at"]).execute();

  await db.schema
    .createTable("rate_limits")
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("bucket", "integer", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("rate_limits_pk", ["key", "bucket"])
    .execute();
  await db.schema.createIndex("rate_limits_expires_idx").on("rate_limits").column("expires_at").execute();

  // Only one consultation may be active at a time.
  await sql`create unique index consultations_one_active on consultations (is_active) where is_active = 1`.execute(db);
}
