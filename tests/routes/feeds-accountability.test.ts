// The Atom feeds and the accountability page over real HTTP (issue 16, items
// 5 and 7). Feeds are PARSED with a well-kept XML parser (saxes, namespaces
// on): the required Atom elements are there, Urdu text round-trips, only
// public content appears (no drafts; no pending or hidden suggestions), an
// unknown cluster is a 404. /accountability: the groups and markers (no
// response; no progress for 90 days), the cluster filter, Urdu, the charts.
import { describe, expect, it } from "vitest";
import { hideSubmission } from "~/models/moderation.server";
import { recordProgress } from "~/models/progress.server";
import { createRecommendation, linkSource, recordResponse } from "~/models/recommendation.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser } from "../support/factories";
import { atomChildren, ATOM_NS as ATOM, parseXml, type XmlElement as El } from "../support/atom-xml";
import { Client, pageText } from "../support/http";
import { useServer } from "../support/suite";

const kids = atomChildren;
const one = (el: El, name: string) => {
  const found = kids(el, name);
  expect(found, `<${name}> in <${el.name}>`).toHaveLength(1);
  return found[0];
};
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The checks RFC 4287 makes of a feed and its entries; returns the entries. */
function checkAtom(feed: El, selfUrl: string): El[] {
  expect([feed.name, feed.ns]).toEqual(["feed", ATOM]);
  expect(one(feed, "id").text).toMatch(/^https?:\/\//);
  expect(one(feed, "title").text.trim()).not.toBe("");
  expect(one(feed, "updated").text).toMatch(RFC3339);
  expect(one(one(feed, "author"), "name").text.trim()).not.toBe("");
  const self = kids(feed, "link").filter((l) => l.attrs.rel === "self");
  expect(self).toHaveLength(1);
  expect(self[0].attrs.href).toBe(selfUrl);
  const entries = kids(feed, "entry");
  for (const e of entries) {
    expect(one(e, "id").text).toMatch(/^https?:\/\//);
    expect(one(e, "title").text.trim()).not.toBe("");
    expect(one(e, "updated").text).toMatch(RFC3339);
    expect(kids(e, "link").filter((l) => (l.attrs.rel ?? "alternate") === "alternate").length).toBeGreaterThanOrEqual(1);
  }
  return entries;
}

describe(`feeds and accountability over HTTP (${testDialect})`, () => {
  const { server } = useServer({ seed });
  const ids = {} as Record<"published" | "pending" | "hidden" | "noResponse" | "onTrack" | "stale" | "draft", number>;
  const URDU_TITLE = "چمڑے کی صنعت کے لیے مشترکہ <لیب> & ٹیسٹنگ";

  async function seed(t: TestDb) {
    const organiser = await makeUser(t.db, { role: "organiser" });
    const moderator = await makeUser(t.db, { role: "moderator" });
    const author = await makeUser(t.db);
    const mod = { moderatorId: moderator.id, moderatorRole: "moderator" as const };
    ids.published = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: URDU_TITLE } });
    ids.pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "A pending idea PENDING-SECRET" } });
    ids.hidden = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "A hidden idea HIDDEN-SECRET" },
    });
    const hidden = await hideSubmission(t.db, { ...mod, id: ids.hidden });
    if (!hidden.ok) throw new Error(JSON.stringify(hidden));
    const who = { actorId: organiser.id, actorRole: "organiser" };
    const rec = async (title: string, cluster: string, status = "final") => {
      const r = await createRecommendation(t.db, {
        ...who,
        input: {
          title,
          text: "Exporters should get duty drawback within thirty days of shipment.",
          cluster: [cluster],
          category: ["export-markets"],
          priority: "2",
          dissent: "",
          status,
        },
      });
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r.id;
    };
    ids.noResponse = await rec("سفارش بغیر جواب کے", "leather");
    ids.onTrack = await rec("Bonded warehouses for leather chemicals", "leather");
    ids.stale = await rec("Sterilisation lab for surgical exporters", "surgical-instruments");
    ids.draft = await rec("Draft DRAFT-SECRET recommendation", "leather", "draft");
    await linkSource(t.db, { ...who, id: ids.onTrack, submissionId: ids.published });
    const respond = (id: number) =>
      recordResponse(t.db, {
        ...who,
        id,
        input: {
          responseStatus: "accepted",
          responseText: "Funded.",
          responsibleAgency: "Ministry of Commerce",
          responseDate: "2026-06-01",
        },
      });
    expect((await respond(ids.onTrack)).ok).toBe(true);
    expect((await respond(ids.stale)).ok).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    const progress = (id: number, progressDate: string) =>
      recordProgress(t.db, { ...who, id, input: { progressStatus: "in-progress", progressText: "کام جاری ہے", progressDate } });
    expect((await progress(ids.onTrack, today)).ok).toBe(true);
    expect((await progress(ids.stale, "2026-01-15")).ok).toBe(true);
  }

  it("/recommendations.atom: Atom content type, required elements, final ones only, Urdu round-trips", async () => {
    const r = await new Client(server.url).get("/recommendations.atom");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const feed = parseXml(r.text);
    const entries = checkAtom(feed, `${server.url}/recommendations.atom`);
    const entryIds = entries.map((e) => one(e, "id").text).sort();
    expect(entryIds).toEqual([ids.noResponse, ids.onTrack, ids.stale].map((id) => `${server.url}/recommendations/${id}`).sort());
    expect(r.text).not.toContain("DRAFT-SECRET");
    const urdu = entries.find((e) => one(e, "id").text.endsWith(`/recommendations/${ids.noResponse}`))!;
    expect(one(urdu, "title").text).toBe(`R-${ids.noResponse} سفارش بغیر جواب کے`);
    const progressed = entries.find((e) => one(e, "id").text.endsWith(`/recommendations/${ids.onTrack}`))!;
    expect(one(progressed, "summary").text).toContain("Progress: In progress");
    // The entry's `updated` is its latest event: the progress recorded in the seed, after the response.
    expect(one(progressed, "updated").text >= one(urdu, "updated").text).toBe(true);
  });

  it("/clusters/:cluster/feed.atom: published suggestions only, escaped Urdu round-trips; unknown cluster 404", async () => {
    const r = await new Client(server.url).get("/clusters/leather/feed.atom");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const entries = checkAtom(parseXml(r.text), `${server.url}/clusters/leather/feed.atom`);
    expect(entries.map((e) => one(e, "id").text)).toContain(`${server.url}/submissions/${ids.published}`);
    const titles = entries.map((e) => one(e, "title").text);
    expect(titles).toContain(`#${ids.published} ${URDU_TITLE}`);
    expect(r.text).not.toContain("PENDING-SECRET");
    expect(r.text).not.toContain("HIDDEN-SECRET");
    expect(entries.length).toBeLessThanOrEqual(50);
    expect((await new Client(server.url).get("/clusters/no-such-cluster/feed.atom")).status).toBe(404);
    expect((await new Client(server.url).get("/clusters/%3Cx%3E/feed.atom")).status).toBe(404);
  });

  it("the pages link their feeds with rel=alternate", async () => {
    const visitor = new Client(server.url);
    const alternate = /<link[^>]*rel="alternate"[^>]*type="application\/atom\+xml"[^>]*href="([^"]+)"/;
    expect((await visitor.get("/recommendations")).text.match(alternate)?.[1]).toBe("/recommendations.atom");
    expect((await visitor.get(`/recommendations/${ids.onTrack}`)).text.match(alternate)?.[1]).toBe("/recommendations.atom");
    expect((await visitor.get("/clusters/leather")).text.match(alternate)?.[1]).toBe("/clusters/leather/feed.atom");
  });

  it("/accountability: needs-attention apart with markers, the cluster filter, charts, Urdu", async () => {
    const visitor = new Client(server.url);
    const page = await visitor.get("/accountability");
    expect(page.status).toBe(200);
    const table = (id: string) => page.text.match(new RegExp(`<table id="${id}">[\\s\\S]*?</table>`))?.[0] ?? "";
    const row = (html: string, id: number) => html.match(new RegExp(`<tr data-recommendation="${id}">[\\s\\S]*?</tr>`))?.[0] ?? "";
    const attention = table("accountability-attention");
    const onTrack = table("accountability-on-track");
    expect(row(attention, ids.noResponse)).toContain("marker-no-response");
    expect(row(attention, ids.stale)).toContain("marker-stale");
    expect(row(attention, ids.stale)).not.toContain("marker-no-response");
    expect(row(onTrack, ids.onTrack)).toContain("Ministry of Commerce");
    expect(pageText(row(onTrack, ids.onTrack))).toContain("In progress");
    expect(page.text).not.toContain("DRAFT-SECRET");
    expect(page.text.match(/<svg/g)?.length).toBe(2);
    // One without a response, two accepted.
    expect(pageText(table("by-response"))).toContain("No response yet 1");
    const filtered = await visitor.get("/accountability?cluster=surgical-instruments");
    expect(filtered.status).toBe(200);
    expect(filtered.text).toContain(`data-recommendation="${ids.stale}"`);
    expect(filtered.text).not.toContain(`data-recommendation="${ids.noResponse}"`);
    expect((await visitor.get("/accountability?cluster=%3Cscript%3E")).status).toBe(200);
    const urdu = new Client(server.url);
    expect((await urdu.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
    const ur = await urdu.get("/accountability");
    expect(pageText(ur.text)).toContain("جواب دہی");
    expect(pageText(ur.text)).toContain("توجہ طلب");
    expect(ur.text).toContain("سفارش بغیر جواب کے");
  });
});
