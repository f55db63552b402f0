// Preloaded into a server process by the benchmarks (node --import):
// when BENCH_MEM_FILE is set, appends one JSON line of process.memoryUsage()
// every BENCH_MEM_INTERVAL_MS (default 100) to that file, so a benchmark can
// tell the V8 heap (heapUsed/heapTotal) from Buffers (external, arrayBuffers)
// and from the rest of the RSS. With --expose-gc, SIGUSR2 forces a full GC.
// Never loaded by the app itself.
import fs from "node:fs";

const file = process.env.BENCH_MEM_FILE;
if (file) {
  const out = `${file}.${process.pid}`;
  const every = Number(process.env.BENCH_MEM_INTERVAL_MS ?? 100);
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    fs.appendFileSync(
      out,
      JSON.stringify({
        t: Date.now(),
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      }) + "\n",
    );
  }, every);
  timer.unref();
}
if (typeof globalThis.gc === "function") process.on("SIGUSR2", () => globalThis.gc());
