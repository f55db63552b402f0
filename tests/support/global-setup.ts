// Runs once before the suites: the route and browser tests talk to the built
// server, so build it if it is missing or older than the sources; and when a
// PostgreSQL URL is given, make sure it answers (a PostgreSQL run must never
// pass by silently testing nothing).
import pg from "pg";
import { ensureBuild } from "../../server/ensure-build";

export default async function setup() {
  ensureBuild();
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("select 1");
    } catch (error) {
      throw new Error(`TEST_DATABASE_URL is set but PostgreSQL does not answer: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
