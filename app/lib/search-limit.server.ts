// Searches cost the server far more than a page read (a common word matches
// tens of thousands of suggestions), so a reader's searches are counted: one
// per search the listing memo did not hold (a remembered search, or a page the
// page cache served, costs nothing and counts nothing), per account, or per
// address for a visitor. Past RULES.searches the search is refused with a 429
// (see docs/operations.md, "Rate limits").
import type { RequestContext } from "~/context";
import { hitRateLimit, RULES } from "./rate-limit.server";
import { securityEvent } from "./security.server";

/** A search refused by the rate limit; `retryAfter` in seconds. */
export class SearchLimited extends Error {
  constructor(readonly retryAfter: number) {
    super("too many searches");
  }
}

/** The `onSearchMiss` of a request: counts the search; throws SearchLimited past the limit. */
export function countSearch(
  context: Pick<RequestContext, "db" | "logger" | "clientIp" | "user" | "requestId" | "accountUserId">,
): () => Promise<void> {
  return async () => {
    // The reader's own account, also when the page is a signed-in template rendered for a stand-in (ADR 0036).
    const userId = context.accountUserId ?? context.user?.id;
    const key = userId !== undefined ? `user:${userId}` : `ip:${context.clientIp}`;
    const limit = await hitRateLimit(context.db, RULES.searches, key);
    if (!limit.limited) return;
    await securityEvent(context, "rate_limit", { rule: RULES.searches.name, userId });
    throw new SearchLimited(limit.retryAfter);
  };
}
