// The long-lived services of one process (database, logger, sessions), and the
// start-up steps every entry point shares: migrate, seed, first admin.
import pino, { type Logger } from "pino";
import { createDb, type DbHandle } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { seedTaxonomy } from "../db/seed";
import type { AppServices } from "~/context";
import { createAuth } from "~/auth/session.server";
import type { Config } from "~/lib/env.server";
import { tFor } from "~/lib/i18next.server";
import { ListingCache } from "~/lib/listing-cache.server";
import { setUserRole } from "~/models/admin-users.server";
import { configureMail } from "~/models/email-outbox.server";
import { SecurityCountBuffer } from "~/models/security-events.server";
import { countAdmins, createUser, findUserIdByEmail } from "~/models/user.server";

export interface Services extends AppServices {
  handle: DbHandle;
  /** counted security events of the early answers, written once a second (ADR 0037) */
  securityCounts: SecurityCountBuffer;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, "LOG_LEVEL">): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { app: "mashwara", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Defence in depth: whatever a caller passes, these never reach the log.
    redact: { paths: ["password", "*.password", "req.headers.cookie", "sessionToken", "*.sessionToken"], remove: true },
  });
}

export function createServices(config: Config, logger: Logger = createLogger(config)): Services {
  const handle = createDb(config.DATABASE_URL);
  // Notification emails: links to ORIGIN; queued for the sender with SMTP, held for admins without.
  configureMail({ origin: config.ORIGIN, delivery: config.SMTP_URL ? "smtp" : "held" });
  const auth = createAuth(handle.db, { secureCookies: config.secureCookies });
  const securityCounts = new SecurityCountBuffer(handle.db, (err) => logger.error({ err }, "could not write counted security events"));
  return {
    handle,
    db: handle.db,
    config,
    logger,
    auth,
    listingCache: new ListingCache(),
    securityCounts,
    close: async () => {
      await securityCounts.flush();
      await handle.close();
    },
  };
}

/** Migrate, seed the taxonomy and default consultation, and see to the first admin. */
export async function prepareDatabase(services: Services): Promise<void> {
  const { logger, handle, config } = services;
  const { applied } = await migrateToLatest(handle);
  if (applied.length) logger.info({ applied }, "migrations applied");
  const seeded = await seedTaxonomy(handle.db);
  if (seeded.clusters || seeded.categories || seeded.consultationCreated) logger.info(seeded, "seeded taxonomy");

  if ((await countAdmins(handle.db)) > 0) return;
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    if (await findUserIdByEmail(handle.db, config.ADMIN_EMAIL)) {
      await setUserRole(handle.db, { email: config.ADMIN_EMAIL, role: "admin", actorRole: "operator" });
      logger.info({ email: config.ADMIN_EMAIL }, "existing user made admin from ADMIN_EMAIL");
      return;
    }
    const result = await createUser(handle.db, {
      email: config.ADMIN_EMAIL,
      password: config.ADMIN_PASSWORD,
      displayName: "Administrator",
      role: "admin",
      emailConfirmed: true,
    });
    if (!result.ok) {
      const t = tFor("en");
      const reasons = Object.entries(result.fieldErrors).map(([field, errors]) => `${field}: ${errors.map((e) => t(e)).join(" ")}`);
      throw new Error(`ADMIN_EMAIL/ADMIN_PASSWORD refused: ${reasons.join("; ")}`);
    }
    logger.info({ email: config.ADMIN_EMAIL }, "admin account created from ADMIN_EMAIL");
    return;
  }
  logger.warn(
    "No admin account yet. Create one with:\n" +
      "  npm run cli -- user:create --email you@example.pk --password '<a long passphrase>' --name 'Your Name' --role admin\n" +
      "or start once with ADMIN_EMAIL and ADMIN_PASSWORD set.",
  );
}
