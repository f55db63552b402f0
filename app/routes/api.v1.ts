import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { API_RESOURCES, apiPage, parseApiQuery, type ApiResource } from "~/models/open-data.server";

// The read-only open-data API: /api/v1/submissions, /recommendations,
// /clusters, /categories (see docs/api.md). Public, JSON, CORS open for GET.
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...CORS, "Content-Type": "application/json; charset=utf-8" },
  });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  // Remix answers OPTIONS (the CORS preflight) with the loader.
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
  const url = new URL(request.url);
  const resource = url.pathname.replace(/^\/api\/v1\/?/, "").replace(/\/$/, "");
  if (!(API_RESOURCES as readonly string[]).includes(resource)) return json({ error: "not found" }, 404);
  const parsed = await parseApiQuery(context.db, url.searchParams);
  if (!parsed.ok) return json({ error: parsed.error }, 400);
  return json(await apiPage(context.db, resource as ApiResource, parsed.query));
}

// Read-only: every other method is refused.
export async function action(_args: ActionFunctionArgs) {
  return new Response(JSON.stringify({ error: "method not allowed" }), {
    status: 405,
    headers: { ...CORS, Allow: "GET, HEAD, OPTIONS", "Content-Type": "application/json; charset=utf-8" },
  });
}
