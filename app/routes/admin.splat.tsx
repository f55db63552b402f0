import { type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { notFound } from "~/lib/http.server";

// Unknown paths under /admin: the guard runs first (no probing of what exists), then 404.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  notFound();
}

export async function action(args: ActionFunctionArgs) {
  await requireRole(args, "admin");
  notFound();
}

export { RouteErrorBoundary as ErrorBoundary } from "~/components/error-page";

export default function AdminNotFound() {
  return null;
}
