import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { NumberText } from "../components/dates";
import { DecisionErrorSummary, FieldError, type FieldErrorMap } from "../components/moderation";
import { readForm } from "../lib/http.server";
import { getFixedT } from "../lib/i18next.server";
import { RULE_NUMBERS } from "../lib/rules";
import {
  addTaxonomyItem,
  deleteTaxonomyItem,
  listTaxonomyForAdmin,
  moveTaxonomyItem,
  renameTaxonomyItem,
  setTaxonomyItemArchived,
  TAXONOMY_KINDS,
  type TaxonomyKind,
  type TaxonomyResult,
} from "../models/taxonomy-admin.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

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

const isKind = (v: unknown): v is TaxonomyKind => (TAXONOMY_KINDS as readonly unknown[]).includes(v);
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
    if (!group || !lists[group.key].some((i) => i.slug === slug)) throw data({ error: "notFound" }, { status: 404 });
    rename = { kind: group.kind, slug };
  }
  return {
    title: `${t("admin.taxonomy.title")} · ${t("app.name")}`,
    groups: GROUPS.map((g) => ({ ...g, rows: lists[g.key] })),
    rename,
  };
}

interface ActionData {
  intent: string;
  kind: string;
  slug: string;
  message?: string;
  fieldErrors?: FieldErrorMap;
  values: { slug: string; nameEn: string; nameUr: string };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "admin");
  const { db } = args.context;
  const form = await readForm(args.request);
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const intent = field("intent");
  const kind = field("kind");
  const values = { slug: field("slug"), nameEn: field("nameEn"), nameUr: field("nameUr") };
  const answer = (status: number, body: Pick<ActionData, "message" | "fieldErrors">) =>
    data<ActionData>({ intent, kind, slug: values.slug, values, ...body }, { status });
  if (!isIntent(intent) || !isKind(kind)) return answer(400, { message: "admin.taxonomy.refused.invalid" });

  const who = { actorId: user.id, actorRole: user.role, ip: args.context.clientIp ?? null };
  const ref = { id: field("id") || null, slug: values.slug };
  let r: TaxonomyResult;
  switch (intent) {
    case "add":
      r = await addTaxonomyItem(db, { ...who, kind, slug: values.slug, nameEn: values.nameEn, nameUr: values.nameUr });
      break;
    case "rename":
      r = await renameTaxonomyItem(db, { ...who, kind, ref, nameEn: values.nameEn, nameUr: values.nameUr });
      break;
    case "move":
      r = await moveTaxonomyItem(db, { ...who, kind, ref, direction: field("direction") });
      break;
    case "archive":
    case "unarchive":
      r = await setTaxonomyItemArchived(db, { ...who, kind, ref, archived: intent === "archive" });
      break;
    case "delete":
      r = await deleteTaxonomyItem(db, { ...who, kind, ref });
      break;
  }
  if (r.ok) return redirect(`/admin/taxonomy?done=${intent}#${kind}-${r.slug}`, 303);
  switch (r.reason) {
    case "invalid": {
      // An error about which item was meant (a malformed id or slug) has no field of its own on the page.
      const { item, direction, ...fieldErrors } = r.fieldErrors;
      return answer(400, { fieldErrors, message: item || direction ? "admin.taxonomy.refused.invalid" : undefined });
    }
    case "notFound":
      throw data({ error: "notFound" }, { status: 404 });
    case "fixedStages":
      return answer(400, { message: "admin.taxonomy.refused.fixedStages" });
    case "slugTaken":
      return answer(409, { fieldErrors: { slug: ["admin.taxonomy.refused.slugTaken"] } });
    default:
      return answer(409, { message: `admin.taxonomy.refused.${r.reason}` });
  }
}

function TextField({
  id,
  name,
  label,
  hint,
  value,
  errors,
  urdu = false,
}: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  value: string;
  errors?: string[];
  urdu?: boolean;
}) {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : "", errors?.length ? errorId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} errors={errors} />
      <input
        type="text"
        id={id}
        name={name}
        defaultValue={value}
        maxLength={name === "slug" ? RULE_NUMBERS.slugMax : RULE_NUMBERS.taxonomyNameMax}
        lang={urdu ? "ur" : name === "slug" ? undefined : "en"}
        dir={urdu ? "rtl" : "ltr"}
        autoComplete="off"
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}

function NameFields({ prefix, values, errors }: { prefix: string; values: { nameEn: string; nameUr: string }; errors: FieldErrorMap }) {
  const { t } = useTranslation();
  return (
    <>
      <TextField id={`${prefix}-nameEn`} name="nameEn" label={t("admin.taxonomy.nameEn")} value={values.nameEn} errors={errors.nameEn} />
      <TextField id={`${prefix}-nameUr`} name="nameUr" label={t("admin.taxonomy.nameUr")} hint={t("admin.taxonomy.nameUrHint")} value={values.nameUr} errors={errors.nameUr} urdu />
    </>
  );
}

/** A one-button form acting on one item. */
function ItemButton({ kind, slug, intent, label, name, extra }: { kind: string; slug: string; intent: Intent; label: string; name: string; extra?: { direction: string } }) {
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
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const { t, i18n } = useTranslation();
  // The item a button acts on, for screen readers (the button's visible text is only the action).
  const itemName = (r: { nameEn: string; nameUr: string }) => (i18n.language === "ur" ? r.nameUr : r.nameEn);
  const done = params.get("done");
  const errors = actionData?.fieldErrors ?? {};
  // After a refused rename the form comes back with what was typed; otherwise the item's current names.
  const renaming = actionData?.intent === "rename" ? { kind: actionData.kind, slug: actionData.slug } : rename;
  const renameItem = renaming ? groups.find((g) => g.kind === renaming.kind)?.rows.find((r) => r.slug === renaming.slug) : undefined;
  const errorPrefix = actionData?.intent === "add" ? `add-${actionData.kind}` : "rename";
  return (
    <>
      <h1>{t("admin.taxonomy.title")}</h1>
      <p>{t("admin.taxonomy.intro")}</p>
      {done && isIntent(done) ? (
        <p className="notice" role="status">
          {t(`admin.taxonomy.done.${done}`)}
        </p>
      ) : null}
      <DecisionErrorSummary message={actionData?.message} fieldErrors={errors} prefix={errorPrefix} />

      {renaming && renameItem ? (
        <section aria-labelledby="rename-title" id="rename" className="card">
          <h2 id="rename-title">
            {t("admin.taxonomy.rename")}: {/* the code is Latin inside an Urdu heading: isolate it */}
            <bdi dir="ltr">
              <code>{renameItem.slug}</code>
            </bdi>
          </h2>
          <Form method="post" className="stack" noValidate>
            <input type="hidden" name="intent" value="rename" />
            <input type="hidden" name="kind" value={renaming.kind} />
            <input type="hidden" name="slug" value={renameItem.slug} />
            <NameFields
              prefix="rename"
              values={actionData?.intent === "rename" ? actionData.values : { nameEn: renameItem.nameEn, nameUr: renameItem.nameUr }}
              errors={actionData?.intent === "rename" ? errors : {}}
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
        </section>
      ) : null}

      {groups.map((g) => {
        const addErrors = actionData?.intent === "add" && actionData.kind === g.kind ? errors : {};
        const addValues = actionData?.intent === "add" && actionData.kind === g.kind ? actionData.values : { slug: "", nameEn: "", nameUr: "" };
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
                          {i > 0 ? <ItemButton kind={g.kind} slug={r.slug} intent="move" extra={{ direction: "up" }} label={t("admin.taxonomy.moveUp")} name={itemName(r)} /> : null}
                          {i < g.rows.length - 1 ? (
                            <ItemButton kind={g.kind} slug={r.slug} intent="move" extra={{ direction: "down" }} label={t("admin.taxonomy.moveDown")} name={itemName(r)} />
                          ) : null}
                          {g.kind === "stage" ? null : r.archived ? (
                            <ItemButton kind={g.kind} slug={r.slug} intent="unarchive" label={t("admin.taxonomy.unarchive")} name={itemName(r)} />
                          ) : (
                            <ItemButton kind={g.kind} slug={r.slug} intent="archive" label={t("admin.taxonomy.archive")} name={itemName(r)} />
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
            {g.kind === "stage" ? null : (
              <Form method="post" className="stack" noValidate aria-labelledby={`add-${g.kind}-title`}>
                <h3 id={`add-${g.kind}-title`}>{g.kind === "cluster" ? t("admin.taxonomy.addCluster") : t("admin.taxonomy.addCategory")}</h3>
                <input type="hidden" name="intent" value="add" />
                <input type="hidden" name="kind" value={g.kind} />
                <TextField id={`add-${g.kind}-slug`} name="slug" label={t("admin.taxonomy.slug")} hint={t("admin.taxonomy.slugHint")} value={addValues.slug} errors={addErrors.slug} />
                <NameFields prefix={`add-${g.kind}`} values={addValues} errors={addErrors} />
                <button type="submit" className="button">
                  {t("admin.taxonomy.add")}
                </button>
              </Form>
            )}
          </section>
        );
      })}
    </>
  );
}
