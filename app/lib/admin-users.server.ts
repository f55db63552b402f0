// The /admin/users action (docs/contract.md: `intent` = role | disable | enable |
// end-sessions, `userId` or `email`, `role`), shared by the list and by the
// per-user page so both answer the same way: guard, parse, one model call,
// a 303 back to the page, or a 4xx with the reason and nothing changed.
import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "./zod-setup";
import { rowId } from "./row-id";
import { requireRole } from "../auth/guards.server";
import { ROLES } from "../auth/permissions";
import { disableUser, enableUser, endAllUserSessions, setUserRole, type UserRef } from "../models/admin-users.server";
import { readForm } from "./http.server";

export const ADMIN_USER_INTENTS = ["role", "disable", "enable", "end-sessions"] as const;
export type AdminUserIntent = (typeof ADMIN_USER_INTENTS)[number];

/** A form value, with "" (an empty select or text box) and null (not sent) read as absent. */
const given = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === null || (typeof v === "string" && v.trim() === "") ? undefined : v), schema.optional());

export const AdminUserActionSchema = z
  .object({
    intent: z.enum(ADMIN_USER_INTENTS, { message: "admin.users.errors.intent" }),
    userId: given(
      z.string().trim().pipe(rowId("admin.users.errors.user")),
    ),
    email: given(z.string().trim().max(254, "admin.users.errors.user").regex(/^[^@\s]+@[^@\s]+$/, "admin.users.errors.user")),
    role: given(z.enum(ROLES, { message: "admin.users.errors.role" })),
  })
  .superRefine((v, ctx) => {
    if (v.userId === undefined && v.email === undefined) ctx.addIssue({ code: "custom", path: ["userId"], message: "admin.users.errors.user" });
    if (v.intent === "role" && !v.role) ctx.addIssue({ code: "custom", path: ["role"], message: "admin.users.errors.role" });
  });

export interface AdminUserActionData {
  intent: string;
  userId?: number;
  /** an i18n key saying why nothing changed */
  message: string;
}

/**
 * Runs one admin action on one user. `back(userId)` is where a success
 * redirects (the list with its search, or the user's page); `fixedUserId`
 * pins the user when the URL names them (/admin/users/:id).
 */
export async function adminUserAction(args: ActionFunctionArgs, options: { back: (userId: number, intent: AdminUserIntent) => string; fixedUserId?: number }) {
  const admin = await requireRole(args, "admin");
  const form = await readForm(args.request);
  const raw = {
    intent: form.get("intent"),
    userId: options.fixedUserId !== undefined ? String(options.fixedUserId) : form.get("userId"),
    email: options.fixedUserId !== undefined ? undefined : form.get("email"),
    role: form.get("role"),
  };
  const parsed = AdminUserActionSchema.safeParse(raw);
  const intent = typeof raw.intent === "string" ? raw.intent.slice(0, 40) : "";
  if (!parsed.success) {
    const first = parsed.error.issues[0]?.message ?? "";
    const message = first.startsWith("admin.users.errors.") ? first : "admin.users.errors.invalid";
    return data<AdminUserActionData>({ intent, message }, { status: 400 });
  }
  const { intent: action, userId, email, role } = parsed.data;
  // The id wins when a form sends both: it cannot be mistyped into another person.
  const ref: UserRef = userId !== undefined ? { userId } : { email: email! };
  const actor = { actorId: admin.id, actorRole: admin.role, ip: args.context.clientIp };
  const { db } = args.context;
  const r =
    action === "role"
      ? await setUserRole(db, { ...ref, ...actor, role: role! })
      : action === "disable"
        ? await disableUser(db, { ...ref, ...actor })
        : action === "enable"
          ? await enableUser(db, { ...ref, ...actor })
          : await endAllUserSessions(db, { ...ref, ...actor });
  if (!r.ok) {
    // Unknown user 404; taking one's own admin role or access away 422 (never allowed).
    const message = r.reason === "notFound" ? "admin.users.refused.notFound" : action === "role" ? "admin.users.refused.selfRole" : "admin.users.refused.selfDisable";
    return data<AdminUserActionData>({ intent: action, userId, message }, { status: r.reason === "notFound" ? 404 : 422 });
  }
  return redirect(options.back(r.userId, action), 303);
}
