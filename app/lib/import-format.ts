// The workshop CSV format of docs/contract.md ("Workshop import CSV"): its columns
// and the limits of one file. Shared by the import model, its page and the CLI.
export const IMPORT_COLUMNS = [
  "cluster",
  "title",
  "problem",
  "proposal",
  "expected_impact",
  "organisation",
  "city",
  "province",
  "stage",
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
/** The columns a row must fill; the others may be empty. */
export const REQUIRED_IMPORT_COLUMNS: ReadonlySet<ImportColumn> = new Set([
  "cluster",
  "title",
  "problem",
  "proposal",
  "organisation",
  "city",
  "province",
]);

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5_000;
