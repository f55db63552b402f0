// What a page weighs as served: the HTML's bytes (raw and gzip), and every
// script the page loads at start — the entry, route modules, modulepreloads and
// whatever they import statically — each as the server sends it with
// `Accept-Encoding: gzip`. Dynamic `import()`s (loaded later, on demand) are
// listed apart. Used by tests/routes/page-weight.test.ts and bench/lighthouse.ts.
import http from "node:http";
import { gzipSync } from "node:zlib";

export interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** bytes on the wire (compressed when the server compressed) */
  wireBytes: number;
  body: Buffer;
}

/** A GET without automatic decompression, so the bytes are the bytes sent. */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, wireBytes: body.length, body });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

export interface ScriptWeight {
  path: string;
  rawBytes: number;
  /** as served with Accept-Encoding: gzip (files under compression's threshold go uncompressed) */
  gzipBytes: number;
  cacheControl: string | undefined;
}

export interface PageWeight {
  url: string;
  status: number;
  htmlBytes: number;
  htmlGzipBytes: number;
  htmlCacheControl: string | undefined;
  scripts: ScriptWeight[];
  scriptGzipTotal: number;
  scriptRawTotal: number;
  /** chunks only reachable through import(): not loaded with the page */
  lazyChunks: string[];
  stylesheets: Array<{
    path: string;
    gzipBytes: number;
    cacheControl: string | undefined;
    fonts: Array<{ path: string; cacheControl: string | undefined }>;
  }>;
  images: Array<{ tag: string; lazy: boolean }>;
  html: string;
}

const STATIC_IMPORT = /(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+\.js)["']/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+\.js)["']\s*\)/g;

function resolveAsset(from: string, spec: string): string {
  return new URL(spec, `http://x${from}`).pathname;
}

export async function measurePage(base: string, path: string, headers: Record<string, string> = {}): Promise<PageWeight> {
  const raw = await rawGet(base + path, { ...headers, "Accept-Encoding": "identity" });
  const gz = await rawGet(base + path, { ...headers, "Accept-Encoding": "gzip" });
  const html = raw.body.toString("utf8");

  // Entry points: <script src>, modulepreloads, and the imports of inline module scripts.
  const start = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) start.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) start.add(m[1]);
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*>([\s\S]*?)<\/script>/g)) {
    for (const i of m[1].matchAll(STATIC_IMPORT)) start.add(i[1]);
    // Remix's entry is imported by the inline module (`import("/assets/entry.client-….js")`): it loads at once.
    for (const i of m[1].matchAll(DYNAMIC_IMPORT)) start.add(i[1]);
  }

  const scripts: ScriptWeight[] = [];
  const seen = new Set<string>();
  const lazy = new Set<string>();
  const queue = [...start];
  while (queue.length) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const [plain, zipped] = await Promise.all([
      rawGet(base + p, { "Accept-Encoding": "identity" }),
      rawGet(base + p, { "Accept-Encoding": "gzip" }),
    ]);
    if (plain.status !== 200) throw new Error(`${p} answered ${plain.status}`);
    scripts.push({ path: p, rawBytes: plain.wireBytes, gzipBytes: zipped.wireBytes, cacheControl: plain.headers["cache-control"] });
    const code = plain.body.toString("utf8");
    for (const m of code.matchAll(STATIC_IMPORT)) queue.push(resolveAsset(p, m[1]));
    for (const m of code.matchAll(DYNAMIC_IMPORT)) lazy.add(resolveAsset(p, m[1]));
  }

  const stylesheets: PageWeight["stylesheets"] = [];
  for (const m of html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)) {
    const css = await rawGet(base + m[1], { "Accept-Encoding": "gzip" });
    const plain = await rawGet(base + m[1], { "Accept-Encoding": "identity" });
    const fonts = [];
    for (const f of new Set(
      [...plain.body.toString("utf8").matchAll(/url\(([^)]+\.(?:woff2?|ttf|otf))\)/g)].map((x) => x[1].replace(/["']/g, "")),
    )) {
      const font = await rawGet(base + resolveAsset(m[1], f));
      fonts.push({ path: f, cacheControl: font.headers["cache-control"] });
    }
    stylesheets.push({ path: m[1], gzipBytes: css.wireBytes, cacheControl: css.headers["cache-control"], fonts });
  }

  const images = [...html.matchAll(/<img\b[^>]*>/g)].map((m) => ({ tag: m[0], lazy: /\sloading="lazy"/.test(m[0]) }));

  return {
    url: path,
    status: raw.status,
    htmlBytes: raw.wireBytes,
    htmlGzipBytes: gz.headers["content-encoding"] === "gzip" ? gz.wireBytes : gzipSync(raw.body).length,
    htmlCacheControl: raw.headers["cache-control"],
    scripts,
    scriptGzipTotal: scripts.reduce((n, s) => n + s.gzipBytes, 0),
    scriptRawTotal: scripts.reduce((n, s) => n + s.rawBytes, 0),
    lazyChunks: [...lazy].filter((p) => !seen.has(p)),
    stylesheets,
    images,
    html,
  };
}

export const IMMUTABLE = "public, max-age=31536000, immutable";
