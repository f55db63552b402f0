// Organisation membership in real Chromium with JavaScript on (issue 15, item
// 4): a person who typed a firm's registration number is told on /me that
// their request waits; the firm's member approves it on /me/organisation (the
// form goes through the client router); the person then sees the firm. No
// console error, CSP violation or server error on the way.
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { makeUser } from "../support/factories";
import { browserHarness, expectClean, hydrated, see, signIn, uniqueWord } from "./helpers";

const h = browserHarness();

describe("organisation membership with JavaScript", () => {
  it("a request to join waits on /me; a member approves it on /me/organisation; the new member sees the firm", async () => {
    const word = uniqueWord();
    const organisation = {
      name: `Firm ${word} Tanners`,
      type: "firm" as const,
      sizeBand: "small" as const,
      city: "Kasur",
      province: "punjab",
      clusterSlug: "leather",
      registrationNumber: `NTN-${word}`,
    };
    const member = await makeUser(h.t.db, { displayName: "Member Mehwish", organisation });
    const asker = await makeUser(h.t.db, { displayName: `Asker ${word}`, organisation });
    expect(asker.organisationId).toBeNull();

    const a = await h.openPage();
    await signIn(h, a, asker);
    await see(a.page.getByRole("status").filter({ hasText: en.membership.pending.notice })).visible();
    await a.page.getByRole("link", { name: en.membership.pending.see }).click();
    await a.page.waitForURL(h.url("/me/organisation"));
    await see(a.page.getByRole("heading", { name: en.membership.pending.title })).visible();
    expect(await a.page.getByRole("main").textContent()).not.toContain(organisation.name);

    const m = await h.openPage();
    await signIn(h, m, member, { to: "/me/organisation" });
    const row = m.page.getByRole("row", { name: new RegExp(`Asker ${word}`) });
    await see(row).visible();
    await row.getByRole("button", { name: en.membership.requests.approve }).click();
    await m.page.waitForURL(h.url("/me/organisation?done=approved"));
    await see(m.page.getByRole("status")).text(en.membership.done.approved);
    await see(m.page.getByText(en.membership.requests.none)).visible();

    await a.page.reload();
    await hydrated(a);
    await see(a.page.getByRole("heading", { name: organisation.name })).visible();
    expectClean(a);
    expectClean(m);
  });
});
