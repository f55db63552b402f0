// Organisation membership (issue 15, item 4). Typing a firm's registration
// number at registration makes a request to join it, not a membership: the
// person stays an individual (users.organisation_id null,
// users.requested_organisation_id set) until an active member of that
// organisation, or a moderator, approves. So a pending person's suggestions
// and supports carry no organisation, every distinct-organisation count
// leaves them out, and they cannot edit the organisation's details or show
// its name. Every step (request, approve, decline, withdraw) is in the audit
// log, in the transaction that makes it.
import type { DB, Executor } from "../../db/client";
import type { OrganisationType, Role, SizeBand, UserStatus } from "../../db/schema";
import { hasRole } from "~/auth/permissions";
import { tFor } from "~/lib/i18next.server";
import { bodyText, headerText, safeEmailAddress } from "~/lib/mail-text.server";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { inTransaction } from "../../db/transaction";
import { recordAudit } from "./audit.server";
import { insertEmail, mailSettings } from "./email-outbox.server";

/**
 * Why a membership decision is refused, and the status each answers with.
 * notMember: the person deciding is not an active member of the organisation
 * (nor a moderator deciding on the moderators' page); notFound: no pending
 * request of that person to that organisation (someone else's, already
 * decided, withdrawn); noRequest: nothing to withdraw.
 */
export const MEMBERSHIP_REFUSALS = defineRefusals({ notMember: 403, notFound: 404, noRequest: 409 });
export type MembershipRefusal = keyof typeof MEMBERSHIP_REFUSALS;

export type JoinDecision = "approve" | "decline";

/** Who decides: a member on /me/organisation, or a moderator on the organisation's moderation page. */
export type DecidingAs = "member" | "moderator";

export interface MembershipActor {
  role: Role;
  status: UserStatus;
  organisationId: number | null;
}

/**
 * The rule, decided once: who may approve or decline requests to join an
 * organisation. An active member of that very organisation, or (on the
 * moderators' page) a moderator or above, who must for an organisation with
 * no active member (one made by workshop entry). Null: allowed.
 */
export function joinDecisionRefusal(actor: MembershipActor, organisationId: number, as: DecidingAs): MembershipRefusal | null {
  if (actor.status !== "active") return "notMember";
  if (as === "moderator") return hasRole(actor.role, "moderator") ? null : "notMember";
  return actor.organisationId === organisationId ? null : "notMember";
}

// ---------------------------------------------------------------------------
// Emails: the members are told someone asked to join, the requester is told
// the decision, each in their own language, through the outbox (held for
// /admin/outbox and logged without SMTP). Queued in the transaction of the
// step they tell about. No email address of the requester is in them.

/** How many members of one organisation are told of a request (the first ones, by joining date). */
const MEMBERS_TOLD = 20;

export type MembershipEmailKind = "requested" | "approved" | "declined";

/** Subject and body of a membership email in one language, made safe for mail. */
export function renderMembershipEmail(lng: string, kind: MembershipEmailKind, vars: { name: string; requester?: string }) {
  const t = tFor(lng === "ur" ? "ur" : "en");
  const subject = headerText(t(`email.membership.${kind}.subject`));
  const body = [
    t("email.greeting", { name: headerText(vars.name, 100) }),
    t(`email.membership.${kind}.body`, {
      requester: headerText(vars.requester ?? "", 100),
      link: `${mailSettings().origin}/me/organisation`,
    }),
    t("email.account.footer"),
  ];
  return { subject, body: bodyText(body.join("\n\n")) };
}

async function queueMembershipEmail(
  trx: Executor,
  to: { id: number; email: string; display_name: string; locale: string },
  kind: MembershipEmailKind,
  requester: string | undefined,
  now: Date,
): Promise<void> {
  const address = safeEmailAddress(to.email);
  if (!address) return;
  const { subject, body } = renderMembershipEmail(to.locale, kind, { name: to.display_name, requester });
  await insertEmail(trx, { userId: to.id, notificationId: null, to: address, subject, body }, now);
}

/**
 * Records a request to join (inside registration's transaction). The person
 * must have no organisation; their organisation stays null until approved.
 */
export async function recordJoinRequest(
  trx: Executor,
  params: { userId: number; role: Role; organisationId: number; now?: Date },
): Promise<void> {
  const now = params.now ?? new Date();
  await trx
    .updateTable("users")
    .set({ requested_organisation_id: params.organisationId, organisation_requested_at: nowIso(now) })
    .where("id", "=", params.userId)
    .where("organisation_id", "is", null)
    .execute();
  await recordAudit(
    trx,
    {
      actorId: params.userId,
      actorRole: params.role,
      action: "organisation.join-request",
      targetType: "organisation",
      targetId: params.organisationId,
      after: { userId: params.userId },
    },
    now,
  );
  const requester = await trx.selectFrom("users").select("display_name").where("id", "=", params.userId).executeTakeFirst();
  const members = await trx
    .selectFrom("users")
    .select(["id", "email", "display_name", "locale"])
    .where("organisation_id", "=", params.organisationId)
    .where("status", "=", "active")
    .orderBy("created_at")
    .orderBy("id")
    .limit(MEMBERS_TOLD)
    .execute();
  for (const member of members) await queueMembershipEmail(trx, member, "requested", requester?.display_name, now);
}

export interface JoinRequest {
  userId: number;
  displayName: string;
  requestedAt: string;
}

/**
 * The pending requests to join one organisation, oldest first (active
 * accounts only). Members see a requester's display name and when they
 * asked, never their email; moderators (`withEmail`) see the email as they
 * see members' emails.
 */
export async function listJoinRequests(db: Executor, organisationId: number): Promise<JoinRequest[]>;
export async function listJoinRequests(
  db: Executor,
  organisationId: number,
  options: { withEmail: true },
): Promise<Array<JoinRequest & { email: string }>>;
export async function listJoinRequests(db: Executor, organisationId: number, options: { withEmail?: boolean } = {}) {
  const rows = await db
    .selectFrom("users")
    .select(["id", "display_name", "email", "organisation_requested_at"])
    .where("requested_organisation_id", "=", organisationId)
    .where("status", "=", "active")
    .orderBy("organisation_requested_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    displayName: r.display_name,
    requestedAt: r.organisation_requested_at ?? "",
    ...(options.withEmail ? { email: r.email } : {}),
  }));
}

/** An organisation as its members see it on /me/organisation and /me/profile. */
export interface MemberOrganisation {
  id: number;
  name: string;
  type: OrganisationType;
  sizeBand: SizeBand;
  city: string;
  province: string;
  registrationNumber: string | null;
  verified: boolean;
  /** other active members (a disabled or deleted account is not counted) */
  otherMembers: number;
}

/**
 * One organisation with the number of its other active members: the one
 * query both member-facing pages read, so /me/profile and /me/organisation
 * never disagree about how many people share the details. Null when unknown.
 */
export async function getMemberOrganisation(db: Executor, organisationId: number, userId: number): Promise<MemberOrganisation | null> {
  const row = await db
    .selectFrom("organisations as o")
    .select((eb) => [
      "o.id",
      "o.name",
      "o.type",
      "o.size_band",
      "o.city",
      "o.province",
      "o.registration_number",
      "o.verified",
      eb
        .selectFrom("users as m")
        .select((m) => m.fn.countAll<number>().as("n"))
        .whereRef("m.organisation_id", "=", "o.id")
        .where("m.id", "!=", userId)
        .where("m.status", "=", "active")
        .as("others"),
    ])
    .where("o.id", "=", organisationId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    type: row.type as OrganisationType,
    sizeBand: row.size_band as SizeBand,
    city: row.city ?? "",
    province: row.province ?? "",
    registrationNumber: row.registration_number ?? null,
    verified: row.verified === 1,
    otherMembers: Number(row.others ?? 0),
  };
}

export type Membership =
  | { status: "member"; organisation: MemberOrganisation; requests: JoinRequest[] }
  /** Asked to join: what the person typed (the number) and when, not the organisation's name. */
  | { status: "requested"; registrationNumber: string | null; requestedAt: string }
  | { status: "none" };

/** What /me/organisation (and /me) show: membership, a pending request, or neither. Null for an unknown or inactive user. */
export async function getMembership(db: Executor, userId: number): Promise<Membership | null> {
  const user = await db
    .selectFrom("users as u")
    .leftJoin("organisations as r", "r.id", "u.requested_organisation_id")
    .select([
      "u.organisation_id",
      "u.requested_organisation_id",
      "u.organisation_requested_at",
      "r.registration_number as requested_number",
    ])
    .where("u.id", "=", userId)
    .where("u.status", "=", "active")
    .executeTakeFirst();
  if (!user) return null;
  if (user.organisation_id != null) {
    const [organisation, requests] = await Promise.all([
      getMemberOrganisation(db, user.organisation_id, userId),
      listJoinRequests(db, user.organisation_id),
    ]);
    if (organisation) return { status: "member", organisation, requests };
  }
  if (user.requested_organisation_id != null) {
    return { status: "requested", registrationNumber: user.requested_number ?? null, requestedAt: user.organisation_requested_at ?? "" };
  }
  return { status: "none" };
}

export type MembershipResult = { ok: true } | { ok: false; reason: MembershipRefusal };

/**
 * Approves or declines one person's request to join. On /me/organisation
 * (`as: "member"`) the organisation is the deciding member's own; on the
 * moderators' page (`as: "moderator"`) it is the one named. Approval makes the
 * person a member (organisation_id set, the request cleared); declining
 * clears the request. One conditional UPDATE: of two decisions at once, one
 * takes effect and the other is "not found". Audit-logged in the same
 * transaction.
 */
export async function decideJoinRequest(
  db: DB,
  params: {
    actorId: number;
    requesterId: number;
    decision: JoinDecision;
    as: DecidingAs;
    /** required when deciding as a moderator; a member decides for their own organisation */
    organisationId?: number;
    ip?: string | null;
    now?: Date;
  },
): Promise<MembershipResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  return db.transaction().execute(async (trx): Promise<MembershipResult> => {
    const actor = await trx
      .selectFrom("users")
      .select(["id", "role", "status", "organisation_id"])
      .where("id", "=", params.actorId)
      .executeTakeFirst();
    if (!actor) return { ok: false, reason: "notMember" };
    const organisationId = params.as === "moderator" ? params.organisationId : actor.organisation_id;
    if (organisationId == null) return { ok: false, reason: "notMember" };
    const refusal = joinDecisionRefusal(
      { role: actor.role, status: actor.status, organisationId: actor.organisation_id },
      organisationId,
      params.as,
    );
    if (refusal) return { ok: false, reason: refusal };
    const updated = await trx
      .updateTable("users")
      .set({
        ...(params.decision === "approve" ? { organisation_id: organisationId } : {}),
        requested_organisation_id: null,
        organisation_requested_at: null,
        updated_at: iso,
      })
      .where("id", "=", params.requesterId)
      .where("requested_organisation_id", "=", organisationId)
      .where("organisation_id", "is", null)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return { ok: false, reason: "notFound" };
    await recordAudit(
      trx,
      {
        actorId: actor.id,
        actorRole: actor.role,
        action: params.decision === "approve" ? "organisation.join-approve" : "organisation.join-decline",
        targetType: "organisation",
        targetId: organisationId,
        after: { userId: params.requesterId },
        reason: params.as,
        ip: params.ip ?? null,
      },
      now,
    );
    const requester = await trx
      .selectFrom("users")
      .select(["id", "email", "display_name", "locale"])
      .where("id", "=", params.requesterId)
      .executeTakeFirstOrThrow();
    await queueMembershipEmail(trx, requester, params.decision === "approve" ? "approved" : "declined", undefined, now);
    return { ok: true };
  });
}

/** The person takes back their own pending request. */
export async function withdrawJoinRequest(
  db: Executor,
  params: { userId: number; ip?: string | null; now?: Date },
): Promise<MembershipResult> {
  const now = params.now ?? new Date();
  return inTransaction(db, async (trx): Promise<MembershipResult> => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "role", "requested_organisation_id"])
      .where("id", "=", params.userId)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (!user || user.requested_organisation_id == null) return { ok: false, reason: "noRequest" };
    const updated = await trx
      .updateTable("users")
      .set({ requested_organisation_id: null, organisation_requested_at: null, updated_at: nowIso(now) })
      .where("id", "=", user.id)
      .where("requested_organisation_id", "=", user.requested_organisation_id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return { ok: false, reason: "noRequest" };
    await recordAudit(
      trx,
      {
        actorId: user.id,
        actorRole: user.role,
        action: "organisation.join-withdraw",
        targetType: "organisation",
        targetId: user.requested_organisation_id,
        after: { userId: user.id },
        ip: params.ip ?? null,
      },
      now,
    );
    return { ok: true };
  });
}
