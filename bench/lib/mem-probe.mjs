// Preloaded into a server process by the benchmarks (node --import):
// when BENCH_MEM_FILE is set, appends one JSON line of process.memoryUsage()
// every BENCH_MEM_INTERVAL_MS (default 100) to that file, so a benchmark can
// tell the V8 heap (heapUsed/heapTotal) from Buffers (external, arrayBuffers)
// and from the rest of the RSS. With --expose-gc and BENCH_GC_EVERY_MS set, it
// also runs a full GC that often and at once appends a sample marked
// `"gc": true` (the heap and RSS after a full GC: what a soak compares). A
// signal would not do: close-with-grace stops the server on SIGUSR2.
// Never loaded by the app itself.
import fs from "node:fs";

const file = process.env.BENCH_MEM_FILE;
const out = file ? `${file}.${process.pid}` : null;

/** Appends one sample of process.memoryUsage() (with `extra`, e.g. `{ gc: true }`) to this process's file. */
function record(extra) {
  const m = process.memoryUsage();
  const sample = {
    t: Date.now(),
    ...extra,
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
  fs.appendFileSync(out, JSON.stringify(sample) + "\n");
}

if (out) {
  setInterval(() => record({}), Number(process.env.BENCH_MEM_INTERVAL_MS ?? 100)).unref();
  const gcEvery = Number(process.env.BENCH_GC_EVERY_MS ?? 0);
  if (gcEvery > 0 && typeof globalThis.gc === "function") {
    setInterval(() => {
      globalThis.gc();
      record({ gc: true });
    }, gcEvery).unref();
  }
}
