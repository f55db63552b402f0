import type { LoaderFunctionArgs } from "@remix-run/node";
import { HEALTH_HEADERS, checkHealth } from "~/lib/health.server";

// 200 when the database answers within 2 s, 503 otherwise. No page chrome, no cache.
// server/app.ts answers GET and HEAD /healthz itself with the same check (a probe
// does not need Remix: issue 17, the fixed cost of a request); this route is the
// same answer for whatever reaches Remix (e.g. in development through Vite).
export async function loader({ context }: LoaderFunctionArgs) {
  const { status, body } = await checkHealth(context.db, context.logger);
  return new Response(body, { status, headers: HEALTH_HEADERS });
}
