// The support form's quick path (server/quick-support.ts, ADR 0038): the plain
// POST of the Support and Withdraw buttons is answered in front of Remix when
// the model says yes. Two halves:
//
// - the built server, where the oracle is the route's own action: the same
//   post with a query string (which the quick path never takes) goes through
//   Remix, and both must give the same answer and leave the same rows;
// - the handler alone in an Express app on a real socket, behind a stand-in
//   for the session read, to show which requests it answers and what it hands
//   on (a refusal with the model's answer, so the attempt is counted once).
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "~/auth/session.server";
import { quickSupport, type QuickSupportLocals } from "../../server/quick-support";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { testDialect } from "../support/db";
import { signedIn, type Client, type HttpResponse } from "../support/http";
import { useServer, useTestDb } from "../support/suite";

const require = createRequire(import.meta.url);

/** Headers that differ between any two answers (the moment, the request's id, the connection). */
const PER_ANSWER = new Set(["date", "x-request-id", "keep-alive", "connection", "set-cookie"]);

/** The query string that sends a post through the route's action (the quick path takes none). */
const THROUGH_ACTION = "?through=action";

/** An answer with what differs between any two answers left out (a page's nonce, the address's query). */
function comparable(res: HttpResponse) {
  const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
  const plain = (text: string) => (nonce ? text.split(nonce).join("NONCE") : text).split(THROUGH_ACTION).join("");
  const headers = [...res.headers]
    .filter(([name]) => !PER_ANSWER.has(name))
    .map(([name, value]) => [name, plain(value)])
    .sort(([a], [b]) => a.localeCompare(b));
  return { status: res.status, headers, body: plain(res.text) };
}

describe(`the support form's quick path, against the route's action (${testDialect})`, () => {
  const { t, server } = useServer();
  let author: MadeUser;
  let moderator: MadeUser;
  let supporter: Client;
  let supporterId: number;

  beforeAll(async () => {
    author = await makeUser(t.db);
    moderator = await makeUser(t.db, { role: "moderator" });
    const person = await makeUser(t.db);
    supporterId = person.id;
    supporter = await signedIn(server.url, person);
  });

  const published = () => makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
  const rowsOf = async (submissionId: number) => ({
    supports: await t.db.selectFrom("supports").select(["user_id", "merged_from_id"]).where("submission_id", "=", submissionId).execute(),
    counters: await t.db
      .selectFrom("submissions")
      .select(["supporters_count", "supporting_organisations", "supporting_provinces"])
      .where("id", "=", submissionId)
      .executeTakeFirstOrThrow(),
  });
  const attempts = async () =>
    (await t.db.selectFrom("rate_limits").select("count").where("key", "=", `support-user:${supporterId}`).execute()).reduce(
      (n, r) => n + Number(r.count),
      0,
    );

  it("support, support again, withdraw, withdraw again: the same answers and rows as through the action", async () => {
    const quick = await published();
    const viaAction = await published();
    for (const intent of ["support", "support", "withdraw", "withdraw", "support"]) {
      const before = await attempts();
      const a = await supporter.post(`/submissions/${quick}/support`, { intent });
      expect(await attempts(), `${intent}: counted once`).toBe(before + 1);
      const b = await supporter.post(`/submissions/${viaAction}/support${THROUGH_ACTION}`, { intent });
      expect(a.status, intent).toBe(303);
      expect(a.location).toBe(`/submissions/${quick}#support`);
      const answerB = comparable(b);
      // The action's Location names its own suggestion: put the other's in for the comparison.
      answerB.headers = answerB.headers.map(([k, v]) => [k, k === "location" ? v.replace(String(viaAction), String(quick)) : v]);
      expect(comparable(a), intent).toEqual(answerB);
      // The request log's id and a kept session's cookie are there as on every signed-in answer.
      expect(a.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers.get("cache-control")).toBe("no-store");
      expect(await rowsOf(quick), intent).toEqual(await rowsOf(viaAction));
    }
    expect((await rowsOf(quick)).supports).toEqual([{ user_id: supporterId, merged_from_id: null }]);
  });

  it("the button's fetcher (`.data`, inline=1, either order): the same data in Remix's encoding as from the action", async () => {
    const quick = await published();
    const viaAction = await published();
    const forms = [
      { inline: "1", intent: "support" },
      { intent: "support", inline: "1" },
      { inline: "1", intent: "withdraw" },
      { inline: "1", intent: "withdraw" },
      { inline: "1", intent: "support" },
    ];
    for (const form of forms) {
      const label = new URLSearchParams(form).toString();
      const before = await attempts();
      const a = await supporter.post(`/submissions/${quick}/support.data`, form);
      expect(await attempts(), `${label}: counted once`).toBe(before + 1);
      const b = await supporter.post(`/submissions/${viaAction}/support.data${THROUGH_ACTION}`, form);
      expect(a.status, label).toBe(200);
      expect(a.headers.get("content-type")).toBe("text/x-script; charset=utf-8");
      expect(a.text, label).toMatch(/^\[\{"_1":2\},"data",.*"supporters",[01]\]\n$/);
      expect(comparable(a), label).toEqual(comparable(b));
      expect(await rowsOf(quick), label).toEqual(await rowsOf(viaAction));
    }
  });

  it("a refusal of the model is the action's page, and the attempt is counted once (no such suggestion; a closed window)", async () => {
    const before = await attempts();
    const missing = await supporter.post("/submissions/987654321/support", { intent: "support" });
    const missingViaAction = await supporter.post(`/submissions/987654321/support${THROUGH_ACTION}`, { intent: "support" });
    expect(missing.status).toBe(404);
    expect(comparable(missing)).toEqual(comparable(missingViaAction));
    // One attempt each: the quick path handed its answer on, the action did not ask the model again.
    expect(await attempts()).toBe(before + 2);

    const id = await published();
    const consultation = await t.db
      .selectFrom("consultations")
      .select(["id", "support_closes_at"])
      .where("is_active", "=", 1)
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable("consultations")
      .set({ support_closes_at: new Date(Date.now() - 60_000).toISOString() })
      .where("id", "=", consultation.id)
      .execute();
    try {
      const closed = await supporter.post(`/submissions/${id}/support`, { intent: "support" });
      const closedViaAction = await supporter.post(`/submissions/${id}/support${THROUGH_ACTION}`, { intent: "support" });
      expect(closed.status).toBeGreaterThanOrEqual(400);
      expect(closed.status).toBeLessThan(500);
      expect(comparable(closed)).toEqual(comparable(closedViaAction));
      expect(await attempts()).toBe(before + 4);
      expect((await rowsOf(id)).supports).toEqual([]);
    } finally {
      await t.db
        .updateTable("consultations")
        .set({ support_closes_at: consultation.support_closes_at })
        .where("id", "=", consultation.id)
        .execute();
    }
  });
});

describe(`the quick support handler alone: what it answers and what it hands on (${testDialect})`, () => {
  const t = useTestDb();
  let base = "";
  let listener: http.Server;
  let submissionId: number;
  const people: Record<string, SessionUser> = {};

  beforeAll(async () => {
    const author = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    submissionId = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
    const person = (id: number, extra: Partial<SessionUser> = {}): SessionUser =>
      ({ id, role: "stakeholder", emailConfirmed: true, twoFactorEnabled: false, ...extra }) as SessionUser;
    people.confirmed = person((await makeUser(t.db)).id);
    people.unconfirmed = person((await makeUser(t.db, { emailConfirmed: false })).id, { emailConfirmed: false });
    // Staff without two-factor while it is required act as nobody until they enrol (requireUser sends them to enrol).
    people.unenrolledStaff = person((await makeUser(t.db, { role: "moderator" })).id, { role: "moderator" });

    const app = express();
    // The session read's stand-in: the person the test names.
    app.use((req, res, next) => {
      res.locals.user = people[String(req.headers["x-person"])] ?? null;
      next();
    });
    app.use(quickSupport({ services: { db: t.db, config: { STAFF_TWO_FACTOR: "required" } as never } }));
    // Remix's stand-in: what was handed on.
    app.use((req, res) => {
      const locals = res.locals as QuickSupportLocals;
      res.status(299).json({ body: locals.body?.toString("utf8") ?? null, change: locals.supportChange ?? null, unread: !req.complete });
    });
    listener = http.createServer(app).listen(0);
    await new Promise((resolve) => listener.once("listening", resolve));
    base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  const post = async (address: string, person: string | null, body = "intent=support", type = "application/x-www-form-urlencoded") => {
    const res = await fetch(`${base}${address}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": type, ...(person ? { "x-person": person } : {}) },
      body,
    });
    return { status: res.status, location: res.headers.get("location"), handedOn: res.status === 299 ? await res.json() : null };
  };
  const supportRows = () => t.db.selectFrom("supports").select("user_id").where("submission_id", "=", submissionId).execute();

  it("answers the plain form of a confirmed person when the model says yes", async () => {
    expect(await post(`/submissions/${submissionId}/support`, "confirmed")).toEqual({
      status: 303,
      location: `/submissions/${submissionId}#support`,
      handedOn: null,
    });
    expect(await supportRows()).toEqual([{ user_id: people.confirmed.id }]);
    expect(await post(`/submissions/${submissionId}/support`, "confirmed", "intent=withdraw")).toMatchObject({ status: 303 });
    expect(await supportRows()).toEqual([]);
    // The fetcher's form to the data address: answered with the new count.
    const res = await fetch(`${base}/submissions/${submissionId}/support.data`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-person": "confirmed" },
      body: "inline=1&intent=support",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-remix-response")).toBe("yes");
    expect(await res.text()).toBe('[{"_1":2},"data",{"_3":4,"_5":4,"_6":7},"ok",true,"supported","supporters",1]\n');
    expect(await supportRows()).toEqual([{ user_id: people.confirmed.id }]);
    expect(await post(`/submissions/${submissionId}/support`, "confirmed", "intent=withdraw")).toMatchObject({ status: 303 });
    expect(await supportRows()).toEqual([]);
  });

  it("hands on, unread and unasked, every other shape of address, person and type", async () => {
    const cases: Array<[string, string | null, string?, string?]> = [
      [`/submissions/${submissionId}/support.json`, "confirmed"],
      [`/submissions/${submissionId}/support.data?index`, "confirmed", "inline=1&intent=support"],
      [`/submissions/${submissionId}/support?index`, "confirmed"],
      [`/submissions/${submissionId}/support/`, "confirmed"],
      [`/Submissions/${submissionId}/Support`, "confirmed"],
      [`/submissions/0${submissionId}/support`, "confirmed"],
      [`/submissions/${submissionId}/report`, "confirmed"],
      [`/submissions/${submissionId}/support`, null],
      [`/submissions/${submissionId}/support`, "unconfirmed"],
      [`/submissions/${submissionId}/support`, "unenrolledStaff"],
      [`/submissions/${submissionId}/support`, "confirmed", '{"intent":"support"}', "application/json"],
      [`/submissions/${submissionId}/support`, "confirmed", `intent=support&pad=${"x".repeat(300)}`],
    ];
    for (const [address, person, body, type] of cases) {
      const got = await post(address, person, body, type);
      expect(got.status, `${address} as ${person} (${type ?? "form"})`).toBe(299);
      expect(got.handedOn, `${address} as ${person}`).toEqual({ body: null, change: null, unread: true });
    }
    expect(await supportRows()).toEqual([]);
  });

  it("hands on, read but unasked, a form that is not exactly the plain one", async () => {
    const page = `/submissions/${submissionId}/support`;
    const cases: Array<[string, string]> = [
      [page, "intent=support&inline=1"],
      [page, "intent=maybe"],
      [page, "intent=support&intent=withdraw"],
      [page, "intent=Support"],
      [page, "intent=support&title=x"],
      [page, "intent=support&inline=0"],
      [`${page}.data`, "intent=support"],
      [`${page}.data`, "inline=1&intent=support&inline=1"],
      [`${page}.data`, "inline=true&intent=support"],
    ];
    for (const [address, body] of cases) {
      expect(await post(address, "confirmed", body), `${address} ${body}`).toEqual({
        status: 299,
        location: null,
        handedOn: { body, change: null, unread: false },
      });
    }
    expect(await supportRows()).toEqual([]);
  });

  it("encodes with the turbo-stream Remix uses (a Remix upgrade that moves it fails here first)", async () => {
    const ours = JSON.parse(fs.readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };
    const remix = JSON.parse(fs.readFileSync(require.resolve("@remix-run/server-runtime/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(ours.dependencies["turbo-stream"]).toBe(remix.dependencies["turbo-stream"]);
  });

  it("hands on a refusal with the model's answer, for the action to render without asking again", async () => {
    const got = await post("/submissions/987654321/support", "confirmed");
    expect(got.status).toBe(299);
    expect(got.handedOn).toEqual({
      body: "intent=support",
      change: {
        limited: false,
        result: { ok: false, reason: "notFound" },
        request: { intent: "support", submissionId: 987654321, userId: people.confirmed.id },
      },
      unread: false,
    });
  });
});
