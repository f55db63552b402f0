import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { NumberText } from "~/components/dates";
import { ErrorSummary } from "~/components/form";
import { RecommendationFields, useRecommendationLabels } from "~/components/recommendation-form";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { CreateRecommendationFormSchema } from "~/lib/recommendation-schemas.server";
import { actionReply, type ActionReply } from "~/lib/refusal";
import { getActiveConsultation } from "~/models/consultation.server";
import { createRecommendation, listRecommendations, RECOMMENDATION_REFUSALS } from "~/models/recommendation.server";
import { listCategories, listClusters } from "~/models/taxonomy.server";
import { recommendationNumber } from "~/lib/recommendation-reference";
import { asLanguage, recommendationIn } from "~/lib/recommendation-language";
import { MissingVersionMark, ShownText } from "~/components/recommendation-language";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// The organisers' list of recommendations (drafts and final) and the create form.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const [rows, clusters, categories] = await Promise.all([
    consultation ? listRecommendations(db, { consultationId: consultation.id }) : [],
    listClusters(db),
    listCategories(db),
  ]);
  return {
    title: `${t("recommendation.organiserTitle")} · ${t("app.name")}`,
    recommendations: rows.map((r) => ({
      id: r.id,
      // The reader's language version, or the other one marked (ADR 0032).
      title: recommendationIn(r, asLanguage(lng)).title,
      status: r.status,
      priority: r.priority,
      clusters: r.clusters.map((c) => localName(c, lng)),
      sources: r.sources,
      uniqueSupporters: r.figures.uniqueSupporters,
      verifiedSupporters: r.figures.verifiedSupporters,
    })),
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    categories: categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "organiser");
  const submission = await parseForm(args.request, CreateRecommendationFormSchema);
  if (submission.status !== "success") return invalid(submission);
  const r = await createRecommendation(args.context.db, { actorId: user.id, actorRole: user.role, input: submission.value });
  if (!r.ok) {
    if (r.reason === "invalid")
      return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: RECOMMENDATION_REFUSALS.invalid });
    return refuse(r.reason, RECOMMENDATION_REFUSALS, { submission, message: "recommendation.errors.noConsultation" });
  }
  return redirect(`/organiser/recommendations/${r.id}`, 303);
}

const EMPTY = {
  title: "",
  text: "",
  dissent: "",
  titleUr: "",
  textUr: "",
  dissentUr: "",
  cluster: [],
  category: [],
  priority: "3",
  status: "draft",
};

function CreateForm({
  clusters,
  categories,
}: {
  clusters: Array<{ slug: string; name: string }>;
  categories: Array<{ slug: string; name: string }>;
}) {
  const { t } = useTranslation();
  const lastResult = actionReply(useActionData<typeof action>());
  const [form, fields] = useForm<Record<string, string | string[]>>({
    id: "create-recommendation",
    lastResult,
    defaultValue: EMPTY,
    shouldValidate: "onSubmit",
  });
  const labels = useRecommendationLabels();
  return (
    <>
      <ErrorSummary
        formErrors={form.errors}
        fields={(Object.keys(labels) as Array<keyof typeof labels>).map((name) => ({ field: fields[name], label: labels[name] }))}
      />
      <Form method="post" {...getFormProps(form)} className="stack">
        <RecommendationFields fields={fields} clusters={clusters} categories={categories} />
        <button type="submit" className="button">
          {t("recommendation.createSubmit")}
        </button>
      </Form>
    </>
  );
}

export default function OrganiserRecommendations() {
  const { recommendations, clusters, categories } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <h1>{t("recommendation.organiserTitle")}</h1>
      <p className="button-row">
        <Link to="/recommendations">{t("recommendation.viewPublic")}</Link>
        <Link to="/organiser/briefing">{t("recommendation.briefingLink")}</Link>
        <Link to="/organiser/synthesis">{t("synthesis.navLink")}</Link>
        <Link to="/organiser/coverage">{t("organiser.toCoverage")}</Link>
      </p>
      {recommendations.length ? (
        <div className="table-wrap">
          <table className="recommendations">
            <caption className="visually-hidden">{t("recommendation.listTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("recommendation.column.number")}</th>
                <th scope="col">{t("recommendation.column.title")}</th>
                <th scope="col">{t("recommendation.column.status")}</th>
                <th scope="col">{t("recommendation.column.priority")}</th>
                <th scope="col">{t("recommendation.column.clusters")}</th>
                <th scope="col">{t("recommendation.column.sources")}</th>
                <th scope="col">{t("recommendation.column.supporters")}</th>
                <th scope="col">{t("recommendation.column.verifiedSupporters")}</th>
              </tr>
            </thead>
            <tbody>
              {recommendations.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/organiser/recommendations/${r.id}`}>{recommendationNumber(r.id)}</Link>
                  </th>
                  <td>
                    <Link to={`/organiser/recommendations/${r.id}`}>
                      <ShownText shown={r.title} />
                    </Link>
                    {r.title.fallback ? <MissingVersionMark /> : null}
                  </td>
                  <td>{t(`recommendation.status.${r.status}`, { defaultValue: r.status })}</td>
                  <td>
                    <NumberText value={r.priority} />
                  </td>
                  <td>{r.clusters.length ? r.clusters.join(", ") : t("recommendation.crossCluster")}</td>
                  <td>
                    <NumberText value={r.sources} />
                  </td>
                  <td>
                    <NumberText value={r.uniqueSupporters} />
                  </td>
                  <td>
                    <NumberText value={r.verifiedSupporters} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">{t("recommendation.none")}</p>
      )}

      <section aria-labelledby="create-title" className="narrow narrow--wide">
        <h2 id="create-title">{t("recommendation.create")}</h2>
        <CreateForm clusters={clusters} categories={categories} />
      </section>
    </div>
  );
}
