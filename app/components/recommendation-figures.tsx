// A recommendation's figures across its sources and its breakdown tables.
import { useTranslation } from "react-i18next";
import { NumberText, useNumberFormat } from "./dates";
import { BreakdownTable } from "./recommendation-form";

type Row = { key: string; label: string; supporters: number };
export interface FiguresProps {
  uniqueSupporters: number;
  organisations: number;
  provinces: number;
  verifiedSupporters: number;
  verifiedOrganisations: number;
  byCluster: Row[];
  bySize: Row[];
  byProvince: Row[];
}

/**
 * The figures apart for verified organisations (issue 15): "N supporters, of
 * whom V from verified organisations; M organisations, of which W verified".
 */
export function VerifiedFigures({
  figures,
}: {
  figures: Pick<FiguresProps, "uniqueSupporters" | "organisations" | "verifiedSupporters" | "verifiedOrganisations">;
}) {
  const { t } = useTranslation();
  const n = useNumberFormat();
  return (
    <p data-testid="verified-figures">
      {t("recommendation.figures.verifiedSupporters", {
        count: figures.uniqueSupporters,
        supporters: n(figures.uniqueSupporters),
        verified: n(figures.verifiedSupporters),
      })}{" "}
      {t("recommendation.figures.verifiedOrganisations", {
        count: figures.organisations,
        organisations: n(figures.organisations),
        verified: n(figures.verifiedOrganisations),
      })}
    </p>
  );
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
      <VerifiedFigures figures={figures} />
      <p className="hint">{t("recommendation.figures.note")}</p>
      {figures.uniqueSupporters === 0 ? <p className="muted">{t("recommendation.figures.none")}</p> : null}
      <BreakdownTable caption={t("recommendation.figures.byCluster")} rows={figures.byCluster} />
      <BreakdownTable caption={t("recommendation.figures.bySize")} rows={figures.bySize} />
      <BreakdownTable caption={t("recommendation.figures.byProvince")} rows={figures.byProvince} />
    </section>
  );
}
