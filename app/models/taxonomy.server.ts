// Clusters, issue categories and value-chain stages, with the counts the
// public pages show. Names come in both languages; the page picks one.
//
// Archived clusters and categories (see taxonomy-admin.server.ts) are left
// out by default: every form that starts something new (a suggestion, a
// registration, a moderator's category choice) lists only active ones. Pages
// about what already exists (a suggestion, the organiser's and moderators'
// overviews, exports) pass `includeArchived` or join the tables directly, so
// an archived name still shows where it was used.
import type { Executor } from "../../db/client";

export async function listClustersWithCounts(db: Executor, consultationId: number | null, options: { includeArchived?: boolean } = {}) {
  let q = db.selectFrom("clusters").select(["id", "slug", "name_en", "name_ur", "archived"]);
  if (!options.includeArchived) q = q.where("archived", "=", 0);
  const clusters = await q.orderBy("sort_order").orderBy("id").execute();
  // One query per cluster, each a range of the (consultation, cluster, status,
  // supporters_count) index that it covers: no table rows are read. A single
  // GROUP BY over the consultation made SQLite visit every suggestion's row.
  const counts = consultationId
    ? await Promise.all(
        clusters.map((c) =>
          db
            .selectFrom("submissions")
            .select([(eb) => eb.fn.countAll<number>().as("submissions"), (eb) => eb.fn.sum<number>("supporters_count").as("supports")])
            .where("consultation_id", "=", consultationId)
            .where("cluster_id", "=", c.id)
            .where("status", "=", "published")
            .executeTakeFirstOrThrow()
            .then((r) => ({ cluster_id: c.id, ...r })),
        ),
      )
    : [];
  const byCluster = new Map(counts.map((c) => [c.cluster_id, c]));
  return clusters.map((c) => ({
    ...c,
    submissions: Number(byCluster.get(c.id)?.submissions ?? 0),
    supports: Number(byCluster.get(c.id)?.supports ?? 0),
  }));
}

export async function getClusterBySlug(db: Executor, slug: string) {
  return db.selectFrom("clusters").select(["id", "slug", "name_en", "name_ur", "archived"]).where("slug", "=", slug).executeTakeFirst();
}

export async function listClusters(db: Executor, options: { includeArchived?: boolean } = {}) {
  let q = db.selectFrom("clusters").select(["id", "slug", "name_en", "name_ur", "archived", "sort_order"]);
  if (!options.includeArchived) q = q.where("archived", "=", 0);
  return q.orderBy("sort_order").orderBy("id").execute();
}

export async function listCategories(db: Executor, options: { includeArchived?: boolean } = {}) {
  let q = db.selectFrom("categories").select(["id", "slug", "name_en", "name_ur", "hint_en", "hint_ur", "archived", "sort_order"]);
  if (!options.includeArchived) q = q.where("archived", "=", 0);
  return q.orderBy("sort_order").orderBy("id").execute();
}

export async function listStages(db: Executor) {
  return db.selectFrom("stages").select(["slug", "name_en", "name_ur", "sort_order"]).orderBy("sort_order").orderBy("slug").execute();
}

/** Submissions per cluster and status: the moderation and organiser overviews. */
export async function countSubmissionsByClusterAndStatus(db: Executor, consultationId: number) {
  const rows = await db
    .selectFrom("submissions")
    .select(["cluster_id", "status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("consultation_id", "=", consultationId)
    .groupBy(["cluster_id", "status"])
    .execute();
  return rows.map((r) => ({ clusterId: r.cluster_id, status: r.status, count: Number(r.n) }));
}

export async function countOpenReports(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("reports")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "open")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Select options for the suggestion form and the filters, in the page's
 * language: active clusters and categories only. `keep` adds the archived
 * ones an existing suggestion already has (its edit form), so editing it does
 * not force a new choice.
 */
export async function taxonomyOptions(
  db: Executor,
  lng: string,
  options: { keep?: { cluster?: string | null; category?: string | null } } = {},
) {
  const name = (r: { name_en: string; name_ur: string }) => (lng === "ur" && r.name_ur ? r.name_ur : r.name_en);
  const keep = options.keep;
  const [allClusters, allCategories, stages] = await Promise.all([
    listClusters(db, { includeArchived: Boolean(keep?.cluster) }),
    listCategories(db, { includeArchived: Boolean(keep?.category) }),
    listStages(db),
  ]);
  const clusters = allClusters.filter((c) => !c.archived || c.slug === keep?.cluster);
  const categories = allCategories.filter((c) => !c.archived || c.slug === keep?.category);
  return {
    clusters: clusters.map((c) => ({ value: c.slug, label: name(c) })),
    categories: categories.map((c) => ({ value: c.slug, label: name(c) })),
    stages: stages.map((s) => ({ value: s.slug, label: name(s) })),
  };
}
