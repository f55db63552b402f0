import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireAnonymous } from "~/auth/guards.server";
import { CheckboxField, ErrorSummary, Honeypot, SelectField, TextField } from "~/components/form";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, RULES, takeRateLimits } from "~/lib/rate-limit.server";
import { ORGANISATION_TYPES, PROVINCES, SIZE_BANDS } from "~/lib/reference";
import { HONEYPOT_FIELD, HONEYPOT_REFUSALS, RegisterSchema } from "~/lib/schemas";
import { securityEvent } from "~/lib/security.server";
import { sendEmailConfirmation } from "~/models/account-email.server";
import { listClusters } from "~/models/taxonomy.server";
import { createUser } from "~/models/user.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireAnonymous({ context });
  const { t, lng } = await getFixedT(request, context);
  const clusters = await listClusters(context.db);
  return {
    title: `${t("register.title")} · ${t("app.name")}`,
    clusters: clusters.map((c) => ({ value: c.slug, label: localName(c, lng) })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireAnonymous({ context });
  const submission = await parseForm(request, RegisterSchema);
  if (submission.payload[HONEYPOT_FIELD]) {
    await securityEvent(context, "honeypot", { path: "/register" });
    // Nothing typed is given back to a bot.
    return refuse("honeypot", HONEYPOT_REFUSALS, { message: "errors.honeypot" });
  }
  if (submission.status !== "success") return invalid(submission, { hideFields: ["password"] });

  const rule = RULES.registerIp(context.config.REGISTRATIONS_PER_IP);
  // The slot is taken before the account is made, atomically, so a burst gets no
  // more than the limit (ADR 0019); given back when the attempt does not count.
  const limit = await takeRateLimits(context.db, [{ rule, key: context.clientIp }]);
  if (limit.limited) {
    await securityEvent(context, "rate_limit", { path: "/register", rule: rule.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      hideFields: ["password"],
      headers: { "Retry-After": String(limit.retryAfter) },
    });
  }

  const input = submission.value;
  const { lng } = await getFixedT(request, context);
  const result = await createUser(context.db, {
    email: input.email,
    password: input.password,
    displayName: input.displayName,
    locale: lng,
    showOrganisation: input.showOrganisation,
    organisation: {
      name: input.organisationName,
      type: input.organisationType,
      sizeBand: input.sizeBand,
      city: input.city,
      province: input.province,
      clusterSlug: input.cluster,
      registrationNumber: input.registrationNumber,
    },
  });
  if (!result.ok) {
    // A taken email counts against the limit too: it is what an address harvester probes.
    if (!result.fieldErrors.email) await giveBackRateLimits(context.db, limit.slots);
    return data(submission.reply({ fieldErrors: result.fieldErrors, hideFields: ["password"] }), { status: 400 });
  }
  await securityEvent(context, "register", { userId: result.userId });
  // Signed in unconfirmed: the link that confirms the address goes out now (held and logged without SMTP_URL).
  await sendEmailConfirmation(context.db, { userId: result.userId });
  const cookie = await context.auth.signIn(result.userId, {
    userAgent: request.headers.get("User-Agent"),
    ip: context.clientIp,
  });
  return redirect("/me", { headers: { "Set-Cookie": cookie } });
}

export default function Register() {
  const { clusters } = useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [form, fields] = useForm({
    id: "register",
    // A refused honeypot gives nothing typed back (no initialValue): only its message.
    lastResult: lastResult?.initialValue ? lastResult : undefined,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RegisterSchema }),
  });
  const formErrors = [...(form.errors ?? []), ...formErrorsOf(lastResult)];
  const option = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}`) });

  return (
    <div className="narrow">
      <h1>{t("register.title")}</h1>
      <p>{t("register.intro")}</p>
      <Form method="post" {...getFormProps(form)} className="stack">
        <ErrorSummary
          formErrors={[...new Set(formErrors)]}
          fields={[
            // in the order of the form below, so the summary reads like the form
            { field: fields.displayName, label: t("register.displayName") },
            { field: fields.email, label: t("register.email") },
            { field: fields.password, label: t("register.password") },
            { field: fields.organisationName, label: t("register.organisationName") },
            { field: fields.organisationType, label: t("register.organisationType") },
            { field: fields.sizeBand, label: t("register.sizeBand") },
            { field: fields.cluster, label: t("register.cluster") },
            { field: fields.city, label: t("register.city") },
            { field: fields.province, label: t("register.province") },
            { field: fields.registrationNumber, label: t("register.registrationNumber") },
          ]}
        />
        <Honeypot />
        <fieldset>
          <legend>{t("register.you")}</legend>
          <TextField field={fields.displayName} label={t("register.displayName")} autoComplete="name" />
          <TextField field={fields.email} label={t("register.email")} type="email" autoComplete="email" dir="ltr" />
          <TextField
            field={fields.password}
            label={t("register.password")}
            hint={t("register.passwordHint")}
            type="password"
            autoComplete="new-password"
            dir="ltr"
          />
        </fieldset>
        <fieldset>
          <legend>{t("register.organisation")}</legend>
          <TextField field={fields.organisationName} label={t("register.organisationName")} autoComplete="organization" />
          <SelectField
            field={fields.organisationType}
            label={t("register.organisationType")}
            placeholder={t("form.choose")}
            options={ORGANISATION_TYPES.map(option("organisationType"))}
          />
          <SelectField
            field={fields.sizeBand}
            label={t("register.sizeBand")}
            placeholder={t("form.choose")}
            options={SIZE_BANDS.map(option("sizeBand"))}
          />
          <SelectField field={fields.cluster} label={t("register.cluster")} placeholder={t("form.choose")} options={clusters} />
          <TextField field={fields.city} label={t("register.city")} autoComplete="address-level2" />
          <SelectField
            field={fields.province}
            label={t("register.province")}
            placeholder={t("form.choose")}
            options={PROVINCES.map(option("province"))}
          />
          <TextField
            field={fields.registrationNumber}
            label={t("register.registrationNumber")}
            hint={t("register.registrationNumberHint")}
            dir="ltr"
          />
          <CheckboxField field={fields.showOrganisation} label={t("register.showOrganisation")} hint={t("register.showOrganisationHint")} />
        </fieldset>
        <button type="submit" className="button">
          {t("register.submit")}
        </button>
      </Form>
      <p>
        {t("register.haveAccount")} <Link to="/login">{t("nav.login")}</Link>
      </p>
    </div>
  );
}
