// Form and query schemas of the notifications page and the admin outbox, used
// only in loaders and actions (a .server module: zod stays out of the browser bundle).
import { z } from "./zod-setup";
import { EMAIL_STATUSES } from "~/models/email-outbox.server";
import { EMAIL_FREQUENCIES } from "~/models/notification-settings.server";
import { RowId as id } from "./row-id";

/** POST /me/notifications: mark all read, or one of mine. */
export const NotificationActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("read-all") }),
  z.object({ intent: z.literal("read"), id }),
]);

/** GET /admin/outbox: an unknown status is no filter, never an error. */
export const OutboxQuerySchema = z.object({
  status: z.enum(EMAIL_STATUSES).optional().catch(undefined),
});

/** POST /me/notifications/settings: the Contract's one field, `email` = off | instant | daily | weekly. */
export const NotificationSettingsSchema = z.object({
  email: z.enum(EMAIL_FREQUENCIES),
});

/**
 * POST /unsubscribe/:token: the page's button sends nothing; a mail client's
 * one-click POST (RFC 8058) sends `List-Unsubscribe=One-Click`. The token in
 * the address is what counts; other fields are ignored.
 */
export const UnsubscribeSchema = z.object({
  "List-Unsubscribe": z.string().max(100).optional(),
});
