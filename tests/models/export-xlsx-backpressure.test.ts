// The streamed XLSX writer must not run ahead of its reader. exceljs writes a
// sheet's XML into the zip entry without waiting for "drain" (its StreamBuf
// ignores backpressure), so a writer that only watched its own output queued
// the whole sheet in memory: +150 MB of Buffers for 100,000 submissions.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { toXlsx } from "../../app/models/export.server";

const COLUMNS = ["id", "title", "text"] as const;
const TOTAL_PAGES = 300;

function pagesCounting(counter: { pulled: number }) {
  return async function* () {
    for (let p = 0; p < TOTAL_PAGES; p++) {
      counter.pulled++;
      yield Array.from({ length: 100 }, (_, i) => ({ id: p * 100 + i, title: `Suggestion ${p * 100 + i}`, text: `=cmd ${"lorem ipsum dolor ".repeat(20)}` }));
    }
  };
}

describe("toXlsx backpressure", () => {
  it("stops reading pages while nobody reads the workbook, and finishes once read", async () => {
    const counter = { pulled: 0 };
    const out = toXlsx([{ name: "submissions", columns: COLUMNS, pages: pagesCounting(counter) }]);
    // Nobody reads for a while: the writer must pause after a few pages (≈ 256 KB of XML), not write the whole sheet.
    await new Promise((r) => setTimeout(r, 1500));
    expect(counter.pulled).toBeGreaterThan(0);
    expect(counter.pulled).toBeLessThan(TOTAL_PAGES / 3);
    // Then read it all: every page is written and the file opens.
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.from(out as AsyncIterable<Buffer>)) chunks.push(chunk as Buffer);
    expect(counter.pulled).toBe(TOTAL_PAGES);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("submissions")!;
    expect(ws.rowCount).toBe(TOTAL_PAGES * 100 + 1);
    expect(ws.getCell("C2").value).toMatch(/^'=cmd/);
  }, 60_000);
});
