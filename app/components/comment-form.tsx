// A comment, reply or edit form. Without JavaScript it posts and the server
// redirects back to the comment; with JavaScript it posts through a fetcher:
// the page stays, the comments reload in place, the form empties and the
// outcome is announced in a polite live region. The comments are paged by
// thread (`?comments=N`): when the comment is on another page than the one
// shown (a new thread posted from an older page), the form goes to its page.
import { useFetcher, useNavigate, useSearchParams } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { messageText } from "~/lib/i18n";
import { inlineSubmit } from "~/lib/inline-submit";
import { actionReply, type ActionReply } from "~/lib/refusal";

/** The comment action's answer: where the comment is, or a refusal in the one shape of every action. */
type CommentAnswer = { ok: true; intent: "create" | "edit"; commentId: number; page: number } | ActionReply;

export function CommentForm({ submissionId, className, children }: { submissionId: number; className?: string; children: ReactNode }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<CommentAnswer>();
  const action = `/submissions/${submissionId}/comments`;
  const form = useRef<HTMLFormElement>(null);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const shownPage = params.get("comments") ?? "1";
  const idle = fetcher.state === "idle" ? fetcher.data : undefined;
  const answer = idle && "ok" in idle && idle.ok ? idle : undefined;
  useEffect(() => {
    if (!answer) return;
    // A new comment empties the form; a saved edit shows the saved text (the reloaded default).
    form.current?.reset();
    if (String(answer.page) !== shownPage) {
      // Another page of comments holds it: go there, to the comment (the scroll restoration follows the anchor).
      const search = new URLSearchParams(params);
      if (answer.page > 1) search.set("comments", String(answer.page));
      else search.delete("comments");
      const query = search.toString();
      navigate({ search: query ? `?${query}` : "", hash: `#comment-${answer.commentId}` });
      return;
    }
    // The address points at the comment, as after the post without JavaScript (no navigation: the router is not told).
    window.history.replaceState(window.history.state, "", `#comment-${answer.commentId}`);
    document.getElementById(`comment-${answer.commentId}`)?.scrollIntoView({ block: "nearest" });
    // Only a new answer moves the page, not a change of page afterwards.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on purpose: a later change of page or query must not move the page again
  }, [answer]);
  const refusal = actionReply(idle)?.refusal;
  const refused = refusal ? messageText(t, refusal.message) : null;
  return (
    <fetcher.Form ref={form} method="post" action={action} onSubmit={inlineSubmit(fetcher, action)} className={className}>
      {children}
      <p role="status" aria-live="polite" className={refused ? "field-errors" : "visually-hidden"}>
        {refused ?? (answer ? t(answer.intent === "edit" ? "comment.saved" : "comment.posted") : "")}
      </p>
    </fetcher.Form>
  );
}
