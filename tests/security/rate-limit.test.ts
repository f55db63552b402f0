// Rate limits, kept in the database: sign-in per account and address
// (default 10 failures per 15 minutes), per account over all addresses (default
// 100) and per IP, registration per IP; a 429 with Retry-After; two app
// instances on one database share the counters (for sign-in and for supports);
// and a burst sent at once gets no more tries than the limit (issue 13, ADR 0019).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { createTestDb, testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser, registrationForm, uniqueEmail } from "../support/factories";
import { Client, pageText, SESSION_COOKIE, setCookieLine, signIn } from "../support/http";
import { serverClock } from "../support/clock";
import { startServer, type RunningServer } from "../support/server";
import { useServer } from "../support/suite";

const LOGIN_WINDOW_MS = 15 * 60_000;
const REGISTER_WINDOW_MS = 60 * 60_000;
const SUPPORT_WINDOW_MS = 60 * 60_000;
/**
 * The server's time, moved by the test (tests/support/clock.ts): the limiter
 * estimates a sliding window from two fixed buckets, and right after a bucket
 * edge part of the older bucket no longer counts, so each burst starts just
 * after an edge of the server's clock (no waiting for the wall clock to get there).
 */
const clock = serverClock();
afterAll(() => clock.remove());

type Res = { status: number; headers: Headers; text: string };

/** A 429 page that says why, and no session. */
function expect429(res: Res) {
  expect(res.status).toBe(429);
  expect(pageText(res.text)).toContain(en.errors.rateLimited);
  expect(setCookieLine(res.headers, SESSION_COOKIE)).toBeNull();
}

/** …and a Retry-After header in whole seconds (checked last in each test, so the other checks still run). */
function expectRetryAfter(res: Res, maxSeconds: number) {
  const retryAfter = res.headers.get("retry-after");
  expect(retryAfter ?? "(no Retry-After header)", "Retry-After header of the 429 page").toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxSeconds);
}

describe(`sign-in limits with the defaults, shared by two instances (${testDialect})`, () => {
  let t: TestDb;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    t = await createTestDb();
    // Two app instances on one database (on SQLite they share the file).
    [a, b] = await Promise.all([startServer({ databaseUrl: t.url, env: clock.env }), startServer({ databaseUrl: t.url, env: clock.env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await t?.destroy();
  });

  it("after 10 failed sign-ins on one account (5 on each instance) both answer 429 with Retry-After, even with the right password", async () => {
    const victim = await makeUser(t.db);
    const bystander = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);

    for (let i = 0; i < 10; i++) {
      const server = i % 2 === 0 ? a : b;
      const res = await signIn(new Client(server.url), i % 3 === 0 ? victim.email.toUpperCase() : victim.email, `wrong guess ${i}`);
      expect(res.status, `attempt ${i + 1}`).toBe(400);
      expect(pageText(res.text)).toContain(en.errors.invalidCredentials);
    }
    // Neither instance saw 10 failures by itself: the count is in the database.
    const stored = await t.db
      .selectFrom("rate_limits")
      .select(["key", "count"])
      .where("key", "=", `login-account:${victim.email.toLowerCase()}`)
      .execute();
    expect(stored.reduce((n, r) => n + Number(r.count), 0)).toBe(10);

    const limited: Res[] = [];
    for (const server of [a, b]) {
      const res = await signIn(new Client(server.url), victim.email, victim.password);
      expect429(res);
      limited.push(res);
    }

    // Another account, from the same address, is not affected.
    const other = new Client(b.url);
    const ok = await signIn(other, bystander.email, bystander.password);
    expect([302, 303]).toContain(ok.status);
    expect((await other.get("/me")).status).toBe(200);

    // No one is signed in: counted per kind, address and minute (ADR 0020), with the account tried.
    const events = await t.db
      .selectFrom("security_event_counts")
      .select(["count"])
      .where("kind", "=", "rate_limit")
      .where("last_target", "=", victim.email.toLowerCase())
      .execute();
    expect(events.reduce((n, e) => n + Number(e.count), 0)).toBeGreaterThanOrEqual(2);
    for (const res of limited) expectRetryAfter(res, (2 * LOGIN_WINDOW_MS) / 1000);
  }, 120_000);

  it("supports: 300 an hour per person, counted in the support's own transaction, shared by both instances", async () => {
    const author = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    const ids = [
      await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id }),
      await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id }),
    ];
    const supporter = await makeUser(t.db);
    const onA = new Client(a.url);
    expect([302, 303]).toContain((await signIn(onA, supporter.email, supporter.password)).status);
    const onB = new Client(b.url);
    for (const [k, v] of onA.cookies) onB.cookies.set(k, v);
    clock.toBucketStart(SUPPORT_WINDOW_MS);

    // 300 supports and withdrawals, alternately on A and B, in pairs at once.
    for (let i = 0; i < 300; i += 2) {
      const [x, y] = await Promise.all([
        onA.post(`/submissions/${ids[0]}/support`, { intent: i % 4 === 0 ? "support" : "withdraw" }),
        onB.post(`/submissions/${ids[1]}/support`, { intent: i % 4 === 0 ? "support" : "withdraw" }),
      ]);
      expect([x.status, y.status], `request ${i + 1} and ${i + 2}`).toEqual([303, 303]);
    }
    const stored = await t.db.selectFrom("rate_limits").select("count").where("key", "=", `support-user:${supporter.id}`).execute();
    expect(stored.reduce((n, r) => n + Number(r.count), 0)).toBe(300);
    // Each ended withdrawn: no row, a count of 0.
    const rowsBefore = await t.db.selectFrom("supports").select("submission_id").where("user_id", "=", supporter.id).execute();
    expect(rowsBefore).toEqual([]);

    const limited: Res[] = [];
    for (const client of [onA, onB]) {
      const res = await client.post(`/submissions/${ids[0]}/support`, { intent: "support" });
      expect(res.status).toBe(429);
      expect(pageText(res.text)).toContain(en.errors.rateLimited);
      limited.push(res);
    }
    // Refused: nothing was written but the count of the refused attempts.
    expect(await t.db.selectFrom("supports").select("submission_id").where("user_id", "=", supporter.id).execute()).toEqual([]);
    const counters = await t.db.selectFrom("submissions").select("supporters_count").where("id", "in", ids).execute();
    expect(counters.map((c) => Number(c.supporters_count))).toEqual([0, 0]);
    // Someone else still supports.
    const other = await makeUser(t.db);
    const otherClient = new Client(b.url);
    await signIn(otherClient, other.email, other.password);
    expect((await otherClient.post(`/submissions/${ids[0]}/support`, { intent: "support" })).status).toBe(303);
    const events = await t.db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "security.rate_limit")
      .where("actor_id", "=", supporter.id)
      .execute();
    expect(events.length).toBe(2);
    for (const res of limited) expectRetryAfter(res, (2 * SUPPORT_WINDOW_MS) / 1000);
  }, 180_000);

  it("a restart does not forget the limit (it lives in the database)", async () => {
    const victim = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);
    for (let i = 0; i < 10; i++) expect((await signIn(new Client(a.url), victim.email, `nope ${i}`)).status).toBe(400);
    expect(await a.stop()).toBe(0);
    a = await startServer({ databaseUrl: t.url, env: clock.env });
    const res = await signIn(new Client(a.url), victim.email, victim.password);
    expect429(res);
    expectRetryAfter(res, (2 * LOGIN_WINDOW_MS) / 1000);
  }, 120_000);

  it("without TRUST_PROXY a forged X-Forwarded-For is not taken as the client address", async () => {
    const email = uniqueEmail("xff");
    await signIn(new Client(a.url), email, "whatever it is", {});
    const res = await new Client(a.url).post("/login", { email, password: "whatever it is" }, { "X-Forwarded-For": "203.0.113.99" });
    expect(res.status).toBe(400);
    // A failed sign-in for an address no account has is counted (ADR 0020): under the socket address only.
    const ips = await t.db
      .selectFrom("security_event_counts")
      .select(["ip", "count"])
      .where("kind", "=", "login.failure")
      .where("last_target", "=", email)
      .execute();
    expect(ips.reduce((n, r) => n + Number(r.count), 0)).toBeGreaterThanOrEqual(2);
    expect(ips.every((r) => r.ip === "127.0.0.1")).toBe(true);
    expect(await t.db.selectFrom("security_event_counts").select("ip").where("ip", "=", "203.0.113.99").execute()).toEqual([]);
  });
});

describe(`lowered limits per IP, per account and address, per account in total, and registrations per IP (${testDialect})`, () => {
  const { t, server } = useServer({
    env: {
      ...clock.env,
      LOGIN_FAILURES_PER_ACCOUNT: "3",
      LOGIN_FAILURES_PER_ACCOUNT_TOTAL: "6",
      LOGIN_FAILURES_PER_IP: "5",
      REGISTRATIONS_PER_IP: "2",
      TRUST_PROXY: "1",
    },
  });

  const from = (ip: string) => ({ "X-Forwarded-For": ip });

  it("per IP: failures across many accounts from one address lock that address only", async () => {
    const user = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);
    for (let i = 0; i < 5; i++) {
      const res = await new Client(server.url).post(
        "/login",
        { email: uniqueEmail("spray"), password: "Summer2026!" },
        from("203.0.113.5"),
      );
      expect(res.status, `attempt ${i + 1}`).toBe(400);
    }
    const limited = await new Client(server.url).post("/login", { email: user.email, password: user.password }, from("203.0.113.5"));
    expect429(limited);

    const client = new Client(server.url);
    const ok = await client.post("/login", { email: user.email, password: user.password }, from("203.0.113.6"));
    expect([302, 303]).toContain(ok.status);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
    expectRetryAfter(limited, (2 * LOGIN_WINDOW_MS) / 1000);
  }, 120_000);

  it("per account and address: failures from one address lock that pair only; the owner on another address still signs in", async () => {
    const user = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);
    for (let i = 0; i < 3; i++) {
      const res = await new Client(server.url).post("/login", { email: user.email, password: `guess ${i}` }, from("198.51.100.10"));
      expect(res.status, `attempt ${i + 1}`).toBe(400);
    }
    // The attacker's address is locked out of this account, even with the right password…
    const res = await new Client(server.url).post("/login", { email: user.email, password: user.password }, from("198.51.100.10"));
    expect429(res);
    // …but the owner, elsewhere, signs in.
    const owner = new Client(server.url);
    const ok = await owner.post("/login", { email: user.email, password: user.password }, from("198.51.100.20"));
    expect([302, 303]).toContain(ok.status);
    expect((await owner.get("/me")).status).toBe(200);
    expectRetryAfter(res, (2 * LOGIN_WINDOW_MS) / 1000);
  }, 120_000);

  it("per account in total: failures spread over many addresses lock the account everywhere at the higher ceiling", async () => {
    const user = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);
    // Two failures from each of three addresses: no pair reaches 3, the account reaches 6.
    for (let i = 0; i < 6; i++) {
      const res = await new Client(server.url).post(
        "/login",
        { email: user.email, password: `guess ${i}` },
        from(`198.51.100.${30 + (i % 3)}`),
      );
      expect(res.status, `attempt ${i + 1}`).toBe(400);
    }
    const res = await new Client(server.url).post("/login", { email: user.email, password: user.password }, from("198.51.100.99"));
    expect429(res);
    expectRetryAfter(res, (2 * LOGIN_WINDOW_MS) / 1000);
  }, 120_000);

  it("30 wrong passwords at once from one address: no more than the limit (3) reach the password check", async () => {
    const user = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new Client(server.url).post("/login", { email: user.email, password: `parallel guess ${i}` }, from("198.51.100.40")),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(
      statuses.every((s) => s === 400 || s === 429),
      statuses.join(","),
    ).toBe(true);
    expect(statuses.filter((s) => s !== 429).length, statuses.join(",")).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s !== 429).length).toBeGreaterThanOrEqual(1);
    // The owner elsewhere is not locked out by the burst.
    const ok = await new Client(server.url).post("/login", { email: user.email, password: user.password }, from("198.51.100.41"));
    expect([302, 303]).toContain(ok.status);
  }, 120_000);

  it("30 wrong passwords at once from 30 addresses: no more than the account's ceiling (6) reach the password check", async () => {
    const user = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new Client(server.url).post("/login", { email: user.email, password: `spread guess ${i}` }, from(`192.0.2.${100 + i}`)),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 429).length, statuses.join(",")).toBeLessThanOrEqual(6);
    expect429(await new Client(server.url).post("/login", { email: user.email, password: user.password }, from("192.0.2.200")));
  }, 120_000);

  it("a successful sign-in is not counted as a failure", async () => {
    const user = await makeUser(t.db);
    clock.toBucketStart(LOGIN_WINDOW_MS);
    for (let i = 0; i < 6; i++) {
      const res = await new Client(server.url).post("/login", { email: user.email, password: user.password }, from("192.0.2.44"));
      expect([302, 303]).toContain(res.status);
    }
  }, 120_000);

  it("registrations per IP: over the limit → 429 with Retry-After and no account created; other addresses unaffected", async () => {
    clock.toBucketStart(REGISTER_WINDOW_MS);
    for (let i = 0; i < 2; i++) {
      const res = await new Client(server.url).post("/register", registrationForm(), from("203.0.113.30"));
      expect(res.status).toBe(302);
    }
    const form = registrationForm();
    const res = await new Client(server.url).post("/register", form, from("203.0.113.30"));
    expect429(res);
    expect(await t.db.selectFrom("users").select("id").where("email", "=", form.email).executeTakeFirst()).toBeUndefined();

    const elsewhere = await new Client(server.url).post("/register", form, from("203.0.113.31"));
    expect(elsewhere.status).toBe(302);
    expectRetryAfter(res, (2 * REGISTER_WINDOW_MS) / 1000);
  }, 120_000);

  it("registrations sent at once from one address: no more accounts than the limit (2)", async () => {
    clock.toBucketStart(REGISTER_WINDOW_MS);
    const forms = Array.from({ length: 8 }, () => registrationForm());
    const answers = await Promise.all(forms.map((form) => new Client(server.url).post("/register", form, from("203.0.113.40"))));
    const statuses = answers.map((r) => r.status);
    expect(
      statuses.every((s) => s === 302 || s === 429),
      statuses.join(","),
    ).toBe(true);
    expect(statuses.filter((s) => s === 302).length, statuses.join(",")).toBeLessThanOrEqual(2);
    const made = await t.db
      .selectFrom("users")
      .select("id")
      .where(
        "email",
        "in",
        forms.map((f) => f.email),
      )
      .execute();
    expect(made.length).toBe(statuses.filter((s) => s === 302).length);
  }, 120_000);
});
