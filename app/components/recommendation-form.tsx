// The recommendation form (create and edit): plain controls that post without
// JavaScript, errors next to their fields, the typed values kept after an error.
import { useTranslation } from "react-i18next";
import { PRIORITIES, RECOMMENDATION_STATUSES, RESPONSE_STATUSES } from "../lib/recommendation-reference";
import { NumberText } from "./dates";
import { FieldError, type FieldErrorMap } from "./moderation";

export interface RecommendationValues {
  title: string;
  text: string;
  cluster: string[];
  category: string[];
  priority: string;
  dissent: string;
  status: string;
}

export interface ResponseValues {
  responseStatus: string;
  responseText: string;
  responsibleAgency: string;
  responseDate: string;
}

type Option = { slug: string; name: string };

function describedBy(...ids: Array<string | false | 0 | undefined>) {
  return ids.filter(Boolean).join(" ") || undefined;
}

function TextInput({ id, name, label, value, errors, hint, multiline, rows }: { id: string; name: string; label: string; value: string; errors?: string[]; hint?: string; multiline?: boolean; rows?: number }) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const props = {
    id,
    name,
    defaultValue: value,
    dir: "auto" as const,
    "aria-invalid": errors?.length ? true : undefined,
    "aria-describedby": describedBy(hint && hintId, errors?.length && errorId),
  };
  return (
    <div className={`field${errors?.length ? " field--error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} errors={errors} />
      {multiline ? <textarea rows={rows ?? 6} {...props} /> : <input type="text" {...props} />}
    </div>
  );
}

function Checkboxes({ id, name, legend, hint, options, checked, errors }: { id: string; name: string; legend: string; hint?: string; options: Option[]; checked: string[]; errors?: string[] }) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const set = new Set(checked);
  return (
    <fieldset id={id} aria-describedby={describedBy(hint && hintId, errors?.length && errorId)}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} errors={errors} />
      <div className="checkbox-grid">
        {options.map((o) => (
          <div className="field field--checkbox" key={o.slug}>
            <input type="checkbox" id={`${id}-${o.slug}`} name={name} value={o.slug} defaultChecked={set.has(o.slug)} />
            <label htmlFor={`${id}-${o.slug}`}>{o.name}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

function Select({ id, name, label, value, options, errors, hint }: { id: string; name: string; label: string; value: string; options: Array<{ value: string; label: string }>; errors?: string[]; hint?: string }) {
  const { t } = useTranslation();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  return (
    <div className={`field${errors?.length ? " field--error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} errors={errors} />
      <select id={id} name={name} defaultValue={value} aria-invalid={errors?.length ? true : undefined} aria-describedby={describedBy(hint && hintId, errors?.length && errorId)}>
        <option value="">{t("form.choose")}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The fields of create and update (`prefix` keeps ids unique on a page). */
export function RecommendationFields({ prefix, values, errors, clusters, categories }: { prefix: string; values: RecommendationValues; errors: FieldErrorMap; clusters: Option[]; categories: Option[] }) {
  const { t } = useTranslation();
  return (
    <>
      <TextInput id={`${prefix}-title`} name="title" label={t("recommendation.field.title")} value={values.title} errors={errors.title} />
      <TextInput id={`${prefix}-text`} name="text" label={t("recommendation.field.text")} value={values.text} errors={errors.text} multiline rows={8} />
      <Checkboxes id={`${prefix}-cluster`} name="cluster" legend={t("recommendation.field.cluster")} hint={t("recommendation.field.clusterHint")} options={clusters} checked={values.cluster} errors={errors.cluster} />
      <Checkboxes id={`${prefix}-category`} name="category" legend={t("recommendation.field.category")} options={categories} checked={values.category} errors={errors.category} />
      <Select
        id={`${prefix}-priority`}
        name="priority"
        label={t("recommendation.field.priority")}
        hint={t("recommendation.field.priorityHint")}
        value={values.priority}
        errors={errors.priority}
        options={PRIORITIES.map((p) => ({ value: String(p), label: String(p) }))}
      />
      <TextInput id={`${prefix}-dissent`} name="dissent" label={t("recommendation.field.dissent")} hint={t("recommendation.field.dissentHint")} value={values.dissent} errors={errors.dissent} multiline rows={4} />
      <Select
        id={`${prefix}-status`}
        name="status"
        label={t("recommendation.field.status")}
        value={values.status}
        errors={errors.status}
        options={RECOMMENDATION_STATUSES.map((s) => ({ value: s, label: t(`recommendation.status.${s}`) }))}
      />
    </>
  );
}

export function ResponseFields({ values, errors }: { values: ResponseValues; errors: FieldErrorMap }) {
  const { t } = useTranslation();
  return (
    <>
      <Select
        id="respond-responseStatus"
        name="responseStatus"
        label={t("recommendation.response.status")}
        value={values.responseStatus}
        errors={errors.responseStatus}
        options={RESPONSE_STATUSES.map((s) => ({ value: s, label: t(`recommendation.response.statuses.${s}`) }))}
      />
      <TextInput id="respond-responseText" name="responseText" label={t("recommendation.response.text")} value={values.responseText} errors={errors.responseText} multiline rows={5} />
      <TextInput id="respond-responsibleAgency" name="responsibleAgency" label={t("recommendation.response.agency")} value={values.responsibleAgency} errors={errors.responsibleAgency} />
      <div className={`field${errors.responseDate?.length ? " field--error" : ""}`}>
        <label htmlFor="respond-responseDate">{t("recommendation.response.date")}</label>
        <p className="hint" id="respond-responseDate-hint">
          {t("recommendation.response.dateHint")}
        </p>
        <FieldError id="respond-responseDate-error" errors={errors.responseDate} />
        <input
          type="date"
          id="respond-responseDate"
          name="responseDate"
          dir="ltr"
          defaultValue={values.responseDate}
          aria-invalid={errors.responseDate?.length ? true : undefined}
          aria-describedby={describedBy("respond-responseDate-hint", errors.responseDate?.length && "respond-responseDate-error")}
        />
      </div>
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
