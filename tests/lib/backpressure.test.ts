// waitForDrain (app/lib/response-backpressure.server.ts): a streamed export
// waits for the response to drain once per page; each wait must leave no
// listener behind (a 100-page export warned MaxListenersExceeded before).
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { waitForDrain } from "~/lib/response-backpressure.server";

class FakeResponse extends EventEmitter {
  writableNeedDrain = false;
  destroyed = false;
  writableEnded = false;
}

describe("waitForDrain", () => {
  it("resolves at once when the response can take more", async () => {
    const res = new FakeResponse();
    await waitForDrain(res as unknown as ServerResponse);
    await waitForDrain(undefined);
    expect(res.listenerCount("drain") + res.listenerCount("close") + res.listenerCount("error")).toBe(0);
  });

  it("waits for drain, and leaves no listeners behind after many waits", async () => {
    const res = new FakeResponse();
    for (let page = 0; page < 50; page++) {
      res.writableNeedDrain = true;
      let resolved = false;
      const waiting = waitForDrain(res as unknown as ServerResponse).then(() => (resolved = true));
      await new Promise((r) => setImmediate(r));
      expect(resolved).toBe(false);
      res.writableNeedDrain = false;
      res.emit("drain");
      await waiting;
    }
    expect(res.listenerCount("drain")).toBe(0);
    expect(res.listenerCount("close")).toBe(0);
    expect(res.listenerCount("error")).toBe(0);
  });

  it("stops waiting when the client goes away", async () => {
    const res = new FakeResponse();
    res.writableNeedDrain = true;
    const waiting = waitForDrain(res as unknown as ServerResponse);
    res.destroyed = true;
    res.emit("close");
    await waiting;
    expect(res.listenerCount("drain") + res.listenerCount("close") + res.listenerCount("error")).toBe(0);
  });
});
