// The forms an admin uses on one user (list row and user page): change role,
// disable or enable, end all sessions. Plain POSTs with the field
// names of docs/contract.md (`intent`, `userId`, `role`), so they work without JavaScript. The
// server decides what is allowed; these only leave out what would be refused
// anyway on one's own account.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ROLES, type Role } from "../auth/permissions";
import type { AuditChange } from "../lib/audit-diff";

export interface UserActionsProps {
  user: { id: number; name: string; role: Role; status: string };
  /** the signed-in admin's own account: no role change, no disabling */
  self: boolean;
  /** the list's rows: smaller, labels for screen readers only */
  compact?: boolean;
}

export function UserActions({ user, self, compact = false }: UserActionsProps) {
  const { t } = useTranslation();
  const roleId = `role-${user.id}`;
  return (
    <div className={compact ? "user-actions user-actions--compact" : "user-actions"}>
      {self ? (
        <p className="muted">{t("admin.users.selfHint")}</p>
      ) : (
        <Form method="post" className="button-row">
          <input type="hidden" name="userId" value={user.id} />
          <label htmlFor={roleId} className={compact ? "visually-hidden" : undefined}>
            {t("admin.users.roleFor", { name: user.name })}
          </label>
          <select id={roleId} name="role" defaultValue={user.role}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
          <button type="submit" name="intent" value="role" className="button button--secondary">
            {t("admin.users.changeRole")}
          </button>
        </Form>
      )}
      <div className="button-row">
        {self ? null : (
          <Form method="post">
            <input type="hidden" name="userId" value={user.id} />
            {user.status === "disabled" ? (
              <button type="submit" name="intent" value="enable" className="button button--secondary" aria-label={t("admin.users.enableFor", { name: user.name })}>
                {t("admin.users.enable")}
              </button>
            ) : (
              <button type="submit" name="intent" value="disable" className="button button--secondary" aria-label={t("admin.users.disableFor", { name: user.name })}>
                {t("admin.users.disable")}
              </button>
            )}
          </Form>
        )}
        <Form method="post">
          <input type="hidden" name="userId" value={user.id} />
          <button type="submit" name="intent" value="end-sessions" className="button button--secondary" aria-label={t("admin.users.endSessionsFor", { name: user.name })}>
            {t("admin.users.endSessions")}
          </button>
        </Form>
      </div>
    </div>
  );
}

/** An audit entry's before/after, as computed by auditChanges (app/lib/audit-diff.ts). */
export function AuditChangeList({ changes }: { changes: AuditChange[] }) {
  if (!changes.length) return <>—</>;
  return (
    <ul className="audit-changes">
      {changes.map((c, i) => (
        <li key={c.key ?? i}>
          {c.key ? (
            <>
              <code>{c.key}</code>:{" "}
            </>
          ) : null}
          {c.before !== null ? (
            <>
              <del dir="auto">{c.before}</del>
              {" "}
              <span className="dir-arrow" aria-hidden="true">
                →
              </span>{" "}
            </>
          ) : null}
          <ins dir="auto">{c.after ?? "—"}</ins>
        </li>
      ))}
    </ul>
  );
}
