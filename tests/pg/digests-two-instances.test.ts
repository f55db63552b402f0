// Digests with two app instances (separate processes, as on two machines) on
// one PostgreSQL database (issue 16, item 3; ADR 0028): both run the outbox
// sender, whose every pass builds the digests that are due, several times a
// second; when their shared clock (ADR 0024) crosses the end of the ISO week,
// each weekly person gets exactly ONE digest, sent once, however many passes
// of the two instances race for it.
//
// PostgreSQL only: vitest.config.ts includes tests/pg/ only when
// TEST_DATABASE_URL is set (`npm run test:pg`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../../db/client";
import { setEmailFrequency } from "~/models/notification-settings.server";
import { notify } from "~/models/notification.server";
import { serverClock } from "../support/clock";
import { createEmptyDatabase, testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { startFakeSmtp, type FakeSmtp } from "../support/smtp";
import { spawnServer, type SpawnedServer } from "../support/server";

if (testDialect !== "postgres") throw new Error("tests/pg/ needs PostgreSQL: run it with TEST_DATABASE_URL set (npm run test:pg)");

const WEEK_MS = 7 * 86_400_000;

describe("digests with two app instances on one PostgreSQL database", () => {
  let database: { url: string; drop(): Promise<void> };
  let handle: DbHandle;
  let smtp: FakeSmtp;
  const clock = serverClock();
  let a: SpawnedServer;
  let b: SpawnedServer;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    smtp = await startFakeSmtp();
    const env = { SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "100", ...clock.env };
    a = await spawnServer({ databaseUrl: database.url, env });
    await a.waitReady();
    b = await spawnServer({ databaseUrl: database.url, env });
    await b.waitReady();
    handle = createDb(database.url, { poolSize: 4 });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((s) => s.stop()));
    await handle?.close();
    await database?.drop();
    await smtp?.close();
    clock.remove();
  });

  it("each weekly person gets one digest, sent once, while both instances' senders pass many times", async () => {
    const moderator = await makeUser(handle.db, { role: "moderator" });
    const author = await makeUser(handle.db);
    const s = await makePublishedSubmission(handle.db, { authorId: author.id, moderatorId: moderator.id });
    const people = await Promise.all(Array.from({ length: 8 }, () => makeUser(handle.db)));
    for (const p of people) {
      await setEmailFrequency(handle.db, p.id, "weekly");
      for (let i = 0; i < 3; i++) await notify(handle.db, { userId: p.id, kind: "followed.commented", submissionId: s });
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages.filter((m) => people.some((p) => m.to.includes(p.email)))).toHaveLength(0);

    clock.advance(WEEK_MS);
    await smtp.waitFor(people.length, 30_000);
    // Many more passes of both: nothing more.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const p of people) {
      expect(
        smtp.messages.filter((m) => m.to.includes(p.email)),
        p.email,
      ).toHaveLength(1);
      const rows = await handle.db.selectFrom("email_outbox").select(["status"]).where("user_id", "=", p.id).execute();
      expect(rows).toEqual([{ status: "sent" }]);
      const claims = await handle.db.selectFrom("email_digests").select(["notifications"]).where("user_id", "=", p.id).execute();
      expect(claims).toEqual([{ notifications: 3 }]);
    }
    // Both instances took part in the sending (each pass builds what is due, then sends).
    const senders = await handle.db
      .selectFrom("email_outbox")
      .select("claimed_by")
      .where(
        "user_id",
        "in",
        people.map((p) => p.id),
      )
      .execute();
    expect(senders.every((r) => r.claimed_by !== null)).toBe(true);
  });
});
