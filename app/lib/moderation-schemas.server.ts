// Form and query schemas of the report review (/moderation/reports) and the
// organisation verification pages (/moderation/organisations…). Used only in
// loaders and actions, so kept in a .server module: zod never reaches these
// pages' browser bundle. A refusal comes back as one message key for the page.
import { z } from "./zod-setup";
import { REJECT_REASONS } from "./reference";
import { RowId } from "./row-id";

const TargetType = z.enum(["submission", "comment"]);
/** An optional note for the audit log; an empty field is no note. */
const Note = z.string().trim().max(2000).optional();

export const ReportDecisionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("dismiss"), targetType: TargetType, targetId: RowId, reason: Note }),
  z.object({ intent: z.literal("hide"), targetType: TargetType, targetId: RowId, reason: Note }),
  z.object({
    intent: z.literal("reject"),
    targetType: z.literal("submission"),
    targetId: RowId,
    reasonCode: z.enum(REJECT_REASONS),
    reason: z.string().trim().min(1).max(2000),
  }),
]);
export type ReportDecision = z.infer<typeof ReportDecisionSchema>;

/**
 * Parses a report decision from the posted fields. On refusal, the message
 * key says what to fix: the first field in error, in the order a person
 * reads the form.
 */
export function parseReportDecision(fields: Record<string, string>): { ok: true; decision: ReportDecision } | { ok: false; message: string } {
  const parsed = ReportDecisionSchema.safeParse(fields);
  if (parsed.success) return { ok: true, decision: parsed.data };
  if (fields.intent === "reject" && fields.targetType === "comment") return { ok: false, message: "reports.refused.rejectComment" };
  const paths = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "intent")));
  if (paths.has("intent")) return { ok: false, message: "reports.refused.intent" };
  if (paths.has("targetType") || paths.has("targetId")) return { ok: false, message: "reports.refused.target" };
  if (paths.has("reasonCode")) return { ok: false, message: "reports.refused.reasonCode" };
  const tooLong = (fields.reason ?? "").trim().length > 2000;
  if (tooLong) return { ok: false, message: "errors.tooLong|2000" };
  return { ok: false, message: "reports.refused.reason" };
}

// Unknown or malformed values are ignored (no filter), never a 500.
export const OrganisationQuerySchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  verified: z.enum(["yes", "no"]).optional().catch(undefined),
});

export const VerificationSchema = z.object({
  intent: z.enum(["verify", "unverify"]),
  reason: Note,
});
