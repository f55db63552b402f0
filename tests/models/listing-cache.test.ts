// The cluster page's memo (app/lib/listing-cache.server.ts): a remembered
// search or count must equal what the database says, and a change recorded as
// a submission event must be seen at once.
import { beforeAll, describe, expect, it } from "vitest";
import { ListingCache, listingsChanged, listingsChangedElsewhere, onListingsChanged } from "~/lib/listing-cache.server";
import { SORTS } from "~/lib/reference";
import { listClusterSubmissions, type ClusterListQuery } from "~/models/submission.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { clearGlossary } from "../support/glossary";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

describe(`the cluster page memo (${testDialect})`, () => {
  const t = useTestDb();
  let moderator: MadeUser;
  let author: MadeUser;
  let query: Omit<ClusterListQuery, "sort" | "page">;

  const ids = (r: { submissions: Array<{ id: number }> }) => r.submissions.map((s) => s.id);

  beforeAll(async () => {
    // The memo, not the glossary's expansion (tests/models/glossary.test.ts): no synonym groups.
    await clearGlossary(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    for (let i = 0; i < 23; i++) {
      await makePublishedSubmission(t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { title: `Tannery effluent plan number ${i}`, cluster: "leather" },
      });
    }
    await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: "Something about garments" } });
    // Different support counts, so "top" is a real order.
    const supporters = await Promise.all([0, 1, 2].map(() => makeUser(t.db)));
    const some = await t.db.selectFrom("submissions").select("id").where("title", "like", "Tannery%").orderBy("id").limit(3).execute();
    for (const [i, s] of some.entries()) {
      for (const u of supporters.slice(0, i + 1))
        expect((await supportSubmission(t.db, { submissionId: s.id, userId: u.id })).ok).toBe(true);
    }
    const consultation = await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow();
    const cluster = await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
    query = { consultationId: consultation.id, clusterId: cluster.id, pageSize: 10, seed: 0, q: "tannery" };
  });

  it("serves every sort and page of a search exactly as the query does, twice over", async () => {
    const cache = new ListingCache();
    for (const sort of SORTS) {
      for (const seed of [0, 2 ** 30, 2 ** 31 - 1]) {
        for (const page of [1, 2, 3, 4]) {
          const q = { ...query, sort, page, seed };
          const fresh = await listClusterSubmissions(t.db, q);
          expect(await listClusterSubmissions(t.db, q, { cache }), `${sort} seed ${seed} page ${page}`).toEqual(fresh);
          expect(await listClusterSubmissions(t.db, q, { cache }), `${sort} seed ${seed} page ${page} (remembered)`).toEqual(fresh);
          expect(fresh.total).toBe(23);
        }
      }
    }
    // Every search result appears exactly once across the pages of one visitor's random order.
    const seen: number[] = [];
    for (const page of [1, 2, 3])
      seen.push(...ids(await listClusterSubmissions(t.db, { ...query, sort: "random", page, seed: 12345 }, { cache })));
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
  });

  it("a search in id ranges (SQLite) lists what the cluster's own order lists, whatever the range size", async () => {
    for (const sort of SORTS) {
      for (const seed of [0, 2 ** 30]) {
        for (const page of [1, 3]) {
          const q = { ...query, sort, page, seed };
          // A query with no words lists the whole cluster: ordered in JavaScript, exactly as SQL orders the plain listing.
          const plain = await listClusterSubmissions(t.db, { ...q, q: undefined });
          const whole = await listClusterSubmissions(t.db, q);
          for (const chunkIds of [1, 4, 10_000]) {
            const label = `${sort} seed ${seed} page ${page} in ranges of ${chunkIds}`;
            expect(await listClusterSubmissions(t.db, { ...q, q: "?!" }, { chunkIds }), label).toEqual(plain);
            expect(await listClusterSubmissions(t.db, q, { chunkIds }), label).toEqual(whole);
          }
        }
      }
    }
  });

  it("keys a search on its words as the search reads them: case, punctuation and Urdu marks make one entry (issue 13, finding 8)", async () => {
    const computed: string[] = [];
    class CountingCache extends ListingCache {
      override async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
        return super.get(key, async () => {
          computed.push(key);
          return compute();
        });
      }
    }
    const cache = new CountingCache();
    const misses: string[] = [];
    const read = (text: string) =>
      listClusterSubmissions(
        t.db,
        { ...query, sort: "top", page: 1, q: text },
        { cache, onSearchMiss: async () => void misses.push(text) },
      );
    const first = await read("Tannery");
    for (const text of ["tannery", "tannery!", "(tannery)", "  TANNERY?  ", "«tannery»"]) expect(await read(text), text).toEqual(first);
    expect(computed.filter((k) => k.startsWith("search:"))).toHaveLength(1);
    expect(misses).toEqual(["Tannery"]);
    // Urdu: diacritics (zabar, madda) and the tatweel are not part of the word either.
    await read("بَرآمد");
    await read("برآمد");
    await read("برـآمد!");
    expect(computed.filter((k) => k.startsWith("search:"))).toHaveLength(2);
    // Different words are a different search.
    await read("tannery plan");
    expect(computed.filter((k) => k.startsWith("search:"))).toHaveLength(3);
    expect(misses).toHaveLength(3);
  });

  it("remembers a search until a submission event is recorded, then reads it anew", async () => {
    const cache = new ListingCache();
    const q = { ...query, sort: "new" as const, page: 1, pageSize: 50 };
    const sneaky = await makeSubmission(t.db, { authorId: author.id, input: { title: "Tannery chrome recovery unit" } });
    const before = await listClusterSubmissions(t.db, q, { cache });

    // Published behind the models' back (no event): the memo does not know yet...
    await t.db
      .updateTable("submissions")
      .set({ status: "published", published_at: new Date().toISOString() })
      .where("id", "=", sneaky)
      .execute();
    const remembered = await listClusterSubmissions(t.db, q, { cache });
    expect(remembered.total).toBe(before.total);
    expect(ids(remembered)).not.toContain(sneaky);
    // ...while the query itself does.
    expect(ids(await listClusterSubmissions(t.db, q))).toContain(sneaky);

    // A publication through the model records an event: the next read is fresh, and sees both.
    const proper = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Tannery water audit" },
    });
    const after = await listClusterSubmissions(t.db, q, { cache });
    expect(after.total).toBe(before.total + 2);
    expect(ids(after)).toEqual(expect.arrayContaining([sneaky, proper]));

    // The same holds for the unfiltered count.
    const unfiltered = { ...q, q: undefined };
    const count = (await listClusterSubmissions(t.db, unfiltered, { cache })).total;
    await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: "Another leather idea" } });
    expect((await listClusterSubmissions(t.db, unfiltered, { cache })).total).toBe(count + 1);
  });

  it("cards are read fresh even when the page is remembered: a new support shows at once", async () => {
    const cache = new ListingCache();
    const q = { ...query, sort: "new" as const, page: 1, pageSize: 50 };
    const first = await listClusterSubmissions(t.db, q, { cache });
    const target = first.submissions[0];
    const supporter = await makeUser(t.db);
    expect((await supportSubmission(t.db, { submissionId: target.id, userId: supporter.id })).ok).toBe(true);
    const again = await listClusterSubmissions(t.db, q, { cache });
    expect(again.submissions.find((s) => s.id === target.id)?.breadth.supporters).toBe(target.breadth.supporters + 1);
  });

  it("tells listeners of a change made here, not of one heard from another worker", () => {
    let told = 0;
    const stop = onListingsChanged(() => told++);
    listingsChanged();
    listingsChangedElsewhere();
    stop();
    listingsChanged();
    expect(told).toBe(1);
  });
});
