// Without SMTP_URL an email is held for /admin/outbox and also written once to
// the server log with its body and links (issue 15, item 3), so a person trying
// the app locally can follow the link; with SMTP_URL the log does not carry it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialect, type TestDb } from "../support/db";
import { makeSubmission, makeUser } from "../support/factories";
import { pageText, signedIn } from "../support/http";
import type { RunningServer } from "../support/server";
import { useServer } from "../support/suite";
import { startFakeSmtp, type FakeSmtp } from "../support/smtp";

async function until<T>(what: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function approveOne(t: TestDb, server: RunningServer, title: string) {
  const author = await makeUser(t.db);
  const moderator = await makeUser(t.db, { role: "moderator" });
  const id = await makeSubmission(t.db, { authorId: author.id, input: { title } });
  const mod = await signedIn(server.url, moderator);
  const res = await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["export-markets"] });
  expect(res.status, pageText(res.text).slice(0, 300)).toBe(303);
  return { author, id };
}

describe(`held emails in the server log (${testDialect})`, () => {
  const { t, server } = useServer({ env: { OUTBOX_INTERVAL_MS: "200" } });

  it("writes each held email once, with its address, subject and link, and keeps it held", async () => {
    const { author, id } = await approveOne(t, server, "Bonded warehouses for surgical steel imports");
    const link = `${server.url}/submissions/${id}`;
    const output = await until(
      () => server.output(),
      (o) => o.includes(link),
    );
    expect(output).toContain(link);
    expect(output).toContain(author.email);
    const row = await t.db
      .selectFrom("email_outbox")
      .select(["status", "logged_at"])
      .where("to_email", "=", author.email)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("held");
    expect(row.logged_at).not.toBeNull();
    // a few more passes later, still once
    await new Promise((r) => setTimeout(r, 700));
    expect(server.output().split(link).length - 1).toBe(1);
  });
});

describe(`with SMTP_URL (${testDialect})`, () => {
  let smtp: FakeSmtp;
  beforeAll(async () => {
    smtp = await startFakeSmtp();
  });
  // registered before useServer: vitest runs after-hooks in reverse, so the server stops first
  afterAll(async () => {
    await smtp?.close();
  });
  const { t, server } = useServer({ env: () => ({ SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "200" }) });

  it("delivers the email and does not write its body to the log", async () => {
    const { author, id } = await approveOne(t, server, "Export credit for leather tanneries");
    const [message] = await smtp.waitFor(1);
    expect(message.to).toEqual([author.email]);
    expect(server.output()).not.toContain(`${server.url}/submissions/${id}`);
    expect(server.output()).not.toContain(author.email);
  });
});
