// A row id as it arrives from outside (a path segment, a form field, a query
// parameter, an API cursor): digits only, no sign, no leading zero, no "1e3" or
// "0x10", and within the `integer` columns of PostgreSQL (2³¹−1). One rule for
// every id, so that a number too large for the column is a 400 (a field) or a
// 404 (a path), never a 500 from the database. Plain data: safe in the browser
// bundle (the suggestion and workshop forms validate on the client too).
import { z } from "./zod-setup";

/** The largest value of a PostgreSQL `integer` (and of our SQLite ids by the same rule). */
export const ROW_ID_MAX = 2_147_483_647;
const ROW_ID_PATTERN = /^[1-9]\d{0,9}$/;

/** The id a text names, or null when it is not one (wrong shape, or past ROW_ID_MAX). */
export function toRowId(value: unknown): number | null {
  if (typeof value !== "string" || !ROW_ID_PATTERN.test(value)) return null;
  const n = Number(value);
  return n <= ROW_ID_MAX ? n : null;
}

/**
 * The schema of a row id (text in, number out). `message` is the i18n key a
 * refusal carries where the field has its own ("moderation.merge.intoRequired"…).
 */
export const rowId = (message?: string) => {
  const error = message === undefined ? undefined : { error: message };
  return z
    .string(error)
    .regex(ROW_ID_PATTERN, error)
    .transform(Number)
    .refine((n) => n <= ROW_ID_MAX, error);
};

/** A row id with no message of its own. */
export const RowId = rowId();

/** An id field that may be left out (absent or ""). */
export const OptionalRowId = z.preprocess((v) => (v === "" || v === null ? undefined : v), RowId.optional());
