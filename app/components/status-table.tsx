import { useTranslation } from "react-i18next";
import { NumberText } from "./dates";
import { SUBMISSION_STATUSES } from "~/lib/reference";

/** Submissions per cluster and status, as an accessible table. */
export function StatusTable({
  caption,
  clusters,
  counts,
}: {
  caption: string;
  clusters: Array<{ id: number; name: string }>;
  counts: Array<{ clusterId: number; status: string; count: number }>;
}) {
  const { t } = useTranslation();
  const get = (clusterId: number, status: string) => counts.find((c) => c.clusterId === clusterId && c.status === status)?.count ?? 0;
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("table.cluster")}</th>
            {SUBMISSION_STATUSES.map((s) => (
              <th scope="col" key={s}>
                {t(`status.${s}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {clusters.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}</th>
              {SUBMISSION_STATUSES.map((s) => (
                <td key={s}>
                  <NumberText value={get(c.id, s)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
