// Workshop CSV import on a real migrated database: parsing (BOM, quoting,
// line breaks inside quotes, Urdu), line numbers in the report, all or nothing,
// limits, organisations matched or created, dry run, and the rows' place in the queue.
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "~/lib/import-format";
import {
  importSubmissions,
  importTemplateCsv,
  IMPORTED_ORGANISATION_SIZE,
  IMPORTED_ORGANISATION_TYPE,
  type ImportResult,
} from "~/models/import.server";
import { getSubmissionForViewer } from "~/models/submission.server";
import { countSubmissionsByClusterAndStatus } from "~/models/taxonomy.server";
import { entryCounts, testDialect } from "../support/db";
import { makeUser, type MadeUser } from "../support/factories";
import { useActiveConsultation, useTestDb } from "../support/suite";
import { importCsv, importFile, importRow } from "../support/import-csv";

describe(`workshop CSV import (${testDialect})`, () => {
  const t = useTestDb();
  const consultation = useActiveConsultation(t);
  let moderator: MadeUser;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
  });

  const run = (
    file: Buffer | Uint8Array,
    options: { dryRun?: boolean; fileName?: string; actor?: { id: number; role: "moderator" } | null } = {},
  ) =>
    importSubmissions(t.db, {
      file,
      fileName: options.fileName ?? "workshop.csv",
      actor: options.actor === undefined ? { id: moderator.id, role: "moderator" } : options.actor,
      dryRun: options.dryRun,
    });

  const counts = () => entryCounts(t.db);
  const submission = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const organisation = (id: number) => t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  function imported(r: ImportResult) {
    if (!r.ok) throw new Error(`import refused: ${JSON.stringify(r)}`);
    return r;
  }
  function refused(r: ImportResult) {
    if (r.ok) throw new Error(`import accepted: ${JSON.stringify(r)}`);
    return r;
  }

  /** Runs the import and checks that it changed nothing at all. */
  async function expectNothingWritten(file: Buffer, options: { dryRun?: boolean } = {}) {
    const before = await counts();
    const r = refused(await run(file, options));
    expect(await counts()).toEqual(before);
    return r;
  }

  describe("a valid file", () => {
    it("without BOM: every row a pending suggestion (source import, no author) with its event, and one audit entry", async () => {
      const rows = [
        importRow({ stage: "" }),
        importRow({ cluster: "it", organisation: "Karachi Software House", city: "Karachi", province: "sindh", stage: "technology" }),
      ];
      const before = await counts();
      const r = imported(await run(importFile(rows), { fileName: "lahore-\u0000workshop.csv" }));
      expect(r).toMatchObject({ dryRun: false, rows: 2 });
      expect(r.submissionIds).toHaveLength(2);
      const after = await counts();
      expect(after.submissions - before.submissions).toBe(2);
      expect(after.events - before.events).toBe(2);
      expect(after.audit - before.audit).toBe(1);

      const [first, second] = await Promise.all(r.submissionIds.map(submission));
      const leather = await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
      expect(first).toMatchObject({
        consultation_id: consultation.id,
        cluster_id: leather.id,
        author_id: null,
        status: "pending",
        source: "import",
        title: rows[0].title,
        problem: rows[0].problem,
        proposal: rows[0].proposal,
        expected_impact: rows[0].expected_impact,
        stage: null,
        suggested_category_id: null,
        horizon: null,
        published_at: null,
      });
      expect(second).toMatchObject({ status: "pending", source: "import", stage: "technology", author_id: null });
      expect(first.organisation_id).not.toBeNull();

      for (const id of r.submissionIds) {
        const events = await t.db.selectFrom("submission_events").selectAll().where("submission_id", "=", id).execute();
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ event: "submitted", actor_id: moderator.id, actor_role: "moderator" });
      }
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "submission.import")
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({
        actor_id: moderator.id,
        actor_role: "moderator",
        target_type: "import",
        target_id: "lahore-workshop.csv",
      });
      expect(JSON.parse(audit.after!)).toMatchObject({
        file: "lahore-workshop.csv",
        rows: 2,
        firstId: r.submissionIds[0],
        lastId: r.submissionIds[1],
      });
    });

    it('with a BOM and CRLF line ends (as Excel saves "CSV UTF-8")', async () => {
      const row = importRow();
      const r = imported(await run(importFile([row], { bom: true, newline: "\r\n" })));
      const s = await submission(r.submissionIds[0]);
      expect(s).toMatchObject({ title: row.title, stage: "production", source: "import" });
    });

    it("with the columns in another order, names in any case, and slugs in capitals", async () => {
      const columns = ["Title", " ORGANISATION ", "province", "stage", "cluster", "problem", "proposal", "expected_impact", "city"];
      const row = importRow({
        province: "Sindh",
        stage: "Finance",
        cluster: "IT",
        organisation: `Hyderabad Coders ${Date.now()}`,
        city: "Hyderabad",
      });
      const r = imported(
        await run(importFile([Object.fromEntries(columns.map((c) => [c, row[c.trim().toLowerCase() as keyof typeof row]]))], { columns })),
      );
      const s = await submission(r.submissionIds[0]);
      const it = await t.db.selectFrom("clusters").select("id").where("slug", "=", "it").executeTakeFirstOrThrow();
      expect(s).toMatchObject({ title: row.title, cluster_id: it.id, stage: "finance" });
      expect((await organisation(s.organisation_id!)).province).toBe("sindh");
    });

    it("keeps quoted commas, doubled quotes and line breaks inside quotes (CRLF inside a field stored as LF)", async () => {
      const problem = 'Tanners say "we pay twice", first for chemicals, then for disposal.\nNobody treats the water.';
      const proposal = "Three steps:\r\n1. a shared plant,\r\n2. user fees,\r\n3. an inspector.";
      const title = 'The "shared plant", at last';
      const r = imported(await run(importFile([importRow({ title, problem, proposal, organisation: 'Tanners, "Kasur" branch' })])));
      const s = await submission(r.submissionIds[0]);
      expect(s.title).toBe(title);
      expect(s.problem).toBe(problem);
      expect(s.proposal).toBe("Three steps:\n1. a shared plant,\n2. user fees,\n3. an inspector.");
      expect((await organisation(s.organisation_id!)).name).toBe('Tanners, "Kasur" branch');
    });

    it("keeps Urdu text as written", async () => {
      const row = importRow({
        title: "چمڑے کی صنعت کے لیے مشترکہ ٹریٹمنٹ پلانٹ",
        problem: "چھوٹی ٹینریاں الگ الگ فضلے کی صفائی کا خرچ برداشت نہیں کر سکتیں۔",
        proposal: "کلسٹر ایسوسی ایشن کے زیرِ انتظام ایک مشترکہ پلانٹ قائم کیا جائے، جس کا خرچ فیس سے پورا ہو۔",
        expected_impact: "برآمدی آرڈر برقرار رہیں گے۔",
        organisation: "قصور ٹینرز ایسوسی ایشن",
        city: "قصور",
      });
      const r = imported(await run(importFile([row], { bom: true })));
      const s = await submission(r.submissionIds[0]);
      expect(s).toMatchObject({ title: row.title, problem: row.problem, proposal: row.proposal, expected_impact: row.expected_impact });
      expect(await organisation(s.organisation_id!)).toMatchObject({ name: row.organisation, city: "قصور" });
    });

    it("matches a known organisation by normalised name, and creates an unknown one once for all its rows", async () => {
      const known = await makeUser(t.db, {
        organisation: {
          name: "Gujranwala Cutlery Works",
          type: "association",
          sizeBand: "medium",
          city: "Gujranwala",
          province: "punjab",
          clusterSlug: "surgical-instruments",
        },
      });
      const before = await counts();
      const newName = `Wazirabad Knife Makers ${Date.now()}`;
      const r = imported(
        await run(
          importFile([
            importRow({ organisation: "  GUJRANWALA   cutlery works " }),
            importRow({ cluster: "surgical-instruments", organisation: newName, city: "Wazirabad", province: "punjab" }),
            importRow({ organisation: newName.toUpperCase(), city: "Lahore", province: "punjab" }),
          ]),
        ),
      );
      expect(r).toMatchObject({ rows: 3, organisationsMatched: 1, organisationsCreated: 1 });
      expect((await counts()).organisations - before.organisations).toBe(1);
      const [a, b, c] = await Promise.all(r.submissionIds.map(submission));
      expect(a.organisation_id).toBe(known.organisationId);
      expect(b.organisation_id).not.toBe(known.organisationId);
      expect(c.organisation_id).toBe(b.organisation_id);
      const surgical = await t.db.selectFrom("clusters").select("id").where("slug", "=", "surgical-instruments").executeTakeFirstOrThrow();
      // The first row naming it gives its city, province and cluster; type and size are the defaults (ADR 0010).
      expect(await organisation(b.organisation_id!)).toMatchObject({
        name: newName,
        type: IMPORTED_ORGANISATION_TYPE,
        size_band: IMPORTED_ORGANISATION_SIZE,
        city: "Wazirabad",
        province: "punjab",
        cluster_id: surgical.id,
        registration_number: null,
        verified: 0,
      });
      // The known organisation is left as it was.
      expect(await organisation(known.organisationId!)).toMatchObject({ type: "association", size_band: "medium", city: "Gujranwala" });
    });

    it("skips blank lines and rows of empty cells (spreadsheets leave them behind)", async () => {
      const [header, first] = importCsv([importRow()]).split("\n");
      const second = importCsv([importRow()]).split("\n")[1];
      const r = imported(await run(Buffer.from([header, first, "", ",,,,,,,,", " , ,,,,,,,", second, "", ""].join("\n"))));
      expect(r.rows).toBe(2);
    });

    it("is accepted outside the online submission window while the consultation is active (ADR 0010)", async () => {
      const past = new Date(Date.now() - 86_400_000).toISOString();
      await t.db
        .updateTable("consultations")
        .set({ submission_opens_at: new Date(Date.now() - 10 * 86_400_000).toISOString(), submission_closes_at: past })
        .where("id", "=", consultation.id)
        .execute();
      const r = imported(await run(importFile([importRow()])));
      expect((await submission(r.submissionIds[0])).status).toBe("pending");
    });

    it("from the command line (no moderator): the history says system, the audit log operator", async () => {
      const r = imported(await run(importFile([importRow()]), { actor: null }));
      const event = await t.db
        .selectFrom("submission_events")
        .selectAll()
        .where("submission_id", "=", r.submissionIds[0])
        .executeTakeFirstOrThrow();
      expect(event).toMatchObject({ event: "submitted", actor_id: null, actor_role: "system" });
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "submission.import")
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      expect(audit).toMatchObject({ actor_id: null, actor_role: "operator" });
    });

    it("puts the rows in the moderation queue: pending, counted per cluster, readable by a moderator", async () => {
      const pendingIn = async (slug: string) => {
        const cluster = await t.db.selectFrom("clusters").select("id").where("slug", "=", slug).executeTakeFirstOrThrow();
        const rows = await countSubmissionsByClusterAndStatus(t.db, consultation.id);
        return rows.find((r) => r.clusterId === cluster.id && r.status === "pending")?.count ?? 0;
      };
      const before = { leather: await pendingIn("leather"), pharma: await pendingIn("pharmaceutical") };
      const r = imported(await run(importFile([importRow(), importRow(), importRow({ cluster: "pharmaceutical" })])));
      expect(await pendingIn("leather")).toBe(before.leather + 2);
      expect(await pendingIn("pharmaceutical")).toBe(before.pharma + 1);
      const seen = await getSubmissionForViewer(t.db, { id: r.submissionIds[2], viewer: { id: moderator.id, role: "moderator" } });
      expect(seen).toMatchObject({ status: "pending", source: "import", organisation_name: "Sialkot Tanners Association" });
      // Pending: nobody but moderators sees it.
      expect(await getSubmissionForViewer(t.db, { id: r.submissionIds[2], viewer: null })).toBeNull();
    });
  });

  describe("a dry run", () => {
    it("checks and reports what would be imported, and writes nothing", async () => {
      const before = await counts();
      const r = imported(await run(importFile([importRow(), importRow({ organisation: `Brand new ${Date.now()}` })]), { dryRun: true }));
      expect(r).toMatchObject({ dryRun: true, rows: 2, organisationsCreated: 1, submissionIds: [] });
      expect(await counts()).toEqual(before);
    });

    it("refuses a bad file as the real import would, writing nothing", async () => {
      const r = await expectNothingWritten(importFile([importRow(), importRow({ title: "short" })]), { dryRun: true });
      expect(r.problems).toEqual([{ line: 3, column: "title", message: "errors.tooShort|10" }]);
    });
  });

  describe("all or nothing", () => {
    it("one bad row in the middle: nothing written, the row named by line and field", async () => {
      const r = await expectNothingWritten(
        importFile([
          importRow(),
          importRow({ title: "Too short", province: "kashmir" }),
          importRow({ organisation: `Never created ${Date.now()}` }),
        ]),
      );
      expect(r.reason).toBe("invalid");
      expect(r.problems).toEqual([
        { line: 3, column: "title", message: "errors.tooShort|10" },
        { line: 3, column: "province", message: "import.errors.province" },
      ]);
    });

    it("names every bad row, each by the line it starts on, counting the lines of fields that span several", async () => {
      const text = [
        "cluster,title,problem,proposal,expected_impact,organisation,city,province,stage",
        // line 2–4: one row whose problem spans three lines (CRLF and LF inside the quotes)
        `leather,A good long title here,"First line of the problem\r\nsecond line\nthird line and more",A proposal long enough to pass,,Org One,Sialkot,punjab,`,
        // line 5: bad stage
        "leather,Another good long title,A problem long enough to pass,A proposal long enough to pass,,Org Two,Sialkot,punjab,tanning",
        // line 6: empty; line 7–8: a bad row that itself spans two lines (title too short)
        "",
        `leather,"Two\nlines",A problem long enough to pass,A proposal long enough to pass,,Org Three,Sialkot,punjab,`,
        // line 9: unknown cluster, missing city
        "textiles,A third good long title,A problem long enough to pass,A proposal long enough to pass,,Org Four,,punjab,",
      ].join("\r\n");
      const r = await expectNothingWritten(Buffer.from(text));
      expect(r.problems).toEqual([
        { line: 5, column: "stage", message: "import.errors.stage" },
        { line: 7, column: "title", message: "errors.tooShort|10" },
        { line: 9, column: "cluster", message: "import.errors.cluster" },
        { line: 9, column: "city", message: "errors.required" },
      ]);
    });

    it("refuses unknown, archived or missing clusters, unknown stages and provinces, missing required fields", async () => {
      await t.db.updateTable("clusters").set({ archived: 1 }).where("slug", "=", "pharmaceutical").execute();
      const r = await expectNothingWritten(
        importFile([
          importRow({ cluster: "pharmaceutical" }),
          importRow({ cluster: "" }),
          importRow({ stage: "marketing" }),
          importRow({ province: "" }),
          importRow({ province: "Lahore" }),
          importRow({ organisation: "", problem: "   " }),
          importRow({ expected_impact: "x".repeat(1001) }),
        ]),
      );
      expect(r.problems).toEqual([
        { line: 2, column: "cluster", message: "import.errors.cluster" },
        { line: 3, column: "cluster", message: "errors.required" },
        { line: 4, column: "stage", message: "import.errors.stage" },
        { line: 5, column: "province", message: "errors.required" },
        { line: 6, column: "province", message: "import.errors.province" },
        { line: 7, column: "problem", message: "errors.required" },
        { line: 7, column: "organisation", message: "errors.required" },
        { line: 8, column: "expected_impact", message: "errors.tooLong|1000" },
      ]);
    });

    it("refuses a row with too few or too many fields", async () => {
      const text = importCsv([importRow()]) + "leather,Only a few fields here\n" + importCsv([importRow()]).split("\n")[1] + ",extra\n";
      const r = await expectNothingWritten(Buffer.from(text));
      expect(r.problems).toEqual([
        { line: 3, message: "import.errors.fieldCount|9" },
        { line: 4, message: "import.errors.fieldCount|9" },
      ]);
    });

    it("refuses control characters in text", async () => {
      const r = await expectNothingWritten(importFile([importRow({ title: "A title with a \u0007 bell in it" })]));
      expect(r.problems).toEqual([{ line: 2, column: "title", message: "errors.controlCharacters" }]);
    });

    it("refuses everything when there is no active consultation", async () => {
      await t.db.updateTable("consultations").set({ is_active: 0 }).where("id", "=", consultation.id).execute();
      const r = await expectNothingWritten(importFile([importRow()]));
      expect(r.reason).toBe("noConsultation");
    });
  });

  describe("files refused as a whole", () => {
    it(`over ${MAX_IMPORT_ROWS} data rows`, async () => {
      const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, () => importRow());
      const r = await expectNothingWritten(importFile(rows));
      expect(r).toEqual({ ok: false, reason: "tooManyRows", problems: [] });
    });

    it(`exactly ${MAX_IMPORT_ROWS} rows is not too many (checked as a dry run)`, async () => {
      const rows = Array.from({ length: MAX_IMPORT_ROWS }, () => importRow());
      const r = imported(await run(importFile(rows), { dryRun: true }));
      expect(r.rows).toBe(MAX_IMPORT_ROWS);
    });

    it("over 5 MB", async () => {
      const row = importRow();
      const file = Buffer.concat([importFile([row]), Buffer.alloc(MAX_IMPORT_BYTES, "\n")]);
      expect(file.byteLength).toBeGreaterThan(MAX_IMPORT_BYTES);
      const r = await expectNothingWritten(file);
      expect(r.reason).toBe("tooLarge");
    });

    it("empty, or only blank lines", async () => {
      expect((await expectNothingWritten(Buffer.alloc(0))).reason).toBe("empty");
      expect((await expectNothingWritten(Buffer.from("\uFEFF\r\n\r\n"))).reason).toBe("empty");
    });

    it("with a header and no rows", async () => {
      expect((await expectNothingWritten(importFile([]))).reason).toBe("noRows");
      expect((await expectNothingWritten(Buffer.from(importCsv([], { bom: true }) + ",,,,,,,,\r\n"))).reason).toBe("noRows");
    });

    it("not UTF-8 (Windows-1252 bytes)", async () => {
      const latin1 = Buffer.from(importCsv([importRow({ organisation: "Caf\u00e9 Exports" })]), "latin1");
      expect((await expectNothingWritten(latin1)).reason).toBe("notUtf8");
    });

    it("missing, unknown or repeated columns, each named", async () => {
      const columns = ["cluster", "title", "problem", "proposal", "organisation", "town", "province", "stage", "title", ""];
      const r = await expectNothingWritten(Buffer.from(importCsv([{}], { columns })));
      expect(r.reason).toBe("columns");
      expect(r.problems).toEqual([
        { line: 1, column: "town", message: "import.errors.unknownColumn" },
        { line: 1, column: "title", message: "import.errors.duplicateColumn" },
        { line: 1, message: "import.errors.emptyColumn|10" },
        { line: 1, column: "expected_impact", message: "import.errors.missingColumn" },
        { line: 1, column: "city", message: "import.errors.missingColumn" },
      ]);
    });

    it("separated by semicolons", async () => {
      const r = await expectNothingWritten(Buffer.from(importCsv([importRow()]).replace(/,/g, ";")));
      expect(r).toEqual({ ok: false, reason: "columns", problems: [{ line: 1, message: "import.errors.notCommaSeparated" }] });
    });

    it("broken quoting, named by the line its row starts on", async () => {
      const good = importCsv([importRow()]);
      const unclosed = await expectNothingWritten(Buffer.from(`${good}\nleather,"An unclosed title,and,the,rest\nof,the,file\n`));
      expect(unclosed).toEqual({ ok: false, reason: "malformed", problems: [{ line: 4, message: "import.errors.quoteNotClosed" }] });
      const stray = await expectNothingWritten(Buffer.from(`${good}leather,"Quoted" then text,p,q,,o,c,punjab,\n`));
      expect(stray).toEqual({ ok: false, reason: "malformed", problems: [{ line: 3, message: "import.errors.malformed" }] });
    });
  });

  it("offers a template that imports as it is", async () => {
    const template = importTemplateCsv();
    expect(template.startsWith("\uFEFFcluster,title,problem,proposal,expected_impact,organisation,city,province,stage\r\n")).toBe(true);
    const r = imported(await run(Buffer.from(template), { dryRun: true }));
    expect(r.rows).toBe(1);
  });
});
