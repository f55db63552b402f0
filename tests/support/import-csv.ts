// Workshop import files for the tests: rows by column name, written as a
// spreadsheet would (RFC 4180 quoting), with or without BOM, LF or CRLF.
import { IMPORT_COLUMNS, type ImportColumn } from "~/lib/import-format";

export type ImportRowValues = Record<ImportColumn, string>;

let seq = 0;
/** A valid row, unique per call (leather, Sialkot, punjab), with overrides. */
export function importRow(overrides: Partial<ImportRowValues> = {}): ImportRowValues {
  seq += 1;
  return {
    cluster: "leather",
    title: `Shared effluent treatment plant number ${seq}`,
    problem: "Small tanneries cannot each afford effluent treatment, and buyers abroad now ask for it.",
    proposal: "Fund a shared treatment plant run by the cluster association, paid back by user fees.",
    expected_impact: "Tanneries keep their export orders.",
    organisation: "Sialkot Tanners Association",
    city: "Sialkot",
    province: "punjab",
    stage: "production",
    ...overrides,
  };
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface CsvOptions {
  bom?: boolean;
  newline?: "\n" | "\r\n";
  columns?: readonly string[];
}

/** A CSV text: the header (the columns of docs/contract.md unless given) and the rows. */
export function importCsv(rows: Array<Partial<Record<string, string>>>, options: CsvOptions = {}): string {
  const columns = options.columns ?? IMPORT_COLUMNS;
  const newline = options.newline ?? "\n";
  const lines = [columns.join(","), ...rows.map((r) => columns.map((c) => csvField(r[c] ?? "")).join(","))];
  return `${options.bom ? "\uFEFF" : ""}${lines.join(newline)}${newline}`;
}

export function importFile(rows: Array<Partial<Record<string, string>>>, options: CsvOptions = {}): Buffer {
  return Buffer.from(importCsv(rows, options), "utf8");
}
