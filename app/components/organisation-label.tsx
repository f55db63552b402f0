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
 * function, so a list computes it with the list's translator; `kinds` keeps a
 * list's "small firm"s (a translation with interpolation costs ~10 µs, and a
 * list has a few kinds for many cards).
 */
export function organisationLabel(t: TFunction, o: OrganisationFacts, kinds?: Map<string, string>): string {
  if (o.name) return o.name;
  if (!o.city && !o.sizeBand) return t("submission.formerParticipant");
  let kind = "";
  if (o.sizeBand && o.type) {
    const key = `${o.sizeBand}:${o.type}`;
    kind = kinds?.get(key) ?? t("organisation.kind", { size: t(`sizeBand.${o.sizeBand}`), type: t(`organisationType.${o.type}`) });
    kinds?.set(key, kind);
  }
  return [o.cluster, o.city, kind].filter(Boolean).join(t("app.separator"));
}

export function OrganisationLabel(props: OrganisationFacts) {
  const { t } = useTranslation();
  return <bdi>{organisationLabel(t, props)}</bdi>;
}
