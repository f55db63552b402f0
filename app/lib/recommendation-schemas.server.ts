// Form schemas of recommendations, used by the model (so the rules hold
// for every caller) and by the organiser pages. Each field's checks stop at
// the first that fails, so a field has one message. Errors are i18n keys
// ("key|n" for a count), as everywhere else.
import { z } from "./zod-setup";
import { rowId } from "./row-id";
import { PROGRESS_STATUSES, RECOMMENDATION_STATUSES, RESPONSE_STATUSES } from "./recommendation-reference";

const slug = z.string().regex(/^[a-z0-9-]{1,60}$/, "errors.invalid");

/** Text typed in a form: missing = "", trimmed, then its length rules. */
const text = (min: number, max: number, required = true) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim())
    .pipe(
      required
        ? z
            .string()
            .min(1, { error: "errors.required", abort: true })
            .min(min, { error: `errors.tooShort|${min}`, abort: true })
            .max(max, { error: `errors.tooLong|${max}`, abort: true })
        : z.string().max(max, { error: `errors.tooLong|${max}`, abort: true }),
    );

/** Text that may be left empty; when typed, its length rules (a language version that is not written). */
const optionalText = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim())
    .pipe(
      z
        .string()
        .max(max, { error: `errors.tooLong|${max}`, abort: true })
        .refine((v) => v === "" || v.length >= min, `errors.tooShort|${min}`),
    );

/** Repeated fields (`cluster`, `category`): one value or several. */
const slugList = (max: number) =>
  z
    .union([slug, z.array(slug)])
    .optional()
    .transform((v) => [...new Set(v === undefined ? [] : Array.isArray(v) ? v : [v])])
    .pipe(z.array(slug).max(max, "errors.invalid"));

/**
 * A recommendation in English (title, text, dissent) and in Urdu (titleUr, textUr,
 * dissentUr; issue 18, ADR 0032): either may be left out, not both. Which fields a
 * started version still needs is `missingVersionFields` (the model applies both).
 */
export const RecommendationInputSchema = z.object({
  title: optionalText(5, 200),
  text: optionalText(20, 10_000),
  titleUr: optionalText(5, 200),
  textUr: optionalText(20, 10_000),
  dissentUr: text(0, 5000, false),
  cluster: slugList(50),
  category: slugList(50).pipe(z.array(slug).min(1, "errors.categoryRequired")),
  priority: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v) => String(v ?? "").trim())
    .pipe(z.string().regex(/^[1-5]$/, "recommendation.errors.priority"))
    .transform(Number),
  dissent: text(0, 5000, false),
  status: z.enum(RECOMMENDATION_STATUSES, { message: "recommendation.errors.status" }),
});
export type RecommendationInput = z.output<typeof RecommendationInputSchema>;

/**
 * The title and text fields a recommendation still needs: both of each version
 * that was started (any of its title, text or dissent typed), and the English
 * ones when neither version was (as before there were two).
 */
export function missingVersionFields(raw: unknown): Array<"title" | "text" | "titleUr" | "textUr"> {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const typed = (k: string) => typeof o[k] === "string" && (o[k] as string).trim() !== "";
  const en = typed("title") || typed("text") || typed("dissent");
  const ur = typed("titleUr") || typed("textUr") || typed("dissentUr");
  const need: Array<"title" | "text" | "titleUr" | "textUr"> = [];
  if (en || !ur) need.push(...(["title", "text"] as const).filter((k) => !typed(k)));
  if (ur) need.push(...(["titleUr", "textUr"] as const).filter((k) => !typed(k)));
  return need;
}
export type RecommendationFormValues = z.input<typeof RecommendationInputSchema>;

/** A calendar date as YYYY-MM-DD (a real day, 2000–2100). */
const isoDay = () =>
  z
    .string({ message: "errors.required" })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "recommendation.errors.date", abort: true })
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= "2000-01-01" && v <= "2100-01-01";
    }, "recommendation.errors.date");

export const ResponseInputSchema = z.object({
  responseStatus: z.enum(RESPONSE_STATUSES, { message: "recommendation.errors.responseStatus" }),
  responseText: text(1, 10_000),
  responsibleAgency: text(2, 200),
  responseDate: isoDay(),
});
export type ResponseInput = z.output<typeof ResponseInputSchema>;

/** An evidence link: optional; when given, an absolute http(s) URL (no javascript:, data:, …). */
const evidenceUrl = z
  .string()
  .optional()
  .transform((v) => (v ?? "").trim())
  .pipe(
    z
      .string()
      .max(2000, { error: "errors.tooLong|2000", abort: true })
      .refine((v) => {
        if (v === "") return true;
        try {
          const u = new URL(v);
          return (u.protocol === "http:" || u.protocol === "https:") && Boolean(u.hostname);
        } catch {
          return false;
        }
      }, "recommendation.errors.evidenceUrl"),
  )
  .transform((v) => (v === "" ? null : v));

/** An implementation progress update (issue 16, item 4). */
export const ProgressInputSchema = z.object({
  progressStatus: z.enum(PROGRESS_STATUSES, { message: "recommendation.errors.progressStatus" }),
  progressText: text(2, 5000),
  progressDate: isoDay(),
  evidenceUrl,
});
export type ProgressInput = z.output<typeof ProgressInputSchema>;

/** A suggestion's number as typed ("12" or "#12"). */
export const SourceNumberSchema = z
  .string({ message: "recommendation.errors.sourceNumber" })
  .trim()
  .transform((v) => v.replace(/^#/, ""))
  .pipe(rowId("recommendation.errors.sourceNumber"));

export const RecommendationSearchSchema = z.object({ q: z.string().trim().max(200).optional().catch(undefined) });
/** `lang` (en|ur) asks for the briefing in that language whatever the page's language is. */
export const BriefingQuerySchema = z.object({
  cluster: slug.optional().catch(undefined),
  lang: z.enum(["en", "ur"]).optional().catch(undefined),
});

// ─────────────── the organiser pages' forms (parseForm) ───────────────
// The model validates a recommendation and a response itself (the rules hold
// for every caller) and returns its field errors; these schemas take the
// fields as typed (conform gives an emptied field as undefined).
const typed = z.string().optional();
const repeated = z.union([z.string(), z.array(z.string())]).optional();
const recommendationFields = {
  title: typed,
  text: typed,
  cluster: repeated,
  category: repeated,
  priority: typed,
  dissent: typed,
  status: typed,
  titleUr: typed,
  textUr: typed,
  dissentUr: typed,
};
const responseFields = { responseStatus: typed, responseText: typed, responsibleAgency: typed, responseDate: typed };
const progressFields = { progressStatus: typed, progressText: typed, progressDate: typed, evidenceUrl: typed };

/** /organiser/recommendations: a new recommendation. */
export const CreateRecommendationFormSchema = z.object(recommendationFields);

/** /organiser/recommendations/:id: every form of the page. */
export const RecommendationPageFormSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("update"), ...recommendationFields }),
    z.object({ intent: z.literal("respond"), ...responseFields }),
    z.object({ intent: z.literal("progress"), ...progressFields }),
    // `submission` = a suggestion number ("12" or "#12").
    z.object({ intent: z.literal("link"), submission: SourceNumberSchema }),
    z.object({ intent: z.literal("unlink"), submission: SourceNumberSchema }),
  ],
  { error: "recommendation.errors.unknownIntent" },
);
