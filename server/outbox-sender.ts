// The outbox sender: runs in every serving process when SMTP_URL is set,
// beside housekeeping. On start and every few seconds it sends the queued
// emails that are due, one by one, each after the transaction that wrote it
// has committed and never inside one (a slow mail server must not hold a
// database lock).
//
// Each email is claimed first with a conditional UPDATE (queued → sending,
// by this sender's id): with several worker processes or instances polling
// the same table, one email is sent by exactly one of them. A failed attempt
// is queued again with an exponential backoff and its error recorded; after
// the last attempt, or at once when the server refuses the recipient for good
// (5xx at RCPT TO), it is `failed`. A recipient disabled or deleted after the
// email was written gets nothing (`cancelled`).
import { randomBytes } from "node:crypto";
import os from "node:os";
import nodemailer from "nodemailer";
import type { Logger } from "pino";
import type { Executor } from "../db/client";
import { now as appNow } from "~/lib/clock.server";
import { bodyText, defaultFromAddress, headerText, parseSmtpUrl, safeEmailAddress } from "~/lib/mail-text.server";
import { buildDueDigests } from "~/models/digest.server";
import {
  claimEmail,
  claimHeldForLog,
  dueEmailIds,
  loadClaimedEmail,
  markEmailAttemptFailed,
  markEmailCancelled,
  OUTBOX_NOTES,
  markEmailSent,
  releaseStaleClaims,
} from "~/models/email-outbox.server";

export interface OutboxSenderOptions {
  db: Executor;
  smtpUrl: string;
  /** the public origin: the default From domain and the Message-ID domain */
  origin: string;
  logger?: Pick<Logger, "info" | "warn" | "error">;
  /** how often to look for due emails (default 5 s) */
  intervalMs?: number;
  /** attempts before an email is `failed` (default 8: retries over about an hour) */
  maxAttempts?: number;
  /** wait before attempt n+1 after n failed attempts (default 30 s · 2^(n−1), at most 1 h) */
  backoffMs?: (failedAttempts: number) => number;
  /** a claim older than this was left by a sender that died mid-send (default 10 min) */
  staleClaimMs?: number;
  /** emails read per query (default 20) */
  batchSize?: number;
  /** this sender's id in claimed_by (default host:pid:random) */
  senderId?: string;
  /** the clock (tests) */
  now?: () => Date;
  /**
   * Digests (ADR 0028): each pass first writes the daily and weekly digests
   * that are due by this clock (default: the app's clock, which tests move
   * with TEST_CLOCK_FILE, ADR 0024). `false`: this sender writes none.
   */
  digestNow?: (() => Date) | false;
}

export interface OutboxRunResult {
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
}

export interface OutboxSender {
  readonly senderId: string;
  /** one pass over the due emails; a pass already running in this sender is joined, not doubled */
  runOnce(): Promise<OutboxRunResult>;
  /** a pass now, then one every intervalMs */
  start(): void;
  /** stops the timer, lets a running pass finish, closes the SMTP transport */
  stop(): Promise<void>;
}

function defaultBackoffMs(failedAttempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, failedAttempts - 1), 3_600_000);
}

// Longest a send may take (connection, greeting, then each command): well under staleClaimMs.
const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };
// At most this many emails per pass, so a large backlog never starves the timer of a stop.
const MAX_PER_PASS = 500;

/** The recipient's server refused the address for good: retrying cannot help. */
function isPermanentRecipientError(error: unknown): boolean {
  const e = error as { code?: unknown; responseCode?: unknown };
  return e?.code === "EENVELOPE" && typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600;
}

export function createOutboxSender(options: OutboxSenderOptions): OutboxSender {
  const { db, logger } = options;
  const target = parseSmtpUrl(options.smtpUrl);
  const from = target.from ?? defaultFromAddress(options.origin);
  const messageIdDomain = new URL(options.origin).hostname.replace(/^\[|\]$/g, "") || "localhost";
  const transport = nodemailer.createTransport({ url: target.url, ...SMTP_TIMEOUTS });
  const senderId = options.senderId ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const intervalMs = options.intervalMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const staleClaimMs = options.staleClaimMs ?? 10 * 60_000;
  const batchSize = options.batchSize ?? 20;
  const clock = options.now ?? (() => new Date());
  const digestClock = options.digestNow === undefined ? appNow : options.digestNow;

  const loop = periodic(
    () => pass(),
    intervalMs,
    (err) => logger?.error({ err }, "outbox pass failed"),
  );

  async function sendOne(id: number, result: OutboxRunResult): Promise<void> {
    if (!(await claimEmail(db, id, senderId, clock()))) return; // another sender has it
    const email = await loadClaimedEmail(db, id, senderId);
    if (!email) return;
    if (email.user_id !== null && email.user_status !== "active") {
      await markEmailCancelled(db, id, senderId, OUTBOX_NOTES.recipientGone);
      result.cancelled++;
      return;
    }
    // Checked again at sending: whatever is in the row, no header can carry a line break.
    const to = safeEmailAddress(email.to_email);
    if (!to) {
      await markEmailCancelled(db, id, senderId, OUTBOX_NOTES.badAddress);
      result.cancelled++;
      return;
    }
    try {
      await transport.sendMail({
        from: { name: "Mashwara", address: from },
        to,
        subject: headerText(email.subject),
        text: bodyText(email.body),
        // One id per outbox row: a copy sent again after a crash is recognisably the same message.
        messageId: `<outbox-${email.id}.${Date.parse(email.created_at) || 0}@${messageIdDomain}>`,
        headers: {
          "Auto-Submitted": "auto-generated",
          // One-click unsubscribe (RFC 2369, RFC 8058) on notification and digest emails; account emails have no link.
          ...(email.unsubscribe_url
            ? { "List-Unsubscribe": `<${headerText(email.unsubscribe_url)}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
            : {}),
        },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      await markEmailSent(db, id, senderId, clock());
      result.sent++;
    } catch (error) {
      const giveUp = email.attempts >= maxAttempts || isPermanentRecipientError(error);
      const retryAt = new Date(clock().getTime() + backoffMs(email.attempts));
      await markEmailAttemptFailed(db, id, senderId, { error, giveUp, retryAt });
      if (giveUp) result.failed++;
      else result.retried++;
      logger?.warn(
        { emailId: id, attempts: email.attempts, giveUp, err: error instanceof Error ? error.message : String(error) },
        "email not sent",
      );
    }
  }

  async function pass(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, retried: 0, failed: 0, cancelled: 0 };
    if (digestClock) await runDigests(db, digestClock, logger);
    const released = await releaseStaleClaims(db, { now: clock(), staleMs: staleClaimMs, maxAttempts });
    if (released) logger?.warn({ released }, "emails left mid-send by a stopped sender were released");
    let handled = 0;
    while (!loop.stopped && handled < MAX_PER_PASS) {
      const ids = await dueEmailIds(db, clock(), batchSize);
      if (ids.length === 0) break;
      let progressed = false;
      for (const id of ids) {
        if (loop.stopped) break;
        const before = result.sent + result.retried + result.failed + result.cancelled;
        await sendOne(id, result);
        if (result.sent + result.retried + result.failed + result.cancelled > before) progressed = true;
        handled++;
      }
      // Every id of the batch was taken by other senders: leave the rest to them until the next tick.
      if (!progressed || ids.length < batchSize) break;
    }
    if (result.sent || result.failed) logger?.info({ ...result }, "outbox pass");
    return result;
  }

  return {
    senderId,
    runOnce: loop.runOnce,
    start: loop.start,
    async stop() {
      await loop.stop();
      transport.close();
    },
  };
}

/** Writes the digests due now; a failure is logged and does not stop the pass's sending. */
async function runDigests(db: Executor, clock: () => Date, logger?: Pick<Logger, "info" | "error">) {
  try {
    const digests = await buildDueDigests(db, clock());
    if (digests.written || digests.dropped) logger?.info({ ...digests }, "digests written");
  } catch (err) {
    logger?.error({ err }, "digest pass failed");
  }
}

/**
 * A pass run now and every `intervalMs`, never two at once in this process
 * (a pass asked for while one runs joins it); `stop` lets a running pass finish.
 */
function periodic<T>(pass: () => Promise<T>, intervalMs: number, onError: (err: unknown) => void) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<T> | null = null;
  let stopped = false;
  function runOnce(): Promise<T> {
    if (!running) {
      running = pass().finally(() => {
        running = null;
      });
    }
    return running;
  }
  return {
    get stopped() {
      return stopped;
    },
    runOnce,
    start() {
      if (timer || stopped) return;
      const tick = () => {
        runOnce().catch(onError);
      };
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}

export interface HeldEmailLoggerOptions {
  db: Executor;
  logger: Pick<Logger, "info" | "error">;
  /** how often to look for new held emails (default 5 s) */
  intervalMs?: number;
  now?: () => Date;
  /** as OutboxSenderOptions.digestNow: digests are written (held) without SMTP too */
  digestNow?: (() => Date) | false;
}

/**
 * Without SMTP_URL: each held email (kept for /admin/outbox) is also written
 * once to the server log, with its body and so its links, so a person trying
 * the app locally can confirm an address or reset a password. Runs in every
 * serving process; each email is claimed for the log by one of them.
 */
export function createHeldEmailLogger(options: HeldEmailLoggerOptions): {
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
} {
  const { db, logger } = options;
  const intervalMs = options.intervalMs ?? 5_000;
  const now = options.now ?? (() => new Date());
  const digestClock = options.digestNow === undefined ? appNow : options.digestNow;
  const loop = periodic(
    () => pass(),
    intervalMs,
    (err) => logger.error({ err }, "held email log pass failed"),
  );

  async function pass(): Promise<number> {
    if (digestClock) await runDigests(db, digestClock, logger);
    let logged = 0;
    for (;;) {
      const emails = await claimHeldForLog(db, now(), 20);
      for (const e of emails) {
        logger.info({ emailId: e.id, to: e.to_email }, `email held (no SMTP_URL), for ${e.to_email}: ${e.subject}\n${e.body}`);
      }
      logged += emails.length;
      if (emails.length < 20 || loop.stopped) return logged;
    }
  }

  return { runOnce: loop.runOnce, start: loop.start, stop: loop.stop };
}
