// A stalled XLSX download must not make the server read the whole export into
// memory: the workbook writer waits while too much zipped output sits unread.
// Rows of random text barely compress, so pages pulled ≈ bytes held; highly
// compressible rows may run further ahead (their zipped backlog is tiny) and
// still hold little memory.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toXlsx } from "~/lib/export-formats.server";

const PAGES = 1000;
const COLUMNS = ["id", "title", "text"] as const;

function source(kind: "random" | "repetitive") {
  const state = { pulled: 0 };
  async function* pages() {
    for (let p = 0; p < PAGES; p++) {
      state.pulled++;
      yield Array.from({ length: 100 }, (_, i) => ({
        id: p * 100 + i,
        title: kind === "random" ? randomBytes(150).toString("base64") : "Common finishing unit ".repeat(10),
        text: kind === "random" ? randomBytes(300).toString("hex") : "x".repeat(600),
      }));
    }
  }
  return { state, sheet: { name: "s", columns: COLUMNS, pages } };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("XLSX writer under a reader that never reads", () => {
  it("pulls only a few pages of incompressible rows, and little memory grows", async () => {
    const { state, sheet } = source("random");
    const external0 = process.memoryUsage().external;
    const stream = toXlsx([sheet]) as unknown as NodeJS.ReadableStream & { destroy(): void };
    await settle(3000);
    // ~60 KB a page: 256 KB of unread output is a handful of pages, plus what the zip entry has in flight.
    expect(state.pulled).toBeLessThan(150);
    expect(process.memoryUsage().external - external0).toBeLessThan(64 * 1024 * 1024);
    stream.destroy();
  });

  it("with a reader, every page is written", async () => {
    const { state, sheet } = source("random");
    let bytes = 0;
    for await (const chunk of toXlsx([
      {
        ...sheet,
        pages: async function* () {
          let n = 0;
          for await (const page of sheet.pages()) {
            if (n++ >= 20) return;
            yield page;
          }
        },
      },
    ]))
      bytes += (chunk as Buffer).length;
    expect(state.pulled).toBe(21);
    expect(bytes).toBeGreaterThan(20 * 100 * 450);
  });
});
