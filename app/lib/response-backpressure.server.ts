// Backpressure for streamed downloads. Remix's Express adapter copies a
// Response body to the socket without waiting for "drain", so a slow client
// would make the whole export pile up in the server's memory. The HTTP
// server runs each request inside this AsyncLocalStorage with its Node
// response; a streamed body asks `waitForDrain()` before producing the next
// chunk. One store per process (a global symbol): the server and the Remix
// build are bundled apart and must share it.
import { AsyncLocalStorage } from "node:async_hooks";
import { once } from "node:events";
import type { ServerResponse } from "node:http";

const KEY = Symbol.for("mashwara.responseStore");
const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<ServerResponse> | undefined>;
export const responseStore: AsyncLocalStorage<ServerResponse> = (g[KEY] ??= new AsyncLocalStorage<ServerResponse>());

/** The Node response of the request being handled, if any (not in the CLI or tests). */
export function currentResponse(): ServerResponse | undefined {
  return responseStore.getStore();
}

/** Resolves once `res` can take more (at once when its buffer is below the high-water mark). */
export async function waitForDrain(res: ServerResponse | undefined): Promise<void> {
  while (res && res.writableNeedDrain && !res.destroyed && !res.writableEnded) {
    // Whichever comes first; the other wait is cancelled, so no listener is
    // left behind on the response (one per page of an export otherwise).
    const done = new AbortController();
    try {
      await Promise.race([once(res, "drain", { signal: done.signal }), once(res, "close", { signal: done.signal })]);
    } catch (error) {
      if ((error as { name?: string }).name !== "AbortError") throw error;
    } finally {
      done.abort();
    }
  }
}
