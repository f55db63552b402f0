// The /admin/users action (docs/contract.md: `intent` = role | disable | enable |
// end-sessions | confirm-email | send-reset | reset-two-factor, `userId` or `email`, `role`), shared by the list and by the
// per-user page so both answer the same way: guard, parse, one model call,
// a 303 back to the page, or a 4xx with the reason and nothing changed.
// A route module's half, not a library: the two routes' actions call it.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { AdminUserActionSchema, AdminUserPageActionSchema, type AdminUserIntent } from "~/lib/admin-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import {
  ADMIN_USER_REFUSALS,
  confirmUserEmail,
  disableUser,
  enableUser,
  endAllUserSessions,
  issuePasswordReset,
  resetUserTwoFactor,
  setUserRole,
  type AdminUserRefusal,
  type UserRef,
} from "~/models/admin-users.server";

/** What a refused admin action says. */
function refusalMessage(reason: AdminUserRefusal, intent: AdminUserIntent): string {
  if (reason === "notFound") return "admin.users.refused.notFound";
  if (reason === "inactive") return "admin.users.refused.inactive";
  return intent === "role"
    ? "admin.users.refused.selfRole"
    : intent === "reset-two-factor"
      ? "admin.users.refused.selfTwoFactor"
      : "admin.users.refused.selfDisable";
}

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
  const r = await (() => {
    switch (v.intent) {
      case "role":
        return setUserRole(db, { ...ref, ...actor, role: v.role! });
      case "disable":
        return disableUser(db, { ...ref, ...actor });
      case "enable":
        return enableUser(db, { ...ref, ...actor });
      case "end-sessions":
        return endAllUserSessions(db, { ...ref, ...actor });
      case "confirm-email":
        return confirmUserEmail(db, { ...ref, ...actor });
      case "send-reset":
        // Emailed to the person: the admin never sees the link.
        return issuePasswordReset(db, { ...ref, ...actor, send: true });
      case "reset-two-factor":
        return resetUserTwoFactor(db, { ...ref, ...actor });
    }
  })();
  if (!r.ok) return refuse(r.reason, ADMIN_USER_REFUSALS, { submission, message: refusalMessage(r.reason, v.intent) });
  return redirect(options.back(r.userId, v.intent), 303);
}
