// What the HTTP server hands to every loader and action (Remix load context):
// long-lived services created once at start, plus per-request facts.
import type { Logger } from "pino";
import type { DB } from "../db/client";
import type { Config } from "./lib/env.server";
import type { Auth, SessionUser } from "./auth/session.server";
import type { ListingCache } from "./lib/listing-cache.server";
import type { SupportChange } from "./models/support.server";

export interface AppServices {
  db: DB;
  config: Config;
  logger: Logger;
  auth: Auth;
  /** memo of the cluster pages' counts and search pages (see listing-cache.server.ts) */
  listingCache: ListingCache;
}

export interface RequestContext extends AppServices {
  cspNonce: string;
  clientIp: string;
  requestId: string;
  /** the signed-in user, validated once per request by the server */
  user: SessionUser | null;
  sessionToken: string | null;
  /**
   * In a signed-in template's render (server/page-cache.ts, ADR 0036) `user` is a stand-in with the
   * reader's role: this is the reader's own id, for what is counted against a person (search limits and
   * their security events) and must never fall on the stand-in. Nothing shown may use it.
   */
  accountUserId?: number;
  /** this render is a signed-in template's, for the stand-in (server/page-cache.ts, ADR 0036 and 0041) */
  templateRender?: boolean;
  /** the signed-in user's unread notifications, when the server counted them already (server/page-cache.ts) */
  unreadNotifications?: number;
  /**
   * A loader or action says its page shows the snapshot `name` taken at `asOf`
   * (the dashboard's figures, ADR 0017): a kept signed-in page is not served
   * once a newer snapshot was taken in this process (server/page-cache.ts).
   */
  snapshotTaken?: (name: string, asOf: string) => void;
  /** the model's answer to this support request, when the quick support path asked it (server/quick-support.ts, ADR 0038) */
  supportChange?: SupportChange;
}

declare module "@remix-run/server-runtime" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RequestContext {}
}
