import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { DateText, NumberText } from "~/components/dates";
import { methodNotAllowed, pageParam } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { OrganisationQuerySchema } from "~/lib/moderation-schemas.server";
import { listOrganisations } from "~/models/organisation.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

const PAGE_SIZE = 50;

// Organisation verification: find an organisation by name or
// registration number, see who belongs to it and whether it is verified.
// Registration numbers appear here because only moderators reach this page.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  const url = new URL(args.request.url);
  const { q, verified } = OrganisationQuerySchema.parse(Object.fromEntries(url.searchParams));
  const page = pageParam(url.searchParams.get("page"));
  const rows = await listOrganisations(args.context.db, { q: q || undefined, verified, page, pageSize: PAGE_SIZE });
  const { t, lng } = await getFixedT(args.request, args.context);
  return {
    title: `${t("organisations.title")} · ${t("app.name")}`,
    q: q ?? "",
    verified: verified ?? "",
    page,
    hasMore: rows.length > PAGE_SIZE,
    organisations: rows.slice(0, PAGE_SIZE).map((o) => ({
      id: o.id,
      name: o.name,
      type: o.type,
      sizeBand: o.size_band,
      city: o.city,
      province: o.province,
      cluster: o.cluster_name_en && o.cluster_name_ur ? localName({ name_en: o.cluster_name_en, name_ur: o.cluster_name_ur }, lng) : null,
      registrationNumber: o.registration_number,
      members: o.members,
      requests: o.requests,
      verified: o.verified,
      verifiedAt: o.verified_at,
      verifiedBy: o.verified_by_name,
    })),
  };
}

// Nothing is posted here (decisions go to /moderation/organisations/:id), but
// a post is answered like every moderation page: the guard first, so a
// stakeholder gets 403 and a signed-out visitor /login, then 405.
export async function action(args: ActionFunctionArgs) {
  await requireRole(args, "moderator");
  methodNotAllowed();
}

export default function ModerationOrganisations() {
  const { q, verified, page, hasMore, organisations } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const pageLink = (p: number) => `?${new URLSearchParams({ ...(q ? { q } : {}), ...(verified ? { verified } : {}), page: String(p) })}`;
  return (
    <>
      <p>
        <Link to="/moderation">{t("moderation.title")}</Link>
      </p>
      <h1>{t("organisations.title")}</h1>
      <p>{t("organisations.intro")}</p>
      <Form method="get" className="search-form" role="search">
        <label htmlFor="org-q">{t("organisations.search")}</label>
        <input id="org-q" type="search" name="q" defaultValue={q} dir="auto" />
        <label htmlFor="org-verified">{t("organisations.verifiedFilter")}</label>
        <select id="org-verified" name="verified" defaultValue={verified}>
          <option value="">{t("organisations.all")}</option>
          <option value="yes">{t("organisations.onlyVerified")}</option>
          <option value="no">{t("organisations.onlyUnverified")}</option>
        </select>
        <button type="submit" className="button">
          {t("form.search")}
        </button>
      </Form>
      <div className="table-wrap">
        <table>
          <caption>{t("organisations.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("organisations.name")}</th>
              <th scope="col">{t("organisations.type")}</th>
              <th scope="col">{t("organisations.sizeBand")}</th>
              <th scope="col">{t("organisations.city")}</th>
              <th scope="col">{t("organisations.province")}</th>
              <th scope="col">{t("organisations.cluster")}</th>
              <th scope="col">{t("organisations.registrationNumber")}</th>
              <th scope="col">{t("organisations.members")}</th>
              <th scope="col">{t("organisations.verification")}</th>
            </tr>
          </thead>
          <tbody>
            {organisations.map((o) => (
              <tr key={o.id}>
                <th scope="row">
                  <Link to={`/moderation/organisations/${o.id}`}>
                    <bdi>{o.name}</bdi>
                  </Link>
                </th>
                <td>{t(`organisationType.${o.type}`)}</td>
                <td>{t(`sizeBand.${o.sizeBand}`)}</td>
                <td>
                  <bdi>{o.city}</bdi>
                </td>
                <td>{t(`province.${o.province}`, { defaultValue: o.province })}</td>
                <td>{o.cluster ?? "—"}</td>
                <td dir="ltr">{o.registrationNumber ?? <span className="muted">{t("organisations.noNumber")}</span>}</td>
                <td>
                  <NumberText value={o.members} />
                  {o.requests > 0 ? (
                    <>
                      <br />
                      <span className="badge">{t("organisations.pendingRequests", { count: o.requests })}</span>
                    </>
                  ) : null}
                </td>
                <td>
                  {o.verified ? (
                    <>
                      <strong>{t("organisations.verified")}</strong>
                      <br />
                      <span className="muted">
                        {o.verifiedBy ? (
                          <>
                            <bdi>{o.verifiedBy}</bdi> ·{" "}
                          </>
                        ) : null}
                        {o.verifiedAt ? <DateText iso={o.verifiedAt} /> : null}
                      </span>
                    </>
                  ) : (
                    t("organisations.notVerified")
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {organisations.length === 0 ? <p className="empty">{t("organisations.none")}</p> : null}
      <nav className="pager" aria-label={t("pager.label")}>
        {page > 1 ? <Link to={pageLink(page - 1)}>{t("pager.previous")}</Link> : null}
        {hasMore ? <Link to={pageLink(page + 1)}>{t("pager.next")}</Link> : null}
      </nav>
    </>
  );
}
