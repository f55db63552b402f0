// A recommendation's figures across its sources and its breakdown tables.
import { useTranslation } from "react-i18next";
import { NumberText } from "./dates";
import { BreakdownTable } from "./recommendation-form";

type Row = { key: string; label: string; supporters: number };
export interface FiguresProps {
  uniqueSupporters: number;
  organisations: number;
  provinces: number;
  byCluster: Row[];
  bySize: Row[];
  byProvince: Row[];
}

export function RecommendationFiguresSection({ figures }: { figures: FiguresProps }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="figures-title">
      <h2 id="figures-title">{t("recommendation.figures.title")}</h2>
      <dl className="figures figures--large">
        <div>
          <dt>{t("recommendation.figures.uniqueSupporters")}</dt>
          <dd data-testid="unique-supporters">
            <NumberText value={figures.uniqueSupporters} />
          </dd>
        </div>
        <div>
          <dt>{t("recommendation.figures.organisations")}</dt>
          <dd>
            <NumberText value={figures.organisations} />
          </dd>
        </div>
        <div>
          <dt>{t("recommendation.figures.provinces")}</dt>
          <dd>
            <NumberText value={figures.provinces} />
          </dd>
        </div>
      </dl>
      <p className="hint">{t("recommendation.figures.note")}</p>
      {figures.uniqueSupporters === 0 ? <p className="muted">{t("recommendation.figures.none")}</p> : null}
      <BreakdownTable caption={t("recommendation.figures.byCluster")} rows={figures.byCluster} />
      <BreakdownTable caption={t("recommendation.figures.bySize")} rows={figures.bySize} />
      <BreakdownTable caption={t("recommendation.figures.byProvince")} rows={figures.byProvince} />
    </section>
  );
}
