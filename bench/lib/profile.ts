// Summarises a `node --cpu-prof` profile the benchmarks wrote: self time
// grouped by package and by function, as Markdown tables. Shares are of the
// busy samples (idle left out): the profile spans the whole process
// (start-up, warm-up, the measured requests), so the shares are what counts;
// "per request" divides by every request the process served.
import fs from "node:fs";
import path from "node:path";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };

/** Where a frame's code comes from: a package, node internals, our build, or a source path. */
function packageOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const after = url.includes("node_modules/") ? url.split("node_modules/")[1] : "";
  if (after)
    return after
      .split("/")
      .slice(0, after.startsWith("@") ? 2 : 1)
      .join("/");
  if (url.startsWith("node:")) return "node internals";
  if (url.includes("/build/server/")) return "our server build (routes, components, models)";
  return path.relative(process.cwd(), url.replace(/^file:\/\//, ""));
}

/** The profile file in `dir`, summarised over `requests` requests; lines to print. */
export function profileReport(dir: string, requests: number, options: { functions?: number } = {}): string {
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no profile written");
  const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") continue;
    busy += us;
    const key = `${functionName || "(anonymous)"} ${url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "")}:${lineNumber}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = packageOf(functionName, url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `| ${name} | ${((us / busy) * 100).toFixed(1)} % | ${(us / 1000 / requests).toFixed(3)} ms |`);
  return [
    `profile ${path.join(dir, file)}; busy samples ${(busy / 1000).toFixed(0)} ms over ${requests} requests and the start-up`,
    "",
    "| by package | share of busy samples | per request |\n|---|---:|---:|\n" + top(pkg, 15).join("\n"),
    "",
    "| top functions (self time) | share | per request |\n|---|---:|---:|\n" + top(fn, options.functions ?? 20).join("\n"),
  ].join("\n");
}
