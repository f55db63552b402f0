// Browsing: the cluster list (sorts, filters, full-text search, pagination)
// and the "similar suggestions" while an author types a title.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addComment } from "~/models/comment.server";
import { approveSubmission } from "~/models/moderation.server";
import { findSimilarPublished, listClusterSubmissions, updateSubmission, type ClusterListQuery } from "~/models/submission.server";
import { supportSubmission } from "~/models/support.server";
import type { Sort } from "~/lib/reference";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { clearGlossary } from "../support/glossary";
import { makePublishedSubmission, makeSubmission, makeUser, submissionInput, type MadeUser } from "../support/factories";

const DAY = 24 * 3_600_000;

const org = (type: "firm" | "association", province: string) => ({
  name: `Search Organisation ${type} ${province} ${Math.random().toString(36).slice(2, 8)}`,
  type,
  sizeBand: "medium" as const,
  city: "Karachi",
  province,
  clusterSlug: "pharmaceutical",
});

describe(`browsing and search (${testDialect})`, () => {
  let t: TestDb;
  let moderator: MadeUser;
  let firmPunjab: MadeUser;
  let assocSindh: MadeUser;
  let assocPunjab: MadeUser;
  let supporters: MadeUser[];
  let consultationId: number;
  let clusterId: number;
  let taxRelief: number;
  /** every published pharmaceutical submission, in the order published (oldest first) */
  const all: number[] = [];
  const byAuthor = new Map<number, number[]>();
  const ids: Record<string, number> = {};
  let outsiders: Record<string, number>;
  const base = Date.now();

  async function add(
    key: string | null,
    author: MadeUser,
    input: Record<string, string> = {},
    categories = ["export-markets"],
  ): Promise<number> {
    const n = all.length;
    const id = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "pharmaceutical", title: `Pharmaceutical suggestion number ${n} about quality`, ...input },
      categories,
      publishedAt: new Date(base + (n + 1) * 60_000),
    });
    all.push(id);
    byAuthor.set(author.id, [...(byAuthor.get(author.id) ?? []), id]);
    if (key) ids[key] = id;
    return id;
  }

  beforeAll(async () => {
    t = await createTestDb();
    // The plain search: no synonym groups (the glossary's expansion is tests/models/glossary.test.ts).
    await clearGlossary(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
    firmPunjab = await makeUser(t.db, { organisation: org("firm", "punjab") });
    assocSindh = await makeUser(t.db, { organisation: org("association", "sindh") });
    assocPunjab = await makeUser(t.db, { organisation: org("association", "punjab") });
    supporters = [];
    for (let i = 0; i < 3; i++) supporters.push(await makeUser(t.db));
    consultationId = (await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow()).id;
    clusterId = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "pharmaceutical").executeTakeFirstOrThrow()).id;
    taxRelief = (await t.db.selectFrom("categories").select("id").where("slug", "=", "tax-relief").executeTakeFirstOrThrow()).id;

    await add("english", firmPunjab, {
      title: "Export finance for small drug makers",
      problem: "Banks ask for collateral that small pharmaceutical firms cannot offer for export orders.",
      proposal: "A refinance window at the central bank for pre-shipment finance of medicines.",
    });
    await add(
      "urdu",
      assocSindh,
      {
        title: "ادویات کی برآمدات کے لیے مالی معاونت",
        problem: "چھوٹی دوا ساز کمپنیوں کو برآمدی آرڈرز کے لیے قرض نہیں ملتا۔",
        proposal: "برآمد کنندگان کے لیے کم شرح سود پر قرض کی سہولت دی جائے۔",
      },
      ["tax-relief"],
    );
    await add("logistics", assocPunjab, { stage: "logistics", title: "Cold chain warehouses near Karachi port" }, [
      "tax-relief",
      "supply-chain-logistics",
    ]);
    await add("top", firmPunjab);
    await add("second", firmPunjab);
    await add("third", assocSindh);
    await add("discussed", assocSindh);
    await add("discussed2", assocPunjab);
    await add("trending", firmPunjab);
    while (all.length < 23) await add(null, all.length % 3 ? firmPunjab : assocPunjab, { stage: all.length % 2 ? "finance" : "skills" });

    // Supports now (weight ≈ 1 each): top 3, second 2, third 1.
    for (const [key, n] of [
      ["top", 3],
      ["second", 2],
      ["third", 1],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const r = await supportSubmission(t.db, { submissionId: ids[key], userId: supporters[i].id });
        if (!r.ok) throw new Error(JSON.stringify(r));
      }
    }
    // One support three days later outweighs three today (2^3 > 3).
    await supportSubmission(t.db, { submissionId: ids.trending, userId: supporters[0].id, now: new Date(base + 3 * DAY) });
    for (const [key, n] of [
      ["discussed", 4],
      ["discussed2", 2],
    ] as const) {
      for (let i = 0; i < n; i++) await addComment(t.db, { submissionId: ids[key], authorId: supporters[i % 3].id, body: `Comment ${i}` });
    }

    // Things the cluster list must not show.
    const pending = await makeSubmission(t.db, {
      authorId: firmPunjab.id,
      input: { cluster: "pharmaceutical", title: "Export finance guarantee for pharmaceutical exporters" },
    });
    const otherCluster = await makePublishedSubmission(t.db, {
      authorId: firmPunjab.id,
      moderatorId: moderator.id,
      input: { cluster: "it", title: "Export finance for software houses in Lahore" },
    });
    const hidden = await makePublishedSubmission(t.db, {
      authorId: firmPunjab.id,
      moderatorId: moderator.id,
      input: { cluster: "pharmaceutical", title: "Export finance hidden after three reports" },
    });
    await t.db.updateTable("submissions").set({ status: "hidden" }).where("id", "=", hidden).execute();
    outsiders = { pending, otherCluster, hidden };
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const list = (q: Partial<ClusterListQuery> = {}) =>
    listClusterSubmissions(t.db, { consultationId, clusterId, sort: "new", page: 1, pageSize: 50, seed: 0, ...q });
  const listIds = async (q: Partial<ClusterListQuery> = {}) => (await list(q)).submissions.map((s) => s.id);
  const column = async (k: "supporters_count" | "comments_count" | "trending_score" | "published_at") => {
    const rows = await t.db.selectFrom("submissions").selectAll().where("id", "in", all).execute();
    return new Map(rows.map((r) => [r.id, r[k] as number | string]));
  };
  /** `all` sorted by the given key descending, then id descending (the list's tie-break). */
  const expectedOrder = async (k: "supporters_count" | "comments_count" | "trending_score" | "published_at") => {
    const v = await column(k);
    return [...all].sort((a, b) => (v.get(a)! < v.get(b)! ? 1 : v.get(a)! > v.get(b)! ? -1 : b - a));
  };

  describe("listClusterSubmissions", () => {
    it("lists only the published submissions of the cluster", async () => {
      const r = await list();
      expect(r.total).toBe(all.length);
      expect(new Set(r.submissions.map((s) => s.id))).toEqual(new Set(all));
      for (const outsider of Object.values(outsiders)) expect(r.submissions.map((s) => s.id)).not.toContain(outsider);
      expect(r.submissions.every((s) => s.status === "published" && s.cluster_slug === "pharmaceutical")).toBe(true);
    });

    it("sorts by supporters for 'top'", async () => {
      const got = await listIds({ sort: "top" });
      // 3, 2, then the two with one support, the newer id first.
      expect(got.slice(0, 4)).toEqual([ids.top, ids.second, ids.trending, ids.third]);
      expect(got).toEqual(await expectedOrder("supporters_count"));
    });

    it("sorts by publication, newest first, for 'new'", async () => {
      const got = await listIds({ sort: "new" });
      expect(got).toEqual([...all].reverse());
      expect(got).toEqual(await expectedOrder("published_at"));
    });

    it("sorts by comments for 'discussed'", async () => {
      const got = await listIds({ sort: "discussed" });
      expect(got.slice(0, 2)).toEqual([ids.discussed, ids.discussed2]);
      expect(got).toEqual(await expectedOrder("comments_count"));
    });

    it("sorts by time-decayed activity for 'trending'", async () => {
      const got = await listIds({ sort: "trending" });
      // One support three days later (2^3) beats four comments (≈4) and three supports (≈3) of today.
      expect(got.slice(0, 3)).toEqual([ids.trending, ids.discussed, ids.top]);
      expect(got).toEqual(await expectedOrder("trending_score"));
    });

    it("pages through 'random' with one seed: same order every time, each submission exactly once", async () => {
      for (const seed of [0, 123_456_789, 2 ** 31 - 1, 987_654]) {
        const seen: number[] = [];
        const pageSize = 7;
        const pages = Math.ceil(all.length / pageSize);
        for (let page = 1; page <= pages; page++) {
          const r = await list({ sort: "random", seed, page, pageSize });
          expect(r.total).toBe(all.length);
          expect(r.submissions.length).toBe(Math.min(pageSize, all.length - (page - 1) * pageSize));
          seen.push(...r.submissions.map((s) => s.id));
        }
        expect(seen).toHaveLength(all.length);
        expect(new Set(seen)).toEqual(new Set(all));
        // The same seed again: the same order.
        const again = await listIds({ sort: "random", seed });
        expect(again).toEqual(seen);
        expect((await list({ sort: "random", seed, page: pages + 1, pageSize })).submissions).toEqual([]);
      }
    });

    it("rotates 'random' from the seed: a different seed starts elsewhere", async () => {
      // Fix the keys so the rotation is predictable: key of the i-th submission = (i + 1) * 1000.
      const saved = await t.db.selectFrom("submissions").select(["id", "random_key"]).where("id", "in", all).execute();
      try {
        for (const [i, id] of all.entries()) {
          await t.db
            .updateTable("submissions")
            .set({ random_key: (i + 1) * 1000 })
            .where("id", "=", id)
            .execute();
        }
        expect(await listIds({ sort: "random", seed: 0 })).toEqual(all);
        const fromSixth = await listIds({ sort: "random", seed: 5500 });
        expect(fromSixth).toEqual([...all.slice(5), ...all.slice(0, 5)]);
        // Across a page boundary inside the wrap-around.
        const p1 = await listIds({ sort: "random", seed: 20_500, page: 1, pageSize: 5 });
        const p2 = await listIds({ sort: "random", seed: 20_500, page: 2, pageSize: 5 });
        expect([...p1, ...p2]).toEqual([...all.slice(20), ...all.slice(0, 7)]);
        const firsts = new Set<number>();
        for (const seed of [1, 4_000, 9_000, 15_000, 22_500]) firsts.add((await listIds({ sort: "random", seed, pageSize: 1 }))[0]);
        expect(firsts.size).toBe(5);
      } finally {
        for (const r of saved) await t.db.updateTable("submissions").set({ random_key: r.random_key }).where("id", "=", r.id).execute();
      }
    });

    it("gives different seeds different orders with the keys set at creation", async () => {
      const firsts = new Set<number>();
      for (const seed of [0, 400_000_000, 800_000_000, 1_200_000_000, 1_600_000_000, 2_000_000_000]) {
        firsts.add((await listIds({ sort: "random", seed, pageSize: 1 }))[0]);
      }
      // Six seeds spread over the key range: at least two different first items (fails only if the keys are all alike).
      expect(firsts.size).toBeGreaterThan(1);
    });

    it("counts the total and pages the other sorts without gaps", async () => {
      for (const sort of ["top", "new", "discussed", "trending"] as Sort[]) {
        const seen: number[] = [];
        for (let page = 1; page <= 3; page++) {
          const r = await list({ sort, page, pageSize: 10 });
          expect(r.total).toBe(all.length);
          seen.push(...r.submissions.map((s) => s.id));
        }
        expect(seen).toEqual(await listIds({ sort }));
        const beyond = await list({ sort, page: 4, pageSize: 10 });
        expect(beyond).toEqual({ total: all.length, submissions: [] });
      }
    });

    it("filters by category, stage, organisation type and province", async () => {
      const taxed = await listIds({ category: taxRelief });
      expect(new Set(taxed)).toEqual(new Set([ids.urdu, ids.logistics]));
      expect(new Set(await listIds({ stage: "logistics" }))).toEqual(new Set([ids.logistics]));
      const finance = all.filter((_, i) => i >= 9 && i % 2 === 1);
      expect(new Set(await listIds({ stage: "finance" }))).toEqual(new Set(finance));
      expect((await list({ stage: "finance" })).total).toBe(finance.length);

      const assocIds = [...byAuthor.get(assocSindh.id)!, ...byAuthor.get(assocPunjab.id)!];
      expect(new Set(await listIds({ orgType: "association" }))).toEqual(new Set(assocIds));
      expect(new Set(await listIds({ province: "sindh" }))).toEqual(new Set(byAuthor.get(assocSindh.id)));
      expect(new Set(await listIds({ orgType: "association", province: "punjab" }))).toEqual(new Set(byAuthor.get(assocPunjab.id)));
      expect(await list({ orgType: "government" })).toEqual({ total: 0, submissions: [] });
      expect(new Set(await listIds({ category: taxRelief, province: "sindh" }))).toEqual(new Set([ids.urdu]));
    });

    it("shows an organisation's name on a card only where its member allowed it", async () => {
      const shy = (await list()).submissions.find((s) => s.id === ids.english);
      expect(shy?.organisation_name).toBeNull();
      expect(shy).toMatchObject({ organisation_type: "firm", city: "Karachi", size_band: "medium" });
      const open = await makeUser(t.db, { showOrganisation: true, organisation: { ...org("firm", "punjab"), name: "Open Pharma Works" } });
      const leather = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow()).id;
      const id = await makePublishedSubmission(t.db, { authorId: open.id, moderatorId: moderator.id });
      const cards = await listClusterSubmissions(t.db, { consultationId, clusterId: leather, sort: "new", page: 1, pageSize: 50, seed: 0 });
      expect(cards.submissions.find((s) => s.id === id)?.organisation_name).toBe("Open Pharma Works");
    });

    it("finds English words, all of them, the last one as a prefix", async () => {
      expect(await listIds({ q: "refinance" })).toEqual([ids.english]);
      expect(await listIds({ q: "COLLATERAL" })).toEqual([ids.english]);
      expect(await listIds({ q: "export finance" })).toEqual([ids.english]);
      expect(await listIds({ q: "drug mak" })).toEqual([ids.english]);
      expect(await listIds({ q: "refin" })).toEqual([ids.english]);
      expect(await list({ q: "drug software" })).toEqual({ total: 0, submissions: [] });
      // Combined with a filter and a sort.
      expect(await listIds({ q: "warehouses", stage: "logistics", sort: "top" })).toEqual([ids.logistics]);
      expect(await listIds({ q: "warehouses", stage: "finance" })).toEqual([]);
    });

    it("finds Urdu words", async () => {
      expect(await listIds({ q: "برآمدات" })).toEqual([ids.urdu]);
      expect(await listIds({ q: "مالی معاونت" })).toEqual([ids.urdu]);
      expect(await listIds({ q: "برآمد" })).toEqual([ids.urdu]); // prefix of برآمدات / برآمدی
    });

    it("never throws on hostile search input", async () => {
      const hostile = [
        '"',
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "*",
        "NEAR(",
        "NEAR(export finance, 2)",
        "'--",
        "'; drop table submissions; --",
        "export AND",
        "title:export",
        "^export",
        "export*",
        "-export",
        "+",
        "&|!",
        "<->",
        "a:*",
        "\\",
        "%_%",
        '"""',
        "\u0301\u0301",
        "ٔٔ",
        "e\u0301xport",
        "ｅｘｐｏｒｔ",
        "x".repeat(3000),
        Array.from({ length: 40 }, (_, i) => `w${i}`).join(" "),
        "1 2 3",
        "\u0000",
        "😀 🚀",
      ];
      for (const q of hostile) {
        const r = await list({ q }).catch((e: Error) => e);
        expect(r, `q=${JSON.stringify(q)}`).not.toBeInstanceOf(Error);
        if (r instanceof Error) continue;
        expect(r.submissions.length).toBe(Math.min(r.total, 50));
        expect(r.total).toBeLessThanOrEqual(all.length);
      }
      // A query without words filters nothing.
      expect((await list({ q: '"' })).total).toBe(all.length);
      expect((await list({ q: "*" })).total).toBe(all.length);
      // Query syntax is taken as words: "export AND" is the words export and "and".
      expect((await list({ q: "export AND" })).total).toBe(0);
      expect(await listIds({ q: "NEAR(export finance" })).toEqual([]);
      expect(await listIds({ q: "'export finance'" })).toEqual([ids.english]);
    });

    it("searches the text as edited, not as first written", async () => {
      const author = firmPunjab;
      const id = await makeSubmission(t.db, {
        authorId: author.id,
        input: { cluster: "pharmaceutical", title: "Zymurgy laboratory accreditation for exporters" },
      });
      const input = submissionInput({ cluster: "pharmaceutical", title: "Xylography laboratory accreditation for exporters" });
      expect(await updateSubmission(t.db, { id, viewer: { id: author.id, role: "stakeholder" }, input })).toEqual({ ok: true });
      await approveSubmission(t.db, { id, moderatorId: moderator.id, moderatorRole: "moderator", categorySlugs: ["other"] });
      try {
        expect(await listIds({ q: "xylography" })).toEqual([id]);
        expect(await listIds({ q: "zymurgy" })).toEqual([]);
      } finally {
        await t.db.updateTable("submissions").set({ status: "withdrawn" }).where("id", "=", id).execute();
      }
    });
  });

  describe("findSimilarPublished", () => {
    const similar = (text: string, extra: { excludeId?: number; consultationId?: number } = {}) =>
      findSimilarPublished(t.db, { consultationId, text, ...extra });

    it("finds published submissions with overlapping words, best first, not pending ones", async () => {
      const r = await similar("Export finance for pharmaceutical exporters");
      const got = r.map((s) => s.id);
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThanOrEqual(5);
      expect(got).toContain(ids.english);
      expect(got).not.toContain(outsiders.pending);
      expect(got).not.toContain(outsiders.hidden);
      // Other clusters of the same consultation count: the author may support one instead.
      expect(got).toContain(outsiders.otherCluster);
      expect(r.find((s) => s.id === ids.english)).toMatchObject({
        title: "Export finance for small drug makers",
        cluster_slug: "pharmaceutical",
      });
    });

    it("ranks the same in id ranges (SQLite: the event loop turns between them) as in one statement", async () => {
      for (const text of ["Export finance for pharmaceutical exporters", "quality suggestion", "برآمدات میں مدد"]) {
        const whole = await similar(text);
        for (const chunkIds of [1, 3, 7]) {
          expect(await findSimilarPublished(t.db, { consultationId, text }, { chunkIds }), `${text} in ranges of ${chunkIds}`).toEqual(
            whole,
          );
        }
      }
    });

    it("returns at most 5", async () => {
      // Every pharmaceutical filler shares "suggestion" and "quality".
      const r = await similar("quality suggestion");
      expect(r).toHaveLength(5);
      const statuses = await t.db
        .selectFrom("submissions")
        .select("status")
        .where(
          "id",
          "in",
          r.map((s) => s.id),
        )
        .execute();
      expect(statuses.every((s) => s.status === "published")).toBe(true);
      expect(await findSimilarPublished(t.db, { consultationId, text: "quality suggestion", limit: 2 })).toHaveLength(2);
    });

    it("finds Urdu text", async () => {
      expect((await similar("برآمدات میں مدد")).map((s) => s.id)).toContain(ids.urdu);
    });

    it("leaves out the submission being edited, and other consultations", async () => {
      expect((await similar("refinance collateral", { excludeId: ids.english })).map((s) => s.id)).not.toContain(ids.english);
      const now = new Date().toISOString();
      const old = await t.db
        .insertInto("consultations")
        .values({
          slug: "older-consultation",
          title_en: "Older",
          title_ur: "پرانی",
          description_en: "",
          description_ur: "",
          is_active: 0,
          submission_opens_at: now,
          submission_closes_at: now,
          support_opens_at: now,
          support_closes_at: now,
          support_budget: 0,
          allow_self_support: 0,
          reports_to_hide: 3,
          created_at: now,
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const moved = await makePublishedSubmission(t.db, {
        authorId: firmPunjab.id,
        moderatorId: moderator.id,
        input: { title: "Quokka tannery effluent plant for Kasur" },
      });
      await t.db.updateTable("submissions").set({ consultation_id: old.id }).where("id", "=", moved).execute();
      expect(await similar("quokka tannery")).not.toContainEqual(expect.objectContaining({ id: moved }));
      expect((await similar("quokka tannery", { consultationId: old.id })).map((s) => s.id)).toEqual([moved]);
      // …and the old consultation's submission is not in the active consultation's cluster list either.
      expect(
        (await listClusterSubmissions(t.db, { consultationId, clusterId, sort: "new", page: 1, pageSize: 50, seed: 0, q: "quokka" })).total,
      ).toBe(0);
    });

    it("answers [] for empty, stop-word-only or wordless text", async () => {
      for (const text of ["", "   ", "the and of for", "کی اور میں", '"(*)"', "'--", "a"]) {
        expect(await similar(text), JSON.stringify(text)).toEqual([]);
      }
    });

    it("takes hostile text as words", async () => {
      for (const text of ['export" OR "finance', "NEAR(export finance)", "export* AND (finance", "ｅｘｐｏｒｔ ｆｉｎａｎｃｅ"]) {
        const r = await similar(text).catch((e: Error) => e);
        expect(r, text).not.toBeInstanceOf(Error);
        if (!(r instanceof Error)) expect(r.map((s) => s.id)).toContain(ids.english);
      }
    });
  });
  describe("Urdu text as people type it", () => {
    // Urdu keyboards differ: آ may arrive as one code point (U+0622) or as ا + ◌ٓ (U+0627 U+0653),
    // and harakat (zabar, zer, pesh) are sometimes written. The same word must be found either way.
    let leather: number;
    const inLeather = async (q: string) =>
      (
        await listClusterSubmissions(t.db, { consultationId, clusterId: leather, sort: "new", page: 1, pageSize: 50, seed: 0, q })
      ).submissions.map((s) => s.id);
    beforeAll(async () => {
      leather = (await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow()).id;
    });

    it("finds a word typed exactly as stored when آ was typed as ا + madda", async () => {
      const decomposed = "برا\u0653مدات";
      const id = await makePublishedSubmission(t.db, {
        authorId: assocSindh.id,
        moderatorId: moderator.id,
        input: { title: `چمڑے کی ${decomposed} بڑھانے کے لیے سہولت` },
      });
      expect(await inLeather(decomposed)).toContain(id);
      expect(await inLeather("برآمدات")).toContain(id);
    });

    it("finds a word whether or not harakat were written", async () => {
      const id = await makePublishedSubmission(t.db, {
        authorId: assocSindh.id,
        moderatorId: moderator.id,
        input: { title: "جوتوں کی بَرآمد کے لیے کِتابچہ اور تربیت" },
      });
      expect(await inLeather("کتابچہ")).toContain(id);
      expect(await inLeather("برآمد")).toContain(id);
    });
  });
});
