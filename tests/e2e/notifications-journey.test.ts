// Notifications in a real browser (Chromium), with JavaScript and without:
// the header's unread count, the notifications page, marking one and then all
// read, the count following each step. Watched like the other journeys: any
// console error, CSP violation, failed request or server error fails the test.
import { describe, expect, it } from "vitest";
import { notify } from "~/models/notification.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { browserHarness, expectClean, hydrated, markDocument, nav, sameDocument, see } from "./helpers";

const h = browserHarness();

describe(`notifications in the browser (${testDialect})`, () => {
  for (const js of [true, false]) {
    const mode = js ? "with JavaScript" : "without JavaScript";

    it(`the header counts unread notifications; the page marks one, then all, read (${mode})`, async () => {
      const author = await makeUser(h.t.db, { displayName: "Nadia Author" });
      const moderator = await makeUser(h.t.db, { role: "moderator" });
      const title = `Shared cold storage at Lahore dry port ${js ? "js" : "nojs"}`;
      const id = await makePublishedSubmission(h.t.db, { authorId: author.id, moderatorId: moderator.id, input: { title } });
      await notify(h.t.db, { userId: author.id, kind: "commented", submissionId: id });

      const w = await h.openPage({ javaScriptEnabled: js });
      const { page } = w;
      await page.goto(h.url("/login?redirectTo=%2F"));
      if (js) await hydrated(w);
      await page.getByLabel("Email", { exact: true }).fill(author.email);
      await page.getByLabel("Password", { exact: true }).fill(author.password);
      await page.getByRole("main").getByRole("button", { name: "Sign in", exact: true }).click();
      await page.waitForURL(h.url("/"));
      if (js) await hydrated(w);
      if (js) await markDocument(page);

      const link = nav(page).getByRole("link", { name: /^Notifications/ });
      await see(link).text("Notifications 2 (2 unread notifications)");
      expect(await link.getAttribute("href")).toBe("/me/notifications");
      await link.click();
      await page.waitForURL(h.url("/me/notifications"));
      await see(page.getByRole("heading", { level: 1 })).text("Notifications");
      const items = page.locator("ol.notification-list > li");
      await see(items).count(2);
      await see(items.first()).visible();
      expect(await items.first().textContent()).toContain("New comment on your suggestion");
      expect(await items.first().getByRole("link", { name: title }).getAttribute("href")).toBe(`/submissions/${id}`);

      // One read: its badge goes, the header says 1.
      await items
        .first()
        .getByRole("button", { name: `Mark as read: ${title}`, exact: true })
        .click();
      await see(nav(page).getByRole("link", { name: /^Notifications/ })).text("Notifications 1 (1 unread notification)");
      await see(items.first().locator(".badge")).count(0);
      await see(items.nth(1).locator(".badge")).text("New");

      // All read: the count is gone.
      await page.getByRole("button", { name: "Mark all as read", exact: true }).click();
      await see(nav(page).getByRole("link", { name: /^Notifications/ })).text("Notifications");
      await see(page.getByText("You have read all your notifications.", { exact: true })).visible();
      await see(page.locator("ol.notification-list .badge")).count(0);
      expect(
        await h.t.db.selectFrom("notifications").select("id").where("user_id", "=", author.id).where("read_at", "is", null).execute(),
      ).toEqual([]);

      if (js) expect(await sameDocument(page)).toBe(true);
      expectClean(w);
    });
  }
});
