// The recommendation form (create and edit) and the response form: conform
// fields drawn by the shared components (app/components/form.tsx), so they
// post without JavaScript, with errors next to their fields and the typed
// values kept after an error.
import type { FieldMetadata } from "@conform-to/react";
import { useTranslation } from "react-i18next";
import { PRIORITIES, PROGRESS_STATUSES, RECOMMENDATION_STATUSES, RESPONSE_STATUSES } from "~/lib/recommendation-reference";
import { NumberText } from "./dates";
import { CheckboxGroupField, SelectField, TextAreaField, TextField } from "./form";

type Option = { slug: string; name: string };
type Field = FieldMetadata<any, any, string[]>;

/** The fields of create and update (the form's id keeps their ids unique on a page). */
export function RecommendationFields({
  fields,
  clusters,
  categories,
}: {
  /** the form's fields (title, text, dissent, titleUr, textUr, dissentUr, cluster, category, priority, status) */
  fields: Record<string, Field>;
  clusters: Option[];
  categories: Option[];
}) {
  const { t } = useTranslation();
  return (
    <>
      {/* The two language versions (issue 18, ADR 0032): either may be left out, not both. */}
      <p className="hint">{t("recommendation.field.versionsHint")}</p>
      <fieldset className="stack">
        <legend>{t("recommendation.field.english")}</legend>
        <TextField field={fields.title} label={t("recommendation.field.title")} dir="auto" lang="en" />
        <TextAreaField field={fields.text} label={t("recommendation.field.text")} rows={8} lang="en" />
        <TextAreaField
          field={fields.dissent}
          label={t("recommendation.field.dissent")}
          hint={t("recommendation.field.dissentHint")}
          rows={4}
          lang="en"
        />
      </fieldset>
      <fieldset className="stack">
        <legend>{t("recommendation.field.urdu")}</legend>
        <TextField field={fields.titleUr} label={t("recommendation.field.titleUr")} dir="rtl" lang="ur" />
        <TextAreaField field={fields.textUr} label={t("recommendation.field.textUr")} rows={8} dir="rtl" lang="ur" />
        <TextAreaField
          field={fields.dissentUr}
          label={t("recommendation.field.dissentUr")}
          hint={t("recommendation.field.dissentHint")}
          rows={4}
          dir="rtl"
          lang="ur"
        />
      </fieldset>
      <CheckboxGroupField
        field={fields.cluster}
        legend={t("recommendation.field.cluster")}
        hint={t("recommendation.field.clusterHint")}
        options={clusters.map((c) => ({ value: c.slug, label: c.name }))}
      />
      <CheckboxGroupField
        field={fields.category}
        legend={t("recommendation.field.category")}
        options={categories.map((c) => ({ value: c.slug, label: c.name }))}
      />
      <SelectField
        field={fields.priority}
        label={t("recommendation.field.priority")}
        hint={t("recommendation.field.priorityHint")}
        placeholder={t("form.choose")}
        options={PRIORITIES.map((p) => ({ value: String(p), label: String(p) }))}
      />
      <SelectField
        field={fields.status}
        label={t("recommendation.field.status")}
        placeholder={t("form.choose")}
        options={RECOMMENDATION_STATUSES.map((s) => ({ value: s, label: t(`recommendation.status.${s}`) }))}
      />
    </>
  );
}

/** The labels of the recommendation form's fields, for the error summary. */
export function useRecommendationLabels() {
  const { t } = useTranslation();
  return {
    title: t("recommendation.field.title"),
    text: t("recommendation.field.text"),
    titleUr: t("recommendation.field.titleUr"),
    textUr: t("recommendation.field.textUr"),
    dissentUr: t("recommendation.field.dissentUr"),
    cluster: t("recommendation.field.cluster"),
    category: t("recommendation.field.category"),
    priority: t("recommendation.field.priority"),
    dissent: t("recommendation.field.dissent"),
    status: t("recommendation.field.status"),
  };
}

/** The response form's fields (responseStatus, responseText, responsibleAgency, responseDate). */
export function ResponseFields({ fields }: { fields: Record<string, Field> }) {
  const { t } = useTranslation();
  return (
    <>
      <SelectField
        field={fields.responseStatus}
        label={t("recommendation.response.status")}
        placeholder={t("form.choose")}
        options={RESPONSE_STATUSES.map((s) => ({ value: s, label: t(`recommendation.response.statuses.${s}`) }))}
      />
      <TextAreaField field={fields.responseText} label={t("recommendation.response.text")} rows={5} />
      <TextField field={fields.responsibleAgency} label={t("recommendation.response.agency")} dir="auto" />
      <TextField
        field={fields.responseDate}
        label={t("recommendation.response.date")}
        hint={t("recommendation.response.dateHint")}
        type="date"
        dir="ltr"
      />
    </>
  );
}

/** An implementation progress update (issue 16): status, text, date, optional evidence link. */
export function ProgressFields({ fields }: { fields: Record<string, Field> }) {
  const { t } = useTranslation();
  return (
    <>
      <SelectField
        field={fields.progressStatus}
        label={t("recommendation.progress.status")}
        placeholder={t("form.choose")}
        options={PROGRESS_STATUSES.map((s) => ({ value: s, label: t(`recommendation.progress.statuses.${s}`) }))}
      />
      <TextAreaField field={fields.progressText} label={t("recommendation.progress.text")} rows={4} />
      <TextField
        field={fields.progressDate}
        label={t("recommendation.progress.date")}
        hint={t("recommendation.response.dateHint")}
        type="date"
        dir="ltr"
      />
      <TextField
        field={fields.evidenceUrl}
        label={t("recommendation.progress.evidence")}
        hint={t("recommendation.progress.evidenceHint")}
        dir="ltr"
      />
    </>
  );
}

/** Supporters by group: a plain data table (readable without JavaScript and by screen readers). */
export function BreakdownTable({ caption, rows }: { caption: string; rows: Array<{ key: string; label: string; supporters: number }> }) {
  const { t } = useTranslation();
  if (!rows.length) return null;
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("recommendation.figures.group")}</th>
            <th scope="col">{t("recommendation.figures.count")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>
                <NumberText value={r.supporters} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
