// Query-string and decision schemas used only in loaders and actions. Kept in a
// .server module so zod never reaches the browser bundle of these pages.
import { z } from "zod";
import { ORGANISATION_TYPES, PROVINCES, PUBLIC_STATUSES, SORTS, STAGES } from "./reference";

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
