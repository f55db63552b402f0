import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { getFixedT } from "../lib/i18next.server";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "../lib/zod-setup";
import { requireUser } from "../auth/guards.server";
import { BackToSubmission, RefusalNotice } from "../components/refusal";
import { idParam, readForm } from "../lib/http.server";
import { hitRateLimit, RULES } from "../lib/rate-limit.server";
import { CommentFormSchema } from "../lib/schemas";
import { securityEvent } from "../lib/security.server";
import { addComment, editComment } from "../models/comment.server";

// Loaders run after the action in the same document request (as GET), so this
// cannot redirect: a refused post (no JavaScript) renders its reason here, and a
// plain visit shows the way to the suggestion.
export { retryAfterHeaders as headers } from "../lib/headers";

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const id = idParam(params.id);
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
      return data({ ok: false as const, message: "comment.refused.tooLate", back }, { status: 409 });
    }
    if (inline) return data({ ok: true as const, intent, commentId });
    return redirect(`/submissions/${id}#comment-${commentId}`, 303);
  }
  const limit = await hitRateLimit(args.context.db, RULES.comments, String(user.id));
  if (limit.limited) {
    await securityEvent(args.context, "rate_limit", { rule: RULES.comments.name });
    return data({ ok: false as const, message: "errors.rateLimited", back }, { status: 429, headers: { "Retry-After": String(limit.retryAfter) } });
  }
  const r = await addComment(args.context.db, { submissionId: id, authorId: user.id, body, parentId });
  if (!r.ok) {
    if (r.reason === "notFound") throw data({ error: "notFound" }, { status: 404 });
    return data({ ok: false as const, message: `comment.refused.${r.reason}`, back }, { status: 422 });
  }
  if (inline) return data({ ok: true as const, intent, commentId: r.id });
  return redirect(`/submissions/${id}#comment-${r.id}`, 303);
}

export default function CommentRefused() {
  const actionData = useActionData<typeof action>();
  const { id } = useLoaderData<typeof loader>();
  if (actionData && !actionData.ok) return <RefusalNotice refusal={actionData} />;
  return <BackToSubmission id={id} />;
}
