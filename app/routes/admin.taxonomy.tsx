import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { getFixedT } from "../lib/i18next.server";
import { listCategories, listClusters, listStages } from "../models/taxonomy.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const { db } = args.context;
  const [clusters, categories, stages] = await Promise.all([
    listClusters(db, { includeArchived: true }),
    listCategories(db, { includeArchived: true }),
    listStages(db),
  ]);
  const { t } = await getFixedT(args.request, args.context);
  return {
    title: `${t("admin.taxonomy.title")} · ${t("app.name")}`,
    groups: [
      { key: "clusters", rows: clusters.map((c) => ({ slug: c.slug, en: c.name_en, ur: c.name_ur, archived: c.archived === 1 })) },
      { key: "categories", rows: categories.map((c) => ({ slug: c.slug, en: c.name_en, ur: c.name_ur, archived: c.archived === 1 })) },
      { key: "stages", rows: stages.map((s) => ({ slug: s.slug, en: s.name_en, ur: s.name_ur, archived: false })) },
    ],
  };
}

export default function AdminTaxonomy() {
  const { groups } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("admin.taxonomy.title")}</h1>
      {groups.map((g) => (
        <div className="table-wrap" key={g.key}>
          <table>
            <caption>{t(`admin.taxonomy.${g.key}`)}</caption>
            <thead>
              <tr>
                <th scope="col">{t("admin.taxonomy.slug")}</th>
                <th scope="col">{t("admin.taxonomy.english")}</th>
                <th scope="col">{t("admin.taxonomy.urdu")}</th>
                <th scope="col">{t("admin.taxonomy.state")}</th>
              </tr>
            </thead>
            <tbody>
              {g.rows.map((r) => (
                <tr key={r.slug}>
                  <td dir="ltr">
                    <code>{r.slug}</code>
                  </td>
                  <td lang="en" dir="ltr">
                    {r.en}
                  </td>
                  <td lang="ur" dir="rtl">
                    {r.ur}
                  </td>
                  <td>{r.archived ? t("admin.taxonomy.archived") : t("admin.taxonomy.inUse")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}
