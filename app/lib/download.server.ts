// Streamed downloads (the exports): a web Response whose body is pulled from
// an async iterable of chunks as the client reads, with backpressure from the
// Node response (app/lib/response-backpressure.server.ts), and the download's
// file name.
import { currentResponse, waitForDrain } from "./response-backpressure.server";

/** `submissions-<cluster|all>-<YYYYMMDD>.<ext>`: ASCII only. */
export function exportFileName(kind: string, cluster: string | null | undefined, ext: string, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "");
  const safe = (s: string) => s.replace(/[^a-z0-9-]/gi, "").slice(0, 60) || "all";
  return `${safe(kind)}-${cluster === undefined ? "" : `${safe(cluster ?? "all")}-`}${day}.${ext}`;
}

/** A streamed download: a web Response whose body is pulled from `chunks` as the client reads. */
export function downloadResponse(chunks: AsyncIterable<string | Buffer>, contentType: string, fileName: string): Response {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  // The socket this body goes to (when served over HTTP): nothing more is read
  // from the database until it has taken what was written.
  const res = currentResponse();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        await waitForDrain(res);
        const { value, done } = await iterator.next();
        if (done) return controller.close();
        // a view of the Buffer, not a copy (a copy doubled the XLSX writer's Buffer churn)
        controller.enqueue(
          typeof value === "string" ? encoder.encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
        );
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": `attachment; filename="${fileName}"`,
      // (the server adds "no-store" to every signed-in response; downloads need a signed-in organiser)
      "X-Content-Type-Options": "nosniff",
    },
  });
}
