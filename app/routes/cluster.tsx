import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { DateText, NumberText } from "../components/dates";
import { pageParam } from "../lib/http.server";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { getActiveConsultation } from "../models/consultation.server";
import { listPublishedInCluster } from "../models/submission.server";
import { countPublishedInCluster, getClusterBySlug } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

const PAGE_SIZE = 20;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const cluster = await getClusterBySlug(context.db, params.cluster ?? "");
  if (!cluster) throw data({ error: "notFound" }, { status: 404 });
  const { t, lng } = await getFixedT(request, context);
  const consultation = await getActiveConsultation(context.db);
  const page = pageParam(new URL(request.url).searchParams.get("page"));
  const [total, rows] = consultation
    ? await Promise.all([
        countPublishedInCluster(context.db, consultation.id, cluster.id),
        listPublishedInCluster(context.db, { consultationId: consultation.id, clusterId: cluster.id, page, pageSize: PAGE_SIZE }),
      ])
    : [0, []];
  const name = localName(cluster, lng);
  return {
    title: `${name} · ${t("app.name")}`,
    cluster: { slug: cluster.slug, name, otherName: lng === "ur" ? cluster.name_en : cluster.name_ur },
    total,
    page,
    submissions: rows,
  };
}

export default function ClusterPage() {
  const { cluster, total, submissions } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{cluster.name}</h1>
      <p className="subtitle">
        <bdi>{cluster.otherName}</bdi>
      </p>
      <p>
        {t("cluster.published")}: <strong><NumberText value={total} /></strong>
      </p>
      {submissions.length === 0 ? (
        <p className="empty">{t("cluster.empty")}</p>
      ) : (
        <ol className="card-list">
          {submissions.map((s) => (
            <li key={s.id} className="card">
              <h2 className="card__title">
                <bdi>{s.title}</bdi>
              </h2>
              <p className="card__meta">
                #{s.id} · <DateText iso={s.published_at ?? s.created_at} /> · {t("cluster.supporters")}:{" "}
                <NumberText value={s.supporters_count} />
              </p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
