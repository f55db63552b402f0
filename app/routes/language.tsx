import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { safeRedirectPath } from "~/auth/guards.server";
import { parseForm } from "~/lib/form-action.server";
import { badRequest } from "~/lib/http.server";
import { digitsCookie, languageCookie } from "~/lib/i18next.server";
import { LanguageSchema } from "~/lib/schemas";
import { setUserDigits, setUserLocale } from "~/models/user.server";

// The language switch and, beside it on Urdu pages, the choice of digits:
// remembers the choice in a cookie (and the profile, when signed in) and goes
// back to the same page (path and query; only a path on this site).
export async function action({ request, context }: ActionFunctionArgs) {
  const submission = await parseForm(request, LanguageSchema);
  // The switch is a pair of buttons: a post that does not parse was not sent by them (no page here to show errors on).
  if (submission.status !== "success") badRequest();
  const { lng, digits, redirectTo } = submission.value;
  const secure = context.config.secureCookies;
  const headers = new Headers();
  if (lng) {
    if (context.user) await setUserLocale(context.db, context.user.id, lng);
    headers.append("Set-Cookie", await languageCookie.serialize(lng, { secure }));
  }
  if (digits) {
    if (context.user) await setUserDigits(context.db, context.user.id, digits);
    headers.append("Set-Cookie", await digitsCookie.serialize(digits, { secure }));
  }
  return redirect(safeRedirectPath(redirectTo, context.config.ORIGIN, "/"), { headers });
}

export function loader() {
  return redirect("/");
}
