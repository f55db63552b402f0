// Exports on a real migrated database (SQLite, and PostgreSQL with
// TEST_DATABASE_URL): the columns of docs/contract.md in order, CSV bytes (BOM, CRLF,
// RFC 4180 quoting, Urdu intact, formula injection neutralised) parsed back
// with a real CSV parser, JSON with the same keys, XLSX read back with
// exceljs, organisation names hidden or shown by view, merged-into and
// recommendation columns, and the recommendations' unique-supporter arithmetic.
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { neutraliseFormula, toXlsx } from "~/lib/export-formats.server";
import {
  RECOMMENDATION_COLUMNS,
  SUBMISSION_COLUMNS,
  activeConsultationId,
  annexSheets,
  recommendationsExport,
  submissionsExport,
  type SubmissionFilters,
} from "~/models/export.server";
import { mergeSubmission } from "~/models/moderation.server";
import { recordProgress } from "~/models/progress.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";

const HEADER =
  "id,consultation,cluster,title,problem,proposal,expected_impact,stage,horizon,status,categories,supporters,supporting_organisations," +
  "supporting_provinces,comments,organisation,organisation_type,size_band,city,province,source,created_at,published_at,merged_into,recommendations," +
  // Appended by issue 15 (a Contract change): the figures from verified organisations.
  "supporters_verified_organisations,verified_organisations," +
  // Appended by issue 18 (a Contract change): the original language and the moderators' translation.
  "original_language,translated_title,translated_problem,translated_proposal,translated_expected_impact";
/** The issue 18 columns after the issue 15 ones. */
const ISSUE_18_COLUMNS = [
  "original_language",
  "translated_title",
  "translated_problem",
  "translated_proposal",
  "translated_expected_impact",
];
const RECOMMENDATION_HEADER =
  "id,title,clusters,categories,priority,status,text,dissent,unique_supporters,organisations,sources,response_status,response_text," +
  "responsible_agency,response_date,unique_supporters_verified_organisations,verified_organisations," +
  // Appended by issue 16 (a Contract change): the latest implementation progress.
  "progress_status,progress_date," +
  // Appended by issue 18 (a Contract change): the language of title/text/dissent and the Urdu version.
  "language,title_ur,text_ur,dissent_ur";

const CORPUS = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\t=x", "\r=x", "\n", "\u0000"];
// PostgreSQL text cannot hold NUL at all (it refuses the write), so a stored NUL exists only on SQLite;
// neutraliseFormula is checked against the whole corpus on both.
const INJECTION = testDialect === "postgres" ? CORPUS.filter((v) => !v.includes("\u0000")) : CORPUS;

async function collect(chunks: AsyncIterable<string | Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(typeof c === "string" ? Buffer.from(c, "utf8") : c);
  return Buffer.concat(parts);
}

function parseCsv(buf: Buffer): Record<string, string>[] {
  return parse(buf, { columns: true, bom: true, record_delimiter: "\r\n", relax_column_count: false });
}

describe(`exports (${testDialect})`, () => {
  const t = useTestDb();
  let moderator: MadeUser;
  let hidden: MadeUser;
  let shown: MadeUser;
  let supporters: MadeUser[];
  let consultationId: number;
  const ids: Record<string, number> = {};
  const injectionIds: number[] = [];
  const hiddenOrg = "Hidden Tanners Sialkot";
  const shownOrg = 'Karachi "Quote" Traders, Pvt';
  const urduTitle = "چمڑے کی برآمد کے لیے ڈیوٹی کی واپسی";
  const multiline = 'Line one, with a comma\r\nline "two" with quotes\nline three';

  beforeAll(async () => {
    consultationId = (await activeConsultationId(t.db))!;
    moderator = await makeUser(t.db, { role: "moderator" });
    hidden = await makeUser(t.db, {
      showOrganisation: false,
      organisation: { name: hiddenOrg, type: "firm", sizeBand: "small", city: "Sialkot", province: "punjab", clusterSlug: "leather" },
    });
    shown = await makeUser(t.db, {
      showOrganisation: true,
      organisation: { name: shownOrg, type: "association", sizeBand: "medium", city: "Karachi", province: "sindh", clusterSlug: "leather" },
    });
    supporters = [];
    for (let i = 0; i < 4; i++) supporters.push(await makeUser(t.db));

    ids.hidden = await makePublishedSubmission(t.db, {
      authorId: hidden.id,
      moderatorId: moderator.id,
      categories: ["export-markets", "tax-relief"],
    });
    ids.shown = await makePublishedSubmission(t.db, {
      authorId: shown.id,
      moderatorId: moderator.id,
      input: { title: urduTitle, problem: multiline, horizon: "short", stage: "finance" },
      categories: ["financial-assistance"],
    });
    ids.duplicate = await makePublishedSubmission(t.db, { authorId: shown.id, moderatorId: moderator.id });
    ids.pending = await makeSubmission(t.db, { authorId: hidden.id });

    // supports: s0,s1 → hidden; s1,s2 → shown; s2,s3 → duplicate (then merged into hidden)
    const support = async (u: MadeUser, id: number) =>
      expect((await supportSubmission(t.db, { submissionId: id, userId: u.id })).ok).toBe(true);
    await support(supporters[0], ids.hidden);
    await support(supporters[1], ids.hidden);
    await support(supporters[1], ids.shown);
    await support(supporters[2], ids.shown);
    await support(supporters[2], ids.duplicate);
    await support(supporters[3], ids.duplicate);
    const merged = await mergeSubmission(t.db, {
      id: ids.duplicate,
      into: ids.hidden,
      moderatorId: moderator.id,
      moderatorRole: "moderator",
    });
    expect(merged.ok).toBe(true);

    for (const value of INJECTION) {
      const id = await makePublishedSubmission(t.db, { authorId: hidden.id, moderatorId: moderator.id, input: { cluster: "it" } });
      await t.db.updateTable("submissions").set({ title: value, expected_impact: value }).where("id", "=", id).execute();
      injectionIds.push(id);
    }

    // Two recommendations: R-a final (sources hidden + shown), R-b draft (source shown).
    const now = new Date().toISOString();
    const rec = async (title: string, status: string, sources: number[]) => {
      const r = await t.db
        .insertInto("recommendations")
        .values({
          consultation_id: consultationId,
          title,
          text: '=HYPERLINK("x")',
          priority: 2,
          dissent: "",
          status,
          response_status: null,
          response_text: null,
          responsible_agency: null,
          response_date: null,
          created_by: null,
          created_at: now,
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const s of sources)
        await t.db
          .insertInto("recommendation_submissions")
          .values({ recommendation_id: r.id, submission_id: s, linked_by: null, linked_at: now })
          .execute();
      const leather = await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
      await t.db.insertInto("recommendation_clusters").values({ recommendation_id: r.id, cluster_id: leather.id }).execute();
      return r.id;
    };
    ids.recFinal = await rec("Duty drawback within thirty days", "final", [ids.hidden, ids.shown]);
    ids.recDraft = await rec("Draft: export credit line", "draft", [ids.shown]);
  });

  const organiserFilters = (extra: Partial<SubmissionFilters> = {}): SubmissionFilters => ({
    consultationId,
    statuses: ["published", "merged", "hidden", "rejected", "withdrawn"],
    ...extra,
  });

  it("CSV: BOM, CRLF, the contract's header exactly, and RFC 4180 quoting that parses back to the same values", async () => {
    const buf = await collect(submissionsExport(t.db, "csv", organiserFilters()));
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.toString("utf8").slice(1);
    expect(text.startsWith(`${HEADER}\r\n`)).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(SUBMISSION_COLUMNS.join(",")).toBe(HEADER);
    // every line break outside quotes is CRLF: a bare LF appears only inside a quoted field
    expect(text).toContain(`"${multiline.replace(/"/g, '""')}"`);
    expect(text).toContain(`"${shownOrg.replace(/"/g, '""')}"`);
    const rows = parseCsv(buf);
    expect(Object.keys(rows[0])).toEqual([...SUBMISSION_COLUMNS]);
    const shownRow = rows.find((r) => Number(r.id) === ids.shown)!;
    expect(shownRow.title).toBe(urduTitle);
    expect(shownRow.problem).toBe(multiline);
    expect(shownRow.organisation).toBe(shownOrg);
    expect(shownRow).toMatchObject({
      cluster: "leather",
      status: "published",
      categories: "financial-assistance",
      horizon: "short",
      stage: "finance",
      source: "web",
    });
    expect(shownRow.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(shownRow.published_at).toMatch(/Z$/);
    // the pending suggestion is not in the organisers' default export
    expect(rows.some((r) => Number(r.id) === ids.pending)).toBe(false);
  });

  it("CSV and XLSX neutralise a formula-injection corpus with a leading apostrophe; JSON keeps the raw values", async () => {
    const buf = await collect(submissionsExport(t.db, "csv", organiserFilters({ cluster: "it" })));
    const rows = parseCsv(buf);
    expect(rows.map((r) => Number(r.id))).toEqual(injectionIds);
    rows.forEach((r, i) => {
      expect(r.title).toBe(`'${INJECTION[i]}`);
      expect(r.expected_impact).toBe(`'${INJECTION[i]}`);
    });
    for (const v of CORPUS) expect(neutraliseFormula(v)).toBe(`'${v}`);
    expect(neutraliseFormula("plain = text")).toBe("plain = text");
    const json = JSON.parse((await collect(submissionsExport(t.db, "json", organiserFilters({ cluster: "it" })))).toString("utf8"));
    expect(json.map((r: { title: string }) => r.title)).toEqual(INJECTION);
  });

  it("JSON: an array of objects with the same keys in the same order, numbers as numbers", async () => {
    const json = JSON.parse((await collect(submissionsExport(t.db, "json", organiserFilters()))).toString("utf8"));
    expect(Array.isArray(json)).toBe(true);
    // Issue 18: every translation, as an object per language, after the columns.
    for (const r of json) expect(Object.keys(r)).toEqual([...SUBMISSION_COLUMNS, "translations"]);
    const h = json.find((r: { id: number }) => r.id === ids.hidden);
    expect(typeof h.supporters).toBe("number");
    expect(h.categories.split(";").sort()).toEqual(["export-markets", "tax-relief"]);
    expect(
      JSON.parse((await collect(submissionsExport(t.db, "json", organiserFilters({ cluster: "pharmaceutical" })))).toString()),
    ).toEqual([]);
  });

  it("merged_into, the merged target's supporters counted once each, and recommendations (organisers: all; public: final only)", async () => {
    const org = parseCsv(await collect(submissionsExport(t.db, "csv", organiserFilters())));
    const dup = org.find((r) => Number(r.id) === ids.duplicate)!;
    expect(dup.status).toBe("merged");
    expect(dup.merged_into).toBe(String(ids.hidden));
    const target = org.find((r) => Number(r.id) === ids.hidden)!;
    expect(target.merged_into).toBe("");
    // s0, s1 own + s2, s3 carried from the duplicate: four people, once each
    expect(target.supporters).toBe("4");
    const supportRows = await t.db.selectFrom("supports").select("user_id").where("submission_id", "=", ids.hidden).execute();
    expect(Number(target.supporters)).toBe(new Set(supportRows.map((r) => r.user_id)).size);
    expect(target.recommendations).toBe(`R-${ids.recFinal}`);
    const shown = org.find((r) => Number(r.id) === ids.shown)!;
    expect(shown.recommendations).toBe(`R-${ids.recFinal};R-${ids.recDraft}`);

    const pub = parseCsv(await collect(submissionsExport(t.db, "csv", { consultationId }, "public")));
    expect(pub.find((r) => Number(r.id) === ids.shown)!.recommendations).toBe(`R-${ids.recFinal}`);
    expect(pub.every((r) => r.status === "published" || r.status === "merged")).toBe(true);
  });

  it("organisation: empty where its owner hid it in the public view, shown in the organisers' view; never an email or a person's name", async () => {
    const pub = parseCsv(await collect(submissionsExport(t.db, "csv", { consultationId }, "public")));
    const org = parseCsv(await collect(submissionsExport(t.db, "csv", organiserFilters())));
    expect(pub.find((r) => Number(r.id) === ids.hidden)!.organisation).toBe("");
    expect(pub.find((r) => Number(r.id) === ids.hidden)!.city).toBe("Sialkot");
    expect(pub.find((r) => Number(r.id) === ids.shown)!.organisation).toBe(shownOrg);
    expect(org.find((r) => Number(r.id) === ids.hidden)!.organisation).toBe(hiddenOrg);
    for (const body of [JSON.stringify(pub), JSON.stringify(org)]) {
      expect(body).not.toContain("@example.pk");
      expect(body).not.toContain("Test Person");
    }
  });

  it("filters by cluster, category and status", async () => {
    const byCategory = parseCsv(await collect(submissionsExport(t.db, "csv", organiserFilters({ category: "tax-relief" }))));
    expect(byCategory.map((r) => Number(r.id))).toEqual([ids.hidden]);
    const merged = parseCsv(await collect(submissionsExport(t.db, "csv", organiserFilters({ statuses: ["merged"] }))));
    expect(merged.map((r) => Number(r.id))).toEqual([ids.duplicate]);
    const pending = parseCsv(await collect(submissionsExport(t.db, "csv", organiserFilters({ statuses: ["pending"] }))));
    expect(pending.map((r) => Number(r.id))).toEqual([ids.pending]);
  });

  it("recommendations: the contract's columns; unique supporters count a person behind two sources once", async () => {
    const buf = await collect(await recommendationsExport(t.db, "csv"));
    const text = buf.toString("utf8");
    expect(text.slice(1).split("\r\n")[0]).toBe(RECOMMENDATION_COLUMNS.join(","));
    expect(RECOMMENDATION_COLUMNS.join(",")).toBe(RECOMMENDATION_HEADER);
    const rows = parseCsv(buf);
    const final = rows.find((r) => r.id === `R-${ids.recFinal}`)!;
    // hidden: s0, s1, s2, s3 (two carried); shown: s1, s2 → distinct {s0, s1, s2, s3} = 4 (not 6)
    expect(final).toMatchObject({
      status: "final",
      clusters: "leather",
      sources: [ids.hidden, ids.shown].sort((a, b) => a - b).join(";"),
      unique_supporters: "4",
      priority: "2",
    });
    expect(final.text).toBe(`'=HYPERLINK("x")`);
    const orgs = await t.db
      .selectFrom("supports")
      .select("organisation_id")
      .where("submission_id", "in", [ids.hidden, ids.shown])
      .execute();
    expect(Number(final.organisations)).toBe(new Set(orgs.map((o) => o.organisation_id).filter((o) => o !== null)).size);
    const draft = rows.find((r) => r.id === `R-${ids.recDraft}`)!;
    expect(draft.unique_supporters).toBe("2");
    const json = JSON.parse((await collect(await recommendationsExport(t.db, "json"))).toString());
    expect(Object.keys(json[0])).toEqual([...RECOMMENDATION_COLUMNS]);
  });

  it("verified organisations (issue 15): the appended columns in CSV, JSON and XLSX; a person once across a merge and two sources", async () => {
    // s1's and s2's organisations are verified; s0's and s3's are not.
    await t.db
      .updateTable("organisations")
      .set({ verified: 1 })
      .where("id", "in", [supporters[1].organisationId!, supporters[2].organisationId!])
      .execute();
    const org = parseCsv(await collect(submissionsExport(t.db, "csv", organiserFilters())));
    const byId = (id: number) => org.find((r) => Number(r.id) === id)!;
    // hidden: s0, s1 own + s2, s3 carried from the duplicate → 4 supporters, 2 from verified organisations (s1, s2).
    expect(byId(ids.hidden)).toMatchObject({ supporters: "4", supporters_verified_organisations: "2", verified_organisations: "2" });
    expect(byId(ids.shown)).toMatchObject({ supporters: "2", supporters_verified_organisations: "2", verified_organisations: "2" });
    expect(byId(ids.duplicate)).toMatchObject({ supporters: "2", supporters_verified_organisations: "1", verified_organisations: "1" });
    expect(byId(injectionIds[0])).toMatchObject({ supporters: "0", supporters_verified_organisations: "0", verified_organisations: "0" });
    const json = JSON.parse((await collect(submissionsExport(t.db, "json", organiserFilters()))).toString("utf8"));
    const h = json.find((r: { id: number }) => r.id === ids.hidden);
    expect([h.supporters_verified_organisations, h.verified_organisations]).toEqual([2, 2]);
    // Issue 15's two columns, then issue 18's (appended after them), then the translations object.
    expect(Object.keys(h).slice(-8)).toEqual([
      "supporters_verified_organisations",
      "verified_organisations",
      ...ISSUE_18_COLUMNS,
      "translations",
    ]);

    // R-final: hidden + shown → people {s0..s3} = 4; from verified organisations {s1, s2} = 2 (each behind both sources, counted once).
    const recs = parseCsv(await collect(await recommendationsExport(t.db, "csv")));
    expect(recs.find((r) => r.id === `R-${ids.recFinal}`)).toMatchObject({
      unique_supporters: "4",
      unique_supporters_verified_organisations: "2",
      verified_organisations: "2",
    });
    expect(recs.find((r) => r.id === `R-${ids.recDraft}`)).toMatchObject({
      unique_supporters: "2",
      unique_supporters_verified_organisations: "2",
      verified_organisations: "2",
    });
    const recJson = JSON.parse((await collect(await recommendationsExport(t.db, "json"))).toString());
    const final = recJson.find((r: { id: string }) => r.id === `R-${ids.recFinal}`);
    expect([final.unique_supporters_verified_organisations, final.verified_organisations]).toEqual([2, 2]);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await collect(submissionsExport(t.db, "xlsx", organiserFilters()))) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("submissions")!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    // Issue 15's two columns, then issue 18's appended after them.
    expect(header.slice(-7)).toEqual(["supporters_verified_organisations", "verified_organisations", ...ISSUE_18_COLUMNS]);
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(1).value === ids.hidden)!;
    expect([row.getCell(header.length - 6).value, row.getCell(header.length - 5).value]).toEqual([2, 2]);
    const annex = new ExcelJS.Workbook();
    await annex.xlsx.load((await collect(toXlsx(await annexSheets(t.db)))) as unknown as ArrayBuffer);
    const recSheet = annex.getWorksheet("recommendations")!;
    expect((recSheet.getRow(1).values as unknown[]).slice(1)).toEqual([...RECOMMENDATION_COLUMNS]);
    await t.db
      .updateTable("organisations")
      .set({ verified: 0 })
      .where("id", "in", [supporters[1].organisationId!, supporters[2].organisationId!])
      .execute();
  });

  it("implementation progress (issue 16): the latest update's status and date appended in CSV, JSON and the annex; empty without one", async () => {
    const organiser = await makeUser(t.db, { role: "organiser" });
    const who = { actorId: organiser.id, actorRole: "organiser" };
    const input = (progressStatus: string, progressDate: string) => ({ progressStatus, progressDate, progressText: "Rules drafted." });
    expect((await recordProgress(t.db, { ...who, id: ids.recFinal, input: input("done", "2027-03-01") })).ok).toBe(true);
    expect((await recordProgress(t.db, { ...who, id: ids.recFinal, input: input("planned", "2027-01-15") })).ok).toBe(true);
    const recs = parseCsv(await collect(await recommendationsExport(t.db, "csv")));
    expect(recs.find((r) => r.id === `R-${ids.recFinal}`)).toMatchObject({ progress_status: "done", progress_date: "2027-03-01" });
    expect(recs.find((r) => r.id === `R-${ids.recDraft}`)).toMatchObject({ progress_status: "", progress_date: "" });
    const json = JSON.parse((await collect(await recommendationsExport(t.db, "json"))).toString());
    const final = json.find((r: { id: string }) => r.id === `R-${ids.recFinal}`);
    expect(Object.keys(final).slice(-6, -4)).toEqual(["progress_status", "progress_date"]);
    expect([final.progress_status, final.progress_date]).toEqual(["done", "2027-03-01"]);
    const annex = new ExcelJS.Workbook();
    await annex.xlsx.load((await collect(toXlsx(await annexSheets(t.db)))) as unknown as ArrayBuffer);
    const sheet = annex.getWorksheet("recommendations")!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(-6, -4)).toEqual(["progress_status", "progress_date"]);
    expect(header.slice(-4)).toEqual(["language", "title_ur", "text_ur", "dissent_ur"]);
    const row = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(1).value === `R-${ids.recFinal}`)!;
    expect([row.getCell(header.length - 5).value, row.getCell(header.length - 4).value]).toEqual(["done", "2027-03-01"]);
  });

  it("XLSX opens with exceljs: sheet name, bold header row, a neutralised cell; the annex has its five sheets, then coverage and left out", async () => {
    const buf = await collect(submissionsExport(t.db, "xlsx", organiserFilters({ cluster: "it" })));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("submissions")!;
    expect(ws).toBeTruthy();
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...SUBMISSION_COLUMNS]);
    expect(ws.getRow(1).font?.bold).toBe(true);
    const titleCol = SUBMISSION_COLUMNS.indexOf("title") + 1;
    expect(ws.getRow(2).getCell(titleCol).value).toBe("'=1+1");
    expect(ws.getRow(2).getCell(1).value).toBe(injectionIds[0]);
    expect(ws.rowCount).toBe(1 + INJECTION.length);

    const annex = new ExcelJS.Workbook();
    await annex.xlsx.load((await collect(toXlsx(await annexSheets(t.db)))) as unknown as ArrayBuffer);
    expect(annex.worksheets.map((w) => w.name)).toEqual([
      "submissions",
      "tag log",
      "moderation decisions",
      "recommendations",
      "cluster x category",
      // Issue 19, appended: the coverage figures and the suggestions left out.
      "coverage",
      "left out",
    ]);
    const tagLog = annex.getWorksheet("tag log")!;
    expect((tagLog.getRow(1).values as unknown[]).slice(1)).toEqual(["submission", "when", "who", "before", "after", "reason"]);
    expect(tagLog.rowCount).toBeGreaterThan(1);
    expect(tagLog.getRow(2).getCell(3).value).toBe("moderator");
    const decisions = annex.getWorksheet("moderation decisions")!;
    const actions = [];
    for (let i = 2; i <= decisions.rowCount; i++) actions.push(decisions.getRow(i).getCell(2).value);
    expect(actions).toContain("submission.merge");
    const matrix = annex.getWorksheet("cluster x category")!;
    const cells = [];
    for (let i = 2; i <= matrix.rowCount; i++) cells.push((matrix.getRow(i).values as unknown[]).slice(1));
    // hidden (published, leather, export-markets + tax-relief): 4 supporters
    expect(cells).toContainEqual(["leather", "tax-relief", 1, 4, expect.any(Number)]);
    const allText = JSON.stringify(cells) + JSON.stringify(actions);
    expect(allText).not.toContain("@example.pk");
  });
});
