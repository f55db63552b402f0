// The email outbox: one row per email a notification causes, written in
// the same transaction as the notification (so a committed notification always
// has its email, and a rolled-back one has neither). With SMTP configured a
// row is `queued` and the sender (server/outbox-sender.ts) sends it after the
// commit; without SMTP it is `held`: admins read it at /admin/outbox and it is
// never sent later (turning SMTP on does not mail out a backlog of old news).
//
// Several senders may run (worker processes, instances): a row is sent only
// by the one that claims it with a conditional UPDATE (queued → sending), so
// no email goes out twice. See docs/decisions/0013-notifications-and-email.md.
import type { Executor } from "../../db/client";
import type { EmailStatus } from "../../db/schema";
import { tFor } from "~/lib/i18next.server";
import { bodyText, errorText, headerText, safeEmailAddress } from "~/lib/mail-text.server";
import { nowIso } from "~/lib/time";
import type { NotificationKind } from "./notification.server";
import { unsubscribeKey, unsubscribeToken, unsubscribeTokenWith } from "./notification-settings.server";
import { recommendationIn, VERSION_COLUMNS, type RecommendationLanguage, type Shown } from "~/lib/recommendation-language";

// ───────────────────────── process-wide settings ─────────────────────────

export interface MailSettings {
  /** the public origin links in emails point to */
  origin: string;
  /** "smtp": rows are queued for the sender; "held": kept in the outbox for admins */
  delivery: "smtp" | "held";
}

// On globalThis: the server (run from source) and the Remix build (where the
// models run) each load their own copy of this module; both must see the
// settings the server made from its configuration at start.
const SETTINGS_KEY = Symbol.for("mashwara.mail");
const DEFAULT_SETTINGS: MailSettings = { origin: "http://localhost:3000", delivery: "held" };

export function configureMail(settings: MailSettings): void {
  (globalThis as Record<symbol, unknown>)[SETTINGS_KEY] = { origin: new URL(settings.origin).origin, delivery: settings.delivery };
}

/** Exported only for the tests (tests/models/notifications.test.ts, tests/routes/notifications.test.ts). */
export function mailSettings(): MailSettings {
  return ((globalThis as Record<symbol, unknown>)[SETTINGS_KEY] as MailSettings | undefined) ?? DEFAULT_SETTINGS;
}

// ─────────────────────────────── writing ────────────────────────────────

export type EmailKind = NotificationKind;

export interface NotificationEmailInput {
  kind: EmailKind;
  /** the recipient's display name (greeting) */
  name: string;
  /** the suggestion's or recommendation's title, as its author wrote it */
  title: string;
  /** absolute link to the suggestion or recommendation */
  link: string;
  /** rejections: the reason shown to the author */
  reason?: string | null;
  /** responses: the response status (a key of recommendation.response.statuses) and the response text */
  response?: { status: string | null; text: string | null } | null;
  /** progress updates: the status reported (a key of recommendation.progress.statuses) and its date (YYYY-MM-DD) */
  progress?: { status: string | null; date: string | null } | null;
  /** the signed one-click unsubscribe link (ADR 0028); every notification email has one when written */
  unsubscribeLink?: string | null;
}

/**
 * Subject and text body of a notification email in one language, made safe for mail.
 * Exported only for the tests (tests/models/notifications.test.ts).
 */
export function renderNotificationEmail(
  lng: string,
  input: NotificationEmailInput,
  origin: string = mailSettings().origin,
  shared?: Map<string, string>,
) {
  const language = lng === "ur" ? "ur" : "en";
  const translate = tFor(language);
  // The sentences that do not name the person (all but the greeting and the unsubscribe link) are the
  // same for everyone told of one event in one language: a fan-out passes `shared` to translate each once.
  const t = (key: string, values?: Record<string, string>) => {
    if (!shared) return translate(key, values);
    const memoKey = `${language}\u0000${key}\u0000${JSON.stringify(values ?? null)}`;
    let text = shared.get(memoKey);
    if (text === undefined) shared.set(memoKey, (text = translate(key, values)));
    return text;
  };
  // A title is one line wherever it appears: the subject, and the body's sentences.
  const title = headerText(input.title, 150);
  const subject = headerText(t(`email.${input.kind}.subject`, { title }));
  const paragraphs = [
    translate("email.greeting", { name: headerText(input.name, 100) }),
    t(`email.${input.kind}.body`, { title, link: input.link }),
  ];
  if (input.kind === "rejected" && input.reason) paragraphs.push(t("email.reason", { reason: input.reason }));
  if (input.kind === "responded" && input.response) {
    const { status, text } = input.response;
    if (status)
      paragraphs.push(t("email.responseStatus", { status: t(`recommendation.response.statuses.${status}`, { defaultValue: status }) }));
    if (text) paragraphs.push(t("email.responseText", { text }));
  }
  if (input.kind === "progress" && input.progress?.status) {
    const status = t(`recommendation.progress.statuses.${input.progress.status}`, { defaultValue: input.progress.status });
    paragraphs.push(t("email.progressStatus", { status, date: input.progress.date ?? "" }));
  }
  if (input.kind.startsWith("followed.") || input.kind === "progress") paragraphs.push(t("email.unfollowHint"));
  paragraphs.push(t("email.footer", { link: `${origin}/me/notifications` }));
  if (input.unsubscribeLink) paragraphs.push(unsubscribeParagraph(translate, origin, input.unsubscribeLink));
  return { subject, body: bodyText(paragraphs.join("\n\n")) };
}

/** The last paragraph of every notification and digest email: the settings, and the one-click way out. */
export function unsubscribeParagraph(t: (key: string, values?: Record<string, string>) => string, origin: string, link: string): string {
  return t("email.unsubscribe", { settings: `${origin}/me/notifications/settings`, link });
}

/** The absolute one-click unsubscribe link of a person (signed; ADR 0028). */
export async function unsubscribeUrl(db: Executor, userId: number, origin: string = mailSettings().origin): Promise<string> {
  return `${origin}/unsubscribe/${await unsubscribeToken(db, userId)}`;
}

export interface QueueNotificationEmail {
  notificationId: number;
  userId: number;
  kind: EmailKind;
  submissionId?: number | null;
  recommendationId?: number | null;
  data?: unknown;
}

/** Kinds whose news is about a recommendation (the link and title are the recommendation's). */
const RECOMMENDATION_KINDS = new Set<string>(["recommended", "responded", "followed.recommended", "progress"]);

/** Where a notification points: its recommendation (for recommendation news) or its suggestion. */
export function notificationTarget(n: {
  kind: string;
  submission_id: number | null;
  recommendation_id: number | null;
}): { type: "submission" | "recommendation"; id: number } | null {
  const aboutRecommendation = RECOMMENDATION_KINDS.has(n.kind);
  if (n.recommendation_id && (aboutRecommendation || !n.submission_id)) return { type: "recommendation", id: n.recommendation_id };
  if (n.submission_id) return { type: "submission", id: n.submission_id };
  return null;
}

export function targetPath(target: { type: "submission" | "recommendation"; id: number }): string {
  return target.type === "recommendation" ? `/recommendations/${target.id}` : `/submissions/${target.id}`;
}

/** Who an email goes to, as read from users. */
export interface EmailRecipient {
  email: string;
  display_name: string;
  locale: string | null;
  status: string;
}

/** What an email says of its target: the title, and for a recommendation the response as it stands. */
export interface TargetTitle {
  title: string;
  /** a recommendation's title for a reader of each language: that version, or the other one (`fallback`; ADR 0032) */
  byLanguage?: Record<RecommendationLanguage, Shown>;
  response_status: string | null;
  response_text: string | null;
}

export function targetKey(target: { type: "submission" | "recommendation"; id: number }): string {
  return `${target.type}:${target.id}`;
}

/** Titles (and responses) of these targets, keyed by targetKey: one query per type per 500 ids. */
export async function loadTargetTitles(
  db: Executor,
  targets: Array<{ type: "submission" | "recommendation"; id: number }>,
): Promise<Map<string, TargetTitle>> {
  const out = new Map<string, TargetTitle>();
  const ids = { submission: new Set<number>(), recommendation: new Set<number>() };
  for (const t of targets) ids[t.type].add(t.id);
  const submissions = [...ids.submission];
  for (let i = 0; i < submissions.length; i += 500) {
    const rows = await db
      .selectFrom("submissions")
      .select(["id", "title"])
      .where("id", "in", submissions.slice(i, i + 500))
      .execute();
    for (const r of rows)
      out.set(targetKey({ type: "submission", id: r.id }), { title: r.title, response_status: null, response_text: null });
  }
  const recommendations = [...ids.recommendation];
  for (let i = 0; i < recommendations.length; i += 500) {
    const rows = await db
      .selectFrom("recommendations")
      .select(["id", ...VERSION_COLUMNS, "response_status", "response_text"])
      .where("id", "in", recommendations.slice(i, i + 500))
      .execute();
    for (const r of rows)
      out.set(targetKey({ type: "recommendation", id: r.id }), {
        title: r.title,
        byLanguage: { en: recommendationIn(r, "en").title, ur: recommendationIn(r, "ur").title },
        response_status: r.response_status,
        response_text: r.response_text,
      });
  }
  return out;
}

/** One email as insertEmail writes it. */
export interface EmailToWrite {
  userId: number | null;
  notificationId: number | null;
  to: string;
  subject: string;
  body: string;
  unsubscribeUrl?: string | null;
}

/**
 * The email of one notification, from values already read (the recipient, the
 * targets' titles, the unsubscribe key); null when none is written: the account
 * is disabled or deleted, the address is not usable, or the target is gone.
 * Pure: the single path (queueNotificationEmail) and the fan-out (notifyMany)
 * both build their rows with it.
 */
export function notificationEmailRow(
  n: QueueNotificationEmail,
  recipient: EmailRecipient | undefined,
  titles: Map<string, TargetTitle>,
  key: string,
  settings: MailSettings = mailSettings(),
  shared?: Map<string, string>,
): EmailToWrite | null {
  if (!recipient || recipient.status !== "active") return null;
  const to = safeEmailAddress(recipient.email);
  if (!to) return null;
  const target = notificationTarget({ kind: n.kind, submission_id: n.submissionId ?? null, recommendation_id: n.recommendationId ?? null });
  if (!target) return null;
  const titled = titles.get(targetKey(target));
  if (!titled) return null;

  const data = (n.data ?? {}) as { reason?: unknown; reasonCode?: unknown; status?: unknown; date?: unknown };
  const lng = recipient.locale === "ur" ? "ur" : "en";
  let reason: string | null = null;
  if (n.kind === "rejected") {
    const t = tFor(lng);
    const code = typeof data.reasonCode === "string" ? t(`rejectReason.${data.reasonCode}`, { defaultValue: "" }) : "";
    const text = typeof data.reason === "string" ? data.reason : "";
    reason = [code, text].filter(Boolean).join(" — ") || null;
  }
  const unsubscribeLink = `${settings.origin}/unsubscribe/${unsubscribeTokenWith(key, n.userId)}`;
  // A recommendation's title in the reader's language, or the other one saying so (ADR 0032).
  const local = titled.byLanguage?.[lng];
  const title = !local
    ? titled.title
    : local.fallback
      ? `${local.value} ${tFor(lng)("recommendation.language.missingShort")}`
      : local.value;
  const { subject, body } = renderNotificationEmail(
    lng,
    {
      kind: n.kind,
      name: recipient.display_name,
      title,
      link: settings.origin + targetPath(target),
      reason,
      // the response as it stands in this transaction (the one just recorded)
      response: n.kind === "responded" ? { status: titled.response_status, text: titled.response_text } : null,
      // the update as the notification recorded it (recordProgress: status and date)
      progress:
        n.kind === "progress"
          ? { status: typeof data.status === "string" ? data.status : null, date: typeof data.date === "string" ? data.date : null }
          : null,
      unsubscribeLink,
    },
    settings.origin,
    shared,
  );
  return { userId: n.userId, notificationId: n.notificationId, to, subject, body, unsubscribeUrl: unsubscribeLink };
}

/**
 * Writes the email for a notification, in the caller's transaction, in the
 * recipient's language. Nobody is written to whose account is disabled or
 * deleted, or who has no usable address.
 */
export async function queueNotificationEmail(db: Executor, n: QueueNotificationEmail, now: Date = new Date()): Promise<number | null> {
  const recipient = await db
    .selectFrom("users")
    .select(["email", "display_name", "locale", "status"])
    .where("id", "=", n.userId)
    .executeTakeFirst();
  if (!recipient || recipient.status !== "active" || !safeEmailAddress(recipient.email)) return null;
  const target = notificationTarget({ kind: n.kind, submission_id: n.submissionId ?? null, recommendation_id: n.recommendationId ?? null });
  if (!target) return null;
  const titles = await loadTargetTitles(db, [target]);
  if (!titles.size) return null;
  const row = notificationEmailRow(n, recipient, titles, await unsubscribeKey(db));
  return row ? insertEmail(db, row, now) : null;
}

/** The outbox row of one email (insertEmail and insertEmails write the same). */
function emailValues(e: EmailToWrite, now: Date) {
  const iso = nowIso(now);
  return {
    user_id: e.userId,
    notification_id: e.notificationId,
    to_email: e.to,
    subject: e.subject,
    body: e.body,
    status: mailSettings().delivery === "smtp" ? ("queued" as const) : ("held" as const),
    attempts: 0,
    last_error: null,
    next_attempt_at: iso,
    claimed_by: null,
    claimed_at: null,
    created_at: iso,
    sent_at: null,
    unsubscribe_url: e.unsubscribeUrl ?? null,
  };
}

/**
 * Writes one email in the caller's transaction: queued for the sender with
 * SMTP, held (and logged once) without. `to` must already be a safe address.
 * `unsubscribeUrl`: notification and digest emails only (the sender adds the
 * List-Unsubscribe headers); account and security emails have none.
 */
export async function insertEmail(db: Executor, e: EmailToWrite, now: Date = new Date()): Promise<number> {
  const row = await db.insertInto("email_outbox").values(emailValues(e, now)).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** Emails per multi-row INSERT: 14 columns × 250 rows, far inside SQLite's 32,766 bound values. */
const EMAIL_INSERT_CHUNK = 250;

/** Writes many emails (a fan-out) as multi-row INSERTs, rows exactly as insertEmail writes them. */
export async function insertEmails(db: Executor, emails: EmailToWrite[], now: Date = new Date()): Promise<void> {
  for (let i = 0; i < emails.length; i += EMAIL_INSERT_CHUNK) {
    await db
      .insertInto("email_outbox")
      .values(emails.slice(i, i + EMAIL_INSERT_CHUNK).map((e) => emailValues(e, now)))
      .execute();
  }
}

// ─────────────────────────────── sending ────────────────────────────────

/** Ids of queued emails that are due, oldest due first. */
export async function dueEmailIds(db: Executor, now: Date, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom("email_outbox")
    .select("id")
    .where("status", "=", "queued")
    .where("next_attempt_at", "<=", nowIso(now))
    .orderBy("next_attempt_at")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Claims one queued email for this sender: one conditional UPDATE, so of two
 * senders racing for a row exactly one gets it. Counts the attempt.
 */
export async function claimEmail(db: Executor, id: number, senderId: string, now: Date): Promise<boolean> {
  const iso = nowIso(now);
  const result = await db
    .updateTable("email_outbox")
    .set((eb) => ({ status: "sending", claimed_by: senderId, claimed_at: iso, attempts: eb("attempts", "+", 1) }))
    .where("id", "=", id)
    .where("status", "=", "queued")
    .where("next_attempt_at", "<=", iso)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Held emails (no SMTP) not yet written to the log, oldest first, each
 * claimed by one conditional UPDATE of `logged_at`: with several processes,
 * each email is logged by exactly one of them.
 */
export async function claimHeldForLog(db: Executor, now: Date, limit: number) {
  const rows = await db
    .selectFrom("email_outbox")
    .select(["id", "to_email", "subject", "body"])
    .where("status", "=", "held")
    .where("logged_at", "is", null)
    .orderBy("id")
    .limit(limit)
    .execute();
  const claimed: typeof rows = [];
  for (const row of rows) {
    const r = await db
      .updateTable("email_outbox")
      .set({ logged_at: nowIso(now) })
      .where("id", "=", row.id)
      .where("logged_at", "is", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) claimed.push(row);
  }
  return claimed;
}

/** A claimed email with what the sender needs to decide: is the recipient still there? */
export async function loadClaimedEmail(db: Executor, id: number, senderId: string) {
  return db
    .selectFrom("email_outbox as e")
    .leftJoin("users as u", "u.id", "e.user_id")
    .select([
      "e.id",
      "e.user_id",
      "e.to_email",
      "e.subject",
      "e.body",
      "e.attempts",
      "e.created_at",
      "e.unsubscribe_url",
      "u.status as user_status",
      "u.email as user_email",
    ])
    .where("e.id", "=", id)
    .where("e.status", "=", "sending")
    .where("e.claimed_by", "=", senderId)
    .executeTakeFirst();
}

// claimed_by and claimed_at stay after an attempt: which process last tried, and when
// (only the status says whether a row is held by a sender).
async function finish(
  db: Executor,
  id: number,
  senderId: string,
  values: { status: EmailStatus; last_error?: string | null; sent_at?: string | null; next_attempt_at?: string | null },
) {
  await db
    .updateTable("email_outbox")
    .set(values)
    .where("id", "=", id)
    .where("status", "=", "sending")
    .where("claimed_by", "=", senderId)
    .execute();
}

export function markEmailSent(db: Executor, id: number, senderId: string, now: Date) {
  return finish(db, id, senderId, { status: "sent", sent_at: nowIso(now), last_error: null });
}

/**
 * Why a row was stopped, as the sender writes it in `last_error` (English, for
 * operators reading the database or logs); the outbox page shows each in the
 * admin's language (admin.outbox.note.<name>). Errors from the SMTP server are
 * stored and shown as the server wrote them.
 */
export const OUTBOX_NOTES = {
  recipientGone: "the recipient's account is disabled or deleted",
  badAddress: "not a plain email address",
  senderStopped: "the sender stopped while sending (process ended?)",
} as const;

/** The i18n key for one of our own notes, or null for anything else (an SMTP server's words). */
export function outboxNoteKey(lastError: string | null): string | null {
  const name = Object.entries(OUTBOX_NOTES).find(([, text]) => text === lastError)?.[0];
  return name ? `admin.outbox.note.${name}` : null;
}

export function markEmailCancelled(db: Executor, id: number, senderId: string, reason: string) {
  return finish(db, id, senderId, { status: "cancelled", last_error: reason });
}

/** A failed attempt: queued again after `retryInMs`, or `failed` for good. */
export function markEmailAttemptFailed(
  db: Executor,
  id: number,
  senderId: string,
  params: { error: unknown; giveUp: boolean; retryAt: Date },
) {
  return finish(db, id, senderId, {
    status: params.giveUp ? "failed" : "queued",
    last_error: errorText(params.error),
    next_attempt_at: params.giveUp ? null : nowIso(params.retryAt),
  });
}

/**
 * Claims left by a sender that stopped mid-send (the process was killed): after
 * `staleMs` — far longer than any send may take — the row is queued again, or
 * failed if it had its last attempt. The message may have gone out just before
 * the process died; it then arrives twice, with the same Message-ID.
 */
export async function releaseStaleClaims(db: Executor, params: { now: Date; staleMs: number; maxAttempts: number }): Promise<number> {
  const cutoff = nowIso(new Date(params.now.getTime() - params.staleMs));
  const note = OUTBOX_NOTES.senderStopped;
  const retried = await db
    .updateTable("email_outbox")
    .set({ status: "queued", claimed_by: null, claimed_at: null, last_error: note, next_attempt_at: nowIso(params.now) })
    .where("status", "=", "sending")
    .where("claimed_at", "<", cutoff)
    .where("attempts", "<", params.maxAttempts)
    .executeTakeFirst();
  const failed = await db
    .updateTable("email_outbox")
    .set({ status: "failed", claimed_by: null, claimed_at: null, last_error: note, next_attempt_at: null })
    .where("status", "=", "sending")
    .where("claimed_at", "<", cutoff)
    .executeTakeFirst();
  return Number(retried.numUpdatedRows) + Number(failed.numUpdatedRows);
}

// ─────────────────────────────── reading ────────────────────────────────

export const EMAIL_STATUSES = ["queued", "sending", "sent", "failed", "held", "cancelled"] as const satisfies readonly EmailStatus[];

/** The outbox for admins: newest first, a page of `pageSize` (one more is read to know if there is a next page). */
export async function listOutbox(db: Executor, params: { page: number; pageSize: number; status?: EmailStatus }) {
  let q = db
    .selectFrom("email_outbox")
    .select(["id", "to_email", "subject", "body", "status", "attempts", "last_error", "next_attempt_at", "created_at", "sent_at"])
    .orderBy("id", "desc")
    .limit(params.pageSize + 1)
    .offset((params.page - 1) * params.pageSize);
  if (params.status) q = q.where("status", "=", params.status);
  return q.execute();
}
