import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { downloadResponse, exportFileName } from "~/lib/download.server";
import { CONTENT_TYPES, toXlsx } from "~/lib/export-formats.server";
import { annexSheets } from "~/models/export.server";

// /exports/annex.xlsx (organisers): the conference annex, five sheets, streamed.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  return downloadResponse(toXlsx(await annexSheets(args.context.db)), CONTENT_TYPES.xlsx, exportFileName("annex", undefined, "xlsx"));
}
