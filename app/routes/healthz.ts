import { sql } from "kysely";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { dialectOf } from "../../db/transaction";

// 200 when the database answers within 2 s, 503 otherwise. No page chrome, no cache.
export async function loader({ context }: LoaderFunctionArgs) {
  const headers = { "Content-Type": "application/json", "Cache-Control": "no-store" };
  // The timer is cleared once the database answered: a probe leaves nothing behind (a pending 2 s timer and an Error each).
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(context.db),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), 2000))),
    ]);
    return new Response(JSON.stringify({ status: "ok", database: dialectOf(context.db) }), { status: 200, headers });
  } catch (error) {
    context.logger.error({ err: error }, "health check failed");
    return new Response(JSON.stringify({ status: "unavailable" }), { status: 503, headers });
  } finally {
    clearTimeout(timer);
  }
}
