import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { NumberText } from "../components/dates";
import { StatusTable } from "../components/status-table";
import { localName } from "../lib/i18n";
import { getFixedT } from "../lib/i18next.server";
import { getActiveConsultation } from "../models/consultation.server";
import { countOpenReports, countSubmissionsByClusterAndStatus, listClusters } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  const { db } = args.context;
  const { t, lng } = await getFixedT(args.request, args.context);
  const consultation = await getActiveConsultation(db);
  const [clusters, counts, openReports] = await Promise.all([
    listClusters(db),
    consultation ? countSubmissionsByClusterAndStatus(db, consultation.id) : [],
    countOpenReports(db),
  ]);
  return {
    title: `${t("moderation.title")} · ${t("app.name")}`,
    clusters: clusters.map((c) => ({ id: c.id, name: localName(c, lng) })),
    counts,
    pending: counts.filter((c) => c.status === "pending").reduce((n, c) => n + c.count, 0),
    openReports,
  };
}

export default function Moderation() {
  const { clusters, counts, pending, openReports } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("moderation.title")}</h1>
      <dl className="figures figures--large">
        <div>
          <dt>{t("moderation.pending")}</dt>
          <dd>
            <NumberText value={pending} />
          </dd>
        </div>
        <div>
          <dt>{t("moderation.openReports")}</dt>
          <dd>
            <NumberText value={openReports} />
          </dd>
        </div>
      </dl>
      <StatusTable caption={t("moderation.byCluster")} clusters={clusters} counts={counts} />
    </>
  );
}
