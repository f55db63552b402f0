// Bilingual recommendations over real HTTP (issue 18, item 4; ADR 0032), as a browser
// without JavaScript posts: an organiser writes both versions in the form (and sees
// them again), bad input is a 400 that changes nothing, and each surface shows the
// reader's (or document's) version, or the other one with the note saying so, in
// English and in Urdu: the public page and list, the organiser list, /accountability,
// the Atom feed, the printable briefing (`lang`) and the export's appended columns.
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { createRecommendation } from "~/models/recommendation.server";
import { testDialect, type TestDb } from "../support/db";
import { makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, inputValue, signedIn } from "../support/http";
import { useServer } from "../support/suite";

const EN = {
  title: "Refund duties on export inputs within 30 days",
  text: "Exporters of leather goods should get duty drawback within thirty days of shipment.",
};
const UR = {
  titleUr: "برآمدی خام مال پر ڈیوٹی کی واپسی تیس دن میں",
  textUr: "چمڑے کی مصنوعات برآمد کرنے والوں کو ترسیل کے تیس دن کے اندر ڈیوٹی واپس ملنی چاہیے۔",
};
const base = { cluster: "leather", category: "export-markets", priority: "2", status: "final" };

describe(`bilingual recommendations over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let organiser: MadeUser;
  let org: Client;
  let orgUr: Client;
  let visitor: Client;
  let urdu: Client;
  let urduOnly: number;
  let englishOnly: number;

  async function seed(t: TestDb) {
    organiser = await makeUser(t.db, { role: "organiser" });
    const who = { actorId: organiser.id, actorRole: "organiser" };
    const make = async (input: Record<string, unknown>) => {
      const r = await createRecommendation(t.db, {
        ...who,
        input: { ...base, cluster: ["leather"], category: ["export-markets"], ...input },
      });
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r.id;
    };
    urduOnly = await make({ ...UR, dissentUr: "کسٹمز اس سے متفق نہیں۔" });
    englishOnly = await make({
      title: "Open a testing lab for surgical exporters",
      text: "A sterilisation testing lab in Sialkot would cut weeks.",
    });
  }

  beforeAll(async () => {
    org = await signedIn(server.url, organiser);
    orgUr = await signedIn(server.url, organiser);
    // Each organiser client chooses its language (the choice also goes to the profile, so both say theirs).
    expect((await orgUr.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
    expect((await org.post("/language", { lng: "en", redirectTo: "/" })).status).toBe(302);
    visitor = new Client(server.url);
    urdu = new Client(server.url);
    expect((await urdu.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
  });

  const row = (id: number) =>
    t.db
      .selectFrom("recommendations")
      .select(["title", "text", "dissent", "language", "other_title", "other_text", "other_dissent", "updated_at"])
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
  const has = (html: string, s: string) => decodeEntities(html).includes(s);

  it("the organiser's form writes both versions without JavaScript, and shows them again", async () => {
    const res = await org.post("/organiser/recommendations", {
      ...base,
      ...EN,
      dissent: "Customs disagrees.",
      ...UR,
      dissentUr: "کسٹمز متفق نہیں۔",
    });
    expect(res.status).toBe(303);
    const id = Number(res.location!.split("/").pop());
    expect(await row(id)).toMatchObject({
      title: EN.title,
      language: "en",
      other_title: UR.titleUr,
      other_text: UR.textUr,
      other_dissent: "کسٹمز متفق نہیں۔",
    });
    const page = await org.get(`/organiser/recommendations/${id}`);
    expect(page.status).toBe(200);
    expect(decodeEntities(inputValue(page.text, "title") ?? "")).toBe(EN.title);
    expect(decodeEntities(inputValue(page.text, "titleUr") ?? "")).toBe(UR.titleUr);
    expect(has(page.text, UR.textUr)).toBe(true);
    expect(page.text).toMatch(/name="titleUr"[^>]*lang="ur"|lang="ur"[^>]*name="titleUr"/);
    // An Urdu reader of the public page sees the Urdu version, with no note.
    const pub = await urdu.get(`/recommendations/${id}`);
    expect(has(pub.text, UR.titleUr)).toBe(true);
    expect(has(pub.text, UR.textUr)).toBe(true);
    expect(has(pub.text, "کسٹمز متفق نہیں۔")).toBe(true);
    expect(pub.text).not.toContain('data-missing-version="recommendation"');
    expect(has(pub.text, EN.text)).toBe(false);
  });

  it("bad input is a 400 with the field named, and changes nothing", async () => {
    const before = await count();
    const halfUrdu = await org.post("/organiser/recommendations", { ...base, ...EN, titleUr: UR.titleUr });
    expect(halfUrdu.status).toBe(400);
    expect(has(halfUrdu.text, en.errors.required)).toBe(true);
    expect(has(halfUrdu.text, en.recommendation.field.textUr)).toBe(true);
    const none = await org.post("/organiser/recommendations", { ...base });
    expect(none.status).toBe(400);
    const notString = await org.post("/organiser/recommendations", { ...base, ...EN, titleUr: ["a", "b"] });
    expect(notString.status).toBe(400);
    expect(await count()).toBe(before);
    const was = await row(urduOnly);
    const update = await org.post(`/organiser/recommendations/${urduOnly}`, { intent: "update", ...base, titleUr: UR.titleUr, textUr: "" });
    expect(update.status).toBe(400);
    expect(await row(urduOnly)).toEqual(was);
  });

  it("the public page: an English reader of an Urdu-only recommendation sees it with the note; an Urdu reader without", async () => {
    const page = await visitor.get(`/recommendations/${urduOnly}`);
    expect(page.status).toBe(200);
    expect(has(page.text, en.recommendation.language.missing)).toBe(true);
    expect(has(page.text, UR.titleUr)).toBe(true);
    expect(page.text).toMatch(/<bdi lang="ur">/);
    const urPage = await urdu.get(`/recommendations/${urduOnly}`);
    expect(has(urPage.text, ur.recommendation.language.missing)).toBe(false);
    expect(has(urPage.text, UR.titleUr)).toBe(true);
    const urEnglish = await urdu.get(`/recommendations/${englishOnly}`);
    expect(has(urEnglish.text, ur.recommendation.language.missing)).toBe(true);
    const enEnglish = await visitor.get(`/recommendations/${englishOnly}`);
    expect(has(enEnglish.text, en.recommendation.language.missing)).toBe(false);
  });

  it("lists, /accountability, the organiser list and the feed mark a title in the other language, in en and ur", async () => {
    for (const path of ["/recommendations", "/accountability"]) {
      const enPage = await visitor.get(path);
      const urPage = await urdu.get(path);
      expect(enPage.status, path).toBe(200);
      expect(has(enPage.text, `${en.recommendation.language.missingShort}`), path).toBe(true);
      expect(has(urPage.text, `${ur.recommendation.language.missingShort}`), path).toBe(true);
    }
    const enList = await org.get("/organiser/recommendations");
    expect(has(enList.text, en.recommendation.language.missingShort)).toBe(true);
    const urList = await orgUr.get("/organiser/recommendations");
    expect(has(urList.text, ur.recommendation.language.missingShort)).toBe(true);
    const feed = await visitor.get("/recommendations.atom");
    expect(feed.status).toBe(200);
    expect(has(feed.text, `${UR.titleUr} ${en.recommendation.language.missingShort}`)).toBe(true);
    expect(has(feed.text, en.recommendation.language.missing)).toBe(true);
    const urFeed = await urdu.get("/recommendations.atom");
    expect(has(urFeed.text, ur.recommendation.language.missingShort)).toBe(true);
    expect(has(urFeed.text, `${UR.titleUr} ${ur.recommendation.language.missingShort}`)).toBe(false);
  });

  it("the printable briefing uses its document language (`lang`) and says when a version is missing", async () => {
    const enDoc = await org.get("/organiser/briefing?lang=en");
    expect(enDoc.status).toBe(200);
    expect(has(enDoc.text, en.recommendation.language.missing)).toBe(true);
    expect(has(enDoc.text, UR.titleUr)).toBe(true);
    const urDoc = await org.get("/organiser/briefing?lang=ur");
    expect(has(urDoc.text, ur.recommendation.language.missing)).toBe(true);
    expect(urDoc.text).toContain('href="/organiser/briefing?lang=en"');
    const bad = await org.get("/organiser/briefing?lang=xx");
    expect(bad.status).toBe(200);
    const docx = await org.get("/exports/briefing.docx?lang=ur");
    expect(docx.status).toBe(200);
  });

  it("the recommendations export appends language and the Urdu version after the existing columns", async () => {
    const csv = await org.get("/exports/recommendations.csv");
    expect(csv.status).toBe(200);
    const rows: Array<Record<string, string>> = parse(csv.text, { columns: true, bom: true });
    const header = csv.text
      .replace(/^\uFEFF/, "")
      .split("\r\n")[0]
      .split(",");
    expect(header.slice(-4)).toEqual(["language", "title_ur", "text_ur", "dissent_ur"]);
    expect(rows.find((r) => r.id === `R-${urduOnly}`)).toMatchObject({
      title: UR.titleUr,
      language: "ur",
      title_ur: UR.titleUr,
      dissent_ur: "کسٹمز اس سے متفق نہیں۔",
    });
    expect(rows.find((r) => r.id === `R-${englishOnly}`)).toMatchObject({ language: "en", title_ur: "", text_ur: "" });
  });
});
