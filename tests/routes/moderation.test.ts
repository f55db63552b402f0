// The moderation queue and the decision screen over real HTTP, as a
// browser without JavaScript sends them: plain form posts with docs/contract.md's
// field names against the built server, one server and one database for the
// file. Who may do what (redirect, 403, cross-site 403), the queue (state,
// oldest first, filters, 50 a page, likely duplicates), bulk decisions, every
// intent of /moderation/submissions/:id with what the public, the author and
// the moderators then see, every refusal (400, 404, 409, 422) with nothing
// changed, and the audit log.
//
// Each part of the file works in its own cluster, so the queue a test reads
// holds only what that test made: surgical-instruments for the queue's order
// and pages, it for likely duplicates and escaping, food-processing for bulk
// decisions, pharmaceutical for what the cluster page lists, leather for the rest.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import taxonomy from "../../db/taxonomy.json";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, inputValue, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";
import { attr, cardIds, listItems, sectionHtml, selectedOption, supportCount, textareaValue } from "../support/pages";

type Cluster = "it" | "food-processing" | "surgical-instruments" | "leather" | "pharmaceutical";

/** The English name of an issue category, as the seed (taxonomy.json) has it. */
function categoryName(slug: string): string {
  const c = taxonomy.categories.find((x) => x.slug === slug);
  if (!c) throw new Error(`no category ${slug}`);
  return c.en;
}

/** "{{count}} suggestions · {{status}}" and the like, from en.json. */
function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(values[k]));
}

let seq = 0;
/** A title unique in this file. */
function uniqueTitle(words: string): string {
  seq += 1;
  return `${words} number ${seq}`;
}

// ─────────────────────────────── HTML helpers ───────────────────────────────

/** The suggestion numbers of the queue's rows, in page order (not the duplicates' links). */
function queueIds(html: string): number[] {
  const table = html.match(/<table class="queue">[\s\S]*?<\/table>/)?.[0] ?? "";
  return [...table.matchAll(/<th scope="row"><a[^>]*href="\/moderation\/submissions\/(\d+)"/g)].map((m) => Number(m[1]));
}

/** The HTML of the queue row of suggestion `id`, or "". */
function queueRow(html: string, id: number): string {
  const table = html.match(/<table class="queue">[\s\S]*?<\/table>/)?.[0] ?? "";
  const rows = table.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
  return rows.find((r) => new RegExp(`<th scope="row"><a[^>]*href="/moderation/submissions/${id}"`).test(r)) ?? "";
}

/** The likely duplicates listed in a queue row (the last cell). */
function rowDuplicates(row: string): number[] {
  const cells = row.match(/<td>[\s\S]*?<\/td>/g) ?? [];
  const last = cells[cells.length - 1] ?? "";
  return [...last.matchAll(/href="\/moderation\/submissions\/(\d+)"/g)].map((m) => Number(m[1]));
}

/** The error summary at the top of a page, or "". */
function errorSummary(html: string): string {
  return html.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0] ?? "";
}

/** A field's block (its `<div class="field">`, label, hint, errors, up to its control's opening tag) found by the control's id. */
function fieldById(html: string, id: string): string {
  const at = html.search(new RegExp(`<(?:input|textarea|select)[^>]*\\sid="${id}"`));
  if (at < 0) return "";
  const start = html.lastIndexOf('<div class="field', at);
  return start < 0 ? "" : html.slice(start, html.indexOf(">", at) + 1);
}

/** The opening tag of the control with this id, or "". */
function controlById(html: string, id: string): string {
  return html.match(new RegExp(`<(?:input|textarea|select)[^>]*\\sid="${id}"[^>]*>`))?.[0] ?? "";
}

/** The text of the <textarea id="…">, decoded, or null. */
function textareaById(html: string, id: string): string | null {
  const m = html.match(new RegExp(`<textarea[^>]*\\sid="${id}"[^>]*>[\\s\\S]*?</textarea>`));
  return m ? textareaValue(m[0], "reason") : null;
}

/** The selected option of the <select id="…">, or null. */
function selectedById(html: string, id: string): string | null {
  const m = html.match(new RegExp(`<select[^>]*\\sid="${id}"[^>]*>[\\s\\S]*?</select>`));
  return m ? selectedOption(m[0], "reasonCode") : null;
}

/** The category checkboxes of one form (`prefix`: approve, tag, bulk) that are ticked. */
function tickedCategories(html: string, prefix: string): string[] {
  return [...html.matchAll(new RegExp(`<input[^>]*\\sid="${prefix}-cat-([a-z0-9-]+)"[^>]*>`, "g"))]
    .filter((m) => / checked=""/.test(m[0]))
    .map((m) => m[1]);
}

/** The queue rows whose selection box is ticked. */
function tickedRows(html: string): number[] {
  return [...html.matchAll(/<input type="checkbox" name="id"[^>]*>/g)]
    .filter((m) => / checked=""/.test(m[0]))
    .map((m) => Number(attr(m[0], "value")));
}

/** The rows of the decision screen's tag log, newest first, as [when, who, before, after, why] texts. */
function tagLogRows(html: string): string[][] {
  const section = sectionHtml(html, "taglog-title");
  const body = section.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return (body.match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map((tr) => (tr.match(/<td>[\s\S]*?<\/td>/g) ?? []).map((td) => pageText(td)));
}

/** The issue category chips of a public submission page. */
function chips(html: string): string[] {
  const list = html.match(/<ul class="chips"[^>]*>([\s\S]*?)<\/ul>/)?.[1] ?? "";
  return listItems(list);
}

// ──────────────────────────────────────────────────────────────────────────────

describe(`moderation over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let moderator: MadeUser;
  let mod: Client;
  const MODERATOR_NAME = "Farah Moderator";

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator", displayName: MODERATOR_NAME });
    mod = await signedIn(server.url, moderator);
  });

  const visitor = () => new Client(server.url);
  const stakeholder = async (overrides: Parameters<typeof makeUser>[1] = {}) => {
    const user = await makeUser(t.db, overrides);
    return { user, client: await signedIn(server.url, user) };
  };
  const pending = (authorId: number, cluster: Cluster, title = uniqueTitle("Duty drawback for value-added exporters")) =>
    makeSubmission(t.db, { authorId, input: { cluster, title } });
  const published = (
    authorId: number,
    cluster: Cluster,
    categories = ["export-markets"],
    title = uniqueTitle("Export credit for small exporters"),
  ) => makePublishedSubmission(t.db, { authorId, moderatorId: moderator.id, input: { cluster, title }, categories });

  const row = (id: number) => t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const categoriesOf = async (id: number) =>
    (
      await t.db
        .selectFrom("submission_categories as sc")
        .innerJoin("categories as c", "c.id", "sc.category_id")
        .select("c.slug")
        .where("sc.submission_id", "=", id)
        .execute()
    )
      .map((r) => r.slug)
      .sort();
  const audits = (id: number) =>
    t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("target_type", "=", "submission")
      .where("target_id", "=", String(id))
      .orderBy("id")
      .execute();
  const notificationKinds = async (userId: number, submissionId: number) =>
    (
      await t.db
        .selectFrom("notifications")
        .select("kind")
        .where("user_id", "=", userId)
        .where("submission_id", "=", submissionId)
        .orderBy("id")
        .execute()
    ).map((n) => n.kind);
  const supporters = async (submissionId: number) =>
    (await t.db.selectFrom("supports").select("user_id").where("submission_id", "=", submissionId).orderBy("user_id").execute()).map(
      (r) => r.user_id,
    );

  /** Everything a moderation decision could change, to prove that a refused one changed nothing. */
  async function snapshot() {
    const count = async (table: "notifications" | "tag_log" | "supports" | "submission_events" | "submission_categories") =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    // Refused requests are audited themselves (security.access.denied): only decisions count here.
    const decisions = await t.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "like", "submission.%")
      .executeTakeFirstOrThrow();
    return {
      submissions: await t.db
        .selectFrom("submissions")
        .select(["id", "status", "merged_into_id", "reject_reason_code", "reject_reason", "supporters_count", "published_at", "updated_at"])
        .orderBy("id")
        .execute(),
      categories: await t.db
        .selectFrom("submission_categories")
        .select(["submission_id", "category_id"])
        .orderBy("submission_id")
        .orderBy("category_id")
        .execute(),
      audit: Number(decisions.n),
      notifications: await count("notifications"),
      tagLog: await count("tag_log"),
      supports: await count("supports"),
      events: await count("submission_events"),
    };
  }

  /** A decision on the decision screen by the moderator. */
  const decide = (id: number, form: Record<string, string | string[]>) => mod.post(`/moderation/submissions/${id}`, form);

  /** Expects the 303 of a decision that was made: to the suggestion as it now is. */
  function expectDecided(res: { status: number; location: string | null; text: string }, id: number) {
    expect(res.status, pageText(res.text).slice(0, 400)).toBe(303);
    expect(res.location).toBe(`/submissions/${id}`);
  }

  /** The one audit row of `action` on `id`, checked for the moderator as actor. */
  async function expectAudit(id: number, action: string, reason: string | null) {
    const rows = (await audits(id)).filter((a) => a.action === action);
    expect(rows, `${action} on #${id}`).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_id: moderator.id,
      actor_role: "moderator",
      target_type: "submission",
      target_id: String(id),
      reason,
    });
    return rows[0];
  }

  // ───────────────────────────────── access ─────────────────────────────────

  describe("who may moderate", () => {
    it("a signed-out visitor is sent to /login?redirectTo=… from the queue and the decision screen, and a post changes nothing", async () => {
      const author = await makeUser(t.db);
      const id = await pending(author.id, "leather");
      const cases: Array<[string, string]> = [
        ["/moderation", "/login?redirectTo=%2Fmoderation"],
        ["/moderation?status=published&cluster=it", `/login?redirectTo=${encodeURIComponent("/moderation?status=published&cluster=it")}`],
        [`/moderation/submissions/${id}`, `/login?redirectTo=%2Fmoderation%2Fsubmissions%2F${id}`],
      ];
      for (const [path, to] of cases) {
        const res = await visitor().get(path);
        expect([302, 303], path).toContain(res.status);
        expect(res.location, path).toBe(to);
      }
      const before = await snapshot();
      const post = await visitor().post(`/moderation/submissions/${id}`, { intent: "approve", category: ["tax-relief"] });
      expect([302, 303]).toContain(post.status);
      expect(post.location).toMatch(/^\/login\?redirectTo=/);
      const bulk = await visitor().post("/moderation", { intent: "approve", id: [String(id)], category: ["tax-relief"] });
      expect([302, 303]).toContain(bulk.status);
      expect(bulk.location).toMatch(/^\/login\?redirectTo=/);
      expect(await snapshot()).toEqual(before);
    });

    it("a stakeholder gets 403 on the queue, the decision screen, every decision and the bulk post, and nothing changes", async () => {
      const { user, client } = await stakeholder();
      const other = await makeUser(t.db);
      // One suggestion in each state a decision applies to, so each post would succeed for a moderator.
      const ownPending = await pending(user.id, "leather", uniqueTitle("My own pending suggestion"));
      const otherPending = await pending(other.id, "leather");
      const pub = await published(other.id, "leather");
      const target = await published(other.id, "leather");
      const hidden = await published(other.id, "leather");
      expectDecided(await decide(hidden, { intent: "hide" }), hidden);

      for (const path of [
        "/moderation",
        "/moderation?status=published",
        `/moderation/submissions/${ownPending}`,
        `/moderation/submissions/${pub}`,
      ]) {
        const res = await client.get(path);
        expect(res.status, path).toBe(403);
        expect(pageText(res.text), path).toContain(en.errorPage.forbidden.title);
        expect(res.text, path).not.toContain("My own pending suggestion");
      }

      const before = await snapshot();
      const posts: Array<[string, Record<string, string | string[]>]> = [
        [`/moderation/submissions/${ownPending}`, { intent: "approve", category: ["tax-relief"] }],
        [`/moderation/submissions/${otherPending}`, { intent: "approve", category: ["tax-relief"] }],
        [`/moderation/submissions/${otherPending}`, { intent: "reject", reasonCode: "off-topic", reason: "Not about exports." }],
        [`/moderation/submissions/${pub}`, { intent: "tag", category: ["tax-relief"], reason: "Better fit" }],
        [`/moderation/submissions/${pub}`, { intent: "merge", into: String(target) }],
        [`/moderation/submissions/${pub}`, { intent: "hide", reason: "Spam" }],
        [`/moderation/submissions/${hidden}`, { intent: "restore", reason: "Fine after all" }],
        ["/moderation", { intent: "approve", id: [String(ownPending), String(otherPending)], category: ["tax-relief"] }],
        ["/moderation", { intent: "reject", id: [String(otherPending)], reasonCode: "off-topic", reason: "Not about exports." }],
        ["/moderation?status=published", { intent: "tag", id: [String(pub)], category: ["tax-relief"] }],
      ];
      for (const [path, form] of posts) {
        const res = await client.post(path, form);
        expect(res.status, `${form.intent} ${path}`).toBe(403);
        expect(res.location, `${form.intent} ${path}`).toBeNull();
      }
      expect(await snapshot()).toEqual(before);
      expect((await row(ownPending)).status).toBe("pending");
      // Each refusal is a security event in the audit log, with who and where.
      const denied = await t.db
        .selectFrom("audit_log")
        .select(["target_id"])
        .where("action", "=", "security.access.denied")
        .where("actor_id", "=", user.id)
        .execute();
      expect(denied.map((d) => d.target_id)).toEqual(
        expect.arrayContaining(["/moderation", `/moderation/submissions/${ownPending}`, `/moderation/submissions/${hidden}`]),
      );
      expect((await row(hidden)).status).toBe("hidden");
    });

    it("organisers and administrators may moderate too", async () => {
      for (const role of ["organiser", "admin"] as const) {
        const { client } = await stakeholder({ role });
        expect((await client.get("/moderation")).status, role).toBe(200);
        const author = await makeUser(t.db);
        const id = await pending(author.id, "leather");
        expect((await client.get(`/moderation/submissions/${id}`)).status, role).toBe(200);
        const res = await client.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["tax-relief"] });
        expect(res.status, role).toBe(303);
        expect((await audits(id)).map((a) => [a.action, a.actor_role])).toEqual([["submission.approve", role]]);
      }
    });

    it("a moderator's post from another site (Origin or Sec-Fetch-Site) is refused with 403 and changes nothing", async () => {
      const author = await makeUser(t.db);
      const id = await pending(author.id, "leather");
      const pub = await published(author.id, "leather");
      const before = await snapshot();
      const foreign: Array<Record<string, string>> = [
        { Origin: "https://evil.example" },
        { Origin: "null" },
        { Origin: server.url, "Sec-Fetch-Site": "cross-site" },
      ];
      for (const headers of foreign) {
        const label = JSON.stringify(headers);
        const one = await mod.post(`/moderation/submissions/${id}`, { intent: "approve", category: ["tax-relief"] }, headers);
        expect(one.status, label).toBe(403);
        const hide = await mod.post(`/moderation/submissions/${pub}`, { intent: "hide" }, headers);
        expect(hide.status, label).toBe(403);
        const bulk = await mod.post("/moderation", { intent: "approve", id: [String(id)], category: ["tax-relief"] }, headers);
        expect(bulk.status, label).toBe(403);
      }
      expect(await snapshot()).toEqual(before);
      // The same post from this site is accepted: the 403 was the origin's doing.
      expectDecided(await decide(id, { intent: "approve", category: ["tax-relief"] }), id);
      expect((await row(id)).status).toBe("published");
    });
  });

  // ───────────────────────────────── the queue ─────────────────────────────────

  describe("GET /moderation", () => {
    it("lists the active consultation's pending suggestions, oldest first, 50 a page, each linked to its decision screen with its organisation", async () => {
      const orgName = `Sialkot Surgical Works ${seq}`;
      const author = await makeUser(t.db, {
        showOrganisation: false,
        organisation: {
          name: orgName,
          type: "firm",
          sizeBand: "small",
          city: "Sialkot",
          province: "punjab",
          clusterSlug: "surgical-instruments",
        },
      });
      const ids: number[] = [];
      for (let i = 0; i < 52; i++)
        ids.push(await pending(author.id, "surgical-instruments", uniqueTitle("Sterilisation standards for instrument makers")));
      // Submitted in the reverse order of their numbers: the queue must follow the time, not the number.
      const base = Date.now() - 2 * 60 * 60 * 1000;
      for (const [i, id] of ids.entries()) {
        await t.db
          .updateTable("submissions")
          .set({ created_at: new Date(base + (ids.length - i) * 60_000).toISOString() })
          .where("id", "=", id)
          .execute();
      }
      const oldestFirst = [...ids].reverse();
      // Not pending, or not in the active consultation: never in this list.
      const pub = await published(author.id, "surgical-instruments");
      const elsewhere = await pending(author.id, "surgical-instruments");
      const active = await t.db.selectFrom("consultations").selectAll().where("is_active", "=", 1).executeTakeFirstOrThrow();
      const { id: _id, ...copy } = active;
      const old = await t.db
        .insertInto("consultations")
        .values({ ...copy, slug: `older-${seq}`, title_en: "An older consultation", is_active: 0 })
        .returning("id")
        .executeTakeFirstOrThrow();
      await t.db.updateTable("submissions").set({ consultation_id: old.id }).where("id", "=", elsewhere).execute();

      const first = await mod.get("/moderation?cluster=surgical-instruments");
      expect(first.status).toBe(200);
      expect(queueIds(first.text)).toEqual(oldestFirst.slice(0, 50));
      expect(pageText(first.text)).toContain(fill(en.moderation.queue.title_other, { count: 52, status: en.status.pending }));
      expect(selectedOption(first.text, "status")).toBe("pending");
      expect(selectedOption(first.text, "cluster")).toBe("surgical-instruments");
      expect(pageText(first.text)).toContain(fill(en.pager.position, { page: 1, pages: 2 }));
      expect(first.text).toContain('href="/moderation?cluster=surgical-instruments&amp;page=2"');
      for (const id of oldestFirst.slice(0, 50)) {
        const r = queueRow(first.text, id);
        expect(r, `row #${id}`).toContain(`href="/moderation/submissions/${id}"`);
        // Moderators always see the organisation, even one its owner keeps from the public.
        expect(pageText(r), `row #${id}`).toContain(orgName);
        expect(pageText(r)).toContain("Surgical instruments");
      }
      expect(first.text).not.toContain(`href="/moderation/submissions/${pub}"`);
      expect(first.text).not.toContain(`href="/moderation/submissions/${elsewhere}"`);

      const second = await mod.get("/moderation?cluster=surgical-instruments&page=2");
      expect(second.status).toBe(200);
      expect(queueIds(second.text)).toEqual(oldestFirst.slice(50));
      expect(pageText(second.text)).toContain(fill(en.pager.position, { page: 2, pages: 2 }));
      expect(second.text).toContain('href="/moderation?cluster=surgical-instruments"');

      // The decision screen a row links to.
      const screen = await mod.get(`/moderation/submissions/${oldestFirst[0]}`);
      expect(screen.status).toBe(200);
      expect(pageText(screen.text)).toContain(`${en.moderation.decide} #${oldestFirst[0]}`);
      expect(pageText(screen.text)).toContain(orgName);
    });

    it("filters by state and cluster", async () => {
      const author = await makeUser(t.db);
      const pend = await pending(author.id, "surgical-instruments");
      const pub = await published(author.id, "surgical-instruments", ["export-markets"], uniqueTitle("Published instrument export fair"));
      const rejected = await pending(author.id, "surgical-instruments");
      expectDecided(await decide(rejected, { intent: "reject", reasonCode: "off-topic", reason: "Not about this cluster." }), rejected);
      const otherCluster = await published(author.id, "leather");

      const pubs = await mod.get("/moderation?status=published&cluster=surgical-instruments");
      expect(pubs.status).toBe(200);
      const shown = queueIds(pubs.text);
      expect(shown).toContain(pub);
      expect(shown).not.toContain(pend);
      expect(shown).not.toContain(rejected);
      expect(shown).not.toContain(otherCluster);
      expect(selectedOption(pubs.text, "status")).toBe("published");
      expect(selectedOption(pubs.text, "cluster")).toBe("surgical-instruments");
      const n = (
        await t.db
          .selectFrom("submissions as s")
          .innerJoin("clusters as c", "c.id", "s.cluster_id")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("s.status", "=", "published")
          .where("c.slug", "=", "surgical-instruments")
          .executeTakeFirstOrThrow()
      ).n;
      expect(shown).toHaveLength(Number(n));
      // Published ones can be re-tagged or rejected in bulk, not approved again.
      expect(pubs.text).not.toContain('name="intent" value="approve"');
      expect(pubs.text).toContain('name="intent" value="tag"');

      const rej = await mod.get("/moderation?status=rejected&cluster=surgical-instruments");
      expect(queueIds(rej.text)).toEqual([rejected]);
      expect(pageText(rej.text)).toContain(fill(en.moderation.queue.title_one, { count: 1, status: en.status.rejected }));

      // Every cluster, one state.
      const allPublished = queueIds((await mod.get("/moderation?status=published")).text);
      expect(allPublished).toContain(pub);
      expect(allPublished).toContain(otherCluster);

      const empty = await mod.get("/moderation?status=withdrawn&cluster=surgical-instruments");
      expect(empty.status).toBe(200);
      expect(pageText(empty.text)).toContain(en.moderation.queue.empty);
    });

    it("unknown or malformed filter values fall back, never a 500", async () => {
      const author = await makeUser(t.db);
      const pend = await pending(author.id, "surgical-instruments");
      const queries = [
        "status=bogus",
        "status=",
        "status=PENDING",
        "status[]=published",
        "status=pending&status=nope",
        "cluster=nope",
        "cluster=",
        "cluster=%3Cscript%3E",
        "cluster=" + "x".repeat(500),
        "cluster[x]=it",
        "page=abc",
        "page=0",
        "page=-1",
        "page=2.5",
        "page=1e3",
        "page=99999999999999999999",
        "page=9999",
        "status=%E0%A4%A",
        "cluster=%FF",
        "foo=bar&id=1",
      ];
      for (const q of queries) {
        const res = await mod.get(`/moderation?${q}`);
        expect(res.status, q).toBeLessThan(500);
        expect(res.status, q).toBe(200);
        expect(pageText(res.text), q).toContain(en.moderation.title);
      }
      // A NUL byte in the query string is refused before any route sees it (PostgreSQL could not take it).
      expect((await mod.get("/moderation?page=%00")).status).toBe(400);
      expect((await mod.get("/moderation?cluster=it%00")).status).toBe(400);
      // A bad state means the default one (pending); a bad cluster means every cluster.
      // (the newest pending suggestion of this cluster is on its second page)
      const bad = await mod.get("/moderation?status=bogus&cluster=surgical-instruments&page=2");
      expect(selectedOption(bad.text, "status")).toBe("pending");
      expect(queueIds(bad.text)).toContain(pend);
      const badCluster = await mod.get("/moderation?status=pending&cluster=nope&page=abc");
      expect(selectedOption(badCluster.text, "cluster")).toBe("");
      expect(pageText(badCluster.text)).toContain(fill(en.pager.position, { page: 1, pages: "" }).trim());
      // A page past the end is an empty page, not an error.
      const far = await mod.get("/moderation?cluster=surgical-instruments&page=9999");
      expect(queueIds(far.text)).toEqual([]);
    });

    it("lists likely duplicates both ways for two similar suggestions submitted through the form", async () => {
      const a = await stakeholder();
      const b = await stakeholder();
      const form = (title: string, problem: string) => ({
        cluster: "it",
        title,
        problem,
        proposal: "Certify zorblat vendors through one portal run by the software export board, free for small firms.",
        expectedImpact: "",
        stage: "",
        suggestedCategory: "",
        horizon: "",
        intent: "submit",
      });
      const firstRes = await a.client.post(
        "/submissions/new",
        form(
          "Zorblat certification portal for quindle software exporters",
          "Quindle software exporters lose zorblat contracts because certification takes months.",
        ),
      );
      expect(firstRes.status, pageText(firstRes.text).slice(0, 300)).toBe(303);
      const first = Number(firstRes.location!.split("/").pop());
      const secondRes = await b.client.post(
        "/submissions/new",
        form(
          "Quindle exporters need faster zorblat certification",
          "Zorblat certification for quindle software firms is slow and costly to obtain.",
        ),
      );
      expect(secondRes.status, pageText(secondRes.text).slice(0, 300)).toBe(303);
      const second = Number(secondRes.location!.split("/").pop());
      // Unrelated words: no likely duplicate.
      const alone = await pending(a.user.id, "it", "Vexmorth plinkardy for grustavel");

      const res = await mod.get("/moderation?cluster=it");
      expect(res.status).toBe(200);
      const ids = queueIds(res.text);
      expect(ids).toEqual(expect.arrayContaining([first, second, alone]));
      expect(ids.indexOf(first)).toBeLessThan(ids.indexOf(second));
      expect(rowDuplicates(queueRow(res.text, second))).toContain(first);
      expect(rowDuplicates(queueRow(res.text, first))).toContain(second);
      expect(pageText(queueRow(res.text, first))).toContain("Quindle exporters need faster zorblat certification");
      expect(pageText(queueRow(res.text, first))).toContain(`(${en.status.pending})`);
      expect(rowDuplicates(queueRow(res.text, alone))).toEqual([]);
      expect(pageText(queueRow(res.text, alone))).toContain(en.moderation.queue.noDuplicates);

      // The decision screen searches afresh, and finds the other one too.
      const screen = await mod.get(`/moderation/submissions/${second}`);
      const merge = sectionHtml(screen.text, "merge-title");
      expect(pageText(merge)).toContain(en.moderation.queue.duplicates);
      expect(merge).toContain(`href="/moderation/submissions/${first}"`);

      // Once the first is decided (rejected), it is no longer offered as a duplicate.
      expectDecided(await decide(first, { intent: "reject", reasonCode: "duplicate", reason: "Same as another suggestion." }), first);
      const after = await mod.get("/moderation?cluster=it");
      expect(rowDuplicates(queueRow(after.text, second))).not.toContain(first);
    });

    it("after an edit, the likely duplicates follow the new text, both ways", async () => {
      const a = await stakeholder();
      const b = await stakeholder();
      const form = (title: string, problem: string) => ({
        cluster: "it",
        title,
        problem,
        proposal: "Open a grelbish lab at the software technology park, shared by every small vendor in the park.",
        expectedImpact: "",
        stage: "",
        suggestedCategory: "",
        horizon: "",
        intent: "submit",
      });
      const post = async (client: Client, path: string, title: string, problem: string) => {
        const res = await client.post(path, form(title, problem));
        expect(res.status, pageText(res.text).slice(0, 300)).toBe(303);
        return Number(res.location!.split("/").pop());
      };
      const first = await post(
        a.client,
        "/submissions/new",
        "Grelbish testing lab for trindle app makers",
        "Trindle app makers send grelbish tests abroad, which costs them weeks on every release.",
      );
      const second = await post(
        b.client,
        "/submissions/new",
        "Trindle app makers need a grelbish testing lab",
        "A local grelbish lab would let trindle app makers test each release at home.",
      );
      let queue = await mod.get("/moderation?cluster=it");
      expect(rowDuplicates(queueRow(queue.text, first))).toContain(second);
      expect(rowDuplicates(queueRow(queue.text, second))).toContain(first);

      // The author of the second rewrites it about something else entirely.
      expect(
        await post(
          b.client,
          `/submissions/${second}/edit`,
          "Zephyrine quotas for wombleton exporters",
          "Wombleton exporters face zephyrine quotas that nobody else in the region has to meet.",
        ),
      ).toBe(second);
      queue = await mod.get("/moderation?cluster=it");
      expect(rowDuplicates(queueRow(queue.text, second))).not.toContain(first);
      expect(rowDuplicates(queueRow(queue.text, first))).not.toContain(second);
    });

    it("escapes a title of markup on the queue and the decision screen", async () => {
      const author = await makeUser(t.db);
      const title = "<script>alert(1)</script>";
      const id = await pending(author.id, "it", title);
      expect((await row(id)).title).toBe(title);
      for (const path of ["/moderation?cluster=it", `/moderation/submissions/${id}`]) {
        const res = await mod.get(path);
        expect(res.status, path).toBe(200);
        expect(res.text, path).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        expect(res.text, path).not.toContain("<script>alert(1)</script>");
        expect(res.text, path).not.toMatch(/<script>alert\(1\)/);
      }
      expect(pageText(queueRow((await mod.get("/moderation?cluster=it")).text, id))).toContain(title);
    });
  });

  // ───────────────────────────────── bulk ─────────────────────────────────

  describe("POST /moderation (bulk)", () => {
    it("approves a selection with a category: 303 back to the same queue with done=2, both published, each author notified", async () => {
      const a = await makeUser(t.db);
      const b = await makeUser(t.db);
      const one = await pending(a.id, "food-processing");
      const two = await pending(b.id, "food-processing");
      const untouched = await pending(a.id, "food-processing");

      const res = await mod.post("/moderation?cluster=food-processing", {
        intent: "approve",
        id: [String(one), String(two)],
        category: ["skilled-labour"],
      });
      expect(res.status, pageText(res.text).slice(0, 300)).toBe(303);
      const to = new URL(res.location!, server.url);
      expect(to.pathname).toBe("/moderation");
      expect(Object.fromEntries(to.searchParams)).toEqual({ cluster: "food-processing", done: "2", refused: "0", intent: "approve" });
      for (const [id, author] of [
        [one, a],
        [two, b],
      ] as const) {
        expect((await row(id)).status).toBe("published");
        expect(await categoriesOf(id)).toEqual(["skilled-labour"]);
        expect(await notificationKinds(author.id, id)).toEqual(["published"]);
        await expectAudit(id, "submission.approve", null);
      }
      expect((await row(untouched)).status).toBe("pending");

      const back = await mod.get(`${to.pathname}${to.search}`);
      expect(back.status).toBe(200);
      expect(pageText(back.text)).toContain(fill(en.moderation.bulk.outcome_other, { count: 2 }));
      expect(queueIds(back.text)).toContain(untouched);
      expect(queueIds(back.text)).not.toContain(one);
      // Published with that category: on the cluster page under it.
      expect(cardIds((await visitor().get("/clusters/food-processing?category=skilled-labour&sort=new")).text)).toEqual(
        expect.arrayContaining([one, two]),
      );

      // One already decided in the selection: counted as refused, the other done.
      const again = await mod.post("/moderation?cluster=food-processing", {
        intent: "approve",
        id: [String(one), String(untouched)],
        category: ["tax-relief"],
      });
      expect(again.status).toBe(303);
      const params = new URL(again.location!, server.url).searchParams;
      expect([params.get("done"), params.get("refused")]).toEqual(["1", "1"]);
      const told = pageText((await mod.get(`/moderation?${params}`)).text);
      expect(told).toContain(fill(en.moderation.bulk.outcome_one, { count: 1 }));
      expect(told).toContain(fill(en.moderation.bulk.refused_one, { count: 1 }));
      expect(await categoriesOf(one)).toEqual(["skilled-labour"]);
      expect(await categoriesOf(untouched)).toEqual(["tax-relief"]);
    });

    it("with nothing selected: 400, the error shown, the other values kept, nothing changed", async () => {
      const author = await makeUser(t.db);
      const id = await pending(author.id, "food-processing");
      const before = await snapshot();
      const res = await mod.post("/moderation?cluster=food-processing", {
        intent: "approve",
        category: ["skilled-labour", "tax-relief"],
        reasonCode: "other",
        reason: "Typed & kept <b>as text</b>",
      });
      expect(res.status).toBe(400);
      expect(pageText(errorSummary(res.text))).toContain(en.form.errorSummary);
      expect(pageText(errorSummary(res.text))).toContain(en.moderation.bulk.noneSelected);
      expect(tickedCategories(res.text, "bulk").sort()).toEqual(["skilled-labour", "tax-relief"]);
      expect(selectedById(res.text, "bulk-reasonCode")).toBe("other");
      expect(textareaById(res.text, "bulk-reason")).toBe("Typed & kept <b>as text</b>");
      expect(res.text).not.toContain("<b>as text</b>");
      // The queue is still there to choose from.
      expect(queueIds(res.text)).toContain(id);
      expect(await snapshot()).toEqual(before);
    });

    it("approve or re-tag without a category: 400, the error next to the categories, the selection kept", async () => {
      const author = await makeUser(t.db);
      const id = await pending(author.id, "food-processing");
      const before = await snapshot();
      const res = await mod.post("/moderation?cluster=food-processing", { intent: "approve", id: [String(id)], reason: "kept" });
      expect(res.status).toBe(400);
      expect(pageText(errorSummary(res.text))).toContain(en.errors.categoryRequired);
      expect(errorSummary(res.text)).toContain('href="#bulk-category"');
      const fieldset = res.text.match(/<fieldset id="bulk-category"[\s\S]*?<\/fieldset>/)?.[0] ?? "";
      expect(attr(fieldset.match(/<fieldset[^>]*>/)![0], "aria-describedby")).toBe("bulk-category-error");
      expect(pageText(fieldset.match(/<ul class="field-errors" id="bulk-category-error">[\s\S]*?<\/ul>/)?.[0] ?? "")).toBe(
        en.errors.categoryRequired,
      );
      expect(tickedRows(res.text)).toEqual([id]);
      expect(textareaById(res.text, "bulk-reason")).toBe("kept");
      // An unknown category is no better.
      const unknown = await mod.post("/moderation?cluster=food-processing", {
        intent: "approve",
        id: [String(id)],
        category: ["no-such-category"],
      });
      expect(unknown.status).toBe(400);
      const tag = await mod.post("/moderation?status=published", { intent: "tag", id: [String(id)] });
      expect(tag.status).toBe(400);
      expect(await snapshot()).toEqual(before);
      expect((await row(id)).status).toBe("pending");
    });

    it("reject without a reason: 400 with the reason's error, the code kept; without a code: 400; with both: rejected", async () => {
      const a = await makeUser(t.db);
      const b = await makeUser(t.db);
      const one = await pending(a.id, "food-processing");
      const two = await pending(b.id, "food-processing");
      const before = await snapshot();

      const noReason = await mod.post("/moderation?cluster=food-processing", {
        intent: "reject",
        id: [String(one), String(two)],
        reasonCode: "outside-remit",
        reason: "   ",
      });
      expect(noReason.status).toBe(400);
      const reasonField = fieldById(noReason.text, "bulk-reason");
      expect(pageText(reasonField)).toContain(en.errors.required);
      expect(attr(controlById(noReason.text, "bulk-reason"), "aria-invalid")).toBe("true");
      expect(attr(controlById(noReason.text, "bulk-reason"), "aria-describedby")).toContain("bulk-reason-error");
      expect(errorSummary(noReason.text)).toContain('href="#bulk-reason"');
      expect(selectedById(noReason.text, "bulk-reasonCode")).toBe("outside-remit");
      expect(tickedRows(noReason.text).sort((x, y) => x - y)).toEqual([one, two]);

      const noCode = await mod.post("/moderation?cluster=food-processing", {
        intent: "reject",
        id: [String(one)],
        reasonCode: "",
        reason: "Kept explanation",
      });
      expect(noCode.status).toBe(400);
      expect(pageText(fieldById(noCode.text, "bulk-reasonCode"))).toContain(en.errors.required);
      expect(textareaById(noCode.text, "bulk-reason")).toBe("Kept explanation");
      const badCode = await mod.post("/moderation?cluster=food-processing", {
        intent: "reject",
        id: [String(one)],
        reasonCode: "because",
        reason: "Kept explanation",
      });
      expect(badCode.status).toBe(400);
      expect(await snapshot()).toEqual(before);

      const reason = "These ask for help for one firm; the consultation is about measures for the whole cluster.";
      const res = await mod.post("/moderation?cluster=food-processing", {
        intent: "reject",
        id: [String(one), String(two)],
        reasonCode: "outside-remit",
        reason,
      });
      expect(res.status).toBe(303);
      expect(new URL(res.location!, server.url).searchParams.get("done")).toBe("2");
      for (const [id, author] of [
        [one, a],
        [two, b],
      ] as const) {
        expect(await row(id)).toMatchObject({ status: "rejected", reject_reason_code: "outside-remit", reject_reason: reason });
        expect(await notificationKinds(author.id, id)).toEqual(["rejected"]);
        await expectAudit(id, "submission.reject", reason);
      }
    });

    it("re-tags published suggestions in bulk, with the reason in the tag log", async () => {
      const author = await makeUser(t.db);
      const one = await published(author.id, "food-processing", ["export-markets"]);
      const res = await mod.post("/moderation?status=published&cluster=food-processing", {
        intent: "tag",
        id: [String(one)],
        category: ["value-addition"],
        reason: "Mostly about processing",
      });
      expect(res.status).toBe(303);
      expect(Object.fromEntries(new URL(res.location!, server.url).searchParams)).toMatchObject({
        status: "published",
        cluster: "food-processing",
        done: "1",
        intent: "tag",
      });
      expect(await categoriesOf(one)).toEqual(["value-addition"]);
      expect((await row(one)).status).toBe("published");
      await expectAudit(one, "submission.tag", "Mostly about processing");
    });
  });

  // ──────────────────────────── the decision screen ────────────────────────────

  describe("/moderation/submissions/:id", () => {
    it("approve with categories: published, listed on its cluster page under those categories and not under another", async () => {
      const author = await makeUser(t.db);
      const title = uniqueTitle("Bioequivalence laboratory for generic medicine exporters");
      const id = await pending(author.id, "pharmaceutical", title);
      const screen = await mod.get(`/moderation/submissions/${id}`);
      expect(screen.status).toBe(200);
      expect(pageText(screen.text)).toContain(title);
      expect(screen.text).toContain('name="intent" value="approve"');

      // No category: 400, the error next to the categories, still pending.
      const none = await decide(id, { intent: "approve" });
      expect(none.status).toBe(400);
      expect(errorSummary(none.text)).toContain('href="#approve-category"');
      expect(pageText(none.text.match(/<fieldset id="approve-category"[\s\S]*?<\/fieldset>/)?.[0] ?? "")).toContain(
        en.errors.categoryRequired,
      );
      expect((await row(id)).status).toBe("pending");

      expectDecided(await decide(id, { intent: "approve", category: ["research-development", "tax-relief"] }), id);
      expect((await row(id)).status).toBe("published");
      expect(await categoriesOf(id)).toEqual(["research-development", "tax-relief"]);
      const publicPage = await visitor().get(`/submissions/${id}`);
      expect(publicPage.status).toBe(200);
      expect(chips(publicPage.text).sort()).toEqual([categoryName("research-development"), categoryName("tax-relief")].sort());

      expect(cardIds((await visitor().get("/clusters/pharmaceutical?sort=new")).text)).toContain(id);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?category=research-development&sort=new")).text)).toContain(id);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?category=tax-relief&sort=new")).text)).toContain(id);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?category=export-markets&sort=new")).text)).not.toContain(id);
      expect(cardIds((await visitor().get("/clusters/leather?sort=new")).text)).not.toContain(id);

      expect(await notificationKinds(author.id, id)).toEqual(["published"]);
      const audit = await expectAudit(id, "submission.approve", null);
      expect(JSON.parse(audit.before!)).toEqual({ status: "pending" });
      expect(JSON.parse(audit.after!)).toEqual({ status: "published", categories: ["research-development", "tax-relief"] });
    });

    it("opens for a suggestion in every state, offering only the decisions that apply to it", async () => {
      const author = await stakeholder();
      const pend = await pending(author.user.id, "leather");
      const pub = await published(author.user.id, "leather");
      const rejected = await pending(author.user.id, "leather");
      expectDecided(await decide(rejected, { intent: "reject", reasonCode: "off-topic", reason: "Not about exports." }), rejected);
      const merged = await published(author.user.id, "leather");
      expectDecided(await decide(merged, { intent: "merge", into: String(pub) }), merged);
      const hidden = await published(author.user.id, "leather");
      expectDecided(await decide(hidden, { intent: "hide" }), hidden);
      const withdrawn = await pending(author.user.id, "leather");
      expect((await author.client.post(`/submissions/${withdrawn}/withdraw`)).status).toBe(303);
      expect((await row(withdrawn)).status).toBe("withdrawn");

      const offered: Array<[number, string, string[]]> = [
        [pend, en.status.pending, ["approve", "merge", "reject"]],
        [pub, en.status.published, ["tag", "merge", "reject", "hide"]],
        [rejected, en.status.rejected, []],
        [merged, en.status.merged, ["tag"]],
        [hidden, en.status.hidden, ["tag", "reject", "restore"]],
        [withdrawn, en.status.withdrawn, []],
      ];
      for (const [id, status, intents] of offered) {
        const res = await mod.get(`/moderation/submissions/${id}`);
        expect(res.status, status).toBe(200);
        const facts = res.text.match(/<dl class="facts">[\s\S]*?<\/dl>/)?.[0] ?? "";
        expect(pageText(facts), status).toContain(`${en.moderation.queue.status} ${status}`);
        const sent = [...res.text.matchAll(/name="intent" value="([a-z]+)"/g)].map((m) => m[1]);
        expect(
          sent.filter((intent) => intent !== "translate"),
          status,
        ).toEqual(intents);
        // Issue 18: a translation is offered in every state but withdrawn (not a decision: its own form).
        expect(sent.includes("translate"), status).toBe(status !== en.status.withdrawn);
        if (!intents.length) expect(pageText(res.text), status).toContain(en.moderation.refused.nothingToDo);
      }
      // The rejected one shows its reason to the moderators too.
      expect(pageText((await mod.get(`/moderation/submissions/${rejected}`)).text)).toContain(
        `${en.rejectReason["off-topic"]} — Not about exports.`,
      );
    });

    it("a decision that no longer applies is a 409 with the message, and changes nothing", async () => {
      const author = await makeUser(t.db);
      const pub = await published(author.id, "leather", ["export-markets"]);
      const rejected = await pending(author.id, "leather");
      expectDecided(await decide(rejected, { intent: "reject", reasonCode: "off-topic", reason: "Not about exports." }), rejected);
      const target = await published(author.id, "leather");
      const merged = await published(author.id, "leather");
      expectDecided(await decide(merged, { intent: "merge", into: String(target) }), merged);

      const before = await snapshot();
      const cases: Array<[number, Record<string, string | string[]>]> = [
        [pub, { intent: "approve", category: ["tax-relief"] }],
        [pub, { intent: "restore" }],
        [rejected, { intent: "approve", category: ["tax-relief"] }],
        [rejected, { intent: "hide" }],
        [rejected, { intent: "reject", reasonCode: "off-topic", reason: "Again." }],
        [rejected, { intent: "merge", into: String(target) }],
        [rejected, { intent: "tag", category: ["tax-relief"] }],
        [merged, { intent: "reject", reasonCode: "off-topic", reason: "Too late." }],
        [merged, { intent: "merge", into: String(target) }],
      ];
      for (const [id, form] of cases) {
        const res = await decide(id, form);
        expect(res.status, `${form.intent} #${id}`).toBe(409);
        expect(pageText(errorSummary(res.text)), `${form.intent} #${id}`).toContain(en.moderation.refused.wrongState);
      }
      expect(await snapshot()).toEqual(before);
      expect(await categoriesOf(pub)).toEqual(["export-markets"]);
    });

    it("reject with a reason code and a text: the author reads both on the suggestion and on /me, and is notified; others get a 404", async () => {
      const author = await stakeholder();
      const title = uniqueTitle("Loan for my own tannery expansion");
      const id = await pending(author.user.id, "leather", title);
      const reason = "This asks for a loan for one firm.\nPlease suggest a scheme open to every SME in the cluster.";
      expectDecided(await decide(id, { intent: "reject", reasonCode: "not-a-policy-measure", reason }), id);
      expect(await row(id)).toMatchObject({ status: "rejected", reject_reason_code: "not-a-policy-measure", reject_reason: reason });

      const page = await author.client.get(`/submissions/${id}`);
      expect(page.status).toBe(200);
      const text = pageText(page.text);
      expect(text).toContain(en.submission.rejectedNotice);
      expect(text).toContain(en.rejectReason["not-a-policy-measure"]);
      expect(page.text).toContain(reason);

      const me = await author.client.get("/me");
      const mine = listItems(sectionHtml(me.text, "me-submissions")).find((li) => li.includes(title)) ?? "";
      expect(mine).toContain(en.status.rejected);
      expect(mine).toContain(en.rejectReason["not-a-policy-measure"]);
      expect(mine).toContain(pageText(reason));
      const notes = listItems(sectionHtml(me.text, "me-notifications"));
      expect(notes.some((li) => li.includes(en.notification.rejected) && li.includes(title))).toBe(true);
      expect(await notificationKinds(author.user.id, id)).toEqual(["rejected"]);

      expect((await visitor().get(`/submissions/${id}`)).status).toBe(404);
      const other = await stakeholder();
      const theirs = await other.client.get(`/submissions/${id}`);
      expect(theirs.status).toBe(404);
      expect(theirs.text).not.toContain("Please suggest a scheme");

      await expectAudit(id, "submission.reject", reason);
    });

    it("reject without a reason (or without a code): 400, the field's error shown, what was typed kept, still pending", async () => {
      const author = await makeUser(t.db);
      const id = await pending(author.id, "leather");
      const before = await snapshot();

      const res = await decide(id, { intent: "reject", reasonCode: "abusive", reason: "   " });
      expect(res.status).toBe(400);
      const field = fieldById(res.text, "reject-reason");
      expect(field).toContain('<ul class="field-errors" id="reject-reason-error">');
      expect(pageText(field)).toContain(en.errors.required);
      expect(attr(controlById(res.text, "reject-reason"), "aria-invalid")).toBe("true");
      expect(attr(controlById(res.text, "reject-reason"), "aria-describedby")).toContain("reject-reason-error");
      expect(errorSummary(res.text)).toContain('href="#reject-reason"');
      expect(pageText(errorSummary(res.text))).toContain(en.errors.required);
      expect(selectedById(res.text, "reject-reasonCode")).toBe("abusive");

      const noCode = await decide(id, { intent: "reject", reasonCode: "", reason: "An explanation that is <kept>" });
      expect(noCode.status).toBe(400);
      expect(pageText(fieldById(noCode.text, "reject-reasonCode"))).toContain(en.errors.required);
      expect(errorSummary(noCode.text)).toContain('href="#reject-reasonCode"');
      expect(textareaById(noCode.text, "reject-reason")).toBe("An explanation that is <kept>");
      expect(noCode.text).not.toContain("<kept>");
      // Errors of the reject form stay with it: the other forms show none.
      expect(fieldById(noCode.text, "merge-into")).not.toContain("field-errors");

      const tooLong = await decide(id, { intent: "reject", reasonCode: "other", reason: "x".repeat(2001) });
      expect(tooLong.status).toBe(400);

      expect(await snapshot()).toEqual(before);
      expect((await row(id)).status).toBe("pending");
    });

    it("tag: the suggestion shows the new categories, and the tag log says before, after, who and why", async () => {
      const author = await makeUser(t.db);
      const id = await published(author.id, "leather", ["export-markets"]);
      const why = "Mainly about the duty on imported inputs";
      expectDecided(await decide(id, { intent: "tag", category: ["value-addition", "tax-relief"], reason: why }), id);
      expect(await categoriesOf(id)).toEqual(["tax-relief", "value-addition"]);

      const publicPage = await visitor().get(`/submissions/${id}`);
      expect(chips(publicPage.text).sort()).toEqual([categoryName("tax-relief"), categoryName("value-addition")].sort());
      expect(chips(publicPage.text)).not.toContain(categoryName("export-markets"));

      const screen = await mod.get(`/moderation/submissions/${id}`);
      const log = tagLogRows(screen.text);
      // newest first: this re-tag, then the approval's tagging
      expect(log).toHaveLength(2);
      const [, who, before, after, reason] = log[0];
      expect(who).toBe(MODERATOR_NAME);
      expect(before).toBe(categoryName("export-markets"));
      expect(after).toBe(`${categoryName("tax-relief")}, ${categoryName("value-addition")}`);
      expect(reason).toBe(why);
      expect(log[1].slice(2, 4)).toEqual(["—", categoryName("export-markets")]);
      // The re-tag form shows the categories as they now are.
      expect(tickedCategories(screen.text, "tag").sort()).toEqual(["tax-relief", "value-addition"]);

      const audit = await expectAudit(id, "submission.tag", why);
      expect(JSON.parse(audit.before!)).toEqual({ categories: ["export-markets"] });
      expect(JSON.parse(audit.after!)).toEqual({ categories: ["tax-relief", "value-addition"] });

      // The same categories again: nothing to log.
      expectDecided(await decide(id, { intent: "tag", category: ["tax-relief", "value-addition"] }), id);
      expect(tagLogRows((await mod.get(`/moderation/submissions/${id}`)).text)).toHaveLength(2);
      // None: 400, the error by the categories, nothing changed.
      const none = await decide(id, { intent: "tag", reason: "kept why" });
      expect(none.status).toBe(400);
      expect(pageText(none.text.match(/<fieldset id="tag-category"[\s\S]*?<\/fieldset>/)?.[0] ?? "")).toContain(en.errors.categoryRequired);
      expect(textareaById(none.text, "tag-reason")).toBe("kept why");
      expect(await categoriesOf(id)).toEqual(["tax-relief", "value-addition"]);
    });

    it("merge: 303, the merged one links to its target, whose supporters are the union, and both authors are notified", async () => {
      const sourceAuthor = await makeUser(t.db);
      const targetAuthor = await makeUser(t.db);
      const target = await published(
        targetAuthor.id,
        "leather",
        ["export-markets"],
        uniqueTitle("Common effluent treatment plant in Kasur"),
      );
      const source = await published(
        sourceAuthor.id,
        "leather",
        ["export-markets"],
        uniqueTitle("Shared effluent treatment for Kasur tanneries"),
      );
      const [both, sourceOnly1, sourceOnly2, targetOnly] = await Promise.all([stakeholder(), stakeholder(), stakeholder(), stakeholder()]);
      const support = async (c: Client, id: number) =>
        expect((await c.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
      await support(both.client, source);
      await support(both.client, target);
      await support(sourceOnly1.client, source);
      await support(sourceOnly2.client, source);
      await support(targetOnly.client, target);
      expect(supportCount((await visitor().get(`/submissions/${source}`)).text)).toBe(3);
      expect(supportCount((await visitor().get(`/submissions/${target}`)).text)).toBe(2);

      expectDecided(await decide(source, { intent: "merge", into: ` #${target} `, reason: "Same plant, same place" }), source);

      const merged = await visitor().get(`/submissions/${source}`);
      expect(merged.status).toBe(200);
      expect(pageText(merged.text)).toContain(en.submission.mergedInto);
      expect(merged.text).toContain(`href="/submissions/${target}"`);
      expect(await row(source)).toMatchObject({ status: "merged", merged_into_id: target });

      const targetPage = await visitor().get(`/submissions/${target}`);
      expect(supportCount(targetPage.text)).toBe(4);
      const union = [both, sourceOnly1, sourceOnly2, targetOnly].map((s) => s.user.id).sort((x, y) => x - y);
      expect(await supporters(target)).toEqual(union);
      expect((await row(target)).supporters_count).toBe(4);
      // The merged one keeps its own rows, for the record.
      expect(await supporters(source)).toEqual([both, sourceOnly1, sourceOnly2].map((s) => s.user.id).sort((x, y) => x - y));

      expect(await notificationKinds(sourceAuthor.id, source)).toContain("merged");
      expect(await notificationKinds(targetAuthor.id, target)).toContain("merged");
      const audit = await expectAudit(source, "submission.merge", "Same plant, same place");
      expect(JSON.parse(audit.after!)).toMatchObject({ status: "merged", mergedInto: target });

      // The decision screen of the merged one points to the target too, and offers no merge or approval.
      const screen = await mod.get(`/moderation/submissions/${source}`);
      expect(screen.status).toBe(200);
      expect(screen.text).toContain(`href="/submissions/${target}"`);
      expect(screen.text).not.toContain('name="intent" value="merge"');
      // Listed under "merged" in the queue, and no longer on the cluster page.
      expect(queueIds((await mod.get("/moderation?status=merged&cluster=leather")).text)).toContain(source);
      expect(cardIds((await visitor().get("/clusters/leather?sort=new")).text)).not.toContain(source);
    });

    it("merge into itself, a pending one, a merged one or an unknown number: 422 with the message by the field; a number that is not one: 400", async () => {
      const author = await makeUser(t.db);
      const supporter = await stakeholder();
      const id = await published(author.id, "leather");
      expect((await supporter.client.post(`/submissions/${id}/support`, { intent: "support" })).status).toBe(303);
      const pend = await pending(author.id, "leather");
      const target = await published(author.id, "leather");
      const merged = await published(author.id, "leather");
      expectDecided(await decide(merged, { intent: "merge", into: String(target) }), merged);
      const before = await snapshot();

      const refusals: Array<[string, string]> = [
        [String(id), en.moderation.merge.refused.self],
        [String(pend), en.moderation.merge.refused.targetNotPublished],
        [String(merged), en.moderation.merge.refused.targetMerged],
        ["2147483000", en.moderation.merge.refused.targetNotFound],
      ];
      for (const [into, message] of refusals) {
        const res = await decide(id, { intent: "merge", into, reason: "typed why" });
        expect(res.status, into).toBe(422);
        const field = fieldById(res.text, "merge-into");
        expect(pageText(field), into).toContain(message);
        expect(attr(controlById(res.text, "merge-into"), "aria-invalid"), into).toBe("true");
        expect(attr(controlById(res.text, "merge-into"), "aria-describedby"), into).toBe("merge-into-error");
        expect(inputValue(field, "into"), into).toBe(into);
        expect(textareaById(res.text, "merge-reason"), into).toBe("typed why");
        expect(errorSummary(res.text), into).toContain('href="#merge-into"');
      }
      for (const into of ["abc", "", "0", "-3", "1.5", "99999999999", "12abc", "1e3", "0x10", "007"]) {
        const res = await decide(id, { intent: "merge", into });
        expect(res.status, JSON.stringify(into)).toBe(400);
        expect(pageText(fieldById(res.text, "merge-into")), JSON.stringify(into)).toContain(en.moderation.merge.intoRequired);
        expect(inputValue(fieldById(res.text, "merge-into"), "into"), JSON.stringify(into)).toBe(into);
      }
      expect(await snapshot()).toEqual(before);
      expect((await row(id)).status).toBe("published");
      expect(supportCount((await visitor().get(`/submissions/${id}`)).text)).toBe(1);
    });

    it("hide: the public gets a 404 and the cluster page drops it; restore brings it back", async () => {
      const author = await stakeholder();
      const id = await published(
        author.user.id,
        "pharmaceutical",
        ["tax-relief"],
        uniqueTitle("Drug regulatory fast track for export registrations"),
      );
      expect((await visitor().get(`/submissions/${id}`)).status).toBe(200);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?sort=new")).text)).toContain(id);

      expectDecided(await decide(id, { intent: "hide", reason: "Reported as spam; checking" }), id);
      expect((await row(id)).status).toBe("hidden");
      const gone = await visitor().get(`/submissions/${id}`);
      expect(gone.status).toBe(404);
      expect(pageText(gone.text)).toContain(en.errorPage.notFound.title);
      expect((await author.client.get(`/submissions/${id}`)).status).toBe(404);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?sort=new")).text)).not.toContain(id);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?category=tax-relief&sort=new")).text)).not.toContain(id);
      // Moderators still see it, said to be hidden, with the way back.
      const modView = await mod.get(`/submissions/${id}`);
      expect(modView.status).toBe(200);
      expect(pageText(modView.text)).toContain(en.submission.hiddenNotice);
      const screen = await mod.get(`/moderation/submissions/${id}`);
      expect(screen.text).toContain('name="intent" value="restore"');
      expect(screen.text).not.toContain('name="intent" value="hide"');
      expect(queueIds((await mod.get("/moderation?status=hidden&cluster=pharmaceutical")).text)).toContain(id);
      expect(await notificationKinds(author.user.id, id)).toContain("hidden");
      await expectAudit(id, "submission.hide", "Reported as spam; checking");

      expectDecided(await decide(id, { intent: "restore", reason: "Not spam" }), id);
      expect((await row(id)).status).toBe("published");
      expect((await visitor().get(`/submissions/${id}`)).status).toBe(200);
      expect(cardIds((await visitor().get("/clusters/pharmaceutical?sort=new")).text)).toContain(id);
      expect(await categoriesOf(id)).toEqual(["tax-relief"]);
      await expectAudit(id, "submission.restore", "Not spam");
    });

    it("an unknown suggestion is a 404 for the screen and for every decision", async () => {
      const author = await makeUser(t.db);
      const target = await published(author.id, "leather");
      for (const path of [
        "/moderation/submissions/2147483000",
        "/moderation/submissions/abc",
        "/moderation/submissions/0",
        "/moderation/submissions/99999999999",
        "/moderation/submissions/-1",
      ]) {
        const res = await mod.get(path);
        expect(res.status, path).toBe(404);
        expect(pageText(res.text), path).toContain(en.errorPage.notFound.title);
      }
      const before = await snapshot();
      const forms: Array<Record<string, string | string[]>> = [
        { intent: "approve", category: ["tax-relief"] },
        { intent: "reject", reasonCode: "off-topic", reason: "Not about exports." },
        { intent: "tag", category: ["tax-relief"] },
        { intent: "merge", into: String(target) },
        { intent: "hide" },
        { intent: "restore" },
      ];
      for (const form of forms) {
        const res = await decide(2147483000, form);
        expect(res.status, String(form.intent)).toBe(404);
        expect((await mod.post("/moderation/submissions/abc", form)).status, String(form.intent)).toBe(404);
      }
      expect(await snapshot()).toEqual(before);
    });

    it("an unknown or missing intent is a 400 that says so, and changes nothing", async () => {
      const author = await makeUser(t.db);
      const id = await pending(author.id, "leather");
      const before = await snapshot();
      for (const form of [{ intent: "delete" }, { intent: "APPROVE", category: ["tax-relief"] }, {}] as Array<
        Record<string, string | string[]>
      >) {
        const res = await decide(id, form);
        expect(res.status, JSON.stringify(form)).toBe(400);
        expect(pageText(errorSummary(res.text)), JSON.stringify(form)).toContain(en.moderation.unknownIntent);
      }
      const bulk = await mod.post("/moderation", { intent: "merge", id: [String(id)], category: ["tax-relief"] });
      expect(bulk.status).toBe(400);
      expect(await snapshot()).toEqual(before);
      expect((await row(id)).status).toBe("pending");
    });
  });

  // ───────────────────────────────── audit ─────────────────────────────────

  describe("the audit log", () => {
    it("has one row per decision, with the actor, the action, the target and the reason", async () => {
      const author = await makeUser(t.db);
      const id = await pending(author.id, "leather");
      const other = await pending(author.id, "leather");
      const target = await published(author.id, "leather");
      const start = Number(
        (
          await t.db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.max("id").as("m"))
            .executeTakeFirstOrThrow()
        ).m ?? 0,
      );

      expectDecided(await decide(id, { intent: "approve", category: ["tax-relief"] }), id);
      expectDecided(await decide(id, { intent: "tag", category: ["export-markets"], reason: "why tag" }), id);
      expectDecided(await decide(id, { intent: "hide", reason: "why hide" }), id);
      expectDecided(await decide(id, { intent: "restore", reason: "why restore" }), id);
      expectDecided(await decide(id, { intent: "reject", reasonCode: "duplicate", reason: "why reject" }), id);
      expectDecided(await decide(other, { intent: "merge", into: String(target), reason: "why merge" }), other);

      const rows = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("id", ">", start)
        .where("target_type", "=", "submission")
        .orderBy("id")
        .execute();
      expect(rows.map((r) => [r.action, r.target_id, r.reason, r.actor_id, r.actor_role])).toEqual([
        ["submission.approve", String(id), null, moderator.id, "moderator"],
        ["submission.tag", String(id), "why tag", moderator.id, "moderator"],
        ["submission.hide", String(id), "why hide", moderator.id, "moderator"],
        ["submission.restore", String(id), "why restore", moderator.id, "moderator"],
        ["submission.reject", String(id), "why reject", moderator.id, "moderator"],
        ["submission.merge", String(other), "why merge", moderator.id, "moderator"],
      ]);
      expect(rows.map((r) => [JSON.parse(r.before!).status, JSON.parse(r.after!).status])).toEqual([
        ["pending", "published"],
        [undefined, undefined],
        ["published", "hidden"],
        ["hidden", "published"],
        ["published", "rejected"],
        ["pending", "merged"],
      ]);
      for (const r of rows) expect(Number.isNaN(Date.parse(r.created_at))).toBe(false);
    });
  });

  it("a merge carries a support that counts towards the budget, and withdrawing from the source takes the carried copy (issue 13, finding 3)", async () => {
    const c = await t.db.selectFrom("consultations").select(["id", "support_budget"]).where("is_active", "=", 1).executeTakeFirstOrThrow();
    await t.db.updateTable("consultations").set({ support_budget: 1 }).where("id", "=", c.id).execute();
    try {
      const author = await stakeholder();
      const source = await published(author.user.id, "leather");
      const target = await published(author.user.id, "leather");
      const other = await published(author.user.id, "leather");
      const fan = await stakeholder();
      expect((await fan.client.post(`/submissions/${source}/support`, { intent: "support" })).status).toBe(303);
      expectDecided(await decide(source, { intent: "merge", into: String(target) }), source);
      expect(await supporters(target)).toEqual([fan.user.id]);
      // The carried support is the person's one support in the cluster.
      expect((await fan.client.post(`/submissions/${other}/support`, { intent: "support" })).status).toBe(409);
      expect(await supporters(other)).toEqual([]);
      // Withdrawing from the merged source withdraws the carried copy, and frees the slot.
      expect((await fan.client.post(`/submissions/${source}/support`, { intent: "withdraw" })).status).toBe(303);
      expect(await supporters(target)).toEqual([]);
      expect((await row(target)).supporters_count).toBe(0);
      expect((await fan.client.post(`/submissions/${other}/support`, { intent: "support" })).status).toBe(303);
    } finally {
      await t.db.updateTable("consultations").set({ support_budget: c.support_budget }).where("id", "=", c.id).execute();
    }
  });
});
