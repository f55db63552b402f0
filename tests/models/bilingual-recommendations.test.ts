// Bilingual recommendations (issue 18, item 4; ADR 0032) on a real migrated database
// (SQLite, and PostgreSQL with TEST_DATABASE_URL): the two versions as stored (English
// the main one whenever there is one), the validation of a started version, the
// reader's version or the other one marked missing, and each surface that chooses:
// the exports' appended columns, the briefing, the feed and the emails' titles.
import { beforeAll, describe, expect, it } from "vitest";
import { recommendationIn, scriptLanguage, storedVersions, versionIn } from "~/lib/recommendation-language";
import { buildBriefing } from "~/models/briefing.server";
import { loadTargetTitles, targetKey } from "~/models/email-outbox.server";
import { listPublicRecommendations, RECOMMENDATION_COLUMNS } from "~/models/export.server";
import { recommendationFeedItems } from "~/models/feeds.server";
import { createRecommendation, getRecommendation, updateRecommendation } from "~/models/recommendation.server";
import * as migration from "../../db/migrations/2026-12-08T0200-bilingual-recommendations";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makeUser } from "../support/factories";

const EN = {
  title: "Refund duties on export inputs within 30 days",
  text: "Exporters of leather goods should get duty drawback within thirty days of shipment.",
};
const UR = {
  titleUr: "برآمدی خام مال پر ڈیوٹی کی واپسی تیس دن میں",
  textUr: "چمڑے کی مصنوعات برآمد کرنے والوں کو ترسیل کے تیس دن کے اندر ڈیوٹی واپس ملنی چاہیے۔",
};
const base = { cluster: ["leather"], category: ["export-markets"], priority: "2", status: "final" };

describe(`bilingual recommendations (${testDialect})`, () => {
  const t = useTestDb();
  let org: { actorId: number; actorRole: string };
  let consultationId: number;

  beforeAll(async () => {
    const organiser = await makeUser(t.db, { role: "organiser" });
    org = { actorId: organiser.id, actorRole: "organiser" };
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
  });

  const create = async (input: Record<string, unknown>) => {
    const r = await createRecommendation(t.db, { ...org, input: { ...base, ...input } });
    if (!r.ok) throw new Error(`create refused: ${JSON.stringify(r)}`);
    return r.id;
  };
  const row = (id: number) =>
    t.db
      .selectFrom("recommendations")
      .select(["title", "text", "dissent", "language", "other_title", "other_text", "other_dissent"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  const count = async () =>
    Number(
      (
        await t.db
          .selectFrom("recommendations")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("decides a text's language by script (the migration's rule for existing rows)", () => {
    expect(scriptLanguage(UR.titleUr)).toBe("ur");
    expect(scriptLanguage(EN.title)).toBe("en");
    expect(scriptLanguage("SME ٹیکس میں چھوٹ کی درخواست")).toBe("ur");
    expect(scriptLanguage("")).toBe("en");
    expect(storedVersions({ title: "", text: "", dissent: "", titleUr: "ع", textUr: "ب", dissentUr: "ج" })).toMatchObject({
      language: "ur",
      title: "ع",
      other_title: "",
    });
  });

  it("stores both versions with English the main one, and a reader of each language sees theirs", async () => {
    const id = await create({ ...EN, dissent: "Customs disagrees.", ...UR, dissentUr: "کسٹمز متفق نہیں۔" });
    expect(await row(id)).toEqual({
      title: EN.title,
      text: EN.text,
      dissent: "Customs disagrees.",
      language: "en",
      other_title: UR.titleUr,
      other_text: UR.textUr,
      other_dissent: "کسٹمز متفق نہیں۔",
    });
    const r = (await getRecommendation(t.db, { id }))!;
    expect(recommendationIn(r, "ur")).toMatchObject({
      missing: false,
      title: { value: UR.titleUr, lang: "ur", fallback: false },
      dissent: { value: "کسٹمز متفق نہیں۔", lang: "ur", fallback: false },
    });
    expect(recommendationIn(r, "en")).toMatchObject({ missing: false, title: { value: EN.title, lang: "en" } });
  });

  it("an Urdu-only recommendation keeps its title in the main columns; an English reader gets it marked missing", async () => {
    const id = await create(UR);
    expect(await row(id)).toMatchObject({ title: UR.titleUr, text: UR.textUr, language: "ur", other_title: "" });
    const r = (await getRecommendation(t.db, { id }))!;
    expect(versionIn(r, "en")).toBeNull();
    expect(recommendationIn(r, "en")).toMatchObject({ missing: true, title: { value: UR.titleUr, lang: "ur", fallback: true } });
    // Adding an English version makes it the main one; the Urdu moves beside it.
    const u = await updateRecommendation(t.db, { ...org, id, input: { ...base, ...EN, ...UR } });
    expect(u.ok).toBe(true);
    expect(await row(id)).toMatchObject({ title: EN.title, language: "en", other_title: UR.titleUr, other_text: UR.textUr });
  });

  it("a dissent missing from the reader's version falls back on its own, marked", async () => {
    const id = await create({ ...EN, ...UR, dissent: "Customs disagrees." });
    const r = (await getRecommendation(t.db, { id }))!;
    expect(recommendationIn(r, "ur")).toMatchObject({
      missing: false,
      dissent: { value: "Customs disagrees.", lang: "en", fallback: true },
    });
  });

  it("refuses a version without its title or text, or no version at all, by field, and writes nothing", async () => {
    const before = await count();
    const none = await createRecommendation(t.db, { ...org, input: { ...base } });
    expect(none).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { title: ["errors.required"], text: ["errors.required"] } });
    const halfUrdu = await createRecommendation(t.db, { ...org, input: { ...base, ...EN, titleUr: UR.titleUr } });
    expect(halfUrdu).toMatchObject({ ok: false, reason: "invalid", fieldErrors: { textUr: ["errors.required"] } });
    if (halfUrdu.ok || halfUrdu.reason !== "invalid") throw new Error("expected invalid");
    expect(Object.keys(halfUrdu.fieldErrors)).toEqual(["textUr"]);
    const urduDissentOnly = await createRecommendation(t.db, { ...org, input: { ...base, ...EN, dissentUr: "صرف اختلاف" } });
    expect(urduDissentOnly).toMatchObject({ fieldErrors: { titleUr: ["errors.required"], textUr: ["errors.required"] } });
    const short = await createRecommendation(t.db, { ...org, input: { ...base, ...UR, titleUr: "ٹیکس" } });
    expect(short).toMatchObject({ fieldErrors: { titleUr: ["errors.tooShort|5"] } });
    const tooLong = await createRecommendation(t.db, { ...org, input: { ...base, ...EN, ...UR, dissentUr: "ا".repeat(5001) } });
    expect(tooLong).toMatchObject({ fieldErrors: { dissentUr: ["errors.tooLong|5000"] } });
    expect(await count()).toBe(before);
  });

  it("exports append language, title_ur, text_ur and dissent_ur after the existing columns", async () => {
    expect(RECOMMENDATION_COLUMNS.slice(-4)).toEqual(["language", "title_ur", "text_ur", "dissent_ur"]);
    expect(RECOMMENDATION_COLUMNS.slice(0, 8)).toEqual(["id", "title", "clusters", "categories", "priority", "status", "text", "dissent"]);
    const both = await create({ ...EN, ...UR, dissentUr: "کسٹمز متفق نہیں۔" });
    const urdu = await create(UR);
    const english = await create(EN);
    const rows = await listPublicRecommendations(t.db, { after: 0, limit: 1000 });
    const by = (id: number) => rows.find((r) => r.id === `R-${id}`)!;
    expect(by(both)).toMatchObject({
      title: EN.title,
      language: "en",
      title_ur: UR.titleUr,
      text_ur: UR.textUr,
      dissent_ur: "کسٹمز متفق نہیں۔",
    });
    expect(by(urdu)).toMatchObject({ title: UR.titleUr, language: "ur", title_ur: UR.titleUr, text_ur: UR.textUr });
    expect(by(english)).toMatchObject({ title: EN.title, language: "en", title_ur: "", text_ur: "", dissent_ur: "" });
  });

  it("the briefing, the feed and the emails' titles use the document's or reader's language, saying when it is missing", async () => {
    const urdu = await create(UR);
    const english = await create(EN);
    const items = (lang: "en" | "ur") =>
      buildBriefing(t.db, { consultationId, lang }).then((b) => b!.sections.flatMap((s) => s.recommendations));
    const [en, ur] = [await items("en"), await items("ur")];
    expect(en.find((r) => r.id === urdu)).toMatchObject({ title: UR.titleUr, lang: "ur", missing: true });
    expect(en.find((r) => r.id === english)).toMatchObject({ title: EN.title, lang: "en", missing: false });
    expect(ur.find((r) => r.id === english)).toMatchObject({ title: EN.title, lang: "en", missing: true });
    expect(ur.find((r) => r.id === urdu)).toMatchObject({ title: UR.titleUr, lang: "ur", missing: false });

    const feed = await recommendationFeedItems(t.db, { consultationId, lang: "en", limit: 1000 });
    expect(feed.find((r) => r.id === urdu)).toMatchObject({ title: UR.titleUr, text: UR.textUr, missing: true, shownLang: "ur" });
    expect(feed.find((r) => r.id === english)).toMatchObject({ title: EN.title, missing: false });

    const titles = await loadTargetTitles(t.db, [{ type: "recommendation", id: urdu }]);
    expect(titles.get(targetKey({ type: "recommendation", id: urdu }))?.byLanguage).toEqual({
      en: { value: UR.titleUr, lang: "ur", fallback: true },
      ur: { value: UR.titleUr, lang: "ur", fallback: false },
    });
  });

  it("the migration marks an existing recommendation written in Urdu as language ur, its text left where it was", async () => {
    const urdu = await create(UR);
    const english = await create(EN);
    // As before the migration: one version in title/text, whatever its language.
    await migration.down(t.db);
    await migration.up(t.db, testDialect);
    expect(await row(urdu)).toMatchObject({ title: UR.titleUr, text: UR.textUr, language: "ur", other_title: "" });
    expect(await row(english)).toMatchObject({ title: EN.title, text: EN.text, language: "en", other_title: "" });
  });
});
