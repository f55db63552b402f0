// Recommendations and the briefing over real HTTP against the built
// server (run `npm run build` first), as a browser without JavaScript posts:
// an organiser creates a recommendation, links two suggestions that share a
// supporter and sees the unique count; makes it final; a visitor sees it at
// /recommendations with its sources and the source page says "included in
// R-n"; a response reaches the source's author (/me); drafts are 404 in
// public; stakeholders get 403 and visitors a redirect on every organiser URL;
// bad input is a 400 with the values kept; refused links 422; the DOCX export.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import urLocale from "~/locales/ur.json";
import { getActiveConsultation } from "~/models/consultation.server";
import { hideSubmission, rejectSubmission } from "~/models/moderation.server";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

describe(`recommendations over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let organiser: MadeUser;
  let moderator: MadeUser;
  let author: MadeUser;
  let stakeholder: MadeUser;
  let org: Client;
  let a: number;
  let b: number;
  let pending: number;
  let recId: number;

  /** What the server finds when it starts. */
  async function seed(t: TestDb) {
    organiser = await makeUser(t.db, { role: "organiser" });
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    stakeholder = await makeUser(t.db);
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    a = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Bonded warehouses for leather chemicals" },
    });
    b = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Sterilisation testing lab for surgical exporters", cluster: "surgical-instruments" },
    });
    pending = await makeSubmission(t.db, { authorId: author.id, input: { title: "A pending idea about tannery water" } });
    const shared = await makeUser(t.db);
    const onlyA = await makeUser(t.db);
    for (const [s, u] of [
      [a, shared],
      [b, shared],
      [a, onlyA],
      [b, stakeholder],
    ] as const) {
      const r = await supportSubmission(t.db, { submissionId: s, userId: u.id });
      if (!r.ok) throw new Error(JSON.stringify(r));
    }
  }
  beforeAll(async () => {
    org = await signedIn(server.url, organiser);
  });

  const createForm = (overrides: Record<string, string | string[]> = {}) => ({
    title: "Bonded warehouses and testing labs for exporters",
    text: "Set up bonded warehouses for chemicals and a sterilisation testing lab so exporters meet buyers' rules.",
    cluster: ["leather", "surgical-instruments"],
    category: ["export-markets"],
    priority: "1",
    dissent: "Some members prefer tax credits over public labs.",
    status: "draft",
    ...overrides,
  });

  it("journey: create, link two sources sharing a supporter, unique count, final, public, included in R-n, response in /me", async () => {
    const created = await org.post("/organiser/recommendations", createForm());
    expect(created.status).toBe(303);
    const m = created.location?.match(/^\/organiser\/recommendations\/(\d+)$/);
    expect(m).not.toBeNull();
    recId = Number(m![1]);

    for (const s of [a, b]) {
      const r = await org.post(`/organiser/recommendations/${recId}`, { intent: "link", submission: String(s) });
      expect(r.status).toBe(303);
    }
    const page = await org.get(`/organiser/recommendations/${recId}`);
    expect(page.status).toBe(200);
    // a: shared + onlyA, b: shared + stakeholder → 3 people, 4 rows.
    expect(page.text).toMatch(/data-testid="unique-supporters">3</);
    expect(pageText(page.text)).toContain(`#${a}`);
    expect(pageText(page.text)).toContain(`#${b}`);

    // The list shows it with its source count and unique supporters.
    const list = await org.get("/organiser/recommendations");
    expect(pageText(list.text)).toContain(`R-${recId}`);

    // A draft is not public.
    const visitor = new Client(server.url);
    expect((await visitor.get(`/recommendations/${recId}`)).status).toBe(404);
    expect(pageText((await visitor.get("/recommendations")).text)).not.toContain(`R-${recId}`);

    // Final: public, with its sources; the source page says "included in R-n".
    expect((await org.post(`/organiser/recommendations/${recId}`, { intent: "update", ...createForm({ status: "final" }) })).status).toBe(
      303,
    );
    const pub = await visitor.get("/recommendations");
    expect(pub.status).toBe(200);
    expect(pageText(pub.text)).toContain(`R-${recId}`);
    const one = await visitor.get(`/recommendations/${recId}`);
    expect(one.status).toBe(200);
    expect(one.text).toContain(`href="/submissions/${a}"`);
    expect(one.text).toContain(`href="/submissions/${b}"`);
    const source = await visitor.get(`/submissions/${a}`);
    expect(pageText(source.text)).toContain(`Included in recommendation R-${recId}`);

    // Response: the author finds it in their notifications.
    const responded = await org.post(`/organiser/recommendations/${recId}`, {
      intent: "respond",
      responseStatus: "partially-accepted",
      responseText: "The ministry will fund the testing lab first.",
      responsibleAgency: "Ministry of Commerce",
      responseDate: "2027-03-01",
    });
    expect(responded.status).toBe(303);
    const me = await (await signedIn(server.url, author)).get("/me");
    expect(pageText(me.text)).toContain("The government responded");
    expect(pageText((await visitor.get(`/recommendations/${recId}`)).text)).toContain("Partially accepted");
  });

  it("bad input: 400 with errors by field and the values kept; nothing created", async () => {
    const before = await t.db
      .selectFrom("recommendations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const r = await org.post(
      "/organiser/recommendations",
      createForm({ title: "Kept <b>title</b>", text: "too short", priority: "7", category: [] }),
    );
    expect(r.status).toBe(400);
    expect(r.text).toContain('value="Kept &lt;b&gt;title&lt;/b&gt;"');
    expect(decodeEntities(r.text)).toContain("too short</textarea>");
    expect(r.text).toContain('class="error-summary"');
    const after = await t.db
      .selectFrom("recommendations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    // A bad response date, a bad number, an unknown intent.
    expect(
      (
        await org.post(`/organiser/recommendations/${recId}`, {
          intent: "respond",
          responseStatus: "accepted",
          responseText: "x",
          responsibleAgency: "MoC",
          responseDate: "2027-02-31",
        })
      ).status,
    ).toBe(400);
    expect((await org.post(`/organiser/recommendations/${recId}`, { intent: "link", submission: "abc" })).status).toBe(400);
    expect((await org.post(`/organiser/recommendations/${recId}`, { intent: "explode" })).status).toBe(400);
  });

  it("refused links are 422 with the reason; unknown ids 404", async () => {
    const r = await org.post(`/organiser/recommendations/${recId}`, { intent: "link", submission: String(pending) });
    expect(r.status).toBe(422);
    expect(pageText(r.text)).toContain("Only published or merged suggestions can be sources");
    expect((await org.post(`/organiser/recommendations/${recId}`, { intent: "link", submission: "999999" })).status).toBe(422);
    expect((await org.get("/organiser/recommendations/999999")).status).toBe(404);
    expect((await org.get("/organiser/recommendations/abc")).status).toBe(404);
    expect((await org.post("/organiser/recommendations/999999", { intent: "link", submission: String(a) })).status).toBe(404);
    expect((await new Client(server.url).get("/recommendations/999999")).status).toBe(404);
  });

  it("search box finds published suggestions by full text with a link button", async () => {
    const draft = await org.post("/organiser/recommendations", createForm({ title: "Another draft recommendation" }));
    const id = Number(draft.location!.split("/").pop());
    const r = await org.get(`/organiser/recommendations/${id}?q=${encodeURIComponent("sterilisation")}`);
    expect(r.status).toBe(200);
    const results = r.text.match(/<table class="search-results">[\s\S]*?<\/table>/)?.[0] ?? "";
    expect(results).toContain(`href="/submissions/${b}"`);
    expect(results).toContain('value="link"');
    expect((await org.get(`/organiser/recommendations/${id}?q=${encodeURIComponent("\"'<>")}`)).status).toBe(200);
  });

  it("stakeholders get 403 on every organiser URL and POST; visitors are sent to /login", async () => {
    const s = await signedIn(server.url, stakeholder);
    const visitor = new Client(server.url);
    const urls = ["/organiser/recommendations", `/organiser/recommendations/${recId}`, "/organiser/briefing", "/exports/briefing.docx"];
    for (const url of urls) {
      expect((await s.get(url)).status, url).toBe(403);
      const v = await visitor.get(url);
      expect(v.status, url).toBe(302);
      expect(v.location).toMatch(/^\/login\?redirectTo=/);
    }
    expect((await s.post("/organiser/recommendations", createForm())).status).toBe(403);
    expect((await s.post(`/organiser/recommendations/${recId}`, { intent: "unlink", submission: String(a) })).status).toBe(403);
    expect((await visitor.post("/organiser/recommendations", createForm())).status).toBe(302);
  });

  it("the printable briefing and the DOCX export", async () => {
    const html = await org.get("/organiser/briefing");
    expect(html.status).toBe(200);
    expect(pageText(html.text)).toContain("Bonded warehouses and testing labs for exporters");
    expect(pageText(html.text)).toContain("Annex: sources");
    expect((await org.get("/organiser/briefing?cluster=leather")).status).toBe(200);
    expect((await org.get("/organiser/briefing?cluster=no-such")).status).toBe(404);

    const res = await fetch(`${server.url}/exports/briefing.docx`, {
      headers: { Cookie: [...org.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="briefing-all.docx"');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 2).toString("latin1")).toBe("PK");
    const xml = await unzipEntry(body, "word/document.xml");
    expect(xml).toContain("Bonded warehouses and testing labs for exporters");
    // The figures from verified organisations beside each recommendation's own (issue 15), on the page and in the DOCX.
    expect(pageText(html.text)).toMatch(new RegExp(`${en.briefing.uniqueSupporters}: \\d+ \\(${en.briefing.fromVerified}: \\d+\\)`));
    expect(pageText(html.text)).toMatch(new RegExp(`${en.briefing.organisations}: \\d+ \\(${en.briefing.verified}: \\d+\\)`));
    expect(xml).toMatch(new RegExp(`${en.briefing.uniqueSupporters}: \\d+ \\(${en.briefing.fromVerified}: \\d+\\)`));
    expect(xml).toMatch(new RegExp(`${en.briefing.organisations}: \\d+ \\(${en.briefing.verified}: \\d+\\)`));

    const ur = await fetch(`${server.url}/exports/briefing.docx?cluster=surgical-instruments`, {
      headers: {
        Cookie: [...org.cookies, ["lng", encodeURIComponent(Buffer.from(JSON.stringify("ur")).toString("base64"))]]
          .map(([k, v]) => `${k}=${v}`)
          .join("; "),
      },
    });
    expect(ur.status).toBe(200);
    expect(ur.headers.get("content-disposition")).toBe('attachment; filename="briefing-surgical-instruments.docx"');
    const urXml = await unzipEntry(Buffer.from(await ur.arrayBuffer()), "word/document.xml");
    expect(urXml).toContain("<w:bidi");
    expect(urXml).toContain("کانفرنس بریفنگ");
    // Right to left throughout: runs, paragraphs, tables; labels in Urdu, none in English.
    expect(urXml).toContain("<w:bidi/>");
    expect(urXml).toContain("<w:rtl/>");
    expect(urXml).toContain("<w:bidiVisual/>");
    expect(urXml).toContain('w:bidi="ur-PK"');
    for (const label of [
      urLocale.briefing.summary,
      urLocale.briefing.annex,
      urLocale.briefing.annexSupporters,
      urLocale.briefing.fromVerified,
    ])
      expect(urXml).toContain(label);
    for (const label of [en.briefing.summary, en.briefing.annex, en.briefing.annexSupporters]) expect(urXml).not.toContain(`>${label}<`);

    // ?lang= asks for the other language whatever the requester reads; anything else is ignored.
    const docx = async (query: string) =>
      unzipEntry(
        Buffer.from(
          await (
            await fetch(`${server.url}/exports/briefing.docx${query}`, {
              headers: { Cookie: [...org.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
            })
          ).arrayBuffer(),
        ),
        "word/document.xml",
      );
    const asked = await docx("?lang=ur");
    expect(asked).toContain(urLocale.briefing.title);
    expect(asked).toContain("<w:bidiVisual/>");
    const english = await docx("?lang=xx");
    expect(english).toContain(en.briefing.title);
    // The consultation's own title, in the briefing's language, as on the printable page.
    const consultation = (await getActiveConsultation(t.db))!;
    expect(english).toContain(consultation.title_en);
    expect(asked).toContain(consultation.title_ur);
    expect(english).not.toContain("<w:bidiVisual/>");
    expect(english).not.toContain("<w:rtl/>");
    // The printable page offers the other language's DOCX.
    expect(html.text).toContain('href="/exports/briefing.docx?lang=ur"');
    expect(pageText(html.text)).toContain(en.briefing.docxIn.ur);

    // The printable briefing in Urdu: right to left, every label in Urdu.
    const urPage = await org.request("/organiser/briefing", {
      headers: {
        Cookie: [...org.cookies, ["lng", encodeURIComponent(Buffer.from(JSON.stringify("ur")).toString("base64"))]]
          .map(([k, v]) => `${k}=${v}`)
          .join("; "),
      },
    });
    expect(urPage.status).toBe(200);
    expect(urPage.text).toMatch(/<html[^>]*lang="ur"[^>]*dir="rtl"/);
    const urText = pageText(urPage.text);
    for (const label of [
      urLocale.briefing.title,
      urLocale.briefing.summary,
      urLocale.briefing.annex,
      urLocale.briefing.annexSupporters,
      urLocale.briefing.docxIn.en,
    ])
      expect(urText).toContain(label);
    for (const label of [en.briefing.summary, en.briefing.annex, en.briefing.annexSupporters]) expect(urText).not.toContain(label);
    expect(urPage.text).toContain('href="/exports/briefing.docx?lang=en"');
  });

  it("sources rejected or hidden after they were linked leave the public page and the API, which say how many; organisers still see them (issue 13, finding 4)", async () => {
    const titles = {
      kept: "Linked source that stays public",
      rejected: "Linked source rejected later for abuse",
      hidden: "Linked source hidden later after reports",
    };
    const kept = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: titles.kept } });
    const rejected = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: titles.rejected },
    });
    const hidden = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: titles.hidden } });
    const actor = { actorId: organiser.id, actorRole: "organiser" };
    const created = await createRecommendation(t.db, {
      ...actor,
      input: {
        ...createForm({ status: "final", title: "Recommendation with sources that left public view" }),
        cluster: ["leather"],
        priority: "3",
      },
    });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const id = created.id;
    for (const s of [kept, rejected, hidden]) expect(await linkSource(t.db, { ...actor, id, submissionId: s })).toMatchObject({ ok: true });
    const mod = { moderatorId: moderator.id, moderatorRole: "moderator" as const };
    expect(await rejectSubmission(t.db, { ...mod, id: rejected, reasonCode: "abusive", reason: "Abusive language." })).toMatchObject({
      ok: true,
    });
    expect(await hideSubmission(t.db, { ...mod, id: hidden })).toMatchObject({ ok: true });

    const visitor = new Client(server.url);
    const page = await visitor.get(`/recommendations/${id}`);
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    expect(text).toContain(titles.kept);
    expect(text).not.toContain(titles.rejected);
    expect(text).not.toContain(titles.hidden);
    expect(page.text).not.toContain(`/submissions/${rejected}"`);
    expect(text).toContain(en.recommendation.sources.notPublic_other.replace("{{count}}", "2"));

    const urdu = new Client(server.url);
    expect((await urdu.post("/language", { lng: "ur", digits: "western", redirectTo: "/" })).status).toBe(302);
    const urText = pageText((await urdu.get(`/recommendations/${id}`)).text).replace(/\u0000/g, "");
    expect(urText).not.toContain(titles.rejected);
    expect(urText).toContain(urLocale.recommendation.sources.notPublic_other.replace("{{count}}", "2"));

    const organiserPage = pageText((await org.get(`/organiser/recommendations/${id}`)).text);
    for (const title of Object.values(titles)) expect(organiserPage).toContain(title);

    const api = JSON.parse((await visitor.get("/api/v1/recommendations?limit=100")).text) as { data: Array<Record<string, unknown>> };
    const row = api.data.find((r) => r.id === `R-${id}`);
    expect(row).toMatchObject({ sources: String(kept), sources_not_public: 2 });
  });
});

/** One entry of a zip file (stored or deflated), read from its central directory. */
async function unzipEntry(zip: Buffer, name: string): Promise<string> {
  const { inflateRawSync } = await import("node:zlib");
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip");
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entry = zip.subarray(at + 46, at + 46 + nameLen).toString("utf8");
    if (entry === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString("utf8");
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${name} not in the zip`);
}
