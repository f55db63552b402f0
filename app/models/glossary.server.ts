// The bilingual glossary's admin side (issue 18, item 5; /admin/glossary;
// docs/decisions/0033-glossary-and-query-expansion.md): groups of equivalent
// search terms in English and Urdu ("tax, taxes ↔ ٹیکس"). The search reads
// them, with the taxonomy's names, in app/models/search.server.ts
// (currentGlossary, expandTerms); this file lists, adds, edits and deletes
// groups. Each change is one transaction with its audit entry, and then
// listingsChanged(): every process reads the glossary again and forgets the
// searches it answered with the old one.
//
// The rules:
// - A group has at least two distinct terms (one term alone expands nothing),
//   at most GLOSSARY_TERMS_MAX in each language, each a word or a phrase of
//   1–GLOSSARY_TERM_MAX characters the search can use (not only common words
//   like "the" or "کے", which the search leaves out).
// - Terms are typed separated by commas (, or ،) or one a line. The Urdu list
//   must be in Arabic script and the English list must not be (catches the
//   two swapped). A term typed twice in one group is kept once.
// - A term is in one group only: compared as the search reads it (case,
//   Urdu diacritics, punctuation and common words aside), so "Tax" and "tax"
//   or "زرِ تلافی" and "زر تلافی" are one term. Adding it to a second group is
//   refused with the group that holds it (edit that one instead); the unique
//   key on glossary_terms.term_key holds under concurrent edits too.
import { isUniqueViolation } from "../../db/errors";
import type { DB, Executor } from "../../db/client";
import { listingsChanged } from "~/lib/listing-cache.server";
import { defineRefusals } from "~/lib/refusal";
import { RowId } from "~/lib/row-id";
import { recordAudit } from "./audit.server";
import { glossaryKey } from "./search.server";

export const GLOSSARY_TERM_MAX = 60;
export const GLOSSARY_TERMS_MAX = 12;

export const GLOSSARY_LANGUAGES = ["en", "ur"] as const;
export type GlossaryLanguage = (typeof GLOSSARY_LANGUAGES)[number];
const FIELDS: Record<GlossaryLanguage, "termsEn" | "termsUr"> = { en: "termsEn", ur: "termsUr" };

const CONTROL_CHARACTERS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/;
const ARABIC_LETTER = /(?=\p{L})\p{Script=Arabic}/u;

/** Why a change is refused, and the status each answers with. */
export const GLOSSARY_REFUSALS = defineRefusals({
  invalid: 400,
  notFound: 404,
  duplicate: 409,
});

export type FieldErrors = Partial<Record<"termsEn" | "termsUr" | "id", string[]>> & { form?: string[] };

export type GlossaryRefusal =
  | { ok: false; reason: "invalid"; fieldErrors: FieldErrors }
  /** no such group */
  | { ok: false; reason: "notFound" }
  /** `term` is already in another group (`groupId`, whose terms are `groupTerms`) */
  | { ok: false; reason: "duplicate"; field: "termsEn" | "termsUr"; term: string; groupId: number; groupTerms: string[] };

export type GlossaryResult = { ok: true; changed: boolean; groupId: number } | GlossaryRefusal;

export interface GlossaryActor {
  actorId: number;
  actorRole: string;
  ip?: string | null;
  now?: Date;
}

export interface GlossaryTerm {
  language: GlossaryLanguage;
  term: string;
  key: string;
}

export interface GlossaryGroup {
  id: number;
  en: string[];
  ur: string[];
  updatedAt: string;
}

// ───────────────────────────── validation ─────────────────────────────

/** The terms of one field as typed: split on commas (, ،), semicolons and line breaks; spaces collapsed. */
export function splitTerms(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(/[,،;؛\n\r]+/u)
    .map((t) => t.replace(/\s+/gu, " ").trim())
    .filter(Boolean);
}

/** A group's terms from its two fields, checked (field errors are i18n keys). */
export function parseGroupTerms(input: {
  termsEn: unknown;
  termsUr: unknown;
}): { ok: true; terms: GlossaryTerm[] } | { ok: false; fieldErrors: FieldErrors } {
  const fieldErrors: FieldErrors = {};
  const terms: GlossaryTerm[] = [];
  const seen = new Set<string>();
  for (const language of GLOSSARY_LANGUAGES) {
    const field = FIELDS[language];
    const raw = input[field];
    if (raw !== undefined && raw !== null && typeof raw !== "string") {
      fieldErrors[field] = ["errors.invalid"];
      continue;
    }
    const typed = splitTerms(raw);
    const error = (message: string) => (fieldErrors[field] ??= [message]);
    if (typed.length > GLOSSARY_TERMS_MAX) error(`admin.glossary.errors.tooMany|${GLOSSARY_TERMS_MAX}`);
    for (const term of typed) {
      if (term.length > GLOSSARY_TERM_MAX) error(`errors.tooLong|${GLOSSARY_TERM_MAX}`);
      else if (CONTROL_CHARACTERS.test(term)) error("errors.controlCharacters");
      else if (language === "ur" && !ARABIC_LETTER.test(term)) error("admin.glossary.errors.urduScript");
      else if (language === "en" && ARABIC_LETTER.test(term)) error("admin.glossary.errors.englishScript");
      else if (!glossaryKey(term)) error("admin.glossary.errors.noWords");
      else {
        const key = glossaryKey(term);
        if (seen.has(key)) continue;
        seen.add(key);
        terms.push({ language, term, key });
      }
    }
  }
  if (Object.keys(fieldErrors).length) return { ok: false, fieldErrors };
  if (terms.length < 2) return { ok: false, fieldErrors: { form: ["admin.glossary.errors.tooFew"] } };
  return { ok: true, terms };
}

// ────────────────────────────── reading ───────────────────────────────

/** Every group, terms in the order typed, newest change first. */
export async function listGlossaryGroups(db: Executor): Promise<GlossaryGroup[]> {
  const [groups, terms] = await Promise.all([
    db.selectFrom("glossary_groups").select(["id", "updated_at"]).orderBy("updated_at", "desc").orderBy("id", "desc").execute(),
    db.selectFrom("glossary_terms").select(["group_id", "language", "term"]).orderBy("group_id").orderBy("position").execute(),
  ]);
  const byGroup = new Map<number, GlossaryGroup>(groups.map((g) => [g.id, { id: g.id, en: [], ur: [], updatedAt: g.updated_at }]));
  for (const t of terms) byGroup.get(t.group_id)?.[t.language].push(t.term);
  return [...byGroup.values()];
}

async function groupTerms(db: Executor, groupId: number): Promise<Array<{ language: GlossaryLanguage; term: string }>> {
  return db.selectFrom("glossary_terms").select(["language", "term"]).where("group_id", "=", groupId).orderBy("position").execute();
}

const asAudit = (terms: ReadonlyArray<{ language: GlossaryLanguage; term: string }>) => ({
  en: terms.filter((t) => t.language === "en").map((t) => t.term),
  ur: terms.filter((t) => t.language === "ur").map((t) => t.term),
});

/** The first of `terms` already in a group other than `exceptGroupId`, with that group's terms. */
async function findDuplicate(
  trx: Executor,
  terms: readonly GlossaryTerm[],
  exceptGroupId: number | null,
): Promise<Extract<GlossaryRefusal, { reason: "duplicate" }> | null> {
  let q = trx
    .selectFrom("glossary_terms")
    .select(["group_id", "term_key"])
    .where(
      "term_key",
      "in",
      terms.map((t) => t.key),
    );
  if (exceptGroupId !== null) q = q.where("group_id", "<>", exceptGroupId);
  const taken = await q.execute();
  if (!taken.length) return null;
  const term = terms.find((t) => taken.some((x) => x.term_key === t.key))!;
  const groupId = taken.find((x) => x.term_key === term.key)!.group_id;
  return {
    ok: false,
    reason: "duplicate",
    field: FIELDS[term.language],
    term: term.term,
    groupId,
    groupTerms: (await groupTerms(trx, groupId)).map((t) => t.term),
  };
}

async function insertTerms(trx: Executor, groupId: number, terms: readonly GlossaryTerm[]): Promise<void> {
  await trx
    .insertInto("glossary_terms")
    .values(terms.map((t, position) => ({ group_id: groupId, language: t.language, term: t.term, term_key: t.key, position })))
    .execute();
}

/** A unique violation on term_key: another admin took one of these terms between our check and our write. */
async function duplicateAfterRace(db: DB, terms: readonly GlossaryTerm[], exceptGroupId: number | null): Promise<GlossaryResult> {
  const duplicate = await findDuplicate(db, terms, exceptGroupId);
  if (duplicate) return duplicate;
  throw new Error("glossary: unique violation without a duplicate term");
}

const audit = (trx: Executor, p: GlossaryActor, entry: { action: string; groupId: number; before: unknown; after: unknown }) =>
  recordAudit(
    trx,
    {
      actorId: p.actorId,
      actorRole: p.actorRole,
      ip: p.ip ?? null,
      action: entry.action,
      targetType: "glossary",
      targetId: String(entry.groupId),
      before: entry.before,
      after: entry.after,
    },
    p.now,
  );

// ─────────────────────────────── actions ──────────────────────────────

/** Adds a group of equivalent terms. */
export async function createGlossaryGroup(db: DB, p: GlossaryActor & { termsEn: unknown; termsUr: unknown }): Promise<GlossaryResult> {
  const parsed = parseGroupTerms(p);
  if (!parsed.ok) return { ok: false, reason: "invalid", fieldErrors: parsed.fieldErrors };
  const now = (p.now ?? new Date()).toISOString();
  let result: GlossaryResult;
  try {
    result = await db.transaction().execute(async (trx): Promise<GlossaryResult> => {
      const duplicate = await findDuplicate(trx, parsed.terms, null);
      if (duplicate) return duplicate;
      const group = await trx
        .insertInto("glossary_groups")
        .values({ created_by: p.actorId, created_at: now, updated_by: p.actorId, updated_at: now })
        .returning("id")
        .executeTakeFirstOrThrow();
      await insertTerms(trx, group.id, parsed.terms);
      await audit(trx, p, { action: "glossary.create", groupId: group.id, before: undefined, after: asAudit(parsed.terms) });
      return { ok: true, changed: true, groupId: group.id };
    });
  } catch (error) {
    if (!isUniqueViolation(error, "term_key")) throw error;
    result = await duplicateAfterRace(db, parsed.terms, null);
  }
  if (result.ok) listingsChanged();
  return result;
}

/** Replaces a group's terms with the ones given. */
export async function updateGlossaryGroup(
  db: DB,
  p: GlossaryActor & { id: unknown; termsEn: unknown; termsUr: unknown },
): Promise<GlossaryResult> {
  const id = RowId.safeParse(p.id);
  if (!id.success) return { ok: false, reason: "invalid", fieldErrors: { id: ["errors.invalid"] } };
  const parsed = parseGroupTerms(p);
  if (!parsed.ok) return { ok: false, reason: "invalid", fieldErrors: parsed.fieldErrors };
  const groupId = id.data;
  const now = (p.now ?? new Date()).toISOString();
  let result: GlossaryResult;
  try {
    result = await db.transaction().execute(async (trx): Promise<GlossaryResult> => {
      const group = await trx.selectFrom("glossary_groups").select("id").where("id", "=", groupId).executeTakeFirst();
      if (!group) return { ok: false, reason: "notFound" };
      const before = await groupTerms(trx, groupId);
      const after = asAudit(parsed.terms);
      if (JSON.stringify(asAudit(before)) === JSON.stringify(after)) return { ok: true, changed: false, groupId };
      const duplicate = await findDuplicate(trx, parsed.terms, groupId);
      if (duplicate) return duplicate;
      await trx.deleteFrom("glossary_terms").where("group_id", "=", groupId).execute();
      await insertTerms(trx, groupId, parsed.terms);
      await trx.updateTable("glossary_groups").set({ updated_by: p.actorId, updated_at: now }).where("id", "=", groupId).execute();
      await audit(trx, p, { action: "glossary.update", groupId, before: asAudit(before), after });
      return { ok: true, changed: true, groupId };
    });
  } catch (error) {
    if (!isUniqueViolation(error, "term_key")) throw error;
    result = await duplicateAfterRace(db, parsed.terms, groupId);
  }
  if (result.ok && result.changed) listingsChanged();
  return result;
}

/** Deletes a group and its terms. */
export async function deleteGlossaryGroup(db: DB, p: GlossaryActor & { id: unknown }): Promise<GlossaryResult> {
  const id = RowId.safeParse(p.id);
  if (!id.success) return { ok: false, reason: "invalid", fieldErrors: { id: ["errors.invalid"] } };
  const groupId = id.data;
  const result = await db.transaction().execute(async (trx): Promise<GlossaryResult> => {
    const group = await trx.selectFrom("glossary_groups").select("id").where("id", "=", groupId).executeTakeFirst();
    if (!group) return { ok: false, reason: "notFound" };
    const before = await groupTerms(trx, groupId);
    await trx.deleteFrom("glossary_terms").where("group_id", "=", groupId).execute();
    await trx.deleteFrom("glossary_groups").where("id", "=", groupId).execute();
    await audit(trx, p, { action: "glossary.delete", groupId, before: asAudit(before), after: undefined });
    return { ok: true, changed: true, groupId };
  });
  if (result.ok) listingsChanged();
  return result;
}
