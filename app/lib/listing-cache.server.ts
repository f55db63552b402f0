// A short-lived, per-process memo of the cluster page's expensive reads: the
// number of matching submissions (a count over the cluster's index) and, for
// searches, the ids of a page (a search for a common word such as "export*"
// matches tens of thousands of submissions, and ordering them costs tens of
// milliseconds). Cards themselves (supporters, comments) are always read
// fresh, so a cached page shows current figures.
//
// Freshness: every change that moves a submission in or out of a listing —
// publication, withdrawal, hiding, tagging, merging, an edit of its text —
// records a submission event (recordEvent), and recording one starts a new
// generation here, dropping every entry of this process at once. Other
// worker processes of one server (WEB_CONCURRENCY) are told at once through
// the primary process; other instances (several machines on one PostgreSQL
// database) see a change within TTL_MS at most. Support counts move the "top" order without an event: that
// order may lag by TTL_MS; the figures on the cards never do.
import { LRUCache } from "lru-cache";

const TTL_MS = 10_000;
const MAX_ENTRIES = 5_000;
// A search's list of ids counts as its length: at most ~2 million ids (≈ 32 MB) in all.
const MAX_SIZE = 2_000_000;

// The generation lives on globalThis: the server (server/*.ts, run from
// source) and the Remix build (build/server/index.js, where the models run)
// each load their own copy of this module, and both must see one generation.
interface Shared {
  generation: number;
  listeners: Set<() => void>;
}
const shared: Shared = ((globalThis as Record<symbol, unknown>)[Symbol.for("mashwara.listings")] ??= {
  generation: 0,
  listeners: new Set(),
}) as Shared;

/** Something listed on the cluster pages changed: forget every memo of this process, and tell the listeners. */
export function listingsChanged(): void {
  shared.generation++;
  for (const listener of shared.listeners) listener();
}

/** Another worker process said something changed: forget, without telling anyone again. */
export function listingsChangedElsewhere(): void {
  shared.generation++;
}

/** The current generation: it moves whenever the memos of this process are dropped (the glossary keys its copy on it). */
export function listingsGeneration(): number {
  return shared.generation;
}

/** The server's worker processes relay changes to each other through this (server/index.ts). */
export function onListingsChanged(listener: () => void): () => void {
  shared.listeners.add(listener);
  return () => shared.listeners.delete(listener);
}

interface Entry {
  generation: number;
  value: unknown;
}

export class ListingCache {
  private readonly entries = new LRUCache<string, Entry>({
    max: MAX_ENTRIES,
    ttl: TTL_MS,
    maxSize: MAX_SIZE,
    sizeCalculation: (entry) => {
      const ids = (entry.value as { ids?: unknown[] } | null)?.ids;
      return Array.isArray(ids) ? Math.max(1, ids.length) : 1;
    },
  });

  /** Computations under way, one per key: readers who miss the same memo at once wait for one. */
  private readonly inFlight = new Map<string, { generation: number; promise: Promise<unknown> }>();

  /**
   * The memo under `key`, or `compute()` remembered under it (unless a change
   * happened meanwhile). While one reader computes a key, others missing it in
   * the same generation wait for that computation instead of starting their
   * own (a search for a common word costs hundreds of milliseconds: fifty at
   * once after the memo expired stalled a worker for seconds). If it fails
   * (e.g. that reader's own search limit), each waiter computes for itself.
   */
  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.generation === shared.generation) return hit.value as T;
    const flight = this.inFlight.get(key);
    if (flight && flight.generation === shared.generation) {
      try {
        return (await flight.promise) as T;
      } catch {
        // Not this reader's failure: compute below.
      }
    }
    const startedAt = shared.generation;
    const promise = compute();
    const mine = { generation: startedAt, promise };
    this.inFlight.set(key, mine);
    try {
      const value = await promise;
      if (startedAt === shared.generation) this.entries.set(key, { generation: startedAt, value });
      return value;
    } finally {
      if (this.inFlight.get(key) === mine) this.inFlight.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
