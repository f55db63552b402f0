// The account pages in real Chromium with JavaScript on: the forms go through
// the client router, so what matters here is what the route tests cannot see —
// a refused form keeps what was typed (never a password), a saved form shows
// what was saved, a changed password does not linger in the fields — with no
// console error, CSP violation or server error on the way.
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { makeUser } from "../support/factories";
import { browserHarness, expectClean, hydrated, markDocument, sameDocument, see, signIn } from "./helpers";

const h = browserHarness();
const NEW_PASSWORD = "a kite festival over the old city";

describe("account pages with JavaScript", () => {
  it("profile: a refusal keeps what was typed; a save shows what was saved", async () => {
    const user = await makeUser(h.t.db, { displayName: "Amina Sheikh" });
    const w = await h.openPage({}, ["400 POST /me/profile"]);
    await signIn(h, w, user);
    await w.page.goto(h.url("/me/profile"));
    await hydrated(w);
    await markDocument(w.page);

    await w.page.fill("input[name=displayName]", "A");
    await w.page.fill("input[name=city]", "Multan");
    await w.page.click("form#profile button[type=submit]");
    await see(w.page.locator(".error-summary")).visible();
    await see(w.page.locator("input[name=city]")).value("Multan");
    await see(w.page.locator("input[name=displayName]")).value("A");

    await w.page.fill("input[name=displayName]", "Amina S.");
    await w.page.click("form#profile button[type=submit]");
    await w.page.waitForURL(h.url("/me/profile?saved=1"));
    await see(w.page.getByRole("status")).text(en.account.profile.saved);
    await see(w.page.locator("input[name=displayName]")).value("Amina S.");
    await see(w.page.locator("input[name=city]")).value("Multan");
    expect(await sameDocument(w.page)).toBe(true);
    expectClean(w);
  });

  it("password: a refusal empties the password fields but keeps the checkbox; a change leaves nothing typed", async () => {
    const user = await makeUser(h.t.db);
    const w = await h.openPage({}, ["400 POST /me/password"]);
    await signIn(h, w, user);
    await w.page.goto(h.url("/me/password"));
    await hydrated(w);
    await markDocument(w.page);

    await w.page.fill("input[name=currentPassword]", "not the current password");
    await w.page.fill("input[name=newPassword]", NEW_PASSWORD);
    await w.page.fill("input[name=confirmPassword]", NEW_PASSWORD);
    await w.page.uncheck("input[name=endOtherSessions]");
    await w.page.click("form#password button[type=submit]");
    await see(w.page.locator(".error-summary")).visible();
    expect(await w.page.locator(".error-summary").textContent()).toContain(en.account.password.wrongCurrent);
    await see(w.page.locator("input[name=currentPassword]")).value("");
    await see(w.page.locator("input[name=newPassword]")).value("");
    await see(w.page.locator("input[name=endOtherSessions]")).checked(false);

    await w.page.fill("input[name=currentPassword]", user.password);
    await w.page.fill("input[name=newPassword]", NEW_PASSWORD);
    await w.page.fill("input[name=confirmPassword]", NEW_PASSWORD);
    await w.page.click("form#password button[type=submit]");
    await w.page.waitForURL(/\/me\/password\?changed=1/);
    await see(w.page.getByRole("status")).visible();
    await see(w.page.locator("input[name=currentPassword]")).value("");
    await see(w.page.locator("input[name=newPassword]")).value("");
    await see(w.page.locator("input[name=confirmPassword]")).value("");
    expect(await sameDocument(w.page)).toBe(true);
    // Still signed in, on the renewed session.
    await w.page.goto(h.url("/me/sessions"));
    await see(w.page.locator("tbody tr")).count(1);
    expectClean(w);
  });

  it("deletion: signed out, on the home page with the confirmation", async () => {
    const user = await makeUser(h.t.db);
    const w = await h.openPage();
    await signIn(h, w, user);
    await w.page.goto(h.url("/me/delete"));
    await hydrated(w);
    await w.page.fill("input[name=password]", user.password);
    await w.page.check("input[name=confirm]");
    await w.page.click("form#delete-account button[type=submit]");
    await w.page.waitForURL(h.url("/?accountDeleted=1"));
    await see(w.page.getByRole("status")).text(en.account.delete.done);
    await w.page.goto(h.url("/me"));
    await w.page.waitForURL(/\/login\?redirectTo=/);
    expectClean(w);
  });
});
