// The synthesis workbench over real HTTP, as a browser without JavaScript
// posts: the guard (stakeholders 403, visitors to /login), the filters
// (bad values 400, never a 500), bulk linking to an existing draft and to a
// new one (the answer says how many were added and how many were there), the
// refusals (nothing linked, the checked boxes kept), the heat-map cells that
// open the workbench, and "more like these" on the recommendation page.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { createRecommendation } from "~/models/recommendation.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

describe(`/organiser/synthesis over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let organiser: MadeUser;
  let stakeholder: MadeUser;
  let org: Client;
  const ids: number[] = [];
  let foodId: number;
  let pending: number;
  let draftId: number;

  async function seed(t: TestDb) {
    organiser = await makeUser(t.db, { role: "organiser" });
    const moderator = await makeUser(t.db, { role: "moderator" });
    stakeholder = await makeUser(t.db);
    for (const title of [
      "Platypusword chrome effluent plant for tanneries",
      "Platypusword shared effluent treatment in Kasur",
      "Platypusword chrome recovery for small tanneries",
    ]) {
      const author = await makeUser(t.db);
      ids.push(
        await makePublishedSubmission(t.db, {
          authorId: author.id,
          moderatorId: moderator.id,
          input: {
            title,
            problem: "Chrome effluent from the tanneries pollutes the river and the canals around Kasur.",
            proposal: "A shared chrome effluent treatment plant for the tanneries of Kasur.",
          },
          categories: ["export-markets"],
        }),
      );
    }
    const author = await makeUser(t.db);
    foodId = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Platypusword cold rooms for mango orchards", cluster: "food-processing" },
      categories: ["tax-relief"],
    });
    pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "Platypusword pending idea" } });
    const r = await createRecommendation(t.db, {
      actorId: organiser.id,
      actorRole: "organiser",
      input: {
        title: "Shared effluent treatment for tanneries",
        text: "Government co-finances shared effluent treatment plants for leather clusters.",
        cluster: ["leather"],
        category: ["export-markets"],
        priority: "2",
        dissent: "",
        status: "draft",
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r));
    draftId = r.id;
  }
  beforeAll(async () => {
    org = await signedIn(server.url, organiser);
  });

  const linksOf = async (recommendationId: number) =>
    (
      await t.db
        .selectFrom("recommendation_submissions")
        .select("submission_id")
        .where("recommendation_id", "=", recommendationId)
        .orderBy("submission_id")
        .execute()
    ).map((r) => r.submission_id);
  /** The rows whose box is ticked, in page order. */
  const ticked = (html: string) =>
    [...html.matchAll(/<input type="checkbox" name="submission"[^>]*>/g)]
      .filter((m) => / checked=""/.test(m[0]))
      .map((m) => Number(/value="(\d+)"/.exec(m[0])![1]));
  const rowIds = (html: string) => [...html.matchAll(/<tr data-submission="(\d+)"/g)].map((m) => Number(m[1]));

  it("stakeholders get 403 (GET and POST); visitors are sent to /login", async () => {
    const s = await signedIn(server.url, stakeholder);
    expect((await s.get("/organiser/synthesis")).status).toBe(403);
    expect(
      (await s.post("/organiser/synthesis", { intent: "link-many", submission: String(ids[0]), recommendation: String(draftId) })).status,
    ).toBe(403);
    const v = await new Client(server.url).get("/organiser/synthesis?cluster=leather");
    expect(v.status).toBe(302);
    expect(v.location).toMatch(/^\/login\?redirectTo=/);
    expect(await linksOf(draftId)).toEqual([]);
  });

  it("lists with the filters and the total; bad filter values are a 400", async () => {
    const all = await org.get("/organiser/synthesis?q=platypusword");
    expect(all.status).toBe(200);
    expect(rowIds(all.text).sort((a, b) => a - b)).toEqual([...ids, foodId].sort((a, b) => a - b));
    expect(pageText(all.text)).toContain("4 suggestions");
    expect(rowIds(all.text)).not.toContain(pending);
    const leather = await org.get("/organiser/synthesis?q=platypusword&cluster=leather&category=export-markets&stage=&covered=no");
    expect(leather.status).toBe(200);
    expect(rowIds(leather.text).sort((a, b) => a - b)).toEqual(ids);
    expect(rowIds((await org.get("/organiser/synthesis?q=platypusword&category=tax-relief")).text)).toEqual([foodId]);
    expect(rowIds((await org.get("/organiser/synthesis?q=platypusword&covered=yes")).text)).toEqual([]);
    for (const bad of [
      "covered=maybe",
      "cluster=no-such-cluster",
      "category=Not%20A%20Slug",
      "stage=no-such-stage",
      "page=0",
      "page=abc",
      `q=${"x".repeat(201)}`,
    ]) {
      expect((await org.get(`/organiser/synthesis?${bad}`)).status, bad).toBe(400);
    }
  });

  it("links many to an existing draft; again: 0 added, all already there", async () => {
    const res = await org.post("/organiser/synthesis?q=platypusword", {
      intent: "link-many",
      submission: [String(ids[0]), String(ids[1])],
      recommendation: String(draftId),
      title: "",
    });
    expect(res.status).toBe(200);
    const text = decodeEntities(pageText(res.text));
    expect(text).toContain(`2 suggestions linked to R-${draftId}.`);
    expect(text).toContain("0 were already linked.");
    expect(await linksOf(draftId)).toEqual([ids[0], ids[1]]);
    const again = await org.post("/organiser/synthesis", {
      intent: "link-many",
      submission: [String(ids[0]), String(ids[1])],
      recommendation: String(draftId),
    });
    expect(decodeEntities(pageText(again.text))).toContain("2 were already linked.");
    expect(await linksOf(draftId)).toEqual([ids[0], ids[1]]);
    // Now covered: the page shows the recommendation on the row and the covered filter finds them.
    const covered = await org.get("/organiser/synthesis?q=platypusword&covered=yes");
    expect(rowIds(covered.text).sort((a, b) => a - b)).toEqual([ids[0], ids[1]]);
    expect(covered.text).toContain(`href="/organiser/recommendations/${draftId}"`);
  });

  it("starts a new draft from the chosen ones", async () => {
    const res = await org.post("/organiser/synthesis", {
      intent: "link-many",
      submission: [String(ids[2]), String(foodId)],
      recommendation: "new",
      title: "Cold chain and chrome recovery",
    });
    expect(res.status).toBe(200);
    const made = await t.db
      .selectFrom("recommendations")
      .select(["id", "status"])
      .where("title", "=", "Cold chain and chrome recovery")
      .executeTakeFirstOrThrow();
    expect(made.status).toBe("draft");
    expect(decodeEntities(pageText(res.text))).toContain(`R-${made.id} started as a draft with 2 suggestions.`);
    expect(await linksOf(made.id)).toEqual([ids[2], foodId].sort((a, b) => a - b));
  });

  it("refusals change nothing, say why and keep the checked boxes", async () => {
    const before = await t.db
      .selectFrom("recommendations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const linkedBefore = await linksOf(draftId);
    const cases: Array<[Record<string, string | string[]>, number, string]> = [
      [{ intent: "link-many", recommendation: String(draftId) }, 400, en.synthesis.refusals.empty],
      [{ intent: "link-many", submission: String(foodId), recommendation: "new", title: "" }, 400, en.synthesis.refusals.titleRequired],
      [{ intent: "link-many", submission: String(foodId), recommendation: "999999" }, 404, en.synthesis.refusals.notFound],
      [
        { intent: "link-many", submission: [String(foodId), String(pending)], recommendation: String(draftId) },
        422,
        en.synthesis.refusals.notPublic,
      ],
      [
        { intent: "link-many", submission: [String(foodId), "999998"], recommendation: "new", title: "Never made" },
        422,
        en.synthesis.refusals.submissionNotFound,
      ],
      [{ intent: "link-many", submission: "12abc", recommendation: String(draftId) }, 400, en.synthesis.errors.submission],
      [{ intent: "link-many", submission: String(foodId), recommendation: "later" }, 400, en.synthesis.errors.recommendation],
      [{ intent: "delete-all", submission: String(foodId) }, 400, en.synthesis.errors.unknownIntent],
    ];
    for (const [form, status, message] of cases) {
      const res = await org.post("/organiser/synthesis?q=platypusword", form);
      expect(res.status, JSON.stringify(form)).toBe(status);
      expect(decodeEntities(pageText(res.text)), JSON.stringify(form)).toContain(message);
    }
    // The chosen boxes come back checked.
    const kept = await org.post("/organiser/synthesis?q=platypusword", {
      intent: "link-many",
      submission: [String(foodId), String(ids[0])],
      recommendation: "new",
      title: "",
    });
    expect(ticked(kept.text)).toEqual([foodId, ids[0]].sort((x, y) => y - x));
    const after = await t.db
      .selectFrom("recommendations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(await linksOf(draftId)).toEqual(linkedBefore);
  });

  it("every heat-map cell of the dashboard opens the workbench on its cluster and category; the dashboard links it", async () => {
    const res = await org.get("/organiser");
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/organiser/synthesis?cluster=leather&amp;category=tax-relief"');
    expect(res.text).toContain('href="/organiser/synthesis"');
    expect(res.text).not.toContain('href="/clusters/leather?category=tax-relief"');
  });

  it("the recommendation page shows more like these (not the linked ones), each with a link button", async () => {
    const res = await org.get(`/organiser/recommendations/${draftId}`);
    expect(res.status).toBe(200);
    const section = res.text.slice(res.text.indexOf('id="alike-title"'));
    expect(section).toContain(en.synthesis.moreLike.title);
    const alike = [...section.matchAll(/<tr data-submission="(\d+)"/g)].map((m) => Number(m[1]));
    expect(alike).toContain(ids[2]);
    expect(alike).not.toContain(ids[0]);
    expect(alike).not.toContain(ids[1]);
    const link = await org.post(`/organiser/recommendations/${draftId}`, { intent: "link", submission: String(ids[2]) });
    expect(link.status).toBe(303);
    expect(await linksOf(draftId)).toEqual([ids[0], ids[1], ids[2]]);
  });
});
