import { useTranslation } from "react-i18next";
import { DateText } from "~/components/dates";

export interface ProgressView {
  id: number;
  status: string;
  text: string;
  date: string;
  evidenceUrl: string | null;
}

/** A recommendation's implementation progress, newest first (the public page and the organiser's page). */
export function ProgressHistory({ entries, headingLevel = 2 }: { entries: ProgressView[]; headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section aria-labelledby="progress-title">
      <Heading id="progress-title">{t("recommendation.progress.title")}</Heading>
      {entries.length ? (
        <ol className="stack progress-history" id="progress-history">
          {entries.map((p) => (
            <li key={p.id} className="card">
              <p className="card__meta">
                <DateText iso={`${p.date}T00:00:00Z`} /> ·{" "}
                <span className="badge">{t(`recommendation.progress.statuses.${p.status}`, { defaultValue: p.status })}</span>
              </p>
              <p className="plain-text" dir="auto">
                {p.text}
              </p>
              {p.evidenceUrl ? (
                <p>
                  <a href={p.evidenceUrl} rel="nofollow noopener noreferrer" dir="ltr">
                    {t("recommendation.progress.evidenceLink")}
                  </a>
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{t("recommendation.progress.none")}</p>
      )}
    </section>
  );
}
