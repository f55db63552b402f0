import { useTranslation } from "react-i18next";

/**
 * The organisation behind a suggestion as the public may see it: its name when
 * its member allowed that, otherwise "Leather · Sialkot · small firm".
 */
export function OrganisationLabel({
  name,
  cluster,
  city,
  sizeBand,
  type,
}: {
  name: string | null;
  cluster: string;
  city: string | null;
  sizeBand: string | null;
  type: string | null;
}) {
  const { t } = useTranslation();
  if (name) return <bdi>{name}</bdi>;
  if (!city && !sizeBand) return <>{t("submission.formerParticipant")}</>;
  const kind = sizeBand && type ? t("organisation.kind", { size: t(`sizeBand.${sizeBand}`), type: t(`organisationType.${type}`) }) : "";
  return (
    <>
      {cluster} · <bdi>{city}</bdi>
      {kind ? ` · ${kind}` : ""}
    </>
  );
}
