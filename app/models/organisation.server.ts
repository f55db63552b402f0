// Organisations as moderators see them (verification): the searchable
// list with member counts, one organisation with its members, suggestions and
// verification history, and the verify/unverify decision. Registration
// numbers and member emails are read here for moderators only: nothing in this
// file feeds a public page. Also the verified-organisation count the
// dashboards use.
import type { DB, Executor } from "../../db/client";
import type { OrganisationType, Role } from "../../db/schema";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { listJoinRequests } from "./membership.server";
import { normaliseOrganisationName, normaliseRegistrationNumber } from "./user.server";
import { defineRefusals } from "~/lib/refusal";

const VERIFICATION_ACTIONS = ["organisation.verify", "organisation.unverify"] as const;

export interface OrganisationQuery {
  /** part of the name, or of the registration number */
  q?: string;
  verified?: "yes" | "no";
  page: number;
  pageSize: number;
}

/** `%…%` for LIKE, with the wildcard characters taken out of what was typed. */
function contains(text: string): string {
  return `%${text.replace(/[%_\\]/g, "")}%`;
}

/**
 * Organisations by name, `pageSize + 1` rows (the extra one says there is a
 * next page), each with its active members counted in SQL.
 */
export async function listOrganisations(db: Executor, q: OrganisationQuery) {
  let query = db
    .selectFrom("organisations as o")
    .leftJoin("clusters as c", "c.id", "o.cluster_id")
    .leftJoin("users as vb", "vb.id", "o.verified_by")
    .select([
      "o.id",
      "o.name",
      "o.type",
      "o.size_band",
      "o.city",
      "o.province",
      "o.registration_number",
      "o.verified",
      "o.verified_at",
      "vb.display_name as verified_by_name",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .select((eb) =>
      eb
        .selectFrom("users as m")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("m.organisation_id", "=", "o.id")
        .where("m.status", "!=", "deleted")
        .as("members"),
    )
    .select((eb) =>
      eb
        .selectFrom("users as r")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("r.requested_organisation_id", "=", "o.id")
        .where("r.status", "=", "active")
        .as("requests"),
    );
  const text = q.q?.trim();
  if (text) {
    const name = normaliseOrganisationName(text);
    const number = normaliseRegistrationNumber(text);
    query = query.where((eb) =>
      eb.or([eb("o.name_normalised", "like", contains(name)), ...(number ? [eb("o.registration_number", "like", contains(number))] : [])]),
    );
  }
  if (q.verified) query = query.where("o.verified", "=", q.verified === "yes" ? 1 : 0);
  const rows = await query
    .orderBy("o.name_normalised")
    .orderBy("o.id")
    .limit(q.pageSize + 1)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return rows.map((r) => ({ ...r, members: Number(r.members ?? 0), requests: Number(r.requests ?? 0), verified: r.verified === 1 }));
}

/** How many suggestions of an organisation the moderators' page lists. */
const ORGANISATION_SUBMISSIONS_SHOWN = 100;

/** One organisation for the moderators' page: details, members, suggestions, verification history. Null when unknown. */
export async function getOrganisationForModerator(db: Executor, id: number) {
  const org = await db
    .selectFrom("organisations as o")
    .leftJoin("clusters as c", "c.id", "o.cluster_id")
    .leftJoin("users as vb", "vb.id", "o.verified_by")
    .select([
      "o.id",
      "o.name",
      "o.type",
      "o.size_band",
      "o.city",
      "o.province",
      "o.registration_number",
      "o.verified",
      "o.verified_at",
      "o.created_at",
      "vb.display_name as verified_by_name",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .where("o.id", "=", id)
    .executeTakeFirst();
  if (!org) return null;
  const [members, requests, submissions, submissionCount, history] = await Promise.all([
    db
      .selectFrom("users")
      .select(["id", "display_name", "email", "role", "status", "created_at"])
      .where("organisation_id", "=", id)
      .where("status", "!=", "deleted")
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    listJoinRequests(db, id, { withEmail: true }),
    db
      .selectFrom("submissions")
      .select(["id", "title", "status", "created_at"])
      .where("organisation_id", "=", id)
      .orderBy("id", "desc")
      .limit(ORGANISATION_SUBMISSIONS_SHOWN)
      .execute(),
    db
      .selectFrom("submissions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("organisation_id", "=", id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("audit_log as a")
      .leftJoin("users as u", "u.id", "a.actor_id")
      .select(["a.id", "a.action", "a.actor_role", "a.reason", "a.created_at", "u.display_name as actor_name"])
      .where("a.action", "in", [...VERIFICATION_ACTIONS])
      .where("a.target_type", "=", "organisation")
      .where("a.target_id", "=", String(id))
      .orderBy("a.id", "desc")
      .execute(),
  ]);
  const activeMembers = members.filter((m) => m.status === "active").length;
  return {
    ...org,
    verified: org.verified === 1,
    members,
    activeMembers,
    requests,
    submissions,
    submissionCount: Number(submissionCount.n),
    history,
  };
}

export type OrganisationDetails = NonNullable<Awaited<ReturnType<typeof getOrganisationForModerator>>>;

/** Why a verification decision is refused, and the status each answers with. */
export const VERIFICATION_REFUSALS = defineRefusals({ notFound: 404, invalid: 400 });

export type SetVerifiedResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: "notFound" }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> };

/**
 * Marks an organisation verified (after a moderator checked its registration
 * number) or takes the mark away: `verified`, `verified_at` and `verified_by`
 * (cleared on unverify), and the audit entry with before/after, in one
 * transaction. Asking for the state it already has changes nothing and logs
 * nothing.
 */
export async function setOrganisationVerified(
  db: DB,
  params: { id: number; verified: boolean; moderatorId: number; moderatorRole: Role; reason?: string | null; now?: Date },
): Promise<SetVerifiedResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  const reason = params.reason?.trim() || null;
  if (reason && reason.length > 2000) return { ok: false, reason: "invalid", fieldErrors: { reason: ["errors.tooLong|2000"] } };
  const want = params.verified ? 1 : 0;
  return db.transaction().execute(async (trx): Promise<SetVerifiedResult> => {
    const before = await trx
      .selectFrom("organisations")
      .select(["id", "verified", "verified_at", "verified_by"])
      .where("id", "=", params.id)
      .executeTakeFirst();
    if (!before) return { ok: false, reason: "notFound" };
    if (before.verified === want) return { ok: true, changed: false };
    const after = params.verified
      ? { verified: 1 as const, verified_at: iso, verified_by: params.moderatorId }
      : { verified: 0 as const, verified_at: null, verified_by: null };
    // Guarded by the state read: two moderators deciding at once make one change, not two.
    const r = await trx
      .updateTable("organisations")
      .set(after)
      .where("id", "=", params.id)
      .where("verified", "=", before.verified)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return { ok: true, changed: false };
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: params.verified ? "organisation.verify" : "organisation.unverify",
        targetType: "organisation",
        targetId: params.id,
        before: { verified: before.verified === 1, verifiedAt: before.verified_at, verifiedBy: before.verified_by },
        after: { verified: params.verified, verifiedAt: after.verified_at, verifiedBy: after.verified_by },
        reason,
      },
      now,
    );
    return { ok: true, changed: true };
  });
}

/** Why a moderator's correction of an organisation is refused, and the status each answers with. */
export const ORGANISATION_EDIT_REFUSALS = defineRefusals({ notFound: 404 });

export type ModeratorEditResult = { ok: true; changed: string[] } | { ok: false; reason: "notFound" };

/**
 * A moderator corrects an organisation's name, type and province: the
 * details verification vouches for, which its members can no longer change
 * once it is verified (updateProfile in account.server.ts). Audit-logged as
 * `organisation.update` with before and after and the reason "moderator"
 * (members' own changes have "member"). Nothing changed: nothing logged.
 */
export async function updateOrganisationByModerator(
  db: DB,
  params: {
    id: number;
    moderatorId: number;
    moderatorRole: Role;
    name: string;
    type: OrganisationType;
    province: string;
    ip?: string | null;
    now?: Date;
  },
): Promise<ModeratorEditResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<ModeratorEditResult> => {
    const org = await trx
      .selectFrom("organisations")
      .select(["id", "name", "type", "province"])
      .where("id", "=", params.id)
      .executeTakeFirst();
    if (!org) return { ok: false, reason: "notFound" };
    const name = params.name.trim();
    const before: Record<string, string> = {};
    const after: Record<string, string> = {};
    for (const [column, was, wanted] of [
      ["name", org.name, name],
      ["type", org.type, params.type],
      ["province", org.province, params.province],
    ] as const) {
      if (was !== wanted) {
        before[column] = was;
        after[column] = wanted;
      }
    }
    const changed = Object.keys(after);
    if (changed.length === 0) return { ok: true, changed };
    await trx
      .updateTable("organisations")
      .set({
        ...(after.name !== undefined ? { name, name_normalised: normaliseOrganisationName(name) } : {}),
        ...(after.type !== undefined ? { type: params.type } : {}),
        ...(after.province !== undefined ? { province: params.province } : {}),
      })
      .where("id", "=", org.id)
      .execute();
    await recordAudit(
      trx,
      {
        actorId: params.moderatorId,
        actorRole: params.moderatorRole,
        action: "organisation.update",
        targetType: "organisation",
        targetId: org.id,
        before,
        after,
        reason: "moderator",
        ip: params.ip ?? null,
      },
      now,
    );
    return { ok: true, changed };
  });
}

/**
 * Verified organisations: all of them, or, for one consultation, those that
 * took part in it (one of its suggestions is theirs, or one of their members
 * supported one of its suggestions). For the dashboards' "per verified
 * organisation" counting. No page uses it yet: only tests/models/organisations.test.ts
 * does (kept exported for it; remove both if the dashboards never need it).
 */
export async function countVerifiedOrganisations(db: Executor, consultationId?: number): Promise<number> {
  if (consultationId === undefined) {
    const row = await db
      .selectFrom("organisations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("verified", "=", 1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  const participants = db
    .selectFrom("submissions")
    .select("organisation_id")
    .where("consultation_id", "=", consultationId)
    .where("organisation_id", "is not", null)
    .union(
      db
        .selectFrom("supports")
        .select("organisation_id")
        .where("consultation_id", "=", consultationId)
        .where("organisation_id", "is not", null),
    );
  const row = await db
    .selectFrom(participants.as("p"))
    .innerJoin("organisations as o", "o.id", "p.organisation_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("o.verified", "=", 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
