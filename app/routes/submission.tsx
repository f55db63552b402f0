import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { hasRole } from "~/auth/permissions";
import { CommentForm } from "~/components/comment-form";
import { ConfirmEmailNeeded, ResendLinkToNotice } from "~/components/confirm-email";
import { DateText, NumberText, useNumberFormat } from "~/components/dates";
import { OrganisationLabel } from "~/components/organisation-label";
import { FollowForm } from "~/components/follow-form";
import { SupportButton } from "~/components/support-button";
import { idParam, notFound, pageParam } from "~/lib/http.server";
import { localName } from "~/lib/i18n";
import { RULE_NUMBERS } from "~/lib/rules";
import { getFixedT } from "~/lib/i18next.server";
import { REPORT_REASONS } from "~/lib/reference";
import { commentRefusal, listCommentPage, withinCommentEditWindow } from "~/models/comment.server";
import { participantRefusal, participationRefusal } from "~/models/consultation.server";
import { getSubmissionForViewer, isWithdrawable } from "~/models/submission.server";
import { getTranslations, translationLanguageFor, translationView } from "~/models/translation.server";
import { isFollowing } from "~/models/follow.server";
import { getSupportState, supportDecision, type SupportDecision } from "~/models/support.server";
import { recommendationNumber } from "~/lib/recommendation-reference";
import type { PageCacheHandle } from "~/lib/page-cache";

// The description search engines and link previews show: the start of the problem, in the author's words.
const excerpt = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text);
// Kept for readers who are not signed in while the data is unchanged (app/lib/page-cache.ts).
export const handle: PageCacheHandle = { pageCache: () => "shared" };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title },
  ...(data ? [{ name: "description", content: excerpt(data.submission.problem.replace(/\s+/g, " ")) }] : []),
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const id = idParam(params.id);
  const viewer = context.user ? { id: context.user.id, role: context.user.role } : null;
  const s = await getSubmissionForViewer(context.db, { id, viewer });
  if (!s) notFound();
  const { t, lng } = await getFixedT(request, context);
  // `?comments=N`: the Nth page of comment threads, newest first (anything that is not a page number is page 1; past the last, the last).
  const commentsPage = pageParam(new URL(request.url).searchParams.get("comments"));
  const [commentPage, supportState] = await Promise.all([
    s.status === "published" || s.status === "merged" || (viewer && hasRole(viewer.role, "moderator"))
      ? listCommentPage(context.db, { submissionId: id, page: commentsPage })
      : { page: 1, pages: 1, commentCount: 0, threads: [] },
    viewer ? getSupportState(context.db, { submissionId: id, userId: viewer.id }) : null,
  ]);
  const following = viewer ? await isFollowing(context.db, viewer.id, { type: "submission", id }) : false;
  // A moderator's translation into the reader's language is read by default, labelled; `?original=1` shows the original (issue 18).
  const translation = (await getTranslations(context.db, id)).find((tr) => tr.language === translationLanguageFor(s.original_language));
  const view = translationView({
    readerLanguage: lng,
    translationLanguage: translation?.language ?? null,
    wantOriginal: new URL(request.url).searchParams.get("original") === "1",
  });
  const shown =
    view.show === "translation" && translation
      ? {
          title: translation.title,
          problem: translation.problem,
          proposal: translation.proposal,
          expectedImpact: translation.expected_impact,
        }
      : { title: s.title, problem: s.problem, proposal: s.proposal, expectedImpact: s.expected_impact };
  const isAuthor = viewer?.id === s.author_id;
  const isModerator = viewer ? hasRole(viewer.role, "moderator") : false;
  // A closed or archived consultation takes no more participants' writes (ADR 0022): its forms are not offered.
  const closed = participationRefusal(s);
  // Supporting, commenting and reporting need a confirmed address (the model's rule; issue 15): the page says so and offers the link again.
  const unconfirmed = participantRefusal(context.user);
  // The model decides whether this person may support it (a visitor: what does not depend on who asks); the page says why not.
  const blockedReason = blockedMessage(supportState?.decision ?? supportDecision(s, null));
  const now = new Date();
  const clusterName = localName({ name_en: s.cluster_name_en, name_ur: s.cluster_name_ur }, lng);
  const textLanguage = view.show === "translation" && translation ? translation.language : s.original_language;
  return {
    title: `${shown.title} · ${t("app.name")}`,
    lng,
    submission: {
      id: s.id,
      ...shown,
      /** the language of the text shown when it is not the page's (its `lang`), and what the reader may switch to */
      textLanguage: textLanguage === lng ? undefined : textLanguage,
      translation: { shown: view.show === "translation", offer: view.offer, exists: Boolean(translation) },
      status: s.status,
      source: s.source,
      horizon: s.horizon,
      stage: s.stage ? localName({ name_en: s.stage_en ?? s.stage, name_ur: s.stage_ur ?? "" }, lng) : null,
      suggestedCategory: s.suggested_category_slug
        ? localName({ name_en: s.suggested_category_en ?? "", name_ur: s.suggested_category_ur ?? "" }, lng)
        : null,
      mergedInto: s.merged_into_id,
      rejectReasonCode: isAuthor || isModerator ? s.reject_reason_code : null,
      rejectReason: isAuthor || isModerator ? s.reject_reason : null,
      createdAt: s.created_at,
      publishedAt: s.published_at,
      cluster: { slug: s.cluster_slug, name: clusterName },
      categories: s.categories.map((c) => ({ slug: c.slug, name: localName(c, lng) })),
      // The author deleted their account: the suggestion stays, its author shown as a former participant.
      formerParticipant: s.author_status === "deleted",
      organisation: {
        name: s.showOrganisationName ? s.organisation_name : null,
        city: s.city,
        sizeBand: s.size_band,
        type: s.organisation_type,
        verified: s.organisation_verified === 1,
      },
      breadth: s.breadth,
      history: s.history,
      recommendations: s.recommendations,
    },
    viewer: viewer
      ? {
          id: viewer.id,
          isAuthor,
          isModerator,
          supported: supportState?.supported ?? false,
          following,
          canEdit: (isAuthor && s.status === "pending" && !closed) || (isModerator && s.status !== "withdrawn"),
          canWithdraw: isAuthor && isWithdrawable(s.status) && !closed,
          canReport:
            !isAuthor && (s.status === "published" || s.status === "merged") && closed?.reason !== "consultationArchived" && !unconfirmed,
          canReportComments: closed?.reason !== "consultationArchived" && !unconfirmed,
          canComment: commentRefusal(s, now, context.user) === null,
          // Only the address stands in the way of commenting: the comment form's place explains it.
          confirmToComment: commentRefusal(s, now) === null && unconfirmed !== null,
        }
      : null,
    blockedReason,
    closedReason: closed ? `refusal.${closed.reason}` : null,
    commentPages: { page: commentPage.page, pages: commentPage.pages, total: commentPage.commentCount },
    comments: commentPage.threads.map((c) => ({
      id: c.id,
      body: c.body,
      author: c.author_status === "deleted" ? null : c.display_name,
      createdAt: c.created_at,
      edited: c.updated_at !== c.created_at,
      editable: !closed && viewer?.id === c.author_id && withinCommentEditWindow(c.created_at, now),
      replies: c.replies.map((r) => ({
        id: r.id,
        body: r.body,
        author: r.author_status === "deleted" ? null : r.display_name,
        createdAt: r.created_at,
        edited: r.updated_at !== r.created_at,
        editable: !closed && viewer?.id === r.author_id && withinCommentEditWindow(r.created_at, now),
      })),
    })),
  };
}

/** The i18n key the page shows instead of the support button. */
function blockedMessage(decision: SupportDecision): string | null {
  if (decision.canSupport) return null;
  switch (decision.blockedReason) {
    case "consultationClosed":
    case "consultationArchived":
    case "emailUnconfirmed":
      return `refusal.${decision.blockedReason}`;
    case "budgetSpent":
      return "support.refused.budgetSpentShort";
    default:
      return `support.refused.${decision.blockedReason}`;
  }
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type CommentView = LoaderData["comments"][number];

function PlainText({ text, lang }: { text: string; lang?: string }) {
  // Plain text: React escapes it; CSS keeps the line breaks. Never HTML or Markdown.
  return (
    <p className="plain-text" dir="auto" lang={lang}>
      {text}
    </p>
  );
}

/** The label of a moderators' translation and the plain link to the other version (no JavaScript needed). */
function TranslationNote({ id, translation }: { id: number; translation: { shown: boolean; offer: "original" | "translation" | null } }) {
  const { t } = useTranslation();
  if (!translation.offer) return null;
  return (
    <p className="notice translation-note">
      {translation.shown ? (
        <>
          <strong>{t("translation.label")}</strong> <Link to={`/submissions/${id}?original=1`}>{t("translation.showOriginal")}</Link>
        </>
      ) : (
        <>
          {t("translation.originalShown")} <Link to={`/submissions/${id}`}>{t("translation.showTranslation")}</Link>
        </>
      )}
    </p>
  );
}

/** The author's way to tell the moderators that the translation of their suggestion is wrong. */
function TranslationFlagForm({ id }: { id: number }) {
  const { t } = useTranslation();
  return (
    <details className="report">
      <summary>{t("translation.flag.summary")}</summary>
      <Form method="post" action={`/submissions/${id}/translation-flag`} className="stack">
        <div className="field">
          <label htmlFor="translation-flag-reason">{t("translation.flag.reason")}</label>
          <textarea id="translation-flag-reason" name="reason" maxLength={2000} rows={3} dir="auto" required />
        </div>
        <button type="submit" className="button button--secondary">
          {t("translation.flag.send")}
        </button>
      </Form>
    </details>
  );
}

function CommentItem({
  comment,
  submissionId,
  canReply,
  canReport,
}: {
  comment: Omit<CommentView, "replies">;
  submissionId: number;
  canReply: boolean;
  canReport: boolean;
}) {
  const { t } = useTranslation();
  return (
    <article className="comment" id={`comment-${comment.id}`} aria-labelledby={`comment-${comment.id}-by`}>
      <p className="comment__meta" id={`comment-${comment.id}-by`}>
        <strong>{comment.author ? <bdi>{comment.author}</bdi> : t("submission.formerParticipant")}</strong> ·{" "}
        <DateText iso={comment.createdAt} withTime />
        {comment.edited ? ` · ${t("comment.edited")}` : ""}
      </p>
      {comment.body === null ? <p className="muted">{t("comment.hidden")}</p> : <PlainText text={comment.body} />}
      {comment.editable && comment.body !== null ? (
        <details>
          <summary>{t("comment.edit")}</summary>
          <CommentForm submissionId={submissionId} className="stack">
            <input type="hidden" name="intent" value="edit" />
            <input type="hidden" name="commentId" value={comment.id} />
            <label htmlFor={`edit-${comment.id}`}>{t("comment.body")}</label>
            <textarea
              id={`edit-${comment.id}`}
              name="body"
              defaultValue={comment.body}
              maxLength={RULE_NUMBERS.commentMax}
              rows={3}
              dir="auto"
              required
            />
            <button type="submit" className="button button--secondary">
              {t("comment.save")}
            </button>
          </CommentForm>
        </details>
      ) : null}
      {canReply ? (
        <details>
          <summary>{t("comment.reply")}</summary>
          <CommentForm submissionId={submissionId} className="stack">
            <input type="hidden" name="parentId" value={comment.id} />
            <label htmlFor={`reply-${comment.id}`}>{t("comment.replyLabel")}</label>
            <textarea id={`reply-${comment.id}`} name="body" maxLength={RULE_NUMBERS.commentMax} rows={3} dir="auto" required />
            <button type="submit" className="button button--secondary">
              {t("comment.postReply")}
            </button>
          </CommentForm>
        </details>
      ) : null}
      {canReport ? <ReportForm submissionId={submissionId} commentId={comment.id} /> : null}
    </article>
  );
}

function ReportForm({ submissionId, commentId }: { submissionId: number; commentId?: number }) {
  const { t } = useTranslation();
  const idBase = commentId ? `report-c${commentId}` : "report-s";
  return (
    <details className="report">
      <summary>{commentId ? t("report.comment") : t("report.submission")}</summary>
      <Form method="post" action={`/submissions/${submissionId}/report`} className="stack">
        {commentId ? <input type="hidden" name="commentId" value={commentId} /> : null}
        <div className="field">
          <label htmlFor={`${idBase}-reason`}>{t("report.reason")}</label>
          <select id={`${idBase}-reason`} name="reason" required defaultValue="">
            <option value="">{t("form.choose")}</option>
            {REPORT_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`report.reasons.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${idBase}-details`}>{t("report.details")}</label>
          <textarea id={`${idBase}-details`} name="details" maxLength={1000} rows={2} dir="auto" />
        </div>
        <button type="submit" className="button button--secondary">
          {t("report.send")}
        </button>
      </Form>
    </details>
  );
}

/** A page of comment threads: page 1 (the newest) has no parameter; the anchor keeps the reader at the comments. */
const commentPageLink = (submissionId: number, page: number) =>
  `/submissions/${submissionId}${page > 1 ? `?comments=${page}` : ""}#comments`;

function CommentPager({ submissionId, page, pages }: { submissionId: number; page: number; pages: number }) {
  const { t } = useTranslation();
  const n = useNumberFormat();
  // Threads read oldest first within a page, so the way back in time sits above them and the way forward below.
  return (
    <nav className="pager" aria-label={t("comment.pages")}>
      {page < pages ? <Link to={commentPageLink(submissionId, page + 1)}>{t("comment.older")}</Link> : null}
      <span>{t("pager.position", { page: n(page), pages: n(pages) })}</span>
      {page > 1 ? <Link to={commentPageLink(submissionId, page - 1)}>{t("comment.newer")}</Link> : null}
    </nav>
  );
}

export default function SubmissionPage() {
  const { submission: s, viewer, blockedReason, closedReason, comments, commentPages } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const loginPath = `/login?redirectTo=${encodeURIComponent(`/submissions/${s.id}`)}`;
  return (
    <article className="submission" aria-labelledby="submission-title">
      <p className="eyebrow">
        <Link to={`/clusters/${s.cluster.slug}`}>{s.cluster.name}</Link> · {t("submission.number", { id: s.id })} ·{" "}
        <span className={`status status--${s.status}`}>{t(`status.${s.status}`)}</span>
      </p>
      <h1 id="submission-title">
        <bdi lang={s.textLanguage}>{s.title}</bdi>
      </h1>
      <TranslationNote id={s.id} translation={s.translation} />
      {params.get("flagged") ? (
        <p className="notice" role="status">
          {t("translation.flag.thanks")}
        </p>
      ) : null}
      {params.get("reported") ? (
        <p className="notice" role="status">
          {t("report.thanks")}
        </p>
      ) : null}
      <p className="muted">
        {s.formerParticipant && (s.organisation.city || s.organisation.sizeBand) ? `${t("submission.formerParticipant")} · ` : null}
        <OrganisationLabel
          name={s.organisation.name}
          cluster={s.cluster.name}
          city={s.organisation.city}
          sizeBand={s.organisation.sizeBand}
          type={s.organisation.type}
        />
        {s.organisation.verified ? ` · ${t("organisation.verified")}` : ""} · <DateText iso={s.publishedAt ?? s.createdAt} />
      </p>
      {s.status === "merged" && s.mergedInto ? (
        <p className="notice">
          {t("submission.mergedInto")} <Link to={`/submissions/${s.mergedInto}`}>#{s.mergedInto}</Link>
        </p>
      ) : null}
      {s.status === "pending" ? <p className="notice">{t("submission.pendingNotice")}</p> : null}
      {s.status === "hidden" ? <p className="notice">{t("submission.hiddenNotice")}</p> : null}
      {s.status === "rejected" ? (
        <div className="notice">
          <p>{t("submission.rejectedNotice")}</p>
          {s.rejectReasonCode ? <p>{t(`rejectReason.${s.rejectReasonCode}`)}</p> : null}
          {s.rejectReason ? <PlainText text={s.rejectReason} /> : null}
        </div>
      ) : null}
      {s.categories.length ? (
        <ul className="chips" aria-label={t("submission.categories")}>
          {s.categories.map((c) => (
            <li key={c.slug}>{c.name}</li>
          ))}
        </ul>
      ) : null}
      {s.recommendations.length ? (
        <p>
          {t("submission.includedIn")}{" "}
          {s.recommendations.map((r, i) => (
            <span key={r.id}>
              {i ? ", " : ""}
              <Link to={`/recommendations/${r.id}`}>{recommendationNumber(r.id)}</Link>
            </span>
          ))}
        </p>
      ) : null}

      <div className="submission__layout">
        <div className="submission__body">
          <h2>{t("submission.form.problem")}</h2>
          <PlainText text={s.problem} lang={s.textLanguage} />
          <h2>{t("submission.form.proposal")}</h2>
          <PlainText text={s.proposal} lang={s.textLanguage} />
          {s.expectedImpact ? (
            <>
              <h2>{t("submission.form.expectedImpact")}</h2>
              <PlainText text={s.expectedImpact} lang={s.textLanguage} />
            </>
          ) : null}
          <dl className="details">
            {s.stage ? (
              <>
                <dt>{t("submission.form.stage")}</dt>
                <dd>{s.stage}</dd>
              </>
            ) : null}
            {s.horizon ? (
              <>
                <dt>{t("submission.form.horizon")}</dt>
                <dd>{t(`horizon.${s.horizon}`)}</dd>
              </>
            ) : null}
            {s.suggestedCategory ? (
              <>
                <dt>{t("submission.suggestedByAuthor")}</dt>
                <dd>{s.suggestedCategory}</dd>
              </>
            ) : null}
            <dt>{t("submission.source")}</dt>
            <dd>{t(`source.${s.source}`)}</dd>
          </dl>
        </div>
        <aside className="submission__aside panel" aria-label={t("submission.supportBox")}>
          <SupportButton
            submissionId={s.id}
            supporters={s.breadth.supporters}
            supported={viewer?.supported ?? false}
            signedIn={Boolean(viewer)}
            canSupport={blockedReason === null}
            blockedReason={blockedReason}
            loginPath={loginPath}
          />
          {blockedReason === "refusal.emailUnconfirmed" ? <ResendLinkToNotice /> : null}
          {s.status === "published" || s.status === "merged" ? (
            <FollowForm
              action={`/submissions/${s.id}/follow`}
              following={viewer?.following ?? false}
              signedIn={Boolean(viewer)}
              loginPath={loginPath}
              kind="submission"
            />
          ) : null}
          <dl className="figures">
            <div>
              <dt>{t("submission.breadth.organisations")}</dt>
              <dd>
                <NumberText value={s.breadth.organisations} />
              </dd>
            </div>
            <div>
              <dt>{t("submission.breadth.provinces")}</dt>
              <dd>
                <NumberText value={s.breadth.provinces} />
              </dd>
            </div>
          </dl>
          {viewer?.canEdit ? (
            <p>
              <Link to={`/submissions/${s.id}/edit`}>{t("submission.editLink")}</Link>
            </p>
          ) : null}
          {viewer?.canWithdraw ? (
            <Form method="post" action={`/submissions/${s.id}/withdraw`}>
              <button type="submit" className="link-button">
                {t("submission.withdraw")}
              </button>
            </Form>
          ) : null}
          {viewer?.isModerator && s.status === "pending" ? (
            <p>
              <Link to={`/moderation/submissions/${s.id}`}>{t("submission.moderate")}</Link>
            </p>
          ) : null}
          {viewer?.canReport ? <ReportForm submissionId={s.id} /> : null}
          {viewer?.isAuthor && s.translation.exists ? <TranslationFlagForm id={s.id} /> : null}
        </aside>
      </div>

      <section id="comments" aria-labelledby="comments-title">
        <h2 id="comments-title">
          {t("comment.title")} (<NumberText value={commentPages.total} />)
        </h2>
        {commentPages.pages > 1 ? <CommentPager submissionId={s.id} page={commentPages.page} pages={commentPages.pages} /> : null}
        {comments.length === 0 ? <p className="empty">{t("comment.none")}</p> : null}
        {comments.map((c) => (
          <div key={c.id} className="comment-thread">
            <CommentItem
              comment={c}
              submissionId={s.id}
              canReply={Boolean(viewer?.canComment) && c.body !== null}
              canReport={Boolean(viewer?.canReportComments) && c.body !== null}
            />
            {c.replies.length ? (
              <div className="comment-replies">
                {c.replies.map((r) => (
                  <CommentItem key={r.id} comment={r} submissionId={s.id} canReply={false} canReport={Boolean(viewer?.canReportComments)} />
                ))}
              </div>
            ) : null}
          </div>
        ))}
        {commentPages.page > 1 ? (
          <p className="comment-newer">
            <Link to={commentPageLink(s.id, commentPages.page - 1)}>{t("comment.newer")}</Link>
          </p>
        ) : null}
        {viewer?.canComment ? (
          <CommentForm submissionId={s.id} className="stack comment-form">
            <label htmlFor="comment-body">{t("comment.add")}</label>
            <p className="field-hint" id="comment-body-hint">
              {t("comment.hint")}
            </p>
            <textarea
              id="comment-body"
              name="body"
              maxLength={RULE_NUMBERS.commentMax}
              rows={4}
              dir="auto"
              required
              aria-describedby="comment-body-hint"
            />
            <button type="submit" className="button">
              {t("comment.post")}
            </button>
          </CommentForm>
        ) : viewer?.confirmToComment ? (
          <ConfirmEmailNeeded />
        ) : closedReason && s.status === "published" ? (
          <p className="muted" id="comments-closed">
            {t(closedReason)}
          </p>
        ) : !viewer && s.status === "published" ? (
          <p>
            <Link to={loginPath}>{t("comment.signIn")}</Link>
          </p>
        ) : null}
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">{t("history.title")}</h2>
        <ol className="history">
          {s.history.map((h) => (
            <li key={h.id}>
              <DateText iso={h.createdAt} withTime /> — {t(`history.event.${h.event}`, { defaultValue: h.event })} (
              {t(`history.actor.${h.actorRole}`, { defaultValue: h.actorRole })})
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
