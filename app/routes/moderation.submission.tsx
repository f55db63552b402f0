import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { useErrorText } from "../components/form";
import { idParam, readForm } from "../lib/http.server";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { ApproveDecisionSchema } from "../lib/query-schemas.server";
import { approveSubmission } from "../models/moderation.server";
import { getSubmissionForViewer } from "../models/submission.server";
import { listCategories } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

// The decision screen. This issue needs approval with categories; the
// moderation issue adds reject, tag, merge, hide and restore here.
export async function loader(args: LoaderFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const id = idParam(args.params.id);
  const s = await getSubmissionForViewer(args.context.db, { id, viewer: user });
  if (!s) throw data({ error: "notFound" }, { status: 404 });
  const { t, lng } = await getFixedT(args.request, args.context);
  const categories = await listCategories(args.context.db);
  return {
    title: `${t("moderation.decide")} #${id} · ${t("app.name")}`,
    submission: { id: s.id, title: s.title, status: s.status, suggested: s.suggested_category_slug, current: s.categories.map((c) => c.slug) },
    categories: categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
  };
}


export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const id = idParam(args.params.id);
  const form = await readForm(args.request);
  const parsed = ApproveDecisionSchema.safeParse({ intent: form.get("intent"), category: form.getAll("category").map(String) });
  if (!parsed.success) return data({ message: "errors.invalid" }, { status: 400 });
  const r = await approveSubmission(args.context.db, { id, moderatorId: user.id, moderatorRole: user.role, categorySlugs: parsed.data.category });
  if (!r.ok) {
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    if (r.reason === "invalid") return data({ message: r.fieldErrors.category?.[0] ?? "errors.invalid" }, { status: 400 });
    return data({ message: "moderation.refused.notPending" }, { status: 409 });
  }
  return redirect(`/submissions/${id}`, 303);
}

export default function ModerationDecision() {
  const { submission: s, categories } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const errorText = useErrorText();
  const preselected = new Set(s.current.length ? s.current : s.suggested ? [s.suggested] : []);
  return (
    <div className="narrow narrow--wide">
      <h1>
        {t("moderation.decide")} #{s.id}
      </h1>
      <p>
        <Link to={`/submissions/${s.id}`}>
          <bdi>{s.title}</bdi>
        </Link>{" "}
        · {t(`status.${s.status}`)}
      </p>
      {actionData?.message ? (
        <div className="error-summary" role="alert">
          <p>{errorText(actionData.message)}</p>
        </div>
      ) : null}
      {s.status === "pending" ? (
        <Form method="post" className="stack">
          <fieldset>
            <legend>{t("moderation.categories")}</legend>
            {categories.map((c) => (
              <div className="field field--checkbox" key={c.slug}>
                <input type="checkbox" id={`cat-${c.slug}`} name="category" value={c.slug} defaultChecked={preselected.has(c.slug)} />
                <label htmlFor={`cat-${c.slug}`}>{c.name}</label>
              </div>
            ))}
          </fieldset>
          <button type="submit" name="intent" value="approve" className="button">
            {t("moderation.approve")}
          </button>
        </Form>
      ) : (
        <p className="notice">{t("moderation.refused.notPending")}</p>
      )}
    </div>
  );
}
