// Report review and organisation verification over real HTTP against the
// built server: role guards on every GET and POST, the
// moderator's decisions as a browser without JavaScript posts them, refusals
// as 4xx that change nothing, and registration numbers and emails kept off
// the public pages. One server for the file.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { addComment } from "~/models/comment.server";
import { mergeSubmission } from "~/models/moderation.server";
import { reportItem, type ReportTarget } from "~/models/report.server";
import { testDialect } from "../support/db";
import { ageAccounts, approveJoin, makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

let seq = 0;
const unique = (words: string) => `${words} number ${++seq}`;

describe(`report review and organisation verification over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let moderator: MadeUser;
  let author: MadeUser;
  let stakeholderUser: MadeUser;
  let reporters: MadeUser[];
  let mod: Client;
  let stakeholder: Client;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator", displayName: "Moderator Maryam" });
    author = await makeUser(t.db, { displayName: "Author Asad" });
    stakeholderUser = await makeUser(t.db);
    reporters = [];
    for (let i = 0; i < 4; i++) reporters.push(await makeUser(t.db));
    // Established accounts: their reports count towards hiding (issue 15).
    await ageAccounts(
      t.db,
      reporters.map((r) => r.id),
    );
    mod = await signedIn(server.url, moderator);
    stakeholder = await signedIn(server.url, stakeholderUser);
  });

  const visitor = () => new Client(server.url);
  const published = (title = unique("A suggestion about tannery effluent"), by: MadeUser = author) =>
    makePublishedSubmission(t.db, { authorId: by.id, moderatorId: moderator.id, input: { title } });
  const report = async (target: ReportTarget, count: number, reason = "offensive", details = "") => {
    for (const r of reporters.slice(0, count))
      expect((await reportItem(t.db, { target, reporterId: r.id, reason, details })).ok).toBe(true);
  };
  const submissionRow = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const commentRow = (id: number) => t.db.selectFrom("comments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const reportStatuses = async (type: string, id: number) =>
    (
      await t.db.selectFrom("reports").select("status").where("target_type", "=", type).where("target_id", "=", id).orderBy("id").execute()
    ).map((r) => r.status);
  const auditActions = async (type: string, id: number) =>
    (
      await t.db
        .selectFrom("audit_log")
        .select("action")
        .where("target_type", "=", type)
        .where("target_id", "=", String(id))
        .orderBy("id")
        .execute()
    ).map((a) => a.action);
  const orgRow = (id: number) => t.db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  /** An answer that is never a server error, with the page text for the failure message. */
  const expectStatus = (res: { status: number; text: string }, status: number) =>
    expect(res.status, pageText(res.text).slice(0, 300)).toBe(status);

  // ───────────────────────────── role guards ─────────────────────────────

  describe("guards", () => {
    let reported: number;
    let orgId: number;
    beforeAll(async () => {
      reported = await published();
      await report({ type: "submission", id: reported }, 1);
      orgId = author.organisationId!;
    });

    const paths = () => ["/moderation/reports", "/moderation/organisations", `/moderation/organisations/${orgId}`];
    const posts = (): Array<[string, Record<string, string>]> => [
      ["/moderation/reports", { intent: "dismiss", targetType: "submission", targetId: String(reported) }],
      ["/moderation/reports", { intent: "hide", targetType: "submission", targetId: String(reported) }],
      [
        "/moderation/reports",
        { intent: "reject", targetType: "submission", targetId: String(reported), reasonCode: "abusive", reason: "Not allowed" },
      ],
      ["/moderation/organisations", { intent: "verify", id: String(orgId) }],
      [`/moderation/organisations/${orgId}`, { intent: "verify" }],
      [`/moderation/organisations/${orgId}`, { intent: "unverify" }],
    ];

    it("a signed-out visitor is sent to /login from every page", async () => {
      for (const path of [...paths(), "/moderation/reports?page=2"]) {
        const res = await visitor().get(path);
        expect(res.status, path).toBe(302);
        expect(res.location).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
      }
    });

    it("a moderator's post to the organisation list (which takes none) is 405, not a 500", async () => {
      expectStatus(await mod.post("/moderation/organisations", { intent: "verify" }), 405);
      expectStatus(await mod.get("/moderation/organisations"), 200);
    });

    it("a stakeholder gets 403 on every page", async () => {
      for (const path of paths()) {
        const res = await stakeholder.get(path);
        expect(res.status, path).toBe(403);
        expect(pageText(res.text)).toContain(en.errorPage.forbidden.title);
        expect(res.text).not.toContain(author.email);
      }
    });

    it("a stakeholder gets 403 on every decision, and a signed-out post goes to /login; nothing changes", async () => {
      for (const [path, form] of posts()) {
        expect((await stakeholder.post(path, form)).status, `${path} ${form.intent}`).toBe(403);
        const out = await visitor().post(path, form);
        expect(out.status, `${path} ${form.intent} signed out`).toBe(302);
        expect(out.location).toMatch(/^\/login\?redirectTo=/);
      }
      expect((await submissionRow(reported)).status).toBe("published");
      expect(await reportStatuses("submission", reported)).toEqual(["open"]);
      expect((await orgRow(orgId)).verified).toBe(0);
      expect(await auditActions("organisation", orgId)).toEqual([]);
    });
  });

  // ─────────────────────────── the reports page ──────────────────────────

  describe("/moderation/reports", () => {
    it("shows a moderator each reported item: what it is, its state, reporters, reasons and details", async () => {
      const title = unique("Reported suggestion shown on the review page");
      const id = await published(title);
      await report({ type: "submission", id }, 3, "offensive", "First line of the details\nsecond line <b>not bold</b>");
      const parent = await published();
      const c = await addComment(t.db, {
        submissionId: parent,
        authorId: author.id,
        body: "Comment text <script>alert(1)</script>\nline two",
      });
      if (!c.ok) throw new Error("comment refused");
      await report({ type: "comment", id: c.id, submissionId: parent }, 1, "spam");

      const res = await mod.get("/moderation/reports");
      expectStatus(res, 200);
      const text = pageText(res.text);
      expect(text).toContain(en.reports.title);
      const item = res.text.match(new RegExp(`<article[^>]*id="item-submission-${id}"[\\s\\S]*?</article>`))?.[0] ?? "";
      expect(item).not.toBe("");
      expect(item).toContain(`href="/submissions/${id}"`);
      expect(pageText(item)).toContain(title);
      expect(pageText(item)).toContain(en.reports.hiddenAutomatically);
      expect(pageText(item)).toContain(en.report.reasons.offensive);
      // Plain text with its line break kept; nothing rendered as HTML.
      expect(decodeEntities(item)).toContain("First line of the details\nsecond line <b>not bold</b>");
      expect(item).not.toContain("<b>not bold</b>");
      expect(item).toMatch(/<dt>[^<]*People who reported it<\/dt><dd>3<\/dd>/);

      const comment = res.text.match(new RegExp(`<article[^>]*id="item-comment-${c.id}"[\\s\\S]*?</article>`))?.[0] ?? "";
      expect(comment).toContain(`href="/submissions/${parent}#comment-${c.id}"`);
      expect(decodeEntities(comment)).toContain("Comment text <script>alert(1)</script>\nline two");
      expect(comment).not.toContain("<script>alert(1)");
      expect(pageText(comment)).toContain(en.report.reasons.spam);
      // A comment cannot be rejected: no reject form for it.
      expect(comment).not.toContain('value="reject"');
      expect(item).toContain('value="reject"');
    });

    it("reports that do not count towards hiding still reach the moderators, each marked with why (issue 15)", async () => {
      const id = await published(unique("Reported by throwaway accounts"));
      const fresh = await makeUser(t.db);
      const alsoFresh = await makeUser(t.db);
      // An unconfirmed account cannot report at all (the gating of issue 15): nothing of it reaches the list.
      const unconfirmed = await makeUser(t.db, { emailConfirmed: false });
      await ageAccounts(t.db, [unconfirmed.id]);
      await t.db.updateTable("users").set({ email_confirmed_at: null }).where("id", "=", unconfirmed.id).execute();
      expect(
        await reportItem(t.db, { target: { type: "submission", id }, reporterId: unconfirmed.id, reason: "spam", details: "" }),
      ).toMatchObject({ ok: false, reason: "emailUnconfirmed" });
      for (const r of [fresh, alsoFresh, reporters[0]])
        expect((await reportItem(t.db, { target: { type: "submission", id }, reporterId: r.id, reason: "spam", details: "" })).ok).toBe(
          true,
        );
      // Three reporters, one of them counted: below the threshold of 3.
      expect((await submissionRow(id)).status).toBe("published");
      const res = await mod.get("/moderation/reports");
      expectStatus(res, 200);
      const item = res.text.match(new RegExp(`<article[^>]*id="item-submission-${id}"[\\s\\S]*?</article>`))?.[0] ?? "";
      expect(item).toMatch(/<dt>[^<]*People who reported it<\/dt><dd>3<\/dd>/);
      expect(item).toMatch(/<dd data-testid="counted-reporters">1<\/dd>/);
      const text = pageText(item);
      expect(text).not.toContain(en.reports.notCounted.unconfirmed);
      expect(text).toContain(en.reports.notCounted.newAccount.replace("{{hours}}", "24"));
      expect(text).toContain(en.reports.counted);
    });

    it("dismiss restores a suggestion hidden by its reports and comes back to the same page", async () => {
      const id = await published();
      await report({ type: "submission", id }, 3);
      expect((await submissionRow(id)).status).toBe("hidden");
      expectStatus(await visitor().get(`/submissions/${id}`), 404);

      const res = await mod.post("/moderation/reports?page=2", {
        intent: "dismiss",
        targetType: "submission",
        targetId: String(id),
        reason: "",
      });
      expectStatus(res, 303);
      expect(res.location).toBe("/moderation/reports?page=2");
      expect((await submissionRow(id)).status).toBe("published");
      expect(await reportStatuses("submission", id)).toEqual(["dismissed", "dismissed", "dismissed"]);
      expect(await auditActions("submission", id)).toContain("submission.restore");
      expectStatus(await visitor().get(`/submissions/${id}`), 200);
      expect((await mod.get("/moderation/reports")).text).not.toContain(`id="item-submission-${id}"`);
    });

    it("dismiss restores a comment hidden by its reports", async () => {
      const parent = await published();
      const c = await addComment(t.db, { submissionId: parent, authorId: author.id, body: "A sharp but fair comment about duty drawback" });
      if (!c.ok) throw new Error("comment refused");
      await report({ type: "comment", id: c.id, submissionId: parent }, 3);
      expect((await commentRow(c.id)).status).toBe("hidden");
      const res = await mod.post("/moderation/reports", { intent: "dismiss", targetType: "comment", targetId: String(c.id) });
      expectStatus(res, 303);
      expect(res.location).toBe("/moderation/reports");
      expect((await commentRow(c.id)).status).toBe("visible");
      expect(pageText((await visitor().get(`/submissions/${parent}`)).text)).toContain("A sharp but fair comment about duty drawback");
    });

    it("hide hides a reported suggestion and a reported comment", async () => {
      const id = await published();
      await report({ type: "submission", id }, 1);
      expectStatus(
        await mod.post("/moderation/reports", { intent: "hide", targetType: "submission", targetId: String(id), reason: "Advertising" }),
        303,
      );
      expect((await submissionRow(id)).status).toBe("hidden");
      expect(await reportStatuses("submission", id)).toEqual(["actioned"]);
      expectStatus(await visitor().get(`/submissions/${id}`), 404);

      const parent = await published();
      const c = await addComment(t.db, { submissionId: parent, authorId: author.id, body: "Cheap watches, visit my shop" });
      if (!c.ok) throw new Error("comment refused");
      await report({ type: "comment", id: c.id, submissionId: parent }, 1, "spam");
      expectStatus(await mod.post("/moderation/reports", { intent: "hide", targetType: "comment", targetId: String(c.id) }), 303);
      expect((await commentRow(c.id)).status).toBe("hidden");
      expect(await auditActions("comment", c.id)).toEqual(["comment.hide"]);
      expect(pageText((await visitor().get(`/submissions/${parent}`)).text)).not.toContain("Cheap watches");
    });

    it("reject: the author reads the reason on the suggestion", async () => {
      const id = await published();
      await report({ type: "submission", id }, 2);
      const res = await mod.post("/moderation/reports", {
        intent: "reject",
        targetType: "submission",
        targetId: String(id),
        reasonCode: "not-a-policy-measure",
        reason: "This asks for a private loan.\nPlease propose a policy change instead.",
      });
      expectStatus(res, 303);
      expect(await submissionRow(id)).toMatchObject({ status: "rejected", reject_reason_code: "not-a-policy-measure" });
      expect(await reportStatuses("submission", id)).toEqual(["actioned", "actioned"]);
      expect(await auditActions("submission", id)).toEqual(expect.arrayContaining(["submission.reject", "submission.reports-actioned"]));

      const authorClient = await signedIn(server.url, author);
      const page = await authorClient.get(`/submissions/${id}`);
      expectStatus(page, 200);
      expect(pageText(page.text)).toContain(en.rejectReason["not-a-policy-measure"]);
      expect(decodeEntities(page.text)).toContain("This asks for a private loan.\nPlease propose a policy change instead.");
    });

    describe("refusals: a clear 4xx, never a 500, nothing changed", () => {
      let id: number;
      let commentId: number;
      beforeAll(async () => {
        id = await published();
        await report({ type: "submission", id }, 1);
        const parent = await published();
        const c = await addComment(t.db, { submissionId: parent, authorId: author.id, body: "A comment someone reported" });
        if (!c.ok) throw new Error("comment refused");
        commentId = c.id;
        await report({ type: "comment", id: commentId, submissionId: parent }, 1);
      });

      const bad: Array<[string, Record<string, string>, string]> = [
        ["no intent", { targetType: "submission", targetId: "ID" }, en.reports.refused.intent],
        ["an unknown intent", { intent: "delete", targetType: "submission", targetId: "ID" }, en.reports.refused.intent],
        ["an unknown target type", { intent: "dismiss", targetType: "user", targetId: "ID" }, en.reports.refused.target],
        ["a target id that is not a number", { intent: "hide", targetType: "submission", targetId: "abc" }, en.reports.refused.target],
        ["a target id out of range", { intent: "hide", targetType: "submission", targetId: "99999999999" }, en.reports.refused.target],
        [
          "a reject without a reason",
          { intent: "reject", targetType: "submission", targetId: "ID", reasonCode: "abusive", reason: "   " },
          en.reports.refused.reason,
        ],
        [
          "a reject with an unknown code",
          { intent: "reject", targetType: "submission", targetId: "ID", reasonCode: "rude", reason: "Because" },
          en.reports.refused.reasonCode,
        ],
      ];
      it.each(bad)("%s → 400 with the message", async (_name, form, message) => {
        const res = await mod.post("/moderation/reports", { ...form, targetId: form.targetId === "ID" ? String(id) : form.targetId });
        expectStatus(res, 400);
        expect(pageText(res.text)).toContain(message);
        expect((await submissionRow(id)).status).toBe("published");
        expect(await reportStatuses("submission", id)).toEqual(["open"]);
      });

      it("rejecting a comment → 400, and the comment stays as it was", async () => {
        const res = await mod.post("/moderation/reports", {
          intent: "reject",
          targetType: "comment",
          targetId: String(commentId),
          reasonCode: "abusive",
          reason: "Rude",
        });
        expectStatus(res, 400);
        expect(pageText(res.text)).toContain(en.reports.refused.rejectComment);
        expect((await commentRow(commentId)).status).toBe("visible");
        expect(await reportStatuses("comment", commentId)).toEqual(["open"]);
      });

      it("an unknown item → 404", async () => {
        const forms: Array<Record<string, string>> = [
          { intent: "dismiss", targetType: "submission", targetId: "999999" },
          { intent: "hide", targetType: "comment", targetId: "999999" },
          { intent: "reject", targetType: "submission", targetId: "999999", reasonCode: "other", reason: "Gone" },
        ];
        for (const form of forms) {
          const res = await mod.post("/moderation/reports", form);
          expectStatus(res, 404);
          expect(pageText(res.text)).toContain(en.errorPage.notFound.title);
        }
      });

      it("an item already decided → 409 with the reason; a body that is not a form → 415", async () => {
        const other = await published();
        const res = await mod.post("/moderation/reports", { intent: "dismiss", targetType: "submission", targetId: String(other) });
        expectStatus(res, 409);
        expect(pageText(res.text)).toContain(en.reports.refused.noOpenReports);
        const json = await mod.request("/moderation/reports", {
          method: "POST",
          body: JSON.stringify({ intent: "dismiss" }),
          headers: { "Content-Type": "application/json", Origin: server.url },
        });
        expectStatus(json, 415);
      });

      it("a decision that does not apply to the item's state → 409 naming the state; the page offers neither hide nor reject for it", async () => {
        const merged = await published();
        const target = await published();
        await report({ type: "submission", id: merged }, 1);
        await mergeSubmission(t.db, { id: merged, into: target, moderatorId: moderator.id, moderatorRole: "moderator" });
        expect((await submissionRow(merged)).status).toBe("merged");
        const res = await mod.post("/moderation/reports", { intent: "hide", targetType: "submission", targetId: String(merged) });
        expectStatus(res, 409);
        expect(pageText(res.text)).toContain(en.reports.refused.wrongState.replace("{{status}}", en.status.merged));
        expect((await submissionRow(merged)).status).toBe("merged");
        expect(await reportStatuses("submission", merged)).toEqual(["open"]);
        const page = await mod.get("/moderation/reports");
        const item = page.text.match(new RegExp(`<article[^>]*id="item-submission-${merged}"[\\s\\S]*?</article>`))?.[0] ?? "";
        expect(item).toContain('value="dismiss"');
        expect(item).not.toContain('value="hide"');
        expect(item).not.toContain('value="reject"');
      });

      it("odd page numbers fall back to page 1", async () => {
        for (const page of ["0", "-1", "abc", "1e9", "99999999"]) expectStatus(await mod.get(`/moderation/reports?page=${page}`), 200);
      });
    });
  });

  // ──────────────────────── organisation verification ────────────────────────

  describe("/moderation/organisations", () => {
    let member: MadeUser;
    let colleague: MadeUser;
    let orgId: number;
    const number = `NTN-${Date.now() % 10_000_000}-7`;
    const orgName = unique("Sialkot Forged Instruments");

    beforeAll(async () => {
      const organisation = {
        name: orgName,
        type: "firm" as const,
        sizeBand: "medium" as const,
        city: "Sialkot",
        province: "punjab",
        clusterSlug: "surgical-instruments",
        registrationNumber: number,
      };
      member = await makeUser(t.db, { displayName: "Owner Omer", organisation, showOrganisation: true });
      // The colleague's registration is a request to join; the member approves it (issue 15).
      colleague = await approveJoin(t.db, await makeUser(t.db, { displayName: "Colleague Kiran", organisation }), member);
      orgId = member.organisationId!;
      expect(colleague.organisationId).toBe(orgId);
    });

    it("finds an organisation by registration number and shows its row", async () => {
      const res = await mod.get(`/moderation/organisations?q=${encodeURIComponent(number.toLowerCase())}`);
      expectStatus(res, 200);
      const row =
        res.text.match(new RegExp(`<tr>(?:(?!</tr>)[\\s\\S])*href="/moderation/organisations/${orgId}"[\\s\\S]*?</tr>`))?.[0] ?? "";
      expect(row).not.toBe("");
      const cells = pageText(row);
      for (const part of [
        orgName,
        en.organisationType.firm,
        en.sizeBand.medium,
        "Sialkot",
        en.province.punjab,
        number,
        en.organisations.notVerified,
      ])
        expect(cells).toContain(part);
      expect(row).toMatch(/<td>2<\/td>/);
      // Filtered to the verified ones, it is not there yet.
      expect((await mod.get(`/moderation/organisations?q=${encodeURIComponent(number)}&verified=yes`)).text).not.toContain(
        `/moderation/organisations/${orgId}"`,
      );
    });

    it("the organisation's page lists members with emails, suggestions and the verification form", async () => {
      const s = await published(unique("Forging quality lab for the cluster"), member);
      const res = await mod.get(`/moderation/organisations/${orgId}`);
      expectStatus(res, 200);
      const text = pageText(res.text);
      for (const part of [
        orgName,
        number,
        "Owner Omer",
        "Colleague Kiran",
        member.email,
        colleague.email,
        `#${s}`,
        en.organisations.verify,
      ])
        expect(text).toContain(part);
      expect(res.text).toMatch(/<form[^>]*method="post"[^>]*id="verification-form"|<form[^>]*id="verification-form"[^>]*method="post"/);
    });

    it("verify: the page shows it verified, the audit row exists; unverify clears it", async () => {
      const res = await mod.post(`/moderation/organisations/${orgId}`, { intent: "verify", reason: "NTN checked with FBR" });
      expectStatus(res, 303);
      expect(res.location).toBe(`/moderation/organisations/${orgId}`);
      expect(await orgRow(orgId)).toMatchObject({ verified: 1, verified_by: moderator.id });
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "organisation.verify")
        .where("target_id", "=", String(orgId))
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_id: moderator.id, reason: "NTN checked with FBR" });

      const page = pageText((await mod.get(`/moderation/organisations/${orgId}`)).text);
      expect(page).toContain(en.organisations.verifiedBadge);
      expect(page).toContain(en.organisations.historyAction.verify);
      expect(page).toContain("Moderator Maryam");
      expect(page).toContain("NTN checked with FBR");
      expect(page).toContain(en.organisations.unverify);
      expect((await mod.get(`/moderation/organisations?q=${encodeURIComponent(number)}&verified=yes`)).text).toContain(
        `/moderation/organisations/${orgId}"`,
      );

      expectStatus(await mod.post(`/moderation/organisations/${orgId}`, { intent: "unverify" }), 303);
      expect(await orgRow(orgId)).toMatchObject({ verified: 0, verified_at: null, verified_by: null });
      // The colleague's request to join and its approval (issue 15) are the organisation's entries too; the verification ones follow.
      expect((await auditActions("organisation", orgId)).filter((a) => !a.startsWith("organisation.join-"))).toEqual([
        "organisation.verify",
        "organisation.unverify",
      ]);
    });

    it("bad input → 400, unknown organisation → 404, never a 500, nothing changed", async () => {
      const before = await orgRow(orgId);
      for (const form of [{}, { intent: "approve" }, { intent: "verify", reason: "x".repeat(2001) }]) {
        const res = await mod.post(`/moderation/organisations/${orgId}`, form as Record<string, string>);
        expectStatus(res, 400);
      }
      expect(pageText((await mod.post(`/moderation/organisations/${orgId}`, { intent: "approve" })).text)).toContain(
        en.organisations.refused.intent,
      );
      for (const path of [
        "/moderation/organisations/999999",
        "/moderation/organisations/abc",
        "/moderation/organisations/0",
        "/moderation/organisations/99999999999",
      ]) {
        expectStatus(await mod.get(path), 404);
        expectStatus(await mod.post(path, { intent: "verify" }), 404);
      }
      expect(await orgRow(orgId)).toEqual(before);
      for (const q of ["%", "_", "'", "\\", "a".repeat(500)])
        expectStatus(await mod.get(`/moderation/organisations?q=${encodeURIComponent(q)}&verified=maybe&page=x`), 200);
    });

    it("registration numbers and emails never appear on the public suggestion and cluster pages", async () => {
      const title = unique("Shared forging furnace for small workshops");
      const s = await published(title, member);
      await t.db.updateTable("submissions").set({ organisation_id: orgId }).where("id", "=", s).execute();
      for (const [who, client] of [
        ["visitor", visitor()],
        ["stakeholder", stakeholder],
        ["moderator", mod],
      ] as const) {
        for (const path of [`/submissions/${s}`, "/clusters/leather", `/clusters/leather?q=${encodeURIComponent("forging furnace")}`]) {
          const res = await client.get(path);
          expect(res.status, `${who} ${path}`).toBe(200);
          const html = decodeEntities(res.text);
          expect(html, `${who} ${path}`).not.toContain(number);
          expect(html.toUpperCase(), `${who} ${path}`).not.toContain(number.toUpperCase());
          expect(html, `${who} ${path}`).not.toContain(member.email);
          expect(html, `${who} ${path}`).not.toContain(colleague.email);
        }
      }
      // The suggestion is on its cluster page, with its organisation's public name.
      expect(pageText((await visitor().get(`/clusters/leather?q=${encodeURIComponent("forging furnace")}`)).text)).toContain(title);
    });
  });
});
