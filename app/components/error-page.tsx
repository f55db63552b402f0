// The error page's content, and the route exports that keep the header right
// when an action throws (a 404 for a suggestion gone since the page was
// loaded, a 403 from a guard).
//
// When an action throws, Remix runs only the loaders of the routes above the
// error boundary that catches it. With the root's boundary the only one, that
// was no loader at all: the page said the error under a signed-out header, as
// if the post had signed the person out. Every route module with an action
// therefore has its own boundary (`RouteErrorBoundary`, the same content as the
// root's); the root's loader then runs, and the header shows the person. The
// route's own loader does not run, so its page title comes from the root's
// meta, which names the error (`titleMeta`). tests/routes/error-pages.test.ts
// holds every such module to it.
import { isRouteErrorResponse, useRouteError, type MetaFunction } from "@remix-run/react";
import { useTranslation } from "react-i18next";

export const ERROR_KINDS = ["notFound", "forbidden", "methodNotAllowed", "rateLimited", "badRequest", "server"] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Which error page a status gets (titles and texts under errorPage.<kind>). */
export function errorKind(status: number): ErrorKind {
  if (status === 404) return "notFound";
  if (status === 403) return "forbidden";
  if (status === 405) return "methodNotAllowed";
  if (status === 429) return "rateLimited";
  return status >= 500 ? "server" : "badRequest";
}

/** The status of what a boundary caught: a thrown response's, else 500. */
export function errorStatus(error: unknown): number {
  return isRouteErrorResponse(error) ? error.status : 500;
}

/** What the error page says. Never a stack trace: the details are in the server log, under the request id. */
export function ErrorPanel({ status }: { status: number }) {
  const { t } = useTranslation();
  const kind = errorKind(status);
  return (
    <div className="panel error-page">
      <h1>{t(`errorPage.${kind}.title`)}</h1>
      <p>{t(`errorPage.${kind}.body`)}</p>
      <p>
        <a href="/">{t("errorPage.home")}</a>
      </p>
    </div>
  );
}

/** The `ErrorBoundary` of a route module with an action: the error page inside the root's header and footer. */
export function RouteErrorBoundary() {
  return <ErrorPanel status={errorStatus(useRouteError())} />;
}

/**
 * The `meta` of a page titled by its loader's `title`; on an error (the loader
 * did not run) the root's title, which names the error.
 */
export const titleMeta: MetaFunction = ({ data, error, matches }) => {
  const title = (data as { title?: unknown } | undefined)?.title;
  if (typeof title === "string" && !error) return [{ title }];
  return matches[0]?.meta ?? [];
};
