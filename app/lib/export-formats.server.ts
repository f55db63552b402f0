// The export file formats: CSV, JSON and XLSX writers that turn pages of rows
// (any objects keyed by column name) into a streamed body, written as the
// pages are read. They know nothing of the database: the rows come from the
// models (app/models/export.server.ts), the HTTP download that carries the
// body from app/lib/download.server.ts.
import { PassThrough } from "node:stream";
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";

/**
 * OWASP CSV injection: a text that a spreadsheet could read as a formula
 * (first character `=`, `+`, `-`, `@`, tab, CR, LF or NUL) gets a leading `'`.
 * Applied to every CSV field and every XLSX text cell.
 * Exported only for the tests (tests/models/exports.test.ts).
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r\n\0]/.test(value) ? `'${value}` : value;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return neutraliseFormula(String(value));
}

export type ExportFormat = "csv" | "json" | "xlsx";

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** One row of an export: a value per column name. */
type ExportRow = Record<string, unknown>;

/**
 * CSV (RFC 4180): UTF-8 with a BOM (Excel then reads Urdu correctly), CRLF,
 * quotes where needed, every field neutralised against formula injection.
 */
export async function* toCsv(columns: readonly string[], pages: AsyncIterable<ExportRow[]>): AsyncGenerator<string> {
  yield stringify([columns as string[]], { bom: true, record_delimiter: "\r\n" });
  for await (const page of pages) {
    yield stringify(
      page.map((row) => columns.map((c) => cellText(row[c]))),
      { record_delimiter: "\r\n" },
    );
  }
}

/** A JSON array of objects with the columns as keys, one row per line. */
export async function* toJson(columns: readonly string[], pages: AsyncIterable<ExportRow[]>): AsyncGenerator<string> {
  let first = true;
  yield "[";
  for await (const page of pages) {
    let chunk = "";
    for (const row of page) {
      const obj: ExportRow = {};
      for (const c of columns) obj[c] = row[c];
      chunk += (first ? "\n" : ",\n") + JSON.stringify(obj);
      first = false;
    }
    yield chunk;
  }
  yield first ? "]\n" : "\n]\n";
}

export interface XlsxSheet {
  name: string;
  columns: readonly string[];
  pages: () => AsyncIterable<ExportRow[]>;
}

/** Keeps the writer from running ahead of a slow reader: at most this much waits unread. */
const XLSX_HIGH_WATER = 256 * 1024;

/**
 * Bytes written but not yet handed to the reader: the sheet's XML waiting in
 * exceljs' own buffer and in the zip entry's deflate stream (exceljs writes
 * to it without waiting for "drain", so deflate — on the thread pool — falls
 * behind the row writer by tens of MB on a large sheet), plus the zipped
 * bytes waiting unread in `out`.
 */
function xlsxBacklog(ws: object, out: PassThrough): number {
  type Buffered = { _writableState?: { length?: number }; _readableState?: { length?: number } };
  const sheet = (ws as unknown as { _stream?: { buffers?: Array<{ length: number }>; pipes?: Buffered[] } })._stream;
  let n = out.readableLength;
  for (const b of sheet?.buffers ?? []) n += b.length;
  // archiver reads the sheet through a readable-stream PassThrough (no `writableLength` getter there)
  for (const p of sheet?.pipes ?? []) n += (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0);
  return n;
}

/**
 * A streamed XLSX workbook (exceljs WorkbookWriter): one sheet per entry, a
 * bold frozen header row, text cells neutralised like CSV fields. The writer
 * pauses while more than XLSX_HIGH_WATER bytes wait unread.
 */
export function toXlsx(sheets: XlsxSheet[]): AsyncIterable<Buffer> {
  const stream = new PassThrough();
  let cancelled = false;
  stream.on("close", () => (cancelled = true));
  const write = async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    workbook.creator = "Mashwara";
    for (const sheet of sheets) {
      const ws = workbook.addWorksheet(sheet.name, { views: [{ state: "frozen", ySplit: 1 }] });
      ws.columns = sheet.columns.map((c) => ({ header: c, key: c, width: Math.max(12, c.length + 2) }));
      ws.getRow(1).font = { bold: true };
      ws.getRow(1).commit();
      for await (const page of sheet.pages()) {
        for (const row of page) {
          ws.addRow(sheet.columns.map((c) => (typeof row[c] === "number" ? row[c] : cellText(row[c])))).commit();
        }
        while (!cancelled && xlsxBacklog(ws, stream) > XLSX_HIGH_WATER) await new Promise((r) => setTimeout(r, 5));
        if (cancelled) return;
      }
      ws.commit();
    }
    await workbook.commit();
  };
  write().catch((error) => stream.destroy(error as Error));
  return stream;
}
