// Suggestions a moderator enters on behalf of an organisation: collected
// on paper at a workshop, one at a time here, or many at once from a CSV file
// (import.server.ts). They have no author account; they wait in the queue
// like any other. Also owns the organisation look-ups both need.
// See docs/decisions/0010-workshop-entry-and-import.md.
import { sql } from "kysely";
import type { DB, Executor } from "../../db/client";
import type { OrganisationType, Role, SizeBand } from "../../db/schema";
import type { WorkshopInput } from "~/lib/schemas";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { getActiveConsultation } from "./consultation.server";
import { insertPendingSubmission, resolveTaxonomy, type FieldErrors } from "./submission.server";
import { normaliseOrganisationName } from "./user.server";

/** Why a workshop entry is refused, and the status each answers with. */
export const WORKSHOP_REFUSALS = defineRefusals({ invalid: 400, noConsultation: 409 });

/** How a moderator's entry appears in the public history: by role, never by name. */
export const MODERATOR_ACTOR_ROLE = "moderator";

export interface NewOrganisation {
  name: string;
  type: OrganisationType;
  sizeBand: SizeBand;
  city: string;
  province: string;
  clusterId: number | null;
}

export async function insertOrganisation(db: Executor, org: NewOrganisation, now: Date): Promise<number> {
  const row = await db
    .insertInto("organisations")
    .values({
      name: org.name.trim(),
      name_normalised: normaliseOrganisationName(org.name),
      type: org.type,
      size_band: org.sizeBand,
      city: org.city.trim(),
      province: org.province,
      cluster_id: org.clusterId,
      registration_number: null,
      created_at: nowIso(now),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Escapes LIKE wildcards so a typed "%" or "_" matches itself. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface OrganisationOption {
  id: number;
  name: string;
  type: OrganisationType;
  size_band: SizeBand;
  city: string;
  province: string;
}

/**
 * Organisations whose name contains the query (normalised), of one cluster
 * when given (with no query: that cluster's), by name; plus the one already
 * chosen, so a form sent back with errors still offers it.
 */
export async function searchOrganisations(
  db: Executor,
  params: { query?: string; clusterSlug?: string; includeId?: number; limit?: number },
): Promise<OrganisationOption[]> {
  const columns = ["o.id", "o.name", "o.type", "o.size_band", "o.city", "o.province"] as const;
  const found: OrganisationOption[] = [];
  const query = normaliseOrganisationName(params.query ?? "");
  if (query || params.clusterSlug) {
    let q = db.selectFrom("organisations as o").select(columns);
    if (query) q = q.where(sql<boolean>`o.name_normalised like ${likeContains(query)} escape '\\'`);
    if (params.clusterSlug) {
      const slug = params.clusterSlug;
      q = q.where("o.cluster_id", "in", (eb) => eb.selectFrom("clusters").select("id").where("slug", "=", slug));
    }
    found.push(
      ...(await q
        .orderBy("o.name_normalised")
        .orderBy("o.id")
        .limit(params.limit ?? 50)
        .execute()),
    );
  }
  if (params.includeId && !found.some((o) => o.id === params.includeId)) {
    const chosen = await db.selectFrom("organisations as o").select(columns).where("o.id", "=", params.includeId).executeTakeFirst();
    if (chosen) found.unshift(chosen);
  }
  return found;
}

export type WorkshopEntryResult =
  | { ok: true; id: number; organisationId: number; organisationCreated: boolean }
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  | { ok: false; reason: "noConsultation" };

/**
 * Enters one workshop suggestion: pending, source `workshop`, no author, on
 * behalf of an existing organisation or a new one (refused when one of that
 * name exists: the moderator chooses it instead). Accepted while a
 * consultation is active, outside the online submission window too (ADR 0010).
 */
export async function enterWorkshopSubmission(
  db: DB,
  params: { moderator: { id: number; role: Role }; input: WorkshopInput; now?: Date },
): Promise<WorkshopEntryResult> {
  const now = params.now ?? new Date();
  const { input } = params;
  const consultation = await getActiveConsultation(db);
  if (!consultation) return { ok: false, reason: "noConsultation" };
  const { clusterId, categoryId, fieldErrors } = await resolveTaxonomy(db, input);
  return db.transaction().execute(async (trx): Promise<WorkshopEntryResult> => {
    let organisationId: number | null = null;
    if (input.organisationId !== undefined) {
      const existing = await trx.selectFrom("organisations").select("id").where("id", "=", input.organisationId).executeTakeFirst();
      if (existing) organisationId = existing.id;
      else fieldErrors.organisationId = ["errors.invalid"];
    } else if (input.organisationName) {
      const namesake = await trx
        .selectFrom("organisations")
        .select("id")
        .where("name_normalised", "=", normaliseOrganisationName(input.organisationName))
        .executeTakeFirst();
      if (namesake) fieldErrors.organisationName = ["workshop.errors.organisationExists"];
    }
    if (!clusterId || Object.keys(fieldErrors).length) return { ok: false, reason: "invalid", fieldErrors };

    const organisationCreated = organisationId === null;
    if (organisationId === null) {
      // The schema requires every new-organisation field when no organisation is chosen.
      organisationId = await insertOrganisation(
        trx,
        {
          name: input.organisationName!,
          type: input.organisationType!,
          sizeBand: input.sizeBand!,
          city: input.city!,
          province: input.province!,
          clusterId,
        },
        now,
      );
    }
    const id = await insertPendingSubmission(
      trx,
      {
        consultationId: consultation.id,
        clusterId,
        categoryId,
        authorId: null,
        organisationId,
        source: "workshop",
        input,
        actor: { id: params.moderator.id, role: MODERATOR_ACTOR_ROLE },
      },
      now,
    );
    await recordAudit(
      trx,
      {
        actorId: params.moderator.id,
        actorRole: params.moderator.role,
        action: "submission.workshop",
        targetType: "submission",
        targetId: id,
        after: { status: "pending", source: "workshop", organisationId, organisationCreated },
      },
      now,
    );
    return { ok: true, id, organisationId, organisationCreated };
  });
}
