// /forgot-password is close in time whether or not the address has an account
// (issue 15, item 2): the work for a known address (a link, an email) must not
// tell a timer who is registered. Both answers take at least the page's floor,
// and their medians are within 50 ms of each other (noise on a shared machine; the
// extra work for a known address is a few milliseconds under the floor).
import { describe, expect, it } from "vitest";
import { RESET_REQUEST_MIN_MS } from "~/models/account-email.server";
import { testDialect } from "../support/db";
import { makeUser, uniqueEmail } from "../support/factories";
import { Client } from "../support/http";
import { useServer } from "../support/suite";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe(`/forgot-password timing (${testDialect})`, () => {
  const { t, server } = useServer();

  it("answers a known and an unknown address in about the same time, never faster than the floor", async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    // Six of each, in turn, so the machine's load falls on both alike (20 a client an hour are allowed).
    for (let i = 0; i < 6; i++) {
      const user = await makeUser(t.db);
      for (const [email, into] of [
        [user.email, known],
        [uniqueEmail("nobody"), unknown],
      ] as const) {
        const started = performance.now();
        const res = await new Client(server.url).post("/forgot-password", { email });
        into.push(performance.now() - started);
        expect(res.status).toBe(303);
      }
    }
    expect(Math.min(...known, ...unknown)).toBeGreaterThanOrEqual(RESET_REQUEST_MIN_MS - 5);
    expect(Math.abs(median(known) - median(unknown)), `known ${known.join(", ")}; unknown ${unknown.join(", ")}`).toBeLessThan(50);
  });
});
