// One zod schema per form, shared by the action (authoritative) and the client
// (instant feedback through conform). Messages are i18n keys, translated where
// they are shown. Unknown fields are dropped by zod objects: no mass assignment.
import { z } from "./zod-setup";
import { HORIZONS, ORGANISATION_TYPES, PROVINCES, REPORT_REASONS, SIZE_BANDS, STAGES } from "./reference";
import { RULE_NUMBERS } from "./rules";
import { defineRefusals } from "./refusal";
import { OptionalRowId, rowId } from "./row-id";

export const required = {
  error: (issue: { input?: unknown }) => (issue.input === undefined || issue.input === "" ? "errors.required" : "errors.invalid"),
};

/** C0 control characters other than tab and line breaks, and DEL: never part of real text. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const text = (min: number, max: number) =>
  z
    .string(required)
    .trim()
    .min(min, { error: `errors.tooShort|${min}` })
    .max(max, { error: `errors.tooLong|${max}` })
    .refine((v) => !CONTROL_CHARACTERS.test(v), { error: "errors.controlCharacters" });

export const EmailSchema = z
  .string(required)
  .trim()
  .max(254, { error: "errors.email" })
  .pipe(z.email({ error: "errors.email" }));

export const PasswordSchema = z
  .string(required)
  .min(RULE_NUMBERS.passwordMin, { error: "errors.passwordTooShort" })
  .max(RULE_NUMBERS.passwordMax, { error: "errors.passwordTooLong" });

export const RegisterSchema = z.object({
  email: EmailSchema,
  password: PasswordSchema,
  displayName: text(2, 100),
  organisationName: text(RULE_NUMBERS.organisationMin, RULE_NUMBERS.organisationMax),
  organisationType: z.enum(ORGANISATION_TYPES, required),
  sizeBand: z.enum(SIZE_BANDS, required),
  city: text(RULE_NUMBERS.cityMin, RULE_NUMBERS.cityMax),
  province: z.enum(PROVINCES, required),
  cluster: z
    .string(required)
    .trim()
    .regex(/^[a-z0-9-]{1,60}$/, { error: "errors.invalid" }),
  registrationNumber: z
    .string()
    .trim()
    .max(40, { error: "errors.tooLong|40" })
    .regex(/^[A-Za-z0-9][A-Za-z0-9 /-]{2,39}$/, { error: "errors.registrationNumber" })
    .optional(),
  showOrganisation: z
    .enum(["on"])
    .optional()
    .transform((v) => v === "on"),
});
export type RegisterInput = z.output<typeof RegisterSchema>;

export const LoginSchema = z.object({
  email: z.string(required).trim().max(254, { error: "errors.email" }),
  password: z.string(required).max(RULE_NUMBERS.passwordMax, { error: "errors.passwordTooLong" }),
  redirectTo: z.string().max(2000).optional(),
});

/** The language switch and, beside it, the choice of digits: either or both. */
export const LanguageSchema = z
  .object({
    lng: z.enum(["en", "ur"], required).optional(),
    digits: z.enum(["native", "western"], required).optional(),
    redirectTo: z.string().max(2000).optional(),
  })
  .refine((v) => v.lng !== undefined || v.digits !== undefined, { message: "errors.required", path: ["lng"] });

/** The honeypot field's name: a real person never sees or fills it. */
export const HONEYPOT_FIELD = "website";
/** A filled honeypot: refused as a bad request (the sign-in and registration forms). */
export const HONEYPOT_REFUSALS = defineRefusals({ honeypot: 400 });

export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `errors.tooLong|${max}` })
    .optional()
    .transform((v) => v ?? "");

const slug = z
  .string()
  .trim()
  .regex(/^[a-z0-9-]{1,60}$/, { error: "errors.invalid" });

/** The structured suggestion form (new and edit). */
export const SubmissionFormSchema = z.object({
  cluster: z
    .string(required)
    .trim()
    .regex(/^[a-z0-9-]{1,60}$/, { error: "errors.invalid" }),
  title: text(RULE_NUMBERS.titleMin, RULE_NUMBERS.titleMax),
  problem: text(RULE_NUMBERS.textMin, RULE_NUMBERS.textMax),
  proposal: text(RULE_NUMBERS.textMin, RULE_NUMBERS.textMax),
  expectedImpact: optionalText(RULE_NUMBERS.impactMax),
  stage: z.enum(STAGES, { error: "errors.invalid" }).optional(),
  suggestedCategory: slug.optional(),
  horizon: z.enum(HORIZONS, { error: "errors.invalid" }).optional(),
});
export type SubmissionInput = z.output<typeof SubmissionFormSchema>;

export const SupportFormSchema = z.object({ intent: z.enum(["support", "withdraw"], required) });

/** /submissions/:id/follow and /recommendations/:id/follow (issue 16). */
export const FollowFormSchema = z.object({ intent: z.enum(["follow", "unfollow"], required) });

export const CommentFormSchema = z.object({
  intent: z.enum(["create", "edit"]).optional().default("create"),
  body: text(1, RULE_NUMBERS.commentMax),
  parentId: OptionalRowId,
  commentId: OptionalRowId,
});

export const ReportFormSchema = z.object({
  reason: z.enum(REPORT_REASONS, required),
  details: optionalText(1000),
  commentId: OptionalRowId,
});

/** The organisation fields of a new organisation on the workshop form (the registration form's rules). */
export const NEW_ORGANISATION_FIELDS = ["organisationName", "organisationType", "sizeBand", "city", "province"] as const;

/**
 * Workshop entry: the suggestion form (same fields, same rules), entered by
 * a moderator on behalf of an organisation: an existing one (`organisationId`)
 * or a new one (the new-organisation fields, required only then).
 */
export const WorkshopFormSchema = z.preprocess(
  // With an existing organisation chosen, whatever is in the new-organisation fields is not read.
  (input) =>
    input && typeof input === "object" && (input as Record<string, unknown>).organisationId
      ? Object.fromEntries(Object.entries(input).filter(([k]) => !(NEW_ORGANISATION_FIELDS as readonly string[]).includes(k)))
      : input,
  SubmissionFormSchema.extend({
    organisationId: rowId("errors.invalid").optional(),
    organisationName: RegisterSchema.shape.organisationName.optional(),
    organisationType: RegisterSchema.shape.organisationType.optional(),
    sizeBand: RegisterSchema.shape.sizeBand.optional(),
    city: RegisterSchema.shape.city.optional(),
    province: RegisterSchema.shape.province.optional(),
  }).superRefine(
    (v, ctx) => {
      if (v.organisationId !== undefined) return;
      for (const key of NEW_ORGANISATION_FIELDS) {
        if (v[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: "errors.required" });
      }
    },
    // Also when other fields are wrong: every missing field is named in the first answer.
    { when: () => true },
  ),
);
export type WorkshopInput = z.output<typeof WorkshopFormSchema>;
