import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { importTemplateCsv } from "~/models/import.server";

// The workshop CSV template: the header of docs/contract.md and one example row.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  return new Response(importTemplateCsv(), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="mashwara-workshop-import.csv"',
    },
  });
}
