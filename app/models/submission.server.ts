// Submissions: the suggested interventions. This file grows with the
// suggestions issue (submit, edit, search, support); for now the public list.
import type { Executor } from "../../db/client";

export async function listPublishedInCluster(
  db: Executor,
  q: { consultationId: number; clusterId: number; page: number; pageSize: number },
) {
  return db
    .selectFrom("submissions")
    .select(["id", "title", "supporters_count", "comments_count", "published_at", "created_at"])
    .where("consultation_id", "=", q.consultationId)
    .where("cluster_id", "=", q.clusterId)
    .where("status", "=", "published")
    .orderBy("published_at", "desc")
    .orderBy("id", "desc")
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
}
