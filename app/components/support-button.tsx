// Support / withdraw support. Without JavaScript it is a form that posts and
// comes back to the page; with JavaScript it updates in place and announces
// the new count.
import { Link, useFetcher } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { inlineSubmit } from "~/lib/inline-submit";
import { actionReply, type ActionReply } from "~/lib/refusal";
import { NumberText } from "./dates";

/** The support action's answer: the new count, or a refusal in the one shape of every action. */
type SupportAnswer = { ok: true; supported: boolean; supporters: number } | ActionReply;

export function SupportButton({
  submissionId,
  supporters,
  supported,
  signedIn,
  canSupport,
  blockedReason,
  loginPath,
}: {
  submissionId: number;
  supporters: number;
  supported: boolean;
  signedIn: boolean;
  canSupport: boolean;
  blockedReason: string | null;
  loginPath: string;
}) {
  const { t } = useTranslation();
  const fetcher = useFetcher<SupportAnswer>();
  const action = `/submissions/${submissionId}/support`;
  const answer = fetcher.data;
  const done = answer && "ok" in answer && answer.ok ? answer : null;
  const nowSupported = done ? done.supported : supported;
  const count = done ? done.supporters : supporters;
  const refusal = actionReply(answer)?.refusal?.message ?? null;
  const [refusalKey, refusalCount] = (refusal ?? "").split("|");

  return (
    <div className="support" id="support">
      <p className="support__count">
        <strong>
          <NumberText value={count} />
        </strong>{" "}
        {t("submission.supporters", { count })}
      </p>
      {!signedIn ? (
        <p>
          <Link to={loginPath}>{t("support.signInToSupport")}</Link>
        </p>
      ) : canSupport || nowSupported ? (
        <fetcher.Form method="post" action={action} onSubmit={inlineSubmit(fetcher, action)}>
          <input type="hidden" name="intent" value={nowSupported ? "withdraw" : "support"} />
          <button type="submit" className={nowSupported ? "button button--secondary" : "button"} aria-pressed={nowSupported}>
            {nowSupported ? t("support.withdraw") : t("support.support")}
          </button>
        </fetcher.Form>
      ) : blockedReason ? (
        <p className="muted">{t(blockedReason)}</p>
      ) : null}
      <p role="status" aria-live="polite" className={refusal ? "field-errors" : "visually-hidden"}>
        {refusal
          ? refusalCount === undefined
            ? t(refusalKey)
            : t(refusalKey, { count: Number(refusalCount) })
          : done
            ? done.supported
              ? t("support.done")
              : t("support.withdrawn")
            : ""}
      </p>
    </div>
  );
}
