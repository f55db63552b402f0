// Coverage figures as a table (the coverage page and the printable briefing).
import { useTranslation } from "react-i18next";
import { NumberText } from "~/components/dates";

export interface CoverageTableRow {
  key: string;
  name: string;
  suggestions: number;
  coveredSuggestions: number;
  suggestionShare: string;
  supporters: number;
  coveredSupporters: number;
  supporterShare: string;
}

export function CoverageTable({
  id,
  caption,
  nameHeader,
  rows,
}: {
  id: string;
  caption: string;
  nameHeader: string;
  rows: CoverageTableRow[];
}) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table id={id} className="coverage-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{nameHeader}</th>
            <th scope="col">{t("coverage.col.suggestions")}</th>
            <th scope="col">{t("coverage.col.coveredSuggestions")}</th>
            <th scope="col">{t("coverage.col.suggestionShare")}</th>
            <th scope="col">{t("coverage.col.supporters")}</th>
            <th scope="col">{t("coverage.col.coveredSupporters")}</th>
            <th scope="col">{t("coverage.col.supporterShare")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <th scope="row">{r.name}</th>
              <td>
                <NumberText value={r.suggestions} />
              </td>
              <td>
                <NumberText value={r.coveredSuggestions} />
              </td>
              <td>{r.suggestionShare}</td>
              <td>
                <NumberText value={r.supporters} />
              </td>
              <td>
                <NumberText value={r.coveredSupporters} />
              </td>
              <td>{r.supporterShare}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
