// How long recording a response (and a progress update) takes on a final
// recommendation with many people behind it: every supporter gets one
// notification and one email, written inside the response's transaction.
// A scratch database (SQLite, or PostgreSQL with TEST_DATABASE_URL), N
// supporters who also follow the suggestion (inserted directly: no password
// hashing), one recommendation; the times of recordResponse and recordProgress.
//
// --instant: every person has chosen email "instant" (ADR 0028), so each also
// gets an email at once (the heaviest case); without it, never chosen: a
// supporter's response and progress news go to their weekly digest (no email).
//
//   npx tsx bench/notify-fanout.ts [--people 5000] [--rounds 3] [--instant]
import { configureMail } from "../app/models/email-outbox.server";
import { recordProgress } from "../app/models/progress.server";
import { createRecommendation, linkSource, recordResponse } from "../app/models/recommendation.server";
import { supportSubmission } from "../app/models/support.server";
import { createTestDb, testDialect } from "../tests/support/db";
import { makePublishedSubmission, makeUser } from "../tests/support/factories";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const PEOPLE = arg("people", 5000);
const ROUNDS = arg("rounds", 3);
const INSTANT = process.argv.includes("--instant");
const CHUNK = 200;

async function main() {
  configureMail({ origin: "https://mashwara.example", delivery: "smtp" });
  const t = await createTestDb();
  try {
    const db = t.db;
    await db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    const organiser = await makeUser(db, { role: "organiser" });
    const moderator = await makeUser(db, { role: "moderator" });
    const author = await makeUser(db);
    const template = await makeUser(db, { locale: "ur" });
    const submissionId = await makePublishedSubmission(db, { authorId: author.id, moderatorId: moderator.id });
    const supported = await supportSubmission(db, { submissionId, userId: template.id });
    if (!supported.ok) throw new Error(JSON.stringify(supported));

    // N copies of the template person, each supporting and following the suggestion.
    const user = await db.selectFrom("users").selectAll().where("id", "=", template.id).executeTakeFirstOrThrow();
    const support = await db.selectFrom("supports").selectAll().where("user_id", "=", template.id).executeTakeFirstOrThrow();
    const follow = await db
      .selectFrom("follows")
      .selectAll()
      .where("user_id", "=", template.id)
      .where("target_type", "=", "submission")
      .executeTakeFirstOrThrow();
    const { id: _id, ...userRow } = user;
    for (let start = 1; start < PEOPLE; start += CHUNK) {
      const n = Math.min(CHUNK, PEOPLE - start);
      const rows = Array.from({ length: n }, (_, i) => ({
        ...userRow,
        email: `fanout-${start + i}@example.pk`,
        email_normalised: `fanout-${start + i}@example.pk`,
        locale: (start + i) % 2 ? "en" : "ur",
        email_frequency: INSTANT ? ("instant" as const) : null,
      }));
      const ids = await db.insertInto("users").values(rows).returning("id").execute();
      await db
        .insertInto("supports")
        .values(ids.map((r) => ({ ...support, user_id: r.id })))
        .execute();
      await db
        .insertInto("follows")
        .values(ids.map((r) => ({ ...follow, user_id: r.id })))
        .execute();
    }

    const actor = { actorId: organiser.id, actorRole: "organiser" };
    const rec = await createRecommendation(db, {
      ...actor,
      input: {
        title: "Fan-out benchmark",
        text: "A recommendation with many people behind it.",
        cluster: ["leather"],
        category: ["export-markets"],
        priority: "1",
        dissent: "",
        status: "final",
      },
    });
    if (!rec.ok) throw new Error(JSON.stringify(rec));
    const linked = await linkSource(db, { ...actor, id: rec.id, submissionId });
    if (!linked.ok) throw new Error(JSON.stringify(linked));

    const times = { response: [] as number[], progress: [] as number[] };
    let told = { response: 0, progress: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      let start = performance.now();
      const r = await recordResponse(db, {
        ...actor,
        id: rec.id,
        input: {
          responseStatus: round % 2 ? "accepted" : "under-review",
          responseText: `Round ${round}: the ministry is costing it.`,
          responsibleAgency: "Ministry of Commerce",
          responseDate: "2027-01-01",
        },
      });
      times.response.push(performance.now() - start);
      if (!r.ok) throw new Error(JSON.stringify(r));
      start = performance.now();
      const p = await recordProgress(db, {
        ...actor,
        id: rec.id,
        input: { progressStatus: "in-progress", progressText: `Round ${round}.`, progressDate: "2027-02-01", evidenceUrl: "" },
      });
      times.progress.push(performance.now() - start);
      if (!p.ok) throw new Error(JSON.stringify(p));
      told = { response: r.notified, progress: p.notified };
    }
    const count = async (table: "notifications" | "email_outbox") =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const ms = (xs: number[]) => xs.map((x) => `${Math.round(x)} ms`).join(", ");
    console.info(`${testDialect}, ${PEOPLE} supporters who follow the source${INSTANT ? " (email: instant)" : ""}, ${ROUNDS} rounds`);
    console.info(`recordResponse: ${ms(times.response)} (told ${told.response} each)`);
    console.info(`recordProgress: ${ms(times.progress)} (told ${told.progress} each)`);
    console.info(`rows written: ${await count("notifications")} notifications, ${await count("email_outbox")} emails`);
  } finally {
    await t.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
