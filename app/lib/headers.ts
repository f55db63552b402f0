import type { HeadersFunction } from "@remix-run/node";

/**
 * Remix keeps only Set-Cookie from an action's headers unless the route says
 * otherwise: routes that answer 429 export this as `headers` so Retry-After
 * reaches the client.
 */
export const retryAfterHeaders: HeadersFunction = ({ actionHeaders, errorHeaders }) => {
  const headers = new Headers();
  const retryAfter = actionHeaders.get("Retry-After") ?? errorHeaders?.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};
