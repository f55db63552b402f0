// Shapes coverage figures (app/models/coverage.server.ts) for the coverage page,
// the printable briefing and its DOCX: names in the reader's language, shares
// as whole percentages in the reader's digits. Server-only.
import type { TFunction } from "i18next";
import type { CoverageFigures, CoverageRow, CoverageShare, UncoveredSuggestion } from "~/models/coverage.server";
import { percent } from "~/models/coverage.server";
import { formatNumber, type Digits } from "./format";
import { localName } from "./i18n";

export function coverageView(f: CoverageFigures, t: TFunction, lng: string, digits: Digits = "native") {
  const n = (v: number) => formatNumber({ lng, digits }, v);
  const pct = (part: number, whole: number) => `${n(percent(part, whole))}%`;
  const shares = (s: CoverageShare) => ({
    suggestions: s.suggestions,
    coveredSuggestions: s.coveredSuggestions,
    supporters: s.supporters,
    coveredSupporters: s.coveredSupporters,
    suggestionShare: pct(s.coveredSuggestions, s.suggestions),
    supporterShare: pct(s.coveredSupporters, s.supporters),
  });
  const row = (r: CoverageRow) => ({ ...shares(r), key: r.slug ?? "none", name: r.slug ? localName(r, lng) : t("coverage.uncategorised") });
  return { overall: shares(f.overall), byCluster: f.byCluster.map(row), byCategory: f.byCategory.map(row) };
}
export type CoverageView = ReturnType<typeof coverageView>;
export type CoverageViewRow = CoverageView["byCluster"][number];

export function leftOutView(rows: UncoveredSuggestion[], lng: string) {
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    supporters: r.supporters,
    cluster: localName({ name_en: r.cluster_name_en, name_ur: r.cluster_name_ur }, lng),
    reason: r.reason ?? "",
    reasonBy: r.reason_by,
    reasonAt: r.reason_at,
  }));
}

/** The sentence saying how much of the left-out list a document shows. */
export function leftOutBound(t: TFunction, lng: string, digits: Digits, leftOut: { total: number; limit: number }) {
  const n = (v: number) => formatNumber({ lng, digits }, v);
  return leftOut.total > leftOut.limit
    ? t("coverage.boundSome", { shown: n(leftOut.limit), total: n(leftOut.total) })
    : t("coverage.boundAll", { total: n(leftOut.total) });
}
