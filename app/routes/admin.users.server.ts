// The /admin/users action (docs/contract.md: `intent` = role | disable | enable |
// end-sessions, `userId` or `email`, `role`), shared by the list and by the
// per-user page so both answer the same way: guard, parse, one model call,
// a 303 back to the page, or a 4xx with the reason and nothing changed.
// A route module's half, not a library: the two routes' actions call it.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { AdminUserActionSchema, AdminUserPageActionSchema, type AdminUserIntent } from "~/lib/admin-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { ADMIN_USER_REFUSALS, disableUser, enableUser, endAllUserSessions, setUserRole, type UserRef } from "~/models/admin-users.server";

/**
 * Runs one admin action on one user. `back(userId)` is where a success
 * redirects (the list with its search, or the user's page); `fixedUserId`
 * pins the user when the URL names them (/admin/users/:id).
 */
export async function adminUserAction(
  args: ActionFunctionArgs,
  options: { back: (userId: number, intent: AdminUserIntent) => string; fixedUserId?: number },
) {
  const admin = await requireRole(args, "admin");
  const submission = await parseForm(args.request, options.fixedUserId === undefined ? AdminUserActionSchema : AdminUserPageActionSchema);
  if (submission.status !== "success") return invalid(submission);
  const v = submission.value as { intent: AdminUserIntent; role?: (typeof submission.value)["role"]; userId?: number; email?: string };
  // The user the URL names; else the id, which wins when a form sends both: it cannot be mistyped into another person.
  const ref: UserRef =
    options.fixedUserId !== undefined
      ? { userId: options.fixedUserId }
      : v.userId !== undefined
        ? { userId: v.userId }
        : { email: v.email! };
  const actor = { actorId: admin.id, actorRole: admin.role, ip: args.context.clientIp };
  const { db } = args.context;
  const r =
    v.intent === "role"
      ? await setUserRole(db, { ...ref, ...actor, role: v.role! })
      : v.intent === "disable"
        ? await disableUser(db, { ...ref, ...actor })
        : v.intent === "enable"
          ? await enableUser(db, { ...ref, ...actor })
          : await endAllUserSessions(db, { ...ref, ...actor });
  if (!r.ok) {
    const message =
      r.reason === "notFound"
        ? "admin.users.refused.notFound"
        : v.intent === "role"
          ? "admin.users.refused.selfRole"
          : "admin.users.refused.selfDisable";
    return refuse(r.reason, ADMIN_USER_REFUSALS, { submission, message });
  }
  return redirect(options.back(r.userId, v.intent), 303);
}
