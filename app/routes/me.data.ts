import { type LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { methodNotAllowed, notFound } from "~/lib/http.server";
import { securityEvent } from "~/lib/security.server";
import { exportAccountData } from "~/models/account.server";

// Download my data: one JSON document of everything held about the
// signed-in person, as an attachment that no cache keeps. No password hash,
// no session id or token is in it.
export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const now = new Date();
  const doc = await exportAccountData(args.context.db, user.id, now);
  if (!doc) notFound();
  // Logged like a sign-in: a stolen session emptying an account shows up here.
  await securityEvent(args.context, "data.export", { userId: user.id });
  const filename = `mashwara-my-data-${now.toISOString().slice(0, 10)}.json`;
  return new Response(`${JSON.stringify(doc, null, 2)}\n`, {
    status: 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      // Cache-Control: no-store comes from the server for every signed-in response (server/app.ts).
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export function action() {
  methodNotAllowed();
}
