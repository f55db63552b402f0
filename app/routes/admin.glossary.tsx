import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { ErrorSummary, TextAreaField } from "~/components/form";
import { GlossaryFormSchema } from "~/lib/admin-schemas.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { toRowId } from "~/lib/row-id";
import {
  createGlossaryGroup,
  deleteGlossaryGroup,
  GLOSSARY_REFUSALS,
  GLOSSARY_TERM_MAX,
  GLOSSARY_TERMS_MAX,
  listGlossaryGroups,
  updateGlossaryGroup,
  type GlossaryResult,
} from "~/models/glossary.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// The bilingual glossary (docs/contract.md, /admin/glossary; ADR 0033): groups
// of equivalent search terms in English and Urdu. Every form is a plain POST
// with `intent` (create, update, delete), answered with a 303 back here; the
// rules live in models/glossary.server.ts. `?edit=<id>` opens one group's
// edit form (a link, so it works without JavaScript).

const INTENTS = ["create", "update", "delete"] as const;
type Intent = (typeof INTENTS)[number];
const isIntent = (v: unknown): v is Intent => (INTENTS as readonly unknown[]).includes(v);

/** What a refused duplicate names: the term, and the group that already has it. */
interface DuplicateExtra {
  duplicate?: { term: string; groupId: number; groupTerms: string[] };
}

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const { db } = args.context;
  const { t } = await getFixedT(args.request, args.context);
  const groups = await listGlossaryGroups(db);
  const editParam = new URL(args.request.url).searchParams.get("edit");
  let edit: number | null = null;
  if (editParam !== null) {
    edit = toRowId(editParam);
    if (edit === null || !groups.some((g) => g.id === edit)) notFound();
  }
  return {
    title: `${t("admin.glossary.title")} · ${t("app.name")}`,
    groups,
    edit,
    limits: { terms: GLOSSARY_TERMS_MAX, length: GLOSSARY_TERM_MAX },
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "admin");
  const { db } = args.context;
  const submission = await parseForm(args.request, GlossaryFormSchema);
  if (submission.status !== "success")
    return refuse("invalid", GLOSSARY_REFUSALS, { submission, message: "admin.glossary.refused.invalid" });
  const v = submission.value;
  const who = { actorId: user.id, actorRole: user.role, ip: args.context.clientIp ?? null };
  let r: GlossaryResult;
  switch (v.intent) {
    case "create":
      r = await createGlossaryGroup(db, { ...who, termsEn: v.termsEn, termsUr: v.termsUr });
      break;
    case "update":
      r = await updateGlossaryGroup(db, { ...who, id: v.id, termsEn: v.termsEn, termsUr: v.termsUr });
      break;
    case "delete":
      r = await deleteGlossaryGroup(db, { ...who, id: v.id });
      break;
  }
  if (r.ok) return redirect(`/admin/glossary?done=${v.intent}${v.intent === "delete" ? "" : `#group-${r.groupId}`}`, 303);
  switch (r.reason) {
    case "invalid": {
      // A malformed id has no field of its own on the page.
      const { id, form, ...fieldErrors } = r.fieldErrors;
      const formErrors = id ? ["admin.glossary.refused.invalid"] : form;
      return data<ActionReply>(submission.reply({ fieldErrors, formErrors }), { status: GLOSSARY_REFUSALS.invalid });
    }
    case "notFound":
      notFound();
    // eslint-disable-next-line no-fallthrough -- notFound() throws
    case "duplicate":
      return refuse<"duplicate", DuplicateExtra>(r.reason, GLOSSARY_REFUSALS, {
        submission,
        field: r.field,
        message: "admin.glossary.refused.duplicate",
        extra: { duplicate: { term: r.term, groupId: r.groupId, groupTerms: r.groupTerms } },
      });
  }
}

/** The answer to this form's last post, if it was this form's. */
function replyFor(reply: ActionReply | undefined, intent: Intent, id?: number): ActionReply | undefined {
  const initial = reply?.initialValue as Record<string, unknown> | undefined;
  return initial?.intent === intent && (id === undefined || initial?.id === String(id)) ? reply : undefined;
}

function GroupForm({
  intent,
  group,
  reply,
  duplicate,
  limits,
}: {
  limits: { terms: number; length: number };
  intent: "create" | "update";
  group?: { id: number; en: string[]; ur: string[] };
  reply: ActionReply | undefined;
  duplicate: DuplicateExtra["duplicate"];
}) {
  const { t } = useTranslation();
  const formId = intent === "create" ? "glossary-create" : `glossary-edit-${group?.id}`;
  const lastResult = replyFor(reply, intent, group?.id);
  const [form, fields] = useForm<Record<string, string>>({
    id: formId,
    lastResult,
    defaultValue: { termsEn: group?.en.join(", ") ?? "", termsUr: group?.ur.join("، ") ?? "" },
    shouldValidate: "onSubmit",
  });
  const labels = { termsEn: t("admin.glossary.termsEn"), termsUr: t("admin.glossary.termsUr") };
  return (
    <Form method="post" {...getFormProps(form)} className="stack" aria-labelledby={`${formId}-title`}>
      <h2 id={`${formId}-title`}>{intent === "create" ? t("admin.glossary.add") : t("admin.glossary.edit")}</h2>
      <ErrorSummary
        formErrors={form.errors}
        fields={[
          { field: fields.termsEn, label: labels.termsEn },
          { field: fields.termsUr, label: labels.termsUr },
        ]}
      />
      {lastResult && duplicate ? (
        <p className="notice">
          {t("admin.glossary.duplicateIn", { term: duplicate.term })}{" "}
          <Link to={`?edit=${duplicate.groupId}#edit`}>{duplicate.groupTerms.join(" · ")}</Link>
        </p>
      ) : null}
      <input type="hidden" name="intent" value={intent} />
      {group ? <input type="hidden" name="id" value={String(group.id)} /> : null}
      <TextAreaField
        field={fields.termsEn}
        label={labels.termsEn}
        hint={t("admin.glossary.termsHint", { max: limits.terms, length: limits.length })}
        lang="en"
        dir="ltr"
        rows={2}
      />
      <TextAreaField field={fields.termsUr} label={labels.termsUr} hint={t("admin.glossary.termsUrHint")} lang="ur" dir="rtl" rows={2} />
      <div className="button-row">
        <button type="submit" className="button">
          {intent === "create" ? t("admin.glossary.addButton") : t("admin.glossary.save")}
        </button>
        {intent === "update" ? (
          <Link to="/admin/glossary" className="button button--secondary">
            {t("admin.glossary.cancel")}
          </Link>
        ) : null}
      </div>
    </Form>
  );
}

export default function AdminGlossary() {
  const { groups, edit, limits } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const reply = actionReply(answer);
  const duplicate = (answer as DuplicateExtra | undefined)?.duplicate;
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const done = params.get("done");
  const posted = reply?.initialValue as Record<string, string | undefined> | undefined;
  // After a refused edit the form comes back with what was typed; otherwise the group's current terms.
  const editingId = posted?.intent === "update" ? toRowId(posted.id ?? "") : edit;
  const editing = editingId === null ? undefined : groups.find((g) => g.id === editingId);
  const shownInForm = posted?.intent === "create" || (posted?.intent === "update" && editing);
  const otherErrors = shownInForm ? [] : formErrorsOf(reply);
  const name = (g: { en: string[]; ur: string[] }) => [...g.en, ...g.ur].join(", ");
  return (
    <>
      <h1>{t("admin.glossary.title")}</h1>
      <p>{t("admin.glossary.intro")}</p>
      <p>
        {t("admin.glossary.taxonomyNote")} <Link to="/admin/taxonomy">{t("admin.taxonomy.title")}</Link>
      </p>
      {done && isIntent(done) ? (
        <p className="notice" role="status">
          {t(`admin.glossary.done.${done}`)}
        </p>
      ) : null}
      <ErrorSummary formErrors={otherErrors} fields={[]} />

      {editing ? (
        <section aria-label={t("admin.glossary.edit")} id="edit" className="card">
          <GroupForm key={editing.id} intent="update" group={editing} reply={reply} duplicate={duplicate} limits={limits} />
        </section>
      ) : null}

      <section aria-labelledby="glossary-groups-title">
        <h2 id="glossary-groups-title">{t("admin.glossary.groups")}</h2>
        {groups.length === 0 ? (
          <p>{t("admin.glossary.none")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("admin.glossary.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.glossary.english")}</th>
                  <th scope="col">{t("admin.glossary.urdu")}</th>
                  <th scope="col">{t("admin.glossary.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <tr key={g.id} id={`group-${g.id}`}>
                    <td lang="en" dir="ltr">
                      {g.en.join(", ")}
                    </td>
                    <td lang="ur" dir="rtl">
                      {g.ur.join("، ")}
                    </td>
                    <td>
                      <div className="button-row">
                        <Link to={`?edit=${g.id}#edit`} className="button button--secondary">
                          {t("admin.glossary.edit")}
                          <span className="visually-hidden">: {name(g)}</span>
                        </Link>
                        <Form method="post">
                          <input type="hidden" name="intent" value="delete" />
                          <input type="hidden" name="id" value={String(g.id)} />
                          <button type="submit" className="button button--danger">
                            {t("admin.glossary.delete")}
                            <span className="visually-hidden">: {name(g)}</span>
                          </button>
                        </Form>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card">
        <GroupForm intent="create" reply={reply} duplicate={duplicate} limits={limits} />
      </section>
    </>
  );
}
