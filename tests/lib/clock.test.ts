// app/lib/clock.server.ts: the wall clock unless TEST_CLOCK_FILE holds a shift,
// and tests/support/clock.ts, which writes that shift for a spawned server.
import { afterEach, describe, expect, it } from "vitest";
import { nowMs } from "~/lib/clock.server";
import { serverClock } from "../support/clock";

describe("the app's clock and the test's hand on it", () => {
  const saved = process.env.TEST_CLOCK_FILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEST_CLOCK_FILE;
    else process.env.TEST_CLOCK_FILE = saved;
  });

  it("is the wall clock when TEST_CLOCK_FILE is unset", () => {
    delete process.env.TEST_CLOCK_FILE;
    const before = Date.now();
    const t = nowMs();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it("is shifted by what the file holds, read again on each use", () => {
    const clock = serverClock();
    try {
      process.env.TEST_CLOCK_FILE = clock.env.TEST_CLOCK_FILE;
      expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1_000);
      clock.advance(3_600_000);
      expect(Math.abs(nowMs() - (Date.now() + 3_600_000))).toBeLessThan(1_000);
      expect(Math.abs(nowMs() - clock.now())).toBeLessThan(1_000);
    } finally {
      clock.remove();
    }
    // A file that is gone: no shift.
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1_000);
  });

  it("toBucketStart moves the time to just after the next edge of the window, never back", () => {
    const clock = serverClock();
    try {
      const window = 15 * 60_000;
      const before = clock.now();
      clock.toBucketStart(window);
      const at = clock.now();
      expect(at).toBeGreaterThan(before);
      expect(at % window).toBeGreaterThanOrEqual(1_000);
      expect(at % window).toBeLessThan(2_000);
      expect(at - before).toBeLessThanOrEqual(window + 1_000);
    } finally {
      clock.remove();
    }
  });
});
