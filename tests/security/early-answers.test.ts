// The early answers (server/early-answers.ts, ADR 0037): a POST from someone
// without a session cookie, to an action that needs a signed-in person or
// from another site, is answered before the request log, the session read
// and Remix. The oracle for every route of the table: the same POST with a
// session cookie that names no session goes the whole way (the session
// middleware finds nobody, Remix runs the route's action and its guard), and
// must get the same answer. So an action open to visitors that is missing
// from SIGNED_OUT_ACTIONS, or a guarded one that answers something else
// first, fails here.
import { describe, expect, it } from "vitest";
import { SIGNED_OUT_ACTIONS } from "~/auth/guards.server";
import { SESSION_COOKIE } from "../support/http";
import { routeTemplates } from "../support/route-table";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { testDialect } from "../support/db";
import { useServer } from "../support/suite";
import { readUntil } from "../support/wait";

/** A session cookie whose token names no session: the request is not answered early, and nobody is signed in. */
const NO_SESSION = `${SESSION_COOKIE}=${"x".repeat(40)}`;

/** A concrete address for a route template. */
function addressOf(path: string, id: number): string {
  return path
    .replace(":cluster", "leather")
    .replace(/:id\b/, String(id))
    .replace(/:[a-z]+/gi, "abc")
    .replace("*", "no-such-thing");
}

describe(`early answers to POSTs without a session (${testDialect})`, () => {
  const { t, server } = useServer();

  const post = (address: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${address}`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, ...headers },
      body: "intent=support&title=x",
    });

  const published = async () => {
    const author = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    return makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
  };

  const answer = async (res: Response) => ({ status: res.status, location: res.headers.get("location"), body: await res.text() });

  it("every route's POST gets the same answer early as through its own action and guard", async () => {
    const id = await published();
    const early: string[] = [];
    for (const route of routeTemplates()) {
      const address = addressOf(route.path, id);
      const first = await post(address);
      const viaAction = await answer(await post(address, { Cookie: NO_SESSION }));
      const got = await answer(first);
      // Redirects and refusals alike: status, Location and (for the ones with one) the page.
      expect.soft({ status: got.status, location: got.location }, `POST ${address} (${route.file})`).toEqual({
        status: viaAction.status,
        location: viaAction.location,
      });
      const routeId = route.file.replace(/\.tsx?$/, "");
      const toSignIn = got.status === 302 && (got.location ?? "").startsWith("/login?redirectTo=");
      if (toSignIn) {
        early.push(routeId);
        expect(SIGNED_OUT_ACTIONS.has(routeId), `${routeId} sends visitors to sign in: it is not open to them`).toBe(false);
        // Security headers as every answer has, no request log's id (it was answered before it).
        expect(first.headers.get("x-content-type-options")).toBe("nosniff");
        expect(first.headers.get("x-frame-options")).toBe("DENY");
        expect(first.headers.get("content-security-policy")).toContain("default-src 'none'");
        expect(first.headers.get("x-request-id"), `${routeId} was answered early`).toBeNull();
      }
    }
    // The guarded actions of the table are answered early (more are added as routes are).
    for (const id of [
      "routes/submission.support",
      "routes/submission.comments",
      "routes/me.profile",
      "routes/admin.users",
      "routes/moderation",
    ])
      expect(early).toContain(id);
  }, 120_000);

  it("the sign-in redirect keeps the address to come back to, made safe by the guard helper", async () => {
    const id = await published();
    for (const address of [`/submissions/${id}/support?from=list`, `/SUBMISSIONS/${id}/support/`, `/submissions/${id}/./support`]) {
      const got = await answer(await post(address));
      const viaAction = await answer(await post(address, { Cookie: NO_SESSION }));
      expect(got.status, address).toBe(302);
      expect(got.location, address).toBe(viaAction.location);
    }
  });

  it("a cross-site POST without a session is refused early, changes nothing, and is counted within a second", async () => {
    const id = await published();
    const before = await t.db.selectFrom("supports").select("user_id").where("submission_id", "=", id).execute();
    const res = await post(`/submissions/${id}/support`, { Origin: "https://early.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-request-id")).toBeNull();
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await res.text()).toContain("another site");
    expect(await t.db.selectFrom("supports").select("user_id").where("submission_id", "=", id).execute()).toEqual(before);
    const counted = async () =>
      t.db
        .selectFrom("security_event_counts")
        .select(["count", "last_target", "last_rule"])
        .where("kind", "=", "access.denied")
        .where("last_reason", "=", "https://early.example")
        .execute();
    expect(await readUntil(counted, (rows) => rows.length > 0)).toEqual([
      { count: 1, last_target: `/submissions/${id}/support`, last_rule: "cross-site" },
    ]);
  });

  it("the browser's data requests, GETs and POSTs with a body over the cap go the usual way", async () => {
    const id = await published();
    const data = await post(`/submissions/${id}/support.data`);
    expect(data.headers.get("x-request-id")).not.toBeNull();
    const page = await fetch(`${server.url}/submissions/${id}`);
    expect(page.headers.get("x-request-id")).not.toBeNull();
    const big = await fetch(`${server.url}/submissions/${id}/support`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: `intent=support&x=${"a".repeat(1024 * 1024 + 10)}`,
    });
    expect(big.status).toBe(413);
  });
});
