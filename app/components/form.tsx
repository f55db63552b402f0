// Form building blocks: labelled fields with their errors next to them, an
// error summary at the top linking to each field (WCAG 3.3.1), the honeypot.
// Errors arrive as i18n keys, optionally "key|n" for a count (min/max lengths).
import { getInputProps, getSelectProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import { useTranslation } from "react-i18next";
import { messageText } from "~/lib/i18n";
import { HONEYPOT_FIELD } from "~/lib/schemas";

export function useErrorText() {
  const { t } = useTranslation();
  // `values`: what a message interpolates besides its count (a state named in a refusal).
  return (message: string, values?: Record<string, string>) => {
    if (!values) return messageText(t, message);
    const [key, n] = message.split("|");
    return t(key, n === undefined ? values : { ...values, count: Number(n) });
  };
}

type AnyField = FieldMetadata<any, any, string[]>;

export function FieldErrors({ field }: { field: AnyField }) {
  const errorText = useErrorText();
  if (!field.errors?.length) return null;
  return (
    <ul className="field-errors" id={field.errorId}>
      {field.errors.map((e) => (
        <li key={e}>{errorText(e)}</li>
      ))}
    </ul>
  );
}

export function ErrorSummary({
  fields,
  formErrors,
  formErrorValues,
}: {
  /** the fields to link to; one without a label is linked by its message alone */
  fields: Array<{ field: AnyField; label?: string }>;
  formErrors?: string[];
  /** values the form-level messages interpolate (a state named in a refusal) */
  formErrorValues?: Record<string, string>;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const withErrors = fields.filter((f) => f.field.errors?.length);
  if (!withErrors.length && !formErrors?.length) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
      <h2 id="error-summary-title">{t("form.errorSummary")}</h2>
      <ul>
        {formErrors?.map((e) => (
          <li key={e}>{errorText(e, formErrorValues)}</li>
        ))}
        {withErrors.map(({ field, label }) => (
          <li key={field.name}>
            <a href={`#${field.id}`}>
              {label ? <>{label}: </> : null}
              {errorText(field.errors![0])}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Label, hint and errors around one control; the control gets the ids to describe itself by. */
function FieldFrame({
  field,
  label,
  hint,
  children,
}: {
  field: AnyField;
  label: string;
  hint?: string;
  children: (describedBy: string | undefined) => React.ReactNode;
}) {
  const hintId = hint ? `${field.id}-hint` : undefined;
  const describedBy = [hintId, field.errors?.length ? field.errorId : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${field.errors?.length ? " field--error" : ""}`}>
      <label htmlFor={field.id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldErrors field={field} />
      {children(describedBy)}
    </div>
  );
}

export function TextField({
  field,
  label,
  hint,
  type = "text",
  autoComplete,
  dir,
  lang,
  maxLength,
  min,
  max,
  inputMode,
}: {
  field: AnyField;
  label: string;
  hint?: string;
  type?: "text" | "email" | "password" | "search" | "number" | "date" | "datetime-local";
  autoComplete?: string;
  dir?: "ltr" | "rtl" | "auto";
  /** the language of what is typed, when it is not the page's (a field for the Urdu name on an English page) */
  lang?: string;
  maxLength?: number;
  min?: number;
  max?: number;
  inputMode?: "numeric" | "text" | "email";
}) {
  // `type` first among the attributes, as a hand-written input has it.
  const { type: _type, ...props } = getInputProps(field, { type });
  return (
    <FieldFrame field={field} label={label} hint={hint}>
      {(describedBy) => (
        <input
          type={type}
          {...props}
          key={props.key}
          aria-describedby={describedBy}
          autoComplete={autoComplete}
          dir={dir}
          lang={lang}
          maxLength={maxLength}
          min={min}
          max={max}
          inputMode={inputMode}
        />
      )}
    </FieldFrame>
  );
}

export function TextAreaField({
  field,
  label,
  hint,
  rows = 6,
  dir = "auto",
  lang,
  maxLength,
  required,
}: {
  field: AnyField;
  label: string;
  hint?: string;
  rows?: number;
  dir?: "ltr" | "rtl" | "auto";
  lang?: string;
  maxLength?: number;
  required?: boolean;
}) {
  const props = getTextareaProps(field);
  return (
    <FieldFrame field={field} label={label} hint={hint}>
      {(describedBy) => (
        <textarea
          {...props}
          key={props.key}
          rows={rows}
          aria-describedby={describedBy}
          dir={dir}
          lang={lang}
          maxLength={maxLength}
          required={required}
        />
      )}
    </FieldFrame>
  );
}

export function SelectField({
  field,
  label,
  options,
  placeholder,
  required,
  hint,
}: {
  field: AnyField;
  label: string;
  options: Array<{ value: string; label: string }>;
  placeholder: string;
  required?: boolean;
  hint?: string;
}) {
  const props = { ...getSelectProps(field), ...(required ? { required } : {}) };
  return (
    <FieldFrame field={field} label={label} hint={hint}>
      {(describedBy) => (
        <select {...props} key={props.key} aria-describedby={describedBy}>
          <option value="">{placeholder}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

export function CheckboxField({ field, label, hint }: { field: AnyField; label: string; hint?: string }) {
  const hintId = hint ? `${field.id}-hint` : undefined;
  const describedBy = [hintId, field.errors?.length ? field.errorId : undefined].filter(Boolean).join(" ") || undefined;
  const props = getInputProps(field, { type: "checkbox" });
  return (
    <div className={`field field--checkbox${field.errors?.length ? " field--error" : ""}`}>
      <FieldErrors field={field} />
      <input {...props} key={props.key} aria-describedby={describedBy} />
      <label htmlFor={field.id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The values of a field that may hold several (a list, or one value as a string). */
function valuesOf(field: AnyField): string[] {
  const v = field.initialValue as unknown;
  return Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
}

/**
 * A group of checkboxes for one field of several values (`name` repeated):
 * a fieldset with its legend and errors, one box per option. `optionId`
 * names each box's id (default `<field id>-<value>`).
 */
export function CheckboxGroupField({
  field,
  legend,
  hint,
  options,
  optionId = (value) => `${field.id}-${value}`,
}: {
  field: AnyField;
  legend: string;
  hint?: string;
  options: Array<{ value: string; label: string }>;
  optionId?: (value: string) => string;
}) {
  const checked = new Set(valuesOf(field));
  const hintId = hint ? `${field.id}-hint` : undefined;
  const describedBy = [hintId, field.errors?.length ? field.errorId : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset id={field.id} aria-describedby={describedBy} className={field.errors?.length ? "field--error" : undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldErrors field={field} />
      <div className="checkbox-grid">
        {options.map((o) => (
          <div className="field field--checkbox" key={o.value}>
            <input
              type="checkbox"
              key={`${field.key ?? ""}${o.value}`}
              id={optionId(o.value)}
              name={field.name}
              value={o.value}
              defaultChecked={checked.has(o.value)}
            />
            <label htmlFor={optionId(o.value)}>{o.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * A group of radio buttons for a field of one value among a few: a fieldset
 * with its legend and errors, one button per option (id `<field id>-<value>`).
 * None is checked when the field has no value yet.
 */
export function RadioGroupField({
  field,
  legend,
  hint,
  options,
}: {
  field: AnyField;
  legend: string;
  hint?: string;
  options: Array<{ value: string; label: string }>;
}) {
  const current = valuesOf(field)[0];
  const hintId = hint ? `${field.id}-hint` : undefined;
  const describedBy = [hintId, field.errors?.length ? field.errorId : undefined].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset id={field.id} aria-describedby={describedBy} className={field.errors?.length ? "field--error" : undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldErrors field={field} />
      {options.map((o) => (
        <div className="field field--checkbox" key={o.value}>
          <input
            type="radio"
            key={`${field.key ?? ""}${o.value}`}
            id={`${field.id}-${o.value}`}
            name={field.name}
            value={o.value}
            defaultChecked={current === o.value}
          />
          <label htmlFor={`${field.id}-${o.value}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** Whether a field of several values holds `value` (for boxes laid out apart from each other, as in a table). */
export function isChecked(field: AnyField, value: string): boolean {
  return valuesOf(field).includes(value);
}

/** Hidden from people (off-screen, not focusable, labelled "leave empty"); bots fill it. */
export function Honeypot() {
  const { t } = useTranslation();
  return (
    <div className="hp" aria-hidden="true">
      <label htmlFor={`hp-${HONEYPOT_FIELD}`}>{t("form.honeypot")}</label>
      <input id={`hp-${HONEYPOT_FIELD}`} type="text" name={HONEYPOT_FIELD} tabIndex={-1} autoComplete="off" defaultValue="" />
    </div>
  );
}
