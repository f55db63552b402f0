import { sql } from "kysely";
import type { Executor } from "../../db/client";
import { dialectOf } from "../../db/transaction";

/** What /healthz answers: 200 when the database answers within 2 s, 503 otherwise. No page chrome, no cache. */
export const HEALTH_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" } as const;

export async function checkHealth(
  db: Executor,
  logger: { error(obj: object, msg: string): void },
): Promise<{ status: number; body: string }> {
  // The timer is cleared once the database answered: a probe leaves nothing behind (a pending 2 s timer and an Error each).
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), 2000))),
    ]);
    return { status: 200, body: JSON.stringify({ status: "ok", database: dialectOf(db) }) };
  } catch (error) {
    logger.error({ err: error }, "health check failed");
    return { status: 503, body: JSON.stringify({ status: "unavailable" }) };
  } finally {
    clearTimeout(timer);
  }
}
