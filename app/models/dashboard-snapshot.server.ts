// The organiser dashboard as a snapshot with its time (ADR 0017): computing
// it at national scale is ≈ 0.5 s of SQLite work (100,000 suggestions,
// 1,000,000 supports), so each process computes it at most once a minute and
// every view shows the time its figures were read ("as of"). Within a snapshot
// every number is exact for that moment; nothing is estimated.
//
// - Memo (app/lib/snapshot-memo.server.ts): per process and per database
//   handle, per consultation, clusters and window; it lives MAX_AGE_MS.
// - Single flight: while a snapshot is being computed, every other view (or a
//   refresh) waits for that one computation instead of starting its own, so
//   ten organisers arriving together cost one computation.
// - Refresh: an organiser may ask for fresh figures (the page's "refresh now"
//   form); a snapshot younger than MIN_REFRESH_MS is reused, so a button held
//   down cannot turn into a stream of computations.
// - The computation itself lets the event loop turn between its queries
//   (dashboard.server.ts, inTurn): other requests on the worker wait for one
//   query at most, not for the whole dashboard.
import type { Executor } from "../../db/client";
import { now as clockNow } from "~/lib/clock.server";
import { snapshotMemo } from "~/lib/snapshot-memo.server";
import { getDashboard, type Dashboard } from "./dashboard.server";

export const DASHBOARD_MAX_AGE_MS = 60_000;
export const DASHBOARD_MIN_REFRESH_MS = 5_000;

export interface DashboardSnapshot {
  /** When the figures were read (ISO time, the start of the computation). */
  asOf: string;
  dashboard: Dashboard;
}

const memo = snapshotMemo<DashboardSnapshot>();

export interface SnapshotParams {
  consultationId: number;
  clusterIds: number[];
  days?: number;
  /** The time of this view (tests move it forward); default: now (lib/clock.server.ts). */
  now?: Date;
  /** Ask for figures read now, unless the snapshot is younger than DASHBOARD_MIN_REFRESH_MS. */
  refresh?: boolean;
}

/** The dashboard's figures as of at most DASHBOARD_MAX_AGE_MS ago (computed now when older, or on refresh). */
export function getDashboardSnapshot(db: Executor, params: SnapshotParams): Promise<DashboardSnapshot> {
  const now = params.now ?? clockNow();
  return memo(db, `${params.consultationId}|${params.clusterIds.join(",")}|${params.days ?? 60}`, {
    now: now.getTime(),
    maxAgeMs: params.refresh ? DASHBOARD_MIN_REFRESH_MS : DASHBOARD_MAX_AGE_MS,
    compute: async () => ({
      asOf: now.toISOString(),
      dashboard: await getDashboard(db, { consultationId: params.consultationId, clusterIds: params.clusterIds, days: params.days, now }),
    }),
  });
}
