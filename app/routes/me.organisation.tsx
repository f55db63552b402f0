import { useForm } from "@conform-to/react";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/auth/guards.server";
import { AccountNav, BackToMe } from "~/components/account-nav";
import { JoinRequestsTable } from "~/components/join-requests";
import { DateText } from "~/components/dates";
import { ErrorSummary } from "~/components/form";
import { MembershipActionSchema } from "~/lib/account-schemas.server";
import { invalid, parseForm, refuse } from "~/lib/form-action.server";
import { notFound } from "~/lib/http.server";
import { getFixedT } from "~/lib/i18next.server";
import { actionReply, formErrorsOf } from "~/lib/refusal";
import { decideJoinRequest, getMembership, MEMBERSHIP_REFUSALS, withdrawJoinRequest } from "~/models/membership.server";

// The person's organisation (issue 15, item 4; docs/contract.md): a member sees
// it and the people who asked to join, with approve/decline (`intent`,
// `userId`); a person whose request is pending sees that and may withdraw it;
// anyone else sees that they belong to none. Who may decide is the model's
// rule (joinDecisionRefusal): only active members of that very organisation.

export { RouteErrorBoundary as ErrorBoundary, titleMeta as meta } from "~/components/error-page";

const DONE = ["approved", "declined", "withdrawn"] as const;

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const membership = await getMembership(args.context.db, user.id);
  if (!membership) notFound();
  const { t } = await getFixedT(args.request, args.context);
  return { title: `${t("membership.title")} · ${t("app.name")}`, membership };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { db } = args.context;
  const submission = await parseForm(args.request, MembershipActionSchema);
  if (submission.status !== "success") return invalid(submission);
  const v = submission.value;
  const r =
    v.intent === "withdraw"
      ? await withdrawJoinRequest(db, { userId: user.id, ip: args.context.clientIp })
      : await decideJoinRequest(db, {
          actorId: user.id,
          requesterId: v.userId,
          decision: v.intent,
          as: "member",
          ip: args.context.clientIp,
        });
  if (!r.ok)
    return refuse(r.reason, MEMBERSHIP_REFUSALS, { submission, message: `membership.refused.${r.reason}`, back: "/me/organisation" });
  const done = v.intent === "approve" ? "approved" : v.intent === "decline" ? "declined" : "withdrawn";
  return redirect(`/me/organisation?done=${done}`, 303);
}

export default function MyOrganisation() {
  const { membership } = useLoaderData<typeof loader>();
  const lastResult = actionReply(useActionData<typeof action>());
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const done = DONE.find((d) => d === params.get("done"));
  // The forms below are plain (one per request); conform reads the answer for the error summary.
  const [, fields] = useForm<Record<string, string>>({ id: "membership", lastResult, shouldValidate: "onSubmit" });
  return (
    <div className="narrow">
      <BackToMe />
      <h1>{t("membership.title")}</h1>
      <ErrorSummary formErrors={formErrorsOf(lastResult)} fields={[{ field: fields.intent }, { field: fields.userId }]} />
      {done && !lastResult ? (
        <p className="notice" role="status">
          {t(`membership.done.${done}`)}
        </p>
      ) : null}
      {membership.status === "member" ? (
        <Member membership={membership} />
      ) : membership.status === "requested" ? (
        <section className="panel" aria-labelledby="membership-pending">
          <h2 id="membership-pending">{t("membership.pending.title")}</h2>
          <p>
            {membership.registrationNumber ? (
              <>
                {t("membership.pending.text")} <bdi dir="ltr">{membership.registrationNumber}</bdi>
              </>
            ) : (
              t("membership.pending.textNoNumber")
            )}{" "}
            (<DateText iso={membership.requestedAt} withTime />)
          </p>
          <p>{t("membership.pending.meanwhile")}</p>
          <Form method="post">
            <button type="submit" name="intent" value="withdraw" className="button button--secondary">
              {t("membership.pending.withdraw")}
            </button>
          </Form>
        </section>
      ) : (
        <p className="empty">{t("membership.none")}</p>
      )}
      <AccountNav current="organisation" />
    </div>
  );
}

function Member({
  membership,
}: {
  membership: Extract<ReturnType<typeof useLoaderData<typeof loader>>["membership"], { status: "member" }>;
}) {
  const { t } = useTranslation();
  const org = membership.organisation;
  return (
    <>
      <section className="panel" aria-labelledby="membership-organisation">
        <h2 id="membership-organisation">
          <bdi>{org.name}</bdi>
        </h2>
        <dl className="details">
          <dt>{t("register.organisationType")}</dt>
          <dd>{t(`organisationType.${org.type}`)}</dd>
          <dt>{t("register.sizeBand")}</dt>
          <dd>{t(`sizeBand.${org.sizeBand}`)}</dd>
          <dt>{t("register.city")}</dt>
          <dd>
            <bdi>{org.city}</bdi>
          </dd>
          <dt>{t("register.province")}</dt>
          <dd>{t(`province.${org.province}`, { defaultValue: org.province })}</dd>
          {org.registrationNumber ? (
            <>
              <dt>{t("register.registrationNumber")}</dt>
              <dd dir="ltr">{org.registrationNumber}</dd>
            </>
          ) : null}
          <dt>{t("me.verified")}</dt>
          <dd>{org.verified ? t("me.verifiedYes") : t("me.verifiedNo")}</dd>
        </dl>
        <p className="muted">
          {org.otherMembers > 0 ? t("account.profile.sharedWith", { count: org.otherMembers }) : t("account.profile.onlyMember")}{" "}
          <Link to="/me/profile">{t("membership.editDetails")}</Link>
        </p>
      </section>
      <section className="panel" aria-labelledby="membership-requests">
        <h2 id="membership-requests">{t("membership.requests.title")}</h2>
        <p className="muted">{t("membership.requests.intro")}</p>
        <JoinRequestsTable
          requests={membership.requests.map((r) => ({ userId: r.userId, name: r.displayName, at: r.requestedAt }))}
          intents={{ approve: "approve", decline: "decline" }}
        />
      </section>
    </>
  );
}
