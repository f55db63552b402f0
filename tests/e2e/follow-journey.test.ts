// Closing the loop in a real browser (Chromium; issue 16, items 1 and 2),
// with JavaScript and without: a supporter supports a suggestion (and so
// follows it), an organiser links it into a final recommendation and records
// the government's response (over HTTP, as the organiser's forms post), and
// the supporter reads the response on /me, finds the suggestion under "What I
// follow", unfollows it there on its page, and the response email is in the
// outbox with the status and the text. Watched like the other journeys.
import { describe, expect, it } from "vitest";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { Client, signedIn } from "../support/http";
import { browserHarness, expectClean, see, signIn } from "./helpers";

const h = browserHarness();

describe(`following and the response in the browser (${testDialect})`, () => {
  for (const js of [true, false]) {
    const mode = js ? "with JavaScript" : "without JavaScript";

    it(`support → included in a recommendation → response: the supporter reads it and gets the email (${mode})`, async () => {
      await h.t.db
        .updateTable("consultations")
        .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
        .execute();
      const author = await makeUser(h.t.db);
      const moderator = await makeUser(h.t.db, { role: "moderator" });
      const organiser = await makeUser(h.t.db, { role: "organiser" });
      const supporter = await makeUser(h.t.db, { displayName: "Sana Supporter" });
      const title = `Common effluent plant for Kasur tanneries ${js ? "js" : "nojs"}`;
      const id = await makePublishedSubmission(h.t.db, { authorId: author.id, moderatorId: moderator.id, input: { title } });

      const w = await h.openPage({ javaScriptEnabled: js });
      const { page } = w;
      // The supporter asks for email at once (ADR 0028: by default a response to what one only
      // supported waits for the weekly digest; tests/e2e/digest-journey.test.ts follows a digest).
      await signIn(h, w, supporter, { to: "/me/notifications/settings", js });
      await page.getByRole("radio", { name: "At once: one email for each notification" }).check();
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await see(page.getByText("Your email settings were saved.")).visible();
      await page.goto(h.url(`/submissions/${id}`));
      await page.getByRole("button", { name: "Support this suggestion", exact: true }).click();
      // Supporting follows: the page offers to unfollow.
      await see(page.getByRole("button", { name: "Unfollow", exact: true })).visible();

      // The organiser's side.
      const rec = await createRecommendation(h.t.db, {
        actorId: organiser.id,
        actorRole: "organiser",
        input: {
          title: `Shared effluent treatment for tannery clusters ${js ? "js" : "nojs"}`,
          text: "Fund common effluent treatment plants for the tannery clusters of Kasur and Sialkot.",
          cluster: ["leather"],
          category: ["export-markets"],
          priority: "1",
          dissent: "",
          status: "final",
        },
      });
      if (!rec.ok) throw new Error("recommendation refused");
      expect(await linkSource(h.t.db, { actorId: organiser.id, actorRole: "organiser", id: rec.id, submissionId: id })).toMatchObject({
        ok: true,
      });
      const org: Client = await signedIn(h.server.url, organiser);
      const responded = await org.post(`/organiser/recommendations/${rec.id}`, {
        intent: "respond",
        responseStatus: "under-review",
        responseText: "The Punjab Environmental Protection Agency is costing the plants.",
        responsibleAgency: "Punjab EPA",
        responseDate: "2027-04-01",
      });
      expect(responded.status).toBe(303);

      // The supporter reads it on /me, and follows the suggestion.
      await page.goto(h.url("/me"));
      await see(page.getByText("The government responded", { exact: false }).first()).visible();
      await page.goto(h.url("/me/notifications"));
      const following = page.locator("#following");
      await see(following.getByRole("heading", { name: "What I follow" })).visible();
      await following.getByRole("link", { name: new RegExp(title) }).click();
      await page.waitForURL(h.url(`/submissions/${id}`));
      await page.getByRole("button", { name: "Unfollow", exact: true }).click();
      await see(page.getByRole("button", { name: "Follow", exact: true })).visible();

      // The email, in the outbox (held: no SMTP in the browser suite), with the status and the text.
      const mail = await h.t.db
        .selectFrom("email_outbox")
        .select(["subject", "body"])
        .where("user_id", "=", supporter.id)
        .where("subject", "like", "The government responded%")
        .execute();
      expect(mail).toHaveLength(1);
      expect(mail[0].body).toContain("Response: Under review");
      expect(mail[0].body).toContain("The Punjab Environmental Protection Agency is costing the plants.");
      expect(await new Client(h.server.url).post(`/submissions/${id}/follow`, { intent: "follow" })).toMatchObject({ status: 302 });
      expectClean(w);
    });
  }
});
