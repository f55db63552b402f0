// Right-to-left, digits and the language switch over real HTTP against the
// built server (run `npm run build` first): <html lang dir> on every kind of
// page, the switch on every page (error pages too) keeping path and query,
// Urdu digits by default with a Western-digits choice (cookie and profile),
// Vary for shared caches, and user-written text isolated (<bdi>/dir="auto")
// inside Urdu interface text.
import { describe, expect, it } from "vitest";
import { supportSubmission } from "~/models/support.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, setCookieLine, signIn } from "../support/http";
import { useServer } from "../support/suite";

const URDU_DIGIT = /[۰-۹]/;

/** The language switch form of a page: its hidden fields. */
function switchForm(html: string, field: "lng" | "digits") {
  const form =
    html.match(new RegExp(`<form[^>]*action="/language"[^>]*>(?:(?!</form>)[\\s\\S])*name="${field}"[\\s\\S]*?</form>`))?.[0] ?? "";
  const value = (name: string) => {
    const v = form.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
    return v === undefined ? null : decodeEntities(v);
  };
  return { html: form, value: value(field), redirectTo: value("redirectTo") };
}

/**
 * The visible text of a page's <body> that is interface text: user-written
 * text (<bdi>, dir="auto"/"ltr" elements), identifiers (#12, R-3) and markup removed.
 */
function interfaceText(html: string): string {
  const body = html.slice(html.indexOf("<body"), html.lastIndexOf("<script") > 0 ? html.indexOf("<script") : undefined);
  return (
    decodeEntities(
      body
        .replace(/<!--[\s\S]*?-->/g, "")
        .replace(/<bdi>[\s\S]*?<\/bdi>/g, " ")
        .replace(/<(\w+)[^>]*\sdir="(?:auto|ltr)"[^>]*>[^<]*<\/\1>/g, " ")
        .replace(/<[^>]+>/g, "\n"),
    )
      // Identifiers are codes typed into forms and URLs, written as they are: "#12", "R-3", "تجویز نمبر 12".
      .replace(/(#|R-|نمبر )\d+/g, " ")
      .replace(/[ \t]+/g, " ")
  );
}

/** Every place `needle` appears as text (not inside a tag, not in <head>) is inside <bdi> or an element with dir="auto". */
function isolatedEverywhere(html: string, needle: string): { count: number; bare: string[] } {
  const start = html.indexOf("<body");
  const end = html.indexOf("<script", start); // the hydration data repeats the page's text
  const bare: string[] = [];
  let count = 0;
  for (let i = html.indexOf(needle, start); i >= 0 && (end < 0 || i < end); i = html.indexOf(needle, i + needle.length)) {
    const before = html.slice(start, i);
    if (before.lastIndexOf("<") > before.lastIndexOf(">")) continue; // inside a tag's attributes
    count++;
    // The innermost element still open at this point.
    const stack: string[] = [];
    for (const m of before.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
      const [, closing, name, , selfClosing] = m;
      if (["input", "br", "meta", "link", "img", "hr"].includes(name.toLowerCase()) || selfClosing) continue;
      if (closing) {
        const at = stack.map((s) => s.split(" ")[0]).lastIndexOf(name);
        if (at >= 0) stack.length = at;
      } else stack.push(`${name} ${m[3]}`);
    }
    const inner = stack.at(-1) ?? "";
    if (!(inner.startsWith("bdi") || /\sdir="auto"/.test(inner)))
      bare.push(`<${inner}> …${html.slice(Math.max(0, i - 80), i + needle.length)}`);
  }
  return { count, bare };
}

describe(`right-to-left, digits and the language switch over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let author: MadeUser;
  let moderator: MadeUser;
  let organiser: MadeUser;
  let submissionId: number;
  const englishTitle = "Bonded warehouses for Sialkot tanneries";
  const orgName = "Zeeshan Leather Works";

  /** What the server finds when it starts. */
  async function seed(t: TestDb) {
    author = await makeUser(t.db, {
      displayName: "Nadia Qureshi",
      organisation: { name: orgName, type: "firm", sizeBand: "small", city: "Sialkot", province: "punjab", clusterSlug: "leather" },
    });
    await t.db.updateTable("users").set({ show_organisation: 1 }).where("id", "=", author.id).execute();
    moderator = await makeUser(t.db, { role: "moderator" });
    organiser = await makeUser(t.db, { role: "organiser" });
    submissionId = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title: englishTitle } });
    // Twelve supporters: a count with two digits on the cards.
    for (let i = 0; i < 12; i++) {
      const u = await makeUser(t.db);
      const r = await supportSubmission(t.db, { submissionId, userId: u.id });
      expect(r.ok).toBe(true);
    }
  }

  it("every kind of page is <html lang=ur dir=rtl> in Urdu and lang=en dir=ltr in English, 404 and 403 included", async () => {
    const ur = new Client(server.url);
    expect((await ur.post("/language", { lng: "ur", redirectTo: "/" })).status).toBe(302);
    const signedIn = new Client(server.url);
    await signIn(signedIn, author.email, author.password);
    await signedIn.post("/language", { lng: "ur", redirectTo: "/" });
    for (const [client, path, status] of [
      [ur, "/", 200],
      [ur, "/clusters/leather", 200],
      [ur, `/submissions/${submissionId}`, 200],
      [ur, "/login", 200],
      [ur, "/no/such/page", 404],
      [signedIn, "/me", 200],
      [signedIn, "/organiser", 403],
    ] as const) {
      const res = await client.get(path);
      expect(res.status, path).toBe(status);
      expect(res.text, path).toMatch(/<html lang="ur" dir="rtl"/);
    }
    for (const path of ["/", "/no/such/page"]) {
      expect((await new Client(server.url).get(path)).text).toMatch(/<html lang="en" dir="ltr"/);
    }
  });

  it("the language switch is on every page, error pages included, and returns to the same path and query", async () => {
    const client = new Client(server.url);
    for (const [path, status] of [
      ["/clusters/leather?sort=new&page=1", 200],
      [`/submissions/${submissionId}`, 200],
      ["/no/such/page?x=1", 404],
      ["/moderation", 302],
    ] as const) {
      const res = await client.get(path);
      expect(res.status, path).toBe(status);
      if (status === 302) continue; // sign-in first: the login page has the switch too
      const form = switchForm(res.text, "lng");
      expect(form.value, path).toBe("ur");
      expect(form.redirectTo, path).toBe(path);
      const switched = await client.post("/language", { lng: form.value!, redirectTo: form.redirectTo! });
      expect(switched.location, path).toBe(path);
      const back = await client.get(path);
      expect(back.text, path).toMatch(/<html lang="ur" dir="rtl"/);
      expect(switchForm(back.text, "lng").value, path).toBe("en");
      await client.post("/language", { lng: "en", redirectTo: "/" });
    }
    const login = await client.get("/login?redirectTo=%2Fmoderation");
    expect(switchForm(login.text, "lng").redirectTo).toBe("/login?redirectTo=%2Fmoderation");
  });

  it("the switch is a plain form (no JavaScript needed) and saves the choice to the profile when signed in", async () => {
    const client = new Client(server.url);
    await signIn(client, organiser.email, organiser.password);
    const page = await client.get("/organiser");
    expect(switchForm(page.text, "lng").html).toMatch(/<form method="post" action="\/language"/);
    const res = await client.post("/language", { lng: "ur", redirectTo: "/organiser?x=1" });
    expect(res.location).toBe("/organiser?x=1");
    const row = await t.db.selectFrom("users").select(["locale", "digits"]).where("id", "=", organiser.id).executeTakeFirstOrThrow();
    expect(row.locale).toBe("ur");
    // A new browser (no cookie) signed in as the same person gets Urdu from the profile.
    const other = new Client(server.url);
    await signIn(other, organiser.email, organiser.password);
    other.cookies.delete("lng");
    expect((await other.get("/organiser", { "Accept-Language": "en" })).text).toMatch(/<html lang="ur" dir="rtl"/);
    await client.post("/language", { lng: "en", redirectTo: "/" });
  });

  it("the first guess comes from Accept-Language, and an explicit choice beats it", async () => {
    const client = new Client(server.url);
    expect((await client.get("/", { "Accept-Language": "ur-PK,ur;q=0.9,en;q=0.8" })).text).toMatch(/<html lang="ur" dir="rtl"/);
    expect((await client.get("/", { "Accept-Language": "en-GB,en;q=0.9" })).text).toMatch(/<html lang="en" dir="ltr"/);
    await client.post("/language", { lng: "en", redirectTo: "/" });
    expect((await client.get("/", { "Accept-Language": "ur" })).text).toMatch(/<html lang="en" dir="ltr"/);
  });

  it("Urdu pages write counts and dates in Urdu digits; English pages in Western digits", async () => {
    const ur = new Client(server.url);
    await ur.post("/language", { lng: "ur", redirectTo: "/" });
    const page = await ur.get(`/submissions/${submissionId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("۱۲"); // 12 supporters
    // A date: <time> keeps the machine value, the text is in Urdu digits.
    const time = page.text.match(/<time dateTime="(\d{4}-[^"]+)">([^<]+)<\/time>/);
    expect(time).not.toBeNull();
    expect(time![2]).toMatch(URDU_DIGIT);
    expect(time![2]).not.toMatch(/[0-9]/);
    const en = await new Client(server.url).get(`/submissions/${submissionId}`);
    expect(en.text).not.toMatch(URDU_DIGIT);
  });

  it.each(["/", "/clusters/leather", "/submissions/:id"])("%s in Urdu shows no Western digit in its interface text", async (path) => {
    const ur = new Client(server.url);
    await ur.post("/language", { lng: "ur", redirectTo: "/" });
    const res = await ur.get(path.replace(":id", String(submissionId)));
    expect(res.status).toBe(200);
    const text = interfaceText(res.text);
    const western = text.split("\n").filter((line) => /[0-9]/.test(line) && line.trim() !== "123");
    expect(western, path).toEqual([]);
    expect(text).toMatch(URDU_DIGIT);
  });

  it("the Western-digits choice sits beside the language switch on Urdu pages, is remembered in a cookie, and keeps the page", async () => {
    const client = new Client(server.url);
    await client.post("/language", { lng: "ur", redirectTo: "/" });
    const page = await client.get("/clusters/leather?sort=new");
    const form = switchForm(page.text, "digits");
    expect(form.value).toBe("western");
    expect(form.redirectTo).toBe("/clusters/leather?sort=new");
    expect(form.html).toMatch(/aria-label="[^"]*123/);
    const res = await client.post("/language", { digits: "western", redirectTo: form.redirectTo! });
    expect(res.status).toBe(302);
    expect(res.location).toBe("/clusters/leather?sort=new");
    const cookie = setCookieLine(res.headers, "digits");
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=\d{5,}/i);
    expect(setCookieLine(res.headers, "lng")).toBeNull(); // the language stays as it was

    const western = await client.get(`/submissions/${submissionId}`);
    expect(western.text).toMatch(/<html lang="ur" dir="rtl"/);
    // No Urdu digit left but the switch's own "۱۲۳" (the way back).
    expect(interfaceText(western.text).replaceAll("۱۲۳", "")).not.toMatch(URDU_DIGIT);
    expect(interfaceText(western.text)).toMatch(/\b12\b/);
    expect(switchForm(western.text, "digits").value).toBe("native");

    // English pages have no digits choice.
    await client.post("/language", { lng: "en", redirectTo: "/" });
    expect(switchForm((await client.get("/")).text, "digits").html).toBe("");
  });

  it("/language refuses nonsense with a 400 and never redirects off-site", async () => {
    const client = new Client(server.url);
    const forms: Array<Record<string, string>> = [{}, { digits: "roman" }, { lng: "ur", digits: "x" }, { redirectTo: "/" }];
    for (const form of forms) {
      const res = await client.post("/language", form);
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(setCookieLine(res.headers, "digits")).toBeNull();
    }
    for (const redirectTo of ["https://evil.example/", "//evil.example", "/\\evil.example", "http:/evil.example"]) {
      const res = await client.post("/language", { digits: "western", redirectTo });
      expect(res.status).toBe(302);
      expect(res.location).toBe("/");
    }
  });

  it("the digits choice is saved to the profile when signed in, from the switch and from /me/profile", async () => {
    const client = new Client(server.url);
    await signIn(client, author.email, author.password);
    await client.post("/language", { lng: "ur", digits: "western", redirectTo: "/me" });
    let row = await t.db.selectFrom("users").select(["locale", "digits"]).where("id", "=", author.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ locale: "ur", digits: "western" });

    const profile = await client.get("/me/profile");
    expect(profile.status).toBe(200);
    expect(profile.text).toMatch(/<select[^>]*name="digits"/);
    expect(profile.text).toMatch(/<option value="western" selected=""/);
    const saved = await client.post("/me/profile", {
      displayName: "Nadia Qureshi",
      locale: "ur",
      digits: "native",
      showOrganisation: "on",
      organisationName: orgName,
      organisationType: "firm",
      sizeBand: "small",
      city: "Sialkot",
      province: "punjab",
    });
    expect(saved.status).toBe(303);
    expect(setCookieLine(saved.headers, "digits")).not.toBeNull();
    row = await t.db.selectFrom("users").select(["locale", "digits"]).where("id", "=", author.id).executeTakeFirstOrThrow();
    expect(row.digits).toBe("native");
    const bad = await client.post("/me/profile", { displayName: "Nadia Qureshi", locale: "ur", digits: "roman" });
    expect(bad.status).toBe(400);

    // Another browser, signed in as the same person, with no digits cookie: the profile's choice.
    await t.db.updateTable("users").set({ digits: "western" }).where("id", "=", author.id).execute();
    const other = new Client(server.url);
    await signIn(other, author.email, author.password);
    other.cookies.delete("digits");
    const page = await other.get(`/submissions/${submissionId}`, { "Accept-Language": "ur" });
    expect(switchForm(page.text, "digits").value).toBe("native"); // i.e. Western digits now
  });

  it("pages say they vary by Cookie and Accept-Language (the language and digits come from them)", async () => {
    const res = await new Client(server.url).get("/clusters/leather");
    const vary = (res.headers.get("vary") ?? "").toLowerCase();
    expect(vary).toContain("cookie");
    expect(vary).toContain("accept-language");
  });

  it("user-written text inside Urdu pages is isolated with <bdi> or dir=auto", async () => {
    const client = new Client(server.url);
    await client.post("/language", { lng: "ur", redirectTo: "/" });
    for (const path of ["/clusters/leather", `/submissions/${submissionId}`]) {
      const res = await client.get(path);
      for (const needle of [englishTitle, orgName]) {
        const { count, bare } = isolatedEverywhere(res.text, needle);
        expect(count, `${path}: ${needle}`).toBeGreaterThan(0);
        expect(bare, `${path}: ${needle}`).toEqual([]);
      }
    }
    const mod = new Client(server.url);
    await signIn(mod, moderator.email, moderator.password);
    await mod.post("/language", { lng: "ur", redirectTo: "/" });
    for (const path of ["/moderation?status=published", `/moderation/submissions/${submissionId}`]) {
      const res = await mod.get(path);
      expect(res.status, path).toBe(200);
      const { count, bare } = isolatedEverywhere(res.text, englishTitle);
      expect(count, path).toBeGreaterThan(0);
      expect(bare, path).toEqual([]);
    }
  });
});
