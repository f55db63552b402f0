// Form pieces shared by the moderation pages (the queue's bulk decisions, the
// decision screen, the report review): the shared form components of
// form.tsx with the moderation choices filled in.
import { useTranslation } from "react-i18next";
import { REJECT_REASONS } from "~/lib/reference";
import { CheckboxGroupField, SelectField } from "./form";

type AnyField = Parameters<typeof SelectField>[0]["field"];

/** The issue categories to choose from, as checkboxes (`<form id>-cat-<slug>`). */
export function CategoryField({
  field,
  categories,
  legend,
}: {
  field: AnyField;
  categories: Array<{ slug: string; name: string }>;
  legend: string;
}) {
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
