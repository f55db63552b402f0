import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { hitRateLimit, RATE_LIMIT_REFUSALS, RULES } from "~/lib/rate-limit.server";
import { CommentFormSchema } from "~/lib/schemas";
import { securityEvent } from "~/lib/security.server";
import { z } from "~/lib/zod-setup";
import { addComment, COMMENT_REFUSALS, commentPageOf, editComment } from "~/models/comment.server";
import { isParticipationRefusal, participantRefusal } from "~/models/consultation.server";

export { headers, loader } from "./submission-action.server";
export { default, ErrorBoundary, meta } from "./submission-action.shared";

// `inline=1`: with JavaScript the page posts through a fetcher and stays: the answer is data, not a redirect.
const CommentActionSchema = CommentFormSchema.extend({ inline: z.string().optional() });

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const id = idParam(args.params.id);
  const submission = await parseForm(args.request, CommentActionSchema);
  const back = `/submissions/${id}#comments`;
  if (submission.status !== "success") {
    const message = submission.error?.body?.[0] ?? "errors.invalid";
    return refuse("invalid", COMMENT_REFUSALS, { submission, message, back });
  }
  const { intent, body, parentId, commentId } = submission.value;
  const inline = submission.value.inline === "1";
  if (intent === "edit") {
    if (!commentId) return refuse("invalid", COMMENT_REFUSALS, { submission, message: "errors.invalid", back });
    const r = await editComment(args.context.db, { commentId, submissionId: id, authorId: user.id, body });
    if (!r.ok) {
      if (r.reason === "notFound") notFound();
      if (isParticipationRefusal(r)) return refuse(r.reason, COMMENT_REFUSALS, { submission, back });
      return refuse(r.reason, COMMENT_REFUSALS, { submission, message: "comment.refused.tooLate", back });
    }
    return posted(args, { id, intent, commentId, inline });
  }
  // An unconfirmed address (the model's rule, read before anything is written, the rate-limit count included).
  const unconfirmed = participantRefusal(user);
  if (unconfirmed) return refuse(unconfirmed.reason, COMMENT_REFUSALS, { submission, back });
  const limit = await hitRateLimit(args.context.db, RULES.comments, String(user.id));
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.comments.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      back,
      headers: { "Retry-After": String(limit.retryAfter) },
    });
  }
  const r = await addComment(args.context.db, { submissionId: id, authorId: user.id, body, parentId });
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    if (isParticipationRefusal(r)) return refuse(r.reason, COMMENT_REFUSALS, { submission, back });
    return refuse(r.reason, COMMENT_REFUSALS, { submission, message: `comment.refused.${r.reason}`, back });
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
