// Which rendered pages the server may keep and serve again to readers who are
// not signed in (server/page-cache.ts does the keeping). A route opts in with
//
//   export const handle = { pageCache: (data) => "shared" | "visitor" | null };
//
// "shared": the page is the same for every anonymous reader of the same
// address, language and digits. "visitor": it also depends on the reader's
// network address (the cluster page's random order is seeded by it).
// null: this answer must not be kept.
//
// Only the leaf route's handle counts; the root's data for an anonymous reader
// (language, digits, titles) is part of the key already.
import type { AppLoadContext, EntryContext } from "@remix-run/node";

/** Internal response header from the render to the cache; never sent to the client. */
export const PAGE_CACHE_HEADER = "X-Mashwara-Page-Cache";

export type PageCacheMode = "shared" | "visitor";

export interface PageCacheHandle {
  pageCache?: (data: unknown) => PageCacheMode | null;
}

/** The page-cache mode of a rendered document, or null when it must not be kept. */
export function pageCacheMode(context: EntryContext, loadContext: AppLoadContext, status: number): PageCacheMode | null {
  if (status !== 200 || loadContext.user || loadContext.sessionToken) return null;
  const handlerContext = context.staticHandlerContext;
  if (handlerContext.errors) return null;
  const leaf = handlerContext.matches.at(-1);
  if (!leaf) return null;
  const handle = context.routeModules[leaf.route.id]?.handle as PageCacheHandle | undefined;
  const mode = handle?.pageCache?.(handlerContext.loaderData[leaf.route.id]);
  return mode === "shared" || mode === "visitor" ? mode : null;
}
