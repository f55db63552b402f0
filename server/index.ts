// `npm start`: validate configuration, build if needed, migrate, seed, serve,
// and stop gracefully on SIGTERM (in-flight requests finish, then the
// database closes).
import path from "node:path";
import { pathToFileURL } from "node:url";
import closeWithGrace from "close-with-grace";
import type { ServerBuild } from "@remix-run/node";
import { ConfigError, parseConfig } from "../app/lib/env.server";
import { pruneRateLimits } from "../app/lib/rate-limit.server";
import { createApp } from "./app";
import { ensureBuild } from "./ensure-build";
import { createLogger, createServices, prepareDatabase } from "./services";

async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const isDev = config.NODE_ENV === "development";

  let build: ServerBuild | (() => Promise<ServerBuild>);
  let viteMiddleware;
  if (isDev) {
    const vite = await import("vite");
    const viteDevServer = await vite.createServer({ server: { middlewareMode: true } });
    viteMiddleware = viteDevServer.middlewares;
    build = () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  } else {
    ensureBuild(logger);
    build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  }

  const services = createServices(config, logger);
  await prepareDatabase(services);

  let stopping = false;
  const app = createApp({ services, build, viteMiddleware, isStopping: () => stopping });
  const server = app.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.PORT;
    logger.info(
      { port, host: config.HOST, origin: config.ORIGIN, database: services.dialect, location: services.handle.location },
      `Mashwara listening on http://localhost:${port}`,
    );
  });
  // Slow-client protection: a request must arrive whole within 30 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 5_000;

  // Housekeeping: expired sessions and spent rate-limit counters.
  const housekeeping = setInterval(() => {
    Promise.all([services.auth.deleteExpiredSessions(), pruneRateLimits(services.db)]).catch((err) =>
      logger.error({ err }, "housekeeping failed"),
    );
  }, 10 * 60_000);
  housekeeping.unref();

  closeWithGrace({ delay: 10_000, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, "stopping after an uncaught error");
    else logger.info({ signal }, "stopping: finishing in-flight requests");
    stopping = true;
    clearInterval(housekeeping);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Connections that finish their last request become idle: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      server.on("close", () => clearInterval(sweep));
      server.closeIdleConnections();
    });
    await services.close();
    logger.info("stopped");
  });
}

main().catch((error) => {
  process.stderr.write(`Mashwara could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
