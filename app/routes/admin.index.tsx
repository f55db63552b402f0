import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { getFixedT } from "~/lib/i18next.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const { t } = await getFixedT(args.request, args.context);
  return { title: `${t("admin.title")} · ${t("app.name")}` };
}

export default function AdminIndex() {
  useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const sections = ["users", "consultation", "taxonomy", "glossary", "audit", "outbox"] as const;
  return (
    <>
      <h1>{t("admin.title")}</h1>
      <ul className="link-list">
        {sections.map((s) => (
          <li key={s}>
            <Link to={`/admin/${s}`}>{t(`admin.${s}.title`)}</Link>
            <p>{t(`admin.${s}.summary`)}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
