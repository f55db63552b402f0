import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { formatDate } from "~/lib/format";
import { requireRole } from "~/auth/guards.server";
import { briefingDocx } from "~/lib/briefing-docx.server";
import { resolveFormat, tFor } from "~/lib/i18next.server";
import { BriefingQuerySchema } from "~/lib/recommendation-schemas.server";
import { buildBriefing } from "~/models/briefing.server";
import { getActiveConsultation } from "~/models/consultation.server";
import { notFound } from "~/lib/http.server";

// GET /exports/briefing.docx?cluster=&lang= (organisers): the conference briefing as DOCX,
// in the requester's language, or in the one `lang` (en|ur) names.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "organiser");
  const { db } = args.context;
  const { cluster, lang } = BriefingQuerySchema.parse(Object.fromEntries(new URL(args.request.url).searchParams));
  const consultation = await getActiveConsultation(db);
  if (!consultation) notFound();
  const prefs = await resolveFormat(args.request, args.context);
  const lng = lang ?? prefs.lng;
  // Each recommendation in the document's language, or the other one with a note (ADR 0032).
  const briefing = await buildBriefing(db, { consultationId: consultation.id, clusterSlug: cluster, lang: lng });
  if (!briefing) notFound();
  const digits = prefs.digits;
  const t = tFor(lng, digits);
  const preparedOn = formatDate({ lng, digits }, new Date());
  const body = await briefingDocx(briefing, t, lng, preparedOn, digits, lng === "ur" ? consultation.title_ur : consultation.title_en);
  // The file name is built from a validated slug only ([a-z0-9-]).
  const name = `briefing-${briefing.cluster?.slug ?? "all"}.docx`;
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Content-Length": String(body.length),
      "Cache-Control": "no-store",
    },
  });
}

export async function action(args: ActionFunctionArgs) {
  await requireRole(args, "organiser");
  throw data({ error: "methodNotAllowed" }, { status: 405 });
}
