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
//
// A route may also say `signedIn: true`: for signed-in readers of one role the
// page is the same but for what the root puts in the header and the hydration
// data (name, id, unread count, the unconfirmed-address notice). The server
// then keeps it as a template and fills in each reader's own values
// (server/page-template.ts, ADR 0036). Such a route's loader and components
// must not depend on who the reader is beyond their role and session: the
// template is rendered for a stand-in with the reader's role.
//
// One part of such a page may be the reader's own (ADR 0041): the cluster
// page's random order, seeded by their session. In a template's render
// (`context.templateRender`) its loader then writes READER_PART_PLACEHOLDER
// as that part's loader-data string and its component writes it as the
// part's markup; the server fills in the reader's own through the renderer
// app/entry.server.tsx lists for the route (`readerParts`).
import type { AppLoadContext, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import type { SessionUser } from "~/auth/session.server";

/** Internal response header from the render to the cache; never sent to the client. */
export const PAGE_CACHE_HEADER = "X-Mashwara-Page-Cache";

/** Internal response header of a template's render: the leaf route and its params, for its reader part (JSON, URI-encoded). */
export const READER_PART_HEADER = "X-Mashwara-Reader-Part";

/** A template's slot for the reader's own part: as the text of an element and as a whole loader-data string. */
export const READER_PART_PLACEHOLDER = "zqxPlaceholderReaderPartQxz";

/** A reader's own part of a template: its markup and the loader-data string it stands for. */
export interface ReaderPart {
  html: string;
  data: string;
}

/** Renders a route's reader part for a request, or null when this request's page has none (it is then rendered in full). */
export type ReaderPartRenderer = (args: {
  request: Request;
  params: LoaderFunctionArgs["params"];
  context: AppLoadContext;
  /** the database's version the template was kept at and is served at: what a renderer reads may be reused at it */
  version: string;
}) => Promise<ReaderPart | null>;

export type PageCacheMode = "shared" | "visitor";

export interface PageCacheHandle {
  pageCache?: (data: unknown) => PageCacheMode | null;
  /** the same page for every signed-in reader of one role but for the header (see above) */
  signedIn?: boolean;
}

/**
 * Whose pages may come from a signed-in template: active people, any role (the
 * role is part of the key: staff see organisations revealed and their own
 * navigation), but not staff held at the two-factor enrolment (every page
 * redirects them until they have enrolled).
 */
export function signedInTemplateUser(user: SessionUser | null): user is SessionUser {
  return user !== null && !user.enrolmentRequired && user.status === "active";
}

/** The page-cache mode of a rendered document, or null when it must not be kept. */
export function pageCacheMode(context: EntryContext, loadContext: AppLoadContext, status: number): PageCacheMode | null {
  if (status !== 200) return null;
  const handlerContext = context.staticHandlerContext;
  if (handlerContext.errors) return null;
  const leaf = handlerContext.matches.at(-1);
  if (!leaf) return null;
  const handle = context.routeModules[leaf.route.id]?.handle as PageCacheHandle | undefined;
  if (loadContext.user || loadContext.sessionToken) {
    if (!handle?.signedIn || !signedInTemplateUser(loadContext.user)) return null;
  }
  // A page only for signed-in readers (the dashboard) has no anonymous rule: one page for everyone of the role.
  const mode = handle?.pageCache ? handle.pageCache(handlerContext.loaderData[leaf.route.id]) : handle?.signedIn ? "shared" : null;
  return mode === "shared" || mode === "visitor" ? mode : null;
}
