// Finding 1 of issue 13 (open redirect): every known bypass shape, sent as
// `redirectTo` to /login (a sign-in, and a signed-in visit to the page) and to
// /language, comes back as a `Location` on this site, never a 5xx. The shapes
// live in tests/support/redirect-bypasses.ts (the fuzz suite uses them too).
import { describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { makeUser } from "../support/factories";
import { Client, formHtml, inputValue, signIn } from "../support/http";
import { REDIRECT_BYPASSES, REDIRECT_LOCAL, redirectProblem } from "../support/redirect-bypasses";
import { useServer } from "../support/suite";

describe(`redirect targets stay on the site (${testDialect})`, () => {
  const { t, server } = useServer();

  /** Every problem found, so one run lists all the shapes that get through. */
  async function problems(send: (target: string) => Promise<{ status: number; location: string | null }>, requestPath: string) {
    const found: string[] = [];
    for (const target of REDIRECT_BYPASSES) {
      const res = await send(target);
      if (res.status >= 500) found.push(`${JSON.stringify(target)} → ${res.status}`);
      const problem = redirectProblem(res.location, server.url + requestPath);
      if (problem) found.push(`${JSON.stringify(target)} → ${problem}`);
    }
    return found;
  }

  it("POST /login with redirectTo: after the sign-in, the Location is on this site", async () => {
    const user = await makeUser(t.db);
    const found = await problems(async (redirectTo) => {
      // (A NUL in the body is a 400 before anything else; every other shape signs in.)
      const res = await signIn(new Client(server.url), user.email, user.password, { redirectTo });
      if (!redirectTo.includes("\u0000")) expect([302, 303], JSON.stringify(redirectTo)).toContain(res.status);
      return res;
    }, "/login");
    expect(found).toEqual([]);
    for (const [to, expected] of REDIRECT_LOCAL) {
      expect((await signIn(new Client(server.url), user.email, user.password, { redirectTo: to })).location, to).toBe(expected);
    }
  }, 120_000);

  it("GET /login?redirectTo= while signed in redirects on this site; signed out, the form's hidden field is on this site", async () => {
    const user = await makeUser(t.db);
    const client = new Client(server.url);
    expect([302, 303]).toContain((await signIn(client, user.email, user.password)).status);
    const found = await problems((target) => client.get(`/login?redirectTo=${encodeURIComponent(target)}`), "/login");
    expect(found).toEqual([]);

    const hidden: string[] = [];
    for (const target of REDIRECT_BYPASSES) {
      const res = await new Client(server.url).get(`/login?redirectTo=${encodeURIComponent(target)}`);
      expect(res.status, JSON.stringify(target)).toBeLessThan(500);
      if (res.status !== 200) continue;
      const value = inputValue(formHtml(res.text, "login"), "redirectTo");
      const problem = redirectProblem(value, `${server.url}/login`);
      if (problem) hidden.push(`${JSON.stringify(target)} → ${problem}`);
    }
    expect(hidden).toEqual([]);
  }, 120_000);

  it("POST /language with redirectTo goes back to a page on this site", async () => {
    const found = await problems((redirectTo) => new Client(server.url).post("/language", { lng: "ur", redirectTo }), "/language");
    expect(found).toEqual([]);
    for (const [to, expected] of REDIRECT_LOCAL) {
      expect((await new Client(server.url).post("/language", { lng: "en", redirectTo: to })).location, to).toBe(expected);
    }
  }, 120_000);
});
