// The synthesis workbench's query string and its one form (issue 19, ADR 0029).
// Kept in a .server module so zod never reaches the browser bundle.
import { z } from "./zod-setup";
import { RowId, toRowId } from "./row-id";

const slug = z.string().regex(/^[a-z0-9-]{1,60}$/);
/** A GET form sends its empty fields as "": they mean "no filter". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

/**
 * `/organiser/synthesis`'s filters. A value of the wrong shape is a 400 (the
 * loader checks the slugs against the lists too), never a silent "no filter":
 * an organiser acting on a list must know it is the list they asked for.
 */
export const SynthesisQuerySchema = z.object({
  cluster: optional(slug),
  category: optional(slug),
  stage: optional(slug),
  q: optional(z.string().trim().max(200)),
  covered: optional(z.enum(["yes", "no"])),
  page: optional(
    z
      .string()
      .regex(/^[1-9]\d{0,6}$/)
      .transform(Number),
  ),
});
export type SynthesisQuery = z.output<typeof SynthesisQuerySchema>;

/** Repeated `submission` fields: none, one or several row ids. */
const submissionIds = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(
    z
      .array(z.string())
      .refine((ids) => ids.every((id) => toRowId(id) !== null), "synthesis.errors.submission")
      .transform((ids) => ids.map(Number)),
  );

/** The workbench's one form: link the chosen suggestions to a draft, or to a new one titled `title`. */
export const SynthesisFormSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("link-many"),
      submission: submissionIds,
      recommendation: z.union([z.literal("new"), RowId], { error: "synthesis.errors.recommendation" }),
      title: z.string().optional(),
    }),
  ],
  { error: "synthesis.errors.unknownIntent" },
);

/** The workbench's filters from a query string, or null when one has the wrong shape (the loader answers 400). */
export function readSynthesisQuery(params: URLSearchParams): SynthesisQuery | null {
  const parsed = SynthesisQuerySchema.safeParse(Object.fromEntries(params));
  return parsed.success ? parsed.data : null;
}
