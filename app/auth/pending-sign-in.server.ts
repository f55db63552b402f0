// A sign-in half done (ADR 0026): the password was right, the person has
// two-factor on, and no session exists yet. The server keeps it as an
// account_tokens row of purpose "sign-in" (only the token's SHA-256, ten
// minutes, used up by the code that completes it); the browser holds the
// token in an HttpOnly, SameSite=Lax cookie, `__Host-` prefixed when cookies
// are secure, like the session cookie.
import { createCookie, type AppLoadContext } from "@remix-run/node";
import { consumeToken, issueToken, peekToken, TOKEN_LIFETIME_MS, type LiveToken } from "~/models/account-token.server";

const attributes = { path: "/", sameSite: "lax", httpOnly: true, maxAge: TOKEN_LIFETIME_MS["sign-in"] / 1000 } as const;
const plainCookie = createCookie("mashwara_sign_in", attributes);
const hostCookie = createCookie("__Host-mashwara_sign_in", { ...attributes, secure: true });

type Context = Pick<AppLoadContext, "db" | "config">;

const cookieFor = (context: Context) => (context.config.secureCookies ? hostCookie : plainCookie);

async function tokenOf(request: Request, context: Context): Promise<string> {
  const value: unknown = await cookieFor(context)
    .parse(request.headers.get("Cookie"))
    .catch(() => null);
  return typeof value === "string" ? value : "";
}

/** Records a pending sign-in for `userId`; returns the Set-Cookie that carries it. An earlier one of the person ends. */
export async function startPendingSignIn(context: Context, user: { id: number; email: string }): Promise<string> {
  const { token } = await issueToken(context.db, { userId: user.id, purpose: "sign-in", email: user.email });
  return cookieFor(context).serialize(token);
}

/** The pending sign-in the request carries, while it lasts (nothing is used up). */
export async function peekPendingSignIn(request: Request, context: Context): Promise<LiveToken | null> {
  return peekToken(context.db, { token: await tokenOf(request, context), purpose: "sign-in" });
}

/** Uses the pending sign-in up: its owner, or null when it was used or ended meanwhile. */
export async function completePendingSignIn(request: Request, context: Context): Promise<LiveToken | null> {
  return consumeToken(context.db, { token: await tokenOf(request, context), purpose: "sign-in" });
}

/** The Set-Cookie that removes the pending sign-in's cookie. */
export function clearPendingSignInCookie(context: Context): Promise<string> {
  return cookieFor(context).serialize("", { maxAge: 0, expires: new Date(0) });
}
