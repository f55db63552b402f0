// Form pieces shared by the moderation pages (the queue's bulk decisions, the
// decision screen, the report review): the shared form components of
// form.tsx with the moderation choices filled in.
import { useTranslation } from "react-i18next";
import { REJECT_REASONS } from "../lib/reference";
import { CheckboxGroupField, SelectField, useErrorText } from "./form";

type AnyField = Parameters<typeof SelectField>[0]["field"];

/** The issue categories to choose from, as checkboxes (`<form id>-cat-<slug>`). */
export function CategoryField({ field, categories, legend }: { field: AnyField; categories: Array<{ slug: string; name: string }>; legend: string }) {
  return (
    <CheckboxGroupField
      field={field}
      legend={legend}
      options={categories.map((c) => ({ value: c.slug, label: c.name }))}
      optionId={(slug) => `${field.formId}-cat-${slug}`}
    />
  );
}

/** The reason code of a rejection, from the fixed list. */
export function RejectReasonField({ field, label, required }: { field: AnyField; label?: string; required?: boolean }) {
  const { t } = useTranslation();
  return (
    <SelectField
      field={field}
      label={label ?? t("moderation.reject.code")}
      placeholder={t("form.choose")}
      required={required}
      options={REJECT_REASONS.map((r) => ({ value: r, label: t(`rejectReason.${r}`) }))}
    />
  );
}

// ───────── deprecated: the hand-built error map, until its last users move to conform ─────────

/** @deprecated use conform's field errors (`submission.reply({ fieldErrors })`) and FieldErrors of form.tsx */
export type FieldErrorMap = Partial<Record<string, string[]>>;

/** @deprecated use FieldErrors of form.tsx with a conform field */
export function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  const errorText = useErrorText();
  if (!errors?.length) return null;
  return (
    <ul className="field-errors" id={id}>
      {errors.map((e) => (
        <li key={e}>{errorText(e)}</li>
      ))}
    </ul>
  );
}

/** @deprecated use ErrorSummary of form.tsx with conform fields */
export function DecisionErrorSummary({ message, fieldErrors, prefix }: { message?: string; fieldErrors?: FieldErrorMap; prefix: string }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const fields = Object.entries(fieldErrors ?? {}).filter(([, v]) => v?.length);
  if (!message && !fields.length) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1}>
      <h2>{t("form.errorSummary")}</h2>
      {message ? <p>{errorText(message)}</p> : null}
      {fields.length ? (
        <ul>
          {fields.map(([name, errors]) => (
            <li key={name}>
              <a href={`#${prefix}-${name}`}>{errorText(errors![0])}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
