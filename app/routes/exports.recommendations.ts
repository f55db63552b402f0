import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { downloadResponse, exportFileName } from "~/lib/download.server";
import { CONTENT_TYPES } from "~/lib/export-formats.server";
import { recommendationsExport } from "~/models/export.server";

// /exports/recommendations.csv, .json (organisers): every recommendation of
// the active consultation, draft and final, with its support figures.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const format = new URL(args.request.url).pathname.endsWith(".json") ? "json" : "csv";
  return downloadResponse(
    await recommendationsExport(args.context.db, format),
    CONTENT_TYPES[format],
    exportFileName("recommendations", undefined, format),
  );
}
