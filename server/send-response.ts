// Writes a Remix (fetch API) Response to Express: @remix-run/express's
// sendRemixResponse, less one thing. That one calls `res.flush()` after every
// chunk when the compression middleware provides it, so each of the ~2 KB
// chunks React streams became its own gzip block: a cluster page went over the
// wire as 12.3 KB instead of 7.7 KB. Nothing here streams by the chunk
// (no deferred data, no event streams), so chunks go to the compressor
// unflushed and it writes whole blocks. Downloads keep their backpressure
// (app/lib/response-backpressure.server.ts waits on this response's "drain").
import type { Response as ExpressResponse } from "express";

export async function sendResponse(res: ExpressResponse, response: globalThis.Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    // A body of one chunk (a JSON answer, a redirect's page, a kept page) goes
    // out with res.end(chunk): Node sends it with its Content-Length in one
    // write, and compression leaves one under its 1 KB threshold alone instead
    // of running a gzip stream for a few dozen bytes (issue 17: the fixed cost
    // of a request). Longer bodies are written chunk by chunk as before.
    const first = await reader.read();
    if (first.done) {
      res.end();
      return;
    }
    const second = await reader.read();
    if (second.done) {
      res.end(first.value);
      return;
    }
    res.write(first.value);
    res.write(second.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
    throw error;
  }
}
