// Translations of suggestions (issue 18, items 1–3, 6 and the write side of
// item 5): the original language by script, a moderator's translation with
// its history, the author's flag, the translation queue, and search that
// finds a suggestion by its translation (FTS5 on SQLite, tsvector on PostgreSQL).
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { describe, expect, it, beforeAll } from "vitest";
import { listPublicSubmissions, submissionsExport } from "~/models/export.server";
import { addComment, editComment } from "~/models/comment.server";
import { likelyDuplicates } from "~/models/moderation-queue.server";
import { originalLanguageOf } from "~/models/original-language";
import { findSimilarPublished, listClusterSubmissions, updateSubmission } from "~/models/submission.server";
import { supportSubmission } from "~/models/support.server";
import {
  countUntranslatedByCluster,
  flagTranslation,
  getTranslations,
  listOpenTranslationFlags,
  listTranslationQueue,
  listTranslationVersions,
  saveTranslation,
  translationView,
  type TranslationText,
} from "~/models/translation.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { useTestDb } from "../support/suite";

const URDU = {
  cluster: "surgical-instruments",
  title: "چمڑے کی برآمدات کے لیے ٹیکس میں چھوٹ",
  problem: "سیالکوٹ کے چھوٹے کارخانوں پر برآمدی ٹیکس کا بوجھ بہت زیادہ ہے۔",
  proposal: "پہلے تین سال برآمدی آمدنی پر ٹیکس کی شرح آدھی کی جائے۔",
  expectedImpact: "زیادہ کارخانے براہ راست برآمد کریں گے۔",
};
const ENGLISH_OF_URDU: TranslationText = {
  title: "Tax relief for zeppelin exporters",
  problem: "Small workshops in Sialkot carry a heavy export tax burden.",
  proposal: "Halve the tax rate on export income for the first three years.",
  expected_impact: "More workshops will export directly.",
};

describe(`translations (${testDialect})`, () => {
  const t = useTestDb();
  let author: MadeUser;
  let other: MadeUser;
  let moderator: MadeUser;
  let consultationId: number;
  let urduId: number;
  let englishId: number;

  const translate = (id: number, language: "en" | "ur", text: TranslationText, who = moderator) =>
    saveTranslation(t.db, { submissionId: id, language, text, translatorId: who.id, translatorRole: "moderator" });

  beforeAll(async () => {
    author = await makeUser(t.db);
    other = await makeUser(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
    urduId = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: URDU });
    englishId = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: {
        cluster: "surgical-instruments",
        title: "Bonded warehouses for quokka steel imports",
        problem: "Instrument makers wait weeks for imported steel to clear customs.",
        proposal: "Allow bonded warehouses in Sialkot for steel used in exported instruments.",
      },
    });
  });

  it("decides the original language by script: Arabic-script letters are Urdu, mixed text by majority, none is English", () => {
    expect(originalLanguageOf("برآمدات میں اضافہ")).toBe("ur");
    expect(originalLanguageOf("Export growth")).toBe("en");
    expect(originalLanguageOf("GST کی واپسی میں تاخیر سے نقصان")).toBe("ur");
    expect(originalLanguageOf("Refunds of سیلز ٹیکس are late for every exporter")).toBe("en");
    expect(originalLanguageOf("12345 !!", "", null)).toBe("en");
    expect(originalLanguageOf("abc", "ابپت")).toBe("ur");
  });

  it("records the original language on create and on edit, for suggestions and comments", async () => {
    const row = async (id: number) =>
      (await t.db.selectFrom("submissions").select("original_language").where("id", "=", id).executeTakeFirstOrThrow()).original_language;
    expect(await row(urduId)).toBe("ur");
    expect(await row(englishId)).toBe("en");
    const id = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "surgical-instruments" },
    });
    expect(await row(id)).toBe("en");
    const r = await updateSubmission(t.db, {
      id,
      viewer: { id: moderator.id, role: "moderator" },
      input: {
        cluster: "surgical-instruments",
        title: "سرجیکل آلات کی جانچ کی لیبارٹری",
        problem: "بین الاقوامی معیار کی جانچ کے لیے نمونے بیرون ملک بھیجنے پڑتے ہیں۔",
        proposal: "سیالکوٹ میں ایک سرکاری لیبارٹری قائم کی جائے۔",
        expectedImpact: "",
      } as never,
    });
    expect(r.ok).toBe(true);
    expect(await row(id)).toBe("ur");

    const comment = await addComment(t.db, { submissionId: englishId, authorId: other.id, body: "میں اس تجویز سے متفق ہوں۔" });
    expect(comment.ok).toBe(true);
    const commentId = (comment as { id: number }).id;
    const lang = async () =>
      (await t.db.selectFrom("comments").select("original_language").where("id", "=", commentId).executeTakeFirstOrThrow())
        .original_language;
    expect(await lang()).toBe("ur");
    expect(
      (await editComment(t.db, { commentId, submissionId: englishId, authorId: other.id, body: "I agree with this suggestion." })).ok,
    ).toBe(true);
    expect(await lang()).toBe("en");
  });

  it("refuses a translation into the suggestion's own language and changes nothing", async () => {
    const before = await t.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const r = await translate(urduId, "ur", ENGLISH_OF_URDU);
    expect(r).toEqual({ ok: false, reason: "sameLanguage" });
    expect(await getTranslations(t.db, urduId)).toEqual([]);
    expect(await listTranslationVersions(t.db, urduId)).toEqual([]);
    const after = await t.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await translate(urduId, "en", { ...ENGLISH_OF_URDU, title: "  " })).ok).toBe(false);
    expect((await translate(999_999, "en", ENGLISH_OF_URDU)).ok).toBe(false);
  });

  it("stores a translation with its translator, keeps every version, logs it and tells the author", async () => {
    expect(await translate(urduId, "en", ENGLISH_OF_URDU)).toEqual({ ok: true, changed: true });
    // The same text again is no new version.
    expect(await translate(urduId, "en", ENGLISH_OF_URDU)).toEqual({ ok: true, changed: false });
    const [current] = await getTranslations(t.db, urduId);
    expect(current).toMatchObject({ language: "en", title: ENGLISH_OF_URDU.title, version: 1, translator_id: moderator.id });
    const versions = await listTranslationVersions(t.db, urduId);
    expect(versions.map((v) => v.version)).toEqual([1]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "target_id"])
      .where("action", "=", "submission.translate")
      .where("target_id", "=", String(urduId))
      .execute();
    expect(audit).toEqual([{ actor_id: moderator.id, target_id: String(urduId) }]);
    const notes = await t.db
      .selectFrom("notifications")
      .select(["kind", "submission_id"])
      .where("user_id", "=", author.id)
      .where("kind", "=", "translated")
      .execute();
    expect(notes).toEqual([{ kind: "translated", submission_id: urduId }]);
  });

  it("finds an Urdu suggestion by its English translation: cluster search, the similar-suggestions hint, duplicate candidates", async () => {
    const clusterId = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "surgical-instruments").executeTakeFirstOrThrow())
      .id;
    const search = async (q: string) =>
      (await listClusterSubmissions(t.db, { consultationId, clusterId, sort: "new", page: 1, pageSize: 50, seed: 0, q })).submissions.map(
        (s) => s.id,
      );
    expect(await search("zeppelin")).toEqual([urduId]);
    expect(await search("zeppelin exporters")).toEqual([urduId]);
    const similar = await findSimilarPublished(t.db, { consultationId, text: "Zeppelin exporters need tax relief" });
    expect(similar.map((s) => s.id)).toContain(urduId);
    const dups = await likelyDuplicates(t.db, consultationId, [{ id: -1, title: "zeppelin" }], 5);
    expect(dups.get(-1)?.map((d) => d.id)).toContain(urduId);
    // And the other way round: an English suggestion by its Urdu translation.
    expect(await search("گینڈا")).toEqual([]);
    expect(
      await translate(englishId, "ur", {
        title: "گینڈا اسٹیل کی درآمد کے لیے بانڈڈ گودام",
        problem: "آلات بنانے والوں کو درآمدی اسٹیل کے لیے ہفتوں انتظار کرنا پڑتا ہے۔",
        proposal: "سیالکوٹ میں بانڈڈ گودام کی اجازت دی جائے۔",
        expected_impact: "",
      }),
    ).toEqual({ ok: true, changed: true });
    expect(await search("گینڈا")).toEqual([englishId]);
    // The original still finds it too.
    expect(await search("quokka")).toEqual([englishId]);
  });

  it("keeps the translation searchable when the original is edited", async () => {
    const r = await updateSubmission(t.db, {
      id: urduId,
      viewer: { id: moderator.id, role: "moderator" },
      input: { ...URDU, proposal: `${URDU.proposal} اور برآمدی قرضے سستے کیے جائیں۔` } as never,
    });
    expect(r.ok).toBe(true);
    const clusterId = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "surgical-instruments").executeTakeFirstOrThrow())
      .id;
    const found = await listClusterSubmissions(t.db, {
      consultationId,
      clusterId,
      sort: "new",
      page: 1,
      pageSize: 50,
      seed: 0,
      q: "zeppelin",
    });
    expect(found.submissions.map((s) => s.id)).toEqual([urduId]);
    const mine = await listClusterSubmissions(t.db, { consultationId, clusterId, sort: "new", page: 1, pageSize: 50, seed: 0, q: "سستے" });
    expect(mine.submissions.map((s) => s.id)).toEqual([urduId]);
  });

  it("lets only the author flag a translation; a new version closes the flag", async () => {
    const flag = (userId: number, submissionId = urduId) =>
      flagTranslation(t.db, { submissionId, userId, userRole: "stakeholder", reason: "The proposal says three years, not two." });
    expect(await flag(other.id)).toEqual({ ok: false, reason: "notAuthor" });
    const untranslated = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "surgical-instruments" },
    });
    expect(await flag(author.id, untranslated)).toEqual({ ok: false, reason: "noTranslation" });
    expect((await flagTranslation(t.db, { submissionId: urduId, userId: author.id, userRole: "stakeholder", reason: "  " })).ok).toBe(
      false,
    );
    expect(await listOpenTranslationFlags(t.db)).toEqual([]);
    expect(await flag(author.id)).toEqual({ ok: true });
    const open = await listOpenTranslationFlags(t.db);
    expect(open.map((f) => [f.submission_id, f.language])).toEqual([[urduId, "en"]]);
    const audit = await t.db.selectFrom("audit_log").select("actor_id").where("action", "=", "submission.translation-flag").execute();
    expect(audit).toEqual([{ actor_id: author.id }]);
    expect(
      await translate(urduId, "en", { ...ENGLISH_OF_URDU, proposal: "Halve the tax rate on export income for the first two years." }),
    ).toEqual({
      ok: true,
      changed: true,
    });
    expect(await listOpenTranslationFlags(t.db)).toEqual([]);
    const versions = await listTranslationVersions(t.db, urduId);
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect((await getTranslations(t.db, urduId))[0].version).toBe(2);
  });

  it("lists published suggestions without a translation, most supported first, with a count per cluster", async () => {
    const popular = await makePublishedSubmission(t.db, {
      authorId: other.id,
      moderatorId: moderator.id,
      input: { cluster: "surgical-instruments" },
    });
    const fans = [await makeUser(t.db), await makeUser(t.db)];
    for (const fan of fans) expect((await supportSubmission(t.db, { submissionId: popular, userId: fan.id })).ok).toBe(true);
    const queue = await listTranslationQueue(t.db, { consultationId, page: 1 });
    const ids = queue.map((r) => r.id);
    expect(ids[0]).toBe(popular);
    expect(ids).not.toContain(urduId);
    expect(ids).not.toContain(englishId);
    for (let i = 1; i < queue.length; i++) expect(queue[i - 1].supporters_count).toBeGreaterThanOrEqual(queue[i].supporters_count);
    const clusterId = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "surgical-instruments").executeTakeFirstOrThrow())
      .id;
    const counts = await countUntranslatedByCluster(t.db, consultationId);
    const published = await t.db
      .selectFrom("submissions")
      .select("id")
      .where("cluster_id", "=", clusterId)
      .where("status", "=", "published")
      .execute();
    // Every published suggestion of the cluster but the two translated ones.
    expect(counts.get(clusterId)).toBe(published.length - 2);
    const inCluster = await listTranslationQueue(t.db, { consultationId, clusterId, page: 1 });
    expect(inCluster.length).toBe(published.length - 2);
  });

  it("shows the translation to readers of its language, the original on request, and the original alone otherwise", () => {
    expect(translationView({ readerLanguage: "en", translationLanguage: "en", wantOriginal: false })).toEqual({
      show: "translation",
      offer: "original",
    });
    expect(translationView({ readerLanguage: "en", translationLanguage: "en", wantOriginal: true })).toEqual({
      show: "original",
      offer: "translation",
    });
    expect(translationView({ readerLanguage: "ur", translationLanguage: "en", wantOriginal: false })).toEqual({
      show: "original",
      offer: null,
    });
    expect(translationView({ readerLanguage: "en", translationLanguage: null, wantOriginal: false })).toEqual({
      show: "original",
      offer: null,
    });
  });

  it("exports carry the original language and the translation: appended CSV and XLSX columns, a translations object in JSON and the API", async () => {
    const filters = { consultationId, statuses: ["published" as const] };
    const collect = async (chunks: AsyncIterable<string | Buffer>) => {
      const parts: Buffer[] = [];
      for await (const c of chunks) parts.push(typeof c === "string" ? Buffer.from(c, "utf8") : c);
      return Buffer.concat(parts);
    };
    const rows: Array<Record<string, string>> = parse(await collect(submissionsExport(t.db, "csv", filters)), { columns: true, bom: true });
    const urdu = rows.find((r) => Number(r.id) === urduId)!;
    expect(urdu).toMatchObject({ title: URDU.title, original_language: "ur", translated_title: ENGLISH_OF_URDU.title });
    expect(urdu.translated_problem).toBe(ENGLISH_OF_URDU.problem);
    expect(Object.keys(urdu).slice(-5)).toEqual([
      "original_language",
      "translated_title",
      "translated_problem",
      "translated_proposal",
      "translated_expected_impact",
    ]);
    const english = rows.find((r) => Number(r.id) === englishId)!;
    expect(english).toMatchObject({ original_language: "en", translated_title: "گینڈا اسٹیل کی درآمد کے لیے بانڈڈ گودام" });
    const untranslated = rows.find((r) => r.translated_title === "")!;
    expect(untranslated.translated_problem).toBe("");

    const json = JSON.parse((await collect(submissionsExport(t.db, "json", filters))).toString("utf8"));
    const j = json.find((r: { id: number }) => r.id === urduId);
    expect(j.original_language).toBe("ur");
    expect(j.translations).toEqual({
      en: { ...ENGLISH_OF_URDU, proposal: "Halve the tax rate on export income for the first two years." },
    });
    const api = await listPublicSubmissions(t.db, { after: urduId - 1, limit: 1 });
    expect(api[0]).toMatchObject({ id: urduId, original_language: "ur", translations: { en: { title: ENGLISH_OF_URDU.title } } });

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await collect(submissionsExport(t.db, "xlsx", filters))) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("submissions")!;
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    expect(header.slice(-5)).toEqual([
      "original_language",
      "translated_title",
      "translated_problem",
      "translated_proposal",
      "translated_expected_impact",
    ]);
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(1).value === urduId)!;
    expect(row.getCell(header.indexOf("translated_title") + 1).value).toBe(ENGLISH_OF_URDU.title);
  });
  // Last: its suggestion (translated, searchable) would widen the exact sets the tests above check.
  it("moderators saving a first translation of one suggestion at once: every save kept as a version, no error", async () => {
    const id = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { ...URDU, title: `${URDU.title} ۲` },
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => translate(id, "en", { ...ENGLISH_OF_URDU, title: `${ENGLISH_OF_URDU.title} (save ${i + 1})` })),
    );
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ ok: true, changed: true })));
    expect((await listTranslationVersions(t.db, id)).map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const [current] = await getTranslations(t.db, id);
    expect(current.version).toBe(8);
  });
});
