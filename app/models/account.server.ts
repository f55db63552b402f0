// Account self-service: what a signed-in person does to their own
// account — profile and organisation details, password change with
// re-authentication, their sessions, a download of their data, and deletion
// by anonymisation (contributions kept as "former participant"). Every change
// writes its audit entry in the same transaction; no audit entry holds a name
// or an email. Why it works this way: docs/decisions/0014-account-self-service.md.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { DB, Executor } from "../../db/client";
import type { OrganisationType, Role, SizeBand, UserStatus } from "../../db/schema";
import { checkPassword, hashPassword, verifyPassword } from "~/auth/password.server";
import { hashSessionToken, type Auth, type RequestMeta } from "~/auth/session.server";
import { isDigits, type Digits } from "~/lib/format";
import type { RateRule } from "~/lib/rate-limit.server";
import type { Language } from "~/lib/reference";
import { nowIso } from "~/lib/time";
import { defineRefusals } from "~/lib/refusal";
import { inTransaction } from "../../db/transaction";
import { recordAudit } from "./audit.server";
import { getMemberOrganisation, type MemberOrganisation } from "./membership.server";
import { deleteSession, deleteUserSessions } from "./session.server";
import { countAdmins, normaliseOrganisationName, PASSWORD_ERROR_KEYS, type FieldErrors } from "./user.server";

/**
 * Wrong current passwords (password change, account deletion) per account:
 * a stolen session must not become a way to guess the password. Same window
 * as the sign-in limit, and as many tries as a person mistyping needs.
 */
export const REAUTH_RULE: RateRule = { name: "reauth-user", limit: 10, windowMs: 15 * 60_000 };

/**
 * Where the email of a deleted account goes: unique, never deliverable (RFC 2606 `.invalid`).
 * Exported only for the tests (tests/models/account.test.ts).
 */
export function deletedEmailPlaceholder(userId: number): string {
  return `deleted-${userId}@deleted.invalid`;
}

// ---------------------------------------------------------------------------
// Profile

export interface AccountProfile {
  id: number;
  email: string;
  /** whether `email` was confirmed */
  emailConfirmed: boolean;
  /** a new address asked for, in force once confirmed */
  pendingEmail: string | null;
  displayName: string;
  role: Role;
  showOrganisation: boolean;
  locale: Language;
  digits: Digits;
  /** the organisation as its members see it (shared with /me/organisation) */
  organisation: MemberOrganisation | null;
}

/** The profile form's current values, for an active user; null otherwise. */
export async function getAccountProfile(db: Executor, userId: number): Promise<AccountProfile | null> {
  const row = await db
    .selectFrom("users as u")
    .select([
      "u.id",
      "u.email",
      "u.email_confirmed_at",
      "u.pending_email",
      "u.display_name",
      "u.role",
      "u.show_organisation",
      "u.locale",
      "u.digits",
      "u.organisation_id",
    ])
    .where("u.id", "=", userId)
    .where("u.status", "=", "active")
    .executeTakeFirst();
  if (!row) return null;
  const organisation = row.organisation_id == null ? null : await getMemberOrganisation(db, row.organisation_id, userId);
  return {
    id: row.id,
    email: row.email,
    emailConfirmed: row.email_confirmed_at !== null,
    pendingEmail: row.pending_email,
    displayName: row.display_name,
    role: row.role,
    showOrganisation: row.show_organisation === 1,
    locale: row.locale === "ur" ? "ur" : "en",
    digits: isDigits(row.digits) ? row.digits : "native",
    organisation,
  };
}

export interface OrganisationDetailsInput {
  /** absent when the organisation is verified: its name, type and province are then locked */
  name?: string;
  type?: OrganisationType;
  sizeBand: SizeBand;
  city: string;
  province?: string;
}

export interface ProfileInput {
  displayName: string;
  showOrganisation: boolean;
  locale: Language;
  /** digits on Urdu pages; absent = unchanged */
  digits?: Digits;
  /** the member's organisation's details; ignored for a user without one */
  organisation?: OrganisationDetailsInput | null;
}

export type UpdateProfileResult =
  { ok: true; changed: string[] } | { ok: false; reason: "notFound" } | { ok: false; reason: "invalid"; fieldErrors: FieldErrors };

/**
 * Saves a person's own profile and, when they belong to one, their
 * organisation's details. The organisation is shared: its approved members
 * may all correct it (a person whose request to join is pending is not one:
 * organisation_id stays null until approval), each change is audit-logged
 * with before and after (an organisation's details are not personal data),
 * and a verified organisation's name, type and province are locked, because
 * verification vouched for them: only moderators correct those
 * (updateOrganisationByModerator in organisation.server.ts).
 */
export async function updateProfile(
  db: Executor,
  params: { userId: number; input: ProfileInput; ip?: string | null; now?: Date },
): Promise<UpdateProfileResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const input = params.input;
  return inTransaction(db, async (trx): Promise<UpdateProfileResult> => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "role", "display_name", "show_organisation", "locale", "digits", "organisation_id"])
      .where("id", "=", params.userId)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (!user) return { ok: false, reason: "notFound" };

    const userSet: { display_name?: string; show_organisation?: 0 | 1; locale?: string; digits?: string } = {};
    if (input.displayName !== user.display_name) userSet.display_name = input.displayName;
    const show = input.showOrganisation ? 1 : 0;
    if (show !== user.show_organisation) userSet.show_organisation = show;
    if (input.locale !== user.locale) userSet.locale = input.locale;
    if (input.digits !== undefined && input.digits !== user.digits) userSet.digits = input.digits;

    const orgBefore: Record<string, string> = {};
    const orgAfter: Record<string, string> = {};
    let orgId: number | null = null;
    if (user.organisation_id != null && input.organisation) {
      const org = await trx
        .selectFrom("organisations")
        .select(["id", "name", "type", "size_band", "city", "province", "verified"])
        .where("id", "=", user.organisation_id)
        .executeTakeFirst();
      if (org) {
        orgId = org.id;
        const o = input.organisation;
        if (org.verified === 1) {
          const locked: FieldErrors = {};
          if (o.name !== undefined && o.name !== org.name) locked.organisationName = ["account.profile.nameLocked"];
          if (o.type !== undefined && o.type !== org.type) locked.organisationType = ["account.profile.verifiedLocked"];
          if (o.province !== undefined && o.province !== org.province) locked.province = ["account.profile.verifiedLocked"];
          if (Object.keys(locked).length > 0) return { ok: false, reason: "invalid", fieldErrors: locked };
        }
        if (o.name !== undefined && o.name !== org.name) {
          orgBefore.name = org.name;
          orgAfter.name = o.name;
        }
        const pairs: Array<[string, string, string | undefined]> = [
          ["type", org.type, o.type],
          ["size_band", org.size_band, o.sizeBand],
          ["city", org.city, o.city],
          ["province", org.province, o.province],
        ];
        for (const [column, before, after] of pairs) {
          if (after !== undefined && before !== after) {
            orgBefore[column] = before;
            orgAfter[column] = after;
          }
        }
      }
    }

    const changed: string[] = [];
    if (Object.keys(userSet).length > 0) {
      await trx
        .updateTable("users")
        .set({ ...userSet, updated_at: iso })
        .where("id", "=", user.id)
        .execute();
      // The display name is personal: the log says it changed, not what it was.
      const fields = Object.keys(userSet);
      changed.push(...fields);
      await recordAudit(
        trx,
        {
          actorId: user.id,
          actorRole: user.role,
          action: "user.profile",
          targetType: "user",
          targetId: user.id,
          before: {
            fields,
            ...(userSet.show_organisation !== undefined ? { show_organisation: user.show_organisation } : {}),
            ...(userSet.locale !== undefined ? { locale: user.locale } : {}),
            ...(userSet.digits !== undefined ? { digits: user.digits } : {}),
          },
          after: {
            fields,
            ...(userSet.show_organisation !== undefined ? { show_organisation: userSet.show_organisation } : {}),
            ...(userSet.locale !== undefined ? { locale: userSet.locale } : {}),
            ...(userSet.digits !== undefined ? { digits: userSet.digits } : {}),
          },
          ip: params.ip ?? null,
        },
        now,
      );
    }
    if (orgId != null && Object.keys(orgAfter).length > 0) {
      await trx
        .updateTable("organisations")
        .set({
          ...(orgAfter.name !== undefined ? { name: orgAfter.name, name_normalised: normaliseOrganisationName(orgAfter.name) } : {}),
          ...(orgAfter.type !== undefined ? { type: orgAfter.type as OrganisationType } : {}),
          ...(orgAfter.size_band !== undefined ? { size_band: orgAfter.size_band as SizeBand } : {}),
          ...(orgAfter.city !== undefined ? { city: orgAfter.city } : {}),
          ...(orgAfter.province !== undefined ? { province: orgAfter.province } : {}),
        })
        .where("id", "=", orgId)
        .execute();
      changed.push(...Object.keys(orgAfter).map((c) => `organisation.${c}`));
      await recordAudit(
        trx,
        {
          actorId: user.id,
          actorRole: user.role,
          action: "organisation.update",
          targetType: "organisation",
          targetId: orgId,
          before: orgBefore,
          after: orgAfter,
          reason: "member",
          ip: params.ip ?? null,
        },
        now,
      );
    }
    return { ok: true, changed };
  });
}

// ---------------------------------------------------------------------------
// Password

export type ChangePasswordResult =
  | { ok: true; cookie: string; endedSessions: number }
  | { ok: false; reason: "notFound" }
  | { ok: false; reason: "wrongPassword" }
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors };

/**
 * Changes the password after checking the current one. The new one follows
 * the registration rules and must differ from the old. The session the change
 * was made in is replaced by a new one (new id, returned as a cookie); with
 * `endOtherSessions`, every other session of the account ends too.
 */
export async function changePassword(
  db: DB,
  auth: Pick<Auth, "signIn">,
  params: {
    userId: number;
    currentPassword: string;
    newPassword: string;
    /** the token of the session making the change (renewed), or null */
    sessionToken: string | null;
    endOtherSessions: boolean;
    meta?: RequestMeta;
    now?: Date;
  },
): Promise<ChangePasswordResult> {
  const now = params.now ?? new Date();
  const user = await db
    .selectFrom("users as u")
    .leftJoin("organisations as o", "o.id", "u.organisation_id")
    .select(["u.id", "u.email", "u.display_name", "u.role", "u.password_hash", "o.name as organisation_name"])
    .where("u.id", "=", params.userId)
    .where("u.status", "=", "active")
    .executeTakeFirst();
  if (!user) return { ok: false, reason: "notFound" };
  if (!(await verifyPassword(user.password_hash, params.currentPassword))) return { ok: false, reason: "wrongPassword" };

  const problem = checkPassword(params.newPassword, [user.email.split("@")[0], user.display_name, user.organisation_name]);
  if (problem) return { ok: false, reason: "invalid", fieldErrors: { newPassword: [PASSWORD_ERROR_KEYS[problem]] } };
  if (await verifyPassword(user.password_hash, params.newPassword)) {
    return { ok: false, reason: "invalid", fieldErrors: { newPassword: ["account.password.unchanged"] } };
  }

  // Hash outside the transaction: it takes tens of milliseconds and holds no lock.
  const newHash = await hashPassword(params.newPassword);
  const current = params.sessionToken ? hashSessionToken(params.sessionToken) : null;
  const ended = await db.transaction().execute(async (trx) => {
    // Only over the hash that was checked: of two changes at once, the second is refused.
    const updated = await trx
      .updateTable("users")
      .set({ password_hash: newHash, updated_at: nowIso(now) })
      .where("id", "=", user.id)
      .where("password_hash", "=", user.password_hash)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return null;
    let endedOthers = 0;
    if (params.endOtherSessions) {
      endedOthers = await deleteUserSessions(trx, user.id, { except: current });
    }
    if (current) await deleteSession(trx, current, { userId: user.id });
    await recordAudit(
      trx,
      {
        actorId: user.id,
        actorRole: user.role,
        action: "user.password",
        targetType: "user",
        targetId: user.id,
        after: { endedOtherSessions: endedOthers },
        ip: params.meta?.ip ?? null,
      },
      now,
    );
    return endedOthers;
  });
  if (ended === null) return { ok: false, reason: "wrongPassword" };
  const cookie = await auth.signIn(user.id, params.meta ?? {}, now);
  return { ok: true, cookie, endedSessions: ended };
}

// ---------------------------------------------------------------------------
// Deletion

/** Why a change to one's own account is refused, and the status each answers with. */
export const ACCOUNT_REFUSALS = defineRefusals({ notFound: 404, invalid: 400, wrongPassword: 400, lastAdmin: 409 });

export type DeleteAccountResult = { ok: true } | { ok: false; reason: "notFound" | "wrongPassword" | "lastAdmin" };

/**
 * Deletes an account by anonymising it: the name is blanked, the email
 * becomes a unique undeliverable placeholder (so the address can register
 * again), the password hash is cleared, the status becomes `deleted`, every
 * session ends and the person's inbox (notifications, queued email) goes.
 * Submissions, comments, supports and reports stay, shown as "former
 * participant"; the organisation stays for its other members and the
 * record. The last active admin cannot delete their account.
 */
export async function deleteAccount(
  db: DB,
  params: { userId: number; password: string; ip?: string | null; now?: Date },
): Promise<DeleteAccountResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const user = await db
    .selectFrom("users")
    .select(["id", "email_normalised", "password_hash", "role"])
    .where("id", "=", params.userId)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (!user) return { ok: false, reason: "notFound" };
  if (!(await verifyPassword(user.password_hash, params.password))) return { ok: false, reason: "wrongPassword" };

  return db.transaction().execute(async (trx): Promise<DeleteAccountResult> => {
    if (user.role === "admin" && (await countAdmins(trx)) <= 1) return { ok: false, reason: "lastAdmin" };
    const placeholder = deletedEmailPlaceholder(user.id);
    const updated = await trx
      .updateTable("users")
      .set({
        email: placeholder,
        email_normalised: placeholder,
        display_name: "",
        password_hash: "",
        status: "deleted",
        show_organisation: 0,
        // A pending request to join goes with the account (a membership stays, for the record).
        requested_organisation_id: null,
        organisation_requested_at: null,
        deleted_at: iso,
        updated_at: iso,
      })
      .where("id", "=", user.id)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { ok: false, reason: "notFound" };
    await deleteUserSessions(trx, user.id);
    // The digest claims first (ADR 0028: each refers to its email), then emails: an outbox row refers to its notification.
    await trx.deleteFrom("email_digests").where("user_id", "=", user.id).execute();
    await trx
      .deleteFrom("email_outbox")
      .where((eb) => eb.or([eb("user_id", "=", user.id), eb(sql<string>`lower(to_email)`, "=", user.email_normalised)]))
      .execute();
    await trx.deleteFrom("notifications").where("user_id", "=", user.id).execute();
    // What they followed (issue 16) is theirs too, and no longer of use.
    await trx.deleteFrom("follows").where("user_id", "=", user.id).execute();
    await recordAudit(
      trx,
      {
        actorId: user.id,
        actorRole: user.role,
        action: "user.delete",
        targetType: "user",
        targetId: user.id,
        after: { status: "deleted" },
        ip: params.ip ?? null,
      },
      now,
    );
    return { ok: true };
  });
}

// ---------------------------------------------------------------------------
// Data export

function parseJson(value: string | null): unknown {
  if (value == null) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export const ACCOUNT_EXPORT_FORMAT = "mashwara-account-export/1";

/**
 * Everything the platform holds about a person, as one JSON-ready object:
 * their account (no password hash), organisation, submissions with their
 * categories and history, comments, supports, notifications, follows, reports and
 * open sessions (device and times, never an id or token). Null for an
 * account that is not active.
 */
export async function exportAccountData(db: Executor, userId: number, now: Date = new Date()) {
  const user = await db
    .selectFrom("users")
    .select([
      "id",
      "email",
      "display_name",
      "role",
      "status",
      "locale",
      "digits",
      "show_organisation",
      "organisation_id",
      "email_confirmed_at",
      "pending_email",
      "email_frequency",
      "requested_organisation_id",
      "organisation_requested_at",
      "created_at",
      "updated_at",
    ])
    .where("id", "=", userId)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (!user) return null;

  const organisation = user.organisation_id
    ? await db
        .selectFrom("organisations as o")
        .leftJoin("clusters as c", "c.id", "o.cluster_id")
        .select([
          "o.id",
          "o.name",
          "o.type",
          "o.size_band",
          "o.city",
          "o.province",
          "c.slug as cluster",
          "o.registration_number",
          "o.verified",
          "o.verified_at",
          "o.created_at",
        ])
        .where("o.id", "=", user.organisation_id)
        .executeTakeFirst()
    : undefined;

  // A request to join names the number the person typed, as /me/organisation does, not the organisation.
  const requested = user.requested_organisation_id
    ? await db.selectFrom("organisations").select("registration_number").where("id", "=", user.requested_organisation_id).executeTakeFirst()
    : undefined;

  const submissions = await db
    .selectFrom("submissions as s")
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .innerJoin("consultations as k", "k.id", "s.consultation_id")
    .leftJoin("categories as sc", "sc.id", "s.suggested_category_id")
    .select([
      "s.id",
      "k.slug as consultation",
      "c.slug as cluster",
      "s.title",
      "s.problem",
      "s.proposal",
      "s.expected_impact",
      "s.stage",
      "sc.slug as suggested_category",
      "s.horizon",
      "s.status",
      "s.source",
      "s.merged_into_id",
      "s.reject_reason_code",
      "s.reject_reason",
      "s.supporters_count",
      "s.comments_count",
      "s.created_at",
      "s.updated_at",
      "s.published_at",
    ])
    .where("s.author_id", "=", user.id)
    .orderBy("s.id")
    .execute();
  const ids = submissions.map((s) => s.id);
  const [categories, events] = ids.length
    ? await Promise.all([
        db
          .selectFrom("submission_categories as sc")
          .innerJoin("categories as c", "c.id", "sc.category_id")
          .select(["sc.submission_id", "c.slug"])
          .where("sc.submission_id", "in", ids)
          .orderBy("c.sort_order")
          .execute(),
        db
          .selectFrom("submission_events")
          .select(["submission_id", "event", "actor_role", "data", "created_at"])
          .where("submission_id", "in", ids)
          .orderBy("created_at")
          .orderBy("id")
          .execute(),
      ])
    : [[], []];

  const [comments, supports, notifications, reports, sessions, follows] = await Promise.all([
    db
      .selectFrom("comments")
      .select(["id", "submission_id", "parent_id", "body", "status", "created_at", "updated_at"])
      .where("author_id", "=", user.id)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("supports as sp")
      .innerJoin("submissions as s", "s.id", "sp.submission_id")
      .innerJoin("clusters as c", "c.id", "sp.cluster_id")
      .select(["sp.submission_id", "s.title", "c.slug as cluster", "sp.merged_from_id", "sp.created_at"])
      .where("sp.user_id", "=", user.id)
      .orderBy("sp.created_at")
      .orderBy("sp.submission_id")
      .execute(),
    db
      .selectFrom("notifications")
      .select(["id", "kind", "submission_id", "recommendation_id", "data", "read_at", "created_at"])
      .where("user_id", "=", user.id)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("reports")
      .select(["id", "target_type", "target_id", "reason", "details", "status", "created_at", "resolved_at"])
      .where("reporter_id", "=", user.id)
      .orderBy("id")
      .execute(),
    db
      .selectFrom("sessions")
      .select(["created_at", "last_seen_at", "expires_at", "user_agent", "ip"])
      .where("user_id", "=", user.id)
      .where("expires_at", ">", nowIso(now))
      .orderBy("created_at")
      .execute(),
    db
      .selectFrom("follows")
      .select(["target_type", "target_id", "following", "origin", "created_at", "updated_at"])
      .where("user_id", "=", user.id)
      .orderBy("created_at")
      .orderBy("target_type")
      .orderBy("target_id")
      .execute(),
  ]);

  return {
    format: ACCOUNT_EXPORT_FORMAT,
    exported_at: nowIso(now),
    account: {
      id: user.id,
      email: user.email,
      email_confirmed_at: user.email_confirmed_at,
      // a new address asked for and not yet confirmed
      pending_email: user.pending_email,
      // the email choice of /me/notifications/settings; null: never chosen (ADR 0028's defaults)
      email_frequency: user.email_frequency,
      display_name: user.display_name,
      role: user.role,
      status: user.status as UserStatus,
      locale: user.locale,
      digits: user.digits,
      show_organisation_publicly: user.show_organisation === 1,
      created_at: user.created_at,
      updated_at: user.updated_at,
    },
    organisation: organisation ? { ...organisation, verified: organisation.verified === 1 } : null,
    organisation_request:
      user.requested_organisation_id != null
        ? { registration_number: requested?.registration_number ?? null, requested_at: user.organisation_requested_at }
        : null,
    submissions: submissions.map((s) => ({
      ...s,
      categories: categories.filter((c) => c.submission_id === s.id).map((c) => c.slug),
      history: events
        .filter((e) => e.submission_id === s.id)
        .map((e) => ({ event: e.event, actor_role: e.actor_role, data: parseJson(e.data), created_at: e.created_at })),
    })),
    comments,
    supports,
    notifications: notifications.map((n) => ({ ...n, data: parseJson(n.data) })),
    // following: false is an unfollow, kept so that supporting again does not follow again
    follows: follows.map((f) => ({ ...f, following: f.following === 1 })),
    reports,
    sessions,
  };
}

export type AccountExport = NonNullable<Awaited<ReturnType<typeof exportAccountData>>>;

// ---------------------------------------------------------------------------
// Sessions

/**
 * The handle a page uses for one session. Derived from the stored id (itself
 * the token's SHA-256), so the page never carries what the database keys on,
 * and meaningless outside this account: it is looked up among the account's
 * own sessions only.
 * Exported only for the tests (tests/models/account.test.ts).
 */
export function sessionRef(storedId: string): string {
  return createHash("sha256").update(`session-ref:${storedId}`).digest("base64url").slice(0, 22);
}

export interface DeviceDescription {
  browser: string | null;
  os: string | null;
}

/**
 * Browser and operating system from a User-Agent header; null parts when unrecognised.
 * Exported only for the tests (tests/models/account.test.ts).
 */
export function describeUserAgent(ua: string | null | undefined): DeviceDescription {
  if (!ua) return { browser: null, os: null };
  const browser = /\bEdg(?:e|A|iOS)?\//.test(ua)
    ? "Edge"
    : /\bOPR\/|\bOpera\b/.test(ua)
      ? "Opera"
      : /\bSamsungBrowser\//.test(ua)
        ? "Samsung Internet"
        : /\bUCBrowser\//.test(ua)
          ? "UC Browser"
          : /\bFirefox\/|\bFxiOS\//.test(ua)
            ? "Firefox"
            : /\b(?:Headless)?Chrome\/|\bCriOS\/|\bChromium\//.test(ua)
              ? "Chrome"
              : /\bVersion\/[\d.]+.*\bSafari\//.test(ua)
                ? "Safari"
                : null;
  const os = /\bWindows\b/.test(ua)
    ? "Windows"
    : /\bAndroid\b/.test(ua)
      ? "Android"
      : /\biPhone|\biPad|\biPod/.test(ua)
        ? "iOS"
        : /\bCrOS\b/.test(ua)
          ? "ChromeOS"
          : /\bMac OS X\b|\bMacintosh\b/.test(ua)
            ? "macOS"
            : /\bLinux\b/.test(ua)
              ? "Linux"
              : null;
  return { browser, os };
}

export interface AccountSession {
  ref: string;
  device: DeviceDescription;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** The account's unexpired sessions: this one first, then the most recently used. */
export async function listAccountSessions(
  db: Executor,
  params: { userId: number; sessionToken: string | null; now?: Date },
): Promise<AccountSession[]> {
  const current = params.sessionToken ? hashSessionToken(params.sessionToken) : null;
  const rows = await db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "user_agent", "ip"])
    .where("user_id", "=", params.userId)
    .where("expires_at", ">", nowIso(params.now ?? new Date()))
    .orderBy("last_seen_at", "desc")
    .orderBy("created_at", "desc")
    .execute();
  return rows
    .map((r) => ({
      ref: sessionRef(r.id),
      device: describeUserAgent(r.user_agent),
      ip: r.ip,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      current: r.id === current,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

export type EndSessionResult = { ok: true; current: boolean } | { ok: false; reason: "notFound" };

/** Ends one of the account's own sessions, named by its ref; another account's is "not found". */
export async function endAccountSession(
  db: DB,
  params: { userId: number; ref: string; sessionToken: string | null; ip?: string | null; now?: Date },
): Promise<EndSessionResult> {
  const current = params.sessionToken ? hashSessionToken(params.sessionToken) : null;
  return db.transaction().execute(async (trx): Promise<EndSessionResult> => {
    const mine = await trx.selectFrom("sessions").select("id").where("user_id", "=", params.userId).execute();
    const target = mine.find((s) => sessionRef(s.id) === params.ref);
    if (!target) return { ok: false, reason: "notFound" };
    await deleteSession(trx, target.id, { userId: params.userId });
    const user = await trx.selectFrom("users").select("role").where("id", "=", params.userId).executeTakeFirst();
    await recordAudit(
      trx,
      {
        actorId: params.userId,
        actorRole: user?.role ?? null,
        action: "user.sessions.end",
        targetType: "user",
        targetId: params.userId,
        after: { ended: 1, current: target.id === current },
        ip: params.ip ?? null,
      },
      params.now,
    );
    return { ok: true, current: target.id === current };
  });
}

/** Ends every session of the account except the one making the request; returns how many ended. */
export async function endOtherSessions(
  db: DB,
  params: { userId: number; sessionToken: string | null; ip?: string | null; now?: Date },
): Promise<number> {
  const current = params.sessionToken ? hashSessionToken(params.sessionToken) : null;
  return db.transaction().execute(async (trx) => {
    const ended = await deleteUserSessions(trx, params.userId, { except: current });
    if (ended > 0) {
      const user = await trx.selectFrom("users").select("role").where("id", "=", params.userId).executeTakeFirst();
      await recordAudit(
        trx,
        {
          actorId: params.userId,
          actorRole: user?.role ?? null,
          action: "user.sessions.end",
          targetType: "user",
          targetId: params.userId,
          after: { ended, current: false },
          ip: params.ip ?? null,
        },
        params.now,
      );
    }
    return ended;
  });
}
