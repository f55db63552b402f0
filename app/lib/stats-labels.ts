// What /stats's page, its CSV and its model share (browser-safe): the groups,
// the small-cell threshold, and the names of the groups (a cluster, a
// province, a size band, an organisation type, or "no organisation").
import type { TFunction } from "i18next";
import { localName } from "./i18n";

/** A figure is shown only when at least this many distinct people stand behind it. */
export const SMALL_CELL = 5;

export const STATS_DIMENSIONS = ["cluster", "province", "size", "type"] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];
export const STATS_TABLES = [...STATS_DIMENSIONS, "week"] as const;
export type StatsTable = (typeof STATS_TABLES)[number];

/** A shown figure, or null when suppressed (fewer than SMALL_CELL people behind it). */
export type Figure = number | null;

export function statsGroupLabel(
  dimension: StatsDimension,
  key: string,
  lng: string,
  t: TFunction,
  clusters: Array<{ slug: string; name_en: string; name_ur: string }>,
): string {
  if (key === "none") return t("stats.noOrganisation");
  switch (dimension) {
    case "cluster": {
      const c = clusters.find((x) => x.slug === key);
      return c ? localName(c, lng) : key;
    }
    case "province":
      return t(`province.${key}`, { defaultValue: key });
    case "size":
      return t(`sizeBand.${key}`, { defaultValue: key });
    case "type":
      return t(`organisationType.${key}`, { defaultValue: key });
  }
}
