// Query-string and decision schemas used only in loaders and actions. Kept in a
// .server module so zod never reaches the browser bundle of these pages.
import { z } from "./zod-setup";
import { ORGANISATION_TYPES, PROVINCES, PUBLIC_STATUSES, SORTS, STAGES, SUBMISSION_STATUSES } from "./reference";
import { RULE_NUMBERS } from "./rules";
import { RowId } from "./row-id";

// Unknown or malformed values are ignored (each falls back to "no filter"), never a 500.
export const ClusterQuerySchema = z.object({
  sort: z.enum(SORTS).optional().catch(undefined),
  category: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .optional()
    .catch(undefined),
  stage: z.enum(STAGES).optional().catch(undefined),
  orgType: z.enum(ORGANISATION_TYPES).optional().catch(undefined),
  province: z.enum(PROVINCES).optional().catch(undefined),
  status: z.enum(PUBLIC_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
});

export const UserSearchSchema = z.object({ q: z.string().trim().max(200).optional().catch(undefined) });

/** A day as typed in a date input (`2026-12-01`), read as a UTC day; impossible dates (`2026-02-30`) refused. */
const utcDay = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => {
    const d = new Date(`${v}T00:00:00.000Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v) && v >= "2000-01-01" && v <= "2100-01-01";
  });

/**
 * The audit log's filters: action (or its start, `submission.`), actor (a user
 * id or an email), and a range of UTC days (`from` and `to`, both included).
 */
export const AuditQuerySchema = z.object({
  action: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9._-]{1,60}$/)
    .optional()
    .catch(undefined),
  actor: z
    .string()
    .trim()
    .max(254)
    .pipe(
      z.union([
        RowId.transform((id): { id: number } | { email: string } => ({ id })),
        z
          .string()
          .regex(/^[^@\s]+@[^@\s]+$/)
          .transform((email): { id: number } | { email: string } => ({ email })),
      ]),
    )
    .optional()
    .catch(undefined),
  from: utcDay.optional().catch(undefined),
  to: utcDay.optional().catch(undefined),
});

const slug = z.string().regex(/^[a-z0-9-]{1,60}$/);

/** The moderation queue's filters; unknown values fall back to the default. */
export const QueueQuerySchema = z.object({
  status: z.enum(SUBMISSION_STATUSES).catch("pending"),
  cluster: slug.optional().catch(undefined),
  // `queue=translate`: published suggestions without a translation, most supported first (issue 18).
  queue: z.enum(["translate"]).optional().catch(undefined),
});

/**
 * A time typed in a form: ISO 8601 with a zone (`2026-12-01T09:00:00Z`,
 * `…+05:00`), or a `datetime-local` value (`2026-12-01T09:00`), read as UTC.
 * Out: ISO 8601 UTC.
 */
const utcTime = z
  .string()
  .trim()
  .min(1, "errors.required")
  .transform((v, ctx) => {
    const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(v);
    const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(v);
    const ms = local ? Date.parse(`${v}Z`) : zoned ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(ms) || ms < Date.UTC(2000, 0, 1) || ms > Date.UTC(2100, 0, 1)) {
      ctx.addIssue({ code: "custom", message: "admin.consultation.errors.time" });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, "admin.consultation.errors.number")
    .transform(Number)
    .refine((n) => n >= min && n <= max, `admin.consultation.errors.range|${max}`);

const { consultationTitleMin: titleMin, consultationTitleMax: titleMax, consultationDescriptionMax: descriptionMax } = RULE_NUMBERS;
const consultationTitle = z.string().trim().min(titleMin, `errors.tooShort|${titleMin}`).max(titleMax, `errors.tooLong|${titleMax}`);
const consultationDescription = z.string().trim().max(descriptionMax, `errors.tooLong|${descriptionMax}`);

/** Each window closes after it opens (the settings form, whichever way it is parsed). */
export function windowsInOrder(
  v: { submissionOpensAt: string; submissionClosesAt: string; supportOpensAt: string; supportClosesAt: string },
  ctx: z.RefinementCtx,
): void {
  if (Date.parse(v.submissionClosesAt) <= Date.parse(v.submissionOpensAt)) {
    ctx.addIssue({ code: "custom", path: ["submissionClosesAt"], message: "admin.consultation.errors.closesBeforeOpens" });
  }
  if (Date.parse(v.supportClosesAt) <= Date.parse(v.supportOpensAt)) {
    ctx.addIssue({ code: "custom", path: ["supportClosesAt"], message: "admin.consultation.errors.closesBeforeOpens" });
  }
}

/** /admin/consultation settings; field names per docs/contract.md (titles and descriptions added). */
export const ConsultationSettingsSchema = z
  .object({
    titleEn: consultationTitle,
    titleUr: consultationTitle,
    descriptionEn: consultationDescription,
    descriptionUr: consultationDescription,
    submissionOpensAt: utcTime,
    submissionClosesAt: utcTime,
    supportOpensAt: utcTime,
    supportClosesAt: utcTime,
    supportBudget: wholeNumber(RULE_NUMBERS.unlimited, RULE_NUMBERS.supportBudgetMax),
    allowSelfSupport: z
      .literal("on")
      .optional()
      .transform((v) => v === "on"),
    reportsToHide: wholeNumber(RULE_NUMBERS.reportsToHideMin, RULE_NUMBERS.reportsToHideMax),
    // Issue 15: a Contract addition; a client posting only the specification's fields leaves it out (kept, or the default).
    reportMinAccountAgeHours: wholeNumber(0, RULE_NUMBERS.reportMinAccountAgeHoursMax).optional(),
  })
  .superRefine(windowsInOrder);

export const ConsultationSlugSchema = z
  .string()
  .trim()
  .regex(
    new RegExp(`^[a-z0-9][a-z0-9-]{${RULE_NUMBERS.consultationSlugMin - 1},${RULE_NUMBERS.slugMax - 1}}$`),
    "admin.consultation.errors.slug",
  );
