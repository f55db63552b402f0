import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { downloadResponse, exportFileName } from "~/lib/download.server";
import { CONTENT_TYPES, type ExportFormat } from "~/lib/export-formats.server";
import { parseSubmissionExportQuery, submissionsExport } from "~/models/export.server";

// /exports/submissions.csv, .json, .xlsx (organisers): the submissions export,
// streamed. Filters `cluster`, `category`, `status`; an unknown value is a 400.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const url = new URL(args.request.url);
  const format = url.pathname.split(".").pop() as ExportFormat;
  const query = url.searchParams;
  const parsed = await parseSubmissionExportQuery(args.context.db, {
    cluster: query.get("cluster"),
    category: query.get("category"),
    status: query.get("status"),
  });
  if (!parsed.ok) return Response.json({ error: parsed.error }, { status: 400, headers: { "Cache-Control": "no-store" } });
  return downloadResponse(
    submissionsExport(args.context.db, format, parsed.filters),
    CONTENT_TYPES[format],
    exportFileName("submissions", parsed.clusterSlug, format),
  );
}
