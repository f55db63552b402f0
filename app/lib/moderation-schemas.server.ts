// The form schemas of the moderation pages, one per route (a page with several
// forms: one discriminated union on `intent`). Parsed by conform's
// `parseWithZod` (through `parseForm`), so an empty field arrives as absent and
// a list of one value as a list. Used only in actions and loaders, so kept in a
// .server module: zod never reaches these pages' browser bundle. Every message
// is an i18n key, shown next to its field or in the page's error summary.
import { z } from "./zod-setup";
import { ORGANISATION_TYPES, PROVINCES, REJECT_REASONS } from "./reference";
import { RULE_NUMBERS } from "./rules";
import { optionalText, required, text } from "./schemas";
import { RowId, rowId, toRowId } from "./row-id";

const slug = z.string().regex(/^[a-z0-9-]{1,60}$/);
const categories = z.array(slug).max(20);
const reasonText = z.string().trim().max(2000, "errors.tooLong|2000");

// ─────────────────────────── /moderation (bulk) ───────────────────────────

/** A bulk decision on a selection in the queue. The decision's own rules (a category, a reason) are the model's. */
export const BulkDecisionSchema = z.object({
  intent: z.enum(["approve", "tag", "reject"]),
  id: z.array(RowId).min(1, "moderation.bulk.noneSelected").max(100),
  category: categories,
  reasonCode: z.string().max(60).optional(),
  reason: reasonText.optional(),
});

// ─────────────────────── /moderation/submissions/:id ──────────────────────

/** A suggestion's number as typed: digits only (not "1e3" or "0x10"), a leading "#" and spaces allowed. */
const intoNumber = z.preprocess(
  (v) => (typeof v === "string" ? v.trim().replace(/^#/, "") || undefined : v),
  rowId("moderation.merge.intoRequired"),
);

/** One decision on the decision screen (`intent` per docs/contract.md). */
export const DecisionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("approve"), category: categories }),
    z.object({ intent: z.literal("tag"), category: categories, reason: reasonText.optional() }),
    z.object({
      intent: z.literal("reject"),
      reasonCode: z.enum(REJECT_REASONS, { message: "errors.required" }),
      reason: reasonText.min(1, "errors.required"),
    }),
    z.object({ intent: z.literal("merge"), into: intoNumber, reason: reasonText.optional() }),
    z.object({ intent: z.literal("hide"), reason: reasonText.optional() }),
    z.object({ intent: z.literal("restore"), reason: reasonText.optional() }),
    // A moderator's translation into the other language (issue 18; Contract row `intent=translate`).
    z.object({
      intent: z.literal("translate"),
      language: z.enum(["en", "ur"], required),
      title: text(1, RULE_NUMBERS.titleMax),
      problem: text(1, RULE_NUMBERS.textMax),
      proposal: text(1, RULE_NUMBERS.textMax),
      expectedImpact: optionalText(RULE_NUMBERS.impactMax),
    }),
  ],
  { error: "moderation.unknownIntent" },
);

// ─────────────────────────── /moderation/reports ──────────────────────────

const target = { error: "reports.refused.target" };
const TargetType = z.enum(["submission", "comment"], target);
const TargetId = rowId("reports.refused.target");
/** An optional note for the audit log; an empty field is no note. */
const Note = reasonText.optional();

/**
 * A decision on a reported item. Each refusal says what to fix: the intent,
 * the item, the reason code, the explanation (only suggestions are rejected).
 */
export const ReportDecisionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("dismiss"), targetType: TargetType, targetId: TargetId, reason: Note }),
    z.object({ intent: z.literal("hide"), targetType: TargetType, targetId: TargetId, reason: Note }),
    z.object({
      intent: z.literal("reject"),
      targetType: z.literal("submission", {
        error: (issue) => (issue.input === "comment" ? "reports.refused.rejectComment" : "reports.refused.target"),
      }),
      targetId: TargetId,
      reasonCode: z.enum(REJECT_REASONS, { error: "reports.refused.reasonCode" }),
      reason: z.string({ error: "reports.refused.reason" }).trim().min(1, "reports.refused.reason").max(2000, "errors.tooLong|2000"),
    }),
  ],
  { error: "reports.refused.intent" },
);
export type ReportDecision = z.infer<typeof ReportDecisionSchema>;

// ───────────────────── /moderation/organisations(/:id) ────────────────────

// Unknown or malformed values are ignored (no filter), never a 500.
export const OrganisationQuerySchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  verified: z.enum(["yes", "no"]).optional().catch(undefined),
});

/**
 * The organisation page's forms: verify/unverify (with a note), approve or
 * decline a request to join (`join-approve` / `join-decline`, the requester's
 * `userId`), and the correction of the details verification vouches for
 * (`edit`: name, type, province).
 */
export const OrganisationActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("verify"), reason: Note }),
    z.object({ intent: z.literal("unverify"), reason: Note }),
    z.object({ intent: z.literal("join-approve"), userId: rowId("membership.refused.user") }),
    z.object({ intent: z.literal("join-decline"), userId: rowId("membership.refused.user") }),
    z.object({
      intent: z.literal("edit"),
      organisationName: text(RULE_NUMBERS.organisationMin, RULE_NUMBERS.organisationMax),
      organisationType: z.enum(ORGANISATION_TYPES, required),
      province: z.enum(PROVINCES, required),
    }),
  ],
  { error: "organisations.refused.intent" },
);

// ─────────────────────────── /moderation/import ───────────────────────────

/** The fields of the import form besides the file (read by `readUploadForm`). */
export const ImportOptionsSchema = z.object({
  // Ticked is "on"; anything else is a real import, as a browser sends it.
  dryRun: z
    .string()
    .optional()
    .transform((v) => v === "on"),
});

// ────────────────────────── /moderation/workshop ──────────────────────────

/** The first value of a field, as text; anything else is no value (never a refusal). */
const firstText = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().optional().catch(undefined));

/**
 * What the workshop page's organisation look-up reads from any post (a
 * search, or an entry to show again): never refused, each value cut to size
 * or left out. The entry itself is WorkshopFormSchema's (lib/schemas.ts,
 * shared with the browser).
 */
export const OrganisationLookupSchema = z.object({
  intent: firstText,
  organisationQuery: firstText.transform((v) => (v ?? "").trim().slice(0, 200)),
  cluster: firstText.transform((v) => (v ?? "").slice(0, 60)),
  organisationId: firstText.transform((v) => toRowId(v) ?? undefined),
});
