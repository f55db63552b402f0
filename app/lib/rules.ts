// The numbers of the app's rules, in one place: the schemas that enforce them
// (app/lib/schemas.ts, account-schemas, query-schemas, the password check,
// taxonomy slugs, the comment edit window…) read them from here, and the texts
// that state them ("at least 8 characters", "20 to 2,000 characters") take them
// as i18next default variables (`{{passwordMin}}`…, see RULE_NUMBERS in
// app/lib/i18n.ts), so what a message says and what the form accepts cannot
// drift apart. tests/lib/rule-numbers.test.ts parses each limit and one past it.
// Plain data: safe in the browser bundle.

export const RULE_NUMBERS = {
  /** password length in characters (ASVS 5.0: at least 8, at most 256 or more) */
  passwordMin: 8,
  /** advice only: a passphrase of this many characters or more is best */
  passphraseMin: 15,
  passwordMax: 256,
  /** a suggestion's title */
  titleMin: 10,
  titleMax: 150,
  /** a suggestion's problem and proposal */
  textMin: 20,
  textMax: 2000,
  /** a suggestion's expected impact (optional) */
  impactMax: 1000,
  /** a comment or reply */
  commentMax: 2000,
  /** an author edits their comment within this many minutes */
  commentEditMinutes: 15,
  /** a support budget of 0 means no limit */
  unlimited: 0,
  /** Pakistan Standard Time is UTC+5 (times are entered in UTC) */
  utcOffsetHours: 5,
  /** a consultation's slug: 3–60 lowercase letters, digits and hyphens */
  consultationSlugMin: 3,
  /** a cluster's or category's slug: 2–60 */
  taxonomySlugMin: 2,
  slugMax: 60,
  /** a cluster's, category's or stage's name, English and Urdu */
  taxonomyNameMax: 120,
  /** a consultation's title (English and Urdu) and description */
  consultationTitleMin: 3,
  consultationTitleMax: 200,
  consultationDescriptionMax: 5000,
  /** supports a person may give per cluster (0 = no limit, see `unlimited`) */
  supportBudgetMax: 1000,
  /** open reports that hide an item until a moderator decides */
  reportsToHideMin: 1,
  reportsToHideMax: 100,
  /** a report counts towards hiding only from a confirmed account this many hours old (default 24; 0 = any confirmed account) */
  reportMinAccountAgeHoursDefault: 24,
  reportMinAccountAgeHoursMax: 720,
  /** an organisation's name (registration, profile, import) */
  organisationMin: 2,
  organisationMax: 200,
  /** a city (registration, profile, import) */
  cityMin: 2,
  cityMax: 80,
  /** the medium-term horizon, in years */
  mediumTermFrom: 1,
  mediumTermTo: 3,
  /** notifications a page on /me/notifications */
  notificationsPerPage: 50,
} as const;

export type RuleNumber = keyof typeof RULE_NUMBERS;
