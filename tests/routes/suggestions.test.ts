// Suggestions over real HTTP, as a browser without JavaScript sends them:
// plain form posts with the field names of docs/contract.md against the built server
// (submissions, browsing/search/support, comments/reports/notifications,
// rate limits and form handling). One server for the file.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { ageAccounts, makePublishedSubmission, makeSubmission, makeUser, registrationForm, type MadeUser } from "../support/factories";
import { Client, formHtml, inputValue, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";
import {
  attr,
  cardHtml,
  cardIds,
  controlTag,
  fieldBlock,
  listItems,
  sectionHtml,
  selectedOption,
  supportCount,
  textareaValue,
} from "../support/pages";

const PROBLEM = "Tanneries pay for effluent treatment one by one and most of them cannot afford it.";
const PROPOSAL = "Fund a shared treatment plant run by the cluster association, paid back by user fees.";

/** A complete, valid suggestion form as the browser posts it (the submit button's intent included). */
function suggestionForm(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    cluster: "leather",
    title: "Shared effluent treatment for the leather cluster",
    problem: PROBLEM,
    proposal: PROPOSAL,
    expectedImpact: "",
    stage: "",
    suggestedCategory: "",
    horizon: "",
    intent: "submit",
    ...overrides,
  };
}

let seq = 0;
/** A title unique in this file (the same words never collide across tests). */
function uniqueTitle(words: string): string {
  seq += 1;
  return `${words} number ${seq}`;
}

describe(`suggestions over HTTP (${testDialect})`, () => {
  // The privacy test registers through the form; the per-IP registration limit has its own tests.
  const { t, server } = useServer({ env: { REGISTRATIONS_PER_IP: "1000" } });
  let moderator: MadeUser;
  let mod: Client;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    mod = await signedIn(server.url, moderator);
  });

  const visitor = () => new Client(server.url);
  const stakeholder = async () => {
    const user = await makeUser(t.db);
    return { user, client: await signedIn(server.url, user) };
  };
  const consultation = () => t.db.selectFrom("consultations").selectAll().where("is_active", "=", 1).executeTakeFirstOrThrow();
  const submissionRow = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const countSubmissions = async (authorId?: number) => {
    let q = t.db.selectFrom("submissions").select((eb) => eb.fn.countAll<number>().as("n"));
    if (authorId !== undefined) q = q.where("author_id", "=", authorId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const supportRows = (submissionId: number) =>
    t.db.selectFrom("supports").select(["user_id"]).where("submission_id", "=", submissionId).execute();
  const published = (authorId: number, input: Parameters<typeof makePublishedSubmission>[1]["input"] = {}, categories?: string[]) =>
    makePublishedSubmission(t.db, { authorId, moderatorId: moderator.id, input, categories });

  /** Posts a valid suggestion; expects the 303 to its page and returns its number. */
  async function submit(client: Client, overrides: Record<string, string | string[]> = {}): Promise<number> {
    const res = await client.post("/submissions/new", suggestionForm(overrides));
    expect(res.status, pageText(res.text).slice(0, 400)).toBe(303);
    const m = res.location?.match(/^\/submissions\/(\d+)$/);
    expect(m, String(res.location)).not.toBeNull();
    return Number(m![1]);
  }

  /** A moderator's approval through /moderation/submissions/:id. */
  async function approve(id: number, categories: string[] = ["export-markets"]) {
    const res = await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: categories });
    expect(res.status, pageText(res.text).slice(0, 400)).toBe(303);
    expect(res.location).toBe(`/submissions/${id}`);
  }

  // ───────────────────────────── submitting ─────────────────────────────

  describe("GET /submissions/new", () => {
    it("redirects a signed-out visitor to /login?redirectTo=%2Fsubmissions%2Fnew", async () => {
      const res = await visitor().get("/submissions/new");
      expect([302, 303]).toContain(res.status);
      expect(res.location).toBe("/login?redirectTo=%2Fsubmissions%2Fnew");
    });

    it("shows a signed-in stakeholder the form with the contract's field names", async () => {
      const { client } = await stakeholder();
      const res = await client.get("/submissions/new");
      expect(res.status).toBe(200);
      const form = formHtml(res.text, "submission-new");
      expect(form).toMatch(/^<form[^>]*method="post"/);
      for (const name of ["cluster", "stage", "suggestedCategory", "horizon"])
        expect(form).toMatch(new RegExp(`<select[^>]*name="${name}"`));
      expect(form).toMatch(/<input[^>]*name="title"/);
      for (const name of ["problem", "proposal", "expectedImpact"]) expect(form).toMatch(new RegExp(`<textarea[^>]*name="${name}"`));
      // Every control has a label.
      for (const name of ["cluster", "title", "problem", "proposal", "expectedImpact", "stage", "suggestedCategory", "horizon"]) {
        const id = attr(controlTag(form, name), "id");
        expect(id, name).toBeTruthy();
        expect(form).toContain(`for="${id}"`);
      }
      // The five seeded clusters are offered; ?cluster= preselects one.
      for (const slug of ["it", "food-processing", "surgical-instruments", "leather", "pharmaceutical"])
        expect(form).toContain(`<option value="${slug}"`);
      const pre = await client.get("/submissions/new?cluster=pharmaceutical");
      expect(selectedOption(formHtml(pre.text, "submission-new"), "cluster")).toBe("pharmaceutical");
    });
  });

  describe("POST /submissions/new", () => {
    it("signed out: redirected to sign in, nothing created", async () => {
      const before = await countSubmissions();
      const res = await visitor().post("/submissions/new", suggestionForm());
      expect([302, 303]).toContain(res.status);
      expect(res.location).toMatch(/^\/login\?redirectTo=/);
      expect(await countSubmissions()).toBe(before);
    });

    it("with errors: 400, each error next to its field, an error summary, every typed value kept and escaped", async () => {
      const { user, client } = await stakeholder();
      const title = "<script>alert(1)</script> Tax relief for tanneries";
      const res = await client.post(
        "/submissions/new",
        suggestionForm({
          title,
          problem: "Too short",
          proposal: "",
          expectedImpact: "More exports & jobs <b>soon</b>",
          stage: "finance",
          suggestedCategory: "tax-relief",
          horizon: "medium",
        }),
      );
      expect(res.status).toBe(400);
      const form = formHtml(res.text, "submission-new");
      expect(form).not.toBe("");

      // Each error sits in its field's block, linked to the control by aria-describedby.
      const expectFieldError = (name: string, message: string) => {
        const block = fieldBlock(form, name);
        expect(block, name).toContain('class="field-errors"');
        expect(pageText(block)).toContain(message);
        const errorId = block.match(/<ul class="field-errors" id="([^"]+)"/)?.[1];
        expect(errorId, name).toBeTruthy();
        const control = controlTag(block, name);
        expect(attr(control, "aria-invalid"), name).toBe("true");
        expect(attr(control, "aria-describedby") ?? "", name).toContain(errorId!);
      };
      expectFieldError("problem", en.errors.tooShort_other.replace("{{count}}", "20"));
      expectFieldError("proposal", en.errors.required);
      for (const name of ["cluster", "title", "expectedImpact", "stage", "suggestedCategory", "horizon"]) {
        expect(fieldBlock(form, name), name).not.toContain('class="field-errors"');
      }

      // The summary at the top links to the fields in error.
      const summary = res.text.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0] ?? "";
      expect(pageText(summary)).toContain(en.form.errorSummary);
      for (const name of ["problem", "proposal"]) {
        const id = attr(controlTag(form, name), "id");
        expect(summary).toContain(`href="#${id}"`);
      }
      expect(summary).not.toContain(`href="#${attr(controlTag(form, "title"), "id")}"`);

      // What was typed comes back; markup is shown as text, never as markup.
      expect(inputValue(form, "title")).toBe(title);
      expect(res.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(res.text).not.toContain("<script>alert(1)</script>");
      expect(res.text).not.toContain("<b>soon</b>");
      expect(textareaValue(form, "problem")).toBe("Too short");
      expect(textareaValue(form, "proposal")).toBe("");
      expect(textareaValue(form, "expectedImpact")).toBe("More exports & jobs <b>soon</b>");
      expect(selectedOption(form, "cluster")).toBe("leather");
      expect(selectedOption(form, "stage")).toBe("finance");
      expect(selectedOption(form, "suggestedCategory")).toBe("tax-relief");
      expect(selectedOption(form, "horizon")).toBe("medium");
      expect(await countSubmissions(user.id)).toBe(0);
    });

    it("an unknown cluster or category (valid shape) is a 400 next to that field, values kept", async () => {
      const { user, client } = await stakeholder();
      const title = uniqueTitle("Unknown cluster suggestion");
      const res = await client.post(
        "/submissions/new",
        suggestionForm({ cluster: "textiles", suggestedCategory: "no-such-category", title }),
      );
      expect(res.status).toBe(400);
      const form = formHtml(res.text, "submission-new");
      expect(pageText(fieldBlock(form, "cluster"))).toContain(en.errors.invalid);
      expect(pageText(fieldBlock(form, "suggestedCategory"))).toContain(en.errors.invalid);
      expect(inputValue(form, "title")).toBe(title);
      expect(textareaValue(form, "problem")).toBe(PROBLEM);
      expect(await countSubmissions(user.id)).toBe(0);
    });

    it("a proper post: 303 to /submissions/:id; pending, seen only by its author and moderators; form fields cannot set status or author", async () => {
      const { user, client } = await stakeholder();
      const other = await stakeholder();
      const title = uniqueTitle("Testing laboratory for leather chemicals");
      const problem = "Chemicals are tested abroad:\n- slow <i>and</i> costly\n- **no** local lab & no standard";
      const id = await submit(client, {
        title,
        problem,
        expectedImpact: "Fewer rejected export consignments.",
        stage: "regulation",
        suggestedCategory: "policy-regulation",
        horizon: "short",
        // Mass assignment attempts: ignored.
        status: "published",
        author_id: String(other.user.id),
        authorId: String(other.user.id),
        supporters_count: "99",
      });
      const row = await submissionRow(id);
      expect(row).toMatchObject({
        status: "pending",
        author_id: user.id,
        title,
        stage: "regulation",
        horizon: "short",
        supporters_count: 0,
        source: "web",
      });
      expect(row.published_at).toBeNull();

      expect((await visitor().get(`/submissions/${id}`)).status).toBe(404);
      expect((await other.client.get(`/submissions/${id}`)).status).toBe(404);

      const mine = await client.get(`/submissions/${id}`);
      expect(mine.status).toBe(200);
      const text = pageText(mine.text);
      expect(text).toContain(title);
      expect(text).toContain(en.submission.pendingNotice);
      expect(text).toContain(en.status.pending);
      expect(text).toContain(`#${id}`);
      // Plain text: line breaks kept, no HTML, no Markdown.
      expect(mine.text).toContain(
        '<p class="plain-text" dir="auto">Chemicals are tested abroad:\n- slow &lt;i&gt;and&lt;/i&gt; costly\n- **no** local lab &amp; no standard</p>',
      );
      expect(mine.text).not.toContain("<i>and</i>");
      expect(mine.text).not.toContain("<strong>no</strong>");
      expect(row.problem).toBe(problem);

      const asModerator = await mod.get(`/submissions/${id}`);
      expect(asModerator.status).toBe(200);
      expect(pageText(asModerator.text)).toContain(title);
      expect(asModerator.text).toContain(`href="/moderation/submissions/${id}"`);

      // Unknown or malformed numbers: 404.
      for (const path of ["/submissions/999999", "/submissions/0", "/submissions/abc", "/submissions/1e3", "/submissions/99999999999"]) {
        expect((await client.get(path)).status, path).toBe(404);
      }
    });

    it("outside the submission window: 409 with the reason, values kept, nothing stored", async () => {
      const { user, client } = await stakeholder();
      const c = await consultation();
      const closedAt = new Date(Date.now() - 60_000).toISOString();
      await t.db
        .updateTable("consultations")
        .set({ submission_opens_at: new Date(Date.now() - 86_400_000).toISOString(), submission_closes_at: closedAt })
        .where("id", "=", c.id)
        .execute();
      try {
        const title = uniqueTitle("Suggestion after the window closed");
        const res = await client.post("/submissions/new", suggestionForm({ title }));
        expect(res.status).toBe(409);
        expect(pageText(res.text)).toContain(en.errors.submissionClosed);
        expect(inputValue(formHtml(res.text, "submission-new"), "title")).toBe(title);
        expect(await countSubmissions(user.id)).toBe(0);
        // The form says so before anyone types.
        expect(pageText((await client.get("/submissions/new")).text)).toContain(en.submission.new.closedOn);
      } finally {
        await t.db
          .updateTable("consultations")
          .set({ submission_opens_at: c.submission_opens_at, submission_closes_at: c.submission_closes_at })
          .where("id", "=", c.id)
          .execute();
      }
    });

    it("intent=check lists similar published suggestions (not pending ones), keeps the values, creates nothing", async () => {
      const author = await makeUser(t.db);
      const match = await published(author.id, { title: "Effluent treatment plant shared by Kasur tanneries" });
      const pending = await makeSubmission(t.db, {
        authorId: author.id,
        input: { title: "Effluent treatment grants for small tanneries" },
      });
      const { user, client } = await stakeholder();
      const before = await countSubmissions();
      const res = await client.post("/submissions/new", {
        cluster: "leather",
        title: "Effluent treatment for Kasur",
        problem: "",
        proposal: "",
        intent: "check",
      });
      expect(res.status).toBe(200);
      const similar = res.text.match(/<section class="similar"[\s\S]*?<\/section>/)?.[0] ?? "";
      expect(pageText(similar)).toContain(en.submission.similar.title);
      expect(similar).toContain(`href="/submissions/${match}"`);
      expect(pageText(similar)).toContain("Effluent treatment plant shared by Kasur tanneries");
      expect(similar).not.toContain(`href="/submissions/${pending}"`);
      expect(inputValue(formHtml(res.text, "submission-new"), "title")).toBe("Effluent treatment for Kasur");
      expect(await countSubmissions()).toBe(before);
      expect(await countSubmissions(user.id)).toBe(0);

      // A title nothing resembles: the "none found" message.
      const none = await client.post("/submissions/new", { cluster: "leather", title: "Zyxwvut qwertyuiop", intent: "check" });
      expect(none.status).toBe(200);
      expect(pageText(none.text)).toContain(en.submission.similar.none);
    });

    it("GET /submissions/similar?title=… answers JSON {similar:[…]} with published matches only", async () => {
      const author = await makeUser(t.db);
      const match = await published(author.id, { title: "Halal certification desk for meat exporters" });
      const pending = await makeSubmission(t.db, {
        authorId: author.id,
        input: { title: "Halal certification fees waiver", cluster: "food-processing" },
      });
      const res = await visitor().get(`/submissions/similar?title=${encodeURIComponent("halal certification")}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = JSON.parse(res.text) as { similar: Array<{ id: number; title: string; supporters: number; cluster: string }> };
      expect(Array.isArray(body.similar)).toBe(true);
      const ids = body.similar.map((s) => s.id);
      expect(ids).toContain(match);
      expect(ids).not.toContain(pending);
      expect(body.similar.length).toBeLessThanOrEqual(5);
      expect(body.similar.find((s) => s.id === match)).toMatchObject({
        title: "Halal certification desk for meat exporters",
        supporters: 0,
        cluster: "Leather",
      });
      // Only what the form needs: no author, no organisation.
      expect(res.text).not.toMatch(/author|organisation|email/i);

      const empty = await visitor().get("/submissions/similar?title=");
      expect(empty.status).toBe(200);
      expect(JSON.parse(empty.text)).toEqual({ similar: [] });
      const syntax = await visitor().get(`/submissions/similar?title=${encodeURIComponent('"(AND* OR halal')}`);
      expect(syntax.status).toBe(200);
      expect((JSON.parse(syntax.text) as { similar: Array<{ id: number }> }).similar.map((s) => s.id)).toContain(match);
    });

    it("rate limit: the 11th suggestion within an hour by one person is a 429 with Retry-After, and is not stored", async () => {
      const { user, client } = await stakeholder();
      for (let i = 1; i <= 10; i++) await submit(client, { title: `Rate limited suggestion number ${i} of ten` });
      const res = await client.post("/submissions/new", suggestionForm({ title: "Rate limited suggestion number eleven" }));
      expect(res.status).toBe(429);
      const retryAfter = res.headers.get("retry-after");
      expect(retryAfter, "the 429 carries a Retry-After header").not.toBeNull();
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(3600);
      expect(pageText(res.text)).toContain(en.errors.rateLimited);
      // The typed form comes back.
      expect(inputValue(formHtml(res.text, "submission-new"), "title")).toBe("Rate limited suggestion number eleven");
      expect(await countSubmissions(user.id)).toBe(10);
      // Another person is not affected.
      const other = await stakeholder();
      await submit(other.client, { title: uniqueTitle("Not rate limited") });
    });

    it("rate limit under a burst: 16 suggestions sent at once by one person store no more than ten; refused and invalid ones use no slot", async () => {
      const { user, client } = await stakeholder();
      // Invalid posts first: they do not count towards the ten.
      for (let i = 0; i < 3; i++) expect((await client.post("/submissions/new", suggestionForm({ title: "" }))).status).toBe(400);
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          client.post("/submissions/new", suggestionForm({ title: `Burst suggestion number ${i + 1} of sixteen` })),
        ),
      );
      const statuses = answers.map((r) => r.status);
      expect(
        statuses.every((s) => s === 303 || s === 429),
        statuses.join(","),
      ).toBe(true);
      expect(statuses.filter((s) => s === 303).length, statuses.join(",")).toBe(10);
      expect(await countSubmissions(user.id)).toBe(10);
    });
  });

  // ──────────────────────────── moderation: approve ────────────────────────────

  describe("approval by a moderator", () => {
    it("publishes with categories; then public, listed, sortable, searchable (English and Urdu), filtered by category", async () => {
      const { user: author, client } = await stakeholder();
      const other = await stakeholder();
      const title = "Cold chain برآمد hub for Multan mango exporters";
      const id = await submit(client, { cluster: "food-processing", title });

      // Only moderators decide.
      const visitorGet = await visitor().get(`/moderation/submissions/${id}`);
      expect([302, 303]).toContain(visitorGet.status);
      expect(visitorGet.location).toMatch(/^\/login\?redirectTo=/);
      expect((await other.client.get(`/moderation/submissions/${id}`)).status).toBe(403);
      const denied = await other.client.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["export-markets"] });
      expect(denied.status).toBe(403);
      const selfApprove = await client.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["export-markets"] });
      expect(selfApprove.status).toBe(403);
      expect((await submissionRow(id)).status).toBe("pending");

      // The decision page for the moderator.
      const page = await mod.get(`/moderation/submissions/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<input[^>]*type="checkbox"[^>]*name="category"[^>]*value="export-markets"/);

      // No category: 400, still pending.
      const noCategory = await mod.post(`/moderation/submissions/${id}`, { intent: "approve" });
      expect(noCategory.status).toBe(400);
      expect(pageText(noCategory.text)).toContain(en.errors.categoryRequired);
      expect((await submissionRow(id)).status).toBe("pending");
      // An unknown category: 400 too.
      expect((await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["export-markets", "nope"] })).status).toBe(
        400,
      );
      expect((await submissionRow(id)).status).toBe("pending");

      await approve(id, ["export-markets", "supply-chain-logistics"]);
      const row = await submissionRow(id);
      expect(row.status).toBe("published");
      expect(row.published_at).not.toBeNull();
      const tags = await t.db
        .selectFrom("submission_categories as sc")
        .innerJoin("categories as c", "c.id", "sc.category_id")
        .select("c.slug")
        .where("sc.submission_id", "=", id)
        .execute();
      expect(tags.map((r) => r.slug).sort()).toEqual(["export-markets", "supply-chain-logistics"]);
      // Approving twice is refused, not a second publication.
      expect((await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["tax-relief"] })).status).toBe(409);

      // Public now, with its history (the acting role, not the moderator's name).
      const pub = await visitor().get(`/submissions/${id}`);
      expect(pub.status).toBe(200);
      const text = pageText(pub.text);
      expect(text).toContain(title);
      expect(text).toContain(en.status.published);
      expect(text).toContain(`${en.history.event.published} (${en.history.actor.moderator})`);
      expect(text).toContain("International market access and export promotion");
      expect(pub.text).not.toContain(moderator.email);
      expect((await other.client.get(`/submissions/${id}`)).status).toBe(200);
      expect(author.id).toBe(row.author_id);

      // Listed on its cluster's page, whatever the sort.
      for (const query of ["", "?sort=top", "?sort=new", "?sort=trending", "?sort=discussed", "?sort=random"]) {
        const list = await visitor().get(`/clusters/food-processing${query}`);
        expect(list.status, query).toBe(200);
        expect(cardIds(list.text), query).toContain(id);
      }
      // Not on another cluster's page.
      expect(cardIds((await visitor().get("/clusters/leather?sort=new")).text)).not.toContain(id);

      // Full-text search: an English word, a prefix, an Urdu word (also with a diacritic), several words.
      for (const q of ["mango", "Mang", "برآمد", "بَرآمد", "multan exporters", '"(mango*)']) {
        const found = await visitor().get(`/clusters/food-processing?q=${encodeURIComponent(q)}`);
        expect(found.status, q).toBe(200);
        expect(cardIds(found.text), q).toContain(id);
      }
      for (const q of ["banana", "mango banana", "کپاس"]) {
        const notFound = await visitor().get(`/clusters/food-processing?q=${encodeURIComponent(q)}`);
        expect(notFound.status, q).toBe(200);
        expect(cardIds(notFound.text), q).not.toContain(id);
      }

      // Category filters: the moderator's tags count.
      for (const slug of ["export-markets", "supply-chain-logistics"]) {
        expect(cardIds((await visitor().get(`/clusters/food-processing?category=${slug}`)).text), slug).toContain(id);
      }
      for (const slug of ["tax-relief", "skilled-labour"]) {
        const res = await visitor().get(`/clusters/food-processing?category=${slug}`);
        expect(res.status).toBe(200);
        expect(cardIds(res.text), slug).not.toContain(id);
      }
      // Filters combine.
      expect(cardIds((await visitor().get("/clusters/food-processing?category=export-markets&q=mango&sort=top")).text)).toContain(id);
      expect(cardIds((await visitor().get("/clusters/food-processing?category=tax-relief&q=mango")).text)).not.toContain(id);
    });
  });

  // ──────────────────────────────── support ────────────────────────────────

  describe("POST /submissions/:id/support", () => {
    it("one support per person: twice = 1; a second person = 2; withdraw = 1 and the row is gone", async () => {
      const author = await makeUser(t.db);
      const id = await published(author.id, { title: uniqueTitle("Export credit guarantee for leather garments") });
      const b = await stakeholder();
      const c = await stakeholder();

      const first = await b.client.post(`/submissions/${id}/support`, { intent: "support" });
      expect(first.status).toBe(303);
      expect(first.location).toBe(`/submissions/${id}#support`);
      const again = await b.client.post(`/submissions/${id}/support`, { intent: "support" });
      expect(again.status).toBe(303);
      expect(await supportRows(id)).toEqual([{ user_id: b.user.id }]);
      expect((await submissionRow(id)).supporters_count).toBe(1);
      const pageB = await b.client.get(`/submissions/${id}`);
      expect(supportCount(pageB.text)).toBe(1);
      // The button now offers to withdraw.
      expect(pageB.text).toMatch(/<input type="hidden" name="intent" value="withdraw"/);
      expect(supportCount((await visitor().get(`/submissions/${id}`)).text)).toBe(1);

      expect((await c.client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
      expect((await supportRows(id)).length).toBe(2);
      expect(supportCount((await visitor().get(`/submissions/${id}`)).text)).toBe(2);
      expect((await submissionRow(id)).supporters_count).toBe(2);

      const withdraw = await b.client.post(`/submissions/${id}/support`, { intent: "withdraw" });
      expect(withdraw.status).toBe(303);
      expect(await supportRows(id)).toEqual([{ user_id: c.user.id }]);
      expect(supportCount((await visitor().get(`/submissions/${id}`)).text)).toBe(1);
      expect((await submissionRow(id)).supporters_count).toBe(1);
      // Withdrawing again changes nothing.
      expect((await b.client.post(`/submissions/${id}/support`, { intent: "withdraw" })).status).toBe(303);
      expect((await supportRows(id)).length).toBe(1);
      expect(supportCount((await b.client.get(`/submissions/${id}`)).text)).toBe(1);
    });

    it("refuses one's own suggestion: 422 with the reason on the page", async () => {
      const { user, client } = await stakeholder();
      const id = await published(user.id, { title: uniqueTitle("Own suggestion support attempt") });
      const res = await client.post(`/submissions/${id}/support`, { intent: "support" });
      expect(res.status).toBe(422);
      expect(pageText(res.text)).toContain(en.support.refused.ownSubmission);
      expect(res.text).toContain(`href="/submissions/${id}#support"`);
      expect(await supportRows(id)).toEqual([]);
      // The page explains it instead of offering the button.
      const page = await client.get(`/submissions/${id}`);
      expect(pageText(page.text)).toContain(en.support.refused.ownSubmission);
      expect(page.text).not.toMatch(/<input type="hidden" name="intent" value="support"/);
    });

    it("refuses a pending suggestion (422), an unknown one (404), a bad intent (400)", async () => {
      const author = await makeUser(t.db);
      const id = await makeSubmission(t.db, { authorId: author.id, input: { title: uniqueTitle("Pending support attempt") } });
      const { client } = await stakeholder();
      const res = await client.post(`/submissions/${id}/support`, { intent: "support" });
      expect(res.status).toBe(422);
      expect(pageText(res.text)).toContain(en.support.refused.notPublished);
      expect(await supportRows(id)).toEqual([]);
      expect((await client.post("/submissions/999999/support", { intent: "support" })).status).toBe(404);
      expect((await client.post(`/submissions/${id}/support`, { intent: "vote" })).status).toBe(400);
      expect((await client.post(`/submissions/${id}/support`, {})).status).toBe(400);
    });

    it("refuses outside the support window: 409 with a message", async () => {
      const author = await makeUser(t.db);
      const id = await published(author.id, { title: uniqueTitle("Closed window support attempt") });
      const { client } = await stakeholder();
      const c = await consultation();
      const closedAt = new Date(Date.now() - 60_000).toISOString();
      await t.db
        .updateTable("consultations")
        .set({ support_opens_at: new Date(Date.now() - 86_400_000).toISOString(), support_closes_at: closedAt })
        .where("id", "=", c.id)
        .execute();
      try {
        const res = await client.post(`/submissions/${id}/support`, { intent: "support" });
        expect(res.status).toBe(409);
        expect(pageText(res.text)).toContain(en.support.refused.windowClosed);
        expect(res.text.toLowerCase()).toContain(`datetime="${closedAt.toLowerCase()}"`);
        expect(await supportRows(id)).toEqual([]);
        // The page says so too.
        expect(pageText((await client.get(`/submissions/${id}`)).text)).toContain(en.support.refused.windowClosed);
      } finally {
        await t.db
          .updateTable("consultations")
          .set({ support_opens_at: c.support_opens_at, support_closes_at: c.support_closes_at })
          .where("id", "=", c.id)
          .execute();
      }
      // Open again: accepted.
      expect((await client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
    });

    it("refuses over the per-cluster budget: 409 with a message; another cluster still has room", async () => {
      const author = await makeUser(t.db);
      const a = await published(author.id, { title: uniqueTitle("Budget first leather suggestion") });
      const b = await published(author.id, { title: uniqueTitle("Budget second leather suggestion") });
      const elsewhere = await published(author.id, { title: uniqueTitle("Budget pharmaceutical suggestion"), cluster: "pharmaceutical" });
      const { user, client } = await stakeholder();
      const c = await consultation();
      await t.db.updateTable("consultations").set({ support_budget: 1 }).where("id", "=", c.id).execute();
      try {
        expect((await client.post(`/submissions/${a}/support`, { intent: "support" })).status).toBe(303);
        const over = await client.post(`/submissions/${b}/support`, { intent: "support" });
        expect(over.status).toBe(409);
        expect(pageText(over.text)).toContain(en.support.refused.budgetSpent_one.replace("{{count}}", "1"));
        expect(await supportRows(b)).toEqual([]);
        expect((await client.post(`/submissions/${elsewhere}/support`, { intent: "support" })).status).toBe(303);
        // Supporting the one already supported again is still fine (idempotent).
        expect((await client.post(`/submissions/${a}/support`, { intent: "support" })).status).toBe(303);
        // Withdraw one, and the other fits.
        expect((await client.post(`/submissions/${a}/support`, { intent: "withdraw" })).status).toBe(303);
        expect((await client.post(`/submissions/${b}/support`, { intent: "support" })).status).toBe(303);
        const mine = await t.db.selectFrom("supports").select("submission_id").where("user_id", "=", user.id).execute();
        expect(mine.map((r) => r.submission_id).sort((x, y) => x - y)).toEqual([b, elsewhere].sort((x, y) => x - y));
      } finally {
        await t.db.updateTable("consultations").set({ support_budget: c.support_budget }).where("id", "=", c.id).execute();
      }
    });

    it("signed out: redirected to sign in; a cross-site post: 403; a GET changes nothing", async () => {
      const author = await makeUser(t.db);
      const id = await published(author.id, { title: uniqueTitle("Signed out support attempt") });
      const res = await visitor().post(`/submissions/${id}/support`, { intent: "support" });
      expect([302, 303]).toContain(res.status);
      expect(res.location).toMatch(/^\/login\?redirectTo=/);
      const { client } = await stakeholder();
      const foreign = await client.post(`/submissions/${id}/support`, { intent: "support" }, { Origin: "https://evil.example" });
      expect(foreign.status).toBe(403);
      const get = await client.get(`/submissions/${id}/support?intent=support`);
      expect(get.status).toBe(200);
      expect(get.text).toContain(`href="/submissions/${id}"`);
      expect(await supportRows(id)).toEqual([]);
      // The visitor's page invites to sign in.
      expect(pageText((await visitor().get(`/submissions/${id}`)).text)).toContain(en.support.signInToSupport);
    });

    it("inline=1 (as the enhanced button posts it) answers 200 with the new count, document and single-fetch alike", async () => {
      const author = await makeUser(t.db);
      const id = await published(author.id, { title: uniqueTitle("Inline support answer") });
      const { user, client } = await stakeholder();
      const doc = await client.post(`/submissions/${id}/support`, { intent: "support", inline: "1" });
      expect(doc.status).toBe(200);
      expect(await supportRows(id)).toEqual([{ user_id: user.id }]);

      const other = await stakeholder();
      const single = await other.client.post(`/submissions/${id}/support.data`, { intent: "support", inline: "1" });
      expect(single.status).toBe(200);
      expect(single.text).toContain("supporters");
      expect((await supportRows(id)).length).toBe(2);
      const withdrawn = await other.client.post(`/submissions/${id}/support.data`, { intent: "withdraw", inline: "1" });
      expect(withdrawn.status).toBe(200);
      expect((await supportRows(id)).length).toBe(1);
    });
  });

  // ─────────────────────────────── comments ───────────────────────────────

  describe("POST /submissions/:id/comments", () => {
    it("adds a plain-text comment (line breaks kept, HTML escaped), notifies the author; replies, edits, refusals", async () => {
      const { user: author, client: authorClient } = await stakeholder();
      const title = uniqueTitle("Comments on a leather suggestion");
      const id = await published(author.id, { title });
      const b = await stakeholder();
      const c = await stakeholder();

      const body = "First line\nSecond line with <b>bold</b> & <script>alert(2)</script>";
      const res = await b.client.post(`/submissions/${id}/comments`, { body });
      expect(res.status).toBe(303);
      const commentId = Number(res.location?.match(new RegExp(`^/submissions/${id}#comment-(\\d+)$`))?.[1]);
      expect(commentId).toBeGreaterThan(0);

      const page = await visitor().get(`/submissions/${id}`);
      expect(page.status).toBe(200);
      const article = page.text.match(new RegExp(`<article class="comment" id="comment-${commentId}"[\\s\\S]*?</article>`))?.[0] ?? "";
      expect(article).toContain(
        '<p class="plain-text" dir="auto">First line\nSecond line with &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(2)&lt;/script&gt;</p>',
      );
      expect(page.text).not.toContain("<b>bold</b>");
      expect(page.text).not.toContain("<script>alert(2)</script>");
      expect((await submissionRow(id)).comments_count).toBe(1);

      // The author hears about it on /me.
      const me = await authorClient.get("/me");
      const notifications = sectionHtml(me.text, "me-notifications");
      expect(pageText(notifications)).toContain(en.notification.commented);
      expect(notifications).toContain(`href="/submissions/${id}"`);
      // …but nobody is notified of their own comment.
      await authorClient.post(`/submissions/${id}/comments`, { body: "Thank you for the comment." });
      const kinds = await t.db
        .selectFrom("notifications")
        .select("kind")
        .where("user_id", "=", author.id)
        .where("kind", "=", "commented")
        .execute();
      expect(kinds).toHaveLength(1);

      // Empty or blank bodies: 400, nothing stored.
      const before = await t.db.selectFrom("comments").select("id").where("submission_id", "=", id).execute();
      expect((await c.client.post(`/submissions/${id}/comments`, { body: "" })).status).toBe(400);
      expect((await c.client.post(`/submissions/${id}/comments`, { body: "   \n  " })).status).toBe(400);
      expect((await c.client.post(`/submissions/${id}/comments`, {})).status).toBe(400);
      expect((await c.client.post(`/submissions/${id}/comments`, { body: "x".repeat(2001) })).status).toBe(400);
      expect(await t.db.selectFrom("comments").select("id").where("submission_id", "=", id).execute()).toHaveLength(before.length);

      // A reply sits under its parent.
      const reply = await c.client.post(`/submissions/${id}/comments`, {
        body: "A reply to the first comment",
        parentId: String(commentId),
      });
      expect(reply.status).toBe(303);
      const replyId = Number(reply.location?.match(/#comment-(\d+)$/)?.[1]);
      const withReply = await visitor().get(`/submissions/${id}`);
      const thread = withReply.text.match(
        new RegExp(
          `<div class="comment-thread"><article class="comment" id="comment-${commentId}"[\\s\\S]*?</article><div class="comment-replies">([\\s\\S]*?)</div></div>`,
        ),
      );
      expect(thread, "the parent's thread with its replies").not.toBeNull();
      expect(thread![1]).toContain(`id="comment-${replyId}"`);
      expect(pageText(thread![1])).toContain("A reply to the first comment");

      // A reply to a reply: refused with the reason.
      const deep = await b.client.post(`/submissions/${id}/comments`, { body: "A reply to a reply", parentId: String(replyId) });
      expect(deep.status).toBe(422);
      expect(pageText(deep.text)).toContain(en.comment.refused.badParent);
      // A parent of another submission: refused too.
      const otherId = await published(author.id, { title: uniqueTitle("Another commented suggestion") });
      expect((await b.client.post(`/submissions/${otherId}/comments`, { body: "Wrong parent", parentId: String(commentId) })).status).toBe(
        422,
      );

      // The author edits within 15 minutes.
      const edit = await b.client.post(`/submissions/${id}/comments`, {
        intent: "edit",
        commentId: String(commentId),
        body: "Edited text\nstill plain",
      });
      expect(edit.status).toBe(303);
      expect(edit.location).toBe(`/submissions/${id}#comment-${commentId}`);
      const edited = await visitor().get(`/submissions/${id}`);
      const editedArticle =
        edited.text.match(new RegExp(`<article class="comment" id="comment-${commentId}"[\\s\\S]*?</article>`))?.[0] ?? "";
      expect(editedArticle).toContain('<p class="plain-text" dir="auto">Edited text\nstill plain</p>');
      expect(pageText(editedArticle)).toContain(en.comment.edited);
      // Nobody else can edit it.
      expect(
        (await c.client.post(`/submissions/${id}/comments`, { intent: "edit", commentId: String(commentId), body: "Hijacked" })).status,
      ).toBe(404);
      const row = await t.db.selectFrom("comments").select("body").where("id", "=", commentId).executeTakeFirstOrThrow();
      expect(row.body).toBe("Edited text\nstill plain");

      // Signed out: to the sign-in page.
      const signedOut = await visitor().post(`/submissions/${id}/comments`, { body: "Anonymous" });
      expect([302, 303]).toContain(signedOut.status);
      expect(signedOut.location).toMatch(/^\/login\?redirectTo=/);
    });

    it("refuses comments on a pending suggestion (422) and edits after 15 minutes (409)", async () => {
      const author = await makeUser(t.db);
      const pending = await makeSubmission(t.db, {
        authorId: author.id,
        input: { title: uniqueTitle("Pending suggestion comment attempt") },
      });
      const { user, client } = await stakeholder();
      const res = await client.post(`/submissions/${pending}/comments`, { body: "Too early" });
      expect(res.status).toBe(422);
      expect(pageText(res.text)).toContain(en.comment.refused.notPublished);

      const id = await published(author.id, { title: uniqueTitle("Old comment edit attempt") });
      const posted = await client.post(`/submissions/${id}/comments`, { body: "Written long ago" });
      const commentId = Number(posted.location?.match(/#comment-(\d+)$/)?.[1]);
      const old = new Date(Date.now() - 16 * 60_000).toISOString();
      await t.db.updateTable("comments").set({ created_at: old, updated_at: old }).where("id", "=", commentId).execute();
      const late = await client.post(`/submissions/${id}/comments`, { intent: "edit", commentId: String(commentId), body: "Too late" });
      expect(late.status).toBe(409);
      expect(pageText(late.text)).toContain(en.comment.refused.tooLate);
      const row = await t.db.selectFrom("comments").select(["body", "author_id"]).where("id", "=", commentId).executeTakeFirstOrThrow();
      expect(row).toEqual({ body: "Written long ago", author_id: user.id });
    });
  });

  // ─────────────────────────────── reports ───────────────────────────────

  describe("POST /submissions/:id/report", () => {
    it("a report is a 303; three distinct reporters hide the suggestion (404 for visitors, visible to moderators)", async () => {
      const { user: author, client: authorClient } = await stakeholder();
      const title = uniqueTitle("Reported leather suggestion");
      const id = await published(author.id, { title });
      const r1 = await stakeholder();
      const r2 = await stakeholder();
      const r3 = await stakeholder();
      // Established accounts: only their reports count towards hiding (issue 15).
      await ageAccounts(t.db, [r1.user.id, r2.user.id, r3.user.id]);

      const first = await r1.client.post(`/submissions/${id}/report`, { reason: "spam", details: "Advertising" });
      expect(first.status).toBe(303);
      expect(first.location).toBe(`/submissions/${id}?reported=1`);
      expect(pageText((await r1.client.get(first.location!)).text)).toContain(en.report.thanks);
      // The same person twice counts once.
      expect((await r1.client.post(`/submissions/${id}/report`, { reason: "offensive" })).status).toBe(303);
      expect((await r2.client.post(`/submissions/${id}/report`, { reason: "off-topic" })).status).toBe(303);
      expect((await submissionRow(id)).status).toBe("published");
      expect((await visitor().get(`/submissions/${id}`)).status).toBe(200);
      const reports = await t.db
        .selectFrom("reports")
        .select(["reporter_id", "reason"])
        .where("target_type", "=", "submission")
        .where("target_id", "=", id)
        .execute();
      expect(reports).toHaveLength(2);

      expect((await r3.client.post(`/submissions/${id}/report`, { reason: "duplicate" })).status).toBe(303);
      expect((await submissionRow(id)).status).toBe("hidden");
      expect((await visitor().get(`/submissions/${id}`)).status).toBe(404);
      expect((await r1.client.get(`/submissions/${id}`)).status).toBe(404);
      const asModerator = await mod.get(`/submissions/${id}`);
      expect(asModerator.status).toBe(200);
      expect(pageText(asModerator.text)).toContain(en.submission.hiddenNotice);
      // Gone from the list.
      expect(cardIds((await visitor().get(`/clusters/leather?q=${encodeURIComponent("Reported leather suggestion")}`)).text)).not.toContain(
        id,
      );
      // The author is told.
      expect(pageText(sectionHtml((await authorClient.get("/me")).text, "me-notifications"))).toContain(en.notification.hidden);
    });

    it("an invalid or missing reason is a 400 with the reason; pending suggestions cannot be reported (404)", async () => {
      const author = await makeUser(t.db);
      const id = await published(author.id, { title: uniqueTitle("Invalid report reason") });
      const { client } = await stakeholder();
      const bad = await client.post(`/submissions/${id}/report`, { reason: "boring" });
      expect(bad.status).toBe(400);
      expect(pageText(bad.text)).toContain(en.report.refused.invalid);
      expect((await client.post(`/submissions/${id}/report`, { details: "no reason" })).status).toBe(400);
      expect(
        await t.db.selectFrom("reports").select("id").where("target_id", "=", id).where("target_type", "=", "submission").execute(),
      ).toEqual([]);
      const pending = await makeSubmission(t.db, { authorId: author.id, input: { title: uniqueTitle("Pending report attempt") } });
      expect((await client.post(`/submissions/${pending}/report`, { reason: "spam" })).status).toBe(404);
      const signedOut = await visitor().post(`/submissions/${id}/report`, { reason: "spam" });
      expect([302, 303]).toContain(signedOut.status);
      expect(signedOut.location).toMatch(/^\/login\?redirectTo=/);
    });

    it("rate limit: the 21st report within an hour by one person is a 429 with Retry-After and the reason", async () => {
      const author = await makeUser(t.db);
      const id = await published(author.id, { title: uniqueTitle("Much reported suggestion") });
      const { client } = await stakeholder();
      // Every attempt counts (the same target again is still an attempt), with the real default of 20.
      for (let i = 1; i <= 20; i++)
        expect((await client.post(`/submissions/${id}/report`, { reason: "other" })).status, `report ${i}`).toBe(303);
      const res = await client.post(`/submissions/${id}/report`, { reason: "other" });
      expect(res.status).toBe(429);
      expect(pageText(res.text)).toContain(en.errors.rateLimited);
      expect(res.headers.get("retry-after"), "the 429 carries a Retry-After header").not.toBeNull();
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    });
  });

  // ───────────────────────────── withdraw, edit ─────────────────────────────

  describe("POST /submissions/:id/withdraw", () => {
    it("the author withdraws (303, withdrawn); anyone else gets a 404 and changes nothing", async () => {
      const { user, client } = await stakeholder();
      const other = await stakeholder();
      const pending = await submit(client, { title: uniqueTitle("Suggestion to withdraw while pending") });
      const pub = await published(user.id, { title: uniqueTitle("Suggestion to withdraw after publication") });

      expect((await other.client.post(`/submissions/${pending}/withdraw`)).status).toBe(404);
      expect((await other.client.post(`/submissions/${pub}/withdraw`)).status).toBe(404);
      expect((await mod.post(`/submissions/${pub}/withdraw`)).status).toBe(404);
      expect((await submissionRow(pending)).status).toBe("pending");
      expect((await submissionRow(pub)).status).toBe("published");

      const res = await client.post(`/submissions/${pending}/withdraw`);
      expect(res.status).toBe(303);
      expect(res.location).toBe(`/submissions/${pending}`);
      expect((await submissionRow(pending)).status).toBe("withdrawn");
      const page = await client.get(`/submissions/${pending}`);
      expect(pageText(page.text)).toContain(en.status.withdrawn);
      expect(pageText(page.text)).toContain(en.history.event.withdrawn);
      // Never published: still private.
      expect((await visitor().get(`/submissions/${pending}`)).status).toBe(404);
      // Withdrawing twice: refused with the reason.
      const twice = await client.post(`/submissions/${pending}/withdraw`);
      expect(twice.status).toBe(409);
      expect(pageText(twice.text)).toContain(en.submission.refused.notWithdrawable);

      expect((await client.post(`/submissions/${pub}/withdraw`)).status).toBe(303);
      expect((await submissionRow(pub)).status).toBe("withdrawn");
      // Withdrawn after publication: still readable (people supported it), no longer listed.
      expect((await visitor().get(`/submissions/${pub}`)).status).toBe(200);
      expect(cardIds((await visitor().get(`/clusters/leather?q=${encodeURIComponent("withdraw after publication")}`)).text)).not.toContain(
        pub,
      );
    });
  });

  describe("/submissions/:id/edit", () => {
    it("the author edits while pending (303, history shows Edited); not after publication (404); nobody else", async () => {
      const { client } = await stakeholder();
      const other = await stakeholder();
      const title = uniqueTitle("Quarantine kilns suggestion before the edit");
      const id = await submit(client, { title, stage: "inputs" });

      const form = await client.get(`/submissions/${id}/edit`);
      expect(form.status).toBe(200);
      const html = formHtml(form.text, "submission-edit");
      expect(inputValue(html, "title")).toBe(title);
      expect(textareaValue(html, "problem")).toBe(PROBLEM);
      expect(selectedOption(html, "cluster")).toBe("leather");
      expect(selectedOption(html, "stage")).toBe("inputs");
      expect((await other.client.get(`/submissions/${id}/edit`)).status).toBe(404);
      expect((await other.client.post(`/submissions/${id}/edit`, suggestionForm({ title: "Hijacked by someone else" }))).status).toBe(404);
      const signedOut = await visitor().get(`/submissions/${id}/edit`);
      expect([302, 303]).toContain(signedOut.status);
      expect(signedOut.location).toBe(`/login?redirectTo=${encodeURIComponent(`/submissions/${id}/edit`)}`);

      // Invalid edit: 400 with the values kept.
      const invalid = await client.post(`/submissions/${id}/edit`, suggestionForm({ title: "Short" }));
      expect(invalid.status).toBe(400);
      expect(inputValue(formHtml(invalid.text, "submission-edit"), "title")).toBe("Short");
      expect((await submissionRow(id)).title).toBe(title);

      const newTitle = uniqueTitle("Pelletiser grants suggestion after the edit");
      const res = await client.post(
        `/submissions/${id}/edit`,
        suggestionForm({ title: newTitle, cluster: "pharmaceutical", status: "published" }),
      );
      expect(res.status).toBe(303);
      expect(res.location).toBe(`/submissions/${id}`);
      const row = await submissionRow(id);
      expect(row).toMatchObject({ title: newTitle, status: "pending" });
      const page = await client.get(`/submissions/${id}`);
      expect(pageText(page.text)).toContain(newTitle);
      const history = page.text.match(/<ol class="history">[\s\S]*?<\/ol>/)?.[0] ?? "";
      expect(pageText(history)).toContain(`${en.history.event.edited} (${en.history.actor.author})`);
      expect(pageText(history)).toContain(en.history.event.submitted);

      await approve(id);
      // The search index follows the edit: the new words find it, the old ones no longer do.
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?q=pelletiser")).text)).toContain(id);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?q=quarantine")).text)).not.toContain(id);
      expect(cardIds((await visitor().get("/clusters/leather?q=pelletiser")).text)).not.toContain(id);
      expect(cardIds((await client.get("/clusters/pharmaceutical?sort=new")).text)).toContain(id);
      expect((await client.get(`/submissions/${id}/edit`)).status).toBe(404);
      expect((await client.post(`/submissions/${id}/edit`, suggestionForm({ title: uniqueTitle("Edit after publication") }))).status).toBe(
        404,
      );
      expect((await submissionRow(id)).title).toBe(newTitle);
    });
  });

  // ─────────────────────────────────── /me ───────────────────────────────────

  describe("GET /me", () => {
    it("shows my suggestions with their status, my supports, and my notifications", async () => {
      const { user, client } = await stakeholder();
      const pendingTitle = uniqueTitle("My pending suggestion");
      const publishedTitle = uniqueTitle("My published suggestion");
      const pending = await submit(client, { title: pendingTitle });
      const pub = await submit(client, { title: publishedTitle, cluster: "pharmaceutical" });
      await approve(pub);
      const author = await makeUser(t.db);
      const supportedTitle = uniqueTitle("A suggestion I support");
      const supported = await published(author.id, { title: supportedTitle });
      expect((await client.post(`/submissions/${supported}/support`, { intent: "support" })).status).toBe(303);

      const res = await client.get("/me");
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toContain("no-store");
      const mine = listItems(sectionHtml(res.text, "me-submissions"));
      const pendingItem = mine.find((li) => li.includes(pendingTitle));
      const publishedItem = mine.find((li) => li.includes(publishedTitle));
      expect(pendingItem).toContain(`#${pending}`);
      expect(pendingItem).toContain(en.status.pending);
      expect(publishedItem).toContain(`#${pub}`);
      expect(publishedItem).toContain(en.status.published);
      expect(mine.some((li) => li.includes(supportedTitle))).toBe(false);

      const supports = sectionHtml(res.text, "me-supports");
      expect(supports).toContain(`href="/submissions/${supported}"`);
      expect(pageText(supports)).toContain(supportedTitle);
      expect(supports).not.toContain(`href="/submissions/${pub}"`);

      const notifications = sectionHtml(res.text, "me-notifications");
      const items = listItems(notifications);
      expect(items.some((li) => li.includes(en.notification.published) && li.includes(publishedTitle))).toBe(true);
      expect(notifications).toContain(`href="/submissions/${pub}"`);
      expect(await t.db.selectFrom("notifications").select("kind").where("user_id", "=", user.id).execute()).toEqual([
        { kind: "published" },
      ]);

      // Signed out: to the sign-in page.
      const signedOut = await visitor().get("/me");
      expect([302, 303]).toContain(signedOut.status);
      expect(signedOut.location).toBe("/login?redirectTo=%2Fme");
    });
  });

  // ───────────────────────────── cluster page ─────────────────────────────

  describe("GET /clusters/:cluster", () => {
    it("never answers 500 to unknown or malformed filters, sorts, pages or search syntax", async () => {
      const queries = [
        "sort=nope",
        "sort=",
        "sort=TOP",
        "sort[]=top",
        "sort=top&sort=new",
        "page=-1",
        "page=abc",
        "page=0",
        "page=1.5",
        "page=99999999999999999999",
        "page=100000",
        "category=nope",
        "category=NOPE!",
        `category=${"a".repeat(300)}`,
        "stage=x",
        "orgType=x",
        "province=x",
        "status=x",
        "status=pending",
        "status=hidden",
        "status=merged",
        `q=${encodeURIComponent('"(AND*')}`,
        `q=${encodeURIComponent("NEAR(a b) OR NOT ^col:*")}`,
        `q=${encodeURIComponent("'; drop table submissions; --")}`,
        `q=${encodeURIComponent("%")}`,
        "q=%E0%A4%A",
        "q=%FF%FE",
        `q=${"x".repeat(5000)}`,
        `q=${encodeURIComponent("a:* & !b | (c")}`,
        "sort=random&page=2&category=tax-relief&stage=inputs&orgType=firm&province=punjab&status=published&q=tax",
      ];
      for (const q of queries) {
        const res = await visitor().get(`/clusters/leather?${q}`);
        expect(res.status, q).toBe(200);
        expect(res.text, q).toContain("<h1>Leather</h1>");
      }
      // Pending and hidden suggestions never show through a status filter.
      const author = await makeUser(t.db);
      const pending = await makeSubmission(t.db, { authorId: author.id, input: { title: uniqueTitle("Pending never listed") } });
      for (const q of ["status=pending", "status=x", ""])
        expect(cardIds((await visitor().get(`/clusters/leather?${q}`)).text), q).not.toContain(pending);
      // Unknown clusters: 404, not 500.
      expect((await visitor().get("/clusters/textiles")).status).toBe(404);
      expect((await visitor().get("/clusters/%ZZ")).status).toBeLessThan(500);
    });

    it("paginates by 20, and the random order is stable for one visitor with no card on two pages", async () => {
      const author = await makeUser(t.db);
      const ids: number[] = [];
      for (let i = 1; i <= 25; i++)
        ids.push(await published(author.id, { cluster: "it", title: `Pagination suggestion for the IT cluster ${i}` }));
      const { client } = await stakeholder();

      const newest1 = await client.get("/clusters/it?sort=new");
      const newest2 = await client.get("/clusters/it?sort=new&page=2");
      expect(cardIds(newest1.text)).toHaveLength(20);
      expect(cardIds(newest2.text)).toHaveLength(5);
      expect(new Set([...cardIds(newest1.text), ...cardIds(newest2.text)])).toEqual(new Set(ids));
      // The pager links to the next page, keeping the sort.
      expect(newest1.text).toMatch(/href="(?:\/clusters\/it)?\?sort=new&amp;page=2"/);
      expect(pageText(newest1.text)).toContain("25");
      expect(cardIds((await client.get("/clusters/it?sort=new&page=3")).text)).toEqual([]);
      // A malformed page is page 1.
      expect(cardIds((await client.get("/clusters/it?sort=new&page=abc")).text)).toEqual(cardIds(newest1.text));
      expect(cardIds((await client.get("/clusters/it?sort=new&page=-1")).text)).toEqual(cardIds(newest1.text));

      const random1 = cardIds((await client.get("/clusters/it?sort=random")).text);
      const random1again = cardIds((await client.get("/clusters/it?sort=random")).text);
      const random2 = cardIds((await client.get("/clusters/it?sort=random&page=2")).text);
      const random2again = cardIds((await client.get("/clusters/it?sort=random&page=2")).text);
      expect(random1).toHaveLength(20);
      expect(random2).toHaveLength(5);
      expect(random1again).toEqual(random1);
      expect(random2again).toEqual(random2);
      expect(random1.filter((id) => random2.includes(id))).toEqual([]);
      expect(new Set([...random1, ...random2])).toEqual(new Set(ids));
      // The default sort while the support window is open is the random one.
      expect(cardIds((await client.get("/clusters/it")).text)).toEqual(random1);
    });
  });

  // ───────────────────────────── privacy on cards ─────────────────────────────

  describe("organisation names on cards", () => {
    it("are shown only when the author chose so, and always to moderators", async () => {
      const suffix = Math.random().toString(36).slice(2, 8);
      const shownName = `Visible Instruments ${suffix}`;
      const hiddenName = `Discreet Instruments ${suffix}`;
      const shown = new Client(server.url);
      const hidden = new Client(server.url);
      const reg1 = await shown.post(
        "/register",
        registrationForm({ organisationName: shownName, cluster: "surgical-instruments", city: "Sialkot", showOrganisation: "on" }),
      );
      const reg2 = await hidden.post(
        "/register",
        registrationForm({ organisationName: hiddenName, cluster: "surgical-instruments", city: "Wazirabad" }),
      );
      expect([302, 303]).toContain(reg1.status);
      expect([302, 303]).toContain(reg2.status);
      const shownId = await submit(shown, {
        cluster: "surgical-instruments",
        title: uniqueTitle("Sterilisation standards lab with a shown name"),
      });
      const hiddenId = await submit(hidden, {
        cluster: "surgical-instruments",
        title: uniqueTitle("Sterilisation standards lab with a hidden name"),
      });
      await approve(shownId);
      await approve(hiddenId);

      const other = await stakeholder();
      for (const [who, client] of [
        ["visitor", visitor()],
        ["stakeholder", other.client],
      ] as const) {
        const list = await client.get("/clusters/surgical-instruments?sort=new");
        expect(list.status).toBe(200);
        expect(pageText(cardHtml(list.text, shownId)), who).toContain(shownName);
        const hiddenCard = pageText(cardHtml(list.text, hiddenId));
        expect(hiddenCard, who).toContain("Wazirabad");
        expect(hiddenCard.toLowerCase(), who).toContain("small firm");
        expect(hiddenCard, who).toContain("Surgical");
        // Nowhere in the page, not even in the hydration data.
        expect(list.text, who).not.toContain(hiddenName);
        const page = await client.get(`/submissions/${hiddenId}`);
        expect(page.status).toBe(200);
        expect(page.text, who).not.toContain(hiddenName);
        expect(pageText((await client.get(`/submissions/${shownId}`)).text), who).toContain(shownName);
      }

      // Moderators always see it.
      const asModerator = await mod.get("/clusters/surgical-instruments?sort=new");
      expect(pageText(cardHtml(asModerator.text, hiddenId))).toContain(hiddenName);
      expect(pageText(cardHtml(asModerator.text, shownId))).toContain(shownName);
      expect(pageText((await mod.get(`/submissions/${hiddenId}`)).text)).toContain(hiddenName);
      // The author sees their own choice on /me.
      expect(pageText((await hidden.get("/me")).text)).toContain(en.me.privacyHidden);
    });
  });
});
