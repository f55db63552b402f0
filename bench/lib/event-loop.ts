const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Runs `f` while a 1 ms timer samples the event loop: the longest gap between
 * two of its turns is the longest time another request would have waited
 * (`blockMs`, wall clock: on a busy machine a descheduled process shows as a
 * gap too, so it is an upper bound; take the load average with it), and
 * `blockCpuMs` the most CPU time the process used within one such gap (what
 * the same block costs on an idle machine; it counts every thread of the
 * process, so it is an upper bound too).
 */
export async function blocking<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; blockMs: number; blockCpuMs: number }> {
  let last = performance.now();
  let lastCpu = cpuMs();
  let longest = 0;
  let longestCpu = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    const cpu = cpuMs();
    longest = Math.max(longest, now - last);
    longestCpu = Math.max(longestCpu, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await new Promise((r) => setTimeout(r, 5));
  longest = 0;
  longestCpu = 0;
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  // One more turn of the sampler, so a block at the very end is counted too.
  await new Promise((r) => setTimeout(r, 3));
  running = false;
  return { value, ms: Math.round(ms * 10) / 10, blockMs: Math.round(longest * 10) / 10, blockCpuMs: Math.round(longestCpu * 10) / 10 };
}
