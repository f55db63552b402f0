// The structured suggestion form, used to submit and to edit. Works
// without JavaScript ("check for similar" posts the form); with JavaScript the
// similar suggestions update as the title is typed.
import { getFormProps, useForm, type FieldMetadata, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, Link, useFetcher } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { HORIZONS } from "~/lib/reference";
import { SubmissionFormSchema } from "~/lib/schemas";
import { NumberText } from "./dates";
import { ErrorSummary, SelectField, TextAreaField, TextField } from "./form";

export interface Option {
  value: string;
  label: string;
}

export interface SimilarItem {
  id: number;
  title: string;
  supporters: number;
  cluster: string;
}

export function SimilarList({ items }: { items: SimilarItem[] }) {
  const { t } = useTranslation();
  if (!items.length) return <p className="muted">{t("submission.similar.none")}</p>;
  return (
    <ul className="similar-list">
      {items.map((s) => (
        <li key={s.id}>
          <Link to={`/submissions/${s.id}`}>
            <bdi>{s.title}</bdi>
          </Link>{" "}
          <span className="muted">
            #{s.id}
            {t("app.separator")}
            {s.cluster}
            {t("app.separator")}
            <NumberText value={s.supporters} /> {t("submission.supporters", { count: s.supporters })}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function SubmissionForm({
  id,
  lastResult,
  formErrors = [],
  clusters,
  categories,
  stages,
  similar,
  submitLabel,
  showSimilarCheck,
}: {
  id: string;
  lastResult?: SubmissionResult<string[]>;
  formErrors?: string[];
  clusters: Option[];
  categories: Option[];
  stages: Option[];
  similar: SimilarItem[] | null;
  submitLabel: string;
  showSimilarCheck: boolean;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm({
    id,
    lastResult,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    // conform checks every submit; "Check for similar" (formNoValidate) only reads, so it goes through unchecked, as without JavaScript.
    onValidate: ({ formData, submitter }) =>
      parseWithZod(formData, {
        schema: (submitter as HTMLButtonElement | null)?.formNoValidate ? SubmissionFormSchema.partial() : SubmissionFormSchema,
      }),
  });
  const similarFetcher = useFetcher<{ similar: SimilarItem[] }>();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const onTitleInput = (e: React.FormEvent<HTMLDivElement>) => {
    const title = (e.target as HTMLInputElement).value ?? "";
    clearTimeout(timer.current);
    if (title.trim().length < 4) return;
    timer.current = setTimeout(() => similarFetcher.load(`/submissions/similar?${new URLSearchParams({ title })}`), 400);
  };
  const shownSimilar = similarFetcher.data?.similar ?? similar;
  const labels = useSubmissionLabels();

  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <ErrorSummary
        formErrors={[...new Set([...(form.errors ?? []), ...formErrors])]}
        fields={SUBMISSION_FIELDS.map((k) => ({ field: fields[k], label: labels[k] }))}
      />
      <SubmissionFields
        fields={fields}
        clusters={clusters}
        categories={categories}
        stages={stages}
        onTitleInput={onTitleInput}
        afterTitle={
          showSimilarCheck ? (
            <section className="similar" aria-labelledby={`${id}-similar`}>
              <h2 id={`${id}-similar`} className="h3">
                {t("submission.similar.title")}
              </h2>
              <p className="field-hint">{t("submission.similar.hint")}</p>
              {shownSimilar ? <SimilarList items={shownSimilar} /> : null}
              {/* As the title is typed the list changes in place: how many there are now is said once, politely. */}
              <p role="status" aria-live="polite" className="visually-hidden">
                {similarFetcher.state === "idle" && similarFetcher.data
                  ? similarFetcher.data.similar.length
                    ? t("submission.similar.found", { count: similarFetcher.data.similar.length })
                    : t("submission.similar.none")
                  : ""}
              </p>
              <button type="submit" name="intent" value="check" className="button button--secondary" formNoValidate>
                {t("submission.similar.check")}
              </button>
            </section>
          ) : null
        }
      />
      <button type="submit" name="intent" value="submit" className="button">
        {submitLabel}
      </button>
    </Form>
  );
}

/** The suggestion form's fields, in the order of the form. */
export const SUBMISSION_FIELDS = [
  "cluster",
  "title",
  "problem",
  "proposal",
  "expectedImpact",
  "stage",
  "suggestedCategory",
  "horizon",
] as const;
type SubmissionField = (typeof SUBMISSION_FIELDS)[number];

export function useSubmissionLabels(): Record<SubmissionField, string> {
  const { t } = useTranslation();
  return {
    cluster: t("submission.form.cluster"),
    title: t("submission.form.title"),
    problem: t("submission.form.problem"),
    proposal: t("submission.form.proposal"),
    expectedImpact: t("submission.form.expectedImpact"),
    stage: t("submission.form.stage"),
    suggestedCategory: t("submission.form.suggestedCategory"),
    horizon: t("submission.form.horizon"),
  };
}

/**
 * The suggestion's fields with their labels, hints and errors: for the
 * author's form above and for a moderator's workshop entry (same names, same schema).
 */
export function SubmissionFields({
  fields,
  clusters,
  categories,
  stages,
  onTitleInput,
  afterTitle,
}: {
  fields: Record<string, FieldMetadata<any, any, string[]>>;
  clusters: Option[];
  categories: Option[];
  stages: Option[];
  onTitleInput?: (e: React.FormEvent<HTMLDivElement>) => void;
  afterTitle?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const labels = useSubmissionLabels();
  const horizons: Option[] = HORIZONS.map((h) => ({ value: h, label: t(`horizon.${h}`) }));
  return (
    <>
      <SelectField field={fields.cluster} label={labels.cluster} placeholder={t("form.choose")} options={clusters} />
      <div onInput={onTitleInput}>
        <TextField field={fields.title} label={labels.title} hint={t("submission.form.titleHint")} dir="auto" />
      </div>
      {afterTitle}
      <TextAreaField field={fields.problem} label={labels.problem} hint={t("submission.form.problemHint")} />
      <TextAreaField field={fields.proposal} label={labels.proposal} hint={t("submission.form.proposalHint")} />
      <TextAreaField field={fields.expectedImpact} label={labels.expectedImpact} hint={t("submission.form.expectedImpactHint")} rows={4} />
      <SelectField field={fields.stage} label={labels.stage} placeholder={t("form.optional")} options={stages} />
      <SelectField
        field={fields.suggestedCategory}
        label={labels.suggestedCategory}
        placeholder={t("form.optional")}
        options={categories}
      />
      <SelectField field={fields.horizon} label={labels.horizon} placeholder={t("form.optional")} options={horizons} />
    </>
  );
}
