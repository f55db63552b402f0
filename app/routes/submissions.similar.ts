import type { LoaderFunctionArgs } from "@remix-run/node";
import { localName } from "../lib/i18n";
import { resolveLocale } from "../lib/i18next.server";
import { getActiveConsultation } from "../models/consultation.server";
import { findSimilarPublished } from "../models/submission.server";

// Similar published suggestions for a title being typed (JSON for the form's fetcher).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const title = (new URL(request.url).searchParams.get("title") ?? "").slice(0, 300);
  const consultation = await getActiveConsultation(context.db);
  const lng = await resolveLocale(request, context);
  const rows = consultation && title.trim() ? await findSimilarPublished(context.db, context.dialect, { consultationId: consultation.id, text: title }) : [];
  return Response.json(
    { similar: rows.map((s) => ({ id: s.id, title: s.title, supporters: s.supporters_count, cluster: localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng) })) },
    { headers: { "Cache-Control": "no-store" } },
  );
}
