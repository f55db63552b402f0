// /recommendations.atom: an Atom 1.0 feed of the final recommendations (drafts
// never). One entry per recommendation, its id its public URL, `updated` its
// latest event (published or edited, responded, progress reported): a feed
// reader shows a recommendation again, updated, when the government responds
// or progress is reported, rather than piling up one entry per event that a
// reader would have to tie together. Absolute URLs from ORIGIN.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { atomResponse } from "~/lib/atom.server";
import { getFixedT } from "~/lib/i18next.server";
import { recommendationNumber } from "~/lib/recommendation-reference";
import { asLanguage } from "~/lib/recommendation-language";
import { getActiveConsultation } from "~/models/consultation.server";
import { recommendationFeedItems } from "~/models/feeds.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { db, config } = context;
  const { t, lng } = await getFixedT(request, context);
  const origin = config.ORIGIN;
  const consultation = await getActiveConsultation(db);
  const items = consultation ? await recommendationFeedItems(db, { consultationId: consultation.id, lang: asLanguage(lng) }) : [];
  return atomResponse({
    id: `${origin}/recommendations.atom`,
    title: `${t("recommendation.listTitle")} · ${t("app.name")}`,
    subtitle: t("feeds.recommendationsSubtitle"),
    self: `${origin}/recommendations.atom`,
    alternate: `${origin}/recommendations`,
    author: t("app.name"),
    lang: lng,
    emptyUpdated: consultation?.submission_opens_at ?? "2026-01-01T00:00:00.000Z",
    entries: items.map((r) => {
      const response = r.responseStatus
        ? t("feeds.response", {
            status: t(`recommendation.response.statuses.${r.responseStatus}`, { defaultValue: r.responseStatus }),
            date: r.responseDate ?? "",
          })
        : t("recommendation.response.none");
      const progress = r.progress
        ? t("feeds.progress", {
            status: t(`recommendation.progress.statuses.${r.progress.status}`, { defaultValue: r.progress.status }),
            date: r.progress.date,
          })
        : t("recommendation.progress.none");
      return {
        id: `${origin}/recommendations/${r.id}`,
        // An entry without a version in the feed's language says so (ADR 0032).
        title: `${recommendationNumber(r.id)} ${r.title}${r.missing ? ` ${t("recommendation.language.missingShort")}` : ""}`,
        updated: r.updated,
        published: r.published,
        link: `${origin}/recommendations/${r.id}`,
        summary: `${r.missing ? `${t("recommendation.language.missing")}\n\n` : ""}${response}\n${progress}\n\n${r.text}`,
      };
    }),
  });
}
