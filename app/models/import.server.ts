// The workshop CSV import (docs/contract.md, "Workshop import CSV"): a file
// of suggestions collected on paper, checked row by row and imported all or
// nothing, with a report naming each bad row by its line in the file. Used by
// the page (/moderation/import) and the command line (import:submissions).
// See docs/decisions/0010-workshop-entry-and-import.md.
import { CsvError, parse } from "csv-parse/sync";
import { z } from "~/lib/zod-setup";
import type { DB, Executor } from "../../db/client";
import type { OrganisationType, Role, SizeBand } from "../../db/schema";
import { IMPORT_COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, type ImportColumn } from "~/lib/import-format";
import { PROVINCES, STAGES } from "~/lib/reference";
import { RegisterSchema, SubmissionFormSchema } from "~/lib/schemas";
import { recordAudit } from "./audit.server";
import { getActiveConsultation } from "./consultation.server";
import { insertPendingSubmission } from "./submission.server";
import { normaliseOrganisationName } from "./user.server";
import { insertOrganisation, MODERATOR_ACTOR_ROLE } from "./workshop.server";
import { defineRefusals } from "~/lib/refusal";

/** An organisation a file names that does not exist yet is created as this (ADR 0010). */
export const IMPORTED_ORGANISATION_TYPE: OrganisationType = "firm";
export const IMPORTED_ORGANISATION_SIZE: SizeBand = "small";

const requiredText = { error: "errors.required" };

// One row, by column name: the suggestion form's and the registration form's
// rules for the same fields. Messages are i18n keys ("key|n" for a count).
const ImportRowSchema = z.object({
  cluster: z.string(requiredText).trim(),
  title: SubmissionFormSchema.shape.title,
  problem: SubmissionFormSchema.shape.problem,
  proposal: SubmissionFormSchema.shape.proposal,
  expected_impact: SubmissionFormSchema.shape.expectedImpact,
  organisation: RegisterSchema.shape.organisationName,
  city: RegisterSchema.shape.city,
  province: z.enum(PROVINCES, { error: (issue) => (issue.input === undefined ? "errors.required" : "import.errors.province") }),
  stage: z.enum(STAGES, { error: "import.errors.stage" }).optional(),
});
type ImportRow = z.output<typeof ImportRowSchema>;
const SLUG_COLUMNS = new Set<ImportColumn>(["cluster", "province", "stage"]);

export interface ImportProblem {
  /** line in the file where the row starts (the header is line 1) */
  line: number;
  /** the column, when the problem is one field's */
  column?: string;
  /** an i18n key, "key|n" when it carries a number */
  message: string;
}

/**
 * Why an import is refused, and the status each answers with. The upload's
 * own refusals (before the file is read: none sent, too large, unreadable)
 * are here too, so the page has one table.
 */
export const IMPORT_REFUSALS = defineRefusals({
  tooLarge: 413,
  notUtf8: 400,
  empty: 400,
  noRows: 400,
  tooManyRows: 400,
  columns: 400,
  malformed: 400,
  invalid: 400,
  noConsultation: 409,
  noFile: 400,
  /** a post that is not a file upload (multipart/form-data) */
  notMultipart: 415,
  badUpload: 400,
});

export type ImportRefusal = Exclude<keyof typeof IMPORT_REFUSALS, "noFile" | "notMultipart" | "badUpload">;

export type ImportResult =
  | {
      ok: true;
      dryRun: boolean;
      rows: number;
      /** distinct organisations the rows name that exist already / that are (or would be) created */
      organisationsMatched: number;
      organisationsCreated: number;
      /** the new submissions, in file order (empty on a dry run) */
      submissionIds: number[];
    }
  | { ok: false; reason: ImportRefusal; problems: ImportProblem[] };

const refuse = (reason: ImportRefusal, problems: ImportProblem[] = []): ImportResult => ({ ok: false, reason, problems });

interface ParsedRow {
  line: number;
  fields: string[];
}

/**
 * Decodes and parses the file: UTF-8 (a BOM is dropped), RFC 4180 quoting.
 * Line breaks are normalised to LF first: csv-parse counts a CRLF inside a
 * quoted field as two lines, and imported text is stored with LF anyway.
 * Each row carries the line it starts on: its end line (info.lines) less the
 * line breaks inside its fields.
 */
function parseFile(file: Uint8Array): { ok: true; header: ParsedRow; rows: ParsedRow[] } | { ok: false; result: ImportResult } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(file);
  } catch {
    return { ok: false, result: refuse("notUtf8") };
  }
  text = text.replace(/\r\n?/g, "\n");
  if (!text.trim()) return { ok: false, result: refuse("empty") };
  // A spreadsheet saved with another separator (Excel does in some regions): say so, rather than "unknown column".
  const lines = text.split("\n");
  const headerLine = lines.findIndex((l) => l !== "");
  if (!lines[headerLine].includes(",") && /[;\t]/.test(lines[headerLine])) {
    return { ok: false, result: refuse("columns", [{ line: headerLine + 1, message: "import.errors.notCommaSeparated" }]) };
  }

  let lastLine = 0;
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lastLine = context.lines;
        return record;
      },
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // The row that failed starts on the first non-empty line after the last good one.
    let line = lastLine + 1;
    while (line < lines.length && lines[line - 1] === "") line++;
    const message = error.code === "CSV_QUOTE_NOT_CLOSED" ? "import.errors.quoteNotClosed" : "import.errors.malformed";
    return { ok: false, result: refuse("malformed", [{ line, message }]) };
  }
  const rows = records.map(({ record, info }) => ({
    line: info.lines - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0),
    fields: record,
  }));
  const [header, ...data] = rows;
  // Spreadsheets leave rows of empty cells behind: they are not suggestions.
  return { ok: true, header, rows: data.filter((r) => r.fields.some((f) => f.trim() !== "")) };
}

/** Where each column of docs/contract.md is in the file, or the header's problems. */
function readHeader(header: ParsedRow): { ok: true; index: Record<ImportColumn, number> } | { ok: false; problems: ImportProblem[] } {
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const problems: ImportProblem[] = [];
  const index: Partial<Record<ImportColumn, number>> = {};
  names.forEach((name, i) => {
    if (!name) problems.push({ line: header.line, message: `import.errors.emptyColumn|${i + 1}` });
    else if (!(IMPORT_COLUMNS as readonly string[]).includes(name))
      problems.push({ line: header.line, column: name, message: "import.errors.unknownColumn" });
    else if (index[name as ImportColumn] !== undefined)
      problems.push({ line: header.line, column: name, message: "import.errors.duplicateColumn" });
    else index[name as ImportColumn] = i;
  });
  for (const column of IMPORT_COLUMNS) {
    if (index[column] === undefined) problems.push({ line: header.line, column, message: "import.errors.missingColumn" });
  }
  return problems.length ? { ok: false, problems } : { ok: true, index: index as Record<ImportColumn, number> };
}

interface ValidRow extends ImportRow {
  line: number;
  clusterId: number;
}

/** Every row checked; the problems of all of them, or the rows ready to insert. */
function validateRows(
  rows: ParsedRow[],
  index: Record<ImportColumn, number>,
  clusterIds: Map<string, number>,
): { ok: true; rows: ValidRow[] } | { ok: false; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const valid: ValidRow[] = [];
  for (const row of rows) {
    if (row.fields.length !== IMPORT_COLUMNS.length) {
      problems.push({ line: row.line, message: `import.errors.fieldCount|${IMPORT_COLUMNS.length}` });
      continue;
    }
    // An empty cell is a missing value, as an empty form field is; slugs are read in any case.
    const values = Object.fromEntries(
      IMPORT_COLUMNS.map((c) => {
        const v = row.fields[index[c]];
        if (v.trim() === "") return [c, undefined];
        return [c, SLUG_COLUMNS.has(c) ? v.trim().toLowerCase() : v];
      }),
    );
    const parsed = ImportRowSchema.safeParse(values);
    const rowProblems: Partial<Record<ImportColumn, string>> = {};
    if (!parsed.success) {
      for (const [column, messages] of Object.entries(z.flattenError(parsed.error).fieldErrors)) {
        if (messages?.length) rowProblems[column as ImportColumn] = messages[0];
      }
    }
    const clusterId = typeof values.cluster === "string" ? clusterIds.get(values.cluster) : undefined;
    if (!rowProblems.cluster && clusterId === undefined) rowProblems.cluster = "import.errors.cluster";
    if (parsed.success && clusterId !== undefined) {
      valid.push({ ...parsed.data, line: row.line, clusterId });
      continue;
    }
    for (const column of IMPORT_COLUMNS) {
      if (rowProblems[column]) problems.push({ line: row.line, column, message: rowProblems[column] });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, rows: valid };
}

/** The id of the oldest organisation with each normalised name, for the names that exist. */
async function findOrganisationsByName(db: Executor, names: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < names.length; i += 500) {
    const rows = await db
      .selectFrom("organisations")
      .select(["id", "name_normalised"])
      .where("name_normalised", "in", names.slice(i, i + 500))
      .orderBy("id")
      .execute();
    for (const r of rows) if (!found.has(r.name_normalised)) found.set(r.name_normalised, r.id);
  }
  return found;
}

/**
 * Checks a workshop CSV file and, unless `dryRun`, imports every row as a
 * pending suggestion (source `import`, no author) in one transaction: all of
 * them or, when any row is bad, none, with the problems of every bad row.
 * Organisations are matched by normalised name or created. `actor` is the
 * moderator importing, or null for an operator at the command line.
 */
export async function importSubmissions(
  db: DB,
  params: { file: Uint8Array; fileName: string; actor: { id: number; role: Role } | null; dryRun?: boolean; now?: Date },
): Promise<ImportResult> {
  const now = params.now ?? new Date();
  if (params.file.byteLength > MAX_IMPORT_BYTES) return refuse("tooLarge");
  const parsed = parseFile(params.file);
  if (!parsed.ok) return parsed.result;
  const header = readHeader(parsed.header);
  if (!header.ok) return refuse("columns", header.problems);
  if (!parsed.rows.length) return refuse("noRows");
  if (parsed.rows.length > MAX_IMPORT_ROWS) return refuse("tooManyRows");

  const clusters = await db.selectFrom("clusters").select(["id", "slug"]).where("archived", "=", 0).execute();
  const checked = validateRows(parsed.rows, header.index, new Map(clusters.map((c) => [c.slug, c.id])));
  if (!checked.ok) return refuse("invalid", checked.problems);
  const consultation = await getActiveConsultation(db);
  if (!consultation) return refuse("noConsultation");

  const rows = checked.rows;
  const names = [...new Set(rows.map((r) => normaliseOrganisationName(r.organisation)))];
  const count = (existing: Map<string, number>) => ({
    organisationsMatched: existing.size,
    organisationsCreated: names.length - existing.size,
  });
  if (params.dryRun) {
    const existing = await findOrganisationsByName(db, names);
    return { ok: true, dryRun: true, rows: rows.length, ...count(existing), submissionIds: [] };
  }

  return db.transaction().execute(async (trx): Promise<ImportResult> => {
    const existing = await findOrganisationsByName(trx, names);
    const organisationIds = new Map(existing);
    const submissionIds: number[] = [];
    for (const row of rows) {
      const name = normaliseOrganisationName(row.organisation);
      let organisationId = organisationIds.get(name);
      if (organisationId === undefined) {
        // The first row that names it gives its city, province and cluster.
        organisationId = await insertOrganisation(
          trx,
          {
            name: row.organisation,
            type: IMPORTED_ORGANISATION_TYPE,
            sizeBand: IMPORTED_ORGANISATION_SIZE,
            city: row.city,
            province: row.province,
            clusterId: row.clusterId,
          },
          now,
        );
        organisationIds.set(name, organisationId);
      }
      const id = await insertPendingSubmission(
        trx,
        {
          consultationId: consultation.id,
          clusterId: row.clusterId,
          categoryId: null,
          authorId: null,
          organisationId,
          source: "import",
          input: { title: row.title, problem: row.problem, proposal: row.proposal, expectedImpact: row.expected_impact, stage: row.stage },
          actor: params.actor ? { id: params.actor.id, role: MODERATOR_ACTOR_ROLE } : { id: null, role: "system" },
        },
        now,
      );
      submissionIds.push(id);
    }
    const summary = { rows: rows.length, ...count(existing) };
    // The name the uploader's browser sent: kept as text an admin can read (PostgreSQL refuses a NUL).
    const fileName = params.fileName.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 200);
    await recordAudit(
      trx,
      {
        actorId: params.actor?.id ?? null,
        actorRole: params.actor?.role ?? "operator",
        action: "submission.import",
        targetType: "import",
        targetId: fileName,
        after: { file: fileName, ...summary, firstId: submissionIds[0], lastId: submissionIds[submissionIds.length - 1] },
      },
      now,
    );
    return { ok: true, dryRun: false, ...summary, submissionIds };
  });
}

/** The template offered for download: the header and one example row, UTF-8 with a BOM (Excel reads Urdu right), CRLF. */
export function importTemplateCsv(): string {
  const example = [
    "leather",
    "Shared effluent treatment for tanneries",
    "Small tanneries cannot each afford effluent treatment, and buyers abroad now ask for it.",
    "Fund a shared treatment plant run by the cluster association, paid back by user fees.",
    "Tanneries keep their export orders.",
    "Sialkot Tanners Association",
    "Sialkot",
    "punjab",
    "production",
  ];
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `\uFEFF${[IMPORT_COLUMNS.join(","), example.map(quote).join(",")].join("\r\n")}\r\n`;
}
