import { getFormProps, useForm } from "@conform-to/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireRole } from "~/auth/guards.server";
import { JoinRequestsTable } from "~/components/join-requests";
import { DateText } from "~/components/dates";
import { ErrorSummary, FieldErrors, SelectField, TextField } from "~/components/form";
import { VerifiedBadge } from "~/components/verified-badge";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { idParam, notFound } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { getFixedT } from "~/lib/i18next.server";
import { OrganisationActionSchema } from "~/lib/moderation-schemas.server";
import { actionReply, formErrorsOf, type ActionReply } from "~/lib/refusal";
import { ORGANISATION_TYPES, PROVINCES } from "~/lib/reference";
import { decideJoinRequest, MEMBERSHIP_REFUSALS } from "~/models/membership.server";
import {
  getOrganisationForModerator,
  setOrganisationVerified,
  updateOrganisationByModerator,
  VERIFICATION_REFUSALS,
} from "~/models/organisation.server";

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

// One organisation for moderators: its details and registration number,
// its members (with emails), the pending requests to join it (approve or
// decline: moderators must where no active member can), its suggestions, the
// verify/unverify decision with its history from the audit log, and the
// correction of the name, type and province (which members cannot change
// once verified). Moderators only: never a public page.
export async function loader(args: LoaderFunctionArgs) {
  await requireRole(args, "moderator");
  const id = idParam(args.params.id);
  const o = await getOrganisationForModerator(args.context.db, id);
  if (!o) notFound();
  const { t, lng } = await getFixedT(args.request, args.context);
  return {
    title: `${o.name} · ${t("organisations.title")} · ${t("app.name")}`,
    organisation: {
      id: o.id,
      name: o.name,
      type: o.type,
      sizeBand: o.size_band,
      city: o.city,
      province: o.province,
      cluster: o.cluster_name_en && o.cluster_name_ur ? localName({ name_en: o.cluster_name_en, name_ur: o.cluster_name_ur }, lng) : null,
      registrationNumber: o.registration_number,
      createdAt: o.created_at,
      verified: o.verified,
      verifiedAt: o.verified_at,
      verifiedBy: o.verified_by_name,
    },
    members: o.members.map((m) => ({ id: m.id, name: m.display_name, email: m.email, role: m.role, joined: m.created_at })),
    activeMembers: o.activeMembers,
    requests: o.requests.map((r) => ({ id: r.userId, name: r.displayName, email: r.email, at: r.requestedAt })),
    submissions: o.submissions,
    submissionCount: o.submissionCount,
    history: o.history.map((h) => ({
      id: h.id,
      decision: h.action === "organisation.verify" ? ("verify" as const) : ("unverify" as const),
      by: h.actor_name ?? h.actor_role,
      reason: h.reason,
      at: h.created_at,
    })),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireRole(args, "moderator");
  const id = idParam(args.params.id);
  const { db } = args.context;
  const submission = await parseForm(args.request, OrganisationActionSchema);
  if (submission.status !== "success") return invalid(submission);
  const v = submission.value;
  if (v.intent === "join-approve" || v.intent === "join-decline") {
    // Moderators decide too, and must for an organisation with no active member (one made by workshop entry).
    const r = await decideJoinRequest(db, {
      actorId: user.id,
      requesterId: v.userId,
      decision: v.intent === "join-approve" ? "approve" : "decline",
      as: "moderator",
      organisationId: id,
      ip: args.context.clientIp,
    });
    if (!r.ok) return refuse(r.reason, MEMBERSHIP_REFUSALS, { submission, message: `membership.refused.${r.reason}` });
    return redirect(`/moderation/organisations/${id}`, 303);
  }
  if (v.intent === "edit") {
    const r = await updateOrganisationByModerator(db, {
      id,
      moderatorId: user.id,
      moderatorRole: user.role,
      name: v.organisationName,
      type: v.organisationType,
      province: v.province,
      ip: args.context.clientIp,
    });
    if (!r.ok) notFound();
    return redirect(`/moderation/organisations/${id}`, 303);
  }
  const r = await setOrganisationVerified(db, {
    id,
    verified: v.intent === "verify",
    moderatorId: user.id,
    moderatorRole: user.role,
    reason: v.reason,
  });
  if (!r.ok) {
    if (r.reason === "notFound") notFound();
    return data<ActionReply>(submission.reply({ fieldErrors: r.fieldErrors }), { status: VERIFICATION_REFUSALS.invalid });
  }
  return redirect(`/moderation/organisations/${id}`, 303);
}

export default function ModerationOrganisation() {
  const { organisation: o, members, activeMembers, requests, submissions, submissionCount, history } = useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const editing = lastResult?.initialValue?.intent === "edit";
  const [form, fields] = useForm<Record<string, string>>({
    id: "verification-form",
    lastResult: editing ? undefined : lastResult,
    shouldValidate: "onSubmit",
  });
  const [editForm, editFields] = useForm<Record<string, string>>({
    id: "organisation-edit",
    lastResult: editing ? lastResult : undefined,
    defaultValue: { intent: "edit", organisationName: o.name, organisationType: o.type, province: o.province },
    shouldValidate: "onSubmit",
  });
  const option = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}`) });
  return (
    <>
      <p>
        <Link to="/moderation/organisations">{t("organisations.back")}</Link>
      </p>
      <h1>
        <bdi>{o.name}</bdi> <VerifiedBadge verified={o.verified} />
      </h1>
      <ErrorSummary
        formErrors={formErrorsOf(lastResult)}
        fields={[
          { field: fields.intent },
          { field: fields.reason },
          { field: fields.userId },
          { field: editFields.organisationName, label: t("register.organisationName") },
          { field: editFields.organisationType, label: t("register.organisationType") },
          { field: editFields.province, label: t("register.province") },
        ]}
      />

      <section className="panel" aria-labelledby="org-details">
        <h2 id="org-details">{t("organisations.details")}</h2>
        <dl className="figures figures--inline">
          <div>
            <dt>{t("organisations.type")}</dt>
            <dd>{t(`organisationType.${o.type}`)}</dd>
          </div>
          <div>
            <dt>{t("organisations.sizeBand")}</dt>
            <dd>{t(`sizeBand.${o.sizeBand}`)}</dd>
          </div>
          <div>
            <dt>{t("organisations.city")}</dt>
            <dd>
              <bdi>{o.city}</bdi>
            </dd>
          </div>
          <div>
            <dt>{t("organisations.province")}</dt>
            <dd>{t(`province.${o.province}`, { defaultValue: o.province })}</dd>
          </div>
          <div>
            <dt>{t("organisations.cluster")}</dt>
            <dd>{o.cluster ?? "—"}</dd>
          </div>
          <div>
            <dt>{t("organisations.registrationNumber")}</dt>
            <dd dir="ltr">{o.registrationNumber ?? t("organisations.noNumber")}</dd>
          </div>
          <div>
            <dt>{t("organisations.registered")}</dt>
            <dd>
              <DateText iso={o.createdAt} />
            </dd>
          </div>
        </dl>
      </section>

      <section className="panel" aria-labelledby="org-verification">
        <h2 id="org-verification">{t("organisations.verification")}</h2>
        <p>
          {o.verified ? (
            <>
              <strong>{t("organisations.verified")}</strong>
              {o.verifiedBy ? (
                <>
                  {" "}
                  · <bdi>{o.verifiedBy}</bdi>
                </>
              ) : null}
              {o.verifiedAt ? (
                <>
                  {" "}
                  · <DateText iso={o.verifiedAt} withTime />
                </>
              ) : null}
            </>
          ) : (
            t("organisations.notVerified")
          )}
        </p>
        <Form method="post" {...getFormProps(form)} className="stack">
          <FieldErrors field={fields.intent} />
          <TextField field={fields.reason} label={t("organisations.note")} dir="auto" maxLength={2000} />
          {o.verified ? (
            <button type="submit" name="intent" value="unverify" className="button button--secondary">
              {t("organisations.unverify")}
            </button>
          ) : (
            <button type="submit" name="intent" value="verify" className="button">
              {t("organisations.verify")}
            </button>
          )}
        </Form>
      </section>

      <section className="panel" aria-labelledby="org-requests">
        <h2 id="org-requests">{t("membership.requests.title")}</h2>
        {requests.length && activeMembers === 0 ? <p className="notice">{t("organisations.requestsNoMember")}</p> : null}
        <JoinRequestsTable
          requests={requests.map((r) => ({ userId: r.id, name: r.name, email: r.email, at: r.at }))}
          intents={{ approve: "join-approve", decline: "join-decline" }}
        />
      </section>

      <section className="panel" aria-labelledby="org-edit">
        <h2 id="org-edit">{t("organisations.edit.title")}</h2>
        <p className="field-hint">{t("organisations.edit.hint")}</p>
        <Form method="post" {...getFormProps(editForm)} className="stack">
          <input type="hidden" name="intent" value="edit" />
          <TextField field={editFields.organisationName} label={t("register.organisationName")} dir="auto" />
          <SelectField
            field={editFields.organisationType}
            label={t("register.organisationType")}
            placeholder={t("form.choose")}
            options={ORGANISATION_TYPES.map(option("organisationType"))}
          />
          <SelectField
            field={editFields.province}
            label={t("register.province")}
            placeholder={t("form.choose")}
            options={PROVINCES.map(option("province"))}
          />
          <button type="submit" className="button button--secondary">
            {t("organisations.edit.submit")}
          </button>
        </Form>
      </section>

      <h2>{t("organisations.members")}</h2>
      {members.length ? (
        <div className="table-wrap">
          <table>
            <caption>{t("organisations.membersCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("organisations.name")}</th>
                <th scope="col">{t("organisations.email")}</th>
                <th scope="col">{t("organisations.role")}</th>
                <th scope="col">{t("organisations.joined")}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    <bdi>{m.name}</bdi>
                  </th>
                  <td dir="ltr">{m.email}</td>
                  <td>{t(`role.${m.role}`)}</td>
                  <td>
                    <DateText iso={m.joined} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="empty">{t("organisations.noMembers")}</p>
      )}

      <h2>{t("organisations.submissions")}</h2>
      {submissions.length ? (
        <>
          {submissionCount > submissions.length ? (
            <p className="muted">{t("organisations.submissionsShown", { shown: submissions.length, total: submissionCount })}</p>
          ) : null}
          <div className="table-wrap">
            <table>
              <caption>{t("organisations.submissionsCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("organisations.number")}</th>
                  <th scope="col">{t("organisations.titleColumn")}</th>
                  <th scope="col">{t("organisations.statusColumn")}</th>
                </tr>
              </thead>
              <tbody>
                {submissions.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">#{s.id}</th>
                    <td>
                      <Link to={`/submissions/${s.id}`}>
                        <bdi>{s.title}</bdi>
                      </Link>
                    </td>
                    <td>{t(`status.${s.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p className="empty">{t("organisations.noSubmissions")}</p>
      )}

      <h2>{t("organisations.history")}</h2>
      {history.length ? (
        <div className="table-wrap">
          <table>
            <caption>{t("organisations.historyCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("organisations.when")}</th>
                <th scope="col">{t("organisations.decision")}</th>
                <th scope="col">{t("organisations.by")}</th>
                <th scope="col">{t("organisations.historyReason")}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <th scope="row">
                    <DateText iso={h.at} withTime />
                  </th>
                  <td>{t(`organisations.historyAction.${h.decision}`)}</td>
                  <td>
                    <bdi>{h.by ?? "—"}</bdi>
                  </td>
                  <td>
                    {h.reason ? (
                      <span className="plain-text" dir="auto">
                        {h.reason}
                      </span>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="empty">{t("organisations.noHistory")}</p>
      )}
    </>
  );
}
