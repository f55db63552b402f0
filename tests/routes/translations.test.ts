// Translations over real HTTP, as a browser without JavaScript sends them
// (issue 18): `intent=translate` on /moderation/submissions/:id (moderators
// only; 4xx with nothing changed on bad input), the labelled translation for
// readers of its language with the original one plain link away
// (`?original=1`) and the link back, the author's flag
// (/submissions/:id/translation-flag), and the translation queue on /moderation.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

const URDU = {
  cluster: "leather",
  title: "چمڑے کی صنعت کے لیے برآمدی قرض کی سہولت",
  problem: "چھوٹے چمڑا کارخانوں کو برآمدی آرڈرز کے لیے بینک قرض نہیں دیتے۔",
  proposal: "اسٹیٹ بینک برآمدی قرض کی ری فنانس اسکیم چھوٹے کارخانوں تک بڑھائے۔",
};
const TRANSLATION = {
  title: "Export credit for the leather industry",
  problem: "Banks do not lend to small tanneries for export orders.",
  proposal: "The State Bank should extend its export refinance scheme to small tanneries.",
  expectedImpact: "",
};

describe(`translations over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let moderator: MadeUser;
  let author: MadeUser;
  let mod: Client;
  let authorClient: Client;
  let id: number;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator", displayName: "Translating Moderator" });
    author = await makeUser(t.db);
    mod = await signedIn(server.url, moderator);
    authorClient = await signedIn(server.url, author);
    id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: URDU });
  });

  const translations = () => t.db.selectFrom("submission_translation_versions").selectAll().where("submission_id", "=", id).execute();
  const reader = (lng: "en" | "ur") => {
    const c = new Client(server.url);
    // The language cookie as the server signs it out (a base64 JSON string).
    c.cookies.set("lng", encodeURIComponent(Buffer.from(JSON.stringify(lng)).toString("base64")));
    return c;
  };

  it("takes a translation from moderators only, and refuses bad input with a 4xx that changes nothing", async () => {
    const path = `/moderation/submissions/${id}`;
    const form = { intent: "translate", language: "en", ...TRANSLATION };
    const visitor = await new Client(server.url).post(path, form);
    expect(visitor.status).toBe(302);
    expect(visitor.location).toMatch(/^\/login/);
    const stranger = await signedIn(server.url, await makeUser(t.db));
    expect((await stranger.post(path, form)).status).toBe(403);
    // Into the suggestion's own language: refused next to the language field.
    const same = await mod.post(path, { ...form, language: "ur" });
    expect(same.status).toBe(422);
    expect(pageText(same.text)).toContain(en.translation.refused.sameLanguage);
    expect((await mod.post(path, { ...form, language: "fr" })).status).toBe(400);
    const noTitle = await mod.post(path, { ...form, title: "" });
    expect(noTitle.status).toBe(400);
    // The values typed come back with the errors.
    expect(noTitle.text).toContain(TRANSLATION.problem);
    expect(await translations()).toEqual([]);

    const ok = await mod.post(path, form);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`${path}?translated=1#translation-title`);
    expect((await translations()).map((v) => [v.language, v.version, v.title])).toEqual([["en", 1, TRANSLATION.title]]);

    // The moderation page: the original language, the history with the translator, the form filled for the next version.
    const page = await mod.get(path);
    const text = pageText(page.text);
    expect(text).toContain(`${en.translation.originalLanguage} ${en.translation.language.ur}`);
    expect(text).toContain(en.translation.history.title);
    expect(text).toContain("Translating Moderator");
    expect(page.text).toContain(`value="${TRANSLATION.title}"`);
    // A second save of a changed text is version 2; both are kept.
    expect((await mod.post(path, { ...form, title: `${TRANSLATION.title} and tanneries` })).status).toBe(303);
    expect((await translations()).map((v) => v.version)).toEqual([1, 2]);
  });

  it("shows English readers the translation, labelled, with the original one plain link away and the link back", async () => {
    const page = await reader("en").get(`/submissions/${id}`);
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    expect(text).toContain(`${TRANSLATION.title} and tanneries`);
    expect(text).toContain(TRANSLATION.problem);
    expect(text).toContain(en.translation.label);
    expect(text).not.toContain(URDU.problem);
    expect(page.text).toContain(`href="/submissions/${id}?original=1"`);

    const original = await reader("en").get(`/submissions/${id}?original=1`);
    const originalText = pageText(original.text);
    expect(originalText).toContain(URDU.title);
    expect(originalText).toContain(URDU.problem);
    expect(originalText).toContain(en.translation.originalShown);
    expect(original.text).toMatch(new RegExp(`href="/submissions/${id}"[^>]*>${en.translation.showTranslation.replace("'", "&#x27;")}<`));

    // An Urdu reader reads the original: no translation into Urdu, no label.
    const urdu = pageText((await reader("ur").get(`/submissions/${id}`)).text);
    expect(urdu).toContain(URDU.title);
    expect(urdu).not.toContain(ur.translation.label);
    expect(urdu).not.toContain(TRANSLATION.problem);

    // The cluster page's card: the translated title, labelled.
    const cluster = pageText((await reader("en").get(`/clusters/leather`)).text);
    expect(cluster).toContain(`${TRANSLATION.title} and tanneries ${en.translation.label}`);
  });

  it("lets the author, and only the author, flag the translation to the moderators", async () => {
    const path = `/submissions/${id}/translation-flag`;
    const stranger = await signedIn(server.url, await makeUser(t.db));
    expect((await stranger.post(path, { reason: "Wrong" })).status).toBe(403);
    expect((await new Client(server.url).post(path, { reason: "Wrong" })).status).toBe(302);
    expect((await authorClient.post(path, { reason: "" })).status).toBe(400);
    const flags = () => t.db.selectFrom("translation_flags").select(["user_id", "status"]).where("submission_id", "=", id).execute();
    expect(await flags()).toEqual([]);
    // The author sees the way to flag it on the suggestion page.
    const authorPage = await authorClient.get(`/submissions/${id}`);
    expect(authorPage.text).toContain(`action="/submissions/${id}/translation-flag"`);
    const ok = await authorClient.post(path, { reason: "It says tanneries twice." });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/submissions/${id}?flagged=1`);
    expect(await flags()).toEqual([{ user_id: author.id, status: "open" }]);
    const queue = pageText((await mod.get("/moderation")).text);
    expect(queue).toContain(en.translation.flagged.title);
    expect(queue).toContain("It says tanneries twice.");
    const audit = await t.db.selectFrom("audit_log").select("actor_id").where("action", "=", "submission.translation-flag").execute();
    expect(audit).toEqual([{ actor_id: author.id }]);
  });

  it("lists published suggestions without a translation on /moderation?queue=translate, most supported first, with counts per cluster", async () => {
    const untranslated = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "leather", title: "Common effluent treatment for Kasur tanneries" },
    });
    const page = await mod.get("/moderation?queue=translate&cluster=leather");
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    expect(text).toContain(en.translation.queue.byCluster);
    expect(page.text).toContain(`href="/moderation/submissions/${untranslated}#translation-title"`);
    const table = page.text.match(/<table class="queue">[\s\S]*?<\/table>/)?.[0] ?? "";
    expect(table).toContain(`href="/moderation/submissions/${untranslated}#translation-title"`);
    expect(table).not.toContain(`href="/moderation/submissions/${id}#translation-title"`);
    const stakeholder = await signedIn(server.url, await makeUser(t.db));
    expect((await stakeholder.get("/moderation?queue=translate")).status).toBe(403);
    // Anything else in `queue` is the ordinary queue, never an error.
    expect((await mod.get("/moderation?queue=bogus")).status).toBe(200);
  });
});
