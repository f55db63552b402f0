// Digests (issue 16, item 3; ADR 0028). A person whose email setting is daily
// or weekly gets no email when a notification is written: the notification is
// marked `digest_state = 'pending'`, and is the record the digest is built from.
// When their period has ended (daily: the UTC day; weekly: the ISO week, Monday
// 00:00 UTC), the outbox sender's pass calls `buildDueDigests`, which writes ONE
// email per person listing what changed since their last digest, in their
// language, grouped by suggestion or recommendation with a link to each, and
// marks those notifications `done`.
//
// Written once however many builders run (worker processes, instances on one
// PostgreSQL): each digest starts by inserting the row (user_id, period) into
// email_digests, in the transaction that then writes the email and marks the
// notifications. A second builder's insert conflicts with the first (on
// PostgreSQL it waits for the first to commit, then finds the row) and does
// nothing; once the notifications are marked, a later run finds nothing to do.
import type { Executor } from "../../db/client";
import type { EmailFrequency } from "../../db/schema";
import { inTransaction } from "../../db/transaction";
import { tFor } from "~/lib/i18next.server";
import { bodyText, headerText, safeEmailAddress } from "~/lib/mail-text.server";
import { nowIso } from "~/lib/time";
import { insertEmail, mailSettings, notificationTarget, targetPath, unsubscribeParagraph, unsubscribeUrl } from "./email-outbox.server";

const DAY_MS = 86_400_000;

export type DigestPeriodKind = "daily" | "weekly";

/** Midnight UTC of the day `now` is in. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Monday 00:00 UTC of the ISO week `now` is in. */
export function isoWeekStart(now: Date): Date {
  const day = utcDayStart(now);
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
}

/** The ISO week of a date, as "2026-W50" (the year is the ISO week-numbering year: its Thursday's). */
export function isoWeekLabel(date: Date): string {
  const thursday = new Date(isoWeekStart(date).getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/**
 * The period that ended last before `now`, for a daily or weekly person: its
 * key in email_digests ("D2026-12-06", "W2026-W49"), its first instant, and its
 * end (the start of the current period). A digest lists what is pending from
 * before `end`.
 */
export function lastEndedPeriod(kind: DigestPeriodKind, now: Date): { key: string; start: Date; end: Date } {
  if (kind === "daily") {
    const end = utcDayStart(now);
    const start = new Date(end.getTime() - DAY_MS);
    return { key: `D${start.toISOString().slice(0, 10)}`, start, end };
  }
  const end = isoWeekStart(now);
  const start = new Date(end.getTime() - 7 * DAY_MS);
  return { key: `W${isoWeekLabel(start)}`, start, end };
}

/**
 * The digest a person's pending notifications go to under their current
 * choice: weekly (also when never chosen: only what is not their own decision
 * waits for a digest); daily; leftovers of someone who chose "instant" since
 * go out at the next day's end; null for "off" (they are dropped, unsent).
 */
export function digestPeriodFor(chosen: EmailFrequency | null): DigestPeriodKind | null {
  if (chosen === "off") return null;
  if (chosen === "daily" || chosen === "instant") return "daily";
  return "weekly";
}

export interface DigestRunResult {
  /** digests written (one email each) */
  written: number;
  /** people whose pending notifications were dropped (email turned off, account gone, no usable address) */
  dropped: number;
}

/** Marks a person's pending notifications from before `end` as done, with no email. */
async function markDone(db: Executor, userId: number, ids: number[] | null, before?: string) {
  let q = db.updateTable("notifications").set({ digest_state: "done" }).where("user_id", "=", userId).where("digest_state", "=", "pending");
  if (ids) q = q.where("id", "in", ids);
  if (before) q = q.where("created_at", "<", before);
  await q.execute();
}

/**
 * Writes every digest that is due at `now`: for each person with pending
 * notifications whose period has ended, one email (queued, or held without
 * SMTP) listing them. Idempotent, and safe to run in several processes at once.
 */
export async function buildDueDigests(db: Executor, now: Date, params: { limit?: number } = {}): Promise<DigestRunResult> {
  const result: DigestRunResult = { written: 0, dropped: 0 };
  // Due: what is pending from before the current UTC day for daily people (and
  // for those who turned email off or whose account is gone: dropped), from
  // before the current ISO week for everyone. Those still waiting are not read.
  const dayStart = nowIso(utcDayStart(now));
  const weekStart = nowIso(isoWeekStart(now));
  const candidates = await db
    .selectFrom("notifications as n")
    .innerJoin("users as u", "u.id", "n.user_id")
    .select(["n.user_id", "u.email_frequency", "u.status"])
    .select((eb) => eb.fn.min("n.created_at").as("oldest"))
    .where("n.digest_state", "=", "pending")
    .where((eb) =>
      eb.or([
        eb("n.created_at", "<", weekStart),
        eb.and([
          eb("n.created_at", "<", dayStart),
          eb.or([eb("u.email_frequency", "in", ["daily", "instant", "off"]), eb("u.status", "!=", "active")]),
        ]),
      ]),
    )
    .groupBy(["n.user_id", "u.email_frequency", "u.status"])
    .orderBy("n.user_id")
    .limit(params.limit ?? 500)
    .execute();
  for (const c of candidates) {
    const kind = digestPeriodFor(c.email_frequency ?? null);
    if (!kind || c.status !== "active") {
      await markDone(db, c.user_id, null, dayStart);
      result.dropped++;
      continue;
    }
    const period = lastEndedPeriod(kind, now);
    const end = nowIso(period.end);
    if (String(c.oldest) >= end) continue; // this week's news waits for the week to end
    const outcome = await writeDigest(db, { userId: c.user_id, kind, key: period.key, start: period.start, end: period.end });
    if (outcome === "written") result.written++;
    else if (outcome === "dropped") result.dropped++;
  }
  return result;
}

/**
 * One person's digest for one period, in one transaction that starts by
 * claiming (user, period). The rows it writes are stamped with the wall clock,
 * as every row is (ADR 0024): `now` of buildDueDigests only says which periods
 * have ended, so a test that moves the app's clock does not make the email due
 * in the future for the sender.
 */
async function writeDigest(
  db: Executor,
  p: { userId: number; kind: DigestPeriodKind; key: string; start: Date; end: Date },
): Promise<"written" | "dropped" | "taken"> {
  const now = new Date();
  return inTransaction(db, async (trx) => {
    const claimed = await trx
      .insertInto("email_digests")
      .values({ user_id: p.userId, period: p.key, email_id: null, notifications: 0, created_at: nowIso(now) })
      .onConflict((oc) => oc.columns(["user_id", "period"]).doNothing())
      .returning("user_id")
      .executeTakeFirst();
    if (!claimed) return "taken";
    const end = nowIso(p.end);
    const rows = await trx
      .selectFrom("notifications as n")
      .leftJoin("submissions as s", "s.id", "n.submission_id")
      .leftJoin("recommendations as r", "r.id", "n.recommendation_id")
      .select([
        "n.id",
        "n.kind",
        "n.submission_id",
        "n.recommendation_id",
        "n.created_at",
        "s.title as submission_title",
        "r.title as recommendation_title",
      ])
      .where("n.user_id", "=", p.userId)
      .where("n.digest_state", "=", "pending")
      .where("n.created_at", "<", end)
      .orderBy("n.created_at")
      .orderBy("n.id")
      .execute();
    if (!rows.length) return "taken";
    const ids = rows.map((r) => r.id);
    const user = await trx.selectFrom("users").select(["email", "display_name", "locale"]).where("id", "=", p.userId).executeTakeFirst();
    const to = user ? safeEmailAddress(user.email) : null;
    if (!user || !to) {
      await markDone(trx, p.userId, ids);
      return "dropped";
    }
    const origin = mailSettings().origin;
    const link = await unsubscribeUrl(trx, p.userId, origin);
    const { subject, body } = renderDigestEmail(user.locale, {
      kind: p.kind,
      name: user.display_name,
      start: p.start,
      end: p.end,
      origin,
      unsubscribeLink: link,
      items: rows.map((r) => {
        const target = notificationTarget(r);
        return {
          kind: r.kind,
          at: r.created_at,
          key: target ? `${target.type}:${target.id}` : "none",
          title: (target?.type === "recommendation" ? r.recommendation_title : r.submission_title) ?? null,
          link: target ? origin + targetPath(target) : null,
        };
      }),
    });
    const emailId = await insertEmail(trx, { userId: p.userId, notificationId: null, to, subject, body, unsubscribeUrl: link }, now);
    await trx
      .updateTable("email_digests")
      .set({ email_id: emailId, notifications: rows.length })
      .where("user_id", "=", p.userId)
      .where("period", "=", p.key)
      .execute();
    await markDone(trx, p.userId, ids);
    return "written";
  });
}

export interface DigestItem {
  kind: string;
  at: string;
  /** what it is about ("submission:12"): items about one thing are listed together */
  key: string;
  title: string | null;
  link: string | null;
}

/**
 * Subject and text body of a digest in the reader's language: what changed,
 * one block per suggestion or recommendation (in the order of its first news),
 * each with its title, its link and what happened to it, oldest first.
 * Exported for the tests.
 */
export function renderDigestEmail(
  lng: string,
  d: { kind: DigestPeriodKind; name: string; start: Date; end: Date; origin: string; unsubscribeLink: string; items: DigestItem[] },
) {
  const t = tFor(lng === "ur" ? "ur" : "en");
  const groups = new Map<string, DigestItem[]>();
  for (const item of d.items) groups.set(item.key, [...(groups.get(item.key) ?? []), item]);
  const from = d.start.toISOString().slice(0, 10);
  const to = new Date(d.end.getTime() - 1).toISOString().slice(0, 10);
  const subject = headerText(t(`email.digest.subject.${d.kind}`, { count: d.items.length, from, to }));
  const blocks = [...groups.values()].map((items) => {
    const first = items[0];
    const title = first.title ? headerText(first.title, 150) : t("notifications.deleted");
    const lines = [`• ${title}`];
    if (first.link) lines.push(`  ${first.link}`);
    for (const item of items) lines.push(`  – ${t(`notification.${item.kind}`)} (${item.at.slice(0, 10)})`);
    return lines.join("\n");
  });
  const paragraphs = [
    t("email.greeting", { name: headerText(d.name, 100) }),
    t(`email.digest.intro.${d.kind}`, { count: d.items.length, from, to }),
    ...blocks,
    t("email.footer", { link: `${d.origin}/me/notifications` }),
    unsubscribeParagraph(t, d.origin, d.unsubscribeLink),
  ];
  return { subject, body: bodyText(paragraphs.join("\n\n")) };
}
