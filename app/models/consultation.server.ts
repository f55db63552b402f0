// The consultation and its phases. One consultation is active at a time.
import type { Executor } from "../../db/client";

export type Phase = "upcoming" | "open" | "closed";

export async function getActiveConsultation(db: Executor) {
  return db
    .selectFrom("consultations")
    .select([
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
    ])
    .where("is_active", "=", 1)
    .executeTakeFirst();
}

export type ActiveConsultation = NonNullable<Awaited<ReturnType<typeof getActiveConsultation>>>;

/** Where a window stands at `now` (opening inclusive, closing exclusive). */
export function windowPhase(opensAt: string, closesAt: string, now: Date = new Date()): Phase {
  // Compared as instants, not as text: "…T00:00:00Z" and "…T00:00:00.000Z" are the same moment.
  const t = now.getTime();
  if (t < Date.parse(opensAt)) return "upcoming";
  if (t >= Date.parse(closesAt)) return "closed";
  return "open";
}
