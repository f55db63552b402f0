// Shapes recommendation data for pages, the briefing and the DOCX: names in the
// viewer's language, breakdown labels translated. Server-only (uses the models' types).
import type { TFunction } from "i18next";
import type { RecommendationFigures } from "~/models/recommendation.server";
import { localName } from "./i18n";

export function figuresView(f: RecommendationFigures, t: TFunction, lng: string) {
  return {
    uniqueSupporters: f.uniqueSupporters,
    organisations: f.organisations,
    provinces: f.provinces,
    verifiedSupporters: f.verifiedSupporters,
    verifiedOrganisations: f.verifiedOrganisations,
    byCluster: f.byCluster.map((c) => ({ key: c.slug, label: localName(c, lng), supporters: c.supporters })),
    bySize: f.bySize.map((s) => ({
      key: s.sizeBand ?? "-",
      label: s.sizeBand ? t(`sizeBand.${s.sizeBand}`) : t("recommendation.figures.unknown"),
      supporters: s.supporters,
    })),
    byProvince: f.byProvince.map((p) => ({
      key: p.province ?? "-",
      label: p.province ? t(`province.${p.province}`, { defaultValue: p.province }) : t("recommendation.figures.unknown"),
      supporters: p.supporters,
    })),
  };
}
export type FiguresView = ReturnType<typeof figuresView>;

export function sourceView(
  s: {
    id: number;
    title: string;
    status: string;
    supporters_count: number;
    supporting_organisations: number;
    cluster_name_en: string;
    cluster_name_ur: string;
    merged_into_id: number | null;
  },
  lng: string,
) {
  return {
    id: s.id,
    title: s.title,
    status: s.status,
    supporters: s.supporters_count,
    organisations: s.supporting_organisations,
    cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng),
    mergedInto: s.merged_into_id,
  };
}
export type SourceView = ReturnType<typeof sourceView>;
