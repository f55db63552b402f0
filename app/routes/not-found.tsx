import { notFound } from "~/lib/http.server";

// Any unknown path: the root error boundary renders the 404 page.
export function loader() {
  notFound();
}

export function action() {
  notFound();
}

export default function NotFound() {
  return null;
}
