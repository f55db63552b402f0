// The one guard helper. Every role check on the server goes through here:
// a signed-out visitor is redirected to /login?redirectTo=…, a signed-in user
// without the role gets a 403 (and a security event in the log), and a staff
// member who must enrol in two-factor (STAFF_TWO_FACTOR=required) is sent to
// /me/two-factor from every signed-in page (ADR 0026).
import { data, redirect, type AppLoadContext } from "@remix-run/node";
import type { SessionUser } from "./session.server";
import { hasRole, type Role } from "./permissions";
import { securityEvent } from "~/lib/security.server";

interface GuardArgs {
  request: Request;
  context: AppLoadContext;
}

/** The signed-in user, or null. */
export function getUser({ context }: Pick<GuardArgs, "context">): SessionUser | null {
  return context.user;
}

/**
 * A "go back to" target (`redirectTo`) made safe for a `Location` header: only a
 * path on this site, else `fallback`. A check of how the text starts is not
 * enough: a browser resolves a `Location` with the WHATWG URL parser, which
 * drops tabs and newlines, reads "\\" as "/" and removes "." and ".." segments,
 * and the router normalises the path too ("/./\\evil.example" left as
 * "/\\evil.example"). So the target is resolved against `origin` (the site's
 * ORIGIN, or the request's own origin) by that parser, taken only when it stays
 * on that origin, and what comes back is the resolved URL's own path, query and
 * hash: exactly what was checked, already normalised and percent-encoded.
 * The known bypass shapes are in tests/support/redirect-bypasses.ts.
 */
export function safeRedirectPath(to: unknown, origin: string, fallback = "/"): string {
  // Only a path: not "evil.example", "javascript:…", "https://…", " //…".
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  // Control characters (the parser would silently drop tab and newline) mean tampering.
  if (/[\u0000-\u001f\u007f]/.test(to)) return fallback;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(to, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin) return fallback;
  const path = url.pathname + url.search + url.hash;
  // A normalised path that starts with "//" (from "/.//evil", "/x/..//evil") would
  // name another host when sent; the parser has already turned "\\" into "/".
  if (!path.startsWith("/") || path.startsWith("//")) return fallback;
  return path;
}

/** Where a signed-out visitor of `url` is sent: the sign-in page, then back here. */
export function signInLocation(url: URL): string {
  const back = safeRedirectPath(url.pathname + url.search, url.origin);
  return `/login?redirectTo=${encodeURIComponent(back)}`;
}

function loginRedirect(request: Request): Response {
  return redirect(signInLocation(new URL(request.url)));
}

/**
 * The routes whose action answers someone who is not signed in itself (by
 * route id, app/routes.ts): the ones open to visitors, and the read-only ones
 * whose action refuses the method (405). Every other action begins with
 * requireUser or requireRole, so a POST without a session cookie is answered
 * with the sign-in redirect before Remix is reached (server/early-answers.ts,
 * ADR 0037): the same answer, at a fraction of the cost. A new action that
 * answers visitors must be added here; tests/security/early-answers.test.ts
 * fails until it is (it posts to every route with and without the early answers).
 */
export const SIGNED_OUT_ACTIONS: ReadonlySet<string> = new Set([
  "routes/register",
  "routes/login",
  "routes/login.two-factor",
  "routes/forgot-password",
  "routes/reset-password",
  "routes/confirm-email",
  "routes/logout",
  "routes/language",
  "routes/unsubscribe",
  "routes/not-found",
  "routes/me.data",
  "api-v1-submissions",
  "api-v1-recommendations",
  "api-v1-clusters",
  "api-v1-categories",
  "api-v1-splat",
]);

/** What a person who must enrol in two-factor may still open: the enrolment page itself, signing out, the language switch. */
const ENROLMENT_PATHS = new Set(["/me/two-factor", "/logout", "/language"]);

/**
 * Throws a redirect to /me/two-factor when the signed-in person is staff
 * without two-factor while it is required (their password alone let them in),
 * unless the request is for one of ENROLMENT_PATHS. requireUser (so every
 * guarded page and action) and the root loader (so every page) call it.
 */
export function requireTwoFactorEnrolment({ request, context }: GuardArgs): void {
  const user = context.user;
  // Set by restrictUntilEnrolled for the whole request (server/app.ts).
  if (!user?.enrolmentRequired) return;
  const url = new URL(request.url);
  const path = url.pathname.replace(/\.data$/, "").replace(/\/+$/, "") || "/";
  if (ENROLMENT_PATHS.has(path)) return;
  const back = request.method === "GET" ? safeRedirectPath(path + url.search, url.origin, "") : "";
  throw redirect(back && back !== "/me" ? `/me/two-factor?redirectTo=${encodeURIComponent(back)}` : "/me/two-factor");
}

/**
 * The person requireUser lets act on any path, or null (nobody signed in, or
 * staff who must enrol in two-factor first): for a handler in front of Remix
 * that answers one action itself (server/quick-support.ts) and leaves every
 * other case to the route's own requireUser. `user` as the load context holds
 * it (restrictUntilEnrolled applied).
 */
export function actingUser(user: SessionUser | null): SessionUser | null {
  return user && !user.enrolmentRequired ? user : null;
}

/** Throws a redirect to /login when nobody is signed in (or to /me/two-factor: requireTwoFactorEnrolment). */
export function requireUser(args: GuardArgs): SessionUser {
  if (!args.context.user) throw loginRedirect(args.request);
  requireTwoFactorEnrolment(args);
  return args.context.user;
}

/** Throws a redirect (signed out) or a 403 (signed in without the role). */
export async function requireRole(args: GuardArgs, role: Role): Promise<SessionUser> {
  const user = requireUser(args);
  if (!hasRole(user.role, role)) {
    await securityEvent(args.context, "access.denied", { userId: user.id, path: new URL(args.request.url).pathname, rule: role });
    throw data({ forbidden: true, required: role }, { status: 403 });
  }
  return user;
}

/** Throws a redirect when someone is already signed in (register/login pages). */
export function requireAnonymous({ context }: Pick<GuardArgs, "context">, to = "/me"): void {
  if (context.user) throw redirect(to);
}
