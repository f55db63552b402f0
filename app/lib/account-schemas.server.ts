// Form schemas of the account pages (/me/profile, /me/password, /me/delete,
// /me/sessions). Used only in actions, so kept in a .server module: zod never
// reaches these pages' browser bundle. Messages are i18n keys; unknown
// fields are dropped (role, status or organisation id can never be set here; a
// new email address only waits for its confirmation, see requestEmailChange).
import { z } from "./zod-setup";
import { DIGITS } from "./format";
import { LANGUAGES, ORGANISATION_TYPES, PROVINCES, SIZE_BANDS } from "./reference";
import { rowId } from "./row-id";
import { RULE_NUMBERS } from "./rules";
import { EmailSchema, PasswordSchema, required, text } from "./schemas";

const checkbox = z
  .enum(["on"])
  .optional()
  .transform((v) => v === "on");

export const ProfileSchema = z.object({
  displayName: text(2, 100),
  showOrganisation: checkbox,
  locale: z.enum(LANGUAGES, required),
  /** digits on Urdu pages; a form without the field leaves the choice as it was */
  digits: z.enum(DIGITS, { error: "errors.required" }).optional(),
  /** a new address (in force once confirmed); a form without the field leaves the address as it is */
  email: EmailSchema.optional(),
});

/**
 * A member's organisation details; the name, type and province only while the
 * organisation is not verified (then only moderators correct them).
 */
const organisationFields = {
  sizeBand: z.enum(SIZE_BANDS, required),
  city: text(RULE_NUMBERS.cityMin, RULE_NUMBERS.cityMax),
};
export const ProfileWithOrganisationSchema = ProfileSchema.extend({
  organisationName: text(RULE_NUMBERS.organisationMin, RULE_NUMBERS.organisationMax),
  organisationType: z.enum(ORGANISATION_TYPES, required),
  province: z.enum(PROVINCES, required),
  ...organisationFields,
});
export const ProfileWithVerifiedOrganisationSchema = ProfileSchema.extend(organisationFields);

/** What any of the three profile schemas gives: the organisation fields only for a member. */
export type ProfileFormValues = z.output<typeof ProfileSchema> & Partial<z.output<typeof ProfileWithOrganisationSchema>>;

/** Picks the profile schema for a member (or not) of a verified (or not) organisation. */
/** /me's privacy form: anything but "on" (or nothing) is "not shown", as a browser sends an unticked box. */
export const PrivacySchema = z.object({
  intent: z.literal("privacy"),
  showOrganisation: z
    .string()
    .optional()
    .transform((v) => v === "on"),
});

export function profileSchemaFor(organisation: { verified: boolean } | null) {
  if (!organisation) return ProfileSchema;
  return organisation.verified ? ProfileWithVerifiedOrganisationSchema : ProfileWithOrganisationSchema;
}

export const ChangePasswordSchema = z
  .object({
    currentPassword: z.string(required).max(RULE_NUMBERS.passwordMax, { error: "errors.passwordTooLong" }),
    newPassword: PasswordSchema,
    confirmPassword: z.string(required).max(RULE_NUMBERS.passwordMax, { error: "errors.passwordTooLong" }),
    endOtherSessions: checkbox,
  })
  .superRefine((v, ctx) => {
    if (v.confirmPassword !== v.newPassword) {
      ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "account.password.mismatch" });
    }
  });

export const DeleteAccountSchema = z.object({
  password: z.string(required).max(RULE_NUMBERS.passwordMax, { error: "errors.passwordTooLong" }),
  confirm: z.enum(["on"], { error: "account.delete.confirmRequired" }),
});

/** A session handle as the sessions page sends it (see sessionRef). */
const SessionRef = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

export const SessionActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("end"), sessionId: SessionRef }),
  z.object({ intent: z.literal("end-others") }),
]);

/** /me/organisation: a member approves or declines a request to join (the requester's id); a requester withdraws theirs. */
export const MembershipActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("approve"), userId: rowId("membership.refused.user") }),
    z.object({ intent: z.literal("decline"), userId: rowId("membership.refused.user") }),
    z.object({ intent: z.literal("withdraw") }),
  ],
  { error: "membership.refused.intent" },
);

/** /forgot-password: the address to send a reset link to. */
export const ForgotPasswordSchema = z.object({ email: EmailSchema });

/** /reset-password/:token: the new password, by the registration rules. */
export const ResetPasswordSchema = z.object({ password: PasswordSchema });

/** /confirm-email/:token: the button only (the token is in the address). */
export const ConfirmEmailSchema = z.object({});

/** /me/confirm-email: send the link again, then back to the page it was asked from (a path on this site). */
export const ResendConfirmationSchema = z.object({ redirectTo: z.string().max(2000).optional() });

/**
 * A two-factor code as typed: six digits from the app ("123 456" too) or a
 * recovery code ("abcd-efgh-ijkl-mnop", any case, with or without dashes).
 */
const TwoFactorCodeSchema = z
  .string(required)
  .trim()
  .max(40, { error: "twoFactor.errors.codeShape" })
  .regex(/^(?:[\d\s]{6,11}|[a-zA-Z2-7\s-]{16,31})$/, { error: "twoFactor.errors.codeShape" });

/** /login/two-factor: the second step of a sign-in. */
export const TwoFactorSignInSchema = z.object({
  code: TwoFactorCodeSchema,
  redirectTo: z.string().max(2000).optional(),
});

/** /me/two-factor's forms: turn it on (a code from the new secret), off (a code), or make new recovery codes. */
export const TwoFactorSettingsSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("enable"), code: TwoFactorCodeSchema, redirectTo: z.string().max(2000).optional() }),
  z.object({ intent: z.literal("disable"), code: TwoFactorCodeSchema }),
  z.object({ intent: z.literal("recovery-codes") }),
]);
