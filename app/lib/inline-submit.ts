// How a form that works without JavaScript (it posts, the action redirects
// back) asks for the in-place answer when JavaScript runs: its fetcher posts
// the form's fields plus `inline=1`, and the action answers with data instead
// of a redirect (app/routes/submission.support.tsx, submission.comments.tsx).
//
// The flag is added by the submit handler, not by a hidden field rendered once
// an effect has said "hydrated": between a form's first render and its effects
// (a page reached by a client-side navigation, on a busy phone) a submit would
// post without it, the fetcher would follow the redirect, and the page would
// say nothing of what happened (tests/e2e/in-place.test.ts, "the instant").
import type { FetcherWithComponents } from "@remix-run/react";
import type { FormEvent } from "react";

const INLINE_FIELD = "inline";

/** The `onSubmit` of a `fetcher.Form` that posts to `action` and wants the in-place answer. */
export function inlineSubmit(fetcher: Pick<FetcherWithComponents<unknown>, "submit">, action: string) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    data.set(INLINE_FIELD, "1");
    fetcher.submit(data, { method: "post", action });
  };
}
