import { useTranslation } from "react-i18next";

/**
 * "Verified organisation": a moderator checked its registration number.
 * Nothing when not verified. It says only that, never the number itself, so
 * it may appear wherever the organisation is shown.
 */
export function VerifiedBadge({ verified }: { verified: boolean }) {
  const { t } = useTranslation();
  if (!verified) return null;
  return <span className="badge badge--verified">{t("organisations.verifiedBadge")}</span>;
}
