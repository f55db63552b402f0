import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { DateText, NumberText } from "../components/dates";
import { DecisionErrorSummary, FieldError, type FieldErrorMap } from "../components/moderation";
import { idParam, readForm } from "../lib/http.server";
import { getFixedT } from "../lib/i18next.server";
import { ConsultationSettingsSchema, ConsultationSlugSchema } from "../lib/query-schemas.server";
import { toRowId } from "../lib/row-id";
import { RULE_NUMBERS } from "../lib/rules";
import {
  activateConsultation,
  archiveConsultation,
  createConsultation,
  getActiveConsultation,
  getConsultation,
  listConsultations,
  updateConsultation,
  windowPhase,
} from "../models/consultation.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

// Consultation settings (docs/contract.md, /admin/consultation): titles and
// descriptions in both languages, the submission and support windows (UTC),
// the support budget, self-support and the reports threshold; and the list
// of consultations (create, make active, archive). Every rule is enforced in
// the models; this page only sets it.

const SETTING_FIELDS = [
  "titleEn",
  "titleUr",
  "descriptionEn",
  "descriptionUr",
  "submissionOpensAt",
  "submissionClosesAt",
  "supportOpensAt",
  "supportClosesAt",
  "supportBudget",
  "allowSelfSupport",
  "reportsToHide",
] as const;

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
  const editing = requested ? await getConsultation(db, idParam(requested)) : await getActiveConsultation(db).then((c) => (c ? getConsultation(db, c.id) : undefined));
  if (requested && !editing) throw data({ error: "notFound" }, { status: 404 });
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
          },
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

interface ActionData {
  intent: string;
  message?: string;
  fieldErrors?: FieldErrorMap;
  values?: Record<string, string>;
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "admin");
  const { db } = args.context;
  const form = await readForm(args.request);
  const intent = String(form.get("intent") ?? "update");
  const actor = { actorId: user.id, actorRole: user.role };
  const values = Object.fromEntries(SETTING_FIELDS.map((f) => [f, String(form.get(f) ?? "")])) as Record<string, string>;
  values.slug = String(form.get("slug") ?? "");
  const refuse = (status: number, body: Omit<ActionData, "intent" | "values">) => data<ActionData>({ intent, values, ...body }, { status });

  if (intent === "activate" || intent === "archive") {
    const id = toRowId(form.get("consultationId"));
    if (id === null) return refuse(400, { message: "errors.invalid" });
    const r = intent === "activate" ? await activateConsultation(db, { id, ...actor }) : await archiveConsultation(db, { id, ...actor });
    if (!r.ok) {
      if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
      return refuse(409, { message: `admin.consultation.refused.${r.reason}` });
    }
    return redirect(`/admin/consultation?done=${intent}`, 303);
  }
  if (intent !== "update" && intent !== "create") return refuse(400, { message: "errors.invalid" });

  // Fields docs/contract.md did not first list (titles, descriptions) keep their value when a form leaves them out.
  const consultationId = form.get("consultationId") ? toRowId(form.get("consultationId")) : undefined;
  if (consultationId === null) return refuse(400, { message: "errors.invalid" });
  const current =
    intent === "update"
      ? consultationId !== undefined
        ? await getConsultation(db, consultationId)
        : await getActiveConsultation(db).then((c) => (c ? getConsultation(db, c.id) : undefined))
      : undefined;
  if (intent === "update" && !current) throw data({ error: "notFound" }, { status: 404 });
  const input = { ...values };
  if (current) {
    for (const [field, column] of [
      ["titleEn", "title_en"],
      ["titleUr", "title_ur"],
      ["descriptionEn", "description_en"],
      ["descriptionUr", "description_ur"],
    ] as const) {
      if (!form.has(field)) input[field] = current[column];
    }
  }
  const parsed = ConsultationSettingsSchema.safeParse({ ...input, allowSelfSupport: input.allowSelfSupport || undefined });
  const slug = intent === "create" ? ConsultationSlugSchema.safeParse(values.slug) : null;
  if (!parsed.success || (slug && !slug.success)) {
    const fieldErrors: FieldErrorMap = {};
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      const key = String(issue.path[0] ?? "form");
      fieldErrors[key] ??= [/^(errors|admin)\./.test(issue.message) ? issue.message : "errors.invalid"];
    }
    if (slug && !slug.success) fieldErrors.slug = ["admin.consultation.errors.slug"];
    return refuse(400, { fieldErrors });
  }
  const r =
    intent === "create"
      ? await createConsultation(db, { slug: slug!.data!, settings: parsed.data, ...actor })
      : await updateConsultation(db, { id: current!.id, settings: parsed.data, ...actor });
  if (!r.ok) {
    if (r.reason === "slugTaken") return refuse(400, { fieldErrors: { slug: ["admin.consultation.errors.slugTaken"] } });
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    return refuse(409, { message: `admin.consultation.refused.${r.reason}` });
  }
  return redirect(`/admin/consultation${intent === "create" ? `?id=${r.id}&done=create` : current?.is_active ? "?done=update" : `?id=${r.id}&done=update`}`, 303);
}

function SettingsForm({ intent, initial, consultationId, errors }: { intent: "update" | "create"; initial: Record<string, string>; consultationId?: number; errors: FieldErrorMap }) {
  const { t } = useTranslation();
  const text = (
    name: string,
    label: string,
    props: { lang?: string; dir?: "rtl" | "ltr"; textarea?: boolean; type?: string; hint?: string; maxLength?: number; min?: number; max?: number } = {},
  ) => {
    const id = `c-${name}`;
    const errorId = `${id}-error`;
    const hintId = `${id}-hint`;
    const describedBy = [props.hint ? hintId : "", errors[name]?.length ? errorId : ""].filter(Boolean).join(" ") || undefined;
    const common = {
      id,
      name,
      defaultValue: initial[name] ?? "",
      lang: props.lang,
      dir: props.dir,
      "aria-invalid": errors[name]?.length ? true : undefined,
      "aria-describedby": describedBy,
      maxLength: props.maxLength,
    };
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {props.hint ? (
          <p className="hint" id={hintId}>
            {props.hint}
          </p>
        ) : null}
        <FieldError id={errorId} errors={errors[name]} />
        {props.textarea ? <textarea rows={4} {...common} /> : <input type={props.type ?? "text"} min={props.min} max={props.max} {...common} />}
      </div>
    );
  };
  return (
    <Form method="post" className="stack" noValidate>
      <input type="hidden" name="intent" value={intent} />
      {consultationId ? <input type="hidden" name="consultationId" value={consultationId} /> : null}
      {intent === "create" ? text("slug", t("admin.consultation.slug"), { dir: "ltr", hint: t("admin.consultation.slugHint") }) : null}
      <fieldset className="stack">
        <legend>{t("admin.consultation.texts")}</legend>
        {text("titleEn", t("admin.consultation.titleEn"), { lang: "en", dir: "ltr", maxLength: RULE_NUMBERS.consultationTitleMax })}
        {text("titleUr", t("admin.consultation.titleUr"), { lang: "ur", dir: "rtl", maxLength: RULE_NUMBERS.consultationTitleMax })}
        {text("descriptionEn", t("admin.consultation.descriptionEn"), { lang: "en", dir: "ltr", textarea: true, maxLength: RULE_NUMBERS.consultationDescriptionMax })}
        {text("descriptionUr", t("admin.consultation.descriptionUr"), { lang: "ur", dir: "rtl", textarea: true, maxLength: RULE_NUMBERS.consultationDescriptionMax })}
      </fieldset>
      <fieldset className="stack">
        <legend>{t("admin.consultation.windows")}</legend>
        <p className="hint">{t("admin.consultation.utcHint")}</p>
        {text("submissionOpensAt", t("admin.consultation.submissionOpensAt"), { type: "datetime-local", dir: "ltr" })}
        {text("submissionClosesAt", t("admin.consultation.submissionClosesAt"), { type: "datetime-local", dir: "ltr" })}
        {text("supportOpensAt", t("admin.consultation.supportOpensAt"), { type: "datetime-local", dir: "ltr" })}
        {text("supportClosesAt", t("admin.consultation.supportClosesAt"), { type: "datetime-local", dir: "ltr" })}
      </fieldset>
      <fieldset className="stack">
        <legend>{t("admin.consultation.rules")}</legend>
        {text("supportBudget", t("admin.consultation.supportBudget"), { type: "number", dir: "ltr", hint: t("admin.consultation.supportBudgetHint"), min: RULE_NUMBERS.unlimited, max: RULE_NUMBERS.supportBudgetMax })}
        <div className="field field--checkbox">
          <input type="checkbox" id="c-allowSelfSupport" name="allowSelfSupport" value="on" defaultChecked={initial.allowSelfSupport === "on"} />
          <label htmlFor="c-allowSelfSupport">{t("admin.consultation.allowSelfSupport")}</label>
        </div>
        {text("reportsToHide", t("admin.consultation.reportsToHide"), { type: "number", dir: "ltr", min: RULE_NUMBERS.reportsToHideMin, max: RULE_NUMBERS.reportsToHideMax })}
      </fieldset>
      <button type="submit" className="button">
        {intent === "create" ? t("admin.consultation.create") : t("admin.consultation.save")}
      </button>
    </Form>
  );
}

export default function AdminConsultation() {
  const { creating, editing, consultations } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const done = params.get("done");
  const errors = actionData?.fieldErrors ?? {};
  const showCreate = creating || actionData?.intent === "create";
  const blank = { titleEn: "", titleUr: "", descriptionEn: "", descriptionUr: "", submissionOpensAt: "", submissionClosesAt: "", supportOpensAt: "", supportClosesAt: "", supportBudget: "0", allowSelfSupport: "", reportsToHide: "3", slug: "" };
  return (
    <>
      <h1>{t("admin.consultation.title")}</h1>
      {done ? (
        <p className="notice" role="status">
          {t(`admin.consultation.done.${done}`, { defaultValue: t("admin.consultation.done.update") })}
        </p>
      ) : null}
      <DecisionErrorSummary message={actionData?.message} fieldErrors={errors} prefix="c" />
      {showCreate ? (
        <section aria-labelledby="create-title">
          <h2 id="create-title">{t("admin.consultation.newTitle")}</h2>
          <SettingsForm intent="create" initial={actionData?.intent === "create" ? { ...blank, ...actionData.values } : blank} errors={actionData?.intent === "create" ? errors : {}} />
        </section>
      ) : editing ? (
        <section aria-labelledby="edit-title">
          <h2 id="edit-title">
            <bdi>{editing.values.titleEn}</bdi>{" "}
            <span className="muted">
              ({editing.active ? t("admin.consultation.active") : editing.archived ? t("admin.consultation.archived") : t("admin.consultation.inactive")})
            </span>
          </h2>
          <p>
            {t("home.submissionWindow")}: {t(`phase.${editing.submissionPhase}`)} · {t("home.supportWindow")}: {t(`phase.${editing.supportPhase}`)}
          </p>
          {editing.archived ? (
            <p className="notice">{t("admin.consultation.refused.archived")}</p>
          ) : (
            <SettingsForm
              intent="update"
              consultationId={editing.id}
              initial={actionData?.intent === "update" ? { ...editing.values, ...actionData.values } : editing.values}
              errors={actionData?.intent === "update" ? errors : {}}
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
                  <td>{c.active ? t("admin.consultation.active") : c.archived ? t("admin.consultation.archived") : t("admin.consultation.inactive")}</td>
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
