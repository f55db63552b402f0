import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { NumberText } from "~/components/dates";
import { ErrorSummary, TextField } from "~/components/form";
import { TaxonomyFormSchema } from "~/lib/admin-schemas.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { getFixedT } from "~/lib/i18next.server";
import { RULE_NUMBERS } from "~/lib/rules";
import {
  addTaxonomyItem,
  deleteTaxonomyItem,
  listTaxonomyForAdmin,
  moveTaxonomyItem,
  renameTaxonomyItem,
  setTaxonomyItemArchived,
  TAXONOMY_REFUSALS,
  type TaxonomyKind,
  type TaxonomyResult,
} from "~/models/taxonomy-admin.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// Taxonomy administration (docs/contract.md, /admin/taxonomy): clusters and
// issue categories (add, rename in both languages, reorder, archive,
// unarchive, delete when unused and not shipped), value-chain stages (rename,
// reorder). Every form is a plain POST with `intent` and `kind`, answered
// with a 303 back here; the rules live in models/taxonomy-admin.server.ts.

const GROUPS = [
  { key: "clusters", kind: "cluster" },
  { key: "categories", kind: "category" },
  { key: "stages", kind: "stage" },
] as const;

const INTENTS = ["add", "rename", "move", "archive", "unarchive", "delete"] as const;
type Intent = (typeof INTENTS)[number];

const isIntent = (v: unknown): v is Intent => (INTENTS as readonly unknown[]).includes(v);

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const { db } = args.context;
  const { t } = await getFixedT(args.request, args.context);
  const lists = await listTaxonomyForAdmin(db);
  // `?rename=kind:slug` opens the rename form for one item (a link, so it works without JavaScript).
  const renameParam = new URL(args.request.url).searchParams.get("rename");
  let rename: { kind: TaxonomyKind; slug: string } | null = null;
  if (renameParam) {
    const [kind, slug] = renameParam.split(":");
    const group = GROUPS.find((g) => g.kind === kind);
    if (!group || !lists[group.key].some((i) => i.slug === slug)) notFound();
    rename = { kind: group.kind, slug };
  }
  return {
    title: `${t("admin.taxonomy.title")} · ${t("app.name")}`,
    groups: GROUPS.map((g) => ({ ...g, rows: lists[g.key] })),
    rename,
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "admin");
  const { db } = args.context;
  const submission = await parseForm(args.request, TaxonomyFormSchema);
  if (submission.status !== "success")
    return refuse("invalid", TAXONOMY_REFUSALS, { submission, message: "admin.taxonomy.refused.invalid" });
  const v = submission.value;
  const who = { actorId: user.id, actorRole: user.role, ip: args.context.clientIp ?? null };
  const ref = v.intent === "add" ? { slug: v.slug } : { id: v.id ?? null, slug: v.slug };
  let r: TaxonomyResult;
  switch (v.intent) {
    case "add":
      r = await addTaxonomyItem(db, { ...who, kind: v.kind, slug: v.slug, nameEn: v.nameEn, nameUr: v.nameUr });
      break;
    case "rename":
      r = await renameTaxonomyItem(db, { ...who, kind: v.kind, ref, nameEn: v.nameEn, nameUr: v.nameUr });
      break;
    case "move":
      r = await moveTaxonomyItem(db, { ...who, kind: v.kind, ref, direction: v.direction });
      break;
    case "archive":
    case "unarchive":
      r = await setTaxonomyItemArchived(db, { ...who, kind: v.kind, ref, archived: v.intent === "archive" });
      break;
    case "delete":
      r = await deleteTaxonomyItem(db, { ...who, kind: v.kind, ref });
      break;
  }
  if (r.ok) return redirect(`/admin/taxonomy?done=${v.intent}#${v.kind}-${r.slug}`, 303);
  switch (r.reason) {
    case "invalid": {
      // An error about which item was meant (a malformed id or slug) has no field of its own on the page.
      const { item, direction, ...fieldErrors } = r.fieldErrors;
      const formErrors = item || direction ? ["admin.taxonomy.refused.invalid"] : undefined;
      return data<ActionReply>(submission.reply({ fieldErrors, formErrors }), { status: TAXONOMY_REFUSALS.invalid });
    }
    case "notFound":
      notFound();
    // eslint-disable-next-line no-fallthrough -- notFound() throws
    case "slugTaken":
      return refuse(r.reason, TAXONOMY_REFUSALS, { submission, field: "slug", message: "admin.taxonomy.refused.slugTaken" });
    default:
      return refuse(r.reason, TAXONOMY_REFUSALS, { submission, message: `admin.taxonomy.refused.${r.reason}` });
  }
}

const NO_NAMES = { slug: "", nameEn: "", nameUr: "" };

/** The answer to this form's last post, if it was this form's. */
function replyFor(reply: ActionReply | undefined, intent: string, kind?: string): ActionReply | undefined {
  const initial = reply?.initialValue as Record<string, unknown> | undefined;
  return initial?.intent === intent && (kind === undefined || initial?.kind === kind) ? reply : undefined;
}

function AddForm({ kind, reply }: { kind: "cluster" | "category"; reply: ActionReply | undefined }) {
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string>>({
    id: `add-${kind}`,
    lastResult: replyFor(reply, "add", kind),
    defaultValue: NO_NAMES,
    shouldValidate: "onSubmit",
  });
  const labels = { slug: t("admin.taxonomy.slug"), nameEn: t("admin.taxonomy.nameEn"), nameUr: t("admin.taxonomy.nameUr") };
  return (
    <Form method="post" {...getFormProps(form)} className="stack" aria-labelledby={`add-${kind}-title`}>
      <h3 id={`add-${kind}-title`}>{kind === "cluster" ? t("admin.taxonomy.addCluster") : t("admin.taxonomy.addCategory")}</h3>
      <ErrorSummary
        formErrors={form.errors}
        fields={[
          { field: fields.slug, label: labels.slug },
          { field: fields.nameEn, label: labels.nameEn },
          { field: fields.nameUr, label: labels.nameUr },
        ]}
      />
      <input type="hidden" name="intent" value="add" />
      <input type="hidden" name="kind" value={kind} />
      <TextField
        field={fields.slug}
        label={labels.slug}
        hint={t("admin.taxonomy.slugHint")}
        dir="ltr"
        autoComplete="off"
        maxLength={RULE_NUMBERS.slugMax}
      />
      <TextField
        field={fields.nameEn}
        label={t("admin.taxonomy.nameEn")}
        lang="en"
        dir="ltr"
        autoComplete="off"
        maxLength={RULE_NUMBERS.taxonomyNameMax}
      />
      <TextField
        field={fields.nameUr}
        label={t("admin.taxonomy.nameUr")}
        hint={t("admin.taxonomy.nameUrHint")}
        lang="ur"
        dir="rtl"
        autoComplete="off"
        maxLength={RULE_NUMBERS.taxonomyNameMax}
      />
      <button type="submit" className="button">
        {t("admin.taxonomy.add")}
      </button>
    </Form>
  );
}

function RenameForm({
  kind,
  item,
  reply,
}: {
  kind: string;
  item: { slug: string; nameEn: string; nameUr: string };
  reply: ActionReply | undefined;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string>>({
    id: "rename",
    lastResult: replyFor(reply, "rename", kind),
    defaultValue: { nameEn: item.nameEn, nameUr: item.nameUr },
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <ErrorSummary
        formErrors={form.errors}
        fields={[
          { field: fields.nameEn, label: t("admin.taxonomy.nameEn") },
          { field: fields.nameUr, label: t("admin.taxonomy.nameUr") },
        ]}
      />
      <input type="hidden" name="intent" value="rename" />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="slug" value={item.slug} />
      <TextField
        field={fields.nameEn}
        label={t("admin.taxonomy.nameEn")}
        lang="en"
        dir="ltr"
        autoComplete="off"
        maxLength={RULE_NUMBERS.taxonomyNameMax}
      />
      <TextField
        field={fields.nameUr}
        label={t("admin.taxonomy.nameUr")}
        hint={t("admin.taxonomy.nameUrHint")}
        lang="ur"
        dir="rtl"
        autoComplete="off"
        maxLength={RULE_NUMBERS.taxonomyNameMax}
      />
      <div className="button-row">
        <button type="submit" className="button">
          {t("admin.taxonomy.save")}
        </button>
        <Link to="/admin/taxonomy" className="button button--secondary">
          {t("admin.taxonomy.cancel")}
        </Link>
      </div>
    </Form>
  );
}

/** A one-button form acting on one item. */
function ItemButton({
  kind,
  slug,
  intent,
  label,
  name,
  extra,
}: {
  kind: string;
  slug: string;
  intent: Intent;
  label: string;
  name: string;
  extra?: { direction: string };
}) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="slug" value={slug} />
      {extra ? <input type="hidden" name="direction" value={extra.direction} /> : null}
      <button type="submit" className={intent === "delete" ? "button button--danger" : "button button--secondary"}>
        {label}
        <span className="visually-hidden">: {name}</span>
      </button>
    </Form>
  );
}

export default function AdminTaxonomy() {
  const { groups, rename } = useLoaderData<typeof loader>();
  const reply = actionReply(useActionData<typeof action>());
  const [params] = useSearchParams();
  const { t, i18n } = useTranslation();
  // The item a button acts on, for screen readers (the button's visible text is only the action).
  const itemName = (r: { nameEn: string; nameUr: string }) => (i18n.language === "ur" ? r.nameUr : r.nameEn);
  const done = params.get("done");
  const posted = reply?.initialValue as Record<string, string | undefined> | undefined;
  // After a refused rename the form comes back with what was typed; otherwise the item's current names.
  const renaming = posted?.intent === "rename" ? { kind: posted.kind ?? "", slug: posted.slug ?? "" } : rename;
  const renameItem = renaming ? groups.find((g) => g.kind === renaming.kind)?.rows.find((r) => r.slug === renaming.slug) : undefined;
  // The refusals of the one-button forms (move, archive, delete…), and of posts no form on the page made: no form of their own to show them in.
  const shownInForm =
    (posted?.intent === "add" && (posted.kind === "cluster" || posted.kind === "category")) || (posted?.intent === "rename" && renameItem);
  const itemErrors = shownInForm ? [] : formErrorsOf(reply);
  return (
    <>
      <h1>{t("admin.taxonomy.title")}</h1>
      <p>{t("admin.taxonomy.intro")}</p>
      {done && isIntent(done) ? (
        <p className="notice" role="status">
          {t(`admin.taxonomy.done.${done}`)}
        </p>
      ) : null}
      <ErrorSummary formErrors={itemErrors} fields={[]} />

      {renaming && renameItem ? (
        <section aria-labelledby="rename-title" id="rename" className="card">
          <h2 id="rename-title">
            {t("admin.taxonomy.rename")}: {/* the code is Latin inside an Urdu heading: isolate it */}
            <bdi dir="ltr">
              <code>{renameItem.slug}</code>
            </bdi>
          </h2>
          <RenameForm key={`${renaming.kind}:${renameItem.slug}`} kind={renaming.kind} item={renameItem} reply={reply} />
        </section>
      ) : null}

      {groups.map((g) => {
        return (
          <section key={g.key} aria-labelledby={`${g.key}-title`}>
            <h2 id={`${g.key}-title`}>{t(`admin.taxonomy.${g.key}`)}</h2>
            {g.kind === "stage" ? <p className="hint">{t("admin.taxonomy.stagesNote")}</p> : null}
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t(`admin.taxonomy.${g.key}`)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("admin.taxonomy.slug")}</th>
                    <th scope="col">{t("admin.taxonomy.english")}</th>
                    <th scope="col">{t("admin.taxonomy.urdu")}</th>
                    <th scope="col">{t("admin.taxonomy.state")}</th>
                    <th scope="col">{t("admin.taxonomy.suggestions")}</th>
                    <th scope="col">{t("admin.taxonomy.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {g.rows.map((r, i) => (
                    <tr key={r.slug} id={`${g.kind}-${r.slug}`}>
                      <th scope="row" dir="ltr">
                        <code>{r.slug}</code>
                      </th>
                      <td lang="en" dir="ltr">
                        {r.nameEn}
                      </td>
                      <td lang="ur" dir="rtl">
                        {r.nameUr}
                      </td>
                      <td>
                        {r.archived ? t("admin.taxonomy.archived") : t("admin.taxonomy.active")}
                        {r.shipped && g.kind !== "stage" ? <div className="muted">{t("admin.taxonomy.shipped")}</div> : null}
                      </td>
                      <td>
                        <NumberText value={r.suggestions} />
                      </td>
                      <td>
                        <div className="button-row">
                          <Link to={`?rename=${g.kind}:${r.slug}#rename`} className="button button--secondary">
                            {t("admin.taxonomy.rename")}
                            <span className="visually-hidden">: {itemName(r)}</span>
                          </Link>
                          {i > 0 ? (
                            <ItemButton
                              kind={g.kind}
                              slug={r.slug}
                              intent="move"
                              extra={{ direction: "up" }}
                              label={t("admin.taxonomy.moveUp")}
                              name={itemName(r)}
                            />
                          ) : null}
                          {i < g.rows.length - 1 ? (
                            <ItemButton
                              kind={g.kind}
                              slug={r.slug}
                              intent="move"
                              extra={{ direction: "down" }}
                              label={t("admin.taxonomy.moveDown")}
                              name={itemName(r)}
                            />
                          ) : null}
                          {g.kind === "stage" ? null : r.archived ? (
                            <ItemButton
                              kind={g.kind}
                              slug={r.slug}
                              intent="unarchive"
                              label={t("admin.taxonomy.unarchive")}
                              name={itemName(r)}
                            />
                          ) : (
                            <ItemButton
                              kind={g.kind}
                              slug={r.slug}
                              intent="archive"
                              label={t("admin.taxonomy.archive")}
                              name={itemName(r)}
                            />
                          )}
                          {g.kind !== "stage" && !r.inUse && !r.shipped ? (
                            <ItemButton kind={g.kind} slug={r.slug} intent="delete" label={t("admin.taxonomy.delete")} name={itemName(r)} />
                          ) : null}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {g.kind === "stage" ? null : <AddForm kind={g.kind} reply={reply} />}
          </section>
        );
      })}
    </>
  );
}
