import type { LoaderFunctionArgs } from "@remix-run/node";
import { localName } from "~/lib/i18n";
import { getFixedT, resolveLocale } from "~/lib/i18next.server";
import { countSearch, SearchLimited } from "~/lib/search-limit.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { findSimilarPublished } from "~/models/submission.server";

// Similar published suggestions for a title being typed (JSON for the form's fetcher).
// A search the memo does not hold counts towards the reader's search limit (429 past it).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const title = (new URL(request.url).searchParams.get("title") ?? "").slice(0, 300);
  const consultation = await getActiveConsultation(context.db);
  const lng = await resolveLocale(request, context);
  let rows: Awaited<ReturnType<typeof findSimilarPublished>> = [];
  try {
    rows =
      consultation && title.trim()
        ? await findSimilarPublished(
            context.db,
            { consultationId: consultation.id, text: title },
            { cache: context.listingCache, onSearchMiss: countSearch(context) },
          )
        : [];
  } catch (error) {
    if (!(error instanceof SearchLimited)) throw error;
    const { t } = await getFixedT(request, context);
    return Response.json(
      { error: "rateLimited", message: t("errors.tooManySearches") },
      { status: 429, headers: { "Retry-After": String(error.retryAfter), "Cache-Control": "no-store" } },
    );
  }
  return Response.json(
    {
      similar: rows.map((s) => ({
        id: s.id,
        title: s.title,
        supporters: s.supporters_count,
        cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng),
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}
