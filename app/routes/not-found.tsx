import { data } from "@remix-run/node";

// Any unknown path: the root error boundary renders the 404 page.
export function loader() {
  throw data({ error: "notFound" }, { status: 404 });
}

export function action() {
  throw data({ error: "notFound" }, { status: 404 });
}

export default function NotFound() {
  return null;
}
