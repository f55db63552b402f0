// The rendered pages of readers who are not signed in, kept per process and
// served again while the database has not changed (ADR 0018).
//
// A national consultation's peak is a link shared on its last day: thousands
// of anonymous readers opening the same cluster and suggestion pages. Each
// render costs ~10 ms of CPU in Remix and React; the data under it changes far
// less often than it is read. So a page a route marks as cacheable
// (app/lib/page-cache.ts) is kept under its address, host, language and
// digits (and, for a "visitor" page, the reader's network address), together
// with the database's version read *before* the render began:
//
// - SQLite: `PRAGMA data_version` (moves when another connection commits:
//   the other workers, the CLI, another instance) and `total_changes()` (moves
//   with this connection's own writes).
// - PostgreSQL: the current snapshot (`xmin:xmax:xip…`), which moves whenever
//   any transaction that wrote commits or begins writing.
//
// A kept page is served only if that version is still the current one, so a
// reader never sees a figure older than the last committed change; because the
// version is read before the render, a change committed during a render makes
// the kept page look older than it is, never newer. Entries also expire after
// PAGE_CACHE_SECONDS (things that move with the clock: "closes in 2 days", a
// support window opening). Many readers asking for a page at once wait for one
// render of it. The page's CSP nonce is replaced by each response's own.
import type { Request, Response } from "express";
import { sql } from "kysely";
import { LRUCache } from "lru-cache";
import type { DbHandle } from "../db/client";
import { PAGE_CACHE_HEADER, type PageCacheMode } from "~/lib/page-cache";

/** The database's current version: equal strings mean nothing was committed in between. */
export type DataVersion = () => Promise<string>;

export function dataVersionOf(handle: DbHandle): DataVersion {
  if (handle.sqlite) {
    const dataVersion = handle.sqlite.prepare("PRAGMA data_version").pluck();
    const ownChanges = handle.sqlite.prepare("SELECT total_changes()").pluck();
    return async () => `${dataVersion.get()}:${ownChanges.get()}`;
  }
  return async () => {
    const { rows } = await sql<{ v: string }>`select pg_current_snapshot()::text as v`.execute(handle.db);
    return rows[0].v;
  };
}

interface Entry {
  version: string;
  /** the page split at the render's CSP nonce */
  parts: string[];
  headers: Array<[string, string]>;
  size: number;
}

/** The headers of a kept page that are sent again (the rest are the request's own: CSP, request id, cookies). */
const KEPT_HEADERS = new Set(["content-type", "cache-control", "vary", "content-language", "link"]);

/** How long a waiting request waits for another's render of the same page before rendering it itself. */
const WAIT_MS = 3_000;

export interface PageCacheOptions {
  version: DataVersion;
  ttlSeconds: number;
  /** bytes of page text kept by this process (default 32 MB) */
  maxBytes?: number;
}

export interface PageRequest {
  req: Request;
  res: Response;
  /** the CSP nonce this response carries */
  nonce: string;
  /** the reader's address, for "visitor" pages */
  visitor: string;
  /** language and digits the page is rendered in */
  format: string;
  render(): Promise<globalThis.Response>;
  send(response: globalThis.Response): Promise<void>;
}

export class PageCache {
  private readonly entries: LRUCache<string, Entry>;
  /** per address: how its page varies ("none": it was not cacheable last time) */
  private readonly modes = new LRUCache<string, PageCacheMode | "none">({ max: 20_000 });
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly options: PageCacheOptions) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: options.maxBytes ?? 32 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, entry.size),
      ttl: options.ttlSeconds * 1000,
    });
  }

  async serve(page: PageRequest): Promise<void> {
    const { req, res } = page;
    const base = `${page.format}\n${req.protocol}://${req.headers.host ?? ""}${req.originalUrl}`;
    const mode = this.modes.get(base);
    if (mode === "none") {
      // Not cacheable last time: render without reading the version, but note if that changed.
      const response = await page.render();
      const now = modeOf(response);
      if (now) this.modes.set(base, now);
      response.headers.delete(PAGE_CACHE_HEADER);
      return page.send(response);
    }
    const version = await this.options.version();
    const keyFor = (m: PageCacheMode | undefined) => (m === "visitor" ? `${base}\n${page.visitor}` : base);
    let key = keyFor(mode);
    let entry = this.fresh(key, version);
    if (!entry) {
      const waiting = this.pending.get(`${key}\n${version}`);
      if (waiting) {
        await Promise.race([waiting, new Promise((resolve) => setTimeout(resolve, WAIT_MS).unref())]);
        key = keyFor(this.modes.get(base) as PageCacheMode | undefined);
        entry = this.fresh(key, version);
      }
    }
    if (entry) {
      return this.reply(res, entry, page.nonce, "hit");
    }
    const flight = `${key}\n${version}`;
    let finished!: () => void;
    const owner = !this.pending.has(flight);
    if (owner) this.pending.set(flight, new Promise<void>((resolve) => (finished = resolve)));
    try {
      const response = await page.render();
      const now = modeOf(response);
      response.headers.delete(PAGE_CACHE_HEADER);
      if (!now || response.status !== 200 || response.headers.has("set-cookie") || !response.body) {
        this.modes.set(base, "none");
        return await page.send(response);
      }
      this.modes.set(base, now);
      const html = await response.text();
      const fresh: Entry = {
        version,
        parts: page.nonce ? html.split(page.nonce) : [html],
        headers: [...response.headers].filter(([name]) => KEPT_HEADERS.has(name.toLowerCase())),
        size: html.length * 2,
      };
      this.entries.set(keyFor(now), fresh);
      this.reply(res, fresh, page.nonce, "miss");
    } finally {
      if (owner) {
        this.pending.delete(flight);
        finished();
      }
    }
  }

  private fresh(key: string, version: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && entry.version === version ? entry : undefined;
  }

  private reply(res: Response, entry: Entry, nonce: string, how: "hit" | "miss") {
    res.status(200);
    for (const [name, value] of entry.headers) res.append(name, value);
    res.setHeader("X-Page-Cache", how);
    res.end(entry.parts.join(nonce));
  }
}

function modeOf(response: globalThis.Response): PageCacheMode | null {
  const mode = response.headers.get(PAGE_CACHE_HEADER);
  return mode === "shared" || mode === "visitor" ? mode : null;
}
