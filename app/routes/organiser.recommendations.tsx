import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { NumberText } from "../components/dates";
import { DecisionErrorSummary, type FieldErrorMap } from "../components/moderation";
import { RecommendationFields, type RecommendationValues } from "../components/recommendation-form";
import { readForm } from "../lib/http.server";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { readRecommendationForm } from "../lib/recommendation-schemas.server";
import { getActiveConsultation } from "../models/consultation.server";
import { createRecommendation, listRecommendations } from "../models/recommendation.server";
import { listCategories, listClusters } from "../models/taxonomy.server";
import { recommendationNumber } from "../lib/recommendation-reference";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

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
      title: r.title,
      status: r.status,
      priority: r.priority,
      clusters: r.clusters.map((c) => localName(c, lng)),
      sources: r.sources,
      uniqueSupporters: r.figures.uniqueSupporters,
    })),
    clusters: clusters.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
    categories: categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
  };
}

interface CreateActionData {
  message?: string;
  fieldErrors?: FieldErrorMap;
  values?: RecommendationValues;
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "organiser");
  const form = await readForm(args.request);
  const values = readRecommendationForm(form);
  const r = await createRecommendation(args.context.db, { actorId: user.id, actorRole: user.role, input: values });
  if (!r.ok) {
    if (r.reason === "invalid") return data<CreateActionData>({ values, fieldErrors: r.fieldErrors }, { status: 400 });
    return data<CreateActionData>({ values, message: "recommendation.errors.noConsultation" }, { status: 409 });
  }
  return redirect(`/organiser/recommendations/${r.id}`, 303);
}

const EMPTY: RecommendationValues = { title: "", text: "", cluster: [], category: [], priority: "3", dissent: "", status: "draft" };

export default function OrganiserRecommendations() {
  const { recommendations, clusters, categories } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as CreateActionData | undefined;
  const { t } = useTranslation();
  return (
    <div className="stack">
      <h1>{t("recommendation.organiserTitle")}</h1>
      <p className="button-row">
        <Link to="/recommendations">{t("recommendation.viewPublic")}</Link>
        <Link to="/organiser/briefing">{t("recommendation.briefingLink")}</Link>
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
                      <bdi>{r.title}</bdi>
                    </Link>
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
        <DecisionErrorSummary message={actionData?.message} fieldErrors={actionData?.fieldErrors} prefix="create" />
        <Form method="post" className="stack" id="create-recommendation">
          <RecommendationFields prefix="create" values={actionData?.values ?? EMPTY} errors={actionData?.fieldErrors ?? {}} clusters={clusters} categories={categories} />
          <button type="submit" className="button">
            {t("recommendation.createSubmit")}
          </button>
        </Form>
      </section>
    </div>
  );
}
