// The coverage page over real HTTP against the built server, as a browser
// without JavaScript (issue 19, item 3; ADR 0030): organisers only; the
// figures, the chart and the left-out list, most supported first; `?cluster=`
// filters and a bad value is a 400; the reason form saves with who and when,
// audited, and bad input is a 400 that changes nothing. The reasons and
// figures reach the printable briefing, its DOCX, /exports/left-out.csv and
// the annex workbook's "coverage" and "left out" sheets.
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

describe(`organiser coverage over HTTP (${testDialect})`, () => {
  const { t, server } = useServer({ seed });
  let organiser: MadeUser;
  let moderator: MadeUser;
  let stakeholder: MadeUser;
  let org: Client;
  const ids = { a: 0, b: 0, c: 0, draftOnly: 0 };

  async function seed(t: TestDb) {
    organiser = await makeUser(t.db, { role: "organiser", displayName: "Organiser Amna" });
    moderator = await makeUser(t.db, { role: "moderator" });
    stakeholder = await makeUser(t.db);
    const author = await makeUser(t.db);
    await t.db
      .updateTable("consultations")
      .set({ support_opens_at: "2000-01-01T00:00:00.000Z", support_closes_at: "2099-01-01T00:00:00.000Z", support_budget: 0 })
      .execute();
    const publish = (title: string, cluster: string, categories: string[]) =>
      makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id, input: { title, cluster }, categories });
    ids.a = await publish("Duty drawback within thirty days", "leather", ["export-markets"]);
    ids.b = await publish("Tannery effluent plant in Kasur", "leather", ["export-markets"]);
    ids.c = await publish("Cold storage for mango exporters", "food-processing", ["supply-chain-logistics"]);
    ids.draftOnly = await publish("Leather design institute", "leather", ["skilled-labour"]);
    const people = [await makeUser(t.db), await makeUser(t.db), await makeUser(t.db)];
    // a: three supporters; c: two; b: one (also behind a: counted once); draftOnly: none.
    for (const p of people) await supportSubmission(t.db, { submissionId: ids.a, userId: p.id });
    for (const p of people.slice(0, 2)) await supportSubmission(t.db, { submissionId: ids.c, userId: p.id });
    await supportSubmission(t.db, { submissionId: ids.b, userId: people[0].id });
    const who = { actorId: organiser.id, actorRole: "organiser" };
    const base = {
      text: "Refund duties within thirty days.",
      cluster: ["leather"],
      category: ["export-markets"],
      priority: "1",
      dissent: "",
    };
    const f = await createRecommendation(t.db, { ...who, input: { ...base, title: "Faster drawback", status: "final" } });
    const d = await createRecommendation(t.db, { ...who, input: { ...base, title: "Design institute", status: "draft" } });
    if (!f.ok || !d.ok) throw new Error("create failed");
    await linkSource(t.db, { ...who, id: f.id, submissionId: ids.a });
    await linkSource(t.db, { ...who, id: d.id, submissionId: ids.draftOnly });
  }
  beforeAll(async () => {
    org = await signedIn(server.url, organiser);
  });

  const leftOutOrder = (html: string) => [...html.matchAll(/<li[^>]*data-submission="(\d+)"/g)].map((m) => Number(m[1]));
  /** Rows kept, and audit entries of this action (signing in writes security entries of its own). */
  const count = async (table: "coverage_reasons" | "audit_log") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .$if(table === "audit_log", (q) => q.where("action" as never, "=", "coverage.reason" as never))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("is for organisers: a visitor goes to sign in, a stakeholder and a moderator get 403", async () => {
    const visitor = await new Client(server.url).get("/organiser/coverage");
    expect(visitor.status).toBe(302);
    expect(visitor.location).toMatch(/^\/login/);
    expect((await (await signedIn(server.url, stakeholder)).get("/organiser/coverage")).status).toBe(403);
    expect((await (await signedIn(server.url, moderator)).get("/organiser/coverage")).status).toBe(403);
  });

  it("shows the figures, the chart and the left-out list, most supported first; ?cluster= filters, a bad value is a 400", async () => {
    const page = await org.get("/organiser/coverage");
    expect(page.status).toBe(200);
    const text = pageText(page.text);
    expect(text).toContain(en.coverage.title);
    // 1 of 4 suggestions; 3 of 3 supporters (everyone supports a).
    expect(pageText(page.text.match(/<dd class="overall-suggestions">[\s\S]*?<\/dd>/)![0])).toBe("25% (1 / 4)");
    expect(pageText(page.text.match(/<dd class="overall-supporters">[\s\S]*?<\/dd>/)![0])).toBe("100% (3 / 3)");
    expect(page.text).toMatch(/<svg[^>]*class="chart chart--bars"/);
    const leather = page.text
      .match(/<table id="coverage-clusters"[\s\S]*?<\/table>/)![0]
      .match(/<tr data-key="leather">[\s\S]*?<\/tr>/)![0];
    expect(pageText(leather)).toBe("Leather 3 1 33% 3 3 100%");
    // Left out: c (2 supporters), b (1), the draft's source (0); never a.
    expect(leftOutOrder(page.text)).toEqual([ids.c, ids.b, ids.draftOnly]);
    expect(text).toContain(en.coverage.leftOutCount.replace("{{count}}", "3"));

    const filtered = await org.get("/organiser/coverage?cluster=leather");
    expect(filtered.status).toBe(200);
    expect(leftOutOrder(filtered.text)).toEqual([ids.b, ids.draftOnly]);
    expect(pageText(filtered.text.match(/<dd class="overall-suggestions">[\s\S]*?<\/dd>/)![0])).toBe("33% (1 / 3)");
    for (const bad of ["no-such-cluster", "LEATHER", "a%20b", "<x>", "x".repeat(200)]) {
      expect((await org.get(`/organiser/coverage?cluster=${bad}`)).status, bad).toBe(400);
    }
    expect((await org.get("/organiser/coverage?page=abc")).status).toBe(200);
    expect((await org.get("/organiser/coverage?page=99")).status).toBe(200);
  });

  it("saves a reason with who and when, audited; bad input is a 400 (or 404/409/403) and changes nothing", async () => {
    const [reasons, audits] = [await count("coverage_reasons"), await count("audit_log")];
    const form = (overrides: Record<string, string> = {}) => ({
      intent: "reason",
      submission: String(ids.b),
      reason: "A provincial matter",
      ...overrides,
    });
    for (const [name, body] of [
      ["no submission", { intent: "reason", reason: "x" }],
      ["bad submission", form({ submission: "abc" })],
      ["huge submission", form({ submission: "99999999999" })],
      ["other intent", form({ intent: "link" })],
      ["too long", form({ reason: "x".repeat(2001) })],
    ] as const) {
      const res = await org.post("/organiser/coverage", body);
      expect(res.status, name).toBe(400);
      expect(res.text, name).toContain('class="error-summary"');
    }
    expect((await org.post("/organiser/coverage", form({ submission: "2000000000" }))).status).toBe(404);
    const covered = await org.post("/organiser/coverage", form({ submission: String(ids.a) }));
    expect(covered.status).toBe(409);
    expect(pageText(covered.text)).toContain(en.coverage.refused.covered);
    expect((await org.post("/organiser/coverage?cluster=NOPE", form())).status).toBe(400);
    expect((await (await signedIn(server.url, stakeholder)).post("/organiser/coverage", form())).status).toBe(403);
    expect((await new Client(server.url).post("/organiser/coverage", form())).status).toBe(302);
    expect([await count("coverage_reasons"), await count("audit_log")]).toEqual([reasons, audits]);

    const saved = await org.post("/organiser/coverage?cluster=leather", form());
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/organiser/coverage?cluster=leather#left-out-${ids.b}`);
    const row = await t.db.selectFrom("coverage_reasons").selectAll().where("submission_id", "=", ids.b).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reason: "A provincial matter", set_by: organiser.id });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "after"])
      .where("action", "=", "coverage.reason")
      .where("target_id", "=", String(ids.b))
      .execute();
    expect(audit).toEqual([{ actor_id: organiser.id, after: JSON.stringify({ reason: "A provincial matter" }) }]);
    const page = await org.get("/organiser/coverage?cluster=leather");
    const item = page.text.match(new RegExp(`<li[^>]*id="left-out-${ids.b}"[\\s\\S]*?</li>`))![0];
    expect(decodeEntities(item)).toContain(">A provincial matter</textarea>");
    expect(pageText(item)).toContain("Last changed by Organiser Amna on");

    // The audit log names the action.
    const admin = await signedIn(server.url, await makeUser(t.db, { role: "admin" }));
    const log = await admin.get("/admin/audit?action=coverage.");
    expect(pageText(log.text)).toContain(en.admin.audit.actions.coverage.reason);

    // Cleared: the row goes, the audit log keeps the change.
    expect((await org.post("/organiser/coverage", form({ reason: "" }))).status).toBe(303);
    expect(
      await t.db.selectFrom("coverage_reasons").select("submission_id").where("submission_id", "=", ids.b).executeTakeFirst(),
    ).toBeUndefined();
    expect((await org.post("/organiser/coverage", form({ reason: "A provincial matter; see the ministry's letter" }))).status).toBe(303);
  });

  it("the briefing (printable and DOCX), /exports/left-out.csv and the annex carry the coverage figures and the reasons", async () => {
    const html = await org.get("/organiser/briefing");
    expect(html.status).toBe(200);
    const section = html.text.match(/<section[^>]*class="briefing__coverage"[\s\S]*?<\/section>/)![0];
    const text = pageText(section);
    expect(text).toContain(en.briefing.coverage);
    expect(text).toContain(en.briefing.leftOut);
    expect(text).toContain("25% (1 / 4)");
    expect(text).toContain(en.coverage.boundAll.replace("{{total}}", "3"));
    expect(decodeEntities(section)).toContain("A provincial matter; see the ministry's letter");
    // After the recommendations, before the annex.
    expect(html.text.indexOf("briefing__coverage")).toBeGreaterThan(html.text.indexOf("Faster drawback"));
    expect(html.text.indexOf("briefing__coverage")).toBeLessThan(html.text.indexOf('id="annex-title"'));

    const cookie = [...org.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const docx = await fetch(`${server.url}/exports/briefing.docx`, { headers: { Cookie: cookie } });
    const xml = decodeEntities(await unzipEntry(Buffer.from(await docx.arrayBuffer()), "word/document.xml"));
    expect(xml).toContain(en.briefing.leftOut);
    expect(xml).toContain("A provincial matter; see the ministry");
    expect(xml.indexOf(en.briefing.leftOut)).toBeLessThan(xml.indexOf(en.briefing.annex));

    const csv = await org.get("/exports/left-out.csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="left-out-\d{8}\.csv"$/);
    const rows: Array<Record<string, string>> = parse(csv.text, { columns: true, bom: true });
    expect(rows.map((r) => [r.rank, r.left_out_total, r.submission, r.supporters])).toEqual([
      ["1", "3", String(ids.c), "2"],
      ["2", "3", String(ids.b), "1"],
      ["3", "3", String(ids.draftOnly), "0"],
    ]);
    expect(rows[1]).toMatchObject({
      cluster: "leather",
      reason: "A provincial matter; see the ministry's letter",
      reason_set_by_role: "organiser",
    });
    expect(rows[1].reason_set_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // No person's name in an export.
    expect(csv.text).not.toContain("Organiser Amna");

    const annex = await fetch(`${server.url}/exports/annex.xlsx`, { headers: { Cookie: cookie } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await annex.arrayBuffer());
    const coverage = wb.getWorksheet("coverage")!;
    const cells = [];
    for (let i = 2; i <= coverage.rowCount; i++) cells.push((coverage.getRow(i).values as unknown[]).slice(1));
    expect(cells.find((c) => c[0] === "all")?.slice(2)).toEqual([4, 1, 3, 3]);
    expect(cells).toContainEqual(["cluster", "leather", 3, 1, 3, 3]);
    expect(cells).toContainEqual(["cluster", "food-processing", 1, 0, 2, 0]);
    const leftOut = wb.getWorksheet("left out")!;
    expect((leftOut.getRow(1).values as unknown[]).slice(1)).toEqual([
      "rank",
      "left_out_total",
      "submission",
      "title",
      "cluster",
      "supporters",
      "reason",
      "reason_set_at",
      "reason_set_by_role",
    ]);
    expect(leftOut.rowCount).toBe(4);
  });
});

/** One entry of a zip file (stored or deflated), read from its central directory. */
async function unzipEntry(zip: Buffer, name: string): Promise<string> {
  const { inflateRawSync } = await import("node:zlib");
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip");
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entry = zip.subarray(at + 46, at + 46 + nameLen).toString("utf8");
    if (entry === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString("utf8");
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${name} not in the zip`);
}
