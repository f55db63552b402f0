// /admin/consultation over real HTTP, as a browser without JavaScript posts it
// (field names of docs/contract.md): an admin closes and reopens the windows and sets a
// budget, and the rules bite at once on supports and submissions; bad input
// is a 400 with the values kept; several consultations; only admins.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, inputValue, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

const local = (d: Date) => d.toISOString().slice(0, 16);
const HOUR = 3_600_000;

describe(`/admin/consultation over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let admin: MadeUser;
  let adminClient: Client;
  let moderator: MadeUser;

  beforeAll(async () => {
    admin = await makeUser(t.db, { role: "admin" });
    moderator = await makeUser(t.db, { role: "moderator" });
    adminClient = await signedIn(server.url, admin);
  });

  const active = () => t.db.selectFrom("consultations").selectAll().where("is_active", "=", 1).executeTakeFirstOrThrow();

  /** The contract's fields (docs/contract.md), with the windows open around now unless overridden. */
  const contractForm = (o: Record<string, string> = {}) => ({
    submissionOpensAt: local(new Date(Date.now() - 24 * HOUR)),
    submissionClosesAt: local(new Date(Date.now() + 24 * HOUR)),
    supportOpensAt: local(new Date(Date.now() - 24 * HOUR)),
    supportClosesAt: local(new Date(Date.now() + 24 * HOUR)),
    supportBudget: "0",
    reportsToHide: "3",
    ...o,
  });

  it("only admins: a visitor is sent to sign in, a moderator gets 403 on GET and POST, nothing changes", async () => {
    const visitor = await new Client(server.url).get("/admin/consultation");
    expect([302, 303]).toContain(visitor.status);
    expect(visitor.location).toMatch(/^\/login\?redirectTo=/);
    const mod = await signedIn(server.url, moderator);
    expect((await mod.get("/admin/consultation")).status).toBe(403);
    const before = await active();
    expect((await mod.post("/admin/consultation", contractForm({ supportBudget: "1" }))).status).toBe(403);
    expect((await active()).support_budget).toBe(before.support_budget);
  });

  it("shows the settings form with the contract's field names, times as UTC datetime-local values", async () => {
    const c = await active();
    const page = await adminClient.get("/admin/consultation");
    expect(page.status).toBe(200);
    for (const name of [
      "submissionOpensAt",
      "submissionClosesAt",
      "supportOpensAt",
      "supportClosesAt",
      "supportBudget",
      "allowSelfSupport",
      "reportsToHide",
      "titleEn",
      "titleUr",
    ]) {
      expect(page.text, name).toMatch(new RegExp(`name="${name}"`));
    }
    expect(inputValue(page.text, "supportClosesAt")).toBe(c.support_closes_at.slice(0, 16));
  });

  it("the form's limits are the schema's: title length, the budget's and the hiding threshold's range (issue 13, finding 11)", async () => {
    const page = await adminClient.get("/admin/consultation");
    const tag = (name: string) => page.text.match(new RegExp(`<(?:input|textarea)[^>]*\\sname="${name}"[^>]*>`))?.[0] ?? "";
    const attr = (name: string, a: string) => tag(name).match(new RegExp(`\\s${a}="([^"]*)"`, "i"))?.[1] ?? null;
    for (const name of ["titleEn", "titleUr"]) expect(attr(name, "maxLength"), name).toBe("200");
    for (const name of ["descriptionEn", "descriptionUr"]) expect(attr(name, "maxLength"), name).toBe("5000");
    expect([attr("supportBudget", "min"), attr("supportBudget", "max")]).toEqual(["0", "1000"]);
    expect([attr("reportsToHide", "min"), attr("reportsToHide", "max")]).toEqual(["1", "100"]);
  });

  it("the rules bite at once: closed support window, closed submission window, a budget of 1; then reopened", async () => {
    const author = await makeUser(t.db);
    const a = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Admin rules first leather suggestion" },
    });
    const b = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: "Admin rules second leather suggestion" },
    });
    const supporter = await makeUser(t.db);
    const client = await signedIn(server.url, supporter);

    // Close the support window (an hour ago) — only the contract's fields posted.
    const closedAt = new Date(Date.now() - HOUR);
    let res = await adminClient.post(
      "/admin/consultation",
      contractForm({ supportClosesAt: local(closedAt), supportOpensAt: local(new Date(Date.now() - 48 * HOUR)) }),
    );
    expect(res.status).toBe(303);
    const refused = await client.post(`/submissions/${a}/support`, { intent: "support" });
    expect([409, 422]).toContain(refused.status);
    expect(pageText(refused.text)).toContain(en.support.refused.windowClosed);

    // Close the submission window too.
    res = await adminClient.post(
      "/admin/consultation",
      contractForm({ submissionClosesAt: local(closedAt), submissionOpensAt: local(new Date(Date.now() - 48 * HOUR)) }),
    );
    expect(res.status).toBe(303);
    const late = await client.post("/submissions/new", {
      cluster: "leather",
      title: "A suggestion after the submission window closed",
      problem: "Tanneries pay for effluent treatment one by one and most of them cannot afford it.",
      proposal: "Fund a shared treatment plant run by the cluster association, paid back by user fees.",
      intent: "submit",
    });
    expect([409, 422]).toContain(late.status);
    expect(pageText(late.text)).toContain(en.errors.submissionClosed);

    // Reopen everything with a budget of 1: the first support passes, the second in the cluster is refused.
    res = await adminClient.post("/admin/consultation", contractForm({ supportBudget: "1" }));
    expect(res.status).toBe(303);
    expect((await client.post(`/submissions/${a}/support`, { intent: "support" })).status).toBe(303);
    const over = await client.post(`/submissions/${b}/support`, { intent: "support" });
    expect([409, 422]).toContain(over.status);
    expect(pageText(over.text)).toContain(en.support.refused.budgetSpent_one.replace("{{count}}", "1"));

    // Back to unlimited.
    expect((await adminClient.post("/admin/consultation", contractForm({ supportBudget: "0" }))).status).toBe(303);
    expect((await client.post(`/submissions/${b}/support`, { intent: "support" })).status).toBe(303);

    // Each save is in the audit log, with what changed.
    const audits = await t.db
      .selectFrom("audit_log")
      .select(["action", "after", "actor_id"])
      .where("action", "=", "consultation.update")
      .execute();
    expect(audits.length).toBeGreaterThanOrEqual(4);
    expect(audits.every((a) => a.actor_id === admin.id)).toBe(true);
    expect(audits.some((a) => JSON.parse(a.after!).supportBudget === 1)).toBe(true);
  });

  it("bad input: 400, each error by its field, the typed values kept, nothing saved", async () => {
    const before = await active();
    const res = await adminClient.post(
      "/admin/consultation",
      contractForm({ supportBudget: "lots", reportsToHide: "0", submissionOpensAt: "soon" }),
    );
    expect(res.status).toBe(400);
    const text = pageText(res.text);
    expect(text).toContain(en.admin.consultation.errors.number);
    expect(text).toContain(en.admin.consultation.errors.time);
    expect(inputValue(res.text, "supportBudget")).toBe("lots");
    expect(inputValue(res.text, "submissionOpensAt")).toBe("soon");
    expect(res.text).toMatch(/id="c-supportBudget"[^>]*aria-invalid="true"/);
    // A window closing before it opens (once every field reads).
    const backwards = await adminClient.post("/admin/consultation", contractForm({ supportClosesAt: "2020-01-01T00:00" }));
    expect(backwards.status).toBe(400);
    expect(pageText(backwards.text)).toContain(en.admin.consultation.errors.closesBeforeOpens);
    expect(inputValue(backwards.text, "supportClosesAt")).toBe("2020-01-01T00:00");
    const after = await active();
    expect(after.updated_at).toBe(before.updated_at);
    // Malformed intents and ids: 400 or 404, never 500.
    expect((await adminClient.post("/admin/consultation", { intent: "explode" })).status).toBe(400);
    expect((await adminClient.post("/admin/consultation", { intent: "activate", consultationId: "abc" })).status).toBe(400);
    expect((await adminClient.post("/admin/consultation", { intent: "activate", consultationId: "999999" })).status).toBe(404);
    expect((await adminClient.get("/admin/consultation?id=999999")).status).toBe(404);
    expect((await adminClient.get("/admin/consultation?id=abc")).status).toBe(404);
  });

  it("the account age a report needs to count towards hiding (issue 15): shown, saved, kept when left out; bad values 400, nothing saved", async () => {
    const page = await adminClient.get("/admin/consultation");
    expect(inputValue(page.text, "reportMinAccountAgeHours")).toBe(String((await active()).report_min_account_age_hours));
    const tag = page.text.match(/<input[^>]*\sname="reportMinAccountAgeHours"[^>]*>/)?.[0] ?? "";
    expect([tag.match(/\smin="(\d+)"/)?.[1], tag.match(/\smax="(\d+)"/)?.[1]]).toEqual(["0", "720"]);
    expect(pageText(page.text)).toContain(en.admin.consultation.reportMinAccountAgeHours);

    expect((await adminClient.post("/admin/consultation", contractForm({ reportMinAccountAgeHours: "48" }))).status).toBe(303);
    expect((await active()).report_min_account_age_hours).toBe(48);
    const summary = pageText((await adminClient.get("/admin/consultation")).text);
    expect(summary).toContain(en.admin.consultation.reportRuleSummary_other.replace("{{reports}}", "3").replace("{{hours}}", "48"));
    // The specification's form has no such field: a post without it keeps the value.
    expect((await adminClient.post("/admin/consultation", contractForm({ supportBudget: "2" }))).status).toBe(303);
    expect((await active()).report_min_account_age_hours).toBe(48);

    for (const bad of ["", "-1", "721", "1.5", "a day", "99999999"]) {
      const before = await active();
      const res = await adminClient.post("/admin/consultation", contractForm({ supportBudget: "2", reportMinAccountAgeHours: bad }));
      expect(res.status, bad).toBe(400);
      expect(res.text, bad).toMatch(/id="c-reportMinAccountAgeHours"[^>]*aria-invalid="true"/);
      expect(inputValue(res.text, "reportMinAccountAgeHours"), bad).toBe(bad);
      const after = await active();
      expect([after.report_min_account_age_hours, after.updated_at], bad).toEqual([48, before.updated_at]);
    }
    expect(
      (await adminClient.post("/admin/consultation", contractForm({ supportBudget: "0", reportMinAccountAgeHours: "24" }))).status,
    ).toBe(303);
    expect((await active()).report_min_account_age_hours).toBe(24);
  });

  it("creates a second consultation, makes it active (the home page follows), archives the first", async () => {
    const first = await active();
    const created = await adminClient.post("/admin/consultation", {
      intent: "create",
      slug: "sme-export-2027",
      titleEn: "SME export consultation 2027",
      titleUr: "ایس ایم ای برآمدی مشاورت 2027",
      descriptionEn: "The second round.",
      descriptionUr: "دوسرا مرحلہ۔",
      ...contractForm(),
    });
    expect(created.status).toBe(303);
    const second = await t.db.selectFrom("consultations").selectAll().where("slug", "=", "sme-export-2027").executeTakeFirstOrThrow();
    expect(second.is_active).toBe(0);
    // The same code again: 400 by the field.
    const dup = await adminClient.post("/admin/consultation", {
      intent: "create",
      slug: "sme-export-2027",
      titleEn: "Another one",
      titleUr: "ایک اور",
      ...contractForm(),
    });
    expect(dup.status).toBe(400);
    expect(pageText(dup.text)).toContain(en.admin.consultation.errors.slugTaken);

    expect((await adminClient.post("/admin/consultation", { intent: "archive", consultationId: String(first.id) })).status).toBe(409); // active
    expect((await adminClient.post("/admin/consultation", { intent: "activate", consultationId: String(second.id) })).status).toBe(303);
    expect((await active()).id).toBe(second.id);
    expect(pageText((await new Client(server.url).get("/")).text)).toContain("SME export consultation 2027");
    expect((await adminClient.post("/admin/consultation", { intent: "archive", consultationId: String(first.id) })).status).toBe(303);
    const refused = await adminClient.post("/admin/consultation", { intent: "activate", consultationId: String(first.id) });
    expect(refused.status).toBe(409);
    expect(pageText(refused.text)).toContain(en.admin.consultation.refused.archived);
    // The archived one is still listed and readable, by admins and by the public.
    const page = await adminClient.get(`/admin/consultation?id=${first.id}`);
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain(en.admin.consultation.refused.archived);
    const home = new Client(server.url);
    const homePage = pageText((await home.get("/")).text);
    expect(homePage).toContain(en.home.pastConsultations);
    expect(homePage).toContain(first.title_en);
    const pastHome = await home.get(`/?consultation=${first.slug}`);
    expect(pastHome.status).toBe(200);
    expect(pageText(pastHome.text)).toContain(en.home.pastConsultation);
    expect(pastHome.text).toContain(`/clusters/leather?consultation=${first.slug}`);
    const pastCluster = await home.get(`/clusters/leather?consultation=${first.slug}&sort=new`);
    expect(pastCluster.status).toBe(200);
    expect(pageText(pastCluster.text)).toContain("Admin rules first leather suggestion");
    // The active one's cluster page no longer lists the first consultation's suggestions.
    expect(pageText((await home.get("/clusters/leather?sort=new")).text)).not.toContain("Admin rules first leather suggestion");
    for (const bad of ["nope", "Bad!", "%00"]) {
      expect((await home.get(`/?consultation=${bad}`)).status, bad).toBe(bad === "%00" ? 400 : 404);
      expect((await home.get(`/clusters/leather?consultation=${bad}`)).status, bad).toBe(bad === "%00" ? 400 : 404);
    }
  });
});
