import { getFormProps, useForm, type Submission } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText, useNumberFormat } from "~/components/dates";
import { CheckboxField, ErrorSummary, TextAreaField, TextField } from "~/components/form";
import { ConsultationFormSchema } from "~/lib/admin-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { RULE_NUMBERS } from "~/lib/rules";
import {
  activateConsultation,
  CONSULTATION_ADMIN_REFUSALS,
  archiveConsultation,
  createConsultation,
  getActiveConsultation,
  getConsultation,
  listConsultations,
  updateConsultation,
  windowPhase,
} from "~/models/consultation.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// Consultation settings (docs/contract.md, /admin/consultation): titles and
// descriptions in both languages, the submission and support windows (UTC),
// the support budget, self-support and the reports threshold; and the list
// of consultations (create, make active, archive). Every rule is enforced in
// the models; this page only sets it.

/** An ISO time as the value of a datetime-local input, in UTC. */
function localInput(iso: string): string {
  return new Date(iso).toISOString().slice(0, 16);
}

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const { db } = args.context;
  const url = new URL(args.request.url);
  const { t } = await getFixedT(args.request, args.context);
  const creating = url.searchParams.get("new") === "1";
  const requested = url.searchParams.get("id");
  const editing = requested
    ? await getConsultation(db, idParam(requested))
    : await getActiveConsultation(db).then((c) => (c ? getConsultation(db, c.id) : undefined));
  if (requested && !editing) notFound();
  const all = await listConsultations(db);
  return {
    title: `${t("admin.consultation.title")} · ${t("app.name")}`,
    creating,
    editing: editing
      ? {
          id: editing.id,
          slug: editing.slug,
          active: editing.is_active === 1,
          archived: Boolean(editing.archived_at),
          submissionPhase: windowPhase(editing.submission_opens_at, editing.submission_closes_at),
          supportPhase: windowPhase(editing.support_opens_at, editing.support_closes_at),
          values: {
            titleEn: editing.title_en,
            titleUr: editing.title_ur,
            descriptionEn: editing.description_en,
            descriptionUr: editing.description_ur,
            submissionOpensAt: localInput(editing.submission_opens_at),
            submissionClosesAt: localInput(editing.submission_closes_at),
            supportOpensAt: localInput(editing.support_opens_at),
            supportClosesAt: localInput(editing.support_closes_at),
            supportBudget: String(editing.support_budget),
            allowSelfSupport: editing.allow_self_support ? "on" : "",
            reportsToHide: String(editing.reports_to_hide),
            reportMinAccountAgeHours: String(editing.report_min_account_age_hours),
          },
          reportsToHide: editing.reports_to_hide,
          reportMinAccountAgeHours: editing.report_min_account_age_hours,
        }
      : null,
    consultations: all.map((c) => ({
      id: c.id,
      slug: c.slug,
      titleEn: c.title_en,
      titleUr: c.title_ur,
      active: c.is_active === 1,
      archived: Boolean(c.archived_at),
      submissionOpensAt: c.submission_opens_at,
      supportClosesAt: c.support_closes_at,
      submissions: Number(c.submissions ?? 0),
    })),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "admin");
  const { db } = args.context;
  const submission = await parseForm(args.request, ConsultationFormSchema, { disableAutoCoercion: true });
  if (submission.status !== "success") return invalid(submission);
  const actor = { actorId: user.id, actorRole: user.role };
  const v = submission.value;
  if (v.intent === "activate" || v.intent === "archive") {
    const r =
      v.intent === "activate"
        ? await activateConsultation(db, { id: v.consultationId, ...actor })
        : await archiveConsultation(db, { id: v.consultationId, ...actor });
    if (!r.ok) {
      if (r.reason === "notFound") notFound();
      return refuse(r.reason, CONSULTATION_ADMIN_REFUSALS, { submission, message: `admin.consultation.refused.${r.reason}` });
    }
    return redirect(`/admin/consultation?done=${v.intent}`, 303);
  }
  if (v.intent === "create") {
    const { intent: _intent, slug, ...settings } = v;
    const r = await createConsultation(db, { slug, settings, ...actor });
    if (!r.ok) return refuseSettings(r.reason, submission);
    return redirect(`/admin/consultation?id=${r.id}&done=create`, 303);
  }
  // The consultation named, or the active one.
  const { intent: _intent, consultationId, ...settings } = v;
  const current = consultationId !== undefined ? await getConsultation(db, consultationId) : await getActiveConsultation(db);
  if (!current) notFound();
  const r = await updateConsultation(db, { id: current.id, settings, ...actor });
  if (!r.ok) return refuseSettings(r.reason, submission);
  const named = "is_active" in current && !current.is_active;
  return redirect(`/admin/consultation${named ? `?id=${r.id}&done=update` : "?done=update"}`, 303);
}

function refuseSettings(reason: "notFound" | "archived" | "slugTaken", submission: Submission<unknown>) {
  if (reason === "notFound") notFound();
  if (reason === "slugTaken")
    return refuse(reason, CONSULTATION_ADMIN_REFUSALS, { submission, field: "slug", message: "admin.consultation.errors.slugTaken" });
  return refuse(reason, CONSULTATION_ADMIN_REFUSALS, { submission, message: `admin.consultation.refused.${reason}` });
}

function SettingsForm({
  intent,
  initial,
  consultationId,
  reply,
}: {
  intent: "update" | "create";
  initial: Record<string, string>;
  consultationId?: number;
  reply: ActionReply | undefined;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string>>({ id: "c", lastResult: reply, defaultValue: initial, shouldValidate: "onSubmit" });
  const labels = {
    slug: t("admin.consultation.slug"),
    titleEn: t("admin.consultation.titleEn"),
    titleUr: t("admin.consultation.titleUr"),
    descriptionEn: t("admin.consultation.descriptionEn"),
    descriptionUr: t("admin.consultation.descriptionUr"),
    submissionOpensAt: t("admin.consultation.submissionOpensAt"),
    submissionClosesAt: t("admin.consultation.submissionClosesAt"),
    supportOpensAt: t("admin.consultation.supportOpensAt"),
    supportClosesAt: t("admin.consultation.supportClosesAt"),
    supportBudget: t("admin.consultation.supportBudget"),
    reportsToHide: t("admin.consultation.reportsToHide"),
    reportMinAccountAgeHours: t("admin.consultation.reportMinAccountAgeHours"),
  };
  const names = (intent === "create" ? ["slug"] : []).concat(Object.keys(labels).filter((k) => k !== "slug")) as Array<keyof typeof labels>;
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <ErrorSummary formErrors={form.errors} fields={names.map((name) => ({ field: fields[name], label: labels[name] }))} />
      <input type="hidden" name="intent" value={intent} />
      {consultationId ? <input type="hidden" name="consultationId" value={consultationId} /> : null}
      {intent === "create" ? <TextField field={fields.slug} label={labels.slug} hint={t("admin.consultation.slugHint")} dir="ltr" /> : null}
      <fieldset className="stack">
        <legend>{t("admin.consultation.texts")}</legend>
        <TextField field={fields.titleEn} label={labels.titleEn} lang="en" dir="ltr" maxLength={RULE_NUMBERS.consultationTitleMax} />
        <TextField field={fields.titleUr} label={labels.titleUr} lang="ur" dir="rtl" maxLength={RULE_NUMBERS.consultationTitleMax} />
        <TextAreaField
          field={fields.descriptionEn}
          label={labels.descriptionEn}
          lang="en"
          dir="ltr"
          rows={4}
          maxLength={RULE_NUMBERS.consultationDescriptionMax}
        />
        <TextAreaField
          field={fields.descriptionUr}
          label={labels.descriptionUr}
          lang="ur"
          dir="rtl"
          rows={4}
          maxLength={RULE_NUMBERS.consultationDescriptionMax}
        />
      </fieldset>
      <fieldset className="stack">
        <legend>{t("admin.consultation.windows")}</legend>
        <p className="hint">{t("admin.consultation.utcHint")}</p>
        <TextField field={fields.submissionOpensAt} label={labels.submissionOpensAt} type="datetime-local" dir="ltr" />
        <TextField field={fields.submissionClosesAt} label={labels.submissionClosesAt} type="datetime-local" dir="ltr" />
        <TextField field={fields.supportOpensAt} label={labels.supportOpensAt} type="datetime-local" dir="ltr" />
        <TextField field={fields.supportClosesAt} label={labels.supportClosesAt} type="datetime-local" dir="ltr" />
      </fieldset>
      <fieldset className="stack">
        <legend>{t("admin.consultation.rules")}</legend>
        <TextField
          field={fields.supportBudget}
          label={labels.supportBudget}
          hint={t("admin.consultation.supportBudgetHint")}
          type="number"
          dir="ltr"
          min={RULE_NUMBERS.unlimited}
          max={RULE_NUMBERS.supportBudgetMax}
        />
        <CheckboxField field={fields.allowSelfSupport} label={t("admin.consultation.allowSelfSupport")} />
        <TextField
          field={fields.reportsToHide}
          label={labels.reportsToHide}
          type="number"
          dir="ltr"
          min={RULE_NUMBERS.reportsToHideMin}
          max={RULE_NUMBERS.reportsToHideMax}
        />
        <TextField
          field={fields.reportMinAccountAgeHours}
          label={labels.reportMinAccountAgeHours}
          hint={t("admin.consultation.reportMinAccountAgeHoursHint")}
          type="number"
          dir="ltr"
          min={0}
          max={RULE_NUMBERS.reportMinAccountAgeHoursMax}
        />
      </fieldset>
      <button type="submit" className="button">
        {intent === "create" ? t("admin.consultation.create") : t("admin.consultation.save")}
      </button>
    </Form>
  );
}

export default function AdminConsultation() {
  const { creating, editing, consultations } = useLoaderData<typeof loader>();
  const reply = actionReply(useActionData<typeof action>());
  const posted = (reply?.initialValue ?? {}) as Record<string, unknown>;
  // The contract's form posts no intent: a save of the settings.
  const postedIntent = reply ? (posted.intent ?? "update") : undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const done = params.get("done");
  const number = useNumberFormat();
  const showCreate = creating || postedIntent === "create";
  const blank = {
    titleEn: "",
    titleUr: "",
    descriptionEn: "",
    descriptionUr: "",
    submissionOpensAt: "",
    submissionClosesAt: "",
    supportOpensAt: "",
    supportClosesAt: "",
    supportBudget: "0",
    allowSelfSupport: "",
    reportsToHide: "3",
    reportMinAccountAgeHours: String(RULE_NUMBERS.reportMinAccountAgeHoursDefault),
    slug: "",
  };
  return (
    <>
      <h1>{t("admin.consultation.title")}</h1>
      {done ? (
        <p className="notice" role="status">
          {t(`admin.consultation.done.${done}`, { defaultValue: t("admin.consultation.done.update") })}
        </p>
      ) : null}
      {/* The refusals of the buttons in the list (make active, archive). */}
      <ErrorSummary formErrors={postedIntent === "activate" || postedIntent === "archive" ? formErrorsOf(reply) : []} fields={[]} />
      {showCreate ? (
        <section aria-labelledby="create-title">
          <h2 id="create-title">{t("admin.consultation.newTitle")}</h2>
          <SettingsForm intent="create" initial={blank} reply={postedIntent === "create" ? reply : undefined} />
        </section>
      ) : editing ? (
        <section aria-labelledby="edit-title">
          <h2 id="edit-title">
            <bdi>{editing.values.titleEn}</bdi>{" "}
            <span className="muted">
              (
              {editing.active
                ? t("admin.consultation.active")
                : editing.archived
                  ? t("admin.consultation.archived")
                  : t("admin.consultation.inactive")}
              )
            </span>
          </h2>
          <p>
            {t("home.submissionWindow")}: {t(`phase.${editing.submissionPhase}`)} · {t("home.supportWindow")}:{" "}
            {t(`phase.${editing.supportPhase}`)}
          </p>
          <p id="report-rule">
            {t("admin.consultation.reportRuleSummary", {
              count: editing.reportsToHide,
              reports: number(editing.reportsToHide),
              hours: number(editing.reportMinAccountAgeHours),
            })}
          </p>
          {editing.archived ? (
            <p className="notice">{t("admin.consultation.refused.archived")}</p>
          ) : (
            <SettingsForm
              intent="update"
              consultationId={editing.id}
              initial={editing.values}
              reply={postedIntent === "update" ? reply : undefined}
            />
          )}
        </section>
      ) : (
        <p className="notice">{t("admin.consultation.noneActive")}</p>
      )}

      <section aria-labelledby="all-title">
        <h2 id="all-title">{t("admin.consultation.all")}</h2>
        <p>
          <Link to="?new=1">{t("admin.consultation.newTitle")}</Link>
        </p>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t("admin.consultation.all")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("admin.consultation.titleEn")}</th>
                <th scope="col">{t("admin.consultation.state")}</th>
                <th scope="col">{t("admin.consultation.submissionOpensAt")}</th>
                <th scope="col">{t("admin.consultation.supportClosesAt")}</th>
                <th scope="col">{t("admin.consultation.suggestions")}</th>
                <th scope="col">{t("admin.consultation.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {consultations.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <Link to={`?id=${c.id}`}>
                      <bdi>{c.titleEn}</bdi>
                    </Link>
                    <div lang="ur" dir="rtl" className="muted">
                      {c.titleUr}
                    </div>
                  </th>
                  <td>
                    {c.active
                      ? t("admin.consultation.active")
                      : c.archived
                        ? t("admin.consultation.archived")
                        : t("admin.consultation.inactive")}
                  </td>
                  <td>
                    <DateText iso={c.submissionOpensAt} withTime />
                  </td>
                  <td>
                    <DateText iso={c.supportClosesAt} withTime />
                  </td>
                  <td>
                    <NumberText value={c.submissions} />
                  </td>
                  <td>
                    {!c.active && !c.archived ? (
                      <div className="button-row">
                        <Form method="post">
                          <input type="hidden" name="consultationId" value={c.id} />
                          <button type="submit" name="intent" value="activate" className="button button--secondary">
                            {t("admin.consultation.activate")}
                          </button>
                        </Form>
                        <Form method="post">
                          <input type="hidden" name="consultationId" value={c.id} />
                          <button type="submit" name="intent" value="archive" className="button button--secondary">
                            {t("admin.consultation.archive")}
                          </button>
                        </Form>
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
