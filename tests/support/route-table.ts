// The app's route table (app/routes.ts) as a flat list of URL templates, so a
// test can visit every route, including ones added after the test was written.
import routes from "~/routes";

export interface RouteTemplate {
  /** "/submissions/:id", "/admin/*", "/" */
  path: string;
  /** the route module, e.g. "routes/submission.tsx" */
  file: string;
  /** parameter names in order ("*" for a splat) */
  params: string[];
}

interface Entry {
  path?: string;
  file: string;
  index?: boolean;
  children?: Entry[];
}

function join(parent: string, child: string | undefined): string {
  const parts = [...parent.split("/"), ...(child ?? "").split("/")].filter(Boolean);
  return `/${parts.join("/")}`;
}

function flatten(entries: Entry[], parent = ""): RouteTemplate[] {
  const out: RouteTemplate[] = [];
  for (const entry of entries) {
    const path = join(parent, entry.path);
    // A layout without a path of its own adds nothing to the URL; an index route sits at its parent's path.
    if (!entry.children?.length || entry.index || entry.path !== undefined) {
      const params = path
        .split("/")
        .filter((s) => s.startsWith(":") || s === "*")
        .map((s) => (s === "*" ? "*" : s.slice(1).replace(/\?$/, "")));
      if (!entry.children?.length) out.push({ path, file: entry.file, params });
    }
    if (entry.children?.length) out.push(...flatten(entry.children, path));
  }
  return out;
}

/** Every route of app/routes.ts, one entry per distinct URL template. */
export function routeTemplates(): RouteTemplate[] {
  const seen = new Set<string>();
  return flatten(routes as Entry[]).filter((r) => (seen.has(r.path) ? false : (seen.add(r.path), true)));
}

function segmentScore(segment: string): number {
  if (segment === "*") return 1;
  if (segment.startsWith(":")) return 2;
  return 3;
}

/** A matcher for one template: the params it binds, or null. */
function matcher(template: RouteTemplate): (pathname: string) => Record<string, string> | null {
  const segments = template.path.split("/").filter(Boolean);
  const pattern = segments
    .map((s) => (s === "*" ? "(?:/(.*))?" : s.startsWith(":") ? "/([^/]+)" : `/${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`))
    .join("");
  const re = new RegExp(`^${pattern || ""}/?$`);
  return (pathname) => {
    const m = pathname.match(re);
    if (!m) return null;
    const out: Record<string, string> = {};
    template.params.forEach((name, i) => (out[name] = m[i + 1] ?? ""));
    return out;
  };
}

/** The template a path belongs to (the most specific match, as the router ranks them), or null. */
export function matchTemplate(
  templates: RouteTemplate[],
  pathname: string,
): { template: RouteTemplate; params: Record<string, string> } | null {
  let best: { template: RouteTemplate; params: Record<string, string>; score: number } | null = null;
  for (const template of templates) {
    const params = matcher(template)(pathname);
    if (!params) continue;
    const score =
      template.path
        .split("/")
        .filter(Boolean)
        .reduce((sum, s) => sum * 4 + segmentScore(s), 0) *
        100 +
      template.path.split("/").length;
    if (!best || score > best.score) best = { template, params, score };
  }
  return best && { template: best.template, params: best.params };
}

/** The template with its params filled in (values are put in as given: encode them first). */
export function fillTemplate(template: RouteTemplate, values: Record<string, string>): string {
  const filled = template.path
    .split("/")
    .map((s) => (s === "*" ? (values["*"] ?? "") : s.startsWith(":") ? (values[s.slice(1).replace(/\?$/, "")] ?? "") : s))
    .join("/");
  return filled === "" ? "/" : filled.replace(/\/$/, "") || "/";
}
