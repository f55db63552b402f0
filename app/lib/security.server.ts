// Security events (sign-in success/failure, denied access, rate limit,
// honeypot): one structured log line each, plus an audit row an admin can
// read. Never a password or a session token.
import type { RequestContext } from "../context";
import { recordAudit } from "../models/audit.server";

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

export async function securityEvent(
  context: Pick<RequestContext, "db" | "logger" | "clientIp" | "user" | "requestId">,
  event: SecurityEvent,
  details: { userId?: number | null; email?: string; path?: string; rule?: string; reason?: string } = {},
): Promise<void> {
  const actorId = details.userId ?? context.user?.id ?? null;
  const level = INFO_EVENTS.has(event) ? "info" : "warn";
  context.logger[level](
    { security: event, userId: actorId, email: details.email, path: details.path, rule: details.rule, ip: context.clientIp, reqId: context.requestId },
    `security ${event}`,
  );
  try {
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
