// Implementation progress over real HTTP against the built server, as a
// browser without JavaScript posts (issue 16, item 4): an organiser records
// dated updates on a final recommendation; the public page shows the history
// newest first (in English and Urdu); the people behind the sources see it on
// /me; bad input is a 400, a draft a 409, a stakeholder a 403, and none of
// them changes anything.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

describe(`recommendation progress over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let organiser: MadeUser;
  let supporter: MadeUser;
  let stakeholder: MadeUser;
  let finalId: number;
  let draftId: number;
  let org: Client;

  async function seed(t: TestDb) {
    organiser = await makeUser(t.db, { role: "organiser" });
    const moderator = await makeUser(t.db, { role: "moderator" });
    const author = await makeUser(t.db);
    supporter = await makeUser(t.db);
    stakeholder = await makeUser(t.db);
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    const s = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Faster duty drawback" },
    });
    const r = await supportSubmission(t.db, { submissionId: s, userId: supporter.id });
    if (!r.ok) throw new Error(JSON.stringify(r));
    const who = { actorId: organiser.id, actorRole: "organiser" };
    const base = {
      title: "Refund duties on export inputs within 30 days",
      text: "Exporters of leather goods should get duty drawback within thirty days of shipment.",
      cluster: ["leather"],
      category: ["export-markets"],
      priority: "2",
      dissent: "",
    };
    const f = await createRecommendation(t.db, { ...who, input: { ...base, status: "final" } });
    const d = await createRecommendation(t.db, { ...who, input: { ...base, status: "draft" } });
    if (!f.ok || !d.ok) throw new Error("create failed");
    finalId = f.id;
    draftId = d.id;
    await linkSource(t.db, { ...who, id: finalId, submissionId: s });
  }
  beforeAll(async () => {
    org = await signedIn(server.url, organiser);
  });

  const form = (overrides: Record<string, string> = {}) => ({
    intent: "progress",
    progressStatus: "in-progress",
    progressText: "Draft rules sent to the Federal Board of Revenue.",
    progressDate: "2027-02-01",
    evidenceUrl: "https://example.gov.pk/drawback?a=1&b=2",
    ...overrides,
  });
  const rows = async () =>
    Number(
      (
        await t.db
          .selectFrom("recommendation_progress")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("refusals change nothing: 400 bad input (values kept), 409 a draft, 403 a stakeholder, a visitor to /login, 404 unknown", async () => {
    const before = await rows();
    const bad = await org.post(
      `/organiser/recommendations/${finalId}`,
      form({
        progressStatus: "finished",
        progressDate: "2027-13-01",
        evidenceUrl: "javascript:alert(1)",
        progressText: "Kept <b>text</b>",
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('class="error-summary"');
    expect(bad.text).toContain("Kept &lt;b&gt;text&lt;/b&gt;");
    expect(pageText(bad.text)).toContain("Give a web address starting with https:// or http://");
    const draft = await org.post(`/organiser/recommendations/${draftId}`, form());
    expect(draft.status).toBe(409);
    expect(pageText(draft.text)).toContain("Progress can be reported once the recommendation is final.");
    const s = await signedIn(server.url, stakeholder);
    expect((await s.post(`/organiser/recommendations/${finalId}`, form())).status).toBe(403);
    const visitor = await new Client(server.url).post(`/organiser/recommendations/${finalId}`, form());
    expect(visitor.status).toBe(302);
    expect((await org.post("/organiser/recommendations/999999", form())).status).toBe(404);
    expect(await rows()).toBe(before);
  });

  it("an organiser records updates; the public page shows them newest first, in English and Urdu; the supporter sees it on /me", async () => {
    const first = await org.post(
      `/organiser/recommendations/${finalId}`,
      form({ progressStatus: "planned", progressDate: "2027-01-05", evidenceUrl: "" }),
    );
    expect(first.status).toBe(303);
    const second = await org.post(
      `/organiser/recommendations/${finalId}`,
      form({ progressText: "مسودہ قواعد ایف بی آر کو بھیج دیے گئے۔" }),
    );
    expect(second.status).toBe(303);
    const page = await new Client(server.url).get(`/recommendations/${finalId}`);
    expect(page.status).toBe(200);
    const history = page.text.match(/<ol[^>]*id="progress-history"[\s\S]*?<\/ol>/)?.[0] ?? "";
    const text = pageText(history);
    expect(text.indexOf("In progress")).toBeGreaterThanOrEqual(0);
    expect(text.indexOf("In progress")).toBeLessThan(text.indexOf("Planned"));
    expect(text).toContain("مسودہ قواعد ایف بی آر کو بھیج دیے گئے۔");
    expect(history).toContain('href="https://example.gov.pk/drawback?a=1&amp;b=2"');
    const urdu = new Client(server.url);
    expect((await urdu.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
    const ur = await urdu.get(`/recommendations/${finalId}`);
    expect(pageText(ur.text)).toContain("عمل درآمد کی پیش رفت");
    expect(pageText(ur.text)).toContain("جاری");
    const organiserPage = await org.get(`/organiser/recommendations/${finalId}`);
    expect(organiserPage.text).toContain('value="progress"');
    const me = await (await signedIn(server.url, supporter)).get("/me");
    expect(pageText(me.text)).toContain(en.notification.progress);
    // The news links to the recommendation it is about (as on /me/notifications and in the email).
    expect(me.text).toContain(`href="/recommendations/${finalId}"`);
    const audit = await t.db.selectFrom("audit_log").select("id").where("action", "=", "recommendation.progress").execute();
    expect(audit).toHaveLength(2);
  });
});
