// The form of /submissions/:id/translation-flag (issue 18): the author's
// reason why the moderators' translation of their suggestion is wrong.
import { z } from "./zod-setup";

export const TranslationFlagSchema = z.object({
  reason: z.string({ error: "errors.required" }).trim().min(1, "errors.required").max(2000, "errors.tooLong|2000"),
});
