// Issue 13, finding 7 (ADR 0020): security events of visitors who are not
// signed in (honeypot, cross-site POST, 429) are counted per kind, address and
// UTC minute, not written one audit row each: a flood of N such requests costs
// O(1) rows per kind, address and minute, and the admins see the counts on
// /admin/audit. Events tied to an account stay audit rows.
import { afterAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { makeUser, registrationForm } from "../support/factories";
import { Client, pageText, signIn } from "../support/http";
import { serverClock } from "../support/clock";
import { useServer } from "../support/suite";
import { readUntil } from "../support/wait";

const N = 200;
const KINDS = ["honeypot", "access.denied", "rate_limit"] as const;
/**
 * The server's time, moved by the test (tests/support/clock.ts): the limiter
 * estimates a sliding window from two fixed buckets, and right after a bucket
 * edge part of the older bucket no longer counts, so each burst starts just
 * after an edge of the server's clock (no waiting for the wall clock to get there).
 */
const clock = serverClock();
afterAll(() => clock.remove());

/** Runs `send` N times, a few at a time. */
async function flood(send: (i: number) => Promise<number>, expected: number) {
  const statuses: number[] = [];
  for (let i = 0; i < N; i += 10) {
    statuses.push(...(await Promise.all(Array.from({ length: Math.min(10, N - i) }, (_, j) => send(i + j)))));
  }
  expect(
    statuses.filter((s) => s !== expected),
    `statuses other than ${expected}`,
  ).toEqual([]);
}

describe(`anonymous security events are counted, not logged one row each (${testDialect})`, () => {
  const { t, server } = useServer({ env: { ...clock.env, REGISTRATIONS_PER_IP: "1" } });

  it(`${N} honeypot sign-ins, ${N} cross-site POSTs and ${N} 429s cost a bounded number of rows, and the admin sees the counts`, async () => {
    clock.toBucketStart(60 * 60_000);
    const started = Date.now();
    // The one registration this address may make in the hour; every further one is a 429.
    expect((await new Client(server.url).post("/register", registrationForm())).status).toBe(302);

    await flood(
      async () =>
        (await new Client(server.url).post("/login", { email: "bot@example.pk", password: "x", website: "https://spam.example" })).status,
      400,
    );
    await flood(
      async () => (await new Client(server.url).post("/register", registrationForm(), { Origin: "https://evil.example" })).status,
      403,
    );
    await flood(async () => (await new Client(server.url).post("/register", registrationForm())).status, 429);
    const minutesSpanned = Math.floor(Date.now() / 60_000) - Math.floor(started / 60_000) + 1;

    // The audit log did not get a row per request (before: N rows of each).
    const auditRows = await t.db
      .selectFrom("audit_log")
      .select(["action"])
      .where(
        "action",
        "in",
        KINDS.map((k) => `security.${k}`),
      )
      .execute();
    expect(auditRows.length, "audit rows for anonymous honeypot / cross-site / 429 events").toBe(0);

    // One counted row per kind, address and minute; the counts add up to N
    // (the cross-site ones, refused by the early answers, within a second: ADR 0037).
    const crossSiteCounted = (rows: Array<{ kind: string; count: number }>) =>
      rows.filter((r) => r.kind === "access.denied").reduce((sum, r) => sum + Number(r.count), 0) === N;
    const counts = await readUntil(() => t.db.selectFrom("security_event_counts").selectAll().execute(), crossSiteCounted);
    for (const kind of KINDS) {
      const rows = counts.filter((c) => c.kind === kind);
      expect(rows.length, `rows for ${kind}`).toBeGreaterThanOrEqual(1);
      expect(rows.length, `rows for ${kind}`).toBeLessThanOrEqual(minutesSpanned);
      expect(rows.every((r) => r.ip === "127.0.0.1")).toBe(true);
      expect(
        rows.reduce((sum, r) => sum + Number(r.count), 0),
        `events counted for ${kind}`,
      ).toBe(N);
    }
    const crossSite = counts.find((c) => c.kind === "access.denied")!;
    expect([crossSite.last_target, crossSite.last_rule, crossSite.last_reason]).toEqual([
      "/register",
      "cross-site",
      "https://evil.example",
    ]);
    expect(counts.find((c) => c.kind === "honeypot")!.last_target).toBe("/login");

    // The admin reads them on /admin/audit: kind, address, minute, count.
    const admin = await makeUser(t.db, { role: "admin" });
    const adminClient = new Client(server.url);
    await signIn(adminClient, admin.email, admin.password);
    const page = await adminClient.get("/admin/audit");
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    expect(text).toContain(en.admin.audit.counted.title);
    for (const kind of KINDS) expect(text).toContain(`security.${kind}`);
    const latestHoneypot = counts.filter((c) => c.kind === "honeypot").sort((a, b) => b.minute.localeCompare(a.minute))[0];
    const row = new RegExp(
      `<tr><td dir="ltr">${latestHoneypot.minute.replace("T", " ")}</td><td>.*?<code dir="ltr">security\\.honeypot</code></td><td dir="ltr">127\\.0\\.0\\.1</td><td>${latestHoneypot.count}</td>`,
    );
    expect(page.text).toMatch(row);

    // The shortcut for one kind narrows the counts to it.
    const onlyHoneypot = await adminClient.get("/admin/audit?action=security.honeypot");
    expect(pageText(onlyHoneypot.text)).toContain("security.honeypot");
    expect(onlyHoneypot.text).not.toContain("security.access.denied</code>");
    // A filter on one person, or on actions that are not security events, leaves them out.
    expect((await adminClient.get(`/admin/audit?actor=${admin.id}`)).text).not.toContain('id="security-counts"');
    expect((await adminClient.get("/admin/audit?action=submission.")).text).not.toContain('id="security-counts"');
    // A day range that ends before today shows none of today's.
    const none = await adminClient.get("/admin/audit?from=2026-01-01&to=2026-01-02");
    expect(pageText(none.text)).toContain(en.admin.audit.counted.none);
  }, 180_000);

  it("an event tied to an account stays an audit row (a signed-in person's cross-site POST)", async () => {
    const user = await makeUser(t.db);
    const client = new Client(server.url);
    await signIn(client, user.email, user.password);
    expect((await client.post("/me/profile", { displayName: "X" }, { Origin: "https://evil.example" })).status).toBe(403);
    const rows = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "target_id", "reason"])
      .where("action", "=", "security.access.denied")
      .where("actor_id", "=", user.id)
      .execute();
    expect(rows).toEqual([{ actor_id: user.id, target_id: "/me/profile", reason: "https://evil.example" }]);
  });
});
