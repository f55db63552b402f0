// A suggestion's card in the cluster page's list. A plain function of its
// props (no hooks): the server also renders a signed-in reader's own cards
// outside the page's render, into a template of the page
// (app/lib/cluster-list.server.tsx, ADR 0041), and that must give the same
// markup as the page's own render.
import { Link } from "@remix-run/react";
import type { TFunction } from "i18next";
import type { ReactNode } from "react";
import { organisationLabel } from "~/components/organisation-label";
import { formatDate, formatNumber, type FormatPrefs } from "~/lib/format";
import { ORGANISATION_TYPES, SIZE_BANDS } from "~/lib/reference";

export interface Card {
  id: number;
  title: string;
  /** the title is a moderators' translation into the reader's language */
  translated: boolean;
  publishedAt: string;
  organisation: { name: string | null; city: string | null; sizeBand: string | null; type: string | null };
  categories: string[];
  breadth: { supporters: number; organisations: number; provinces: number };
  comments: number;
}

/** The card's link: Remix's <Link> in the page; outside a render, what it writes (see cardLabels). */
export type CardLink = typeof Link | typeof ServerLink;

export interface CardLabels {
  t: TFunction;
  prefs: FormatPrefs;
  clusterName: string;
  Link: CardLink;
  /** the list's organisation kinds ("small firm"), translated once each */
  kinds: Map<string, string>;
  categories: string;
  supporters: string;
  organisations: string;
  provinces: string;
  comments: string;
  translated: string;
}

/**
 * The labels of a list's cards, translated once per page. It looks up every
 * key a card may use, whatever the cards are: the keys a page's render looks
 * up travel with the page (app/lib/i18n-page.server.ts), and a template of the
 * page (ADR 0041) is rendered without the reader's cards.
 */
export function cardLabels(t: TFunction, prefs: FormatPrefs, clusterName: string, link: CardLink = Link): CardLabels {
  t("app.separator");
  t("submission.formerParticipant");
  t("organisation.kind", { size: "", type: "" });
  for (const band of SIZE_BANDS) t(`sizeBand.${band}`);
  for (const type of ORGANISATION_TYPES) t(`organisationType.${type}`);
  return {
    t,
    prefs,
    clusterName,
    Link: link,
    kinds: new Map(),
    categories: t("submission.categories"),
    supporters: t("cluster.supporters"),
    organisations: t("submission.breadth.organisations"),
    provinces: t("submission.breadth.provinces"),
    comments: t("comment.title"),
    translated: t("translation.label"),
  };
}

export function SubmissionCard({ s, labels }: { s: Card; labels: CardLabels }) {
  const { Link } = labels;
  const figure = (label: string, value: number) => (
    <div>
      <dt>{label}</dt>
      <dd>{formatNumber(labels.prefs, value)}</dd>
    </div>
  );
  return (
    <li className="card">
      <h2 className="card__title">
        <Link to={`/submissions/${s.id}`}>
          <bdi>{s.title}</bdi>
        </Link>
      </h2>
      {s.translated ? <p className="card__note muted">{labels.translated}</p> : null}
      <p className="card__meta">
        #{s.id}
        {labels.t("app.separator")}
        <bdi>{organisationLabel(labels.t, { ...s.organisation, cluster: labels.clusterName }, labels.kinds)}</bdi>
        {labels.t("app.separator")}
        <time dateTime={s.publishedAt}>{formatDate(labels.prefs, s.publishedAt, "long")}</time>
      </p>
      {s.categories.length ? (
        <ul className="chips" aria-label={labels.categories}>
          {s.categories.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      ) : null}
      <dl className="figures figures--inline">
        {figure(labels.supporters, s.breadth.supporters)}
        {figure(labels.organisations, s.breadth.organisations)}
        {figure(labels.provinces, s.breadth.provinces)}
        {figure(labels.comments, s.comments)}
      </dl>
    </li>
  );
}

/**
 * What Remix's <Link> writes for a path on the server: the cards rendered outside
 * the page's render (no router there) link with it. The page-cache route test
 * holds it to the page's own markup, byte for byte.
 */
export function ServerLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a data-discover="true" href={to}>
      {children}
    </a>
  );
}

/** The cards of a list, without their <ol> (a template of the page holds that). */
export function SubmissionCards({ cards, labels }: { cards: Card[]; labels: CardLabels }) {
  return (
    <>
      {cards.map((s) => (
        <SubmissionCard key={s.id} s={s} labels={labels} />
      ))}
    </>
  );
}
