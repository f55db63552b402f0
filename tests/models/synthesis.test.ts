// The synthesis workbench on a real migrated database (SQLite, and PostgreSQL
// with TEST_DATABASE_URL): the filters (cluster, category, stage, words,
// covered yes/no, a merged suggestion covered through its target), most
// supported first, bulk linking (to a draft, to a new draft; idempotent; two
// organisers at once with overlapping sets; refusals link nothing) and
// "more like these" (linked ones left out; Urdu sources find Urdu text).
import { beforeAll, describe, expect, it } from "vitest";
import { mergeSubmission, rejectSubmission } from "~/models/moderation.server";
import { createRecommendation, linkSource, unlinkSource, updateRecommendation } from "~/models/recommendation.server";
import { supportSubmission } from "~/models/support.server";
import { linkMany, listWorkbench, moreLikeThese, topTerms } from "~/models/synthesis.server";
import { testDialect } from "../support/db";
import { useActiveConsultation, useTestDb } from "../support/suite";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

describe(`synthesis workbench (${testDialect})`, () => {
  const t = useTestDb();
  const consultation = useActiveConsultation(t);
  let organiser: MadeUser;
  let moderator: MadeUser;
  let org: { actorId: number; actorRole: string };

  beforeAll(async () => {
    organiser = await makeUser(t.db, { role: "organiser" });
    moderator = await makeUser(t.db, { role: "moderator" });
    org = { actorId: organiser.id, actorRole: "organiser" };
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
  });

  const published = async (
    title: string,
    options: { cluster?: string; categories?: string[]; stage?: string; problem?: string; proposal?: string } = {},
  ) => {
    const author = await makeUser(t.db);
    return makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: {
        title,
        cluster: options.cluster ?? "leather",
        ...(options.stage ? { stage: options.stage } : {}),
        ...(options.problem ? { problem: options.problem } : {}),
        ...(options.proposal ? { proposal: options.proposal } : {}),
      },
      categories: options.categories,
    });
  };
  const support = async (submissionId: number, times: number) => {
    for (let i = 0; i < times; i++) {
      const user = await makeUser(t.db);
      const r = await supportSubmission(t.db, { submissionId, userId: user.id });
      if (!r.ok) throw new Error(`support refused: ${JSON.stringify(r)}`);
    }
  };
  const draft = async (title = "A draft recommendation for the workbench") => {
    const r = await createRecommendation(t.db, {
      ...org,
      input: {
        title,
        text: "A recommendation made for the synthesis workbench tests.",
        cluster: [],
        category: ["export-markets"],
        priority: "3",
        dissent: "",
        status: "draft",
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r));
    return r.id;
  };
  const linksOf = async (recommendationId: number) =>
    (
      await t.db
        .selectFrom("recommendation_submissions")
        .select("submission_id")
        .where("recommendation_id", "=", recommendationId)
        .orderBy("submission_id")
        .execute()
    ).map((r) => r.submission_id);
  const list = (filters: Parameters<typeof listWorkbench>[1] extends infer Q ? Partial<Q> : never) =>
    listWorkbench(t.db, { consultationId: consultation.id, page: 1, ...filters });

  it("filters like the cluster page (cluster, category, stage, words), most supported first, with breadth and total", async () => {
    const a = await published("Quokkaword tannery effluent plant", { categories: ["export-markets"], stage: "production" });
    const b = await published("Quokkaword leather export finance", { categories: ["tax-relief"], stage: "finance" });
    const c = await published("Quokkaword surgical steel imports", { cluster: "surgical-instruments", categories: ["export-markets"] });
    await support(b, 2);
    await support(c, 1);
    const all = await list({ q: "quokkaword" });
    expect(all.total).toBe(3);
    expect(all.rows.map((r) => r.id)).toEqual([b, c, a]);
    expect(all.rows[0].breadth.supporters).toBe(2);
    expect(all.rows[0].categories.map((x) => x.slug)).toEqual(["tax-relief"]);
    expect(all.rows[1].cluster.slug).toBe("surgical-instruments");
    const leather = await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
    expect((await list({ q: "quokkaword", clusterId: leather.id })).rows.map((r) => r.id)).toEqual([b, a]);
    const exportMarkets = await t.db.selectFrom("categories").select("id").where("slug", "=", "export-markets").executeTakeFirstOrThrow();
    expect((await list({ q: "quokkaword", categoryId: exportMarkets.id })).rows.map((r) => r.id)).toEqual([c, a]);
    expect((await list({ q: "quokkaword", stage: "finance" })).rows.map((r) => r.id)).toEqual([b]);
    // Pages: a page size of 2 gives the third on page 2, the total unchanged.
    const second = await list({ q: "quokkaword", page: 2, pageSize: 2 });
    expect(second).toMatchObject({ total: 3 });
    expect(second.rows.map((r) => r.id)).toEqual([a]);
  });

  it("serves a search's pages from one ordered list, never stale in what it lists: links, unlinks and publications show at once", async () => {
    const x = await published("Numbatword cold chain for meat exports");
    const y = await published("Numbatword testing laboratory for exporters");
    await support(x, 2);
    const ids = async (covered?: "yes" | "no") => (await list({ q: "numbatword", covered })).rows.map((r) => r.id);
    expect(await ids()).toEqual([x, y]);
    expect(await ids("no")).toEqual([x, y]);
    const rec = await draft("A draft for the search memo test");
    expect((await linkSource(t.db, { ...org, id: rec, submissionId: x })).ok).toBe(true);
    expect(await ids("no")).toEqual([y]);
    expect(await ids("yes")).toEqual([x]);
    expect((await unlinkSource(t.db, { ...org, id: rec, submissionId: x })).ok).toBe(true);
    expect(await ids("no")).toEqual([x, y]);
    const z = await published("Numbatword bonded warehouse near the port");
    // Most supported first, then the newest: z (published after y) before y.
    expect(await ids("no")).toEqual([x, z, y]);
    // Pages of the same search: the same order, sliced.
    const second = await list({ q: "numbatword", page: 2, pageSize: 2 });
    expect(second.total).toBe(3);
    expect(second.rows.map((r) => r.id)).toEqual([y]);
  });

  it("covered yes/no: linked to any recommendation, draft or final; merged ones also through their target; pending and rejected never listed", async () => {
    const linked = await published("Wallabyterm linked to a draft");
    const free = await published("Wallabyterm in no recommendation");
    const target = await published("Wallabyterm merge target");
    const dup = await published("Wallabyterm merged duplicate");
    const rejected = await published("Wallabyterm rejected later");
    const author = await makeUser(t.db);
    await makeSubmission(t.db, { authorId: author.id, input: { title: "Wallabyterm still pending" } });
    expect((await mergeSubmission(t.db, { id: dup, into: target, moderatorId: moderator.id, moderatorRole: "moderator" })).ok).toBe(true);
    expect(
      (
        await rejectSubmission(t.db, {
          id: rejected,
          moderatorId: moderator.id,
          moderatorRole: "moderator",
          reasonCode: "outside-remit",
          reason: "Provincial matter.",
        })
      ).ok,
    ).toBe(true);
    const rec = await draft();
    expect((await linkSource(t.db, { ...org, id: rec, submissionId: linked })).ok).toBe(true);
    expect((await linkSource(t.db, { ...org, id: rec, submissionId: target })).ok).toBe(true);
    const ids = async (covered?: "yes" | "no") => (await list({ q: "wallabyterm", covered })).rows.map((r) => r.id).sort((x, y) => x - y);
    expect(await ids()).toEqual([linked, free, target, dup].sort((x, y) => x - y));
    expect(await ids("yes")).toEqual([linked, target, dup].sort((x, y) => x - y));
    expect(await ids("no")).toEqual([free]);
    const rows = (await list({ q: "wallabyterm" })).rows;
    const merged = rows.find((r) => r.id === dup)!;
    expect(merged).toMatchObject({ status: "merged", mergedInto: target });
    expect(merged.recommendations).toEqual([
      { id: rec, title: "A draft recommendation for the workbench", status: "draft", viaMerge: true },
    ]);
    expect(rows.find((r) => r.id === linked)!.recommendations).toEqual([
      { id: rec, title: "A draft recommendation for the workbench", status: "draft", viaMerge: false },
    ]);
    // A final recommendation covers too.
    const fin = await draft("A final recommendation for the workbench");
    expect((await linkSource(t.db, { ...org, id: fin, submissionId: free })).ok).toBe(true);
    await updateRecommendation(t.db, {
      ...org,
      id: fin,
      input: {
        title: "A final recommendation for the workbench",
        text: "A recommendation made for the synthesis workbench tests.",
        cluster: [],
        category: ["export-markets"],
        priority: "3",
        dissent: "",
        status: "final",
      },
    });
    expect(await ids("no")).toEqual([]);
  });

  it("links many to a new draft, then again to it: the second adds 0; one audit entry each", async () => {
    const ids = [await published("Numbatword one"), await published("Numbatword two"), await published("Numbatword three")];
    const first = await linkMany(t.db, { ...org, submissionIds: ids, recommendation: "new", title: "Numbat draft from the workbench" });
    expect(first).toMatchObject({ ok: true, created: true, added: 3, already: 0 });
    if (!first.ok) throw new Error("refused");
    const r = await t.db.selectFrom("recommendations").selectAll().where("id", "=", first.recommendationId).executeTakeFirstOrThrow();
    expect(r).toMatchObject({
      title: "Numbat draft from the workbench",
      language: "en",
      status: "draft",
      consultation_id: consultation.id,
    });
    // A draft titled in Urdu is the Urdu version (ADR 0032), so the recommendation page shows its title in the Urdu fields.
    const urdu = await linkMany(t.db, { ...org, submissionIds: [ids[0]], recommendation: "new", title: "چمڑے کی برآمد کے لیے سستا قرض" });
    if (!urdu.ok) throw new Error("refused");
    const u = await t.db
      .selectFrom("recommendations")
      .select(["title", "language"])
      .where("id", "=", urdu.recommendationId)
      .executeTakeFirstOrThrow();
    expect(u).toEqual({ title: "چمڑے کی برآمد کے لیے سستا قرض", language: "ur" });
    expect(await linksOf(first.recommendationId)).toEqual([...ids].sort((a, b) => a - b));
    const again = await linkMany(t.db, { ...org, submissionIds: [...ids, ids[0]], recommendation: first.recommendationId });
    expect(again).toEqual({ ok: true, recommendationId: first.recommendationId, created: false, added: 0, already: 3 });
    const extra = await published("Numbatword four");
    expect(await linkMany(t.db, { ...org, submissionIds: [ids[1], extra], recommendation: first.recommendationId })).toMatchObject({
      added: 1,
      already: 1,
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "after"])
      .where("target_type", "=", "recommendation")
      .where("target_id", "=", String(first.recommendationId))
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["recommendation.create", "recommendation.link-many", "recommendation.link-many"]);
    expect(JSON.parse(audit[1].after!)).toEqual({ added: 3, already: 0, submissions: [...ids].sort((a, b) => a - b) });
    expect(JSON.parse(audit[2].after!)).toEqual({ added: 1, already: 1, submissions: [extra] });
  });

  it("two organisers linking overlapping sets at once: no failure, no duplicate row", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) ids.push(await published(`Dingoword overlap ${i} for two organisers`));
    const rec = await draft("Two organisers at once on one draft");
    const other = await makeUser(t.db, { role: "organiser" });
    const [x, y] = await Promise.all([
      linkMany(t.db, { ...org, submissionIds: ids.slice(0, 6), recommendation: rec }),
      linkMany(t.db, { actorId: other.id, actorRole: "organiser", submissionIds: ids.slice(2).reverse(), recommendation: rec }),
    ]);
    expect(x.ok && y.ok).toBe(true);
    if (!x.ok || !y.ok) throw new Error("refused");
    // Every id once; together they added each of the 8 exactly once.
    expect(x.added + y.added).toBe(8);
    expect(x.already + y.already).toBe(4);
    expect(await linksOf(rec)).toEqual(ids);
  });

  it("links 500 at once in one call (chunked under SQLite's variable limit)", async () => {
    const author = await makeUser(t.db);
    const leather = await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    // Published rows written directly: the factory's moderation round trip 500 times adds nothing here.
    const made = await t.db
      .insertInto("submissions")
      .values(
        Array.from({ length: 500 }, (_, i) => ({
          consultation_id: consultation.id,
          cluster_id: leather.id,
          author_id: author.id,
          organisation_id: null,
          title: `Bulk suggestion ${i}`,
          problem: "A problem written for the bulk link test.",
          proposal: "A proposal written for the bulk link test.",
          expected_impact: "",
          stage: null,
          suggested_category_id: null,
          horizon: null,
          status: "published" as const,
          source: "web" as const,
          merged_into_id: null,
          reject_reason_code: null,
          reject_reason: null,
          created_at: now,
          updated_at: now,
          published_at: now,
        })),
      )
      .returning("id")
      .execute();
    const ids = made.map((r) => r.id);
    const r = await linkMany(t.db, { ...org, submissionIds: ids, recommendation: "new", title: "Five hundred at once" });
    expect(r).toMatchObject({ ok: true, added: 500, already: 0 });
  });

  it("refusals link nothing and make no draft", async () => {
    const good = await published("Bilbyword good one");
    const author = await makeUser(t.db);
    const pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "Bilbyword pending one" } });
    const rec = await draft("A draft the refusals must leave alone");
    const count = async () =>
      Number(
        (
          await t.db
            .selectFrom("recommendations")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    expect(await linkMany(t.db, { ...org, submissionIds: [], recommendation: rec })).toEqual({ ok: false, reason: "empty" });
    expect(await linkMany(t.db, { ...org, submissionIds: [good], recommendation: "new", title: "  " })).toEqual({
      ok: false,
      reason: "titleRequired",
    });
    expect(await linkMany(t.db, { ...org, submissionIds: [good], recommendation: "new", title: "abc" })).toEqual({
      ok: false,
      reason: "titleLength",
    });
    expect(await linkMany(t.db, { ...org, submissionIds: [good], recommendation: 999_999 })).toEqual({ ok: false, reason: "notFound" });
    expect(await linkMany(t.db, { ...org, submissionIds: [good, pending], recommendation: rec })).toEqual({
      ok: false,
      reason: "notPublic",
      submissionIds: [pending],
    });
    expect(await linkMany(t.db, { ...org, submissionIds: [good, 999_998], recommendation: "new", title: "Not made at all" })).toEqual({
      ok: false,
      reason: "submissionNotFound",
      submissionIds: [999_998],
    });
    const fin = await draft("A final one that takes no bulk link");
    await t.db.updateTable("recommendations").set({ status: "final" }).where("id", "=", fin).execute();
    expect(await linkMany(t.db, { ...org, submissionIds: [good], recommendation: fin })).toEqual({ ok: false, reason: "final" });
    expect(await linksOf(rec)).toEqual([]);
    expect(await linksOf(fin)).toEqual([]);
    expect(await count()).toBe(before + 1);
  });

  describe("more like these", () => {
    it("is empty without sources; finds the most similar published ones, not the linked ones", async () => {
      const rec = await draft("More like these in English");
      expect(await moreLikeThese(t.db, { recommendationId: rec })).toEqual([]);
      const source = await published("Wombatine chrome tanning effluent treatment", {
        problem: "Wombatine chrome effluent from tanneries pollutes the river near Kasur.",
        proposal: "A shared wombatine effluent treatment plant for the chrome tanneries.",
      });
      const alike = await published("Shared effluent plant for wombatine chrome tanneries", {
        problem: "Each tannery cannot afford chrome effluent treatment on its own.",
        proposal: "Finance a common wombatine treatment plant for chrome effluent.",
      });
      const alsoLinked = await published("Wombatine effluent treatment finance for chrome tanneries", {
        problem: "Wombatine tanneries pay too much for chrome effluent treatment.",
        proposal: "Soft loans for wombatine effluent treatment at chrome tanneries.",
      });
      const unrelated = await published("Cold storage for mango growers in Multan", {
        cluster: "food-processing",
        problem: "Mangoes rot within days when the orchards have no cold rooms nearby.",
        proposal: "Grants for shared cold rooms close to the orchards around Multan.",
      });
      await linkSource(t.db, { ...org, id: rec, submissionId: source });
      await linkSource(t.db, { ...org, id: rec, submissionId: alsoLinked });
      const found = (await moreLikeThese(t.db, { recommendationId: rec, chunkIds: 7 })).map((r) => r.id);
      expect(found).toContain(alike);
      expect(found).not.toContain(source);
      expect(found).not.toContain(alsoLinked);
      expect(found).not.toContain(unrelated);
      expect(found.length).toBeLessThanOrEqual(20);
    });

    it("finds an Urdu-text suggestion from Urdu sources", async () => {
      const rec = await draft("More like these in Urdu");
      const source = await published("سیالکوٹ کی ٹینریوں کے لیے مشترکہ فضلہ صاف کرنے کا پلانٹ", {
        problem: "ٹینریوں کا کرومیم والا فضلہ دریا کو آلودہ کرتا ہے اور ہر ٹینری اکیلے پلانٹ نہیں لگا سکتی۔",
        proposal: "حکومت ٹینریوں کے لیے مشترکہ فضلہ صاف کرنے کا پلانٹ لگانے میں مدد کرے۔",
      });
      const urdu = await published("ٹینریوں کے فضلہ کے لیے مشترکہ پلانٹ کی مالی مدد", {
        problem: "کرومیم والا فضلہ صاف کرنے کا پلانٹ بہت مہنگا ہے۔",
        proposal: "ٹینریوں کے مشترکہ پلانٹ کے لیے آسان قرض دیا جائے۔",
      });
      await linkSource(t.db, { ...org, id: rec, submissionId: source });
      const found = (await moreLikeThese(t.db, { recommendationId: rec })).map((r) => r.id);
      expect(found).toContain(urdu);
      expect(found).not.toContain(source);
    });

    it("reads the sources' most frequent words, stop words out, bounded", () => {
      const terms = topTerms([
        { title: "Export finance for the tanneries", problem: "Tanneries lack export finance.", proposal: "Export credit." },
        { title: "ٹینریوں کے لیے برآمدی قرض", problem: "برآمدی قرض مہنگا ہے", proposal: "سستا قرض" },
      ]);
      expect(terms.slice(0, 2)).toEqual(["export", "قرض"]);
      expect(terms).not.toContain("the");
      expect(terms).not.toContain("کے");
      expect(terms.length).toBeLessThanOrEqual(12);
    });
  });
});
