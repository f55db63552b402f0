// Taxonomy administration on a real migrated database: add, rename, move,
// archive/unarchive and delete with their rules and audit rows; that the
// seed never undoes an admin's rename or archiving; and that an archived
// category or cluster is refused for anything new (a suggestion, an approval)
// while old suggestions keep showing it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTaxonomy } from "../../db/seed";
import { approveSubmission, tagSubmission } from "~/models/moderation.server";
import { createSubmission, getSubmissionForViewer, listSubmissionCategories, updateSubmission } from "~/models/submission.server";
import { listCategories, listClusters, listStages, taxonomyOptions } from "~/models/taxonomy.server";
import {
  addTaxonomyItem,
  deleteTaxonomyItem,
  listTaxonomyForAdmin,
  moveTaxonomyItem,
  renameTaxonomyItem,
  setTaxonomyItemArchived,
  TaxonomyNamesSchema,
} from "~/models/taxonomy-admin.server";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, submissionInput, type MadeUser } from "../support/factories";

describe(`taxonomy administration (${testDialect})`, () => {
  let t: TestDb;
  let admin: MadeUser;
  let moderator: MadeUser;
  let author: MadeUser;
  const who = () => ({ actorId: admin.id, actorRole: "admin" });
  const audits = (action: string, targetId?: string) => {
    let q = t.db.selectFrom("audit_log").selectAll().where("action", "=", action);
    if (targetId) q = q.where("target_id", "=", targetId);
    return q.orderBy("id").execute();
  };
  const category = (slug: string) => t.db.selectFrom("categories").selectAll().where("slug", "=", slug).executeTakeFirstOrThrow();
  const cluster = (slug: string) => t.db.selectFrom("clusters").selectAll().where("slug", "=", slug).executeTakeFirstOrThrow();
  const categorySlugs = async () => (await listCategories(t.db, { includeArchived: true })).map((c) => c.slug);

  beforeAll(async () => {
    t = await createTestDb();
    admin = await makeUser(t.db, { role: "admin" });
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  describe("names and slugs", () => {
    it("trims and collapses spaces, keeps 1–120 characters, refuses control characters", () => {
      const ok = TaxonomyNamesSchema.parse({ nameEn: "  Textiles \n and  garments ", nameUr: " ٹیکسٹائل اور  ملبوسات " });
      expect(ok).toEqual({ nameEn: "Textiles and garments", nameUr: "ٹیکسٹائل اور ملبوسات" });
      const issues = (v: object) => TaxonomyNamesSchema.safeParse(v).error?.issues.map((i) => [i.path.join("."), i.message]);
      expect(issues({ nameEn: "   ", nameUr: "" })).toEqual([
        ["nameEn", "errors.required"],
        ["nameUr", "errors.required"],
      ]);
      expect(issues({ nameEn: "x".repeat(121), nameUr: "ب".repeat(121) })).toEqual([
        ["nameEn", "errors.tooLong|120"],
        ["nameUr", "errors.tooLong|120"],
      ]);
      expect(TaxonomyNamesSchema.safeParse({ nameEn: "x".repeat(120), nameUr: "ب".repeat(120) }).success).toBe(true);
      expect(issues({ nameEn: "Bell\u0007", nameUr: "گھنٹی" })).toEqual([["nameEn", "errors.controlCharacters"]]);
    });

    it("wants Arabic-script letters in the Urdu name (Latin beside them is fine)", () => {
      const urdu = (nameUr: string) => TaxonomyNamesSchema.safeParse({ nameEn: "IT", nameUr }).success;
      expect(urdu("Textiles")).toBe(false);
      expect(urdu("123 ۔")).toBe(false);
      expect(urdu("آئی ٹی (IT)")).toBe(true);
    });
  });

  describe("add", () => {
    it("adds a category at the end, active, offered for new suggestions, with an audit row", async () => {
      const r = await addTaxonomyItem(t.db, {
        ...who(),
        kind: "category",
        slug: "green-energy",
        nameEn: "Green energy",
        nameUr: "سبز توانائی",
      });
      expect(r).toEqual({ ok: true, changed: true, slug: "green-energy" });
      const slugs = await categorySlugs();
      expect(slugs.at(-1)).toBe("green-energy");
      const row = await category("green-energy");
      expect(row).toMatchObject({ name_en: "Green energy", name_ur: "سبز توانائی", archived: 0, hint_en: "", hint_ur: "" });
      expect((await taxonomyOptions(t.db, "ur")).categories).toContainEqual({ value: "green-energy", label: "سبز توانائی" });
      const [a] = await audits("taxonomy.add", "green-energy");
      expect(a).toMatchObject({ actor_id: admin.id, actor_role: "admin", target_type: "category", before: null });
      expect(JSON.parse(a.after!)).toMatchObject({ slug: "green-energy", nameEn: "Green energy", nameUr: "سبز توانائی" });
    });

    it("adds a cluster; a suggestion can be made in it", async () => {
      expect(
        (await addTaxonomyItem(t.db, { ...who(), kind: "cluster", slug: "textiles", nameEn: "Textiles", nameUr: "ٹیکسٹائل" })).ok,
      ).toBe(true);
      expect((await listClusters(t.db)).at(-1)?.slug).toBe("textiles");
      const r = await createSubmission(t.db, {
        authorId: author.id,
        authorRole: "stakeholder",
        input: submissionInput({ cluster: "textiles", title: "Shared dyeing plant for small textile units" }),
      });
      expect(r.ok).toBe(true);
    });

    it("refuses bad input by field, a taken slug per kind, and stages; nothing is written", async () => {
      const before = (await audits("taxonomy.add")).length;
      const bad = await addTaxonomyItem(t.db, { ...who(), kind: "category", slug: "Green Energy!", nameEn: "", nameUr: "Green" });
      expect(bad).toEqual({
        ok: false,
        reason: "invalid",
        fieldErrors: { slug: ["admin.taxonomy.errors.slug"], nameEn: ["errors.required"], nameUr: ["admin.taxonomy.errors.urduScript"] },
      });
      expect((await addTaxonomyItem(t.db, { ...who(), kind: "category", slug: "x", nameEn: "X", nameUr: "ایکس" })).ok).toBe(false); // 1 character
      expect((await addTaxonomyItem(t.db, { ...who(), kind: "category", slug: "-x", nameEn: "X", nameUr: "ایکس" })).ok).toBe(false);
      expect((await addTaxonomyItem(t.db, { ...who(), kind: "category", slug: "a".repeat(61), nameEn: "X", nameUr: "ایکس" })).ok).toBe(
        false,
      );
      expect(await addTaxonomyItem(t.db, { ...who(), kind: "category", slug: "tax-relief", nameEn: "Again", nameUr: "دوبارہ" })).toEqual({
        ok: false,
        reason: "slugTaken",
      });
      expect(await addTaxonomyItem(t.db, { ...who(), kind: "stage", slug: "design", nameEn: "Design", nameUr: "ڈیزائن" })).toEqual({
        ok: false,
        reason: "fixedStages",
      });
      expect((await audits("taxonomy.add")).length).toBe(before);
      // Slugs are unique per kind: a category may share a cluster's slug.
      expect(
        (await addTaxonomyItem(t.db, { ...who(), kind: "category", slug: "leather", nameEn: "Leather matters", nameUr: "چمڑے کے معاملات" }))
          .ok,
      ).toBe(true);
    });

    it("two admins adding the same slug at once: one is added, the other is told it is taken", async () => {
      const add = () =>
        addTaxonomyItem(t.db, {
          ...who(),
          kind: "cluster",
          slug: "gems-jewellery",
          nameEn: "Gems and jewellery",
          nameUr: "جواہرات اور زیورات",
        });
      const results = await Promise.all([add(), add()]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "slugTaken" }]);
    });
  });

  describe("rename", () => {
    it("renames in both languages by slug or id; the slug stays; before/after in the audit row", async () => {
      const it = await cluster("it");
      const r = await renameTaxonomyItem(t.db, {
        ...who(),
        kind: "cluster",
        ref: { id: String(it.id) },
        nameEn: "IT and software",
        nameUr: "آئی ٹی اور سافٹ ویئر",
      });
      expect(r).toEqual({ ok: true, changed: true, slug: "it" });
      expect(await cluster("it")).toMatchObject({ id: it.id, name_en: "IT and software", name_ur: "آئی ٹی اور سافٹ ویئر" });
      const [a] = await audits("taxonomy.rename", "it");
      expect(JSON.parse(a.before!)).toEqual({ nameEn: "Information technology", nameUr: "انفارمیشن ٹیکنالوجی" });
      expect(JSON.parse(a.after!)).toEqual({ nameEn: "IT and software", nameUr: "آئی ٹی اور سافٹ ویئر" });
      // The same names again: nothing to record.
      expect(
        await renameTaxonomyItem(t.db, {
          ...who(),
          kind: "cluster",
          ref: { slug: "it" },
          nameEn: "IT and software",
          nameUr: "آئی ٹی اور سافٹ ویئر",
        }),
      ).toEqual({ ok: true, changed: false, slug: "it" });
      expect(await audits("taxonomy.rename", "it")).toHaveLength(1);
    });

    it("renames a stage; the suggestion form shows the new name", async () => {
      expect(
        (
          await renameTaxonomyItem(t.db, {
            ...who(),
            kind: "stage",
            ref: { slug: "inputs" },
            nameEn: "Inputs and raw materials",
            nameUr: "مداخل اور خام مال",
          })
        ).ok,
      ).toBe(true);
      expect((await taxonomyOptions(t.db, "en")).stages[0]).toEqual({ value: "inputs", label: "Inputs and raw materials" });
    });

    it("unknown items are notFound, malformed references invalid, bad names invalid", async () => {
      const names = { nameEn: "Name", nameUr: "نام" };
      expect(await renameTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: "no-such-thing" }, ...names })).toEqual({
        ok: false,
        reason: "notFound",
      });
      expect(await renameTaxonomyItem(t.db, { ...who(), kind: "category", ref: { id: "999999" }, ...names })).toEqual({
        ok: false,
        reason: "notFound",
      });
      expect((await renameTaxonomyItem(t.db, { ...who(), kind: "category", ref: { id: "abc" }, ...names })).ok).toBe(false);
      expect((await renameTaxonomyItem(t.db, { ...who(), kind: "stage", ref: { id: "1" }, ...names })).ok).toBe(false);
      expect(
        await renameTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: "tax-relief" }, nameEn: "Tax", nameUr: "Tax" }),
      ).toEqual({
        ok: false,
        reason: "invalid",
        fieldErrors: { nameUr: ["admin.taxonomy.errors.urduScript"] },
      });
    });
  });

  describe("move", () => {
    it("moves up and down, renumbering the whole list; the edges are no-ops without an audit row", async () => {
      const before = await categorySlugs();
      const r = await moveTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: before[2] }, direction: "up" });
      expect(r.ok && r.changed).toBe(true);
      const after = await categorySlugs();
      expect(after.slice(0, 3)).toEqual([before[0], before[2], before[1]]);
      const orders = (await listCategories(t.db, { includeArchived: true })).map((c) => c.sort_order);
      expect(orders).toEqual(orders.map((_, i) => i));
      const [a] = await audits("taxonomy.move", before[2]);
      expect(JSON.parse(a.before!)).toEqual({ position: 3 });
      expect(JSON.parse(a.after!)).toEqual({ position: 2, direction: "up" });

      const moves = (await audits("taxonomy.move")).length;
      expect(await moveTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: after[0] }, direction: "up" })).toEqual({
        ok: true,
        changed: false,
        slug: after[0],
      });
      expect(await moveTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: after.at(-1)! }, direction: "down" })).toMatchObject({
        ok: true,
        changed: false,
      });
      expect((await audits("taxonomy.move")).length).toBe(moves);
      expect((await moveTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: after[0] }, direction: "sideways" })).ok).toBe(false);
      expect(await moveTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: "nope-nope" }, direction: "up" })).toEqual({
        ok: false,
        reason: "notFound",
      });
    });

    it("moves stages and clusters; new-suggestion options follow the order", async () => {
      const stages = (await listStages(t.db)).map((s) => s.slug);
      expect((await moveTaxonomyItem(t.db, { ...who(), kind: "stage", ref: { slug: stages[0] }, direction: "down" })).ok).toBe(true);
      expect((await listStages(t.db)).map((s) => s.slug).slice(0, 2)).toEqual([stages[1], stages[0]]);
      expect((await moveTaxonomyItem(t.db, { ...who(), kind: "cluster", ref: { slug: "textiles" }, direction: "up" })).ok).toBe(true);
      const clusters = (await taxonomyOptions(t.db, "en")).clusters.map((c) => c.value);
      expect(clusters.indexOf("textiles")).toBeLessThan(clusters.indexOf("pharmaceutical"));
    });
  });

  describe("archive", () => {
    let oldSuggestion: number;
    let pendingTagged: number;

    beforeAll(async () => {
      // Before archiving: a published suggestion tagged with the category (and suggesting it), and a pending one suggesting it.
      oldSuggestion = await makePublishedSubmission(t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { title: "Solar rooftops for tanneries through a green credit line", suggestedCategory: "green-energy" },
        categories: ["green-energy", "financial-assistance"],
      });
      pendingTagged = await makeSubmission(t.db, {
        authorId: author.id,
        input: { title: "Wind power for the Sialkot industrial estate", suggestedCategory: "green-energy" },
      });
    });

    it("archives with an audit row: gone from new-submission options and moderators' lists, kept on old suggestions", async () => {
      const r = await setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug: "green-energy" }, archived: true });
      expect(r).toEqual({ ok: true, changed: true, slug: "green-energy" });
      const [a] = await audits("taxonomy.archive", "green-energy");
      expect(JSON.parse(a.before!)).toEqual({ archived: false });
      expect(JSON.parse(a.after!)).toEqual({ archived: true });
      expect((await taxonomyOptions(t.db, "en")).categories.map((c) => c.value)).not.toContain("green-energy");
      expect((await listCategories(t.db)).map((c) => c.slug)).not.toContain("green-energy");
      expect(await categorySlugs()).toContain("green-energy");

      // The old suggestion still shows it: its page, its suggested category, and the cluster cards' category list.
      const s = (await getSubmissionForViewer(t.db, { id: oldSuggestion, viewer: null }))!;
      expect(s.categories.map((c) => c.name_en)).toContain("Green energy");
      expect(s.suggested_category_en).toBe("Green energy");
      expect((await listSubmissionCategories(t.db, [oldSuggestion])).get(oldSuggestion)?.map((c) => c.slug)).toContain("green-energy");
      // Archiving twice changes nothing.
      expect(
        await setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug: "green-energy" }, archived: true }),
      ).toMatchObject({ ok: true, changed: false });
      expect(await audits("taxonomy.archive", "green-energy")).toHaveLength(1);
    });

    it("an archived category cannot be chosen for a new suggestion nor for an approval", async () => {
      const created = await createSubmission(t.db, {
        authorId: author.id,
        authorRole: "stakeholder",
        input: submissionInput({ title: "Biogas from tannery waste for local power", suggestedCategory: "green-energy" }),
      });
      expect(created).toEqual({ ok: false, reason: "invalid", fieldErrors: { suggestedCategory: ["errors.invalid"] } });
      const approved = await approveSubmission(t.db, {
        id: pendingTagged,
        moderatorId: moderator.id,
        moderatorRole: "moderator",
        categorySlugs: ["green-energy"],
      });
      expect(approved).toEqual({ ok: false, reason: "invalid", fieldErrors: { category: ["errors.invalid"] } });
      expect((await t.db.selectFrom("submissions").select("status").where("id", "=", pendingTagged).executeTakeFirstOrThrow()).status).toBe(
        "pending",
      );
      // Nor added by re-tagging another suggestion.
      const other = await makePublishedSubmission(t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { title: "Common effluent plant for Kasur tanneries" },
      });
      expect(
        (await tagSubmission(t.db, { id: other, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["green-energy"] }))
          .ok,
      ).toBe(false);
    });

    it("a suggestion that has it keeps it when re-tagged or edited", async () => {
      const retag = await tagSubmission(t.db, {
        id: oldSuggestion,
        moderatorId: moderator.id,
        moderatorRole: "moderator",
        categorySlugs: ["green-energy", "export-markets"],
        reason: "Exports too",
      });
      expect(retag).toEqual({ ok: true, changed: true });
      // The author's pending suggestion keeps its suggested category through an edit; its edit form still offers it.
      const edited = await updateSubmission(t.db, {
        id: pendingTagged,
        viewer: { id: author.id, role: "stakeholder" },
        input: submissionInput({ title: "Wind power for the Sialkot industrial estate, in phases", suggestedCategory: "green-energy" }),
      });
      expect(edited).toEqual({ ok: true });
      const options = await taxonomyOptions(t.db, "en", { keep: { cluster: "leather", category: "green-energy" } });
      expect(options.categories.map((c) => c.value)).toContain("green-energy");
    });

    it("unarchives: offered again", async () => {
      expect((await setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug: "green-energy" }, archived: false })).ok).toBe(
        true,
      );
      expect(await audits("taxonomy.unarchive", "green-energy")).toHaveLength(1);
      expect((await taxonomyOptions(t.db, "en")).categories.map((c) => c.value)).toContain("green-energy");
      expect((await setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug: "green-energy" }, archived: true })).ok).toBe(
        true,
      );
    });

    it("an archived cluster takes no new suggestion or registration, but its suggestions stay readable", async () => {
      const inTextiles = await makePublishedSubmission(t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { cluster: "textiles", title: "Export credit for small garment makers" },
      });
      expect((await setTaxonomyItemArchived(t.db, { ...who(), kind: "cluster", ref: { slug: "textiles" }, archived: true })).ok).toBe(true);
      const refused = await createSubmission(t.db, {
        authorId: author.id,
        authorRole: "stakeholder",
        input: submissionInput({ cluster: "textiles", title: "Another textile suggestion after archiving" }),
      });
      expect(refused).toEqual({ ok: false, reason: "invalid", fieldErrors: { cluster: ["errors.invalid"] } });
      await expect(
        makeUser(t.db, {
          organisation: {
            name: "Faisalabad Weavers",
            type: "firm",
            sizeBand: "small",
            city: "Faisalabad",
            province: "punjab",
            clusterSlug: "textiles",
          },
        }),
      ).rejects.toThrow(/cluster/);
      expect((await taxonomyOptions(t.db, "en")).clusters.map((c) => c.value)).not.toContain("textiles");
      expect((await getSubmissionForViewer(t.db, { id: inTextiles, viewer: null }))?.cluster_name_en).toBe("Textiles");
    });

    it("refuses to archive the last active cluster (409-worthy), and stages", async () => {
      const active = (await listClusters(t.db)).map((c) => c.slug);
      for (const slug of active.slice(1))
        expect((await setTaxonomyItemArchived(t.db, { ...who(), kind: "cluster", ref: { slug }, archived: true })).ok).toBe(true);
      expect(await setTaxonomyItemArchived(t.db, { ...who(), kind: "cluster", ref: { slug: active[0] }, archived: true })).toEqual({
        ok: false,
        reason: "lastActive",
      });
      expect((await listClusters(t.db)).map((c) => c.slug)).toEqual([active[0]]);
      for (const slug of active.slice(1))
        expect((await setTaxonomyItemArchived(t.db, { ...who(), kind: "cluster", ref: { slug }, archived: false })).ok).toBe(true);
      expect(await setTaxonomyItemArchived(t.db, { ...who(), kind: "stage", ref: { slug: "finance" }, archived: true })).toEqual({
        ok: false,
        reason: "fixedStages",
      });
      expect(await setTaxonomyItemArchived(t.db, { ...who(), kind: "cluster", ref: { slug: "atlantis" }, archived: true })).toEqual({
        ok: false,
        reason: "notFound",
      });
    });

    it("two admins archiving the last two active categories at once: one of them stays active", async () => {
      const active = (await listCategories(t.db)).map((c) => c.slug);
      for (const slug of active.slice(2))
        await setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug }, archived: true });
      const results = await Promise.all(
        active.slice(0, 2).map((slug) => setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug }, archived: true })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "lastActive" }]);
      expect(await listCategories(t.db)).toHaveLength(1);
      for (const slug of active) await setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug }, archived: false });
      expect((await listCategories(t.db)).length).toBe(active.length);
    });
  });

  describe("delete", () => {
    it("deletes an unused item the admin added, with an audit row", async () => {
      expect((await addTaxonomyItem(t.db, { ...who(), kind: "category", slug: "typo-categry", nameEn: "Typo", nameUr: "غلطی" })).ok).toBe(
        true,
      );
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: "typo-categry" } })).toEqual({
        ok: true,
        changed: true,
        slug: "typo-categry",
      });
      expect(await categorySlugs()).not.toContain("typo-categry");
      const [a] = await audits("taxonomy.delete", "typo-categry");
      expect(JSON.parse(a.before!)).toMatchObject({ slug: "typo-categry", nameEn: "Typo", nameUr: "غلطی" });
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: "typo-categry" } })).toEqual({
        ok: false,
        reason: "notFound",
      });
    });

    it("never deletes what is in use: suggestions (tagged or suggested), organisations", async () => {
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: "green-energy" } })).toEqual({
        ok: false,
        reason: "inUse",
      });
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "cluster", ref: { slug: "textiles" } })).toEqual({
        ok: false,
        reason: "inUse",
      });
      // Only suggested by a pending suggestion's author, never tagged: still in use.
      await addTaxonomyItem(t.db, {
        ...who(),
        kind: "category",
        slug: "only-suggested",
        nameEn: "Only suggested",
        nameUr: "صرف تجویز کردہ",
      });
      await makeSubmission(t.db, {
        authorId: author.id,
        input: { title: "A suggestion naming a brand new category", suggestedCategory: "only-suggested" },
      });
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: "only-suggested" } })).toEqual({
        ok: false,
        reason: "inUse",
      });
      // A cluster only an organisation names.
      await addTaxonomyItem(t.db, { ...who(), kind: "cluster", slug: "sports-goods", nameEn: "Sports goods", nameUr: "کھیلوں کا سامان" });
      await makeUser(t.db, {
        organisation: {
          name: "Sialkot Footballs",
          type: "firm",
          sizeBand: "small",
          city: "Sialkot",
          province: "punjab",
          clusterSlug: "sports-goods",
        },
      });
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "cluster", ref: { slug: "sports-goods" } })).toEqual({
        ok: false,
        reason: "inUse",
      });
      expect(await audits("taxonomy.delete", "green-energy")).toHaveLength(0);
    });

    it("never deletes a shipped item (the seed would bring it back) nor a stage", async () => {
      const unusedShipped = (await listTaxonomyForAdmin(t.db)).categories.find((c) => c.shipped && !c.inUse)!;
      expect(unusedShipped).toBeTruthy();
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "category", ref: { slug: unusedShipped.slug } })).toEqual({
        ok: false,
        reason: "shipped",
      });
      expect(await deleteTaxonomyItem(t.db, { ...who(), kind: "stage", ref: { slug: "finance" } })).toEqual({
        ok: false,
        reason: "fixedStages",
      });
    });
  });

  describe("the admin listing", () => {
    it("counts the suggestions using each item once, whether tagged, suggested or both", async () => {
      const lists = await listTaxonomyForAdmin(t.db);
      const green = lists.categories.find((c) => c.slug === "green-energy")!;
      // oldSuggestion (tagged and suggested) and pendingTagged (suggested) — each once.
      expect(green).toMatchObject({ archived: true, suggestions: 2, inUse: true, shipped: false });
      const onlySuggested = lists.categories.find((c) => c.slug === "only-suggested")!;
      expect(onlySuggested.suggestions).toBe(1);
      const sports = lists.clusters.find((c) => c.slug === "sports-goods")!;
      expect(sports).toMatchObject({ suggestions: 0, inUse: true });
      const textiles = lists.clusters.find((c) => c.slug === "textiles")!;
      expect(textiles.suggestions).toBeGreaterThanOrEqual(2);
      const direct = await t.db
        .selectFrom("submissions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("cluster_id", "=", (await cluster("textiles")).id)
        .executeTakeFirstOrThrow();
      expect(textiles.suggestions).toBe(Number(direct.n));
      expect(lists.stages.map((s) => s.slug)).toEqual((await listStages(t.db)).map((s) => s.slug));
    });
  });

  describe("the seed", () => {
    it("re-running it never re-adds, renames back, unarchives or reorders what an admin changed", async () => {
      await renameTaxonomyItem(t.db, {
        ...who(),
        kind: "category",
        ref: { slug: "tax-relief" },
        nameEn: "Tax incentives",
        nameUr: "ٹیکس مراعات",
      });
      await setTaxonomyItemArchived(t.db, { ...who(), kind: "category", ref: { slug: "other" }, archived: true });
      await setTaxonomyItemArchived(t.db, { ...who(), kind: "cluster", ref: { slug: "pharmaceutical" }, archived: true });
      const before = {
        clusters: await listClusters(t.db, { includeArchived: true }),
        categories: await listCategories(t.db, { includeArchived: true }),
        stages: await listStages(t.db),
      };
      const outcome = await seedTaxonomy(t.db);
      expect(outcome).toMatchObject({ clusters: 0, categories: 0, stages: 0, consultationCreated: false });
      expect(await listClusters(t.db, { includeArchived: true })).toEqual(before.clusters);
      expect(await listCategories(t.db, { includeArchived: true })).toEqual(before.categories);
      expect(await listStages(t.db)).toEqual(before.stages);
      expect(await category("tax-relief")).toMatchObject({ name_en: "Tax incentives", name_ur: "ٹیکس مراعات" });
      expect((await category("other")).archived).toBe(1);
      expect((await cluster("pharmaceutical")).archived).toBe(1);
      expect((await listStages(t.db)).find((s) => s.slug === "inputs")?.name_en).toBe("Inputs and raw materials");
    });
  });
});
