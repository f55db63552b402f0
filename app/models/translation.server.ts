// Translations of suggestions (issue 18, items 1–3; ADR 0031). A moderator
// translates a suggestion's title, problem, proposal and expected impact into
// the other language than the one it was written in; each save is a new
// version (every version kept), audit-logged, indexed for search with the
// suggestion's own text in the same transaction (search.server.ts
// searchColumns), and told to the author, who may flag a wrong translation to
// the moderators. Readers whose language is the translation's read it by
// default, labelled, with the original one click away (translationView).
import type { Executor } from "../../db/client";
import type { Role, SubmissionStatus } from "../../db/schema";
import { dialectOf, inTransaction } from "../../db/transaction";
import { listingsChanged } from "~/lib/listing-cache.server";
import { defineRefusals } from "~/lib/refusal";
import { nowIso } from "~/lib/time";
import { recordAudit } from "./audit.server";
import { notify } from "./notification.server";
import { otherLanguage, type Language } from "./original-language";
import { forEachIdRange, searchColumns } from "./search.server";

export interface TranslationText {
  title: string;
  problem: string;
  proposal: string;
  expected_impact: string;
}

export interface Translation extends TranslationText {
  language: Language;
  translator_id: number | null;
  translator_name: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** Why a translation is refused, and the status each answers with. */
export const TRANSLATION_REFUSALS = defineRefusals({
  notFound: 404,
  invalid: 400,
  /** a translation must be into the other language than the suggestion's own */
  sameLanguage: 422,
  /** a withdrawn suggestion is no longer anyone's to read */
  withdrawn: 409,
});
export type TranslationRefusal = keyof typeof TRANSLATION_REFUSALS;

/** Why an author's flag on a translation is refused. */
export const TRANSLATION_FLAG_REFUSALS = defineRefusals({
  notFound: 404,
  invalid: 400,
  notAuthor: 403,
  noTranslation: 409,
});
export type TranslationFlagRefusal = keyof typeof TRANSLATION_FLAG_REFUSALS;

/** The rule, decided once: a suggestion in this state and language may be translated into `language`, or why not. */
export function translationRefusal(
  s: { status: SubmissionStatus; original_language: Language },
  language: Language,
): "sameLanguage" | "withdrawn" | null {
  if (s.status === "withdrawn") return "withdrawn";
  if (language === s.original_language) return "sameLanguage";
  return null;
}

/** The language a suggestion written in `original` is translated into. */
export const translationLanguageFor = otherLanguage;

export interface TranslationView {
  /** which text the reader sees */
  show: "original" | "translation";
  /** the link offered next to it: to the original (`?original=1`), back to the translation, or none */
  offer: "original" | "translation" | null;
}

/**
 * What a reader sees of a suggestion: the translation when it is in the
 * reader's interface language (labelled, the original one link away), the
 * original when they asked for it (`?original=1`, with the link back), or
 * the original alone when there is no translation into their language.
 */
export function translationView(p: {
  readerLanguage: string;
  translationLanguage: Language | null;
  wantOriginal: boolean;
}): TranslationView {
  if (!p.translationLanguage || p.translationLanguage !== p.readerLanguage) return { show: "original", offer: null };
  return p.wantOriginal ? { show: "original", offer: "translation" } : { show: "translation", offer: "original" };
}

// ─────────────────────────────── reading ────────────────────────────────

/** The current translations of a suggestion (at most one per language), with the translator's name. */
export async function getTranslations(db: Executor, submissionId: number): Promise<Translation[]> {
  return db
    .selectFrom("submission_translations as t")
    .leftJoin("users as u", "u.id", "t.translator_id")
    .select([
      "t.language",
      "t.title",
      "t.problem",
      "t.proposal",
      "t.expected_impact",
      "t.translator_id",
      "u.display_name as translator_name",
      "t.version",
      "t.created_at",
      "t.updated_at",
    ])
    .where("t.submission_id", "=", submissionId)
    .orderBy("t.language")
    .execute();
}

/** Every version of a suggestion's translations, newest first. */
export async function listTranslationVersions(db: Executor, submissionId: number) {
  return db
    .selectFrom("submission_translation_versions as v")
    .leftJoin("users as u", "u.id", "v.translator_id")
    .select([
      "v.id",
      "v.language",
      "v.version",
      "v.title",
      "v.problem",
      "v.proposal",
      "v.expected_impact",
      "u.display_name as translator_name",
      "v.created_at",
    ])
    .where("v.submission_id", "=", submissionId)
    .orderBy("v.id", "desc")
    .execute();
}

/** The translations of many suggestions (export pages, list cards): id → language → text. */
export async function translationsOf(
  db: Executor,
  ids: number[],
  language?: Language,
): Promise<Map<number, Partial<Record<Language, TranslationText>>>> {
  const out = new Map<number, Partial<Record<Language, TranslationText>>>();
  for (let i = 0; i < ids.length; i += 500) {
    let q = db
      .selectFrom("submission_translations")
      .select(["submission_id", "language", "title", "problem", "proposal", "expected_impact"])
      .where("submission_id", "in", ids.slice(i, i + 500));
    if (language) q = q.where("language", "=", language);
    for (const r of await q.execute()) {
      const byLanguage = out.get(r.submission_id) ?? {};
      byLanguage[r.language] = { title: r.title, problem: r.problem, proposal: r.proposal, expected_impact: r.expected_impact };
      out.set(r.submission_id, byLanguage);
    }
  }
  return out;
}

// ─────────────────────────────── saving ────────────────────────────────

export type SaveTranslationResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: "notFound" | "sameLanguage" | "withdrawn" }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> };

/**
 * Saves a moderator's translation of a suggestion: a new version when the text
 * changed (nothing is written when it did not), the search columns, the
 * audit-log entry, the author's notification, and the open flags on it
 * closed, all in one transaction.
 */
export async function saveTranslation(
  db: Executor,
  p: { submissionId: number; language: Language; text: TranslationText; translatorId: number; translatorRole: Role; now?: Date },
): Promise<SaveTranslationResult> {
  const now = p.now ?? new Date();
  const iso = nowIso(now);
  const text: TranslationText = {
    title: p.text.title.trim(),
    problem: p.text.problem.trim(),
    proposal: p.text.proposal.trim(),
    expected_impact: p.text.expected_impact.trim(),
  };
  const fieldErrors: Record<string, string[]> = {};
  if (!text.title) fieldErrors.title = ["errors.required"];
  if (!text.problem) fieldErrors.problem = ["errors.required"];
  if (!text.proposal) fieldErrors.proposal = ["errors.required"];
  if (Object.keys(fieldErrors).length) return { ok: false, reason: "invalid", fieldErrors };
  return inTransaction(db, async (trx): Promise<SaveTranslationResult> => {
    // Two moderators saving at once: on PostgreSQL the suggestion's row is
    // locked first, so the second reads the first's translation and makes the
    // next version (both read "none" and inserted before: a unique violation,
    // a 500). SQLite's transactions already run one at a time (BEGIN IMMEDIATE).
    const s = await trx
      .selectFrom("submissions")
      .select(["id", "status", "original_language", "author_id", "title", "problem", "proposal", "expected_impact"])
      .where("id", "=", p.submissionId)
      .$if(dialectOf(trx) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    if (!s) return { ok: false, reason: "notFound" };
    const refusal = translationRefusal(s, p.language);
    if (refusal) return { ok: false, reason: refusal };
    const current = await trx
      .selectFrom("submission_translations")
      .select(["title", "problem", "proposal", "expected_impact", "version"])
      .where("submission_id", "=", s.id)
      .where("language", "=", p.language)
      .executeTakeFirst();
    if (
      current &&
      current.title === text.title &&
      current.problem === text.problem &&
      current.proposal === text.proposal &&
      current.expected_impact === text.expected_impact
    )
      return { ok: true, changed: false };
    const version = (current?.version ?? 0) + 1;
    if (current) {
      await trx
        .updateTable("submission_translations")
        .set({ ...text, translator_id: p.translatorId, version, updated_at: iso })
        .where("submission_id", "=", s.id)
        .where("language", "=", p.language)
        .execute();
    } else {
      await trx
        .insertInto("submission_translations")
        .values({
          submission_id: s.id,
          language: p.language,
          ...text,
          translator_id: p.translatorId,
          version,
          created_at: iso,
          updated_at: iso,
        })
        .execute();
    }
    await trx
      .insertInto("submission_translation_versions")
      .values({ submission_id: s.id, language: p.language, version, ...text, translator_id: p.translatorId, created_at: iso })
      .execute();
    // Search finds the suggestion by its translation too, from this commit on.
    const all = await trx
      .selectFrom("submission_translations")
      .select(["title", "problem", "proposal", "expected_impact"])
      .where("submission_id", "=", s.id)
      .orderBy("language")
      .execute();
    await trx.updateTable("submissions").set(searchColumns(s, all)).where("id", "=", s.id).execute();
    await trx
      .updateTable("translation_flags")
      .set({ status: "resolved", resolved_at: iso })
      .where("submission_id", "=", s.id)
      .where("language", "=", p.language)
      .where("status", "=", "open")
      .execute();
    await recordAudit(
      trx,
      {
        actorId: p.translatorId,
        actorRole: p.translatorRole,
        action: "submission.translate",
        targetType: "submission",
        targetId: s.id,
        before: current ? { language: p.language, version: current.version, title: current.title } : null,
        after: { language: p.language, version, title: text.title },
      },
      now,
    );
    await notify(trx, { userId: s.author_id, kind: "translated", submissionId: s.id, data: { language: p.language } }, now);
    listingsChanged();
    return { ok: true, changed: true };
  });
}

// ─────────────────────────────── flags ────────────────────────────────

export type FlagTranslationResult =
  | { ok: true }
  | { ok: false; reason: "notFound" | "notAuthor" | "noTranslation" }
  | { ok: false; reason: "invalid"; fieldErrors: Record<string, string[]> };

/** The suggestion's author says its translation is wrong: an open flag the moderators see, audit-logged. */
export async function flagTranslation(
  db: Executor,
  p: { submissionId: number; userId: number; userRole: Role; reason: string; now?: Date },
): Promise<FlagTranslationResult> {
  const now = p.now ?? new Date();
  const reason = p.reason.trim();
  if (!reason) return { ok: false, reason: "invalid", fieldErrors: { reason: ["errors.required"] } };
  if (reason.length > 2000) return { ok: false, reason: "invalid", fieldErrors: { reason: ["errors.tooLong|2000"] } };
  return inTransaction(db, async (trx): Promise<FlagTranslationResult> => {
    const s = await trx
      .selectFrom("submissions")
      .select(["id", "author_id", "original_language"])
      .where("id", "=", p.submissionId)
      .executeTakeFirst();
    if (!s) return { ok: false, reason: "notFound" };
    if (s.author_id !== p.userId) return { ok: false, reason: "notAuthor" };
    const language = otherLanguage(s.original_language);
    const t = await trx
      .selectFrom("submission_translations")
      .select("version")
      .where("submission_id", "=", s.id)
      .where("language", "=", language)
      .executeTakeFirst();
    if (!t) return { ok: false, reason: "noTranslation" };
    const row = await trx
      .insertInto("translation_flags")
      .values({ submission_id: s.id, language, user_id: p.userId, reason, created_at: nowIso(now), resolved_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      {
        actorId: p.userId,
        actorRole: p.userRole,
        action: "submission.translation-flag",
        targetType: "submission",
        targetId: s.id,
        after: { flag: row.id, language, version: t.version },
        reason,
      },
      now,
    );
    return { ok: true };
  });
}

/** Open flags on translations, oldest first: what the moderators' queue lists. */
export async function listOpenTranslationFlags(db: Executor, limit = 50) {
  return db
    .selectFrom("translation_flags as f")
    .innerJoin("submissions as s", "s.id", "f.submission_id")
    .select(["f.id", "f.submission_id", "f.language", "f.reason", "f.created_at", "s.title"])
    .where("f.status", "=", "open")
    .orderBy("f.created_at")
    .orderBy("f.id")
    .limit(limit)
    .execute();
}

/** Open flags on one suggestion's translations. */
export async function openFlagsOf(db: Executor, submissionId: number) {
  return db
    .selectFrom("translation_flags")
    .select(["id", "language", "reason", "created_at"])
    .where("submission_id", "=", submissionId)
    .where("status", "=", "open")
    .orderBy("id")
    .execute();
}

// ─────────────────────────────── the queue ────────────────────────────────

const QUEUE_PAGE_SIZE = 50;

/**
 * Published suggestions without a translation, most supported first (a small
 * team translates what matters most). The page walks the (consultation,
 * supporters) indexes down and checks each suggestion's translation by its
 * primary key, so it stops after its rows at any size.
 */
export async function listTranslationQueue(db: Executor, q: { consultationId: number; clusterId?: number; page: number }) {
  let base = db
    .selectFrom("submissions as s")
    .where("s.consultation_id", "=", q.consultationId)
    .where("s.status", "=", "published")
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("submission_translations as t").select("t.submission_id").whereRef("t.submission_id", "=", "s.id"))),
    );
  if (q.clusterId) base = base.where("s.cluster_id", "=", q.clusterId);
  return base
    .innerJoin("clusters as c", "c.id", "s.cluster_id")
    .select([
      "s.id",
      "s.title",
      "s.original_language",
      "s.supporters_count",
      "s.published_at",
      "c.slug as cluster_slug",
      "c.name_en as cluster_name_en",
      "c.name_ur as cluster_name_ur",
    ])
    .orderBy("s.supporters_count", "desc")
    .orderBy("s.id")
    .limit(QUEUE_PAGE_SIZE)
    .offset((q.page - 1) * QUEUE_PAGE_SIZE)
    .execute();
}

/**
 * Published suggestions without a translation, per cluster. Counted in id
 * ranges (ADR 0021): one short statement per range, the event loop free
 * between them, on 100,000 suggestions as on 100.
 */
export async function countUntranslatedByCluster(db: Executor, consultationId: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  await forEachIdRange(db, async ({ from, to }) => {
    const rows = await db
      .selectFrom("submissions as s")
      .select((eb) => ["s.cluster_id", eb.fn.countAll<number>().as("n")])
      .where("s.id", ">=", from)
      .where("s.id", "<=", to)
      .where("s.consultation_id", "=", consultationId)
      .where("s.status", "=", "published")
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("submission_translations as t").select("t.submission_id").whereRef("t.submission_id", "=", "s.id"))),
      )
      .groupBy("s.cluster_id")
      .execute();
    for (const r of rows) counts.set(r.cluster_id, (counts.get(r.cluster_id) ?? 0) + Number(r.n));
  });
  return counts;
}
