// The bilingual glossary (issue 18, item 5; ADR 0033): a query's term that is
// a glossary term — an admin's synonym group or a cluster, category or stage
// name in English and Urdu — matches any of its equivalents, in the cluster
// search (FTS5 MATCH / tsquery), the similar-suggestions hint and the
// moderators' duplicate candidates; and the admin's groups are added, edited
// and deleted with the rules of app/models/glossary.server.ts. On both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGlossaryGroup,
  deleteGlossaryGroup,
  listGlossaryGroups,
  updateGlossaryGroup,
  type GlossaryResult,
} from "~/models/glossary.server";
import { likelyDuplicates } from "~/models/moderation-queue.server";
import { buildGlossary, expandTerms } from "~/models/search.server";
import { findSimilarPublished, listClusterSubmissions } from "~/models/submission.server";
import { listWorkbench } from "~/models/synthesis.server";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

describe(`the glossary expands searches (${testDialect})`, () => {
  let t: TestDb;
  let admin: MadeUser;
  let moderator: MadeUser;
  let author: MadeUser;
  let consultationId: number;
  let leather: number;
  const ids: Record<string, number> = {};

  const add = async (key: string, input: Record<string, string>) => {
    ids[key] = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "leather", ...input },
    });
  };
  const search = async (q: string) =>
    (await listClusterSubmissions(t.db, { consultationId, clusterId: leather, sort: "new", page: 1, pageSize: 50, seed: 0, q })).submissions
      .map((s) => s.id)
      .sort((a, b) => a - b);
  const idsOf = (...keys: string[]) => keys.map((k) => ids[k]).sort((a, b) => a - b);
  const who = () => ({ actorId: admin.id, actorRole: "admin" });
  const ok = (r: GlossaryResult) => {
    if (!r.ok) throw new Error(`refused: ${JSON.stringify(r)}`);
    return r;
  };

  beforeAll(async () => {
    t = await createTestDb();
    admin = await makeUser(t.db, { role: "admin" });
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
    leather = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow()).id;
    await add("taxEn", {
      title: "Lower the sales tax on tanned hides",
      problem: "The sales tax on finished hides is charged twice along the chain.",
      proposal: "Charge it once, at the last sale, and refund the rest quickly.",
    });
    await add("taxUr", {
      title: "کھالوں پر سیلز ٹیکس کم کیا جائے",
      problem: "تیار کھالوں پر سیلز ٹیکس پوری زنجیر میں دو بار وصول کیا جاتا ہے۔",
      proposal: "یہ صرف آخری فروخت پر ایک بار لیا جائے اور باقی جلد واپس کیا جائے۔",
    });
    await add("textileUr", {
      title: "ٹیکسٹائل مشینوں کی درآمد آسان بنائی جائے",
      problem: "پرانی مشینوں کی وجہ سے پیداوار سست ہے اور معیار گرتا ہے۔",
      proposal: "نئی مشینوں کی درآمد پر عمل آسان اور تیز کیا جائے۔",
    });
    await add("softwareUr", {
      title: "چمڑے کی صنعت کے لیے سافٹ ویئر",
      problem: "چھوٹے کارخانے اپنے آرڈرز کاغذ پر رکھتے ہیں اور وقت ضائع ہوتا ہے۔",
      proposal: "حکومت ایک سستا سافٹ ویئر فراہم کرے جو آرڈر اور اسٹاک سنبھالے۔",
    });
    await add("itEn", {
      title: "Information technology for tanneries",
      problem: "Tanneries keep their stock books on paper and lose orders in the chaos.",
      proposal: "Fund shared information technology services for small tanneries in Kasur.",
    });
    await add("subsidyUr", {
      title: "چمڑا رنگنے والوں کے لیے زرِ تلافی",
      problem: "رنگ اور کیمیکل مہنگے ہو گئے ہیں اور چھوٹے کارخانے بند ہو رہے ہیں۔",
      proposal: "کیمیکل کی خریداری پر زرِ تلافی دی جائے تاکہ کارخانے چلتے رہیں۔",
    });
    await add("glueEn", {
      title: "Cheaper adhesive for shoe uppers",
      problem: "Imported adhesive for shoe uppers costs three times what it did last year.",
      proposal: "Let shoemakers buy adhesive together through their association.",
    });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("ships a starter set in both languages, as the admin page lists it", async () => {
    const groups = await listGlossaryGroups(t.db);
    expect(groups.length).toBeGreaterThanOrEqual(25);
    const tax = groups.find((g) => g.en.includes("tax"));
    expect(tax?.ur).toContain("ٹیکس");
    expect(groups.find((g) => g.en.includes("leather"))?.ur).toContain("چمڑا");
    expect(groups.find((g) => g.en.includes("export"))?.ur).toContain("برآمد");
  });

  it("expands a query both ways: English finds Urdu and Urdu finds English", async () => {
    expect(await search("tax")).toEqual(idsOf("taxEn", "taxUr"));
    // (the query's own last word is a prefix as before: ٹیکس… also finds ٹیکسٹائل)
    expect(await search("ٹیکس")).toEqual(idsOf("taxEn", "taxUr", "textileUr"));
    expect(await search("ٹیکس سیلز")).toEqual(idsOf("taxUr"));
    expect(await search("sales ٹیکس")).toEqual(idsOf("taxEn"));
    // AND across the query's terms as before: "sales" must be there too, in the text's own words.
    expect(await search("tax hides")).toEqual(idsOf("taxEn"));
  });

  it("matches an equivalent whole, not as a prefix (ٹیکس is not ٹیکسٹائل)", async () => {
    expect(await search("tax")).not.toContain(ids.textileUr);
    // The query's own last word is still a prefix, as before the glossary.
    expect(await search("ٹیکس")).toContain(ids.taxUr);
    expect(await search("ٹیک")).toEqual(idsOf("taxUr", "textileUr"));
  });

  it("handles terms of several words, in the query and among the equivalents", async () => {
    // "software" ↔ "سافٹ ویئر" (two words in Urdu)
    expect(await search("software")).toEqual(idsOf("softwareUr"));
    expect(await search("سافٹ ویئر")).toEqual(idsOf("softwareUr"));
    // the IT cluster's names, "Information technology" ↔ "انفارمیشن ٹیکنالوجی" (a taxonomy group)
    expect(await search("انفارمیشن ٹیکنالوجی")).toEqual(idsOf("itEn"));
    expect(await search("information technology")).toEqual(idsOf("itEn"));
  });

  it("reads Urdu with and without diacritics (زرِ تلافی = زر تلافی)", async () => {
    expect(await search("subsidy")).toEqual(idsOf("subsidyUr"));
    expect(await search("subsidies")).toEqual(idsOf("subsidyUr"));
    expect(await search("زر تلافی")).toEqual(idsOf("subsidyUr"));
    expect(await search("زَرِ تَلافی")).toEqual(idsOf("subsidyUr"));
  });

  it("takes an edited synonym at once: added, changed, deleted", async () => {
    expect(await search("glue")).toEqual([]);
    const created = ok(await createGlossaryGroup(t.db, { ...who(), termsEn: "glue, adhesive", termsUr: "گوند" }));
    expect(await search("glue")).toEqual(idsOf("glueEn"));
    expect(await search("گوند")).toEqual(idsOf("glueEn"));
    // edited: "glue" taken out of the group
    ok(await updateGlossaryGroup(t.db, { ...who(), id: String(created.groupId), termsEn: "adhesive", termsUr: "گوند" }));
    expect(await search("glue")).toEqual([]);
    expect(await search("گوند")).toEqual(idsOf("glueEn"));
    ok(await deleteGlossaryGroup(t.db, { ...who(), id: String(created.groupId) }));
    expect(await search("گوند")).toEqual([]);
  });

  it("expands the similar-suggestions hint, the moderators' duplicate candidates and the workbench", async () => {
    const similar = await findSimilarPublished(t.db, { consultationId, text: "Sales tax on hides" });
    expect(similar.map((s) => s.id)).toEqual(expect.arrayContaining([ids.taxEn, ids.taxUr]));
    const urduOnly = await findSimilarPublished(t.db, { consultationId, text: "software for shoemakers" });
    expect(urduOnly.map((s) => s.id)).toContain(ids.softwareUr);

    const pending = await makeSubmission(t.db, {
      authorId: author.id,
      input: {
        title: "Subsidy for leather dyers",
        problem: "Dyes and chemicals cost twice as much as last year now.",
        proposal: "Give small dyers a subsidy on chemicals for two years at least.",
      },
    });
    const duplicates = await likelyDuplicates(t.db, consultationId, [{ id: pending, title: "Subsidy for leather dyers" }], 5);
    expect(duplicates.get(pending)?.map((d) => d.id)).toContain(ids.subsidyUr);

    const workbench = await listWorkbench(t.db, { consultationId, page: 1, q: "tax" });
    expect(workbench.rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(idsOf("taxEn", "taxUr"));
  });

  describe("the admin's groups", () => {
    it("refuses a term already in another group, naming it and its group, and changes nothing", async () => {
      const before = await listGlossaryGroups(t.db);
      const r = await createGlossaryGroup(t.db, { ...who(), termsEn: "levy, TAX", termsUr: "محصول" });
      expect(r).toMatchObject({ ok: false, reason: "duplicate", field: "termsEn", term: "TAX" });
      if (r.ok || r.reason !== "duplicate") throw new Error("expected a duplicate");
      expect(r.groupTerms).toEqual(expect.arrayContaining(["tax", "ٹیکس"]));
      // as the search reads it: diacritics aside
      expect(await createGlossaryGroup(t.db, { ...who(), termsEn: "rebate", termsUr: "زَر تلافی" })).toMatchObject({
        reason: "duplicate",
        field: "termsUr",
      });
      expect(await listGlossaryGroups(t.db)).toEqual(before);
    });

    it("refuses bad input field by field and changes nothing", async () => {
      const before = await listGlossaryGroups(t.db);
      const refused = async (termsEn: unknown, termsUr: unknown) => {
        const r = await createGlossaryGroup(t.db, { ...who(), termsEn, termsUr });
        expect(r.ok).toBe(false);
        return r.ok ? null : r.reason === "invalid" ? r.fieldErrors : null;
      };
      expect(await refused("solo", "")).toEqual({ form: ["admin.glossary.errors.tooFew"] });
      expect(await refused("cow, COW", "")).toEqual({ form: ["admin.glossary.errors.tooFew"] });
      expect(await refused("cow", "cow")).toEqual({ termsUr: ["admin.glossary.errors.urduScript"] });
      expect(await refused("گائے", "گائے")).toEqual({ termsEn: ["admin.glossary.errors.englishScript"] });
      expect(await refused("the, and", "گائے")).toEqual({ termsEn: ["admin.glossary.errors.noWords"] });
      expect(await refused("x".repeat(61), "گائے")).toEqual({ termsEn: ["errors.tooLong|60"] });
      expect(await refused(Array.from({ length: 13 }, (_, i) => `word${i}`).join(","), "گائے")).toEqual({
        termsEn: ["admin.glossary.errors.tooMany|12"],
      });
      expect(await refused(["a"], "گائے")).toEqual({ termsEn: ["errors.invalid"] });
      expect(await updateGlossaryGroup(t.db, { ...who(), id: "99999999", termsEn: "cow", termsUr: "گائے" })).toEqual({
        ok: false,
        reason: "notFound",
      });
      expect(await updateGlossaryGroup(t.db, { ...who(), id: "1e3", termsEn: "cow", termsUr: "گائے" })).toMatchObject({
        reason: "invalid",
      });
      expect(await deleteGlossaryGroup(t.db, { ...who(), id: "99999999" })).toEqual({ ok: false, reason: "notFound" });
      expect(await listGlossaryGroups(t.db)).toEqual(before);
    });

    it("keeps a term typed twice once, splits on , ، and lines, and audits every change", async () => {
      const r = ok(await createGlossaryGroup(t.db, { ...who(), termsEn: "cow, Cow\ncattle", termsUr: "گائے، مویشی" }));
      const group = (await listGlossaryGroups(t.db)).find((g) => g.id === r.groupId);
      expect(group).toMatchObject({ en: ["cow", "cattle"], ur: ["گائے", "مویشی"] });
      // an edit that changes nothing is not a change
      expect(await updateGlossaryGroup(t.db, { ...who(), id: String(r.groupId), termsEn: "cow, cattle", termsUr: "گائے، مویشی" })).toEqual({
        ok: true,
        changed: false,
        groupId: r.groupId,
      });
      // a group may keep its own terms in an edit (the duplicate check skips the group itself)
      ok(await updateGlossaryGroup(t.db, { ...who(), id: String(r.groupId), termsEn: "cow, cattle, livestock", termsUr: "گائے" }));
      ok(await deleteGlossaryGroup(t.db, { ...who(), id: String(r.groupId) }));
      const audit = await t.db
        .selectFrom("audit_log")
        .select(["action", "actor_id", "before", "after"])
        .where("target_type", "=", "glossary")
        .where("target_id", "=", String(r.groupId))
        .orderBy("id")
        .execute();
      expect(audit.map((a) => a.action)).toEqual(["glossary.create", "glossary.update", "glossary.delete"]);
      expect(audit.every((a) => a.actor_id === admin.id)).toBe(true);
      expect(JSON.parse(audit[1].after!)).toEqual({ en: ["cow", "cattle", "livestock"], ur: ["گائے"] });
      expect(JSON.parse(audit[2].before!)).toEqual({ en: ["cow", "cattle", "livestock"], ur: ["گائے"] });
    });
  });

  describe("expandTerms", () => {
    const glossary = buildGlossary([
      ["tax", "ٹیکس"],
      ["raw materials", "خام مال"],
      ["Tax relief and fiscal incentives", "ٹیکس میں چھوٹ اور مالیاتی مراعات"],
    ]);
    it("takes the longest glossary term from the left, common words in between allowed, the last word a prefix", () => {
      expect(expandTerms(["tax", "relief", "and", "fiscal", "incentives"], glossary)).toEqual([
        {
          alternatives: [
            ["tax", "relief", "and", "fiscal", "incentives"],
            ["ٹیکس", "چھوٹ", "مالیاتی", "مراعات"],
          ],
          prefix: true,
        },
      ]);
      expect(expandTerms(["tax", "on", "raw", "materials"], glossary)).toEqual([
        { alternatives: [["tax"], ["ٹیکس"]], prefix: false },
        { alternatives: [["on"]], prefix: false },
        {
          alternatives: [
            ["raw", "materials"],
            ["خام", "مال"],
          ],
          prefix: true,
        },
      ]);
      expect(expandTerms(["raw"], glossary)).toEqual([{ alternatives: [["raw"]], prefix: true }]);
    });
  });
});
