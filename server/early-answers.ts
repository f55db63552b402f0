// Answers that need neither a session nor the application (ADR 0037; issue 17:
// "a request that reaches no page should cost under 0.5 ms of CPU"). Two
// refusals of a state-changing request (POST, PUT, PATCH, DELETE) from
// someone without a session cookie are given here, before the request log,
// the nonce, helmet, compression, the session read and Remix:
//
// - from another site (the cross-site check of app.ts): 403, the security
//   event logged at once and counted within a second (SecurityCountBuffer);
// - to an action that needs a signed-in person (every one but
//   SIGNED_OUT_ACTIONS, app/auth/guards.server.ts): the sign-in redirect the
//   route's own requireUser would give, from the same guard helper.
//
// Everything else goes on unchanged: a request with a session cookie (it may
// be someone's, and a signed-in person's refusal is an audit row), a body the
// body cap refuses, an address the pipeline refuses for its shape, a data
// request of the browser's JavaScript (`.data`, answered in Remix's own
// encoding), a POST to an index route or to a route without an action.
import type { NextFunction, Request, Response } from "express";
import type { ServerBuild } from "@remix-run/node";
import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import { SIGNED_OUT_ACTIONS, signInLocation } from "~/auth/guards.server";
import { earlySecurityEvent } from "~/lib/security.server";
import type { Services } from "./services";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Express's request as the cross-site check reads it. */
type CheckedRequest = Pick<Request, "method" | "headers" | "protocol">;

/**
 * Why a request that changes state is refused as coming from another site
 * (its Origin, or its Sec-Fetch-Site), or null when it is this site's own.
 * With ORIGIN configured, only it is this site. Without (a local start on the
 * default http://localhost:PORT), the address the browser used is this site
 * too, so http://127.0.0.1:3000 works as well as http://localhost:3000.
 */
export function crossSiteReason(req: CheckedRequest, config: { ORIGIN: string; originConfigured: boolean }): string | null {
  const fetchSite = req.headers["sec-fetch-site"];
  const requestOrigin = req.headers.origin;
  const crossSite = fetchSite === "cross-site" || fetchSite === "same-site";
  const ownOrigin =
    requestOrigin === config.ORIGIN || (!config.originConfigured && requestOrigin === `${req.protocol}://${req.headers.host}`);
  const foreignOrigin = requestOrigin !== undefined && !ownOrigin;
  if (!crossSite && !foreignOrigin) return null;
  return String(requestOrigin ?? fetchSite);
}

/** A route of the table, with whether its module has an action. */
type ActionRoute = AgnosticRouteObject & { id: string; hasAction: boolean };

/** The build's route table as the router matches it (Remix's own matching: ranks, case, trailing slash). */
function routeTree(build: ServerBuild): ActionRoute[] {
  const childrenOf = (parentId: string | undefined): ActionRoute[] =>
    Object.values(build.routes)
      .filter((r) => r.parentId === parentId)
      .map((r) => {
        const children = childrenOf(r.id);
        const base = { id: r.id, path: r.path, caseSensitive: r.caseSensitive, hasAction: Boolean(r.module.action) };
        return r.index ? { ...base, index: true as const } : { ...base, children };
      });
  return childrenOf(undefined);
}

export interface EarlyAnswerOptions {
  services: Pick<Services, "config" | "logger" | "auth" | "securityCounts">;
  build: ServerBuild;
  /** the body cap of app.ts: a body it would refuse is left to it */
  bodyLimitFor: (pathname: string) => number;
  /** whether the pipeline refuses this address for its shape (a NUL, a path the router cannot render) */
  refusedAddress: (address: string) => boolean;
  /** the security headers every answer carries (helmet's, with a CSP for a page without scripts) */
  headers: Record<string, string>;
  /** the plain page of the 403 (HTML) */
  refusalPage: string;
  clientIp: (req: Request) => string;
}

export function earlyAnswers(options: EarlyAnswerOptions) {
  const { services, build } = options;
  const { config } = services;
  const tree = routeTree(build);
  const origin = new URL(config.ORIGIN).origin;
  const page = Buffer.from(options.refusalPage);
  const refusal = {
    ...options.headers,
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Length": String(page.length),
  };
  const redirectHeaders = { ...options.headers, "Content-Length": "0" };

  /** The answer, once the body has been read (an answer before it, then a close, reaches the client as a reset). */
  const answerAfterBody = (req: Request, res: Response, status: number, headers: Record<string, string>) => {
    const answer = () => {
      if (res.headersSent) return;
      res.writeHead(status, headers);
      res.end(status === 403 ? page : undefined);
    };
    if (req.complete) return answer();
    req.on("error", () => undefined);
    req.once("end", answer);
    req.resume();
  };

  /** Whether a POST to `url` runs an action that needs a signed-in person (its route's own guard would send a visitor to sign in). */
  const needsSignIn = (url: URL): boolean => {
    if (url.pathname.endsWith(".data") || url.searchParams.has("_data") || url.searchParams.has("index")) return false;
    const matches = matchRoutes(tree, url.pathname);
    const leaf = matches?.[matches.length - 1]?.route as ActionRoute | undefined;
    return Boolean(leaf && !leaf.index && leaf.hasAction && !SIGNED_OUT_ACTIONS.has(leaf.id));
  };

  const bodyAccepted = (req: Request): boolean => {
    const length = req.headers["content-length"];
    if (length === undefined) return !req.headers["transfer-encoding"];
    return /^\d+$/.test(length) && Number(length) <= options.bodyLimitFor(req.path);
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (!STATE_CHANGING.has(req.method) || services.auth.readToken(req.headers.cookie) || !bodyAccepted(req)) return next();
    if (options.refusedAddress(req.originalUrl)) return next();
    let url: URL;
    try {
      // As Remix's request is made (createRemixRequest): the address as sent, after this site's origin.
      url = new URL(`${origin}${req.originalUrl}`);
    } catch {
      return next();
    }

    const reason = crossSiteReason(req, config);
    if (reason !== null) {
      earlySecurityEvent(
        services.securityCounts,
        { logger: services.logger, clientIp: options.clientIp(req), requestId: "" },
        "access.denied",
        {
          path: req.path,
          rule: "cross-site",
          reason,
        },
      );
      return answerAfterBody(req, res, 403, refusal);
    }
    if (!needsSignIn(url)) return next();
    return answerAfterBody(req, res, 302, { ...redirectHeaders, Location: signInLocation(url) });
  };
}
