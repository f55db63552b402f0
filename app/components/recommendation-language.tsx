// A recommendation's text in the reader's language, or in the other one with a
// note saying the reader's version is missing (issue 18, item 4; ADR 0032). The
// choice is made once, by recommendationIn (app/lib/recommendation-language.ts);
// these only draw it: the text carries its own lang and direction.
import { useTranslation } from "react-i18next";
import type { Shown } from "~/lib/recommendation-language";

/** One shown text (a title), marked with the language it is in. */
export function ShownText({ shown }: { shown: Pick<Shown, "value" | "lang"> }) {
  return <bdi lang={shown.lang}>{shown.value}</bdi>;
}

/** A shown text as a block (the recommendation, its dissent), marked with the language it is in. */
export function ShownBlock({ shown }: { shown: Pick<Shown, "value" | "lang"> }) {
  return (
    <p className="plain-text" dir="auto" lang={shown.lang}>
      {shown.value}
    </p>
  );
}

/** The note shown when the reader's language has no version: what follows is in the other language. */
export function MissingVersionNote({ part = "recommendation" }: { part?: "recommendation" | "dissent" }) {
  const { t } = useTranslation();
  return (
    <p className="notice missing-version" role="note" data-missing-version={part}>
      {t(part === "dissent" ? "recommendation.language.dissentMissing" : "recommendation.language.missing")}
    </p>
  );
}

/** The short marker of a list row whose title is in the other language. */
export function MissingVersionMark() {
  const { t } = useTranslation();
  return (
    <span className="muted missing-version" data-missing-version="title">
      {" "}
      {t("recommendation.language.missingShort")}
    </span>
  );
}
