// /stats.csv?table=cluster|province|size|type|week: the figures of /stats as a
// CSV download (the same snapshot, the same suppression: a figure fewer than 5
// people stand behind is "<5"). Public; an unknown table is a 400.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { downloadResponse, exportFileName } from "~/lib/download.server";
import { CONTENT_TYPES, toCsv } from "~/lib/export-formats.server";
import { badRequest, notFound } from "~/lib/http.server";
import { tFor } from "~/lib/i18next.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { getPublicStats, statsTableOf } from "~/models/public-stats.server";
import { listClusters } from "~/models/taxonomy.server";
import { statsGroupLabel, type Figure } from "~/lib/stats-labels";

const cell = (f: Figure) => (f === null ? "<5" : f);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const table = statsTableOf(new URL(request.url).searchParams);
  if (!table) badRequest();
  const consultation = await getActiveConsultation(context.db);
  if (!consultation) notFound();
  const stats = await getPublicStats(context.db, { consultationId: consultation.id });
  const name = exportFileName(`stats-${table}`, null, "csv");
  if (table === "week") {
    const rows = stats.weeks.map((w) => ({ week: w.week, suggestions: cell(w.suggestions), supports: cell(w.supports) }));
    return downloadResponse(toCsv(["week", "suggestions", "supports"], once(rows)), CONTENT_TYPES.csv, name);
  }
  const clusters = await listClusters(context.db);
  const [en, ur] = [tFor("en"), tFor("ur")];
  const rows = stats.by[table].map((r) => ({
    group: r.key,
    label_en: statsGroupLabel(table, r.key, "en", en, clusters),
    label_ur: statsGroupLabel(table, r.key, "ur", ur, clusters),
    participants: cell(r.participants),
    organisations: cell(r.organisations),
    suggestions: cell(r.suggestions),
    supports: cell(r.supports),
  }));
  const columns = ["group", "label_en", "label_ur", "participants", "organisations", "suggestions", "supports"];
  return downloadResponse(toCsv(columns, once(rows)), CONTENT_TYPES.csv, name);
}

async function* once<T>(rows: T[]): AsyncGenerator<T[]> {
  yield rows;
}
