// Server-side sessions: lucia v3 over a Kysely adapter (one code path for
// SQLite and PostgreSQL). The cookie holds a random token; the database holds
// only its SHA-256, so a copy of the database cannot be replayed as sessions.
// Idle timeout 7 days, absolute lifetime 30 days; disabled users are signed out.
import { createHash } from "node:crypto";
import { Lucia, TimeSpan, type Adapter, type Cookie, type DatabaseSession, type DatabaseUser } from "lucia";
import { PREPARE, type DB } from "../../db/client";
import type { Role, UserStatus } from "../../db/schema";
import { deleteExpiredSessions, deleteSession, deleteUserSessions, insertSession, touchSession } from "~/models/session.server";

export const IDLE_TIMEOUT_MS = 7 * 86_400_000;
export const ABSOLUTE_LIFETIME_MS = 30 * 86_400_000;
/** How stale `last_seen_at`/`expires_at` may get before a request refreshes them (one write per session per window). */
const TOUCH_INTERVAL_MS = 5 * 60_000;

export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

interface SessionAttributes {
  created_at: string;
  last_seen_at: string;
  user_agent: string | null;
  ip: string | null;
}

interface UserAttributes {
  email: string;
  display_name: string;
  role: Role;
  status: UserStatus;
  organisation_id: number | null;
  locale: string;
  digits: string;
  email_confirmed_at: string | null;
  two_factor_enabled_at: string | null;
}

function createKyselyAdapter(db: DB): Adapter {
  const toSession = (row: {
    id: string;
    user_id: number;
    expires_at: string;
    created_at: string;
    last_seen_at: string;
    user_agent: string | null;
    ip: string | null;
  }): DatabaseSession => ({
    id: row.id,
    userId: row.user_id,
    expiresAt: new Date(row.expires_at),
    attributes: { created_at: row.created_at, last_seen_at: row.last_seen_at, user_agent: row.user_agent, ip: row.ip },
  });
  return {
    async getSessionAndUser(sessionId) {
      const row = await db
        .selectFrom("sessions as s")
        .innerJoin("users as u", "u.id", "s.user_id")
        .select([
          "s.id",
          "s.user_id",
          "s.expires_at",
          "s.created_at",
          "s.last_seen_at",
          "s.user_agent",
          "s.ip",
          "u.email",
          "u.display_name",
          "u.role",
          "u.status",
          "u.organisation_id",
          "u.locale",
          "u.digits",
          "u.email_confirmed_at",
          "u.two_factor_enabled_at",
        ])
        .where("s.id", "=", hashSessionToken(sessionId))
        // every signed-in request runs it: prepared once per connection on PostgreSQL (ADR 0035)
        .modifyFront(PREPARE)
        .executeTakeFirst();
      if (!row) return [null, null];
      // lucia calls back with the id it was given: hand back the token, not the hash.
      const session = { ...toSession(row), id: sessionId };
      const user: DatabaseUser = {
        id: row.user_id,
        attributes: {
          email: row.email,
          display_name: row.display_name,
          role: row.role,
          status: row.status,
          organisation_id: row.organisation_id,
          locale: row.locale,
          digits: row.digits,
          email_confirmed_at: row.email_confirmed_at,
          two_factor_enabled_at: row.two_factor_enabled_at,
        },
      };
      return [session, user];
    },
    async getUserSessions(userId) {
      const rows = await db
        .selectFrom("sessions")
        .select(["id", "user_id", "expires_at", "created_at", "last_seen_at", "user_agent", "ip"])
        .where("user_id", "=", userId)
        .execute();
      return rows.map(toSession);
    },
    async setSession(session) {
      const a = session.attributes;
      await insertSession(db, {
        id: hashSessionToken(session.id),
        user_id: session.userId,
        expires_at: session.expiresAt.toISOString(),
        created_at: a.created_at,
        last_seen_at: a.last_seen_at,
        user_agent: a.user_agent,
        ip: a.ip,
      });
    },
    async updateSessionExpiration(sessionId, expiresAt) {
      await touchSession(db, hashSessionToken(sessionId), { expiresAt: expiresAt.toISOString() });
    },
    async deleteSession(sessionId) {
      await deleteSession(db, hashSessionToken(sessionId));
    },
    async deleteUserSessions(userId) {
      await deleteUserSessions(db, userId);
    },
    async deleteExpiredSessions() {
      await deleteExpiredSessions(db);
    },
  };
}

function createLucia(db: DB, secureCookies: boolean) {
  return new Lucia(createKyselyAdapter(db), {
    sessionExpiresIn: new TimeSpan(IDLE_TIMEOUT_MS / 1000, "s"),
    sessionCookie: {
      // __Host-: only sent over https, to this exact host, path /; no subdomain can set it.
      name: secureCookies ? "__Host-mashwara_session" : "mashwara_session",
      expires: true,
      attributes: { secure: secureCookies, sameSite: "lax", path: "/" },
    },
    getSessionAttributes: (a: SessionAttributes) => ({ createdAt: a.created_at, lastSeenAt: a.last_seen_at }),
    getUserAttributes: (a: UserAttributes) => ({
      email: a.email,
      displayName: a.display_name,
      role: a.role,
      status: a.status,
      organisationId: a.organisation_id,
      locale: a.locale,
      digits: a.digits,
      emailConfirmed: a.email_confirmed_at !== null,
      twoFactorEnabled: a.two_factor_enabled_at !== null,
    }),
  });
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    UserId: number;
    DatabaseSessionAttributes: SessionAttributes;
    DatabaseUserAttributes: UserAttributes;
  }
}

export type SessionUser = {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  status: UserStatus;
  organisationId: number | null;
  locale: string;
  /** "native" (Urdu digits on Urdu pages) or "western" */
  digits: string;
  /** the address was proved (a confirmation link used, or made by an operator or admin) */
  emailConfirmed: boolean;
  /** two-factor sign-in is on (enrolment confirmed) */
  twoFactorEnabled: boolean;
  /**
   * Staff who must still enrol in two-factor sign-in (STAFF_TWO_FACTOR=required):
   * until they have, `role` is "stakeholder" on every request (their staff
   * rights wait for the second factor) and the guard sends them to
   * /me/two-factor (see restrictUntilEnrolled).
   */
  enrolmentRequired?: boolean;
};

export interface ValidatedSession {
  user: SessionUser;
  sessionToken: string;
  /** a cookie to send back when the session's expiry moved, else null */
  refreshCookie: Cookie | null;
}

export interface RequestMeta {
  userAgent?: string | null;
  ip?: string | null;
}

export function createAuth(db: DB, options: { secureCookies: boolean }) {
  const lucia = createLucia(db, options.secureCookies);

  return {
    cookieName: lucia.sessionCookieName,

    readToken(cookieHeader: string | null | undefined): string | null {
      return cookieHeader ? lucia.readSessionCookie(cookieHeader) : null;
    },

    /** Validates a session token; enforces status, idle and absolute limits. */
    async validate(token: string, now: Date = new Date()): Promise<ValidatedSession | null> {
      const { session, user } = await lucia.validateSession(token);
      if (!session || !user) return null;
      const created = new Date(session.createdAt).getTime();
      const lastSeen = new Date(session.lastSeenAt).getTime();
      const idle = now.getTime() - lastSeen >= IDLE_TIMEOUT_MS;
      if (user.status !== "active" || idle || now.getTime() - created >= ABSOLUTE_LIFETIME_MS) {
        await lucia.invalidateSession(token);
        return null;
      }
      let refreshCookie: Cookie | null = session.fresh ? lucia.createSessionCookie(token) : null;
      if (now.getTime() - lastSeen >= TOUCH_INTERVAL_MS) {
        // Slide the idle window precisely (lucia alone extends only at half-life),
        // never past the absolute lifetime.
        const expiresAt = new Date(Math.min(now.getTime() + IDLE_TIMEOUT_MS, created + ABSOLUTE_LIFETIME_MS));
        await touchSession(db, hashSessionToken(token), { lastSeenAt: now.toISOString(), expiresAt: expiresAt.toISOString() });
        refreshCookie = lucia.createSessionCookie(token);
        refreshCookie.attributes.expires = expiresAt;
      }
      return {
        user: {
          id: user.id,
          email: user.email,
          displayName: user.displayName,
          role: user.role,
          status: user.status,
          organisationId: user.organisationId,
          locale: user.locale,
          digits: user.digits,
          emailConfirmed: user.emailConfirmed,
          twoFactorEnabled: user.twoFactorEnabled,
        },
        sessionToken: token,
        refreshCookie,
      };
    },

    /** Starts a new session (always a new id: no fixation) and returns its Set-Cookie value. */
    async signIn(userId: number, meta: RequestMeta = {}, now: Date = new Date()): Promise<string> {
      const iso = now.toISOString();
      const session = await lucia.createSession(userId, {
        created_at: iso,
        last_seen_at: iso,
        user_agent: meta.userAgent?.slice(0, 300) ?? null,
        ip: meta.ip ?? null,
      });
      return lucia.createSessionCookie(session.id).serialize();
    },

    /** Ends the session on the server and returns a Set-Cookie that clears it. */
    async signOut(token: string | null): Promise<string> {
      if (token) await lucia.invalidateSession(token);
      return lucia.createBlankSessionCookie().serialize();
    },

    blankCookie(): string {
      return lucia.createBlankSessionCookie().serialize();
    },

    async endUserSessions(userId: number): Promise<void> {
      await lucia.invalidateUserSessions(userId);
    },

    async deleteExpiredSessions(): Promise<void> {
      await lucia.deleteExpiredSessions();
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
