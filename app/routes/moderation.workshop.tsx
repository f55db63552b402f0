import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/lib/zod-setup";
import { rememberSimilarAfterCommit } from "~/models/moderation-queue.server";
import { requireRole } from "~/auth/guards.server";
import { ErrorSummary, SelectField, TextField } from "~/components/form";
import { SUBMISSION_FIELDS, SubmissionFields, useSubmissionLabels } from "~/components/submission-form";
import { invalid, parseForm, refuse, type ActionReply } from "~/lib/form-action.server";
import { OrganisationLookupSchema } from "~/lib/moderation-schemas.server";
import { formErrorsOf } from "~/lib/refusal";
import { getFixedT } from "~/lib/i18next.server";
import { ORGANISATION_TYPES, PROVINCES, SIZE_BANDS } from "~/lib/reference";
import { NEW_ORGANISATION_FIELDS, WorkshopFormSchema } from "~/lib/schemas";
import { getActiveConsultation, windowPhase } from "~/models/consultation.server";
import { taxonomyOptions } from "~/models/taxonomy.server";
import { enterWorkshopSubmission, searchOrganisations, WORKSHOP_REFUSALS, type OrganisationOption } from "~/models/workshop.server";
import { toRowId } from "~/lib/row-id";

const UNCHECKED = z.object({});

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const entered = new URL(args.request.url).searchParams.get("entered");
  return {
    title: `${t("workshop.title")} · ${t("app.name")}`,
    ...(await taxonomyOptions(db, lng)),
    entered: toRowId(entered),
    consultation: consultation
      ? { windowOpen: windowPhase(consultation.submission_opens_at, consultation.submission_closes_at) === "open" }
      : null,
  };
}

/** The organisations to choose from, sent back with every answer that shows the form again. */
interface Lookup {
  query: string;
  /** the search's organisations, and the one chosen */
  organisations: OrganisationOption[];
  searched: boolean;
}
type WorkshopReply = ActionReply & { lookup: Lookup };

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const { db } = args.context;
  const submission = await parseForm(args.request, WorkshopFormSchema);
  const { intent, organisationQuery: query, cluster, organisationId: chosen } = OrganisationLookupSchema.parse(submission.payload);
  // The list to choose from: a search (by name, in the chosen cluster) when asked for, and the organisation chosen.
  const lookup = async (search: boolean): Promise<Lookup> => ({
    query,
    organisations: await searchOrganisations(
      db,
      search ? { query, clusterSlug: cluster || undefined, includeId: chosen } : { includeId: chosen },
    ),
    searched: false,
  });

  if (intent === "find") {
    // Finding an organisation (without JavaScript too): keep what was typed, judge nothing, create nothing.
    const { initialValue } = submission.reply({ resetForm: false });
    return data<WorkshopReply>({ initialValue, lookup: { ...(await lookup(true)), searched: true } });
  }
  if (submission.status !== "success") return invalid(submission, { extra: { lookup: await lookup(Boolean(query)) } });
  const result = await enterWorkshopSubmission(db, { moderator: { id: user.id, role: user.role }, input: submission.value });
  if (!result.ok) {
    if (result.reason === "invalid") {
      // An organisation of that name exists: offer it in the list.
      const namesake = result.fieldErrors.organisationName ? submission.value.organisationName : undefined;
      const q = namesake ?? query;
      const list: Lookup = {
        query: q,
        organisations: await searchOrganisations(db, { query: q, includeId: chosen }),
        searched: Boolean(namesake),
      };
      return invalid(submission, { fieldErrors: result.fieldErrors, extra: { lookup: list } });
    }
    return refuse(result.reason, WORKSHOP_REFUSALS, {
      submission,
      message: "errors.noConsultation",
      extra: { lookup: await lookup(Boolean(query)) },
    });
  }
  await rememberSimilarAfterCommit(args.context, result.id);
  return redirect(`/moderation/workshop?entered=${result.id}`, 303);
}

export default function ModerationWorkshop() {
  const { clusters, categories, stages, entered, consultation } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const submissionLabels = useSubmissionLabels();
  const [form, fields] = useForm({
    id: "workshop",
    lastResult: actionData,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    // conform checks every submit; "Find" (formNoValidate) only reads, so it goes through unchecked, as without JavaScript.
    onValidate: ({ formData, submitter }) =>
      parseWithZod(formData, { schema: (submitter as HTMLButtonElement | null)?.formNoValidate ? UNCHECKED : WorkshopFormSchema }),
  });
  const organisationLabels: Record<(typeof NEW_ORGANISATION_FIELDS)[number] | "organisationId", string> = {
    organisationId: t("workshop.organisation.existing"),
    organisationName: t("register.organisationName"),
    organisationType: t("register.organisationType"),
    sizeBand: t("register.sizeBand"),
    city: t("register.city"),
    province: t("register.province"),
  };
  const option = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}`) });
  const lookup = actionData?.lookup;
  const organisations = lookup?.organisations ?? [];
  const formErrors = [
    ...new Set([...(form.errors ?? []), ...formErrorsOf(actionData), ...(consultation ? [] : ["errors.noConsultation"])]),
  ];

  return (
    <div className="narrow narrow--wide">
      <h1>{t("workshop.title")}</h1>
      <p>{t("workshop.intro")}</p>
      <p>
        <Link to="/moderation/import">{t("workshop.importLink")}</Link>
      </p>
      {entered !== null && !actionData ? (
        <div className="notice" role="status">
          <p>{t("workshop.entered", { id: entered })}</p>
          <p>
            <Link to={`/moderation/submissions/${entered}`}>{t("workshop.review")}</Link>
          </p>
        </div>
      ) : null}
      {consultation && !consultation.windowOpen ? <p className="notice">{t("workshop.outsideWindow")}</p> : null}

      <Form method="post" {...getFormProps(form)} className="stack">
        <ErrorSummary
          formErrors={formErrors}
          fields={[
            ...SUBMISSION_FIELDS.map((k) => ({ field: fields[k], label: submissionLabels[k] })),
            ...(["organisationId", ...NEW_ORGANISATION_FIELDS] as const).map((k) => ({ field: fields[k], label: organisationLabels[k] })),
          ]}
        />
        <fieldset>
          <legend>{t("workshop.suggestion")}</legend>
          <SubmissionFields fields={fields} clusters={clusters} categories={categories} stages={stages} />
        </fieldset>
        <fieldset>
          <legend>{t("workshop.organisation.legend")}</legend>
          <p className="field-hint">{t("workshop.organisation.hint")}</p>
          <div className="field">
            <label htmlFor="workshop-organisation-query">{t("workshop.organisation.search")}</label>
            <input
              id="workshop-organisation-query"
              type="search"
              name="organisationQuery"
              defaultValue={lookup?.query ?? ""}
              key={lookup?.query}
              dir="auto"
            />
            <button type="submit" name="intent" value="find" className="button button--secondary" formNoValidate>
              {t("workshop.organisation.find")}
            </button>
          </div>
          {lookup?.searched ? (
            <p className="muted" role="status">
              {organisations.length
                ? t("workshop.organisation.found", { count: organisations.length })
                : t("workshop.organisation.noneFound")}
            </p>
          ) : null}
          <SelectField
            field={fields.organisationId}
            label={organisationLabels.organisationId}
            placeholder={t("workshop.organisation.newOne")}
            options={organisations.map((o) => ({
              value: String(o.id),
              label: `${o.name} — ${o.city}, ${t(`province.${o.province}`)} (${t(`organisationType.${o.type}`)}, ${t(`sizeBand.${o.size_band}`)})`,
            }))}
          />
          <fieldset>
            <legend>{t("workshop.organisation.newLegend")}</legend>
            <TextField field={fields.organisationName} label={organisationLabels.organisationName} dir="auto" />
            <SelectField
              field={fields.organisationType}
              label={organisationLabels.organisationType}
              placeholder={t("form.choose")}
              options={ORGANISATION_TYPES.map(option("organisationType"))}
            />
            <SelectField
              field={fields.sizeBand}
              label={organisationLabels.sizeBand}
              placeholder={t("form.choose")}
              options={SIZE_BANDS.map(option("sizeBand"))}
            />
            <TextField field={fields.city} label={organisationLabels.city} dir="auto" />
            <SelectField
              field={fields.province}
              label={organisationLabels.province}
              placeholder={t("form.choose")}
              options={PROVINCES.map(option("province"))}
            />
          </fieldset>
        </fieldset>
        <button type="submit" name="intent" value="submit" className="button">
          {t("workshop.submit")}
        </button>
      </Form>
    </div>
  );
}
