import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { safeRedirectPath } from "../auth/guards.server";
import { readForm } from "../lib/http.server";
import { languageCookie } from "../lib/i18next.server";
import { LanguageSchema } from "../lib/schemas";
import { setUserLocale } from "../models/user.server";

// The language switch: remembers the choice in a cookie and goes back to the page.
export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = LanguageSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) throw data({ error: "badRequest" }, { status: 400 });
  const { lng, redirectTo } = parsed.data;
  if (context.user) {
    await setUserLocale(context.db, context.user.id, lng);
  }
  return redirect(safeRedirectPath(redirectTo, "/"), {
    headers: { "Set-Cookie": await languageCookie.serialize(lng, { secure: context.config.secureCookies }) },
  });
}

export function loader() {
  return redirect("/");
}
