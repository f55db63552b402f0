// `npm start`: validate configuration, build if needed, migrate, seed, serve,
// and stop gracefully on SIGTERM (in-flight requests finish, then the
// database closes).
//
// WEB_CONCURRENCY > 1 (production only): this process prepares the database
// once, then forks that many workers (node:cluster) sharing the port, replaces
// a worker that dies, relays "listings changed" between them, and on SIGTERM
// stops them all gracefully before exiting.
import cluster from "node:cluster";
import type { IncomingMessage, ServerResponse } from "node:http";
import net, { type Socket } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import closeWithGrace from "close-with-grace";
import type { ServerBuild } from "@remix-run/node";
import { ConfigError, parseConfig, type Config } from "~/lib/env.server";
import { listingsChangedElsewhere, onListingsChanged } from "~/lib/listing-cache.server";
import { pruneRateLimits } from "~/lib/rate-limit.server";
import { createApp } from "./app";
import { ensureBuild } from "./ensure-build";
import { pruneTokens } from "~/models/account-token.server";
import { createHeldEmailLogger, createOutboxSender } from "./outbox-sender";
import { createLogger, createServices, prepareDatabase } from "./services";

const LISTINGS_CHANGED = "mashwara:listings-changed";
const STOP = "mashwara:stop";
// Signals a worker leaves to its primary: under a service manager that signals
// the whole process group, a worker must not stop twice (a second signal means
// "exit now" to close-with-grace).
const WORKER_IGNORES = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type Logger = ReturnType<typeof createLogger>;

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
  if (cluster.isPrimary && config.WEB_CONCURRENCY > 1) {
    if (isDev) logger.warn("WEB_CONCURRENCY is ignored in development: one process serves");
    else return runPrimary(config, logger);
  }
  return serve(config, logger, { prepare: cluster.isPrimary });
}

async function runPrimary(config: Config, logger: Logger) {
  ensureBuild(logger);
  const services = createServices(config, logger);
  await prepareDatabase(services);
  await services.close();

  let stopping = false;
  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (message: unknown) => {
      if (message !== LISTINGS_CHANGED) return;
      for (const other of Object.values(cluster.workers ?? {})) {
        if (other && other !== worker && other.isConnected()) other.send(LISTINGS_CHANGED, undefined, () => {});
      }
    });
  };
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "a worker stopped unexpectedly: starting another");
    setTimeout(fork, 1_000).unref();
  });
  for (let i = 0; i < config.WEB_CONCURRENCY; i++) fork();
  logger.info({ workers: config.WEB_CONCURRENCY }, "started worker processes");

  closeWithGrace({ delay: 12_000, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, "stopping after an uncaught error");
    else logger.info({ signal }, "stopping the workers");
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once("exit", () => resolve());
            if (w.isConnected()) w.send(STOP, undefined, () => {});
            else w.process.kill("SIGTERM");
          }),
      ),
    );
    logger.info("all workers stopped");
  });
}

async function serve(config: Config, logger: Logger, options: { prepare: boolean }) {
  const isDev = config.NODE_ENV === "development";
  let stopRequested = false;
  if (cluster.isWorker) {
    // Tell the other workers (through the primary) when listings change, and hear them.
    // (a send callback keeps a failed send, e.g. while the primary exits, from becoming an "error" event)
    onListingsChanged(() => {
      if (process.connected) process.send?.(LISTINGS_CHANGED, undefined, undefined, () => {});
    });
    process.on("message", (message) => {
      if (message === LISTINGS_CHANGED) listingsChangedElsewhere();
    });
    // A stop asked for while this worker is still starting (loading the build
    // takes seconds) must not be lost: the handlers below the listen come too
    // late for it, and such a worker would serve on, orphaned (seen under
    // load: a worker still running 28 minutes after its primary had exited).
    process.on("message", (message) => {
      if (message === STOP) stopRequested = true;
    });
    process.on("disconnect", () => (stopRequested = true));
  }

  let build: ServerBuild | (() => Promise<ServerBuild>);
  let viteMiddleware;
  if (isDev) {
    const vite = await import("vite");
    const viteDevServer = await vite.createServer({ server: { middlewareMode: true } });
    viteMiddleware = viteDevServer.middlewares;
    build = () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  } else {
    if (options.prepare) ensureBuild(logger);
    build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  }

  const services = createServices(config, logger);
  if (options.prepare) await prepareDatabase(services);

  let stopping = false;
  const app = createApp({ services, build, viteMiddleware, isStopping: () => stopping });
  const server = app.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.PORT;
    logger.info(
      { port, host: config.HOST, origin: config.ORIGIN, database: services.handle.dialect, location: services.handle.location },
      `Mashwara listening on http://localhost:${port}`,
    );
  });
  // Slow-client protection: a request must arrive whole within 30 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 5_000;

  // Housekeeping: expired sessions and spent rate-limit counters.
  const housekeeping = setInterval(() => {
    Promise.all([services.auth.deleteExpiredSessions(), pruneRateLimits(services.db), pruneTokens(services.db)]).catch((err) =>
      logger.error({ err }, "housekeeping failed"),
    );
  }, 10 * 60_000);
  housekeeping.unref();
  // Notification emails, when SMTP is configured: sent after their transaction
  // committed, by whichever process claims each first (see outbox-sender.ts).
  // Without SMTP they are held for /admin/outbox and written once to the log, links and all.
  const outbox = config.SMTP_URL
    ? createOutboxSender({
        db: services.db,
        smtpUrl: config.SMTP_URL,
        origin: config.ORIGIN,
        intervalMs: config.OUTBOX_INTERVAL_MS,
        logger,
      })
    : createHeldEmailLogger({ db: services.db, intervalMs: config.OUTBOX_INTERVAL_MS, logger });
  outbox.start();

  // Each connection: how many of its requests are being answered, and (while
  // stopping) the bytes it had read when the last sweep found it quiet.
  const connections = new Map<Socket, { active: number; quietAt: number | null }>();
  server.on("connection", (socket: Socket) => {
    connections.set(socket, { active: 0, quietAt: null });
    socket.once("close", () => connections.delete(socket));
  });
  const responses = new Set<ServerResponse>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    responses.add(res);
    const c = connections.get(req.socket);
    if (c) c.active++;
    res.once("close", () => {
      responses.delete(res);
      if (c) c.active--;
    });
  });

  const skip = cluster.isWorker ? [...WORKER_IGNORES] : [];
  for (const s of skip) process.on(s, () => {});
  const grace = closeWithGrace({ delay: 10_000, skip, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, "stopping after an uncaught error");
    else logger.info({ signal }, "stopping: finishing in-flight requests");
    stopping = true;
    clearInterval(housekeeping);
    // Answers still being prepared close their connection too (app.ts does the same for
    // requests arriving from now on): each connection carries no request after the one in flight.
    for (const res of responses) if (!res.headersSent) res.setHeader("Connection", "close");
    await new Promise<void>((resolve) => {
      // Stop listening (after this turn's accepts: a connection the system had
      // already accepted is served, not reset), and resolve once every
      // connection has closed. net.Server's close, not http.Server's: that one
      // also drops every connection without a request in progress at that
      // instant, and a request the client had already sent on a kept-alive
      // connection, not yet read by a busy server, was reset (seen under load:
      // dozens of requests sent before SIGTERM got ECONNRESET).
      setImmediate(() => net.Server.prototype.close.call(server, () => resolve()));
      // Every response from now on says `Connection: close` (see app.ts), so a
      // busy connection closes after its answer. One with no request in
      // progress is closed once two sweeps in a row found it so, with nothing
      // read in between: the event loop read from the network between the two,
      // so whatever its client had sent before the first sweep would have
      // shown up (however busy the server is).
      const sweep = setInterval(() => {
        for (const [socket, c] of connections) {
          const quiet = c.active === 0 && (socket.bytesRead ?? 0);
          if (quiet === false) c.quietAt = null;
          else if (c.quietAt === quiet) socket.destroy();
          else c.quietAt = quiet;
        }
      }, 100);
      server.once("close", () => clearInterval(sweep));
    });
    await outbox.stop();
    await services.close();
    logger.info("stopped");
  });
  if (cluster.isWorker) {
    // A worker stops when its primary says so, or when the primary is gone.
    const stop = () => {
      if (!stopping) void grace.close();
    };
    process.on("message", (message) => {
      if (message === STOP) stop();
    });
    process.on("disconnect", stop);
    if (stopRequested || !process.connected) stop();
  }
}

main().catch((error) => {
  process.stderr.write(`Mashwara could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
