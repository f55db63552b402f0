// The page an action answers with when a rule refuses it and there is no
// JavaScript to show the message in place: what happened, and a way back.
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ResendConfirmationForm } from "./confirm-email";
import { DateText } from "./dates";

export interface Refusal {
  /** the model's reason: an unconfirmed address also gets the button that sends the link again */
  reason?: string;
  message: string;
  at?: string;
  back?: string;
}

export function RefusalNotice({ refusal }: { refusal: Refusal }) {
  const { t } = useTranslation();
  const [key, n] = refusal.message.split("|");
  return (
    <div className="panel notice" role="alert">
      <h1>{t("refusal.title")}</h1>
      <p>
        {n === undefined ? t(key) : t(key, { count: Number(n) })}
        {refusal.at ? (
          <>
            {" "}
            <DateText iso={refusal.at} withTime />
          </>
        ) : null}
      </p>
      {refusal.reason === "emailUnconfirmed" ? <ResendConfirmationForm redirectTo={refusal.back} /> : null}
      <p>
        <Link to={refusal.back ?? "/"}>{t("refusal.back")}</Link>
      </p>
    </div>
  );
}

/** What a plain visit to an action's address shows: the way to the suggestion. */
export function BackToSubmission({ id }: { id: number }) {
  const { t } = useTranslation();
  return (
    <p className="panel">
      <Link to={`/submissions/${id}`}>{t("refusal.back")}</Link>
    </p>
  );
}
