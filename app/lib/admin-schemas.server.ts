// The forms of the administration pages (/admin/*) and the organiser's dashboard, one schema per route (a
// page with several forms: one discriminated union on `intent`). Where the
// model validates a value itself (taxonomy names and slugs), the schema takes
// it as typed and the model's field errors come back through the reply.
import { z } from "./zod-setup";
import { ROLES } from "~/auth/permissions";
import { TAXONOMY_KINDS } from "~/models/taxonomy-admin.server";
import { ConsultationSettingsSchema, ConsultationSlugSchema, windowsInOrder } from "./query-schemas.server";
import { OptionalRowId, rowId } from "./row-id";

/** A value as typed; conform gives an emptied field as undefined. */
const typed = z.string().optional();
const kind = z.enum(TAXONOMY_KINDS);
/** Which item a one-item form means (`id` or `slug`); the model checks both. */
const item = { kind, id: typed, slug: typed };

/** /admin/taxonomy: every form of the page. */
export const TaxonomyFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add"), kind, slug: typed, nameEn: typed, nameUr: typed }),
  z.object({ intent: z.literal("rename"), ...item, nameEn: typed, nameUr: typed }),
  z.object({ intent: z.literal("move"), ...item, direction: typed }),
  z.object({ intent: z.literal("archive"), ...item }),
  z.object({ intent: z.literal("unarchive"), ...item }),
  z.object({ intent: z.literal("delete"), ...item }),
]);

// /admin/consultation. Parsed with conform's coercion off (an emptied field
// stays ""): the titles and descriptions a form leaves out keep their value on
// an update, an emptied one is what was typed. Every other field left out
// reads as "" (and is refused as such).
const settings = ConsultationSettingsSchema.shape;
const typedOrEmpty = <T extends z.ZodType>(schema: T) => schema.prefault("" as z.input<T>);
const windowsAndRules = {
  submissionOpensAt: typedOrEmpty(settings.submissionOpensAt),
  submissionClosesAt: typedOrEmpty(settings.submissionClosesAt),
  supportOpensAt: typedOrEmpty(settings.supportOpensAt),
  supportClosesAt: typedOrEmpty(settings.supportClosesAt),
  supportBudget: typedOrEmpty(settings.supportBudget),
  // A checkbox posts "on" or nothing.
  allowSelfSupport: z.preprocess((v) => v || undefined, settings.allowSelfSupport),
  reportsToHide: typedOrEmpty(settings.reportsToHide),
  // Left out (the specification's form has no such field): kept on an update, the default on a create; "" is refused.
  reportMinAccountAgeHours: settings.reportMinAccountAgeHours,
};
const consultationRef = { consultationId: rowId("errors.invalid") };

export const ConsultationFormSchema = z.discriminatedUnion("intent", [
  z
    .object({
      // The contract's form posts no intent: a save of the settings.
      intent: z.literal("update").default("update"),
      consultationId: OptionalRowId,
      titleEn: settings.titleEn.optional(),
      titleUr: settings.titleUr.optional(),
      descriptionEn: settings.descriptionEn.optional(),
      descriptionUr: settings.descriptionUr.optional(),
      ...windowsAndRules,
    })
    .superRefine(windowsInOrder),
  z
    .object({
      intent: z.literal("create"),
      slug: typedOrEmpty(ConsultationSlugSchema),
      titleEn: typedOrEmpty(settings.titleEn),
      titleUr: typedOrEmpty(settings.titleUr),
      descriptionEn: typedOrEmpty(settings.descriptionEn),
      descriptionUr: typedOrEmpty(settings.descriptionUr),
      ...windowsAndRules,
    })
    .superRefine(windowsInOrder),
  z.object({ intent: z.literal("activate"), ...consultationRef }),
  z.object({ intent: z.literal("archive"), ...consultationRef }),
]);

// /admin/users and /admin/users/:id.
export const ADMIN_USER_INTENTS = ["role", "disable", "enable", "end-sessions", "confirm-email", "send-reset", "reset-two-factor"] as const;
export type AdminUserIntent = (typeof ADMIN_USER_INTENTS)[number];

/** A form value, with "" (an empty select or text box) and null (not sent) read as absent. */
const given = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null || (typeof v === "string" && v.trim() === "") ? undefined : v), schema.optional());

const adminUserIntent = z.enum(ADMIN_USER_INTENTS, { message: "admin.users.errors.intent" });
const adminUserRole = given(z.enum(ROLES, { message: "admin.users.errors.role" }));
const roleForRoleChange = (v: { intent: AdminUserIntent; role?: string }, ctx: z.RefinementCtx) => {
  if (v.intent === "role" && !v.role) ctx.addIssue({ code: "custom", path: ["role"], message: "admin.users.errors.role" });
};

/** The list's forms: the user by `userId` or `email`. */
export const AdminUserActionSchema = z
  .object({
    intent: adminUserIntent,
    userId: given(z.string().trim().pipe(rowId("admin.users.errors.user"))),
    email: given(
      z
        .string()
        .trim()
        .max(254, "admin.users.errors.user")
        .regex(/^[^@\s]+@[^@\s]+$/, "admin.users.errors.user"),
    ),
    role: adminUserRole,
  })
  .superRefine((v, ctx) => {
    if (v.userId === undefined && v.email === undefined)
      ctx.addIssue({ code: "custom", path: ["userId"], message: "admin.users.errors.user" });
    roleForRoleChange(v, ctx);
  });

/** The user page's forms: the user is the one the URL names (a `userId` or `email` in the form is ignored). */
export const AdminUserPageActionSchema = z.object({ intent: adminUserIntent, role: adminUserRole }).superRefine(roleForRoleChange);

/** /organiser: the dashboard's one form ("read the figures again now"). */
export const DashboardFormSchema = z.object({ intent: z.literal("refresh") });

/** /admin/glossary: add, edit and delete a group of equivalent search terms (the model checks the terms and the id). */
export const GlossaryFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), termsEn: typed, termsUr: typed }),
  z.object({ intent: z.literal("update"), id: typed, termsEn: typed, termsUr: typed }),
  z.object({ intent: z.literal("delete"), id: typed }),
]);
