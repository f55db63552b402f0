// The time of a spawned server, moved by the test instead of waited for
// (app/lib/clock.server.ts): the server reads TEST_CLOCK_FILE on each use of
// the rate limiter or the dashboard snapshot, so writing a new shift here takes
// effect from its next request. Servers sharing one database (and counters)
// share one clock: pass the same `env` to each.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ServerClock {
  /** spread into the spawned server's env */
  env: { TEST_CLOCK_FILE: string };
  /** the server's time now (ms since the epoch) */
  now(): number;
  /** moves the server's time forward by `ms` */
  advance(ms: number): void;
  /**
   * Moves the server's time forward to just after the next edge of a
   * `windowMs` bucket (a rate limiter's window; a longer window's edges are
   * also edges of the shorter ones it is a multiple of), so a burst of
   * attempts has the whole bucket before it and its count is exact.
   */
  toBucketStart(windowMs: number): void;
  remove(): void;
}

export function serverClock(): ServerClock {
  const dir = mkdtempSync(path.join(tmpdir(), "mashwara-clock-"));
  const file = path.join(dir, "shift-ms");
  let shift = 0;
  const write = () => writeFileSync(file, String(shift));
  write();
  const clock: ServerClock = {
    env: { TEST_CLOCK_FILE: file },
    now: () => Date.now() + shift,
    advance(ms) {
      shift += ms;
      write();
    },
    toBucketStart(windowMs) {
      const now = clock.now();
      clock.advance(windowMs - (now % windowMs) + 1_000);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return clock;
}
