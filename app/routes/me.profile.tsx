import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLocation, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { AccountNav, BackToMe } from "~/components/account-nav";
import { CheckboxField, ErrorSummary, SelectField, TextField } from "~/components/form";
import { profileSchemaFor, type ProfileFormValues } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { DIGITS } from "~/lib/format";
import { digitsCookie, getFixedT, languageCookie } from "~/lib/i18next.server";
import { LANGUAGES, ORGANISATION_TYPES, PROVINCES, SIZE_BANDS } from "~/lib/reference";
import { RATE_LIMIT_REFUSALS } from "~/lib/rate-limit.server";
import { saveProfile } from "~/models/account-email.server";
import { ACCOUNT_REFUSALS, getAccountProfile } from "~/models/account.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

// Profile: the person's name, language and privacy choice, and their
// organisation's details, which every approved member may correct (logged; a
// verified organisation's name, type and province are locked: moderators
// correct them). See docs/decisions/0014-account-self-service.md.
// A new email address waits for its confirmation (requestEmailChange, ADR 0026):
// until the link sent to it is used, the old address stays, and is told.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const profile = await getAccountProfile(args.context.db, user.id);
  if (!profile) notFound();
  const { t } = await getFixedT(args.request, args.context);
  const org = profile.organisation;
  return {
    title: `${t("account.profile.title")} · ${t("app.name")}`,
    organisation: org ? { name: org.name, verified: org.verified, otherMembers: org.otherMembers } : null,
    email: { current: profile.email, confirmed: profile.emailConfirmed, pending: profile.pendingEmail },
    values: {
      email: profile.email,
      displayName: profile.displayName,
      locale: profile.locale,
      digits: profile.digits,
      showOrganisation: profile.showOrganisation ? "on" : "",
      ...(org
        ? {
            organisationName: org.name,
            organisationType: org.type,
            sizeBand: org.sizeBand,
            city: org.city,
            province: org.province,
          }
        : {}),
    } as Record<string, string>,
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { db } = args.context;
  const profile = await getAccountProfile(db, user.id);
  if (!profile) notFound();
  const submission = await parseForm(args.request, profileSchemaFor(profile.organisation));
  if (submission.status !== "success") return invalid(submission);
  const v: ProfileFormValues = submission.value;
  const result = await saveProfile(db, {
    userId: user.id,
    ip: args.context.clientIp,
    email: v.email,
    input: {
      displayName: v.displayName,
      // The privacy choice is about an organisation: without one, it stays as it was.
      showOrganisation: profile.organisation ? v.showOrganisation : profile.showOrganisation,
      locale: v.locale,
      digits: v.digits,
      organisation:
        v.sizeBand && v.city
          ? { name: v.organisationName, type: v.organisationType, sizeBand: v.sizeBand, city: v.city, province: v.province }
          : null,
    },
  });
  if (!result.ok) {
    switch (result.reason) {
      case "notFound":
        notFound();
      // falls through: notFound() throws
      case "invalid":
        return data(submission.reply({ fieldErrors: result.fieldErrors }), { status: ACCOUNT_REFUSALS.invalid });
      case "emailTaken":
        return invalid(submission, { fieldErrors: { email: ["errors.emailTaken"] } });
      case "rateLimited":
        return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
          submission,
          message: "errors.rateLimited",
          field: "email",
          headers: { "Retry-After": String(result.retryAfter) },
        });
    }
  }
  const query = new URLSearchParams({ saved: "1" });
  if (result.email !== "none") query.set("email", result.email);
  // The saved language (and digits) are also this browser's choice from now on.
  const headers = new Headers();
  headers.append("Set-Cookie", await languageCookie.serialize(v.locale, { secure: args.context.config.secureCookies }));
  if (v.digits) headers.append("Set-Cookie", await digitsCookie.serialize(v.digits, { secure: args.context.config.secureCookies }));
  return redirect(`/me/profile?${query}`, { status: 303, headers });
}

export default function Profile() {
  const { organisation, email, values } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  // A new form (and form state) after every navigation: with JavaScript, the
  // fields then show what was saved, not what the first page load had.
  const { key: locationKey } = useLocation();
  return (
    <div className="narrow">
      <BackToMe />
      <h1>{t("account.profile.title")}</h1>
      {params.get("saved") && !lastResult ? (
        <p className="notice" role="status">
          {t("account.profile.saved")}
          {params.get("email") === "requested" && email.pending ? (
            <> {t("account.profile.emailRequested", { email: email.pending })}</>
          ) : null}
          {params.get("email") === "cancelled" ? <> {t("account.profile.emailCancelled")}</> : null}
        </p>
      ) : null}
      <ProfileForm key={locationKey} organisation={organisation} email={email} values={values} lastResult={lastResult} />
      <AccountNav current="profile" />
    </div>
  );
}

function ProfileForm({
  organisation,
  email,
  values,
  lastResult,
}: {
  organisation: ReturnType<typeof useLoaderData<typeof loader>>["organisation"];
  email: ReturnType<typeof useLoaderData<typeof loader>>["email"];
  values: Record<string, string>;
  lastResult: ReturnType<typeof useActionData<typeof action>>;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm<Record<string, string>>({
    id: "profile",
    lastResult: lastResult && "initialValue" in lastResult ? lastResult : undefined,
    defaultValue: values,
    shouldValidate: "onSubmit",
  });
  const option = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}`) });
  const editable = organisation && !organisation.verified;
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <ErrorSummary
        fields={[
          { field: fields.displayName, label: t("account.profile.displayName") },
          { field: fields.email, label: t("account.profile.email") },
          { field: fields.locale, label: t("account.profile.language") },
          { field: fields.digits, label: t("account.profile.digits") },
          ...(organisation
            ? [
                { field: fields.organisationName, label: t("register.organisationName") },
                { field: fields.organisationType, label: t("register.organisationType") },
                { field: fields.sizeBand, label: t("register.sizeBand") },
                { field: fields.city, label: t("register.city") },
                { field: fields.province, label: t("register.province") },
              ]
            : []),
        ]}
      />
      <fieldset>
        <legend>{t("register.you")}</legend>
        <TextField
          field={fields.displayName}
          label={t("account.profile.displayName")}
          hint={t("account.profile.displayNameHint")}
          autoComplete="name"
        />
        <TextField
          field={fields.email}
          label={t("account.profile.email")}
          type="email"
          autoComplete="email"
          dir="ltr"
          hint={
            email.pending
              ? t("account.profile.emailPending", { pending: email.pending, current: email.current })
              : email.confirmed
                ? t("account.profile.emailHint")
                : t("account.profile.emailUnconfirmed")
          }
        />
        <SelectField
          field={fields.locale}
          label={t("account.profile.language")}
          placeholder={t("form.choose")}
          options={LANGUAGES.map(option("account.profile.languages"))}
        />
        <SelectField
          field={fields.digits}
          label={t("account.profile.digits")}
          placeholder={t("form.choose")}
          options={DIGITS.map(option("account.profile.digitsOptions"))}
        />
        {organisation ? (
          <CheckboxField field={fields.showOrganisation} label={t("register.showOrganisation")} hint={t("register.showOrganisationHint")} />
        ) : null}
      </fieldset>
      {organisation ? (
        <fieldset>
          <legend>{t("register.organisation")}</legend>
          <p className="field-hint">
            {organisation.otherMembers > 0
              ? t("account.profile.sharedWith", { count: organisation.otherMembers })
              : t("account.profile.onlyMember")}{" "}
            {t("account.profile.logged")}
          </p>
          {editable ? (
            <>
              <TextField field={fields.organisationName} label={t("register.organisationName")} autoComplete="organization" />
              <SelectField
                field={fields.organisationType}
                label={t("register.organisationType")}
                placeholder={t("form.choose")}
                options={ORGANISATION_TYPES.map(option("organisationType"))}
              />
            </>
          ) : (
            <div className="field">
              <p>
                <strong>{t("register.organisationName")}</strong>: <bdi>{organisation.name}</bdi>
              </p>
              <p>
                <strong>{t("register.organisationType")}</strong>: {t(`organisationType.${values.organisationType}`)}
              </p>
              <p>
                <strong>{t("register.province")}</strong>: {t(`province.${values.province}`)}
              </p>
              <p className="field-hint">{t("account.profile.nameLockedHint")}</p>
            </div>
          )}
          <SelectField
            field={fields.sizeBand}
            label={t("register.sizeBand")}
            placeholder={t("form.choose")}
            options={SIZE_BANDS.map(option("sizeBand"))}
          />
          <TextField field={fields.city} label={t("register.city")} autoComplete="address-level2" />
          {editable ? (
            <SelectField
              field={fields.province}
              label={t("register.province")}
              placeholder={t("form.choose")}
              options={PROVINCES.map(option("province"))}
            />
          ) : null}
        </fieldset>
      ) : null}
      <button type="submit" className="button">
        {t("account.profile.submit")}
      </button>
    </Form>
  );
}
