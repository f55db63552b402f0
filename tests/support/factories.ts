// Factories: build data through the real models, with unique values per call.
import { randomBytes } from "node:crypto";
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { createUser, type CreateUserInput } from "~/models/user.server";
import { decideJoinRequest, type DecidingAs } from "~/models/membership.server";
import { createSubmission } from "~/models/submission.server";
import { approveSubmission } from "~/models/moderation.server";
import { SubmissionFormSchema, type SubmissionInput } from "~/lib/schemas";

export const GOOD_PASSWORD = "quiet river under Margalla hills";

let counter = 0;
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}.${counter}.${randomBytes(3).toString("hex")}@example.pk`;
}

export interface MadeUser {
  id: number;
  email: string;
  password: string;
  organisationId: number | null;
}

export async function makeUser(db: DB, overrides: Partial<CreateUserInput> & { role?: Role } = {}): Promise<MadeUser> {
  const email = overrides.email ?? uniqueEmail(overrides.role ?? "stakeholder");
  const password = overrides.password ?? GOOD_PASSWORD;
  const result = await createUser(db, {
    displayName: "Test Person",
    organisation: {
      name: `Test Organisation ${randomBytes(3).toString("hex")}`,
      type: "firm",
      sizeBand: "small",
      city: "Sialkot",
      province: "punjab",
      clusterSlug: "leather",
    },
    // Confirmed unless a test says otherwise: supporting, commenting and
    // reporting need a confirmed address (issue 15).
    emailConfirmed: true,
    ...overrides,
    email,
    password,
  });
  if (!result.ok) throw new Error(`makeUser failed: ${JSON.stringify(result.fieldErrors)}`);
  return { id: result.userId, email, password, organisationId: result.organisationId };
}

/**
 * A leather-cluster firm in `province` for makeUser's `organisation`: with a
 * registration number, people who give the same one are one organisation (a
 * join request: approveJoin); without one, each gets an organisation of its own.
 */
export function organisationIn(province: string, registrationNumber?: string) {
  return {
    name: `Organisation in ${province} ${registrationNumber ?? randomBytes(4).toString("hex")}`,
    type: "firm" as const,
    sizeBand: "small" as const,
    city: "Somewhere",
    province,
    clusterSlug: "leather",
    registrationNumber,
  };
}

/**
 * Approves a pending request to join an organisation (issue 15): a
 * registration with a known registration number is a request, not a
 * membership. `approver` is an active member of that organisation, or a
 * moderator with `as: "moderator"`. Returns the user as a member.
 */
export async function approveJoin(db: DB, user: MadeUser, approver: { id: number }, as: DecidingAs = "member"): Promise<MadeUser> {
  const row = await db.selectFrom("users").select("requested_organisation_id").where("id", "=", user.id).executeTakeFirstOrThrow();
  if (row.requested_organisation_id == null) throw new Error(`approveJoin: user ${user.id} has no pending request`);
  const r = await decideJoinRequest(db, {
    actorId: approver.id,
    requesterId: user.id,
    decision: "approve",
    as,
    organisationId: row.requested_organisation_id,
  });
  if (!r.ok) throw new Error(`approveJoin failed: ${r.reason}`);
  return { ...user, organisationId: row.requested_organisation_id };
}

/**
 * Makes accounts established: created (and confirmed, where they are) `hours`
 * ago, 30 days unless told. A report counts towards hiding an item only from a
 * confirmed account older than the consultation's setting (24 hours by
 * default; issue 15), and makeUser's accounts are new.
 */
export async function ageAccounts(db: DB, userIds: number[], hours = 30 * 24, now = new Date()): Promise<void> {
  if (!userIds.length) return;
  const then = new Date(now.getTime() - hours * 3_600_000).toISOString();
  await db.updateTable("users").set({ created_at: then }).where("id", "in", userIds).execute();
  await db
    .updateTable("users")
    .set({ email_confirmed_at: then })
    .where("id", "in", userIds)
    .where("email_confirmed_at", "is not", null)
    .execute();
}

/** A registration form with the field names of docs/contract.md. */
export function registrationForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    email: uniqueEmail("reg"),
    password: GOOD_PASSWORD,
    displayName: "Amina Sheikh",
    organisationName: "Sialkot Tanners",
    organisationType: "firm",
    sizeBand: "small",
    city: "Sialkot",
    province: "punjab",
    cluster: "leather",
    ...overrides,
  };
}

/** A valid suggestion form (parsed by the real schema), in the leather cluster unless overridden. */
export function submissionInput(overrides: Partial<Record<keyof SubmissionInput, string>> = {}): SubmissionInput {
  return SubmissionFormSchema.parse({
    cluster: "leather",
    title: "Duty drawback for value-added leather exporters",
    problem: "Finished leather goods pay duty on imported chemicals that competitors abroad do not pay.",
    proposal: "Refund the duty on imported inputs within 30 days of the export shipment.",
    ...overrides,
  });
}

/** A pending submission through createSubmission (throws if refused). */
export async function makeSubmission(
  db: DB,
  params: { authorId: number; authorRole?: Role; input?: Partial<Record<keyof SubmissionInput, string>>; now?: Date },
): Promise<number> {
  const r = await createSubmission(db, {
    authorId: params.authorId,
    authorRole: params.authorRole ?? "stakeholder",
    input: submissionInput(params.input),
    now: params.now,
  });
  if (!r.ok) throw new Error(`makeSubmission failed: ${JSON.stringify(r)}`);
  return r.id;
}

/** A published submission: createSubmission, then approveSubmission by the given moderator. */
export async function makePublishedSubmission(
  db: DB,
  params: {
    authorId: number;
    moderatorId: number;
    authorRole?: Role;
    input?: Partial<Record<keyof SubmissionInput, string>>;
    categories?: string[];
    now?: Date;
    publishedAt?: Date;
  },
): Promise<number> {
  const id = await makeSubmission(db, params);
  const r = await approveSubmission(db, {
    id,
    moderatorId: params.moderatorId,
    moderatorRole: "moderator",
    categorySlugs: params.categories ?? ["export-markets"],
    now: params.publishedAt ?? params.now,
  });
  if (!r.ok) throw new Error(`makePublishedSubmission failed: ${JSON.stringify(r)}`);
  return id;
}
