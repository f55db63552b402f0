// Query-string and decision schemas used only in loaders and actions. Kept in a
// .server module so zod never reaches the browser bundle of these pages.
import { z } from "zod";
import { ORGANISATION_TYPES, PROVINCES, PUBLIC_STATUSES, REJECT_REASONS, SORTS, STAGES, SUBMISSION_STATUSES } from "./reference";

// Unknown or malformed values are ignored (each falls back to "no filter"), never a 500.
export const ClusterQuerySchema = z.object({
  sort: z.enum(SORTS).optional().catch(undefined),
  category: z.string().regex(/^[a-z0-9-]{1,60}$/).optional().catch(undefined),
  stage: z.enum(STAGES).optional().catch(undefined),
  orgType: z.enum(ORGANISATION_TYPES).optional().catch(undefined),
  province: z.enum(PROVINCES).optional().catch(undefined),
  status: z.enum(PUBLIC_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
});

export const UserSearchSchema = z.object({ q: z.string().trim().max(200).optional().catch(undefined) });

export const AuditQuerySchema = z.object({
  action: z.string().trim().regex(/^[a-z._-]{1,60}$/).optional().catch(undefined),
});

export const ApproveDecisionSchema = z.object({
  intent: z.literal("approve"),
  category: z.array(z.string().regex(/^[a-z0-9-]{1,60}$/)).max(20),
});

const slug = z.string().regex(/^[a-z0-9-]{1,60}$/);
const reasonText = z.string().trim().max(2000, "errors.tooLong|2000");

/** The moderation queue's filters; unknown values fall back to the default. */
export const QueueQuerySchema = z.object({
  status: z.enum(SUBMISSION_STATUSES).catch("pending"),
  cluster: slug.optional().catch(undefined),
});

/** A bulk decision on a selection in the queue. */
export const BulkDecisionSchema = z.object({
  intent: z.enum(["approve", "tag", "reject"]),
  id: z.array(z.coerce.number().int().positive().max(2 ** 31 - 1)).min(1, "moderation.bulk.noneSelected").max(100),
  category: z.array(slug).max(20),
  reasonCode: z.string().max(60).optional(),
  reason: reasonText.optional(),
});

/** One decision on the decision screen (`intent` per the Contract). */
export const DecisionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("approve"), category: z.array(slug).max(20) }),
  z.object({ intent: z.literal("tag"), category: z.array(slug).max(20), reason: reasonText.optional() }),
  z.object({ intent: z.literal("reject"), reasonCode: z.enum(REJECT_REASONS, { message: "errors.required" }), reason: reasonText.min(1, "errors.required") }),
  z.object({ intent: z.literal("merge"), into: z.coerce.number({ message: "moderation.merge.intoRequired" }).int().positive("moderation.merge.intoRequired").max(2 ** 31 - 1), reason: reasonText.optional() }),
  z.object({ intent: z.literal("hide"), reason: reasonText.optional() }),
  z.object({ intent: z.literal("restore"), reason: reasonText.optional() }),
]);
