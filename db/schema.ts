// The typed shape of the database, shared by every model, the CLI and the tests.
// Storage types are portable between SQLite and PostgreSQL: integer ids,
// ISO-8601 UTC text for times (they sort as text), 0/1 integers for flags,
// JSON as text. See docs/decisions/0002-portable-storage-types.md.
import type { Generated, Insertable, Selectable, Updateable } from "kysely";
import type { SubmissionStatus } from "../app/lib/reference";

export type Role = "stakeholder" | "moderator" | "organiser" | "admin";
export type UserStatus = "active" | "disabled" | "deleted";
export type OrganisationType = "firm" | "association" | "chamber" | "academia" | "government" | "other";
export type SizeBand = "micro" | "small" | "medium" | "large";
/** The list of statuses lives in app/lib/reference.ts (SUBMISSION_STATUSES). */
export type { SubmissionStatus };
export type SubmissionSource = "web" | "workshop" | "import";
export type Flag = 0 | 1;

export interface OrganisationsTable {
  id: Generated<number>;
  name: string;
  /** lower-cased, whitespace-collapsed name, for matching */
  name_normalised: string;
  type: OrganisationType;
  size_band: SizeBand;
  city: string;
  province: string;
  cluster_id: number | null;
  /** NTN or SECP number, normalised (upper case, no spaces); unique when present */
  registration_number: string | null;
  verified: Generated<Flag>;
  verified_at: string | null;
  verified_by: number | null;
  created_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  /** lower-cased email: the unique key (emails are unique case-insensitively) */
  email_normalised: string;
  display_name: string;
  password_hash: string;
  role: Role;
  status: UserStatus;
  /** the organisation the person is an approved member of (null: an individual, or a request pending) */
  organisation_id: number | null;
  /** the organisation the person asked to join, pending approval by a member or a moderator (null: no request) */
  requested_organisation_id: number | null;
  /** when that request was made */
  organisation_requested_at: string | null;
  /** privacy choice: 1 = show my organisation's name publicly */
  show_organisation: Flag;
  locale: string;
  /** "native" (Urdu digits on Urdu pages) or "western" */
  digits: Generated<string>;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** when the person confirmed their address; null: unconfirmed (ADR 0026) */
  email_confirmed_at: string | null;
  /** an address asked for and not yet confirmed (the old one stays in force) */
  pending_email: string | null;
  /** TOTP secret, base32; set when enrolment starts */
  two_factor_secret: string | null;
  /** when enrolment was confirmed with a code; null: two-factor is off */
  two_factor_enabled_at: string | null;
  /** the last TOTP time step accepted: a code is never accepted twice */
  two_factor_last_step: number | null;
  /** notification emails: off | instant | daily | weekly; null = never chosen, the default rule applies (ADR 0028) */
  email_frequency: EmailFrequency | null;
}

export type EmailFrequency = "off" | "instant" | "daily" | "weekly";

/** A link sent by email: only the SHA-256 of its token is kept (ADR 0026). */
export interface AccountTokensTable {
  id: Generated<number>;
  user_id: number;
  /** "sign-in": a password accepted, the second factor not yet (ADR 0026); never emailed */
  purpose: "confirm-email" | "reset-password" | "sign-in";
  token_hash: string;
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface TwoFactorRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface SessionsTable {
  /** sha-256 of the session token: a database leak does not leak live sessions */
  id: string;
  user_id: number;
  expires_at: string;
  created_at: string;
  last_seen_at: string;
  user_agent: string | null;
  ip: string | null;
}

export interface ConsultationsTable {
  id: Generated<number>;
  slug: string;
  title_en: string;
  title_ur: string;
  description_en: string;
  description_ur: string;
  /** 1 for the single active consultation */
  is_active: Flag;
  submission_opens_at: string;
  submission_closes_at: string;
  support_opens_at: string;
  support_closes_at: string;
  /** supports per stakeholder per cluster; 0 = unlimited */
  support_budget: number;
  allow_self_support: Flag;
  reports_to_hide: number;
  /** a report counts towards reports_to_hide only from a confirmed account at least this many hours old (0: any confirmed account) */
  report_min_account_age_hours: Generated<number>;
  /** set when archived: readable, never active again */
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClustersTable {
  id: Generated<number>;
  slug: string;
  name_en: string;
  name_ur: string;
  sort_order: number;
  archived: Flag;
}

export interface CategoriesTable {
  id: Generated<number>;
  slug: string;
  name_en: string;
  name_ur: string;
  hint_en: string;
  hint_ur: string;
  sort_order: number;
  archived: Flag;
}

export interface StagesTable {
  slug: string;
  name_en: string;
  name_ur: string;
  sort_order: number;
}

export interface SubmissionsTable {
  /** the public number shown as #id */
  id: Generated<number>;
  consultation_id: number;
  cluster_id: number;
  author_id: number | null;
  organisation_id: number | null;
  title: string;
  problem: string;
  proposal: string;
  expected_impact: string;
  stage: string | null;
  suggested_category_id: number | null;
  horizon: string | null;
  status: SubmissionStatus;
  source: SubmissionSource;
  merged_into_id: number | null;
  reject_reason_code: string | null;
  reject_reason: string | null;
  /** equals count(supports) of this submission; kept in the same transaction */
  supporters_count: Generated<number>;
  /** distinct supports.organisation_id / supports.province among its supports; kept in the same transaction */
  supporting_organisations: Generated<number>;
  supporting_provinces: Generated<number>;
  comments_count: Generated<number>;
  /** random number fixed at creation: the "random" sort rotates through it */
  random_key: Generated<number>;
  /** Σ 2^((t − t0)/half-life) over supports and comments: the "trending" order */
  trending_score: Generated<number>;
  /** normalised text for full-text search (see search.server.ts normaliseSearchText) */
  search_title: Generated<string>;
  search_body: Generated<string>;
  /** the language it was written in, by script (app/models/original-language.ts) */
  original_language: Generated<"en" | "ur">;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export interface SubmissionCategoriesTable {
  submission_id: number;
  category_id: number;
  tagged_by: number | null;
  tagged_at: string;
}

export interface SubmissionSimilarTable {
  submission_id: number;
  similar_id: number;
  /** 1 = most similar */
  rank: number;
}

export interface TagLogTable {
  id: Generated<number>;
  submission_id: number;
  actor_id: number | null;
  /** JSON arrays of category slugs */
  before: string;
  after: string;
  reason: string | null;
  created_at: string;
}

export interface SubmissionEventsTable {
  id: Generated<number>;
  submission_id: number;
  /** submitted | edited | published | rejected | tagged | merged | withdrawn | hidden | restored | included | response */
  event: string;
  actor_id: number | null;
  /** shown publicly instead of a name */
  actor_role: string;
  /** JSON: event details, e.g. the text before an edit */
  data: string | null;
  created_at: string;
}

/** A moderator's translation of a suggestion into the other language (issue 18; ADR 0031): the current version. */
export interface SubmissionTranslationsTable {
  submission_id: number;
  language: "en" | "ur";
  title: string;
  problem: string;
  proposal: string;
  expected_impact: string;
  translator_id: number | null;
  /** 1 for the first version, +1 for each save that changed it */
  version: number;
  created_at: string;
  updated_at: string;
}

/** Every version of a translation ever saved, oldest first by id. */
export interface SubmissionTranslationVersionsTable {
  id: Generated<number>;
  submission_id: number;
  language: "en" | "ur";
  version: number;
  title: string;
  problem: string;
  proposal: string;
  expected_impact: string;
  translator_id: number | null;
  created_at: string;
}

/** An author's report that the translation of their suggestion is wrong; open until a moderator saves a new version. */
export interface TranslationFlagsTable {
  id: Generated<number>;
  submission_id: number;
  language: "en" | "ur";
  user_id: number | null;
  reason: string;
  status: Generated<"open" | "resolved">;
  created_at: string;
  resolved_at: string | null;
}

export interface SupportsTable {
  submission_id: number;
  user_id: number;
  /** denormalised from the submission, for the per-cluster budget */
  cluster_id: number;
  consultation_id: number;
  /** set when the row was carried over from a merged duplicate */
  merged_from_id: number | null;
  /** the supporter's organisation and its province when they supported (support breadth) */
  organisation_id: number | null;
  province: string | null;
  created_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  submission_id: number;
  author_id: number | null;
  parent_id: number | null;
  body: string;
  /** the language it was written in, by script (app/models/original-language.ts) */
  original_language: Generated<"en" | "ur">;
  /** visible | hidden | deleted */
  status: string;
  created_at: string;
  updated_at: string;
}

export interface ReportsTable {
  id: Generated<number>;
  /** submission | comment */
  target_type: string;
  target_id: number;
  reporter_id: number;
  reason: string;
  details: string;
  /** open | dismissed | actioned */
  status: string;
  created_at: string;
  resolved_by: number | null;
  resolved_at: string | null;
  /** 1 when the report counts towards the consultation's reports_to_hide; fixed when the report is made */
  counts_towards_hide: Generated<Flag>;
  /** why it does not count: "unconfirmed" | "newAccount"; null when it counts */
  not_counted_reason: string | null;
}

/**
 * Who follows a suggestion or a final recommendation (issue 16). following = 0
 * is an explicit unfollow, kept so that it sticks (auto-follows never overwrite a row).
 */
export interface FollowsTable {
  user_id: number;
  target_type: FollowTargetType;
  target_id: number;
  following: number;
  origin: "author" | "supporter" | "explicit" | "merge" | "backfill";
  created_at: string;
  updated_at: string;
}

export type FollowTargetType = "submission" | "recommendation";

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  submission_id: number | null;
  recommendation_id: number | null;
  data: string | null;
  read_at: string | null;
  created_at: string;
  /** "pending": waits for the person's digest · "done": digested (or dropped: email turned off) · null: not for a digest (ADR 0028) */
  digest_state: "pending" | "done" | null;
}

/**
 * queued: waits for the sender (SMTP configured) · sending: claimed by one sender ·
 * sent · failed: gave up after the last attempt · held: written while no SMTP was
 * configured, read by admins at /admin/outbox, never sent · cancelled: the
 * recipient was disabled or deleted before it went out
 */
export type EmailStatus = "queued" | "sending" | "sent" | "failed" | "held" | "cancelled";

export interface EmailOutboxTable {
  id: Generated<number>;
  /** the recipient; null only for rows written before notifications had emails */
  user_id: number | null;
  notification_id: number | null;
  to_email: string;
  subject: string;
  body: string;
  status: EmailStatus;
  /** attempts started (a claim counts one) */
  attempts: number;
  last_error: string | null;
  /** a queued row is due from this time (retries back off) */
  next_attempt_at: string | null;
  /** the sender (host:pid:random) that claimed the row last, and when: it holds the row while `sending` */
  claimed_by: string | null;
  claimed_at: string | null;
  created_at: string;
  sent_at: string | null;
  /** a held email (no SMTP) written to the server log at this time; null: not yet */
  logged_at: string | null;
  /** the signed one-click unsubscribe link (List-Unsubscribe); null for account and security emails (ADR 0028) */
  unsubscribe_url: string | null;
}

/** One digest per person and period ("D2026-12-07", "W2026-W50"): the primary key makes the claim (ADR 0028). */
export interface EmailDigestsTable {
  user_id: number;
  period: string;
  email_id: number | null;
  notifications: number;
  created_at: string;
}

/** Keys made once per installation by a migration, shared by every instance (ADR 0028: unsubscribe links). */
export interface AppSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

export interface RecommendationsTable {
  /** shown as R-n */
  id: Generated<number>;
  consultation_id: number;
  /** the MAIN version (title, text, dissent), in `language`: the English one whenever there is one (ADR 0032) */
  title: string;
  text: string;
  priority: number;
  dissent: string;
  /** en | ur: the language of title, text and dissent */
  language: Generated<string>;
  /** the version in the other language; '' = none (ADR 0032) */
  other_title: Generated<string>;
  other_text: Generated<string>;
  other_dissent: Generated<string>;
  /** draft | final */
  status: string;
  response_status: string | null;
  response_text: string | null;
  responsible_agency: string | null;
  response_date: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

/** A dated implementation update of a final recommendation (issue 16): a history, never edited. */
export interface RecommendationProgressTable {
  id: Generated<number>;
  recommendation_id: number;
  /** planned | in-progress | done | stalled */
  status: string;
  text: string;
  /** YYYY-MM-DD: the day the update is about */
  progress_date: string;
  /** http(s) only */
  evidence_url: string | null;
  created_by: number | null;
  created_at: string;
}

export interface RecommendationClustersTable {
  recommendation_id: number;
  cluster_id: number;
}

export interface RecommendationCategoriesTable {
  recommendation_id: number;
  category_id: number;
}

export interface RecommendationSubmissionsTable {
  recommendation_id: number;
  submission_id: number;
  linked_by: number | null;
  linked_at: string;
}

/** The organisers' recorded reason for leaving a published suggestion out of every final recommendation (issue 19, ADR 0030). */
export interface CoverageReasonsTable {
  submission_id: number;
  reason: string;
  /** who made the last change, and when (the audit log keeps every change) */
  set_by: number | null;
  set_at: string;
}

/** An admin's group of equivalent search terms (the bilingual glossary, ADR 0033). */
export interface GlossaryGroupsTable {
  id: Generated<number>;
  created_by: number | null;
  created_at: string;
  updated_by: number | null;
  updated_at: string;
}

/** One term of a glossary group; `term_key` (its words as the search reads them) is unique across the glossary. */
export interface GlossaryTermsTable {
  id: Generated<number>;
  group_id: number;
  language: "en" | "ur";
  term: string;
  term_key: string;
  position: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: string | null;
  after: string | null;
  reason: string | null;
  ip: string | null;
  created_at: string;
}

/** Security events without a signed-in actor, counted per kind, client address and UTC minute (app/lib/security.server.ts). */
export interface SecurityEventCountsTable {
  kind: string;
  ip: string;
  /** `YYYY-MM-DDTHH:MM` (UTC) */
  minute: string;
  count: Generated<number>;
  last_target: string | null;
  last_rule: string | null;
  last_reason: string | null;
}

export interface RateLimitsTable {
  key: string;
  /** floor(epoch ms / window ms) */
  bucket: number;
  count: number;
  expires_at: string;
}

export interface Database {
  submission_similar: SubmissionSimilarTable;
  organisations: OrganisationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  account_tokens: AccountTokensTable;
  two_factor_recovery_codes: TwoFactorRecoveryCodesTable;
  consultations: ConsultationsTable;
  clusters: ClustersTable;
  categories: CategoriesTable;
  stages: StagesTable;
  submissions: SubmissionsTable;
  submission_categories: SubmissionCategoriesTable;
  tag_log: TagLogTable;
  submission_events: SubmissionEventsTable;
  supports: SupportsTable;
  submission_translations: SubmissionTranslationsTable;
  submission_translation_versions: SubmissionTranslationVersionsTable;
  translation_flags: TranslationFlagsTable;
  comments: CommentsTable;
  reports: ReportsTable;
  notifications: NotificationsTable;
  follows: FollowsTable;
  email_outbox: EmailOutboxTable;
  email_digests: EmailDigestsTable;
  app_secrets: AppSecretsTable;
  recommendations: RecommendationsTable;
  recommendation_clusters: RecommendationClustersTable;
  recommendation_categories: RecommendationCategoriesTable;
  recommendation_submissions: RecommendationSubmissionsTable;
  recommendation_progress: RecommendationProgressTable;
  coverage_reasons: CoverageReasonsTable;
  glossary_groups: GlossaryGroupsTable;
  glossary_terms: GlossaryTermsTable;
  audit_log: AuditLogTable;
  rate_limits: RateLimitsTable;
  security_event_counts: SecurityEventCountsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Organisation = Selectable<OrganisationsTable>;
export type Consultation = Selectable<ConsultationsTable>;
export type Cluster = Selectable<ClustersTable>;
export type Category = Selectable<CategoriesTable>;
export type Submission = Selectable<SubmissionsTable>;
