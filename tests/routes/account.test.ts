// Account self-service over real HTTP against the built server, as a browser
// without JavaScript sends it (plain form posts): profile, password change,
// data download, account deletion, sessions; the guards, the cross-site
// check, 400s that keep what was typed (never a password), and no 500.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { testDialect } from "../support/db";
import { makeUser, registrationForm, uniqueEmail } from "../support/factories";
import { Client, decodeEntities, formHtml, type HttpResponse, inputValue, pageText, SESSION_COOKIE, setCookieLine } from "../support/http";
import { useServer } from "../support/suite";
import { selectedOption } from "../support/pages";

const NEW_PASSWORD = "kites over the walled city in spring";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

const ACCOUNT_PAGES = ["/me/profile", "/me/password", "/me/sessions", "/me/data.json", "/me/delete"];

/** Sign in through the real form; the client keeps the cookie (optionally with a browser's User-Agent). */
async function signedIn(baseUrl: string, user: { email: string; password: string }, userAgent?: string): Promise<Client> {
  const client = new Client(baseUrl);
  const res = await client.post("/login", { email: user.email, password: user.password }, userAgent ? { "User-Agent": userAgent } : {});
  if (res.status !== 302 && res.status !== 303) throw new Error(`sign-in of ${user.email} answered ${res.status}`);
  return client;
}

/** The `sessionId` of each row of the sessions table, with that row's visible text. */
function sessionRows(html: string): Array<{ ref: string; text: string }> {
  const rows = html.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
  return rows.map((row) => ({ ref: row.match(/name="sessionId" value="([^"]+)"/)?.[1] ?? "", text: pageText(row) })).filter((r) => r.ref);
}

const isSignedOut = (res: HttpResponse) => res.status === 302 && (res.location ?? "").startsWith("/login");

describe(`account self-service over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ env: { REGISTRATIONS_PER_IP: "1000" } });
  let moderator: Client;

  beforeAll(async () => {
    const m = await makeUser(t.db, { role: "moderator" });
    moderator = await signedIn(server.url, m);
  });

  const userRow = (id: number) => t.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const userByEmail = (email: string) =>
    t.db.selectFrom("users").selectAll().where("email_normalised", "=", email.toLowerCase()).executeTakeFirst();
  const expectNo500 = (res: HttpResponse) => expect(res.status, pageText(res.text).slice(0, 300)).toBeLessThan(500);

  describe("guards", () => {
    it("sends a signed-out visitor to /login from every account page, GET and POST, and changes nothing", async () => {
      const visitor = new Client(server.url);
      for (const path of ACCOUNT_PAGES) {
        const get = await visitor.get(path);
        expect(get.status, path).toBe(302);
        expect(get.location).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
      }
      for (const path of ["/me/profile", "/me/password", "/me/sessions", "/me/delete"]) {
        const post = await visitor.post(path, { password: "whatever it is", confirm: "on", intent: "end-others" });
        expect(isSignedOut(post), `${path} ${post.status}`).toBe(true);
      }
    });

    it("refuses cross-site posts with 403 and changes nothing", async () => {
      const u = await makeUser(t.db);
      const client = await signedIn(server.url, u);
      const before = await userRow(u.id);
      const attempts: Array<[string, Record<string, string>]> = [
        ["/me/password", { currentPassword: u.password, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD, endOtherSessions: "on" }],
        ["/me/delete", { password: u.password, confirm: "on" }],
        ["/me/profile", { displayName: "Changed By Another Site", locale: "en" }],
        ["/me/sessions", { intent: "end-others" }],
      ];
      for (const [path, form] of attempts) {
        expect((await client.post(path, form, { Origin: "https://evil.example" })).status, path).toBe(403);
        expect((await client.post(path, form, { "Sec-Fetch-Site": "cross-site" })).status, path).toBe(403);
      }
      expect(await userRow(u.id)).toEqual(before);
      expect((await client.get("/me")).status).toBe(200);
    });

    it("links the account pages from /me", async () => {
      const u = await makeUser(t.db);
      const client = await signedIn(server.url, u);
      const me = await client.get("/me");
      expect(me.status).toBe(200);
      for (const path of ACCOUNT_PAGES) expect(me.text).toContain(`href="${path}"`);
      expect(pageText(me.text)).toContain(en.account.nav.profile);
    });
  });

  describe("profile", () => {
    it("shows the current values, refuses bad input with 400 keeping what was typed, then saves and switches the language", async () => {
      const u = await makeUser(t.db, { displayName: "Rabia Qadir" });
      const client = await signedIn(server.url, u);
      const page = await client.get("/me/profile");
      expect(page.status).toBe(200);
      const form = formHtml(page.text, "profile");
      expect(inputValue(form, "displayName")).toBe("Rabia Qadir");
      expect(inputValue(form, "city")).toBe("Sialkot");
      expect(selectedOption(form, "sizeBand")).toBe("small");
      expect(selectedOption(form, "locale")).toBe("en");
      const before = await userRow(u.id);

      const bad = await client.post("/me/profile", {
        displayName: "R",
        locale: "fr",
        organisationName: "Qadir Leather Goods",
        organisationType: "firm",
        sizeBand: "enormous",
        city: "Lahore",
        province: "punjab",
        role: "admin",
      });
      expect(bad.status).toBe(400);
      const badForm = formHtml(bad.text, "profile");
      expect(inputValue(badForm, "displayName")).toBe("R");
      expect(inputValue(badForm, "organisationName")).toBe("Qadir Leather Goods");
      expect(inputValue(badForm, "city")).toBe("Lahore");
      expect(pageText(bad.text)).toContain(en.form.errorSummary);
      expect(await userRow(u.id)).toEqual(before);

      const ok = await client.post("/me/profile", {
        displayName: "Rabia Q.",
        locale: "ur",
        showOrganisation: "on",
        organisationName: "Qadir Leather Goods",
        organisationType: "firm",
        sizeBand: "medium",
        city: "Lahore",
        province: "punjab",
        role: "admin",
        status: "disabled",
      });
      expect(ok.status).toBe(303);
      expect(ok.location).toBe("/me/profile?saved=1");
      expect(setCookieLine(ok.headers, "lng")).toMatch(/^lng=/);
      const after = await userRow(u.id);
      expect(after).toMatchObject({ display_name: "Rabia Q.", locale: "ur", show_organisation: 1, role: "stakeholder", status: "active" });
      const org = await t.db.selectFrom("organisations").selectAll().where("id", "=", u.organisationId!).executeTakeFirstOrThrow();
      expect(org).toMatchObject({ name: "Qadir Leather Goods", size_band: "medium", city: "Lahore" });

      // Now in Urdu, with the confirmation.
      const saved = await client.get("/me/profile?saved=1");
      expect(saved.status).toBe(200);
      expect(saved.text).toMatch(/<html[^>]*lang="ur"[^>]*dir="rtl"/);
      expect(pageText(saved.text)).toContain(ur.account.profile.saved);
    });

    it("never answers 500 to a malformed post", async () => {
      const u = await makeUser(t.db);
      const client = await signedIn(server.url, u);
      const weird = await client.request("/me/profile", {
        method: "POST",
        body: "not a form",
        headers: { "Content-Type": "text/plain", Origin: server.url },
      });
      expect(weird.status).toBe(415);
      const empty = await client.post("/me/profile", {});
      expect(empty.status).toBe(400);
      const nul = await client.post("/me/profile", { displayName: "a\u0000b", locale: "en" });
      expect(nul.status).toBe(400);
      const sessions = await client.post("/me/sessions", { intent: "nonsense" });
      expect(sessions.status).toBe(400);
      const ref = await client.post("/me/sessions", { intent: "end", sessionId: "../../etc/passwd" });
      expect(ref.status).toBe(400);
      const data = await client.post("/me/data.json", {});
      expectNo500(data);
      expect(data.status).toBeGreaterThanOrEqual(400);
    });
  });

  describe("the journey: change password, download data, delete the account", () => {
    it("works end to end without JavaScript", async () => {
      // Register and suggest, as a person would.
      const email = uniqueEmail("Journey");
      const password = "monsoon rain on the Grand Trunk Road";
      const client = new Client(server.url);
      const reg = await client.post(
        "/register",
        registrationForm({ email, password, displayName: "Tariq Mehmood", organisationName: "Mehmood Surgical Works" }),
      );
      expect(reg.status).toBe(302);
      const created = await client.post("/submissions/new", {
        cluster: "surgical-instruments",
        title: "Common sterilisation and testing lab for Sialkot",
        problem: "Small instrument makers cannot afford the testing that European buyers demand.",
        proposal: "Set up a shared, accredited testing lab run by the cluster association.",
        expectedImpact: "",
        stage: "",
        suggestedCategory: "",
        horizon: "",
        intent: "submit",
      });
      expect(created.status, pageText(created.text).slice(0, 300)).toBe(303);
      const submissionId = Number(created.location!.split("/").pop());
      const approved = await moderator.post(`/moderation/submissions/${submissionId}`, { intent: "approve", category: ["export-markets"] });
      expect(approved.status).toBe(303);
      const user = (await userByEmail(email))!;

      // A second browser, signed in before the change.
      const phone = await signedIn(server.url, { email, password }, CHROME_ANDROID);
      const oldCookie = client.cookies.get(SESSION_COOKIE)!;

      // Password: a wrong current one, a mismatch — 400, nothing echoed, nothing changed.
      const wrong = await client.post("/me/password", {
        currentPassword: "this is not my password",
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
        endOtherSessions: "on",
      });
      expect(wrong.status).toBe(400);
      expect(pageText(wrong.text)).toContain(en.account.password.wrongCurrent);
      for (const secret of ["this is not my password", NEW_PASSWORD]) {
        expect(wrong.text).not.toContain(secret);
        expect(wrong.text).not.toContain(encodeURIComponent(secret));
      }
      // The checkbox keeps its state; the password fields come back empty.
      expect(formHtml(wrong.text, "password").match(/<input[^>]*name="endOtherSessions"[^>]*>/)?.[0]).toMatch(/\schecked/);
      expect(inputValue(formHtml(wrong.text, "password"), "currentPassword")).toBe("");
      const mismatch = await client.post("/me/password", {
        currentPassword: password,
        newPassword: NEW_PASSWORD,
        confirmPassword: `${NEW_PASSWORD}!`,
      });
      expect(mismatch.status).toBe(400);
      expect(pageText(mismatch.text)).toContain(en.account.password.mismatch);
      expect(mismatch.text).not.toContain(password);
      const weak = await client.post("/me/password", { currentPassword: password, newPassword: "password", confirmPassword: "password" });
      expect(weak.status).toBe(400);
      expect((await userRow(user.id)).password_hash).toBe(user.password_hash);

      // The change: 303, a new session id here, the phone signed out.
      const changed = await client.post("/me/password", {
        currentPassword: password,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
        endOtherSessions: "on",
      });
      expect(changed.status).toBe(303);
      expect(changed.location).toBe("/me/password?changed=1&ended=1");
      const newCookie = client.cookies.get(SESSION_COOKIE);
      expect(newCookie).toBeTruthy();
      expect(newCookie).not.toBe(oldCookie);
      const confirmation = await client.get(changed.location!);
      expect(confirmation.status).toBe(200);
      expect(pageText(confirmation.text)).toContain(en.account.password.changed);
      expect(isSignedOut(await phone.get("/me"))).toBe(true);
      const stale = new Client(server.url);
      stale.cookies.set(SESSION_COOKIE, oldCookie);
      expect(isSignedOut(await stale.get("/me"))).toBe(true);
      expect((await client.get("/me")).status).toBe(200);

      // The old password no longer signs in; the new one does.
      expect((await new Client(server.url).post("/login", { email, password })).status).toBe(400);
      expect((await new Client(server.url).post("/login", { email, password: NEW_PASSWORD })).status).toBe(302);

      // Download my data.
      const download = await client.get("/me/data.json");
      expect(download.status).toBe(200);
      expect(download.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(download.headers.get("Content-Disposition")).toMatch(/^attachment; filename="mashwara-my-data-\d{4}-\d{2}-\d{2}\.json"$/);
      expect(download.headers.get("Cache-Control")).toBe("no-store");
      const doc = JSON.parse(download.text);
      expect(doc.account).toMatchObject({ email, display_name: "Tariq Mehmood" });
      expect(doc.organisation).toMatchObject({ name: "Mehmood Surgical Works" });
      expect(doc.submissions).toEqual([
        expect.objectContaining({
          id: submissionId,
          status: "published",
          title: "Common sterilisation and testing lab for Sialkot",
          cluster: "surgical-instruments",
        }),
      ]);
      expect(doc.submissions[0].history.map((h: { event: string }) => h.event)).toEqual(expect.arrayContaining(["submitted", "published"]));
      // The author follows what they wrote (issue 16).
      expect(doc.follows).toEqual([
        expect.objectContaining({ target_type: "submission", target_id: submissionId, following: true, origin: "author" }),
      ]);
      expect(download.text).not.toContain("argon2");
      expect(download.text).not.toContain(client.cookies.get(SESSION_COOKIE)!);

      // Delete: the page explains; refusals keep the account; then it goes.
      const explain = await client.get("/me/delete");
      expect(explain.status).toBe(200);
      expect(pageText(explain.text)).toContain(en.account.delete.whatStays);
      expect(formHtml(explain.text, "delete-account")).toMatch(/name="password"/);
      const unconfirmed = await client.post("/me/delete", { password: NEW_PASSWORD });
      expect(unconfirmed.status).toBe(400);
      expect(pageText(unconfirmed.text)).toContain(en.account.delete.confirmRequired);
      expect(unconfirmed.text).not.toContain(NEW_PASSWORD);
      const wrongDelete = await client.post("/me/delete", { password: password, confirm: "on" });
      expect(wrongDelete.status).toBe(400);
      expect(wrongDelete.text).not.toContain(password);
      expect((await userRow(user.id)).status).toBe("active");

      const deleted = await client.post("/me/delete", { password: NEW_PASSWORD, confirm: "on" });
      expect(deleted.status).toBe(303);
      expect(deleted.location).toBe("/?accountDeleted=1");
      expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
      const home = await client.get(deleted.location!);
      expect(home.status).toBe(200);
      expect(pageText(home.text)).toContain(en.account.delete.done);
      expect(isSignedOut(await client.get("/me"))).toBe(true);
      expect((await new Client(server.url).post("/login", { email, password: NEW_PASSWORD })).status).toBe(400);
      expect(await userRow(user.id)).toMatchObject({ status: "deleted", display_name: "", password_hash: "" });

      // The suggestion stays, by a former participant.
      const publicPage = await new Client(server.url).get(`/submissions/${submissionId}`);
      expect(publicPage.status).toBe(200);
      const text = pageText(publicPage.text);
      expect(text).toContain("Common sterilisation and testing lab for Sialkot");
      expect(text).toContain(en.submission.formerParticipant);
      expect(text).not.toContain("Tariq Mehmood");
      expect(text).not.toContain("Mehmood Surgical Works");

      // The same email registers again, as a new account.
      const again = await new Client(server.url).post("/register", registrationForm({ email, password: "a brand new passphrase for me" }));
      expect(again.status).toBe(302);
      expect((await userByEmail(email))!.id).not.toBe(user.id);
    });

    it("counts wrong current passwords: 429 with Retry-After, even for the right one, after ten", async () => {
      const u = await makeUser(t.db);
      const client = await signedIn(server.url, u);
      for (let i = 0; i < 10; i++) {
        const res = await client.post("/me/password", {
          currentPassword: `wrong guess ${i}`,
          newPassword: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        });
        expect(res.status, `attempt ${i + 1}`).toBe(400);
      }
      const limited = await client.post("/me/password", {
        currentPassword: u.password,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(pageText(limited.text)).toContain(en.errors.rateLimited);
      expect(limited.text).not.toContain(u.password);
      // Deletion shares the limit.
      expect((await client.post("/me/delete", { password: u.password, confirm: "on" })).status).toBe(429);
      expect((await userRow(u.id)).status).toBe("active");
    });

    it("wrong current passwords sent at once: no more than ten reach the password check (/me/password and /me/delete share the slots)", async () => {
      const u = await makeUser(t.db);
      const client = await signedIn(server.url, u);
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          i % 2 === 0
            ? client.post("/me/password", {
                currentPassword: `parallel guess ${i}`,
                newPassword: NEW_PASSWORD,
                confirmPassword: NEW_PASSWORD,
              })
            : client.post("/me/delete", { password: `parallel guess ${i}`, confirm: "on" }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      expect(
        statuses.every((s) => s === 400 || s === 429),
        statuses.join(","),
      ).toBe(true);
      expect(statuses.filter((s) => s !== 429).length, statuses.join(",")).toBeLessThanOrEqual(10);
      expect((await userRow(u.id)).status).toBe("active");
    });

    it("a right current password gives its slot back: ten password changes in a row all pass", async () => {
      const u = await makeUser(t.db);
      const client = await signedIn(server.url, u);
      let current = u.password;
      for (let i = 0; i < 11; i++) {
        const next = `${NEW_PASSWORD} ${i}`;
        const res = await client.post("/me/password", { currentPassword: current, newPassword: next, confirmPassword: next });
        expect(res.status, `change ${i + 1}`).toBe(303);
        current = next;
      }
    });
  });

  describe("sessions", () => {
    it("lists the devices, ends one (that client is signed out), refuses another account's with 404, ends all others", async () => {
      const u = await makeUser(t.db);
      const laptop = await signedIn(server.url, u, FIREFOX_WINDOWS);
      const phone = await signedIn(server.url, u, CHROME_ANDROID);

      const page = await laptop.get("/me/sessions");
      expect(page.status).toBe(200);
      const rows = sessionRows(page.text);
      expect(rows).toHaveLength(2);
      expect(rows[0].text).toContain("Firefox on Windows");
      expect(rows[0].text).toContain(en.account.sessions.thisDevice);
      expect(rows[1].text).toContain("Chrome on Android");
      expect(rows[1].text).not.toContain(en.account.sessions.thisDevice);
      // The page never carries a session token.
      expect(page.text).not.toContain(laptop.cookies.get(SESSION_COOKIE)!);
      expect(page.text).not.toContain(phone.cookies.get(SESSION_COOKIE)!);

      // Another account's session: 404, and it lives on.
      const stranger = await makeUser(t.db);
      const theirs = await signedIn(server.url, stranger);
      const theirRef = sessionRows((await theirs.get("/me/sessions")).text)[0].ref;
      const refused = await laptop.post("/me/sessions", { intent: "end", sessionId: theirRef });
      expect(refused.status).toBe(404);
      expect((await theirs.get("/me")).status).toBe(200);

      // End the phone's session: the phone is signed out, the laptop is not.
      const ended = await laptop.post("/me/sessions", { intent: "end", sessionId: rows[1].ref });
      expect(ended.status).toBe(303);
      expect(ended.location).toBe("/me/sessions?ended=1");
      expect(isSignedOut(await phone.get("/me"))).toBe(true);
      expect((await laptop.get("/me")).status).toBe(200);
      expect(sessionRows((await laptop.get("/me/sessions")).text)).toHaveLength(1);
      // Ending it again: gone, so 404.
      expect((await laptop.post("/me/sessions", { intent: "end", sessionId: rows[1].ref })).status).toBe(404);

      // End all others.
      const tablet = await signedIn(server.url, u);
      const desk = await signedIn(server.url, u);
      const all = await laptop.post("/me/sessions", { intent: "end-others" });
      expect(all.status).toBe(303);
      expect(all.location).toBe("/me/sessions?ended=2");
      expect(isSignedOut(await tablet.get("/me"))).toBe(true);
      expect(isSignedOut(await desk.get("/me"))).toBe(true);
      expect((await laptop.get("/me")).status).toBe(200);
      expect((await theirs.get("/me")).status).toBe(200);

      // Ending this device's own session signs it out.
      const own = sessionRows((await laptop.get("/me/sessions")).text)[0].ref;
      const out = await laptop.post("/me/sessions", { intent: "end", sessionId: own });
      expect(out.status).toBe(303);
      expect(out.location).toBe("/");
      expect(laptop.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(await t.db.selectFrom("sessions").select("id").where("user_id", "=", u.id).execute()).toEqual([]);
    });

    it("shows the pages in Urdu with every label translated", async () => {
      const u = await makeUser(t.db);
      const client = await signedIn(server.url, u);
      expect((await client.post("/language", { lng: "ur", redirectTo: "/me" })).status).toBe(302);
      for (const [path, title] of [
        ["/me/profile", ur.account.profile.title],
        ["/me/password", ur.account.password.title],
        ["/me/sessions", ur.account.sessions.title],
        ["/me/delete", ur.account.delete.title],
      ] as const) {
        const res = await client.get(path);
        expect(res.status, path).toBe(200);
        expect(res.text).toMatch(/<html[^>]*lang="ur"/);
        expect(decodeEntities(res.text)).toContain(title);
      }
    });
  });
});
