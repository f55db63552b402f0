// The consultation and its phases. One consultation is active at a time.
import type { DB, Executor } from "../../db/client";
import { listingsChanged } from "~/lib/listing-cache.server";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { defineRefusals } from "~/lib/refusal";
import { RULE_NUMBERS } from "~/lib/rules";

export type Phase = "upcoming" | "open" | "closed";

/** What pages read of a consultation: its texts, windows and rules. */
const PUBLIC_COLUMNS = [
  "id",
  "slug",
  "title_en",
  "title_ur",
  "description_en",
  "description_ur",
  "submission_opens_at",
  "submission_closes_at",
  "support_opens_at",
  "support_closes_at",
  "support_budget",
  "allow_self_support",
  "reports_to_hide",
  "report_min_account_age_hours",
] as const;

export async function getActiveConsultation(db: Executor) {
  return db.selectFrom("consultations").select(PUBLIC_COLUMNS).where("is_active", "=", 1).executeTakeFirst();
}

export type ActiveConsultation = NonNullable<Awaited<ReturnType<typeof getActiveConsultation>>>;

/**
 * The consultation a public page shows: the one named by `slug` (a past one
 * stays readable), or the active one when no slug is given. Undefined when the
 * slug names none.
 */
export async function getPublicConsultation(db: Executor, slug?: string | null) {
  if (!slug) return getActiveConsultation(db);
  return db.selectFrom("consultations").select(PUBLIC_COLUMNS).where("slug", "=", slug).executeTakeFirst();
}

/** The consultations that are not active (newest first), for the "past consultations" list. */
export async function listPastConsultations(db: Executor) {
  return db
    .selectFrom("consultations")
    .select(["slug", "title_en", "title_ur", "support_closes_at"])
    .where("is_active", "=", 0)
    .orderBy("id", "desc")
    .execute();
}

/** Where a window stands at `now` (opening inclusive, closing exclusive). */
export function windowPhase(opensAt: string, closesAt: string, now: Date = new Date()): Phase {
  // Compared as instants, not as text: "…T00:00:00Z" and "…T00:00:00.000Z" are the same moment.
  const t = now.getTime();
  if (t < Date.parse(opensAt)) return "upcoming";
  if (t >= Date.parse(closesAt)) return "closed";
  return "open";
}

// ─────────────────────── participants' writes (issue 13) ───────────────────────

/**
 * Why a consultation no longer takes what participants write. "closed": it is
 * not the active one, or both its windows (submissions and support) are over;
 * "archived": archived by an administrator (never active again).
 */
export type ParticipationRefusal = { ok: false; reason: keyof typeof PARTICIPATION_REFUSALS };

export function isParticipationRefusal(r: { ok: false; reason: string }): r is ParticipationRefusal {
  return r.reason === "consultationClosed" || r.reason === "consultationArchived" || r.reason === "emailUnconfirmed";
}

/**
 * How a route answers a participation refusal, with the translated reason
 * (`refusal.<reason>`): 409 for the consultation's, 403 for the person's
 * (`emailUnconfirmed`, see `participantRefusal`).
 */
export const PARTICIPATION_REFUSALS = defineRefusals({ consultationClosed: 409, consultationArchived: 409, emailUnconfirmed: 403 });

/** The consultation's columns the participation rule reads. */
export const PARTICIPATION_COLUMNS = ["is_active", "archived_at", "submission_closes_at", "support_closes_at"] as const;

/**
 * The one rule for every participant's write on a consultation's content
 * (a suggestion and its edits and withdrawal, supports and their withdrawal,
 * comments and their edits; reports only while it is not archived, see
 * `reportsRefusal`): null while it accepts them, else the reason. Moderators,
 * organisers and administrators keep working on a closed or archived
 * consultation (moderation, recommendations, responses, exports): their
 * routes do not ask this. ADR 0022.
 */
export function participationRefusal(
  c: { is_active: number; archived_at: string | null; submission_closes_at: string; support_closes_at: string },
  now: Date = new Date(),
): ParticipationRefusal | null {
  if (c.archived_at) return { ok: false, reason: "consultationArchived" };
  if (!c.is_active) return { ok: false, reason: "consultationClosed" };
  const last = Math.max(Date.parse(c.submission_closes_at), Date.parse(c.support_closes_at));
  if (now.getTime() >= last) return { ok: false, reason: "consultationClosed" };
  return null;
}

/**
 * Reports stay open on a closed consultation (its pages stay public, and
 * moderators still act on them) but not on an archived one.
 */
export function reportsRefusal(c: { archived_at: string | null }): ParticipationRefusal | null {
  return c.archived_at ? { ok: false, reason: "consultationArchived" } : null;
}

/**
 * The person's half of the participation rule (issue 15, ADR 0026): supporting,
 * commenting and reporting need a confirmed email address, so throwaway
 * accounts cannot stuff supports or hide a suggestion with reports. Suggestions
 * are open to the unconfirmed (they wait for moderation anyway), so the
 * suggestion rules do not ask this. null while the person may; a visitor
 * (null) is not refused here (their routes ask them to sign in).
 */
export function participantRefusal(person: { emailConfirmed: boolean } | null): ParticipationRefusal | null {
  return person && !person.emailConfirmed ? { ok: false, reason: "emailUnconfirmed" } : null;
}

/** Whether the account's address is confirmed, as the models read it (an unknown account: no). */
export async function emailConfirmedOf(db: Executor, userId: number): Promise<boolean> {
  const row = await db.selectFrom("users").select("email_confirmed_at").where("id", "=", userId).executeTakeFirst();
  return Boolean(row && row.email_confirmed_at !== null);
}

/** `participantRefusal` for an account read from the database (the models' writes ask this). */
export async function participantRefusalFor(db: Executor, userId: number): Promise<ParticipationRefusal | null> {
  return participantRefusal({ emailConfirmed: await emailConfirmedOf(db, userId) });
}

/** The participation rule for the consultation of a suggestion; undefined when the suggestion does not exist. */
export async function participationRefusalFor(
  db: Executor,
  submissionId: number,
  now: Date = new Date(),
): Promise<ParticipationRefusal | null | undefined> {
  const c = await db
    .selectFrom("submissions as s")
    .innerJoin("consultations as c", "c.id", "s.consultation_id")
    .select(PARTICIPATION_COLUMNS.map((k) => `c.${k}` as const))
    .where("s.id", "=", submissionId)
    .executeTakeFirst();
  return c ? participationRefusal(c, now) : undefined;
}

// ───────────────────────── administration ─────────────────────────

export interface ConsultationSettings {
  titleEn: string;
  titleUr: string;
  descriptionEn: string;
  descriptionUr: string;
  submissionOpensAt: string;
  submissionClosesAt: string;
  supportOpensAt: string;
  supportClosesAt: string;
  supportBudget: number;
  allowSelfSupport: boolean;
  reportsToHide: number;
  /**
   * A report counts towards `reportsToHide` only from a confirmed account at
   * least this many hours old (issue 15). Left out: kept on an update, the
   * default (RULE_NUMBERS.reportMinAccountAgeHoursDefault) on a create.
   */
  reportMinAccountAgeHours?: number;
}

const SETTING_COLUMNS = {
  titleEn: "title_en",
  titleUr: "title_ur",
  descriptionEn: "description_en",
  descriptionUr: "description_ur",
  submissionOpensAt: "submission_opens_at",
  submissionClosesAt: "submission_closes_at",
  supportOpensAt: "support_opens_at",
  supportClosesAt: "support_closes_at",
  supportBudget: "support_budget",
  allowSelfSupport: "allow_self_support",
  reportsToHide: "reports_to_hide",
  reportMinAccountAgeHours: "report_min_account_age_hours",
} as const;

function columnsOf(s: ConsultationSettings & { reportMinAccountAgeHours: number }) {
  return {
    title_en: s.titleEn,
    title_ur: s.titleUr,
    description_en: s.descriptionEn,
    description_ur: s.descriptionUr,
    submission_opens_at: s.submissionOpensAt,
    submission_closes_at: s.submissionClosesAt,
    support_opens_at: s.supportOpensAt,
    support_closes_at: s.supportClosesAt,
    support_budget: s.supportBudget,
    allow_self_support: s.allowSelfSupport ? 1 : 0,
    reports_to_hide: s.reportsToHide,
    report_min_account_age_hours: s.reportMinAccountAgeHours,
  } as const;
}

/** Every consultation, the active one first, then newest first. */
export async function listConsultations(db: Executor) {
  return db
    .selectFrom("consultations as c")
    .select((eb) => [
      "c.id",
      "c.slug",
      "c.title_en",
      "c.title_ur",
      "c.is_active",
      "c.archived_at",
      "c.submission_opens_at",
      "c.submission_closes_at",
      "c.support_opens_at",
      "c.support_closes_at",
      "c.created_at",
      eb
        .selectFrom("submissions as s")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("s.consultation_id", "=", "c.id")
        .as("submissions"),
    ])
    .orderBy("c.is_active", "desc")
    .orderBy("c.id", "desc")
    .execute();
}

export async function getConsultation(db: Executor, id: number) {
  return db.selectFrom("consultations").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Why an administrator's change to a consultation is refused, and the status
 * each answers with: a taken code is the form's field (400); an archived
 * consultation, or archiving the active one, is a conflict (409).
 */
export const CONSULTATION_ADMIN_REFUSALS = defineRefusals({ notFound: 404, archived: 409, active: 409, slugTaken: 400 });

export type ConsultationResult = { ok: true; id: number } | { ok: false; reason: "notFound" | "archived" | "slugTaken" };

/** The texts (titles, descriptions) a settings form may leave out: they keep their value. */
type TextSetting = "titleEn" | "titleUr" | "descriptionEn" | "descriptionUr";
export type ConsultationSettingsUpdate = Omit<ConsultationSettings, TextSetting> & Partial<Pick<ConsultationSettings, TextSetting>>;

/** Saves the settings of a consultation (texts left out keep their value); the audit entry lists only what changed. */
export async function updateConsultation(
  db: DB,
  params: { id: number; settings: ConsultationSettingsUpdate; actorId: number; actorRole: string; now?: Date },
): Promise<ConsultationResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<ConsultationResult> => {
    const current = await trx.selectFrom("consultations").selectAll().where("id", "=", params.id).executeTakeFirst();
    if (!current) return { ok: false, reason: "notFound" };
    if (current.archived_at) return { ok: false, reason: "archived" };
    const s = params.settings;
    const next = columnsOf({
      ...s,
      titleEn: s.titleEn ?? current.title_en,
      titleUr: s.titleUr ?? current.title_ur,
      descriptionEn: s.descriptionEn ?? current.description_en,
      descriptionUr: s.descriptionUr ?? current.description_ur,
      reportMinAccountAgeHours: s.reportMinAccountAgeHours ?? current.report_min_account_age_hours,
    });
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(SETTING_COLUMNS)) {
      const was = current[column];
      const is = next[column];
      const same = column.endsWith("_at") ? Date.parse(String(was)) === Date.parse(String(is)) : was === is;
      if (!same) {
        before[field] = was;
        after[field] = is;
      }
    }
    if (!Object.keys(after).length) return { ok: true, id: current.id };
    await trx
      .updateTable("consultations")
      .set({ ...next, updated_at: nowIso(now) })
      .where("id", "=", current.id)
      .execute();
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "consultation.update",
        targetType: "consultation",
        targetId: current.id,
        before,
        after,
      },
      now,
    );
    return { ok: true, id: current.id };
  });
}

/** A new consultation (not active until activated). */
export async function createConsultation(
  db: DB,
  params: { slug: string; settings: ConsultationSettings; actorId: number; actorRole: string; now?: Date },
): Promise<ConsultationResult> {
  const now = params.now ?? new Date();
  const iso = nowIso(now);
  return db.transaction().execute(async (trx): Promise<ConsultationResult> => {
    const taken = await trx.selectFrom("consultations").select("id").where("slug", "=", params.slug).executeTakeFirst();
    if (taken) return { ok: false, reason: "slugTaken" };
    const row = await trx
      .insertInto("consultations")
      .values({
        slug: params.slug,
        ...columnsOf({
          ...params.settings,
          reportMinAccountAgeHours: params.settings.reportMinAccountAgeHours ?? RULE_NUMBERS.reportMinAccountAgeHoursDefault,
        }),
        is_active: 0,
        archived_at: null,
        created_at: iso,
        updated_at: iso,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "consultation.create",
        targetType: "consultation",
        targetId: row.id,
        after: {
          slug: params.slug,
          ...params.settings,
          reportMinAccountAgeHours: params.settings.reportMinAccountAgeHours ?? RULE_NUMBERS.reportMinAccountAgeHoursDefault,
        },
      },
      now,
    );
    return { ok: true, id: row.id };
  });
}

/** Makes one consultation the active one (the previous one stays readable). */
export async function activateConsultation(
  db: DB,
  params: { id: number; actorId: number; actorRole: string; now?: Date },
): Promise<ConsultationResult> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx): Promise<ConsultationResult> => {
    // Lock every consultation row first: a second activation at the same moment
    // waits for this one, then sees its result (PostgreSQL; SQLite transactions
    // are serialised already).
    await trx
      .updateTable("consultations")
      .set((eb) => ({ updated_at: eb.ref("updated_at") }))
      .execute();
    const c = await trx
      .selectFrom("consultations")
      .select(["id", "is_active", "archived_at"])
      .where("id", "=", params.id)
      .executeTakeFirst();
    if (!c) return { ok: false, reason: "notFound" };
    if (c.archived_at) return { ok: false, reason: "archived" };
    if (c.is_active) return { ok: true, id: c.id };
    const previous = await trx.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirst();
    await trx
      .updateTable("consultations")
      .set({ is_active: 0, updated_at: nowIso(now) })
      .where("is_active", "=", 1)
      .execute();
    await trx
      .updateTable("consultations")
      .set({ is_active: 1, updated_at: nowIso(now) })
      .where("id", "=", c.id)
      .execute();
    await recordAudit(
      trx,
      {
        actorId: params.actorId,
        actorRole: params.actorRole,
        action: "consultation.activate",
        targetType: "consultation",
        targetId: c.id,
        before: { active: previous?.id ?? null },
        after: { active: c.id },
      },
      now,
    );
    listingsChanged();
    return { ok: true, id: c.id };
  });
}

/** Archives a consultation that is not active: it stays readable and can never be active again. */
export async function archiveConsultation(
  db: DB,
  params: { id: number; actorId: number; actorRole: string; now?: Date },
): Promise<ConsultationResult | { ok: false; reason: "active" }> {
  const now = params.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    const c = await trx
      .selectFrom("consultations")
      .select(["id", "is_active", "archived_at"])
      .where("id", "=", params.id)
      .executeTakeFirst();
    if (!c) return { ok: false as const, reason: "notFound" as const };
    if (c.is_active) return { ok: false as const, reason: "active" as const };
    if (c.archived_at) return { ok: true as const, id: c.id };
    await trx
      .updateTable("consultations")
      .set({ archived_at: nowIso(now), updated_at: nowIso(now) })
      .where("id", "=", c.id)
      .execute();
    await recordAudit(
      trx,
      { actorId: params.actorId, actorRole: params.actorRole, action: "consultation.archive", targetType: "consultation", targetId: c.id },
      now,
    );
    return { ok: true as const, id: c.id };
  });
}
