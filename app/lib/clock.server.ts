// The time read by the rate limiter and the dashboard snapshot: the wall clock,
// unless TEST_CLOCK_FILE names a file holding a shift in milliseconds (tests
// only: a test that spawns the server writes it to move the server's time, e.g.
// to the start of a rate-limit bucket or past the dashboard's refresh interval,
// instead of sleeping; tests/support/clock.ts). Read from the environment here,
// not passed in from the config: the Remix build has its own copy of this
// module, and both must see the same time. Unset (as in production): Date.now().
import { readFileSync } from "node:fs";

/** Milliseconds since the epoch, as the app's time-based rules read them. */
export function nowMs(): number {
  const file = process.env.TEST_CLOCK_FILE;
  if (!file) return Date.now();
  let shift = 0;
  try {
    shift = Number(readFileSync(file, "utf8").trim()) || 0;
  } catch {
    shift = 0; // no file yet: no shift
  }
  return Date.now() + shift;
}

/** nowMs() as a Date. */
export const now = (): Date => new Date(nowMs());
