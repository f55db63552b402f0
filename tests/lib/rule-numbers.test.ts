// The numbers the texts state (RULE_NUMBERS, app/lib/rules.ts: "at least 8
// characters", "20 to 2,000 characters") are the numbers the schemas enforce:
// for every limit, a value at the limit passes and one past it is refused
// (tests/i18n/locales.test.ts checks the English texts state the same numbers).
// A rule number no check here covers fails the last test: a new rule comes
// with its check.
import { describe, expect, it } from "vitest";
import { checkPassword } from "~/auth/password.server";
import {
  ChangePasswordSchema,
  DeleteAccountSchema,
  ProfileWithOrganisationSchema,
  ProfileWithVerifiedOrganisationSchema,
} from "~/lib/account-schemas.server";
import { parseConfig } from "~/lib/env.server";
import { RULE_NUMBERS as I18N_RULE_NUMBERS } from "~/lib/i18n";
import { ConsultationSettingsSchema, ConsultationSlugSchema } from "~/lib/query-schemas.server";
import { RULE_NUMBERS, type RuleNumber } from "~/lib/rules";
import { CommentFormSchema, LoginSchema, PasswordSchema, RegisterSchema, SubmissionFormSchema } from "~/lib/schemas";
import { COMMENT_EDIT_WINDOW_MS } from "~/models/comment.server";
import { TaxonomyNamesSchema, TaxonomySlugSchema } from "~/models/taxonomy-admin.server";

type Parser = { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } };

const covered = new Set<RuleNumber>();
/** Texts with no word a password check could object to, `n` characters long. */
const textOf = (n: number) => "Tqz".repeat(Math.ceil(n / 3)).slice(0, n);
const slugOf = (n: number) =>
  "a1-"
    .repeat(Math.ceil(n / 3))
    .slice(0, n)
    .replace(/-$/, "b");
const messages = (r: ReturnType<Parser["safeParse"]>) => (r.error?.issues ?? []).map((i) => i.message);

/** `parse(min − 1)` refused with `tooShort`, `min` accepted. */
function atLeast(rule: RuleNumber, schema: Parser, make: (n: number) => string, tooShort: string) {
  covered.add(rule);
  const n = RULE_NUMBERS[rule];
  expect(schema.safeParse(make(n)).success, `${rule}: ${n} accepted`).toBe(true);
  const short = schema.safeParse(make(n - 1));
  expect(short.success, `${rule}: ${n - 1} refused`).toBe(false);
  expect(messages(short), rule).toContain(tooShort);
}

/** `parse(max)` accepted, `max + 1` refused with `tooLong`. */
function atMost(rule: RuleNumber, schema: Parser, make: (n: number) => string, tooLong: string) {
  covered.add(rule);
  const n = RULE_NUMBERS[rule];
  expect(schema.safeParse(make(n)).success, `${rule}: ${n} accepted`).toBe(true);
  const long = schema.safeParse(make(n + 1));
  expect(long.success, `${rule}: ${n + 1} refused`).toBe(false);
  expect(messages(long), rule).toContain(tooLong);
}

describe("the rules' numbers are the limits the schemas enforce", () => {
  it("the i18n default variables are the rules' numbers", () => {
    expect(I18N_RULE_NUMBERS).toBe(RULE_NUMBERS);
  });

  it("passwords: every form that takes one, the password check and ADMIN_PASSWORD", () => {
    atLeast("passwordMin", PasswordSchema, textOf, "errors.passwordTooShort");
    atMost("passwordMax", PasswordSchema, textOf, "errors.passwordTooLong");
    atMost("passwordMax", LoginSchema.shape.password, textOf, "errors.passwordTooLong");
    atMost("passwordMax", DeleteAccountSchema.shape.password, textOf, "errors.passwordTooLong");
    for (const field of ["currentPassword", "newPassword", "confirmPassword"] as const) {
      const long = textOf(RULE_NUMBERS.passwordMax + 1);
      const r = ChangePasswordSchema.safeParse({
        currentPassword: "Tqz",
        newPassword: "TqzTqzTqz",
        confirmPassword: "TqzTqzTqz",
        [field]: long,
      });
      expect(
        r.error?.issues.filter((i) => i.path[0] === field).map((i) => i.message),
        field,
      ).toContain("errors.passwordTooLong");
    }
    expect(checkPassword(textOf(RULE_NUMBERS.passwordMin - 1))).toBe("tooShort");
    expect(checkPassword(textOf(RULE_NUMBERS.passwordMin))).toBeNull();
    expect(checkPassword(textOf(RULE_NUMBERS.passwordMax))).toBeNull();
    expect(checkPassword(textOf(RULE_NUMBERS.passwordMax + 1))).toBe("tooLong");
    const admin = (password: string) => () => parseConfig({ ADMIN_EMAIL: "admin@example.pk", ADMIN_PASSWORD: password });
    expect(admin(textOf(RULE_NUMBERS.passwordMin))).not.toThrow();
    expect(admin(textOf(RULE_NUMBERS.passwordMax))).not.toThrow();
    expect(admin(textOf(RULE_NUMBERS.passwordMin - 1))).toThrow(/ADMIN_PASSWORD/);
    expect(admin(textOf(RULE_NUMBERS.passwordMax + 1))).toThrow(/ADMIN_PASSWORD/);
  });

  it("a suggestion: title, problem, proposal, expected impact (the form, the workshop form and the import share them)", () => {
    const s = SubmissionFormSchema.shape;
    atLeast("titleMin", s.title, textOf, `errors.tooShort|${RULE_NUMBERS.titleMin}`);
    atMost("titleMax", s.title, textOf, `errors.tooLong|${RULE_NUMBERS.titleMax}`);
    for (const field of [s.problem, s.proposal]) {
      atLeast("textMin", field, textOf, `errors.tooShort|${RULE_NUMBERS.textMin}`);
      atMost("textMax", field, textOf, `errors.tooLong|${RULE_NUMBERS.textMax}`);
    }
    atMost("impactMax", s.expectedImpact, textOf, `errors.tooLong|${RULE_NUMBERS.impactMax}`);
  });

  it("a comment, and its edit window", () => {
    atMost("commentMax", CommentFormSchema.shape.body, textOf, `errors.tooLong|${RULE_NUMBERS.commentMax}`);
    covered.add("commentEditMinutes");
    expect(COMMENT_EDIT_WINDOW_MS).toBe(RULE_NUMBERS.commentEditMinutes * 60_000);
  });

  it("organisation name and city: registration and profile", () => {
    for (const schema of [RegisterSchema, ProfileWithOrganisationSchema]) {
      atLeast("organisationMin", schema.shape.organisationName, textOf, `errors.tooShort|${RULE_NUMBERS.organisationMin}`);
      atMost("organisationMax", schema.shape.organisationName, textOf, `errors.tooLong|${RULE_NUMBERS.organisationMax}`);
      atLeast("cityMin", schema.shape.city, textOf, `errors.tooShort|${RULE_NUMBERS.cityMin}`);
      atMost("cityMax", schema.shape.city, textOf, `errors.tooLong|${RULE_NUMBERS.cityMax}`);
    }
    // A member of a verified organisation edits the city (not the name) under the same rule.
    atLeast("cityMin", ProfileWithVerifiedOrganisationSchema.shape.city, textOf, `errors.tooShort|${RULE_NUMBERS.cityMin}`);
    atMost("cityMax", ProfileWithVerifiedOrganisationSchema.shape.city, textOf, `errors.tooLong|${RULE_NUMBERS.cityMax}`);
  });

  it("slugs: a consultation's and a cluster's or category's", () => {
    atLeast("consultationSlugMin", ConsultationSlugSchema, slugOf, "admin.consultation.errors.slug");
    atMost("slugMax", ConsultationSlugSchema, slugOf, "admin.consultation.errors.slug");
    atLeast("taxonomySlugMin", TaxonomySlugSchema, slugOf, "admin.taxonomy.errors.slug");
    atMost("slugMax", TaxonomySlugSchema, slugOf, "admin.taxonomy.errors.slug");
  });

  it("a consultation's settings: titles, descriptions, the support budget, the reports that hide an item", () => {
    const c = ConsultationSettingsSchema.shape;
    for (const field of [c.titleEn, c.titleUr]) {
      atLeast("consultationTitleMin", field, textOf, `errors.tooShort|${RULE_NUMBERS.consultationTitleMin}`);
      atMost("consultationTitleMax", field, textOf, `errors.tooLong|${RULE_NUMBERS.consultationTitleMax}`);
    }
    for (const field of [c.descriptionEn, c.descriptionUr]) {
      atMost("consultationDescriptionMax", field, textOf, `errors.tooLong|${RULE_NUMBERS.consultationDescriptionMax}`);
    }
    atMost("supportBudgetMax", c.supportBudget, String, `admin.consultation.errors.range|${RULE_NUMBERS.supportBudgetMax}`);
    expect(c.supportBudget.safeParse(String(RULE_NUMBERS.unlimited)).success).toBe(true);
    atLeast("reportsToHideMin", c.reportsToHide, String, `admin.consultation.errors.range|${RULE_NUMBERS.reportsToHideMax}`);
    atMost("reportsToHideMax", c.reportsToHide, String, `admin.consultation.errors.range|${RULE_NUMBERS.reportsToHideMax}`);
    // Issue 15: the account age a report needs to count towards hiding, 0 to the maximum.
    atMost(
      "reportMinAccountAgeHoursMax",
      c.reportMinAccountAgeHours,
      String,
      `admin.consultation.errors.range|${RULE_NUMBERS.reportMinAccountAgeHoursMax}`,
    );
    expect(c.reportMinAccountAgeHours.safeParse("0").success).toBe(true);
    expect(c.reportMinAccountAgeHours.safeParse(String(RULE_NUMBERS.reportMinAccountAgeHoursDefault)).success).toBe(true);
  });

  it("a cluster's or category's names, English and Urdu", () => {
    atMost("taxonomyNameMax", TaxonomyNamesSchema.shape.nameEn, textOf, `errors.tooLong|${RULE_NUMBERS.taxonomyNameMax}`);
    atMost("taxonomyNameMax", TaxonomyNamesSchema.shape.nameUr, (n) => "ب".repeat(n), `errors.tooLong|${RULE_NUMBERS.taxonomyNameMax}`);
  });

  it("every rule number is checked above, or is a stated fact no schema enforces", () => {
    // Stated only: advice (passphrase), meanings (0 = no limit, the horizon's years), a time zone, a page size, a default.
    const statedOnly: RuleNumber[] = [
      "passphraseMin",
      "unlimited",
      "utcOffsetHours",
      "mediumTermFrom",
      "mediumTermTo",
      "notificationsPerPage",
      "reportMinAccountAgeHoursDefault",
    ];
    const unchecked = (Object.keys(RULE_NUMBERS) as RuleNumber[]).filter((k) => !covered.has(k) && !statedOnly.includes(k));
    expect(unchecked).toEqual([]);
  });
});
