import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { getFixedT } from "../lib/i18next.server";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "../lib/zod-setup";
import { requireUser } from "../auth/guards.server";
import { BackToSubmission, RefusalNotice } from "../components/refusal";
import { submissionExists } from "../models/submission.server";
import { idParam, readForm } from "../lib/http.server";
import { hitRateLimit, RULES } from "../lib/rate-limit.server";
import { CommentFormSchema } from "../lib/schemas";
import { securityEvent } from "../lib/security.server";
import { addComment, commentPageOf, editComment } from "../models/comment.server";
import { isParticipationRefusal, PARTICIPATION_REFUSAL_STATUS } from "../models/consultation.server";

// Loaders run after the action in the same document request (as GET), so this
// cannot redirect: a refused post (no JavaScript) renders its reason here, and a
// plain visit shows the way to the suggestion.
export { retryAfterHeaders as headers } from "../lib/headers";

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = idParam(params.id);
  // A plain visit to an action's address: a way back to the suggestion, so only for one that exists.
  if (!(await submissionExists(context.db, id))) throw data({ error: "notFound" }, { status: 404 });
  const { t } = await getFixedT(request, context);
  return { id, title: `${t("refusal.title")} · ${t("app.name")}` };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const form = await readForm(args.request);
  const parsed = CommentFormSchema.safeParse(Object.fromEntries([...form].filter(([, v]) => v !== "")));
  // With JavaScript the page posts through a fetcher and stays: the answer is data, not a redirect.
  const inline = form.get("inline") === "1";
  const back = `/submissions/${id}#comments`;
  if (!parsed.success) {
    const errors = z.flattenError(parsed.error).fieldErrors;
    return data({ ok: false as const, message: errors.body?.[0] ?? "errors.invalid", back }, { status: 400 });
  }
  const { intent, body, parentId, commentId } = parsed.data;
  if (intent === "edit") {
    if (!commentId) throw data({ error: "badRequest" }, { status: 400 });
    const r = await editComment(args.context.db, { commentId, submissionId: id, authorId: user.id, body });
    if (!r.ok) {
      if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
      if (isParticipationRefusal(r)) return data({ ok: false as const, message: `refusal.${r.reason}`, back }, { status: PARTICIPATION_REFUSAL_STATUS });
      return data({ ok: false as const, message: "comment.refused.tooLate", back }, { status: 409 });
    }
    return posted(args, { id, intent, commentId, inline });
  }
  const limit = await hitRateLimit(args.context.db, RULES.comments, String(user.id));
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.comments.name });
    return data({ ok: false as const, message: "errors.rateLimited", back }, { status: 429, headers: { "Retry-After": String(limit.retryAfter) } });
  }
  const r = await addComment(args.context.db, { submissionId: id, authorId: user.id, body, parentId });
  if (!r.ok) {
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    if (isParticipationRefusal(r)) return data({ ok: false as const, message: `refusal.${r.reason}`, back }, { status: PARTICIPATION_REFUSAL_STATUS });
    return data({ ok: false as const, message: `comment.refused.${r.reason}`, back }, { status: 422 });
  }
  return posted(args, { id, intent, commentId: r.id, inline });
}

/**
 * The comment is on the page that holds its thread (a new thread: page 1, the
 * newest; a reply or an edit: wherever its thread is). Without JavaScript the
 * redirect lands there, at the comment; with JavaScript the answer names the
 * page and the form goes there when the reader is on another one.
 */
async function posted(args: ActionFunctionArgs, p: { id: number; intent: "create" | "edit"; commentId: number; inline: boolean }) {
  const page = (await commentPageOf(args.context.db, { submissionId: p.id, commentId: p.commentId })) ?? 1;
  if (p.inline) return data({ ok: true as const, intent: p.intent, commentId: p.commentId, page });
  return redirect(`/submissions/${p.id}${page > 1 ? `?comments=${page}` : ""}#comment-${p.commentId}`, 303);
}

export default function CommentRefused() {
  const actionData = useActionData<typeof action>();
  const { id } = useLoaderData<typeof loader>();
  if (actionData && !actionData.ok) return <RefusalNotice refusal={actionData} />;
  return <BackToSubmission id={id} />;
}
