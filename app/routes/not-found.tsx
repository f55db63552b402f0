import { notFound } from "~/lib/http.server";

// Any unknown path: 404, drawn by the error boundary (a post too: see app/components/error-page.tsx).
export function loader() {
  notFound();
}

export function action() {
  notFound();
}

export { RouteErrorBoundary as ErrorBoundary } from "~/components/error-page";

export default function NotFound() {
  return null;
}
