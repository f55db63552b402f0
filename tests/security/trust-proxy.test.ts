// Issue 13, finding 9 (ADR 0020): TRUST_PROXY names the proxies in front of
// the app (a hop count or their addresses), never "every hop". Behind nginx
// with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`, a
// client's own X-Forwarded-For value arrives as the leftmost entry and nginx
// appends the real peer address: only the entries added by trusted proxies
// count, so a client cannot choose the address its rate limits are kept on.
// (Here the test client stands in for nginx: it connects from 127.0.0.1 and
// sends the header nginx would pass on.)
import { afterAll, describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { registrationForm } from "../support/factories";
import { Client } from "../support/http";
import { serverClock } from "../support/clock";
import type { RunningServer } from "../support/server";
import { useServer } from "../support/suite";

const REGISTER_WINDOW_MS = 60 * 60_000;
/**
 * The server's time, moved by the test (tests/support/clock.ts): the limiter
 * estimates a sliding window from two fixed buckets, and right after a bucket
 * edge part of the older bucket no longer counts, so each burst starts just
 * after an edge of the server's clock (no waiting for the wall clock to get there).
 */
const clock = serverClock();
afterAll(() => clock.remove());

/** Registers one account with the given X-Forwarded-For; returns the status. */
async function register(server: RunningServer, xff: string): Promise<number> {
  return (await new Client(server.url).post("/register", registrationForm(), { "X-Forwarded-For": xff })).status;
}

describe.each([
  ["a hop count: TRUST_PROXY=1 (nginx alone)", "1"],
  ["a list: TRUST_PROXY=127.0.0.1 (nginx's address)", "127.0.0.1"],
  ["a list with a named range: TRUST_PROXY=loopback,10.0.0.0/8", "loopback,10.0.0.0/8"],
])(`%s (${testDialect})`, (_label, trustProxy) => {
  const { server } = useServer({ env: { ...clock.env, REGISTRATIONS_PER_IP: "2", TRUST_PROXY: trustProxy } });

  it("a spoofed leftmost X-Forwarded-For does not change the address the rate limit is kept on", async () => {
    clock.toBucketStart(REGISTER_WINDOW_MS);
    // The real client is 198.51.100.7 (what nginx appends); it claims a new address each time.
    expect(await register(server, "203.0.113.1, 198.51.100.7")).toBe(302);
    expect(await register(server, "203.0.113.2, 198.51.100.7")).toBe(302);
    expect(await register(server, "203.0.113.3, 198.51.100.7")).toBe(429);
    // Another real client (another rightmost address) is not limited by the first one's registrations.
    expect(await register(server, "203.0.113.3, 198.51.100.8")).toBe(302);
  }, 120_000);
});

describe(`a CDN's address range in the list: TRUST_PROXY=loopback,198.51.100.0/24 (${testDialect})`, () => {
  const { server } = useServer({ env: { ...clock.env, REGISTRATIONS_PER_IP: "2", TRUST_PROXY: "loopback,198.51.100.0/24" } });

  it("the address before the CDN's is the client; one before that (sent by the client) is not believed", async () => {
    clock.toBucketStart(REGISTER_WINDOW_MS);
    // Client 192.0.2.50 reached CDN edge 198.51.100.20, which reached nginx; the edges vary.
    expect(await register(server, "192.0.2.50, 198.51.100.20")).toBe(302);
    expect(await register(server, "10.9.9.9, 192.0.2.50, 198.51.100.21")).toBe(302);
    expect(await register(server, "203.0.113.77, 192.0.2.50, 198.51.100.22")).toBe(429);
    // Different clients behind the same edge are told apart.
    expect(await register(server, "192.0.2.51, 198.51.100.20")).toBe(302);
  }, 120_000);
});
