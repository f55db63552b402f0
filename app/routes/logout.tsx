import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getFixedT } from "~/lib/i18next.server";
import { securityEvent } from "~/lib/security.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// GET never signs anyone out (no GET changes state): it shows a confirmation.
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!context.user) throw redirect("/");
  const { t } = await getFixedT(request, context);
  return { title: `${t("logout.title")} · ${t("app.name")}` };
}

export async function action({ context }: ActionFunctionArgs) {
  const userId = context.user?.id;
  const cookie = await context.auth.signOut(context.sessionToken);
  if (userId) await securityEvent(context, "logout", { userId });
  return redirect("/", { headers: { "Set-Cookie": cookie } });
}

export default function Logout() {
  useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="narrow">
      <h1>{t("logout.title")}</h1>
      <Form method="post">
        <button type="submit" className="button">
          {t("nav.logout")}
        </button>
      </Form>
    </div>
  );
}
