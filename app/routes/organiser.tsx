import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { NumberText } from "../components/dates";
import { StatusTable } from "../components/status-table";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { getActiveConsultation } from "../models/consultation.server";
import { countSubmissionsByClusterAndStatus, listClustersWithCounts } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const [clusters, counts] = await Promise.all([
    listClustersWithCounts(db, consultation?.id ?? null, { includeArchived: true }),
    consultation ? countSubmissionsByClusterAndStatus(db, consultation.id) : [],
  ]);
  return {
    title: `${t("organiser.title")} · ${t("app.name")}`,
    // An archived cluster shows while this consultation has suggestions in it.
    clusters: clusters.filter((c) => !c.archived || counts.some((n) => n.clusterId === c.id)).map((c) => ({ id: c.id, name: localName(c, lng) })),
    counts,
    published: clusters.reduce((n, c) => n + c.submissions, 0),
    supports: clusters.reduce((n, c) => n + c.supports, 0),
  };
}

export default function Organiser() {
  const { clusters, counts, published, supports } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("organiser.title")}</h1>
      <dl className="figures figures--large">
        <div>
          <dt>{t("organiser.published")}</dt>
          <dd>
            <NumberText value={published} />
          </dd>
        </div>
        <div>
          <dt>{t("organiser.supports")}</dt>
          <dd>
            <NumberText value={supports} />
          </dd>
        </div>
      </dl>
      <StatusTable caption={t("organiser.byCluster")} clusters={clusters} counts={counts} />
    </>
  );
}
