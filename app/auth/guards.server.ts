// The one guard helper. Every role check on the server goes through here:
// a signed-out visitor is redirected to /login?redirectTo=…, a signed-in user
// without the role gets a 403 (and a security event in the log).
import { data, redirect, type AppLoadContext } from "@remix-run/node";
import type { SessionUser } from "./session.server";
import { hasRole, type Role } from "./permissions";
import { securityEvent } from "../lib/security.server";

interface GuardArgs {
  request: Request;
  context: AppLoadContext;
}

/** The signed-in user, or null. */
export function getUser({ context }: Pick<GuardArgs, "context">): SessionUser | null {
  return context.user;
}

/** Only local paths: never an open redirect ("//evil.example", "/\\evil", "https://…"). */
export function safeRedirectPath(to: unknown, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f]/.test(to)) return fallback;
  return to;
}

export function loginRedirect(request: Request): Response {
  const url = new URL(request.url);
  const back = safeRedirectPath(url.pathname + url.search);
  return redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
}

/** Throws a redirect to /login when nobody is signed in. */
export function requireUser({ request, context }: GuardArgs): SessionUser {
  if (!context.user) throw loginRedirect(request);
  return context.user;
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
