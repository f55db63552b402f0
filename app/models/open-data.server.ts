// The read-only open-data API (/api/v1/…): query parsing and the pages it
// serves. Public data only: published and merged submissions, final
// recommendations, clusters and categories; no emails, no names of people,
// an organisation's name only where its member allowed it. Cursor pagination:
// the cursor is the base64url text of the last id served (opaque to clients).
import { z } from "zod";
import type { Executor } from "../../db/client";
import { toRowId } from "~/lib/row-id";
import { listPublicRecommendations, listPublicSubmissions } from "./export.server";

export const API_RESOURCES = ["submissions", "recommendations", "clusters", "categories"] as const;
export type ApiResource = (typeof API_RESOURCES)[number];

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/** Exported only for the tests (tests/lib/row-id.test.ts, tests/routes/row-ids.test.ts). */
export function encodeCursor(id: number): string {
  return Buffer.from(String(id), "utf8").toString("base64url");
}

/** Exported only for the tests (tests/lib/row-id.test.ts). */
export function decodeCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,24}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const id = toRowId(text);
  if (id === null || encodeCursor(id) !== cursor) return null;
  return id;
}

const slug = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9-]+$/);

const ApiQuerySchema = z.object({
  cursor: z.string().optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, "limit must be a whole number from 1 to 100")
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_LIMIT, "limit must be a whole number from 1 to 100")
    .optional(),
  cluster: slug.optional(),
  category: slug.optional(),
});

export interface ApiQuery {
  after: number;
  limit: number;
  cluster: string | null;
  category: string | null;
}

/** The query parameters of an API request; `{ error }` for anything invalid (→ 400). Unknown parameters are ignored. */
export async function parseApiQuery(
  db: Executor,
  params: URLSearchParams,
): Promise<{ ok: true; query: ApiQuery } | { ok: false; error: string }> {
  const raw: Record<string, string> = {};
  for (const name of ["cursor", "limit", "cluster", "category"]) {
    const all = params.getAll(name);
    if (all.length > 1) return { ok: false, error: `${name} given more than once` };
    if (all.length === 1) raw[name] = all[0];
  }
  const parsed = ApiQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: issue.path[0] === "limit" ? "limit must be a whole number from 1 to 100" : `invalid ${issue.path.join(".")}`,
    };
  }
  const { cursor, limit, cluster, category } = parsed.data;
  let after = 0;
  if (cursor !== undefined) {
    const decoded = decodeCursor(cursor);
    if (decoded === null) return { ok: false, error: "invalid cursor" };
    after = decoded;
  }
  if (cluster && !(await db.selectFrom("clusters").select("id").where("slug", "=", cluster).executeTakeFirst()))
    return { ok: false, error: `unknown cluster: ${cluster}` };
  if (category && !(await db.selectFrom("categories").select("id").where("slug", "=", category).executeTakeFirst()))
    return { ok: false, error: `unknown category: ${category}` };
  return { ok: true, query: { after, limit: limit ?? DEFAULT_LIMIT, cluster: cluster ?? null, category: category ?? null } };
}

type Page = { data: Record<string, unknown>[]; next_cursor: string | null };

/** One page of a resource: `limit` rows after the cursor, and the cursor of the next page (null at the end). */
export async function apiPage(db: Executor, resource: ApiResource, q: ApiQuery): Promise<Page> {
  const take = q.limit + 1;
  let rows: Array<Record<string, unknown>>;
  let idOf: (r: Record<string, unknown>) => number;
  if (resource === "submissions") {
    rows = await listPublicSubmissions(db, { after: q.after, limit: take, cluster: q.cluster, category: q.category });
    idOf = (r) => r.id as number;
  } else if (resource === "recommendations") {
    rows = await listPublicRecommendations(db, { after: q.after, limit: take, cluster: q.cluster, category: q.category });
    idOf = (r) => Number(String(r.id).slice(2));
  } else if (resource === "clusters") {
    let query = db
      .selectFrom("clusters")
      .select(["id", "slug", "name_en", "name_ur", "sort_order", "archived"])
      .where("id", ">", q.after)
      .orderBy("id")
      .limit(take);
    if (q.cluster) query = query.where("slug", "=", q.cluster);
    rows = (await query.execute()).map((c) => ({
      id: c.id,
      slug: c.slug,
      name_en: c.name_en,
      name_ur: c.name_ur,
      sort_order: c.sort_order,
      archived: c.archived === 1,
    }));
    idOf = (r) => r.id as number;
  } else {
    let query = db
      .selectFrom("categories")
      .select(["id", "slug", "name_en", "name_ur", "hint_en", "hint_ur", "sort_order", "archived"])
      .where("id", ">", q.after)
      .orderBy("id")
      .limit(take);
    if (q.category) query = query.where("slug", "=", q.category);
    rows = (await query.execute()).map((c) => ({ ...c, archived: c.archived === 1 }));
    idOf = (r) => r.id as number;
  }
  const more = rows.length > q.limit;
  const data = more ? rows.slice(0, q.limit) : rows;
  return { data, next_cursor: more ? encodeCursor(idOf(data[data.length - 1])) : null };
}
