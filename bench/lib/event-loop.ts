/**
 * Runs `f` while a 1 ms timer samples the event loop: the longest gap between
 * two of its turns is the longest time another request would have waited.
 * (Wall-clock: on a busy machine a descheduled process shows as a gap too, so
 * a figure is an upper bound; take the load average with it.)
 */
export async function blocking<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; blockMs: number }> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await new Promise((r) => setTimeout(r, 5));
  longest = 0;
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  // One more turn of the sampler, so a block at the very end is counted too.
  await new Promise((r) => setTimeout(r, 3));
  running = false;
  return { value, ms: Math.round(ms * 10) / 10, blockMs: Math.round(longest * 10) / 10 };
}
