// Security events (sign-in success/failure, denied access, rate limit,
// honeypot): one structured log line each, plus what an admin reads on
// /admin/audit. Never a password or a session token.
//
// An event tied to an account (a signed-in person, or a sign-in attempt on an
// existing account) is one audit row. An event without one (a bot filling the
// honeypot, a cross-site POST, a 429 or a failed sign-in for an address no
// account has) is counted per kind, client address and UTC minute in
// security_event_counts (ADR 0020): anyone can send those, and a flood of
// them must not cost a row and an fsync each nor bury the admins' log.
import type { RequestContext } from "~/context";
import { recordAudit } from "~/models/audit.server";
import { countSecurityEvent, type SecurityCountBuffer } from "~/models/security-events.server";

export type SecurityEvent =
  | "login.success"
  | "login.failure"
  | "logout"
  | "register"
  | "access.denied"
  | "rate_limit"
  | "honeypot"
  | "reauth.failure"
  | "password.change"
  | "account.delete"
  | "data.export";

/** What a person does to their own account is routine; everything else is worth a look. */
const INFO_EVENTS = new Set<SecurityEvent>(["login.success", "logout", "register", "password.change", "account.delete", "data.export"]);

type EventDetails = { userId?: number | null; email?: string; path?: string; rule?: string; reason?: string };

function logSecurityEvent(
  context: Pick<RequestContext, "logger" | "clientIp" | "requestId">,
  event: SecurityEvent,
  actorId: number | null,
  details: EventDetails,
): void {
  const level = INFO_EVENTS.has(event) ? "info" : "warn";
  context.logger[level](
    {
      security: event,
      userId: actorId,
      email: details.email,
      path: details.path,
      rule: details.rule,
      ip: context.clientIp,
      reqId: context.requestId,
    },
    `security ${event}`,
  );
}

const countedEvent = (event: SecurityEvent, ip: string, details: EventDetails) => ({
  kind: event,
  ip,
  target: details.email ?? details.path ?? null,
  rule: details.rule ?? null,
  reason: details.reason ?? null,
});

/**
 * An event without an account, raised before the request reaches the
 * application (server/early-answers.ts): its log line now, its count within a
 * second through `counts` (ADR 0037).
 */
export function earlySecurityEvent(
  counts: SecurityCountBuffer,
  context: Pick<RequestContext, "logger" | "clientIp" | "requestId">,
  event: SecurityEvent,
  details: Omit<EventDetails, "userId"> = {},
): void {
  logSecurityEvent(context, event, null, details);
  counts.add(countedEvent(event, context.clientIp, details));
}

export async function securityEvent(
  context: Pick<RequestContext, "db" | "logger" | "clientIp" | "user" | "requestId">,
  event: SecurityEvent,
  details: EventDetails = {},
): Promise<void> {
  const actorId = details.userId ?? context.user?.id ?? null;
  logSecurityEvent(context, event, actorId, details);
  try {
    if (actorId === null) {
      await countSecurityEvent(context.db, countedEvent(event, context.clientIp, details));
      return;
    }
    await recordAudit(context.db, {
      actorId,
      actorRole: context.user?.role ?? null,
      action: `security.${event}`,
      targetType: details.email ? "email" : details.path ? "path" : null,
      targetId: details.email ?? details.path ?? null,
      after: details.rule ? { rule: details.rule } : undefined,
      reason: details.reason ?? null,
      ip: context.clientIp,
    });
  } catch (error) {
    // The event is in the log already; a failed audit write must not turn a 403 into a 500.
    context.logger.error({ err: error }, "could not write security event to the audit log");
  }
}
