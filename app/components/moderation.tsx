// Form pieces shared by the moderation queue (bulk decisions) and the decision
// screen: plain controls that post without JavaScript, with their errors
// next to them (linked by aria-describedby).
import { useTranslation } from "react-i18next";
import { REJECT_REASONS } from "../lib/reference";
import { useErrorText } from "./form";

export type FieldErrorMap = Partial<Record<string, string[]>>;

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

/** A summary of a refused decision, at the top of the page, linking to each field. */
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

export function CategoryCheckboxes({
  prefix,
  categories,
  checked,
  errors,
  legend,
}: {
  prefix: string;
  categories: Array<{ slug: string; name: string }>;
  checked: Set<string>;
  errors?: string[];
  legend: string;
}) {
  const errorId = `${prefix}-category-error`;
  return (
    <fieldset id={`${prefix}-category`} aria-describedby={errors?.length ? errorId : undefined}>
      <legend>{legend}</legend>
      <FieldError id={errorId} errors={errors} />
      <div className="checkbox-grid">
        {categories.map((c) => (
          <div className="field field--checkbox" key={c.slug}>
            <input type="checkbox" id={`${prefix}-cat-${c.slug}`} name="category" value={c.slug} defaultChecked={checked.has(c.slug)} />
            <label htmlFor={`${prefix}-cat-${c.slug}`}>{c.name}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

export function ReasonCodeSelect({ prefix, value, errors }: { prefix: string; value?: string; errors?: string[] }) {
  const { t } = useTranslation();
  const errorId = `${prefix}-reasonCode-error`;
  return (
    <div className="field">
      <label htmlFor={`${prefix}-reasonCode`}>{t("moderation.reject.code")}</label>
      <FieldError id={errorId} errors={errors} />
      <select id={`${prefix}-reasonCode`} name="reasonCode" defaultValue={value ?? ""} aria-invalid={errors?.length ? true : undefined} aria-describedby={errors?.length ? errorId : undefined}>
        <option value="">{t("form.choose")}</option>
        {REJECT_REASONS.map((r) => (
          <option key={r} value={r}>
            {t(`rejectReason.${r}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ReasonField({
  prefix,
  label,
  hint,
  value,
  errors,
  required = false,
}: {
  prefix: string;
  label: string;
  hint?: string;
  value?: string;
  errors?: string[];
  required?: boolean;
}) {
  const errorId = `${prefix}-reason-error`;
  const hintId = `${prefix}-reason-hint`;
  const describedBy = [hint ? hintId : "", errors?.length ? errorId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={`${prefix}-reason`}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} errors={errors} />
      <textarea
        id={`${prefix}-reason`}
        name="reason"
        rows={3}
        maxLength={2000}
        dir="auto"
        defaultValue={value ?? ""}
        required={required}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}
