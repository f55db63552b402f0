import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "../auth/guards.server";
import { DateText } from "../components/dates";
import { getFixedT } from "../lib/i18next.server";
import { getActiveConsultation, windowPhase } from "../models/consultation.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title }];

export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "admin");
  const c = await getActiveConsultation(args.context.db);
  if (!c) throw data({ error: "notFound" }, { status: 404 });
  const { t } = await getFixedT(args.request, args.context);
  return {
    title: `${t("admin.consultation.title")} · ${t("app.name")}`,
    consultation: {
      ...c,
      submissionPhase: windowPhase(c.submission_opens_at, c.submission_closes_at),
      supportPhase: windowPhase(c.support_opens_at, c.support_closes_at),
    },
  };
}

export default function AdminConsultation() {
  const { consultation: c } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("admin.consultation.title")}</h1>
      <section className="panel">
        <h2 lang="en" dir="ltr">{c.title_en}</h2>
        <p lang="en" dir="ltr">{c.description_en}</p>
        <h2 lang="ur" dir="rtl">{c.title_ur}</h2>
        <p lang="ur" dir="rtl">{c.description_ur}</p>
      </section>
      <dl className="details panel">
        <dt>{t("home.submissionWindow")}</dt>
        <dd>
          <DateText iso={c.submission_opens_at} withTime /> – <DateText iso={c.submission_closes_at} withTime /> (
          {t(`phase.${c.submissionPhase}`)})
        </dd>
        <dt>{t("home.supportWindow")}</dt>
        <dd>
          <DateText iso={c.support_opens_at} withTime /> – <DateText iso={c.support_closes_at} withTime /> (
          {t(`phase.${c.supportPhase}`)})
        </dd>
        <dt>{t("admin.consultation.supportBudget")}</dt>
        <dd>{c.support_budget === 0 ? t("admin.consultation.unlimited") : c.support_budget}</dd>
        <dt>{t("admin.consultation.allowSelfSupport")}</dt>
        <dd>{c.allow_self_support ? t("form.yes") : t("form.no")}</dd>
        <dt>{t("admin.consultation.reportsToHide")}</dt>
        <dd>{c.reports_to_hide}</dd>
      </dl>
    </>
  );
}
