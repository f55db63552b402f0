// Accounts and organisations: registration (organisation created or matched
// by registration number), authentication, roles. Used by the pages and the CLI.
import type { DB, Executor } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import type { OrganisationType, Role, SizeBand } from "../../db/schema";
import { checkPassword, dummyPasswordHash, hashPassword, verifyPassword, type PasswordProblem } from "~/auth/password.server";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { recordJoinRequest } from "./membership.server";

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function normaliseOrganisationName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, " ");
}

export function normaliseRegistrationNumber(value: string | undefined | null): string | null {
  const v = (value ?? "").trim().toUpperCase().replace(/\s+/g, "");
  return v ? v : null;
}

export const PASSWORD_ERROR_KEYS: Record<PasswordProblem, string> = {
  tooShort: "errors.passwordTooShort",
  tooLong: "errors.passwordTooLong",
  common: "errors.passwordCommon",
  context: "errors.passwordContext",
};

export interface OrganisationInput {
  name: string;
  type: OrganisationType;
  sizeBand: SizeBand;
  city: string;
  province: string;
  clusterSlug: string;
  registrationNumber?: string | null;
}

export interface CreateUserInput {
  email: string;
  password: string;
  displayName: string;
  role?: Role;
  locale?: string;
  showOrganisation?: boolean;
  organisation?: OrganisationInput | null;
  /**
   * The address is taken as confirmed from the start: an account made by an
   * operator (the CLI, ADMIN_EMAIL), not one registered on the site (ADR 0026).
   */
  emailConfirmed?: boolean;
}

export type FieldErrors = Record<string, string[]>;
/**
 * organisationId: the organisation the person is a member of (a new one they
 * founded); organisationMatched: the registration number named an existing
 * organisation, so the person asked to join it (requestedOrganisationId) and
 * stays an individual until a member or a moderator approves.
 */
export type CreateUserResult =
  | { ok: true; userId: number; organisationId: number | null; organisationMatched: boolean; requestedOrganisationId: number | null }
  | { ok: false; fieldErrors: FieldErrors };

export async function findUserIdByEmail(db: Executor, email: string): Promise<number | null> {
  const row = await db.selectFrom("users").select("id").where("email_normalised", "=", normaliseEmail(email)).executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Creates a user and their organisation, or, when the registration number
 * names an organisation that exists, a request to join it (issue 15): the
 * person is then an individual until a member or a moderator approves
 * (app/models/membership.server.ts), and the form's other organisation
 * details are not applied to it. Checks the password rules and the unique
 * email. One transaction: the organisation never exists without its first
 * member.
 */
export async function createUser(db: DB, input: CreateUserInput, now: Date = new Date()): Promise<CreateUserResult> {
  const fieldErrors: FieldErrors = {};
  const problem = checkPassword(input.password, [input.email.split("@")[0], input.displayName, input.organisation?.name]);
  if (problem) fieldErrors.password = [PASSWORD_ERROR_KEYS[problem]];

  let clusterId: number | null = null;
  if (input.organisation) {
    const cluster = await db
      .selectFrom("clusters")
      .select("id")
      .where("slug", "=", input.organisation.clusterSlug)
      .where("archived", "=", 0)
      .executeTakeFirst();
    if (!cluster) fieldErrors.cluster = ["errors.invalid"];
    clusterId = cluster?.id ?? null;
  }
  if (await findUserIdByEmail(db, input.email)) fieldErrors.email = ["errors.emailTaken"];
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };

  // Hash outside the transaction: it takes tens of milliseconds and holds no lock.
  const passwordHash = await hashPassword(input.password);
  const iso = nowIso(now);
  try {
    return await db.transaction().execute(async (trx) => {
      let organisationId: number | null = null;
      let requestedOrganisationId: number | null = null;
      const org = input.organisation;
      if (org) {
        const registrationNumber = normaliseRegistrationNumber(org.registrationNumber);
        if (registrationNumber) {
          const existing = await trx
            .selectFrom("organisations")
            .select("id")
            .where("registration_number", "=", registrationNumber)
            .executeTakeFirst();
          if (existing) requestedOrganisationId = existing.id;
        }
        if (!requestedOrganisationId) {
          // Two people registering the same new number at once: the unique
          // index lets one insert win (the founding member); the other asks to
          // join the organisation it made, like anyone who comes later.
          const created = await trx
            .insertInto("organisations")
            .values({
              name: org.name.trim(),
              name_normalised: normaliseOrganisationName(org.name),
              type: org.type,
              size_band: org.sizeBand,
              city: org.city.trim(),
              province: org.province,
              cluster_id: clusterId,
              registration_number: registrationNumber,
              created_at: iso,
            })
            .onConflict((oc) => oc.column("registration_number").doNothing())
            .returning("id")
            .executeTakeFirst();
          if (created) {
            organisationId = created.id;
          } else {
            const existing = await trx
              .selectFrom("organisations")
              .select("id")
              .where("registration_number", "=", registrationNumber)
              .executeTakeFirstOrThrow();
            requestedOrganisationId = existing.id;
          }
        }
      }
      const organisationMatched = requestedOrganisationId != null;
      const user = await trx
        .insertInto("users")
        .values({
          email: input.email.trim(),
          email_normalised: normaliseEmail(input.email),
          display_name: input.displayName.trim(),
          password_hash: passwordHash,
          role: input.role ?? "stakeholder",
          status: "active",
          organisation_id: organisationId,
          show_organisation: input.showOrganisation ? 1 : 0,
          locale: input.locale ?? "en",
          created_at: iso,
          updated_at: iso,
          email_confirmed_at: input.emailConfirmed ? iso : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await recordAudit(
        trx,
        {
          actorId: user.id,
          actorRole: input.role ?? "stakeholder",
          action: "user.create",
          targetType: "user",
          targetId: user.id,
          after: {
            role: input.role ?? "stakeholder",
            organisationId,
            organisationMatched,
            ...(requestedOrganisationId != null ? { requestedOrganisationId } : {}),
          },
        },
        now,
      );
      if (requestedOrganisationId != null) {
        await recordJoinRequest(trx, { userId: user.id, role: input.role ?? "stakeholder", organisationId: requestedOrganisationId, now });
      }
      return { ok: true as const, userId: user.id, organisationId, organisationMatched, requestedOrganisationId };
    });
  } catch (error) {
    // Two registrations with one email at the same moment: the unique index decides.
    if (isUniqueViolation(error, "email_normalised")) return { ok: false, fieldErrors: { email: ["errors.emailTaken"] } };
    throw error;
  }
}

/** Why a sign-in is refused, and the status each answers with. */
export const SIGN_IN_REFUSALS = defineRefusals({ invalid: 400, disabled: 403 });

export type AuthenticateResult = { ok: true; userId: number } | { ok: false; reason: "invalid" | "disabled"; userId: number | null };

/** Checks an email and password. Unknown emails cost the same time as wrong passwords. */
export async function authenticate(db: Executor, email: string, password: string): Promise<AuthenticateResult> {
  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "status"])
    .where("email_normalised", "=", normaliseEmail(email))
    .executeTakeFirst();
  if (!user || user.status === "deleted") {
    await verifyPassword(await dummyPasswordHash(), password);
    return { ok: false, reason: "invalid", userId: null };
  }
  const valid = await verifyPassword(user.password_hash, password);
  if (!valid) return { ok: false, reason: "invalid", userId: user.id };
  if (user.status !== "active") return { ok: false, reason: "disabled", userId: user.id };
  return { ok: true, userId: user.id };
}

export async function countAdmins(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("role", "=", "admin")
    .where("status", "=", "active")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What /me shows: the user's own account and organisation. */
export async function getProfile(db: Executor, userId: number) {
  return db
    .selectFrom("users as u")
    .leftJoin("organisations as o", "o.id", "u.organisation_id")
    .leftJoin("clusters as c", "c.id", "o.cluster_id")
    .select([
      "u.id",
      "u.email",
      "u.display_name",
      "u.role",
      "u.show_organisation",
      "u.locale",
      "u.created_at",
      "u.organisation_requested_at",
      "o.name as organisation_name",
      "o.type as organisation_type",
      "o.size_band",
      "o.city",
      "o.province",
      "o.registration_number",
      "o.verified",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .where("u.id", "=", userId)
    .executeTakeFirst();
}

export interface UserSearch {
  q?: string;
  page: number;
  pageSize: number;
}

/** Admin user list: search by name, email or organisation. */
export async function searchUsers(db: Executor, s: UserSearch) {
  let query = db
    .selectFrom("users as u")
    .leftJoin("organisations as o", "o.id", "u.organisation_id")
    .select(["u.id", "u.email", "u.display_name", "u.role", "u.status", "u.created_at", "o.name as organisation_name"])
    .where("u.status", "!=", "deleted");
  if (s.q) {
    const like = `%${s.q.toLowerCase().replace(/[%_\\]/g, "")}%`;
    query = query.where((eb) =>
      eb.or([
        eb("u.email_normalised", "like", like),
        eb(eb.fn("lower", ["u.display_name"]), "like", like),
        eb("o.name_normalised", "like", like),
      ]),
    );
  }
  return query
    .orderBy("u.id", "desc")
    .limit(s.pageSize + 1)
    .offset((s.page - 1) * s.pageSize)
    .execute();
}

export async function setUserLocale(db: Executor, userId: number, locale: "en" | "ur"): Promise<void> {
  await db.updateTable("users").set({ locale, updated_at: nowIso() }).where("id", "=", userId).execute();
}

/** Which digits the person reads Urdu pages in ("native" ۱۲۳ or "western" 123). */
export async function setUserDigits(db: Executor, userId: number, digits: "native" | "western"): Promise<void> {
  await db.updateTable("users").set({ digits, updated_at: nowIso() }).where("id", "=", userId).execute();
}

/** The privacy choice: show my organisation's name publicly, or only its label. */
export async function setShowOrganisation(db: Executor, userId: number, show: boolean): Promise<void> {
  await db
    .updateTable("users")
    .set({ show_organisation: show ? 1 : 0, updated_at: nowIso() })
    .where("id", "=", userId)
    .execute();
}
