// Follows and the response email over real HTTP against the built server
// (issue 16, items 1 and 2): /submissions/:id/follow and
// /recommendations/:id/follow (follow, unfollow, refusals that change
// nothing), auto-follow on support and an unfollow that sticks, "what I
// follow", and the journey: support a suggestion → an organiser links it into
// a final recommendation and records a response → the supporter reads it on
// /me and gets the email (a real SMTP conversation with a fake server), with
// the status and the response text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, signedIn } from "../support/http";
import { parseMessage, startFakeSmtp, type FakeSmtp } from "../support/smtp";
import { useServer } from "../support/suite";

const hasUnfollowButton = (html: string) => /name="intent" value="unfollow"/.test(html);
const hasFollowButton = (html: string) => /name="intent" value="follow"/.test(html);

describe(`follows and the response email over HTTP (${testDialect})`, () => {
  let smtp: FakeSmtp;
  beforeAll(async () => {
    smtp = await startFakeSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
  });
  const { t, server } = useServer({ env: () => ({ SMTP_URL: smtp.url, PAGE_CACHE_SECONDS: "0" }) });
  let moderator: MadeUser;
  let organiser: MadeUser;
  let org: Client;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    organiser = await makeUser(t.db, { role: "organiser" });
    org = await signedIn(server.url, organiser);
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
  });

  const published = async (title: string) => {
    const author = await makeUser(t.db);
    const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title } });
    return { id, author };
  };
  const follows = (userId: number) =>
    t.db
      .selectFrom("follows")
      .select(["target_type", "target_id", "following"])
      .where("user_id", "=", userId)
      .orderBy("target_id")
      .execute();
  const newRecommendation = async (status: "draft" | "final") => {
    const res = await org.post("/organiser/recommendations", {
      title: `Online certificates of origin ${status}`,
      text: "Exporters should get certificates of origin online within a day of applying.",
      cluster: "leather",
      category: "export-markets",
      priority: "1",
      dissent: "",
      status,
    });
    expect(res.status, pageText(res.text).slice(0, 300)).toBe(303);
    return Number(res.headers.get("location")!.match(/\/organiser\/recommendations\/(\d+)/)![1]);
  };

  it("follow and unfollow a suggestion and a recommendation; refusals change nothing", async () => {
    const { id } = await published("Bonded warehouses for tannery chemicals");
    const person = await makeUser(t.db);
    const client = await signedIn(server.url, person);

    const page = await client.get(`/submissions/${id}`);
    expect(hasFollowButton(page.text)).toBe(true);
    expect(page.text).toContain(`action="/submissions/${id}/follow"`);

    // Refusals first: nothing changes.
    expect((await client.post(`/submissions/${id}/follow`, { intent: "subscribe" })).status).toBe(400);
    expect((await client.post(`/submissions/${id}/follow`, {})).status).toBe(400);
    expect((await client.post("/submissions/999999/follow", { intent: "follow" })).status).toBe(404);
    const pending = await makeSubmission(t.db, {
      authorId: (await makeUser(t.db)).id,
      input: { title: "Pending suggestion nobody else sees" },
    });
    expect((await client.post(`/submissions/${pending}/follow`, { intent: "follow" })).status).toBe(404);
    const draft = await newRecommendation("draft");
    expect((await client.post(`/recommendations/${draft}/follow`, { intent: "follow" })).status).toBe(404);
    expect((await client.post("/recommendations/999999/follow", { intent: "follow" })).status).toBe(404);
    const visitor = new Client(server.url);
    const anonymous = await visitor.post(`/submissions/${id}/follow`, { intent: "follow" });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    expect(await follows(person.id)).toEqual([]);
    // A visitor is offered the way to sign in.
    expect(pageText((await visitor.get(`/submissions/${id}`)).text)).toContain(en.follow.signIn);

    const followed = await client.post(`/submissions/${id}/follow`, { intent: "follow" });
    expect(followed.status).toBe(303);
    expect(followed.headers.get("location")).toBe(`/submissions/${id}#follow`);
    expect(hasUnfollowButton((await client.get(`/submissions/${id}`)).text)).toBe(true);
    const final = await newRecommendation("final");
    expect((await client.post(`/recommendations/${final}/follow`, { intent: "follow" })).status).toBe(303);
    expect(hasUnfollowButton((await client.get(`/recommendations/${final}`)).text)).toBe(true);
    expect(await follows(person.id)).toEqual(
      [
        { target_type: "submission", target_id: id, following: 1 },
        { target_type: "recommendation", target_id: final, following: 1 },
      ].sort((a, b) => a.target_id - b.target_id),
    );
    const mine = pageText((await client.get("/me/notifications")).text);
    expect(mine).toContain(en.follow.mine.heading);
    expect(mine).toContain("Bonded warehouses for tannery chemicals");
    expect(mine).toContain(`R-${final}`);

    expect((await client.post(`/recommendations/${final}/follow`, { intent: "unfollow" })).status).toBe(303);
    expect(hasFollowButton((await client.get(`/recommendations/${final}`)).text)).toBe(true);
    // A plain visit to the action address: the way back.
    expect((await client.get(`/recommendations/${final}/follow`)).status).toBe(200);
    expect((await client.get(`/recommendations/${draft}/follow`)).status).toBe(404);
  });

  it("a supporter follows on supporting; an unfollow sticks when they support again", async () => {
    const { id } = await published("Testing laboratory for leather exporters");
    const supporter = await makeUser(t.db);
    const client = await signedIn(server.url, supporter);
    expect((await client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
    expect(hasUnfollowButton((await client.get(`/submissions/${id}`)).text)).toBe(true);
    expect((await client.post(`/submissions/${id}/follow`, { intent: "unfollow" })).status).toBe(303);
    expect((await client.post(`/submissions/${id}/support`, { intent: "withdraw" })).status).toBe(303);
    expect((await client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
    expect(hasFollowButton((await client.get(`/submissions/${id}`)).text)).toBe(true);
    expect(await follows(supporter.id)).toEqual([{ target_type: "submission", target_id: id, following: 0 }]);
  });

  it("journey: support → linked into a final recommendation → response: the supporter sees it on /me and gets the email", async () => {
    const { id, author } = await published("Duty drawback for finished leather goods within 30 days");
    const supporter = await makeUser(t.db);
    const client = await signedIn(server.url, supporter);
    // The supporter asks for email at once (ADR 0028: by default a response to what one only supported
    // comes in the weekly digest; tests/routes/notification-settings.test.ts follows a digest).
    expect((await client.post("/me/notifications/settings", { email: "instant" })).status).toBe(303);
    expect((await client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
    const rec = await newRecommendation("final");
    expect((await org.post(`/organiser/recommendations/${rec}`, { intent: "link", submission: String(id) })).status).toBe(303);
    const responded = await org.post(`/organiser/recommendations/${rec}`, {
      intent: "respond",
      responseStatus: "accepted",
      responseText: "The Federal Board of Revenue will refund within 30 days from July.",
      responsibleAgency: "Federal Board of Revenue",
      responseDate: "2027-03-01",
    });
    expect(responded.status, pageText(responded.text).slice(0, 300)).toBe(303);

    expect(pageText((await client.get("/me")).text)).toContain(en.notification.responded);
    // The sender sends after the commit (a pass every few seconds): wait for both responses to arrive.
    const responses = (email: string) =>
      smtp.messages.filter(
        (m) => m.to.includes(email) && (parseMessage(m.raw).header("Subject") ?? "").startsWith("The government responded"),
      );
    const deadline = Date.now() + 20_000;
    while ((responses(supporter.email).length < 1 || responses(author.email).length < 1) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const toSupporter = responses(supporter.email);
    expect(toSupporter).toHaveLength(1);
    const mail = parseMessage(toSupporter[0].raw);
    expect(mail.header("Subject")).toBe("The government responded: Online certificates of origin final");
    expect(mail.text).toContain("Response: Accepted");
    expect(mail.text).toContain("The Federal Board of Revenue will refund within 30 days from July.");
    expect(mail.text).toContain(`${server.url}/recommendations/${rec}`);
    expect(responses(author.email)).toHaveLength(1);
    // Before it, the supporter heard of the inclusion as a follower (the author as the author).
    expect(
      smtp.messages.some(
        (m) => m.to.includes(supporter.email) && parseMessage(m.raw).header("Subject")?.startsWith("A suggestion you follow is part of"),
      ),
    ).toBe(true);
    const outbox = await t.db
      .selectFrom("email_outbox")
      .select(["user_id"])
      .where("subject", "like", "The government responded%")
      .where("user_id", "in", [supporter.id, author.id])
      .execute();
    expect(outbox).toHaveLength(2);
  });
});
