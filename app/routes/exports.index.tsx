import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { NumberText } from "../components/dates";
import { StatusTable } from "../components/status-table";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { getActiveConsultation } from "../models/consultation.server";
import { countSubmissionsByClusterAndStatus, listClusters } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

// The organisers' exports area. The downloads themselves arrive with the
// organiser issue; this page shows what there is to export.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const [clusters, counts] = await Promise.all([
    listClusters(db, { includeArchived: true }),
    consultation ? countSubmissionsByClusterAndStatus(db, consultation.id) : [],
  ]);
  return {
    title: `${t("exports.title")} · ${t("app.name")}`,
    // An archived cluster shows while this consultation has suggestions in it.
    clusters: clusters.filter((c) => !c.archived || counts.some((n) => n.clusterId === c.id)).map((c) => ({ id: c.id, name: localName(c, lng) })),
    counts,
    total: counts.reduce((n, c) => n + c.count, 0),
  };
}

export default function ExportsIndex() {
  const { clusters, counts, total } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("exports.title")}</h1>
      <p>
        {t("exports.total")}: <strong><NumberText value={total} /></strong>
      </p>
      <StatusTable caption={t("exports.byCluster")} clusters={clusters} counts={counts} />
    </>
  );
}
