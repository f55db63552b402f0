// The forms of the administration pages (/admin/*), one schema per route (a
// page with several forms: one discriminated union on `intent`). Where the
// model validates a value itself (taxonomy names and slugs), the schema takes
// it as typed and the model's field errors come back through the reply.
import { z } from "./zod-setup";
import { TAXONOMY_KINDS } from "../models/taxonomy-admin.server";

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
