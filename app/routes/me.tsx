import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "../auth/guards.server";
import { DateText } from "../components/dates";
import { getFixedT } from "../lib/i18next.server";
import { getProfile } from "../models/user.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const profile = await getProfile(args.context.db, user.id);
  if (!profile) throw data({ error: "notFound" }, { status: 404 });
  const { t, lng } = await getFixedT(args.request, args.context);
  return {
    title: `${t("me.title")} · ${t("app.name")}`,
    profile: {
      email: profile.email,
      displayName: profile.display_name,
      role: profile.role,
      since: profile.created_at,
      showOrganisation: profile.show_organisation === 1,
      organisation: profile.organisation_name
        ? {
            name: profile.organisation_name,
            type: profile.organisation_type,
            sizeBand: profile.size_band,
            city: profile.city,
            province: profile.province,
            registrationNumber: profile.registration_number,
            verified: profile.verified === 1,
            cluster: lng === "ur" ? profile.cluster_name_ur : profile.cluster_name_en,
          }
        : null,
    },
  };
}

export default function Me() {
  const { profile } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const org = profile.organisation;
  return (
    <>
      <h1>{t("me.title")}</h1>
      <section className="panel" aria-labelledby="me-account">
        <h2 id="me-account">{t("me.account")}</h2>
        <dl className="details">
          <dt>{t("me.displayName")}</dt>
          <dd>
            <bdi>{profile.displayName}</bdi>
          </dd>
          <dt>{t("me.email")}</dt>
          <dd dir="ltr">{profile.email}</dd>
          <dt>{t("me.role")}</dt>
          <dd>{t(`role.${profile.role}`)}</dd>
          <dt>{t("me.since")}</dt>
          <dd>
            <DateText iso={profile.since} />
          </dd>
        </dl>
      </section>
      {org ? (
        <section className="panel" aria-labelledby="me-organisation">
          <h2 id="me-organisation">{t("me.organisation")}</h2>
          <dl className="details">
            <dt>{t("register.organisationName")}</dt>
            <dd>
              <bdi>{org.name}</bdi>
            </dd>
            <dt>{t("register.organisationType")}</dt>
            <dd>{t(`organisationType.${org.type}`)}</dd>
            <dt>{t("register.sizeBand")}</dt>
            <dd>{t(`sizeBand.${org.sizeBand}`)}</dd>
            <dt>{t("register.cluster")}</dt>
            <dd>{org.cluster}</dd>
            <dt>{t("register.city")}</dt>
            <dd>
              <bdi>{org.city}</bdi>
            </dd>
            <dt>{t("register.province")}</dt>
            <dd>{t(`province.${org.province}`)}</dd>
            {org.registrationNumber ? (
              <>
                <dt>{t("register.registrationNumber")}</dt>
                <dd dir="ltr">{org.registrationNumber}</dd>
              </>
            ) : null}
            <dt>{t("me.verified")}</dt>
            <dd>{org.verified ? t("me.verifiedYes") : t("me.verifiedNo")}</dd>
            <dt>{t("me.privacy")}</dt>
            <dd>{profile.showOrganisation ? t("me.privacyShown") : t("me.privacyHidden")}</dd>
          </dl>
        </section>
      ) : null}
      <Form method="post" action="/logout">
        <button type="submit" className="button button--secondary">
          {t("nav.logout")}
        </button>
      </Form>
    </>
  );
}
