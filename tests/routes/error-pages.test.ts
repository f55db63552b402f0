// When an action throws (a 404 for a suggestion gone since the page was
// loaded, a 403 from a guard), the error page keeps the signed-in header: the
// person was not signed out, and the page must not say so. Remix runs only the
// loaders above the boundary that catches an action's error; with the root's
// boundary the only one, the header had no user (app/components/error-page.tsx).
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, signIn } from "../support/http";
import { useServer } from "../support/suite";

const GONE = "987654321";
const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? "";

describe(`error pages after a post (${testDialect})`, () => {
  const { t, server } = useServer();
  let person: MadeUser;
  let client: Client;

  beforeAll(async () => {
    person = await makeUser(t.db);
    client = new Client(server.url);
    expect((await signIn(client, person.email, person.password)).status).toBe(302);
  });

  /** The header of a page as a signed-in person sees it: their own page and the sign-out button, no sign-in link. */
  function expectSignedInHeader(html: string) {
    expect(html).toMatch(/<a[^>]*href="\/me"/);
    expect(html).toMatch(/<form[^>]*action="\/logout"/);
    expect(pageText(html)).toContain(en.nav.logout);
    expect(html).not.toMatch(/href="\/login/);
  }

  it.each([
    ["support of a suggestion that does not exist", `/submissions/${GONE}/support`, { intent: "support" }],
    ["withdrawal from a suggestion that does not exist", `/submissions/${GONE}/support`, { intent: "withdraw" }],
    ["comment on a suggestion that does not exist", `/submissions/${GONE}/comments`, { body: "On a suggestion that is gone." }],
    ["report of a suggestion that does not exist", `/submissions/${GONE}/report`, { reason: "spam" }],
    ["follow of a suggestion that does not exist", `/submissions/${GONE}/follow`, { intent: "follow" }],
    ["post to an address that does not exist", "/no-such-page", { anything: "at all" }],
  ])("a %s: 404, under the person's own header, titled as not found", async (_, url, form) => {
    const res = await client.post(url, form);
    expect(res.status).toBe(404);
    expect(pageText(res.text)).toContain(en.errorPage.notFound.title);
    expect(title(res.text)).toBe(`${en.errorPage.notFound.title} · ${en.app.name}`);
    expectSignedInHeader(res.text);
  });

  it("a post a guard refuses (a participant to an admin page): 403, under the person's own header", async () => {
    const res = await client.post("/admin/users", { intent: "role", userId: String(person.id), role: "admin" });
    expect(res.status).toBe(403);
    expect(pageText(res.text)).toContain(en.errorPage.forbidden.title);
    expect(title(res.text)).toBe(`${en.errorPage.forbidden.title} · ${en.app.name}`);
    expectSignedInHeader(res.text);
    expect((await t.db.selectFrom("users").select("role").where("id", "=", person.id).executeTakeFirstOrThrow()).role).toBe("stakeholder");
  });

  it("a page that is there still has its own title, and a GET 404 keeps the header as before", async () => {
    const page = await client.get("/me");
    expect(page.status).toBe(200);
    expect(title(page.text)).not.toBe("");
    expect(title(page.text)).not.toContain(en.errorPage.notFound.title);
    const missing = await client.get(`/submissions/${GONE}`);
    expect(missing.status).toBe(404);
    expectSignedInHeader(missing.text);
  });

  it("every page route with an action has its own error boundary (the build's route table)", async () => {
    const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
    const withAction = Object.values(build.routes).filter((r) => r.id !== "root" && r.module.action && r.module.default);
    expect(withAction.length).toBeGreaterThan(30);
    const missing = withAction.filter((r) => !r.module.ErrorBoundary).map((r) => r.id);
    expect(missing, "route modules with an action and a page but no ErrorBoundary").toEqual([]);
  });
});
