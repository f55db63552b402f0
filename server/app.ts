// The HTTP pipeline in front of Remix: request log, security headers with a
import "~/context";
// per-request CSP nonce, compression, static assets, a body cap, the
// cross-site request check, and session validation (once per request).
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { createRequestHandler } from "@remix-run/node";
import { createRemixRequest } from "@remix-run/express/dist/server.js";
import { HEALTH_HEADERS, checkHealth } from "~/lib/health.server";
import { resolveFormat } from "~/lib/i18next.server";
import { PAGE_CACHE_HEADER, READER_PART_HEADER, signedInTemplateUser, type ReaderPartRenderer } from "~/lib/page-cache";
import { countUnread } from "~/models/notification.server";
import { securityEvent } from "~/lib/security.server";
import { responseStore } from "~/lib/response-backpressure.server";
import { restrictUntilEnrolled } from "~/models/two-factor.server";
import type { Services } from "./services";
import { PageCache, dataVersionOf } from "./page-cache";
import { PLACEHOLDER } from "./page-template";
import { crossSiteReason, earlyAnswers } from "./early-answers";
import { quickSupport, type QuickSupportLocals } from "./quick-support";
import { sendResponse } from "./send-response";

const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Larger bodies only where a file is uploaded (the workshop CSV import takes up to 5 MB). */
const BODY_LIMITS: Array<[RegExp, number]> = [[/^\/moderation\/import\/?$/, 6 * 1024 * 1024]];

/** Exported only for the tests (tests/security/fuzz.test.ts). */
export function bodyLimitFor(pathname: string): number {
  return BODY_LIMITS.find(([re]) => re.test(pathname))?.[1] ?? DEFAULT_BODY_LIMIT;
}

/** The most of a refused body that is read (and discarded) so the client sees the 413. */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** What helmet would add to the health probe's JSON (it is answered before helmet runs). */
const PROBE_SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
} as const;

/**
 * Remix's request for an Express request whose body was read already (by
 * server/quick-support.ts): made as createRemixRequest makes it (the address,
 * headers, and the abort signal when the client goes away), with that body.
 */
function remixRequestWithBody(req: Request, res: Response, body: Buffer): globalThis.Request {
  const bodiless = Object.create(req, { method: { value: "GET" } }) as Request;
  return new globalThis.Request(createRemixRequest(bodiless, res), { method: req.method, body: new Uint8Array(body) });
}

/**
 * Reads what is left of a request body and throws it away, up to `limit`
 * bytes; resolves when the body has ended (or the connection went away).
 *
 * An answer sent while the client is still uploading, followed by a close of
 * the connection, reaches the client as a reset (its unread answer is lost):
 * a route that answers before reading the form (a redirect to /login, a 403)
 * must let the body in first. Remix's request (createRemixRequest) has already
 * attached its stream pump to the body and paused it; those listeners are
 * taken off, so nothing is buffered. A body that goes past `limit` (it cannot,
 * for one with a Content-Length under the cap: Node reads no further) is left
 * unread and the connection is closed after the answer.
 */
function drainRequest(req: IncomingMessage, res: { setHeader(name: string, value: string): unknown }, limit: number): Promise<void> {
  if (req.complete || req.readableEnded || req.destroyed || req.closed || req.socket?.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", done);
      req.off("close", done);
      req.off("error", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) {
        req.pause();
        res.setHeader("Connection", "close");
        done();
      }
    };
    for (const listener of req.listeners("data")) req.off("data", listener as (...args: unknown[]) => void);
    req.on("data", onData);
    req.once("end", done);
    req.once("close", done);
    req.once("error", done);
    req.resume();
  });
}

function plainPage(res: Response, status: number, en: string, ur: string, { drain = true } = {}) {
  // Answers here may come before the body was read (a 403, a 404 on a POST): it is read first.
  const req = res.req;
  if (drain && req && !req.complete) {
    void drainRequest(req, res, bodyLimitFor(req.path)).then(() => plainPage(res, status, en, ur, { drain: false }));
    return;
  }
  if (res.headersSent || res.writableEnded) return;
  res
    .status(status)
    .type("html")
    .set("Cache-Control", "no-store")
    .send(plainPageHtml(status, en, ur));
}

/** The page of an answer given in front of Remix: the status, and what it means in English and Urdu. */
function plainPageHtml(status: number, en: string, ur: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status}</title></head>` +
    `<body><main><h1>${status}</h1><p>${en}</p><p lang="ur" dir="rtl">${ur}</p><p><a href="/">Mashwara · <span lang="ur">مشورہ</span></a></p></main></body></html>`
  );
}

/** Whether React Router can turn this path, decoded as it decodes it (segment by segment, "/" kept encoded), back into a URL. */
function routerCanRender(pathPart: string): boolean {
  let decoded: string;
  try {
    decoded = pathPart
      .split("/")
      .map((segment) => decodeURIComponent(segment).replace(/\//g, "%2F"))
      .join("/");
  } catch {
    // A malformed escape: the router keeps such a path as it is, and it renders.
    return true;
  }
  try {
    new URL(decoded, "http://localhost");
    return true;
  } catch {
    return false;
  }
}

/** A NUL byte, raw or %-escaped. */
const NUL = /%00|\u0000/i;

const CROSS_SITE_EN = "This request came from another site and was refused.";
const CROSS_SITE_UR = "یہ درخواست کسی دوسری سائٹ سے آئی تھی، اس لیے رد کر دی گئی۔";

/** The headers a middleware that only sets headers (helmet) sets, read once from a stand-in response. */
function headersSetBy(middleware: (req: Request, res: Response, next: NextFunction) => void): Record<string, string> {
  const headers = new Map<string, string>();
  const res = {
    locals: { cspNonce: "" },
    setHeader: (name: string, value: unknown) => void headers.set(name, String(value)),
    removeHeader: (name: string) => void headers.delete(name),
  };
  middleware({ headers: {} } as Request, res as unknown as Response, () => undefined);
  return Object.fromEntries(headers);
}

function normaliseIp(ip: string | undefined): string {
  if (!ip) return "unknown";
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

export interface AppOptions {
  services: Services;
  /** the production build, or a function that loads it (dev: through Vite) */
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Vite's dev middleware, in development */
  viteMiddleware?: express.RequestHandler;
  clientDir?: string;
  /** true once SIGTERM arrived */
  isStopping?: () => boolean;
}

export function createApp({
  services,
  build,
  viteMiddleware,
  clientDir = path.resolve("build/client"),
  isStopping = () => false,
}: AppOptions) {
  const { config, logger } = services;
  const app = express();
  // While stopping, every response closes its connection: no kept-alive
  // socket holds the stop open after its last answer.
  app.use((_req, res, next) => {
    if (isStopping()) res.setHeader("Connection", "close");
    next();
  });
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY);
  const origin = config.ORIGIN;
  const isDev = config.NODE_ENV === "development";

  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
        // Vite injects styles inline in development only.
        "style-src": isDev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": isDev ? ["'self'", "ws:"] : ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": config.secureCookies ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    xFrameOptions: { action: "deny" },
  });

  // The health probe, first and answered here with the check and the answer of
  // app/routes/healthz.ts: a probe every few seconds needs no request log (it
  // was at debug level), nonce, compression, session or Remix machinery
  // (issue 17: a request that reaches no page costs well under a millisecond).
  // It carries the security headers every answer has, set here. Express matches
  // the path as Remix does: any case, with or without a trailing slash, any query.
  app.get("/healthz", async (_req, res, next) => {
    try {
      const { status, body } = await checkHealth(services.db, logger);
      res.statusCode = status;
      for (const [name, value] of Object.entries(HEALTH_HEADERS)) res.setHeader(name, value);
      for (const [name, value] of Object.entries(PROBE_SECURITY_HEADERS)) res.setHeader(name, value);
      res.end(body);
    } catch (error) {
      next(error);
    }
  });

  // Refusals that need no session and no application, before the request log,
  // nonce, compression and Remix (server/early-answers.ts, ADR 0037): a
  // cross-site POST and a POST to a guarded action, from someone without a
  // session cookie. The production build only (development's is loaded by Vite).
  if (typeof build !== "function") {
    const earlyHeaders = { ...headersSetBy(securityHeaders), "Content-Security-Policy": PROBE_SECURITY_HEADERS["Content-Security-Policy"] };
    app.use(
      earlyAnswers({
        services,
        build,
        bodyLimitFor,
        refusedAddress: (address) => NUL.test(address) || !routerCanRender(address.split("?", 1)[0]),
        headers: earlyHeaders,
        refusalPage: plainPageHtml(403, CROSS_SITE_EN, CROSS_SITE_UR),
        clientIp: (req) => normaliseIp(req.ip),
      }),
    );
  }

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      // Only what an operator needs; never cookies or authorisation headers.
      serializers: {
        // req.raw.ip is Express's client address (X-Forwarded-For when TRUST_PROXY is on).
        req: (req) => ({ id: req.id, method: req.method, url: req.url?.split("?")[0], ip: normaliseIp(req.raw?.ip ?? req.remoteAddress) }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      // (Health probes never get here: /healthz is answered above.)
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info"),
    }),
  );

  app.use((_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    next();
  });

  app.use(securityHeaders);

  app.use(compression());

  if (viteMiddleware) {
    app.use(viteMiddleware);
  } else {
    // Hashed file names: cache for a year, never revalidate. Only files: a path
    // that names a directory (e.g. "/exports/%2F/..") goes on to the routes and
    // their role checks rather than getting the static server's own 301.
    app.use("/assets", express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: "1y", index: false, redirect: false }));
    // The other files of the build (favicon.ico, anything from public/) sit at the
    // top of clientDir: only a request whose first segment names one of them goes
    // through the static server (which otherwise stats the disk for every page).
    const serveClientFile = express.static(clientDir, { maxAge: "1h", index: false, redirect: false });
    const topLevel = new Set(fs.existsSync(clientDir) ? fs.readdirSync(clientDir) : []);
    app.use((req, res, next) => {
      if (req.method !== "GET" && req.method !== "HEAD") return next();
      const first = req.path.split("/", 2)[1] ?? "";
      let name: string;
      try {
        name = decodeURIComponent(first);
      } catch {
        return serveClientFile(req, res, next);
      }
      return topLevel.has(name) ? serveClientFile(req, res, next) : next();
    });
  }

  // A NUL byte in the address (raw or %00) is never a real link, and PostgreSQL
  // would refuse it in a query: no such page (in the path) or a bad request (in
  // the query string), before any route sees it.
  app.use((req, res, next) => {
    const [pathPart, queryPart = ""] = req.originalUrl.split("?", 2);
    if (NUL.test(pathPart)) return plainPage(res, 404, "There is no page at this address.", "اس پتے پر کوئی صفحہ نہیں۔");
    if (NUL.test(queryPart)) return plainPage(res, 400, "Bad request.", "غلط درخواست۔");
    // The router decodes each segment and renders the path back through a URL
    // parser, which reads "/%5C" ("/\\") as "//" with no host and throws (a 500):
    // a path that does not survive that is no page either.
    if (!routerCanRender(pathPart)) return plainPage(res, 404, "There is no page at this address.", "اس پتے پر کوئی صفحہ نہیں۔");
    next();
  });

  // Body cap: refuse before reading. Node's parser never reads past Content-Length.
  app.use((req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const limit = bodyLimitFor(req.path);
    const length = req.headers["content-length"];
    if (length === undefined) {
      if (req.headers["transfer-encoding"])
        return plainPage(res, 411, "A request body needs a Content-Length.", "درخواست کے ساتھ اس کی لمبائی بتانا ضروری ہے۔");
      return next();
    }
    if (!/^\d+$/.test(length)) return plainPage(res, 400, "Bad request.", "غلط درخواست۔");
    if (Number(length) > limit) {
      const refuse = () => plainPage(res, 413, "The request is too large.", "درخواست بہت بڑی ہے۔", { drain: false });
      // Answering while the client is still sending, then closing, resets the
      // connection: the client sees a broken pipe, not this page. Up to a few
      // times the cap the bytes are read and thrown away first; beyond that
      // the answer goes at once and the connection closes.
      if (Number(length) > MAX_DISCARD_BYTES) {
        res.set("Connection", "close");
        return refuse();
      }
      req.on("error", () => undefined);
      req.once("end", refuse);
      req.resume();
      return;
    }
    next();
  });

  // Sessions: validated once here; the result rides in the load context.
  app.use(async (req, res, next) => {
    try {
      const token = services.auth.readToken(req.headers.cookie);
      res.locals.sessionToken = null;
      res.locals.user = null;
      // Any session cookie, valid or not: such a request never gets or makes a kept page.
      res.locals.hasSessionCookie = Boolean(token);
      if (token) {
        const session = await services.auth.validate(token);
        if (session) {
          res.locals.user = session.user;
          res.locals.sessionToken = token;
          if (session.refreshCookie) res.append("Set-Cookie", session.refreshCookie.serialize());
        } else {
          res.append("Set-Cookie", services.auth.blankCookie());
        }
      }
      // Pages for a signed-in person are theirs alone: no shared or browser cache.
      if (res.locals.user) res.set("Cache-Control", "no-store");
      next();
    } catch (error) {
      next(error);
    }
  });

  const contextFor = (req: Request, res: Response): AppLoadContext => ({
    db: services.db,
    config,
    logger: req.log ?? logger,
    auth: services.auth,
    listingCache: services.listingCache,
    cspNonce: res.locals.cspNonce,
    clientIp: normaliseIp(req.ip),
    requestId: String(req.id ?? ""),
    // Staff who must still enrol in two-factor act as stakeholders until then (ADR 0026).
    user: restrictUntilEnrolled(res.locals.user ?? null, config.STAFF_TWO_FACTOR),
    sessionToken: res.locals.sessionToken ?? null,
    snapshotTaken: (name, asOf) => pageCache?.snapshotTaken(name, asOf),
  });

  const publicHost = new URL(origin).host;
  // Cross-site request check: a state-changing request from another site is
  // refused (one without a session cookie was refused by the early answers).
  app.use(async (req, res, next) => {
    const reason = SAFE_METHODS.has(req.method) ? null : crossSiteReason(req, config);
    if (reason === null) {
      // A configured ORIGIN is this site's one public address: Remix sees every
      // request as addressed to it, whatever Host a proxy passed on (Remix's own
      // origin check would otherwise turn a Host mismatch into a 500). Without
      // one, the Host the browser used is kept, and is what Origin was checked against.
      if (config.originConfigured) {
        req.headers.host = publicHost;
        delete req.headers["x-forwarded-host"];
      }
      return next();
    }
    try {
      await securityEvent(contextFor(req, res), "access.denied", { path: req.path, rule: "cross-site", reason });
    } finally {
      plainPage(res, 403, CROSS_SITE_EN, CROSS_SITE_UR);
    }
  });

  // The Support button's posts (the plain form and the fetcher's), answered here when the model says yes
  // (server/quick-support.ts, ADR 0038); everything else, and every refusal, goes on to Remix.
  app.use(quickSupport({ services }));

  // Streamed downloads wait for this response's "drain" (Remix's adapter does not).
  app.use((_req, res, next) => responseStore.run(res, next));

  // Pages of readers who are not signed in are kept and served again until
  // the database changes (server/page-cache.ts, ADR 0018). Not in development,
  // where the code under a page changes too.
  const pageCache =
    config.PAGE_CACHE_SECONDS > 0 && !isDev
      ? new PageCache({ version: dataVersionOf(services.handle), ttlSeconds: config.PAGE_CACHE_SECONDS })
      : null;
  const handleRemix = createRequestHandler(build as ServerBuild, config.NODE_ENV === "production" ? "production" : "development");
  // The routes' renderers of a template's reader part (ADR 0041), from the production build's server entry.
  const readerParts =
    typeof build === "function" ? {} : ((build.entry.module as { readerParts?: Record<string, ReaderPartRenderer> }).readerParts ?? {});

  // app.use, not app.all("*"): Express would decode the path as a parameter and
  // turn a malformed %-escape into a 500. (What @remix-run/express's handler
  // does, with the page cache in front for anonymous GETs, and without a
  // gzip flush per chunk: server/send-response.ts.)
  app.use(async (req, res, next) => {
    try {
      const handedOn = res.locals as QuickSupportLocals;
      const request = handedOn.body ? remixRequestWithBody(req, res, handedOn.body) : createRemixRequest(req, res);
      const context: AppLoadContext = { ...contextFor(req, res), supportChange: handedOn.supportChange };
      const render = () => handleRemix(request, context);
      const send = async (response: globalThis.Response) => {
        response.headers.delete(PAGE_CACHE_HEADER);
        response.headers.delete(READER_PART_HEADER);
        // A route may answer without reading the body (a redirect to /login): read it first.
        await drainRequest(req, res, bodyLimitFor(req.path));
        return sendResponse(res, response);
      };
      const anonymous = !res.locals.hasSessionCookie;
      if (pageCache && req.method === "GET" && signedInTemplateUser(context.user)) {
        // Signed in: the page from a template where its route allows (ADR 0036).
        const user = context.user;
        const { lng, digits } = await resolveFormat(request, context);
        return await pageCache.serveSignedIn({
          req,
          res,
          nonce: context.cspNonce,
          visitor: context.sessionToken ?? "",
          format: `${lng}:${digits}`,
          user,
          countUnread: () => countUnread(services.db, user.id),
          render: ({ unread, template }) =>
            handleRemix(template ? createRemixRequest(req, res) : request, {
              ...context,
              unreadNotifications: unread,
              user: template ? { ...user, ...PLACEHOLDER } : user,
              accountUserId: user.id,
              templateRender: template,
            }),
          readerPart: async ({ route, params }, version) => (await readerParts[route]?.({ request, params, context, version })) ?? null,
          send,
        });
      }
      if (!pageCache || req.method !== "GET" || !anonymous) return await send(await render());
      const { lng, digits } = await resolveFormat(request);
      await pageCache.serve({
        req,
        res,
        nonce: context.cspNonce,
        visitor: context.clientIp,
        format: `${lng}:${digits}`,
        render,
        send,
      });
    } catch (error) {
      next(error);
    }
  });

  // Last resort: an error outside Remix (e.g. the database went away mid-request).
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return res.end();
    const status = Number((error as { status?: number; statusCode?: number })?.status ?? (error as { statusCode?: number })?.statusCode);
    if (status >= 400 && status < 500) {
      // A client's mistake caught by a middleware (malformed URL, aborted body): say so, log briefly.
      (req.log ?? logger).warn({ status, reason: (error as Error)?.message }, "bad request");
      return plainPage(res, status, "The request could not be understood.", "درخواست سمجھی نہیں جا سکی۔");
    }
    (req.log ?? logger).error({ err: error }, "request failed");
    plainPage(res, 500, "Something went wrong on our side. Please try again.", "ہماری طرف سے کوئی خرابی ہوئی۔ براہِ کرم دوبارہ کوشش کریں۔");
  });

  return app;
}
