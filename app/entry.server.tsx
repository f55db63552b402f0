import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { NonceProvider } from "./components/nonce";
import { appendAtEnd, pageStringsScript, recordingI18n, renderTranslator } from "./lib/i18n-page.server";
import { i18nFor, resolveFormat } from "./lib/i18next.server";
import { clusterReaderList } from "./lib/cluster-list.server";
import { PAGE_CACHE_HEADER, pageCacheMode, READER_PART_HEADER, type ReaderPartRenderer } from "./lib/page-cache";

const ABORT_DELAY = 5_000;
export const streamTimeout = ABORT_DELAY;

/**
 * The renderers of a signed-in template's reader part, by route (app/lib/page-cache.ts,
 * ADR 0041): the server fills each reader's own part of such a template with them.
 */
export const readerParts: Record<string, ReaderPartRenderer> = {
  "routes/cluster": clusterReaderList,
};

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const { lng, digits } = await resolveFormat(request, loadContext);
  // The keys this render looks up travel with the page (app/lib/i18n-page.server.ts).
  const { i18n, used } = recordingI18n(i18nFor(lng, digits), renderTranslator(lng, digits));
  const nonce = loadContext.cspNonce ?? "";
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <I18nextProvider i18n={i18n}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </I18nextProvider>
      </NonceProvider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          // The page's language and digits come from these request headers (the
          // lng and digits cookies, Accept-Language): a shared cache must key on them.
          responseHeaders.append("Vary", "Accept-Language, Cookie");
          // A page carries a per-request CSP nonce and depends on the language: no shared cache may keep it.
          // (A signed-in person's pages already say no-store: server/app.ts.)
          if (!responseHeaders.has("Cache-Control") && !loadContext.user) responseHeaders.set("Cache-Control", "private, no-cache");
          // Whether the server may keep this page for other anonymous readers (server/page-cache.ts).
          const cacheMode = pageCacheMode(remixContext, loadContext, responseStatusCode);
          if (cacheMode) responseHeaders.set(PAGE_CACHE_HEADER, cacheMode);
          // A template's render names its leaf route, whose renderer fills in a reader part it may hold.
          const leaf = remixContext.staticHandlerContext.matches.at(-1);
          if (cacheMode && loadContext.templateRender && leaf)
            responseHeaders.set(READER_PART_HEADER, encodeURIComponent(JSON.stringify({ route: leaf.route.id, params: leaf.params })));
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          const withStrings = appendAtEnd(() => pageStringsScript(lng, used, nonce));
          withStrings.pipe(body);
          pipe(withStrings);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors while streaming after the shell are logged once here; the
          // user sees the error boundary, never a stack trace.
          if (shellRendered) loadContext.logger?.error({ err: error }, "render error");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY + 1000);
  });
}

export function handleError(error: unknown, { request, context }: { request: Request; context: AppLoadContext }) {
  // Aborted requests (the client went away) are not errors of ours, and
  // deliberate 4xx answers (thrown data/Responses) are not errors at all.
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  const init = error as { init?: { status?: number } | null; type?: string } | null;
  if (init?.type === "DataWithResponseInit" && (init.init?.status ?? 500) < 500) return;
  if (error instanceof Response && error.status < 500) return;
  context?.logger?.error({ err: error, path: new URL(request.url).pathname }, "unhandled error");
}
