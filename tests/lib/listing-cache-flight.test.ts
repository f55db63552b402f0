// The listing memo's single flight (app/lib/listing-cache.server.ts): readers
// missing the same key at once share one computation; a failure of that one
// (e.g. its reader's own search limit) is not passed on to the others.
import { describe, expect, it } from "vitest";
import { ListingCache, listingsChanged } from "~/lib/listing-cache.server";

const later = <T>(value: T, ms = 20) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("listing memo: one computation per key at a time", () => {
  it("lets readers who miss a key at once wait for one computation", async () => {
    const cache = new ListingCache();
    let runs = 0;
    const compute = () => {
      runs += 1;
      return later({ ids: [1, 2, 3] });
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.get("search:export", compute)));
    expect(runs).toBe(1);
    for (const a of answers) expect(a).toEqual({ ids: [1, 2, 3] });
    // Remembered afterwards; another key is computed on its own.
    await cache.get("search:export", compute);
    await cache.get("search:leather", compute);
    expect(runs).toBe(2);
  });

  it("does not hand one reader's failure to the others: each then computes for itself", async () => {
    const cache = new ListingCache();
    let runs = 0;
    const failing = async () => {
      runs += 1;
      await later(null);
      throw new Error("this reader's search limit");
    };
    const fine = async () => {
      runs += 1;
      return later({ ids: [7] });
    };
    const first = cache.get("search:q", failing);
    const second = cache.get("search:q", fine);
    await expect(first).rejects.toThrow("this reader's search limit");
    await expect(second).resolves.toEqual({ ids: [7] });
    expect(runs).toBe(2);
  });

  it("does not join a computation that began before a change", async () => {
    const cache = new ListingCache();
    let runs = 0;
    const compute = () => {
      runs += 1;
      return later({ ids: [runs] });
    };
    const before = cache.get("search:z", compute);
    listingsChanged();
    const after = cache.get("search:z", compute);
    expect(await before).toEqual({ ids: [1] });
    expect(await after).toEqual({ ids: [2] });
    expect(runs).toBe(2);
  });
});
