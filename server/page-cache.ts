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
import type { SessionUser } from "~/auth/session.server";
import { PAGE_CACHE_HEADER, READER_PART_HEADER, type PageCacheMode, type ReaderPart } from "~/lib/page-cache";
import { fillTemplate, makeTemplate, type PageTemplate } from "./page-template";

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

/** A signed-in reader's page (ADR 0036): what differs from another reader's of the same role is filled in per response. */
export interface SignedInPageRequest {
  req: Request;
  res: Response;
  nonce: string;
  /** the reader's session, for "visitor" pages (the random order is seeded by it) */
  visitor: string;
  format: string;
  user: SessionUser;
  /** the reader's unread notifications (the header's badge): part of the key */
  countUnread(): Promise<number>;
  /** renders the page for the reader (`template` false) or for the stand-in of server/page-template.ts */
  render(options: { unread: number; template: boolean }): Promise<globalThis.Response>;
  /** the reader's own part of a template that has one (ADR 0041), or null: the page is then rendered for them */
  readerPart(route: ReaderPartRoute, version: string): Promise<ReaderPart | null>;
  send(response: globalThis.Response): Promise<void>;
}

/** The leaf route of a template's render, with its params: whose renderer fills in the reader part. */
export interface ReaderPartRoute {
  route: string;
  params: Record<string, string | undefined>;
}

interface TemplateEntry {
  version: string;
  template: PageTemplate;
  headers: Array<[string, string]>;
  /** for a template with a reader part */
  partRoute?: ReaderPartRoute;
}

export class PageCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly templates: LRUCache<string, TemplateEntry>;
  private readonly snapshots = new Map<string, string>();
  private snapshotGeneration = 0;
  /** per address: how its page varies ("none": it was not cacheable last time) */
  private readonly modes = new LRUCache<string, PageCacheMode | "none">({ max: 20_000 });
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly options: PageCacheOptions) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: options.maxBytes ?? 32 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, entry.size),
      ttl: options.ttlSeconds * 1000,
    });
    this.templates = new LRUCache<string, TemplateEntry>({
      maxSize: options.maxBytes ?? 32 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, entry.template.size),
      ttl: options.ttlSeconds * 1000,
    });
  }

  /**
   * A signed-in reader's page: from a template kept under the address,
   * language and digits, the role, the unread count and whether the address
   * is confirmed (they change what the page shows), the snapshot generation,
   * and for a "visitor" page the session, with the same version rule as an
   * anonymous page. The first request for an address is rendered for the
   * reader and tells whether its route allows templates at all. A template
   * whose render wrote the reader part's placeholder (the random order's
   * list) is kept as "shared": every reader's, with their own part rendered
   * into it by the route's renderer at the template's version (ADR 0041).
   */
  async serveSignedIn(page: SignedInPageRequest): Promise<void> {
    const { req, user } = page;
    const base = `signed-in\n${page.format}\n${req.protocol}://${req.headers.host ?? ""}${req.originalUrl}`;
    const unread = await page.countUnread();
    const mode = this.modes.get(base);
    if (mode === undefined || mode === "none") {
      const response = await page.render({ unread, template: false });
      const now = modeOf(response);
      if (now || mode === undefined) this.modes.set(base, now ?? "none");
      return page.send(response);
    }
    const version = await this.options.version();
    // The snapshot generation is read when the key is made: after a render that took a newer snapshot, the new one.
    const keyFor = (m: PageCacheMode) =>
      `${base}\n${user.role}:${unread}:${user.emailConfirmed ? 1 : 0}:${this.snapshotGeneration}${m === "visitor" ? `\n${page.visitor}` : ""}`;
    const values = { id: user.id, displayName: user.displayName, email: user.email };
    let key = keyFor(mode);
    let entry = this.freshTemplate(key, version);
    if (!entry && (await this.awaitRender(key, version))) {
      const now = this.modes.get(base);
      key = now && now !== "none" ? keyFor(now) : key;
      entry = this.freshTemplate(key, version);
    }
    if (entry) return this.replyTemplate(page, entry, values, unread, "hit");
    const flight = `${key}\n${version}`;
    let finished!: () => void;
    const owner = !this.pending.has(flight);
    if (owner) this.pending.set(flight, new Promise<void>((resolve) => (finished = resolve)));
    try {
      const response = await page.render({ unread, template: true });
      const now = modeOf(response);
      const partRoute = readerPartRoute(response);
      const made =
        now && response.status === 200 && !response.headers.has("set-cookie") && response.body
          ? makeTemplate(await response.text(), page.nonce)
          : null;
      // A reader part needs to know whose it is.
      const template = made && (!made.readerPart || partRoute) ? made : null;
      if (!now || !template) {
        // Never sent: it was rendered for the stand-in. A page that is not for templates after all (or one this
        // code cannot fill in) is rendered for each reader from now on; another answer (a redirect, a 429 for
        // this reader's searches) says nothing about the page, and is rendered again for the reader.
        if (!response.bodyUsed) await response.body?.cancel();
        if (response.status === 200) this.modes.set(base, "none");
        return await page.send(await page.render({ unread, template: false }));
      }
      this.modes.set(base, now);
      const fresh: TemplateEntry = {
        version,
        template,
        headers: [...response.headers].filter(([name]) => KEPT_HEADERS.has(name.toLowerCase()) && name.toLowerCase() !== "cache-control"),
        partRoute: template.readerPart ? partRoute : undefined,
      };
      this.templates.set(keyFor(now), fresh);
      await this.replyTemplate(page, fresh, values, unread, "miss");
    } finally {
      if (owner) {
        this.pending.delete(flight);
        finished();
      }
    }
  }

  /**
   * A page of this process showed the snapshot `name` taken at `asOf` (the
   * dashboard's figures: ADR 0017). Snapshots are taken without writing to the
   * database, so the version does not move: a newer one moves the generation
   * every signed-in template's key holds, and "read the figures again now" is
   * seen at once.
   */
  snapshotTaken(name: string, asOf: string): void {
    if (this.snapshots.get(name) === asOf) return;
    this.snapshots.set(name, asOf);
    this.snapshotGeneration += 1;
  }

  /** Waits (up to WAIT_MS) for another request's render of `key` at `version`, if one is under way; false if none is. */
  private async awaitRender(key: string, version: string): Promise<boolean> {
    const waiting = this.pending.get(`${key}\n${version}`);
    if (!waiting) return false;
    await Promise.race([waiting, new Promise((resolve) => setTimeout(resolve, WAIT_MS).unref())]);
    return true;
  }

  private freshTemplate(key: string, version: string): TemplateEntry | undefined {
    const entry = this.templates.get(key);
    return entry && entry.version === version ? entry : undefined;
  }

  private async replyTemplate(
    page: SignedInPageRequest,
    entry: TemplateEntry,
    values: Parameters<typeof fillTemplate>[2],
    unread: number,
    how: "hit" | "miss",
  ): Promise<void> {
    const part = entry.partRoute ? await page.readerPart(entry.partRoute, entry.version) : undefined;
    // No part for this reader after all (the page moved under them, a search over their limit): their own render.
    if (part === null) return page.send(await page.render({ unread, template: false }));
    const { res } = page;
    res.status(200);
    for (const [name, value] of entry.headers) res.append(name, value);
    res.setHeader("X-Page-Cache", how);
    res.end(fillTemplate(entry.template, page.nonce, { ...values, part }));
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
    if (!entry && (await this.awaitRender(key, version))) {
      key = keyFor(this.modes.get(base) as PageCacheMode | undefined);
      entry = this.fresh(key, version);
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

/** The leaf route and params a template's render names for its reader part, if any. */
function readerPartRoute(response: globalThis.Response): ReaderPartRoute | undefined {
  const header = response.headers.get(READER_PART_HEADER);
  if (!header) return undefined;
  try {
    const parsed = JSON.parse(decodeURIComponent(header)) as ReaderPartRoute;
    return typeof parsed.route === "string" && parsed.params && typeof parsed.params === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function modeOf(response: globalThis.Response): PageCacheMode | null {
  const mode = response.headers.get(PAGE_CACHE_HEADER);
  return mode === "shared" || mode === "visitor" ? mode : null;
}
