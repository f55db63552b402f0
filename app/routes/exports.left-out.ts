import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { downloadResponse, exportFileName } from "~/lib/download.server";
import { CONTENT_TYPES } from "~/lib/export-formats.server";
import { leftOutExport } from "~/models/export.server";

// /exports/left-out.csv (organisers, issue 19): the active consultation's
// published suggestions no final recommendation reflects, most supported first
// (at most 500; each row says its rank and how many were left out in all),
// with the organisers' reasons for leaving them out.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  return downloadResponse(await leftOutExport(args.context.db), CONTENT_TYPES.csv, exportFileName("left-out", undefined, "csv"));
}
