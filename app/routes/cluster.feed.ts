// /clusters/:cluster/feed.atom: an Atom 1.0 feed of the cluster's newly
// published suggestions (published or merged: what the cluster page shows;
// never pending, rejected, hidden or withdrawn), newest 50, one entry each,
// its id its public URL. An unknown cluster is a 404. Absolute URLs from ORIGIN.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { atomResponse } from "~/lib/atom.server";
import { notFound } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { clusterFeedItems } from "~/models/feeds.server";
import { getClusterBySlug } from "~/models/taxonomy.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { db, config } = context;
  const slug = params.cluster ?? "";
  if (!/^[a-z0-9-]{1,60}$/.test(slug)) notFound();
  const cluster = await getClusterBySlug(db, slug);
  if (!cluster) notFound();
  const { t, lng } = await getFixedT(request, context);
  const origin = config.ORIGIN;
  const consultation = await getActiveConsultation(db);
  const items = consultation ? await clusterFeedItems(db, { consultationId: consultation.id, clusterId: cluster.id }) : [];
  const self = `${origin}/clusters/${cluster.slug}/feed.atom`;
  return atomResponse({
    id: self,
    title: `${localName(cluster, lng)} · ${t("app.name")}`,
    subtitle: t("feeds.clusterSubtitle"),
    self,
    alternate: `${origin}/clusters/${cluster.slug}`,
    author: t("app.name"),
    lang: lng,
    emptyUpdated: consultation?.submission_opens_at ?? "2026-01-01T00:00:00.000Z",
    entries: items.map((s) => ({
      id: `${origin}/submissions/${s.id}`,
      title: `#${s.id} ${s.title}`,
      updated: s.published_at!,
      published: s.published_at!,
      link: `${origin}/submissions/${s.id}`,
      summary: `${s.problem}\n\n${s.proposal}`,
    })),
  });
}
