import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";

export interface OrganisationFacts {
  name: string | null;
  cluster: string;
  city: string | null;
  sizeBand: string | null;
  type: string | null;
}

/**
 * The organisation behind a suggestion as the public may see it: its name when
 * its member allowed that, otherwise "Leather · Sialkot · small firm". A plain
 * function, so a list computes it with the list's translator.
 */
export function organisationLabel(t: TFunction, o: OrganisationFacts): string {
  if (o.name) return o.name;
  if (!o.city && !o.sizeBand) return t("submission.formerParticipant");
  const kind =
    o.sizeBand && o.type ? t("organisation.kind", { size: t(`sizeBand.${o.sizeBand}`), type: t(`organisationType.${o.type}`) }) : "";
  return [o.cluster, o.city, kind].filter(Boolean).join(t("app.separator"));
}

export function OrganisationLabel(props: OrganisationFacts) {
  const { t } = useTranslation();
  return <bdi>{organisationLabel(t, props)}</bdi>;
}
