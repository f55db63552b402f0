// Exports over real HTTP against the built server: the organisers' downloads
// (status, type, Content-Disposition, a body that parses), who may download
// (visitor → /login, stakeholder and moderator → 403 on every export URL),
// bad filters → 400, and the public open-data API (cursor pagination to the
// end without duplicates, limits, filters, CORS, no emails). Never a 500.
import ExcelJS from "exceljs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { mergeSubmission } from "~/models/moderation.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, pageText, signIn } from "../support/http";
import { useServer } from "../support/suite";

const EXPORT_URLS = [
  "/exports",
  "/exports/submissions.csv",
  "/exports/submissions.json",
  "/exports/submissions.xlsx",
  "/exports/recommendations.csv",
  "/exports/recommendations.json",
  "/exports/annex.xlsx",
];

describe(`exports and the open-data API over HTTP (${testDialect})`, { timeout: 120_000 }, () => {
  const { t, server } = useServer();
  let organiser: Client;
  let stakeholder: Client;
  let moderatorClient: Client;
  let visitor: Client;
  let moderator: MadeUser;
  let hiddenAuthor: MadeUser;
  const published: number[] = [];
  let pendingId: number;
  let mergedId: number;
  let hiddenOrgName: string;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    const org = await makeUser(t.db, { role: "organiser" });
    const stake = await makeUser(t.db);
    hiddenAuthor = await makeUser(t.db, { showOrganisation: false });
    hiddenOrgName = (
      await t.db.selectFrom("organisations").select("name").where("id", "=", hiddenAuthor.organisationId!).executeTakeFirstOrThrow()
    ).name;
    const shownAuthor = await makeUser(t.db, { showOrganisation: true });
    for (let i = 0; i < 7; i++) {
      published.push(
        await makePublishedSubmission(t.db, {
          authorId: i % 2 ? shownAuthor.id : hiddenAuthor.id,
          moderatorId: moderator.id,
          input: { cluster: i < 4 ? "leather" : "it" },
          categories: [i % 3 === 0 ? "tax-relief" : "export-markets"],
        }),
      );
    }
    mergedId = await makePublishedSubmission(t.db, { authorId: shownAuthor.id, moderatorId: moderator.id, input: { cluster: "leather" } });
    expect(
      (await mergeSubmission(t.db, { id: mergedId, into: published[0], moderatorId: moderator.id, moderatorRole: "moderator" })).ok,
    ).toBe(true);
    pendingId = await makeSubmission(t.db, { authorId: hiddenAuthor.id });
    const now = new Date().toISOString();
    const consultation = await t.db.selectFrom("consultations").select("id").where("is_active", "=", 1).executeTakeFirstOrThrow();
    for (const status of ["final", "draft"]) {
      const r = await t.db
        .insertInto("recommendations")
        .values({
          consultation_id: consultation.id,
          title: `A ${status} recommendation`,
          text: "Text",
          priority: 1,
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
      await t.db
        .insertInto("recommendation_submissions")
        .values({ recommendation_id: r.id, submission_id: published[0], linked_by: null, linked_at: now })
        .execute();
    }

    organiser = new Client(server.url);
    expect((await signIn(organiser, org.email, org.password)).status).toBe(302);
    stakeholder = new Client(server.url);
    expect((await signIn(stakeholder, stake.email, stake.password)).status).toBe(302);
    moderatorClient = new Client(server.url);
    expect((await signIn(moderatorClient, moderator.email, moderator.password)).status).toBe(302);
    visitor = new Client(server.url);
  });
  afterAll(async () => {
    // Stopped here (useServer's own stop is then a no-op), so the whole log is read.
    const code = await server.stop();
    expect(server.output()).not.toMatch(/"statusCode":5\d\d/);
    void code;
  });

  it("a visitor is sent to /login from every export URL", async () => {
    for (const url of EXPORT_URLS) {
      const r = await visitor.get(url);
      expect(r.status, url).toBe(302);
      expect(r.location).toBe(`/login?redirectTo=${encodeURIComponent(url)}`);
    }
  });

  it("a stakeholder and a moderator get 403 on every export URL, with or without filters", async () => {
    for (const client of [stakeholder, moderatorClient]) {
      for (const url of [...EXPORT_URLS, "/exports/submissions.csv?cluster=nope", "/exports/briefing.nope"]) {
        const r = await client.get(url);
        expect(r.status, url).toBe(403);
        expect(r.text).not.toContain(hiddenOrgName);
      }
    }
  });

  it("the organiser downloads the submissions CSV: type, attachment with a safe name, no-store, a body that parses", async () => {
    const r = await organiser.request("/exports/submissions.csv?cluster=leather");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename="submissions-leather-${day}.csv"`);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const rows: Array<Record<string, string>> = parse(r.text, { columns: true, bom: true });
    expect(rows.map((x) => Number(x.id)).sort((a, b) => a - b)).toEqual([...published.slice(0, 4), mergedId].sort((a, b) => a - b));
    // organisers see the organisation even where it is hidden from the public
    expect(rows.find((x) => Number(x.id) === published[0])!.organisation).toBe(hiddenOrgName);
    expect(r.text).not.toContain("@example.pk");
  });

  it("the organiser downloads JSON and XLSX of the submissions, the recommendations and the annex", async () => {
    const json = await organiser.get("/exports/submissions.json?status=merged");
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(json.headers.get("content-disposition")).toMatch(/^attachment; filename="submissions-all-\d{8}\.json"$/);
    expect(JSON.parse(json.text).map((x: { id: number }) => x.id)).toEqual([mergedId]);
    const pending = JSON.parse((await organiser.get("/exports/submissions.json?status=pending")).text);
    expect(pending.map((x: { id: number }) => x.id)).toEqual([pendingId]);

    for (const [url, sheets] of [
      ["/exports/submissions.xlsx?category=tax-relief", ["submissions"]],
      // Issue 19 appended "coverage" and "left out" (tests/routes/organiser-coverage.test.ts reads them).
      [
        "/exports/annex.xlsx",
        ["submissions", "tag log", "moderation decisions", "recommendations", "cluster x category", "coverage", "left out"],
      ],
    ] as const) {
      const res = await fetch(server.url + url, { headers: { Cookie: [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[a-z0-9-]+\.xlsx"$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(await res.arrayBuffer());
      expect(wb.worksheets.map((w) => w.name)).toEqual([...sheets]);
    }

    const recCsv = await organiser.get("/exports/recommendations.csv");
    expect(recCsv.status).toBe(200);
    expect(recCsv.headers.get("content-disposition")).toMatch(/^attachment; filename="recommendations-\d{8}\.csv"$/);
    const recs: Array<Record<string, string>> = parse(recCsv.text, { columns: true, bom: true });
    expect(recs.map((x) => x.status).sort()).toEqual(["draft", "final"]);
    const recJson = await organiser.get("/exports/recommendations.json");
    expect(JSON.parse(recJson.text)).toHaveLength(2);
  });

  it("supporters from verified organisations (issue 15): the columns appended at the end of every export, and on the recommendation's page", async () => {
    const verifiedFan = await makeUser(t.db);
    const plainFan = await makeUser(t.db);
    await t.db.updateTable("organisations").set({ verified: 1 }).where("id", "=", verifiedFan.organisationId!).execute();
    for (const u of [verifiedFan, plainFan])
      expect((await supportSubmission(t.db, { submissionId: published[0], userId: u.id })).ok).toBe(true);
    const contract = (s: string) => s.replace(/\s+/g, "").split(",");
    const SUBMISSION_HEADER = contract(`id, consultation, cluster, title, problem, proposal, expected_impact, stage,
      horizon, status, categories, supporters, supporting_organisations, supporting_provinces, comments, organisation,
      organisation_type, size_band, city, province, source, created_at, published_at, merged_into, recommendations`);
    // Appended by issue 18 (a Contract change): the original language and the moderators' translation.
    const ISSUE_18 = contract(`original_language, translated_title, translated_problem, translated_proposal, translated_expected_impact`);
    const RECOMMENDATION_HEADER = contract(`id, title, clusters, categories, priority, status, text, dissent,
      unique_supporters, organisations, sources, response_status, response_text, responsible_agency, response_date`);

    const csv = await organiser.get("/exports/submissions.csv?cluster=leather");
    expect(
      csv.text
        .replace(/^\uFEFF/, "")
        .split("\r\n")[0]
        .split(","),
    ).toEqual([...SUBMISSION_HEADER, "supporters_verified_organisations", "verified_organisations", ...ISSUE_18]);
    const rows: Array<Record<string, string>> = parse(csv.text, { columns: true, bom: true });
    expect(rows.find((x) => Number(x.id) === published[0])).toMatchObject({
      supporters: "2",
      supporting_organisations: "2",
      supporters_verified_organisations: "1",
      verified_organisations: "1",
    });
    const json = JSON.parse((await organiser.get("/exports/submissions.json?cluster=leather")).text);
    const first = json.find((x: { id: number }) => x.id === published[0]);
    expect(Object.keys(first)).toEqual([
      ...SUBMISSION_HEADER,
      "supporters_verified_organisations",
      "verified_organisations",
      ...ISSUE_18,
      "translations",
    ]);
    expect([first.supporters_verified_organisations, first.verified_organisations]).toEqual([1, 1]);

    const recCsv = await organiser.get("/exports/recommendations.csv");
    expect(
      recCsv.text
        .replace(/^\uFEFF/, "")
        .split("\r\n")[0]
        .split(","),
    ).toEqual([
      ...RECOMMENDATION_HEADER,
      "unique_supporters_verified_organisations",
      "verified_organisations",
      // Appended after them by issue 16: the latest implementation progress.
      "progress_status",
      "progress_date",
      // Then by issue 18: the language of title/text/dissent and the Urdu version.
      "language",
      "title_ur",
      "text_ur",
      "dissent_ur",
    ]);
    const recs: Array<Record<string, string>> = parse(recCsv.text, { columns: true, bom: true });
    for (const r of recs)
      expect(r, r.status).toMatchObject({
        unique_supporters: "2",
        unique_supporters_verified_organisations: "1",
        organisations: "2",
        verified_organisations: "1",
      });
    const recJson = JSON.parse((await organiser.get("/exports/recommendations.json")).text);
    expect(Object.keys(recJson[0])).toEqual([
      ...RECOMMENDATION_HEADER,
      "unique_supporters_verified_organisations",
      "verified_organisations",
      "progress_status",
      "progress_date",
      "language",
      "title_ur",
      "text_ur",
      "dissent_ur",
    ]);

    // The annex's sheets carry the same columns.
    const res = await fetch(server.url + "/exports/annex.xlsx", {
      headers: { Cookie: [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    // Issue 15's two columns, then issue 18's five appended after them.
    expect((wb.getWorksheet("submissions")!.getRow(1).values as unknown[]).slice(-7)).toEqual([
      "supporters_verified_organisations",
      "verified_organisations",
      ...ISSUE_18,
    ]);
    expect((wb.getWorksheet("recommendations")!.getRow(1).values as unknown[]).slice(-8)).toEqual([
      "unique_supporters_verified_organisations",
      "verified_organisations",
      "progress_status",
      "progress_date",
      "language",
      "title_ur",
      "text_ur",
      "dissent_ur",
    ]);

    // The public page of the final recommendation says it apart.
    const final = await t.db.selectFrom("recommendations").select("id").where("status", "=", "final").executeTakeFirstOrThrow();
    const page = await visitor.get(`/recommendations/${final.id}`);
    expect(page.status).toBe(200);
    const figures = page.text.match(/<p data-testid="verified-figures">([\s\S]*?)<\/p>/)?.[1] ?? "";
    expect(pageText(figures)).toContain(
      en.recommendation.figures.verifiedSupporters_other.replace("{{supporters}}", "2").replace("{{verified}}", "1"),
    );
    expect(pageText(figures)).toContain(
      en.recommendation.figures.verifiedOrganisations_other.replace("{{organisations}}", "2").replace("{{verified}}", "1"),
    );
    // The organisers' list has the column.
    const list = await organiser.get("/organiser/recommendations");
    expect(pageText(list.text)).toContain(en.recommendation.column.verifiedSupporters);
  });

  it("bad filters are a 400, never a 500", async () => {
    for (const q of ["cluster=nope", "category=nope", "status=deleted", "status=", "cluster=%E2%80%AE", "cluster=a'b"]) {
      const r = await organiser.get(`/exports/submissions.csv?${q}`);
      if (q === "status=") expect(r.status, q).toBe(200);
      else {
        expect(r.status, q).toBe(400);
        expect(JSON.parse(r.text).error).toBeTruthy();
      }
    }
  });

  it("the exports page lists every download with its filters", async () => {
    const r = await organiser.get("/exports");
    expect(r.status).toBe(200);
    for (const href of [
      "/exports/submissions.csv",
      "/exports/submissions.json",
      "/exports/submissions.xlsx",
      "/exports/recommendations.csv",
      "/exports/recommendations.json",
      "/exports/annex.xlsx",
    ]) {
      expect(r.text).toContain(href);
    }
    for (const name of ["cluster", "category", "status"]) expect(r.text).toContain(`name="${name}"`);
  });

  it("the API is public, pages with cursors to the end without duplicates, and shows published and merged only", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await visitor.get(`/api/v1/submissions?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("access-control-allow-origin")).toBe("*");
      expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const body = JSON.parse(r.text);
      expect(body.data.length).toBeLessThanOrEqual(3);
      for (const s of body.data) expect(["published", "merged"]).toContain(s.status);
      seen.push(...body.data.map((s: { id: number }) => s.id));
      cursor = body.next_cursor;
      pages += 1;
      expect(r.text).not.toMatch(/@example\.pk|"email"/);
      expect(r.text).not.toContain(hiddenOrgName);
    } while (cursor && pages < 20);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort((a, b) => a - b)).toEqual([...published, mergedId].sort((a, b) => a - b));
    expect(pages).toBe(3);
  });

  it("the API filters by cluster and category; recommendations are final only; clusters and categories list the taxonomy", async () => {
    const it_ = JSON.parse((await visitor.get("/api/v1/submissions?cluster=it")).text);
    expect(it_.data.map((s: { id: number }) => s.id)).toEqual(published.slice(4));
    expect(it_.next_cursor).toBeNull();
    const tax = JSON.parse((await visitor.get("/api/v1/submissions?category=tax-relief&limit=100")).text);
    expect(tax.data.map((s: { id: number }) => s.id)).toEqual([published[0], published[3], published[6]]);
    const recs = JSON.parse((await visitor.get("/api/v1/recommendations")).text);
    expect(recs.data.map((r: { status: string }) => r.status)).toEqual(["final"]);
    const clusters = JSON.parse((await visitor.get("/api/v1/clusters")).text);
    expect(clusters.data.map((c: { slug: string }) => c.slug)).toEqual([
      "it",
      "food-processing",
      "surgical-instruments",
      "leather",
      "pharmaceutical",
    ]);
    const categories = JSON.parse((await visitor.get("/api/v1/categories?limit=5")).text);
    expect(categories.data).toHaveLength(5);
    expect(categories.next_cursor).toEqual(expect.any(String));
  });

  it("the API refuses bad parameters with 400 JSON, answers preflight, and 404s unknown resources", async () => {
    for (const q of [
      "limit=101",
      "limit=0",
      "limit=abc",
      "limit=-1",
      "cursor=%%%",
      "cursor=bm9wZQ",
      "cluster=nope",
      "category=nope",
      "limit=1&limit=2",
    ]) {
      const r = await visitor.get(`/api/v1/submissions?${q}`);
      expect(r.status, q).toBe(400);
      expect(JSON.parse(r.text)).toEqual({ error: expect.any(String) });
      expect(r.headers.get("access-control-allow-origin")).toBe("*");
    }
    const pre = await visitor.request("/api/v1/submissions", {
      method: "OPTIONS",
      headers: { Origin: "https://data.example.org", "Access-Control-Request-Method": "GET" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-methods")).toContain("GET");
    const missing = await visitor.get("/api/v1/nothing");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ error: "not found" });
  });
});
