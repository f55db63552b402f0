import { getFormProps, useForm } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser, safeRedirectPath } from "~/auth/guards.server";
import { AccountNav, BackToMe } from "~/components/account-nav";
import { DateText, NumberText } from "~/components/dates";
import { ErrorSummary, TextField } from "~/components/form";
import { TwoFactorSettingsSchema } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { giveBackRateLimits, RATE_LIMIT_REFUSALS, RULES, takeRateLimits } from "~/lib/rate-limit.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { securityEvent } from "~/lib/security.server";
import { qrSvg, totpUri } from "~/lib/totp.server";
import {
  confirmEnrolment,
  disableTwoFactor,
  getTwoFactorState,
  pendingSecret,
  regenerateRecoveryCodes,
  startEnrolment,
  TWO_FACTOR_REFUSALS,
  twoFactorRequired,
} from "~/models/two-factor.server";

export { retryAfterHeaders as headers } from "~/lib/headers";

// Two-factor sign-in for one's own account (ADR 0026). Not on: the secret of an
// enrolment (the same one across reloads until it is confirmed) as an
// `otpauth://` address and as a QR code, and a code from it turns it on; the
// ten recovery codes are shown once, in that answer, and never stored in the
// clear. On: new recovery codes (the old ones end), or off with a code, which
// staff may not do while STAFF_TWO_FACTOR=required.

/** The name authenticator apps show above the account. */
const ISSUER = "Mashwara";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const { db, config } = args.context;
  const state = await getTwoFactorState(db, user.id);
  if (!state) notFound();
  const { t } = await getFixedT(args.request, args.context);
  let enrolment: { uri: string; qr: string } | null = null;
  if (!state.enabled) {
    // A GET makes the secret only once: reloads (and a wrong code) show the same one until it is confirmed.
    let secret = await pendingSecret(db, user.id);
    if (!secret) {
      const started = await startEnrolment(db, { userId: user.id });
      if (!started.ok) notFound();
      secret = started.secret;
    }
    const uri = totpUri(ISSUER, user.email, secret);
    enrolment = { uri, qr: await qrSvg(uri) };
  }
  const to = new URL(args.request.url).searchParams.get("redirectTo");
  return {
    title: `${t("twoFactor.settings.title")} · ${t("app.name")}`,
    enabled: state.enabled,
    enabledAt: state.enabledAt,
    recoveryCodesLeft: state.recoveryCodesLeft,
    // A staff member who must enrol is seen as a stakeholder until then (restrictUntilEnrolled).
    required: user.enrolmentRequired === true || twoFactorRequired(user.role, config.STAFF_TWO_FACTOR),
    mustEnrol: user.enrolmentRequired === true,
    enrolment,
    redirectTo: to ? safeRedirectPath(to, config.ORIGIN, "/me") : null,
  };
}

/** A success that shows new recovery codes: this answer is the only place they are ever shown. */
interface CodesShown {
  recoveryCodes: string[];
  continueTo: string | null;
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { db, config, clientIp } = args.context;
  const submission = await parseForm(args.request, TwoFactorSettingsSchema);
  if (submission.status !== "success") return invalid(submission, { hideFields: ["code"] });
  const v = submission.value;

  if (v.intent === "enable") {
    const r = await confirmEnrolment(db, { userId: user.id, code: v.code, ip: clientIp });
    if (!r.ok) {
      if (r.reason === "notFound") notFound();
      return refuse(r.reason, TWO_FACTOR_REFUSALS, {
        submission,
        field: "code",
        message: `twoFactor.errors.${r.reason}`,
        hideFields: ["code"],
      });
    }
    const continueTo = v.redirectTo ? safeRedirectPath(v.redirectTo, config.ORIGIN, "/me") : null;
    return { recoveryCodes: r.recoveryCodes, continueTo } satisfies CodesShown;
  }

  if (v.intent === "recovery-codes") {
    const r = await regenerateRecoveryCodes(db, { userId: user.id, ip: clientIp });
    if (!r.ok) {
      if (r.reason === "notFound") notFound();
      return refuse(r.reason, TWO_FACTOR_REFUSALS, { submission, message: `twoFactor.errors.${r.reason}` });
    }
    return { recoveryCodes: r.recoveryCodes, continueTo: null } satisfies CodesShown;
  }

  // Off: a code, counted like the sign-in's (ADR 0019: the slot first, given back unless the code was wrong).
  const taken = await takeRateLimits(db, [{ rule: RULES.twoFactorAccount, key: String(user.id) }]);
  if (taken.limited) {
    await securityEvent(args.context, "rate_limit", { userId: user.id, path: "/me/two-factor", rule: taken.rule?.name });
    return refuse("rateLimited", RATE_LIMIT_REFUSALS, {
      submission,
      message: "errors.rateLimited",
      hideFields: ["code"],
      headers: { "Retry-After": String(taken.retryAfter) },
    });
  }
  const r = await disableTwoFactor(db, { userId: user.id, code: v.code, policy: config.STAFF_TWO_FACTOR, ip: clientIp });
  if (r.ok || (r.reason !== "wrongCode" && r.reason !== "codeUsed")) await giveBackRateLimits(db, taken.slots);
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    if (r.reason === "wrongCode" || r.reason === "codeUsed") {
      await securityEvent(args.context, "reauth.failure", { userId: user.id, path: "/me/two-factor" });
      return refuse(r.reason, TWO_FACTOR_REFUSALS, {
        submission,
        field: "code",
        message: `twoFactor.errors.${r.reason}`,
        hideFields: ["code"],
      });
    }
    return refuse(r.reason, TWO_FACTOR_REFUSALS, { submission, message: `twoFactor.errors.${r.reason}`, hideFields: ["code"] });
  }
  return redirect("/me/two-factor?disabled=1", 303);
}

export default function TwoFactorSettings() {
  const page = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const shown = answer && "recoveryCodes" in answer ? (answer as CodesShown) : null;
  const lastResult = actionReply(answer);
  return (
    <div className="narrow">
      <BackToMe />
      <h1>{t("twoFactor.settings.title")}</h1>
      {params.get("disabled") && !answer ? (
        <p className="notice" role="status">
          {t("twoFactor.settings.disabled")}
        </p>
      ) : null}
      {shown ? (
        <RecoveryCodes codes={shown.recoveryCodes} continueTo={shown.continueTo} />
      ) : page.mustEnrol ? (
        <p className="notice" role="status">
          {t("twoFactor.settings.mustEnrol")}
        </p>
      ) : null}
      <p>{t("twoFactor.settings.intro")}</p>
      {page.enabled ? (
        <Enabled page={page} lastResult={lastResult} />
      ) : page.enrolment ? (
        <Enrol enrolment={page.enrolment} redirectTo={page.redirectTo} lastResult={lastResult} />
      ) : null}
      <AccountNav current="twoFactor" />
    </div>
  );
}

function RecoveryCodes({ codes, continueTo }: { codes: string[]; continueTo: string | null }) {
  const { t } = useTranslation();
  return (
    <section className="panel notice" aria-labelledby="recovery-codes" role="status">
      <h2 id="recovery-codes">{t("twoFactor.codes.title")}</h2>
      <p>{t("twoFactor.codes.advice")}</p>
      <ol className="recovery-codes" dir="ltr">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p>{t("twoFactor.codes.once")}</p>
      {continueTo ? (
        <p>
          <Link to={continueTo}>{t("twoFactor.codes.continue")}</Link>
        </p>
      ) : null}
    </section>
  );
}

function Enrol({
  enrolment,
  redirectTo,
  lastResult,
}: {
  enrolment: { uri: string; qr: string };
  redirectTo: string | null;
  lastResult: ActionReply | undefined;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm({ id: "two-factor-enable", lastResult, shouldValidate: "onSubmit" });
  return (
    <section className="panel" aria-labelledby="two-factor-enrol">
      <h2 id="two-factor-enrol">{t("twoFactor.enrol.title")}</h2>
      <p>{t("twoFactor.enrol.scan")}</p>
      {/* The QR code is an SVG made on the server by `qrcode` from the address below: paths only, no script. */}
      <div className="qr-code" role="img" aria-label={t("twoFactor.enrol.qrLabel")} dangerouslySetInnerHTML={{ __html: enrolment.qr }} />
      <p>{t("twoFactor.enrol.type")}</p>
      <p className="otpauth-uri" dir="ltr">
        <code>{enrolment.uri}</code>
      </p>
      <Form method="post" {...getFormProps(form)} className="stack">
        <ErrorSummary formErrors={formErrorsOf(lastResult)} fields={[{ field: fields.code, label: t("twoFactor.enrol.code") }]} />
        <input type="hidden" name="intent" value="enable" />
        {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
        <TextField
          field={fields.code}
          label={t("twoFactor.enrol.code")}
          hint={t("twoFactor.enrol.codeHint")}
          autoComplete="one-time-code"
          inputMode="numeric"
          dir="ltr"
        />
        <button type="submit" className="button">
          {t("twoFactor.enrol.submit")}
        </button>
      </Form>
    </section>
  );
}

function Enabled({
  page,
  lastResult,
}: {
  page: { enabledAt: string | null; recoveryCodesLeft: number; required: boolean };
  lastResult: ActionReply | undefined;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm({ id: "two-factor-disable", lastResult, shouldValidate: "onSubmit" });
  return (
    <>
      <section className="panel" aria-labelledby="two-factor-status">
        <h2 id="two-factor-status">{t("twoFactor.status.title")}</h2>
        <dl className="details">
          <dt>{t("twoFactor.status.state")}</dt>
          <dd>{t("twoFactor.status.on")}</dd>
          {page.enabledAt ? (
            <>
              <dt>{t("twoFactor.status.since")}</dt>
              <dd>
                <DateText iso={page.enabledAt} withTime />
              </dd>
            </>
          ) : null}
          <dt>{t("twoFactor.status.codesLeft")}</dt>
          <dd>
            <NumberText value={page.recoveryCodesLeft} />
          </dd>
        </dl>
      </section>
      <section className="panel" aria-labelledby="two-factor-new-codes">
        <h2 id="two-factor-new-codes">{t("twoFactor.newCodes.title")}</h2>
        <p>{t("twoFactor.newCodes.intro")}</p>
        <Form method="post" className="stack" id="two-factor-recovery-codes">
          <input type="hidden" name="intent" value="recovery-codes" />
          <button type="submit" className="button button--secondary">
            {t("twoFactor.newCodes.submit")}
          </button>
        </Form>
      </section>
      <section className="panel" aria-labelledby="two-factor-off">
        <h2 id="two-factor-off">{t("twoFactor.disable.title")}</h2>
        {page.required ? <p>{t("twoFactor.disable.required")}</p> : <p>{t("twoFactor.disable.intro")}</p>}
        {/* Staff may not turn it off while it is required: no form (a post is refused with the same words). */}
        {page.required ? (
          formErrorsOf(lastResult).length ? (
            <ErrorSummary formErrors={formErrorsOf(lastResult)} fields={[]} />
          ) : null
        ) : (
          <Form method="post" {...getFormProps(form)} className="stack">
            <ErrorSummary formErrors={formErrorsOf(lastResult)} fields={[{ field: fields.code, label: t("twoFactor.disable.code") }]} />
            <input type="hidden" name="intent" value="disable" />
            <TextField
              field={fields.code}
              label={t("twoFactor.disable.code")}
              hint={t("twoFactor.signIn.codeHint")}
              autoComplete="one-time-code"
              dir="ltr"
            />
            <button type="submit" className="button button--secondary">
              {t("twoFactor.disable.submit")}
            </button>
          </Form>
        )}
      </section>
    </>
  );
}
