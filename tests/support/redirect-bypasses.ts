// Known shapes of open-redirect payloads for a "go back to this page" field
// (`redirectTo` on /login and /language). A browser resolves a `Location` with
// the WHATWG URL parser: it drops tabs and newlines, treats "\" as "/" in http(s)
// URLs, removes "." and ".." segments (also "%2e"), and a path that ends up
// starting with "//" names another host. Each entry is something a naive
// "starts with one slash" check lets through or nearly does. Shared by the unit
// test of safeRedirectPath, the HTTP tests of /login and /language, and the
// fuzz suite over the route table: add a new shape here and all of them test it.
export const EVIL_HOST = "evil.example";

export const REDIRECT_BYPASSES: readonly string[] = [
  // another host by slashes and backslashes
  `//${EVIL_HOST}`,
  `///${EVIL_HOST}`,
  `////${EVIL_HOST}/path`,
  `/\\${EVIL_HOST}`,
  `\\\\${EVIL_HOST}`,
  `\\/${EVIL_HOST}`,
  `/\\/${EVIL_HOST}`,
  `//\\${EVIL_HOST}`,
  `//${EVIL_HOST}@localhost`,
  `//localhost@${EVIL_HOST}`,
  // dot segments that collapse into "//host"
  `/.//${EVIL_HOST}`,
  `/./\\${EVIL_HOST}`,
  `/..//${EVIL_HOST}`,
  `/../\\${EVIL_HOST}`,
  `/x/..//${EVIL_HOST}`,
  `/x/../\\${EVIL_HOST}`,
  `/%2e//${EVIL_HOST}`,
  `/%2e%2e//${EVIL_HOST}`,
  `/.%2E//${EVIL_HOST}`,
  `/%2E%2e/\\${EVIL_HOST}`,
  // tabs, newlines and other whitespace the parser drops or keeps
  `/\t/${EVIL_HOST}`,
  `/\n/${EVIL_HOST}`,
  `/\r\n/${EVIL_HOST}`,
  `/\\\t${EVIL_HOST}`,
  `\t//${EVIL_HOST}`,
  ` //${EVIL_HOST}`,
  `/ /${EVIL_HOST}`,
  `/\u0000/${EVIL_HOST}`,
  `/\u3000/${EVIL_HOST}`,
  `/\uFF0F${EVIL_HOST}`,
  // percent-encoded slashes and backslashes
  `/%2F/${EVIL_HOST}`,
  `/%2f%2f${EVIL_HOST}`,
  `/%5C${EVIL_HOST}`,
  `/%5C%5C${EVIL_HOST}`,
  `%2F%2F${EVIL_HOST}`,
  `%5C%5C${EVIL_HOST}`,
  `/%09/${EVIL_HOST}`,
  // absolute URLs and other schemes
  `https://${EVIL_HOST}`,
  `http://${EVIL_HOST}/`,
  `HTTPS://${EVIL_HOST}`,
  `https:${EVIL_HOST}`,
  `https:/${EVIL_HOST}`,
  `https:\\\\${EVIL_HOST}`,
  `http:/\\${EVIL_HOST}`,
  `javascript:alert(1)`,
  `JaVaScRiPt:alert(1)`,
  ` javascript:alert(1)`,
  `java\tscript:alert(1)`,
  `data:text/html,<script>alert(1)</script>`,
  `vbscript:msgbox(1)`,
  // not a path at all
  EVIL_HOST,
  `${EVIL_HOST}/path`,
  `@${EVIL_HOST}`,
  "",
  // long and odd
  `/${"a".repeat(1980)}//${EVIL_HOST}`,
  `/?//${EVIL_HOST}`,
  `/#//${EVIL_HOST}`,
];

/** Local targets that must keep working, with what the redirect says. */
export const REDIRECT_LOCAL: ReadonlyArray<readonly [string, string]> = [
  ["/clusters/leather?sort=top", "/clusters/leather?sort=top"],
  ["/me", "/me"],
  ["/submissions/12#support", "/submissions/12#support"],
  ["/search?q=%D8%B3%D8%A8", "/search?q=%D8%B3%D8%A8"],
  ["/a/./b/../c", "/a/c"],
];

/**
 * True when a browser that got `location` in answer to a request to `requestUrl`
 * would go to another origin (or to something that is not http(s) at all).
 */
export function leavesOrigin(location: string, requestUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(location, requestUrl);
  } catch {
    return false; // a browser cannot follow it anywhere
  }
  return url.origin !== new URL(requestUrl).origin;
}

/**
 * What is wrong with a `Location` sent in answer to `requestUrl`, or null. A
 * browser resolves it against the request's URL; a client-side router (or a
 * later reload) may then re-emit the normalised path, so that path must not name
 * another host either ("/.//evil" normalises to "//evil").
 */
export function redirectProblem(location: string | null, requestUrl: string): string | null {
  if (location === null) return null;
  if (leavesOrigin(location, requestUrl)) return `"${location}" leaves the origin`;
  let url: URL;
  try {
    url = new URL(location, requestUrl);
  } catch {
    return null;
  }
  const path = url.pathname + url.search + url.hash;
  if (leavesOrigin(path, requestUrl)) return `"${location}" normalises to "${path}", which names another host`;
  return null;
}
