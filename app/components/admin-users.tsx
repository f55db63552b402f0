// The forms an admin uses on one user (list row and user page): change role,
// disable or enable, end all sessions. Plain POSTs with the field
// names of docs/contract.md (`intent`, `userId`, `role`), so they work without JavaScript. The
// model decides what is allowed (`userActionsFor`); these only show it.
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ROLES, type Role } from "~/auth/permissions";
import type { AuditChange } from "~/lib/audit-diff";
import { formErrorsOf, type ActionReply } from "~/lib/refusal";

/**
 * What a refused action says, for the page's error summary: these forms are
 * one per user, so a message has no field of its own to stand by.
 */
export function replyMessages(reply: ActionReply | undefined): string[] {
  const fieldMessages = Object.entries(reply?.error ?? {}).flatMap(([name, errors]) => (name === "" ? [] : (errors ?? [])));
  return [...new Set([...formErrorsOf(reply), ...fieldMessages])];
}

export interface UserActionsProps {
  user: { id: number; name: string; role: Role; status: string };
  /** what the signed-in admin may do to this account (the model's `userActionsFor`) */
  allowed: { changeRole: boolean; disable: boolean; endSessions: boolean };
  /** the list's rows: smaller, labels for screen readers only */
  compact?: boolean;
}

export function UserActions({ user, allowed, compact = false }: UserActionsProps) {
  const { t } = useTranslation();
  const roleId = `role-${user.id}`;
  return (
    <div className={compact ? "user-actions user-actions--compact" : "user-actions"}>
      {!allowed.changeRole ? (
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
        {!allowed.disable ? null : (
          <Form method="post">
            <input type="hidden" name="userId" value={user.id} />
            {user.status === "disabled" ? (
              <button
                type="submit"
                name="intent"
                value="enable"
                className="button button--secondary"
                aria-label={t("admin.users.enableFor", { name: user.name })}
              >
                {t("admin.users.enable")}
              </button>
            ) : (
              <button
                type="submit"
                name="intent"
                value="disable"
                className="button button--secondary"
                aria-label={t("admin.users.disableFor", { name: user.name })}
              >
                {t("admin.users.disable")}
              </button>
            )}
          </Form>
        )}
        {!allowed.endSessions ? null : (
          <Form method="post">
            <input type="hidden" name="userId" value={user.id} />
            <button
              type="submit"
              name="intent"
              value="end-sessions"
              className="button button--secondary"
              aria-label={t("admin.users.endSessionsFor", { name: user.name })}
            >
              {t("admin.users.endSessions")}
            </button>
          </Form>
        )}
      </div>
    </div>
  );
}

/**
 * The account actions of one user's page (the model's `accountActionsFor`):
 * confirm the address, email a reset link, turn two-factor off.
 */
export function AccountActions({
  user,
  allowed,
}: {
  user: { id: number; name: string };
  allowed: { confirmEmail: boolean; sendReset: boolean; resetTwoFactor: boolean };
}) {
  const { t } = useTranslation();
  const buttons = (
    [
      ["confirm-email", allowed.confirmEmail, "admin.users.confirmEmail", "admin.users.confirmEmailHint"],
      ["send-reset", allowed.sendReset, "admin.users.sendReset", "admin.users.sendResetHint"],
      ["reset-two-factor", allowed.resetTwoFactor, "admin.users.resetTwoFactor", "admin.users.resetTwoFactorHint"],
    ] as const
  ).filter(([, shown]) => shown);
  if (!buttons.length) return null;
  return (
    <div className="stack">
      {buttons.map(([intent, , label, hint]) => (
        <Form method="post" key={intent}>
          <input type="hidden" name="userId" value={user.id} />
          <button type="submit" name="intent" value={intent} className="button button--secondary">
            {t(label)}
          </button>{" "}
          <span className="field-hint">{t(hint, { name: user.name })}</span>
        </Form>
      ))}
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
              <del dir="auto">{c.before}</del>{" "}
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
