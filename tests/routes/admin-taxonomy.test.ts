// /admin/taxonomy over real HTTP against the built server, posted as a browser
// without JavaScript posts it: an admin adds a category (the suggestion form
// and the moderators' approve checkboxes offer it at once), renames it in Urdu
// (the Urdu pages show the new name), reorders it and archives it (gone from
// the suggestion form; an old suggestion still shows it). Only admins; bad
// input 400 with the values kept; unknown items 404; conflicts 409; never 500.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { NAME_MAX, setTaxonomyItemArchived } from "~/models/taxonomy-admin.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

/** The opening tag of the control with this id, or "". */
function controlById(html: string, id: string): string {
  return html.match(new RegExp(`<(?:input|textarea|select)[^>]*\\sid="${id}"[^>]*>`))?.[0] ?? "";
}

/** The value of the input with this id, decoded, or null. */
function valueById(html: string, id: string): string | null {
  const tag = controlById(html, id);
  if (!tag) return null;
  const m = tag.match(/\svalue="([^"]*)"/);
  return m ? decodeEntities(m[1]) : "";
}

/** The options (value → label) of the <select name="…">. */
function options(html: string, name: string): Array<[string, string]> {
  const select = html.match(new RegExp(`<select[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</select>`))?.[1] ?? "";
  return [...select.matchAll(/<option[^>]*value="([^"]*)"[^>]*>([\s\S]*?)<\/option>/g)]
    .filter((m) => m[1])
    .map((m) => [m[1], decodeEntities(m[2])]);
}

/** The row slugs of one table of the admin page (`kind`: cluster, category, stage), in order. */
function rowSlugs(html: string, kind: string): string[] {
  return [...html.matchAll(new RegExp(`<tr id="${kind}-([a-z0-9-]+)"`, "g"))].map((m) => m[1]);
}

/** The <tr> of one item on the admin page, or "". */
function row(html: string, kind: string, slug: string): string {
  return html.match(new RegExp(`<tr id="${kind}-${slug}"[\\s\\S]*?</tr>`))?.[0] ?? "";
}

/** The error summary at the top of a page, or "". */
function errorSummary(html: string): string {
  return html.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0] ?? "";
}

const NEW_CATEGORY = { slug: "green-energy", nameEn: "Green energy and efficiency", nameUr: "سبز توانائی اور بچت" };

describe(`/admin/taxonomy over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let admin: MadeUser;
  let adminClient: Client;
  let moderator: MadeUser;
  let author: MadeUser;
  let oldSuggestion: number;

  const post = (form: Record<string, string>) => adminClient.post("/admin/taxonomy", form);
  const audits = (action: string) => t.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();
  const categoryRow = (slug: string) => t.db.selectFrom("categories").selectAll().where("slug", "=", slug).executeTakeFirst();

  beforeAll(async () => {
    admin = await makeUser(t.db, { role: "admin" });
    moderator = await makeUser(t.db, { role: "moderator" });
    author = await makeUser(t.db);
    adminClient = await signedIn(server.url, admin);
  });

  it("only admins: a visitor is sent to sign in; a stakeholder, moderator and organiser get 403 on GET and POST; nothing changes", async () => {
    const visitor = await new Client(server.url).get("/admin/taxonomy");
    expect([302, 303]).toContain(visitor.status);
    expect(visitor.location).toMatch(/^\/login\?redirectTo=%2Fadmin%2Ftaxonomy/);
    const visitorPost = await new Client(server.url).post("/admin/taxonomy", { intent: "add", kind: "category", ...NEW_CATEGORY });
    expect([302, 303]).toContain(visitorPost.status);
    expect(visitorPost.location).toMatch(/^\/login/);
    for (const role of ["stakeholder", "moderator", "organiser"] as const) {
      const client = await signedIn(server.url, role === "moderator" ? moderator : await makeUser(t.db, { role }));
      expect((await client.get("/admin/taxonomy")).status, role).toBe(403);
      expect((await client.post("/admin/taxonomy", { intent: "add", kind: "category", ...NEW_CATEGORY })).status, role).toBe(403);
      expect((await client.post("/admin/taxonomy", { intent: "archive", kind: "cluster", slug: "it" })).status, role).toBe(403);
    }
    expect(await categoryRow(NEW_CATEGORY.slug)).toBeUndefined();
    expect((await t.db.selectFrom("clusters").select("archived").where("slug", "=", "it").executeTakeFirstOrThrow()).archived).toBe(0);
    expect(await audits("taxonomy.add")).toHaveLength(0);
  });

  it("shows every kind in an accessible table, with usage counts and labelled add forms (Urdu inputs right-to-left)", async () => {
    oldSuggestion = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      categories: ["export-markets"],
      input: { title: "Trade fair stalls for small leather exporters" },
    });
    const page = await adminClient.get("/admin/taxonomy");
    expect(page.status).toBe(200);
    expect(rowSlugs(page.text, "cluster")).toEqual(["it", "food-processing", "surgical-instruments", "leather", "pharmaceutical"]);
    expect(rowSlugs(page.text, "category")).toContain("tax-relief");
    expect(rowSlugs(page.text, "stage")).toEqual([
      "inputs",
      "production",
      "technology",
      "logistics",
      "marketing-export",
      "finance",
      "skills",
      "regulation",
    ]);
    expect(page.text).toMatch(/<th scope="col">/);
    expect(page.text).toMatch(/<th scope="row"/);
    // The leather cluster and the export-markets category have one suggestion each.
    expect(pageText(row(page.text, "cluster", "leather"))).toMatch(/\b1\b/);
    expect(pageText(row(page.text, "category", "export-markets"))).toMatch(/\b1\b/);
    // Every visible input has a label; the Urdu ones are marked Urdu, right-to-left.
    const inputs = [...page.text.matchAll(/<input type="text"[^>]*>/g)].map((m) => m[0]);
    expect(inputs.length).toBe(6); // slug, English, Urdu for clusters and for categories
    for (const tag of inputs) {
      const id = tag.match(/\sid="([^"]+)"/)![1];
      expect(page.text, id).toContain(`<label for="${id}"`);
    }
    expect(controlById(page.text, "add-category-nameUr")).toMatch(/lang="ur"/);
    expect(controlById(page.text, "add-category-nameUr")).toMatch(/dir="rtl"/);
    // Stages: rename and reorder only.
    expect(row(page.text, "stage", "finance")).not.toMatch(/value="archive"/);
    // Shipped items are never offered for deletion.
    expect(page.text).not.toMatch(/name="intent" value="delete"/);
  });

  it("a name field lets a browser type as many characters as the schema takes, no more (issue 13, finding 11)", async () => {
    const page = await adminClient.get("/admin/taxonomy");
    const names = [...page.text.matchAll(/<input[^>]*\sname="name(?:En|Ur)"[^>]*>/g)].map((m) => m[0]);
    expect(names.length).toBeGreaterThan(0);
    for (const tag of names) expect(tag.match(/\smaxLength="(\d+)"/i)?.[1], tag).toBe(String(NAME_MAX));
  });

  it("an admin adds a category: the suggestion form and the moderators' approve checkboxes offer it at once", async () => {
    const res = await post({ intent: "add", kind: "category", ...NEW_CATEGORY });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/admin\/taxonomy\?done=add/);
    const page = await adminClient.get(res.location!);
    expect(pageText(page.text)).toContain(en.admin.taxonomy.done.add);
    expect(rowSlugs(page.text, "category").at(-1)).toBe(NEW_CATEGORY.slug);
    const [a] = await audits("taxonomy.add");
    expect(a).toMatchObject({ actor_id: admin.id, target_type: "category", target_id: NEW_CATEGORY.slug });

    const stakeholder = await signedIn(server.url, author);
    const form = await stakeholder.get("/submissions/new");
    expect(options(form.text, "suggestedCategory")).toContainEqual([NEW_CATEGORY.slug, NEW_CATEGORY.nameEn]);

    const pending = await makeSubmission(t.db, {
      authorId: author.id,
      input: { title: "Solar panels on tannery roofs with a green credit line" },
    });
    const mod = await signedIn(server.url, moderator);
    const decide = await mod.get(`/moderation/submissions/${pending}`);
    expect(decide.status).toBe(200);
    expect(decide.text).toMatch(new RegExp(`id="approve-cat-${NEW_CATEGORY.slug}"`));
    // The moderator approves with it; the public page names it.
    const approved = await mod.post(`/moderation/submissions/${pending}`, {
      intent: "approve",
      category: [NEW_CATEGORY.slug, "financial-assistance"],
    });
    expect(approved.status).toBe(303);
    expect(pageText((await new Client(server.url).get(`/submissions/${pending}`)).text)).toContain(NEW_CATEGORY.nameEn);
    oldSuggestion = pending;
  });

  it("renames it in Urdu: the Urdu pages show the new name, the English name stays", async () => {
    const newUrdu = "صاف اور سبز توانائی";
    const res = await post({ intent: "rename", kind: "category", slug: NEW_CATEGORY.slug, nameEn: NEW_CATEGORY.nameEn, nameUr: newUrdu });
    expect(res.status).toBe(303);
    expect(await categoryRow(NEW_CATEGORY.slug)).toMatchObject({ name_en: NEW_CATEGORY.nameEn, name_ur: newUrdu });
    const urduPage = await new Client(server.url).get(`/submissions/${oldSuggestion}`, { "Accept-Language": "ur" });
    expect(urduPage.text).toMatch(/<html lang="ur" dir="rtl"/);
    expect(pageText(urduPage.text)).toContain(newUrdu);
    expect(pageText(urduPage.text)).not.toContain(NEW_CATEGORY.nameUr);
    // A signed-in author's language is their choice (the switch's cookie), not the browser's header.
    const urduAuthor = await signedIn(server.url, await makeUser(t.db));
    expect((await urduAuthor.post("/language", { lng: "ur", redirectTo: "/submissions/new" })).location).toBe("/submissions/new");
    const urduForm = await urduAuthor.get("/submissions/new");
    expect(urduForm.text).toMatch(/<html lang="ur" dir="rtl"/);
    expect(options(urduForm.text, "suggestedCategory")).toContainEqual([NEW_CATEGORY.slug, newUrdu]);
    const [a] = await audits("taxonomy.rename");
    expect(JSON.parse(a.before!)).toEqual({ nameEn: NEW_CATEGORY.nameEn, nameUr: NEW_CATEGORY.nameUr });
    expect(JSON.parse(a.after!)).toEqual({ nameEn: NEW_CATEGORY.nameEn, nameUr: newUrdu });

    // The rename form opens from a link and shows the current names.
    const form = await adminClient.get(`/admin/taxonomy?rename=category:${NEW_CATEGORY.slug}`);
    expect(form.status).toBe(200);
    expect(valueById(form.text, "rename-nameUr")).toBe(newUrdu);
    expect(controlById(form.text, "rename-nameUr")).toMatch(/lang="ur"[^>]*dir="rtl"|dir="rtl"[^>]*lang="ur"/);
  });

  it("reorders: move up (a plain form post) changes the admin list and the suggestion form's order", async () => {
    const before = rowSlugs((await adminClient.get("/admin/taxonomy")).text, "category");
    const at = before.indexOf(NEW_CATEGORY.slug);
    for (let i = 0; i < 2; i++)
      expect((await post({ intent: "move", kind: "category", slug: NEW_CATEGORY.slug, direction: "up" })).status).toBe(303);
    const after = rowSlugs((await adminClient.get("/admin/taxonomy")).text, "category");
    expect(after.indexOf(NEW_CATEGORY.slug)).toBe(at - 2);
    const form = await (await signedIn(server.url, author)).get("/submissions/new");
    expect(options(form.text, "suggestedCategory").map(([v]) => v)).toEqual(after);
    // A stage moves too.
    expect((await post({ intent: "move", kind: "stage", slug: "regulation", direction: "up" })).status).toBe(303);
    expect(rowSlugs((await adminClient.get("/admin/taxonomy")).text, "stage").slice(-2)).toEqual(["regulation", "skills"]);
    expect((await audits("taxonomy.move")).length).toBe(3);
  });

  it("archives it: gone from the suggestion form and the approve checkboxes, refused if posted, still shown on the old suggestion", async () => {
    const res = await post({ intent: "archive", kind: "category", slug: NEW_CATEGORY.slug });
    expect(res.status).toBe(303);
    const adminPage = await adminClient.get("/admin/taxonomy");
    expect(pageText(row(adminPage.text, "category", NEW_CATEGORY.slug))).toContain(en.admin.taxonomy.archived);
    expect(row(adminPage.text, "category", NEW_CATEGORY.slug)).toMatch(/value="unarchive"/);

    const stakeholder = await signedIn(server.url, author);
    const form = await stakeholder.get("/submissions/new");
    expect(options(form.text, "suggestedCategory").map(([v]) => v)).not.toContain(NEW_CATEGORY.slug);
    const refused = await stakeholder.post("/submissions/new", {
      intent: "submit",
      cluster: "leather",
      title: "Biogas from tannery waste for the estate",
      problem: "Tanneries dump their fleshings and pay for power from the grid at peak prices.",
      proposal: "Build a shared biogas digester run by the association and sell power to members.",
      suggestedCategory: NEW_CATEGORY.slug,
    });
    expect(refused.status).toBe(400);

    const pending = await makeSubmission(t.db, {
      authorId: author.id,
      input: { title: "Energy audits for small surgical instrument makers" },
    });
    const mod = await signedIn(server.url, moderator);
    const decide = await mod.get(`/moderation/submissions/${pending}`);
    expect(decide.text).not.toMatch(new RegExp(`id="approve-cat-${NEW_CATEGORY.slug}"`));
    const approve = await mod.post(`/moderation/submissions/${pending}`, { intent: "approve", category: NEW_CATEGORY.slug });
    expect(approve.status).toBe(400);

    // The old suggestion keeps it, in both languages, on its page and on the cluster page's cards.
    const old = await new Client(server.url).get(`/submissions/${oldSuggestion}`);
    expect(pageText(old.text)).toContain(NEW_CATEGORY.nameEn);
    const cluster = await new Client(server.url).get(`/clusters/leather?sort=new&category=${NEW_CATEGORY.slug}`);
    expect(cluster.status).toBe(200);
    expect(cluster.text).toContain(`/submissions/${oldSuggestion}`);
    // Its decision screen still lets a moderator keep it when re-tagging.
    expect((await mod.get(`/moderation/submissions/${oldSuggestion}`)).text).toMatch(
      new RegExp(`id="tag-cat-${NEW_CATEGORY.slug}"[^>]*checked`),
    );

    // Unarchive: offered again.
    expect((await post({ intent: "unarchive", kind: "category", slug: NEW_CATEGORY.slug })).status).toBe(303);
    expect(options((await stakeholder.get("/submissions/new")).text, "suggestedCategory").map(([v]) => v)).toContain(NEW_CATEGORY.slug);
    expect(await audits("taxonomy.archive")).toHaveLength(1);
    expect(await audits("taxonomy.unarchive")).toHaveLength(1);
  });

  it("archives a cluster: its page takes no new suggestions, its suggestions stay readable", async () => {
    expect((await post({ intent: "add", kind: "cluster", slug: "textiles", nameEn: "Textiles", nameUr: "ٹیکسٹائل" })).status).toBe(303);
    const inTextiles = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { cluster: "textiles", title: "Export credit for small garment makers" },
    });
    expect((await post({ intent: "archive", kind: "cluster", slug: "textiles" })).status).toBe(303);
    const page = await new Client(server.url).get("/clusters/textiles?sort=new");
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain(en.admin.taxonomy.shown.clusterArchived);
    expect(page.text).not.toContain("/submissions/new?cluster=textiles");
    expect(page.text).toContain(`/submissions/${inTextiles}`);
    const form = await (await signedIn(server.url, author)).get("/submissions/new?cluster=textiles");
    expect(options(form.text, "cluster").map(([v]) => v)).not.toContain("textiles");
  });

  it("bad input: 400, each error by its field, the typed values kept, nothing written", async () => {
    const adds = (await audits("taxonomy.add")).length;
    const res = await post({ intent: "add", kind: "category", slug: "Bad Slug!", nameEn: "  ", nameUr: "Typed in English" });
    expect(res.status).toBe(400);
    expect(errorSummary(res.text)).not.toBe("");
    const text = pageText(res.text);
    expect(text).toContain(en.admin.taxonomy.errors.slug);
    expect(text).toContain(en.errors.required);
    expect(text).toContain(en.admin.taxonomy.errors.urduScript);
    expect(valueById(res.text, "add-category-slug")).toBe("Bad Slug!");
    expect(valueById(res.text, "add-category-nameUr")).toBe("Typed in English");
    expect(controlById(res.text, "add-category-slug")).toMatch(/aria-invalid="true"/);
    // The clusters' add form is untouched.
    expect(valueById(res.text, "add-cluster-slug")).toBe("");
    // Too long.
    const long = await post({ intent: "add", kind: "cluster", slug: "long-name", nameEn: "x".repeat(121), nameUr: "لمبا" });
    expect(long.status).toBe(400);
    expect(pageText(long.text)).toContain(en.errors.tooLong_other.replace("{{count}}", "120"));
    expect((await audits("taxonomy.add")).length).toBe(adds);

    // A bad rename comes back in the rename form with what was typed.
    const rename = await post({ intent: "rename", kind: "cluster", slug: "leather", nameEn: "Leather goods", nameUr: "" });
    expect(rename.status).toBe(400);
    expect(valueById(rename.text, "rename-nameEn")).toBe("Leather goods");
    expect(controlById(rename.text, "rename-nameUr")).toMatch(/aria-invalid="true"/);
    expect((await t.db.selectFrom("clusters").select("name_en").where("slug", "=", "leather").executeTakeFirstOrThrow()).name_en).toBe(
      "Leather",
    );
  });

  it("unknown items: 404", async () => {
    const names = { nameEn: "Name", nameUr: "نام" };
    expect((await post({ intent: "rename", kind: "category", id: "999999", ...names })).status).toBe(404);
    expect((await post({ intent: "rename", kind: "category", slug: "no-such-category", ...names })).status).toBe(404);
    expect((await post({ intent: "move", kind: "cluster", slug: "atlantis", direction: "up" })).status).toBe(404);
    expect((await post({ intent: "archive", kind: "category", slug: "no-such-category" })).status).toBe(404);
    expect((await post({ intent: "delete", kind: "cluster", slug: "atlantis" })).status).toBe(404);
    expect((await adminClient.get("/admin/taxonomy?rename=category:no-such-category")).status).toBe(404);
    expect((await adminClient.get("/admin/taxonomy?rename=planet:it")).status).toBe(404);
  });

  it("conflicts: 409 with the reason on the page (a taken slug, something in use, shipped, the last active cluster)", async () => {
    const dup = await post({ intent: "add", kind: "category", slug: "tax-relief", nameEn: "Tax again", nameUr: "ٹیکس دوبارہ" });
    expect(dup.status).toBe(409);
    expect(pageText(dup.text)).toContain(en.admin.taxonomy.refused.slugTaken);
    expect(valueById(dup.text, "add-category-nameEn")).toBe("Tax again");

    const inUse = await post({ intent: "delete", kind: "category", slug: NEW_CATEGORY.slug });
    expect(inUse.status).toBe(409);
    expect(pageText(inUse.text)).toContain(en.admin.taxonomy.refused.inUse);
    expect(await categoryRow(NEW_CATEGORY.slug)).toBeTruthy();

    const shipped = await post({ intent: "delete", kind: "category", slug: "other" });
    expect(shipped.status).toBe(409);
    expect(pageText(shipped.text)).toContain(en.admin.taxonomy.refused.shipped);

    // Every cluster but one archived: archiving that one is refused.
    const active = await t.db.selectFrom("clusters").select("slug").where("archived", "=", 0).orderBy("id").execute();
    const [keep, ...rest] = active.map((c) => c.slug);
    for (const slug of rest)
      expect(
        (await setTaxonomyItemArchived(t.db, { actorId: admin.id, actorRole: "admin", kind: "cluster", ref: { slug }, archived: true })).ok,
      ).toBe(true);
    const last = await post({ intent: "archive", kind: "cluster", slug: keep });
    expect(last.status).toBe(409);
    expect(pageText(last.text)).toContain(en.admin.taxonomy.refused.lastActive);
    for (const slug of rest)
      await setTaxonomyItemArchived(t.db, { actorId: admin.id, actorRole: "admin", kind: "cluster", ref: { slug }, archived: false });

    // An unused item the admin added can be deleted (the page offers it).
    expect((await post({ intent: "add", kind: "cluster", slug: "typo-clustr", nameEn: "Typo", nameUr: "غلطی" })).status).toBe(303);
    expect(row((await adminClient.get("/admin/taxonomy")).text, "cluster", "typo-clustr")).toMatch(/value="delete"/);
    const deleted = await post({ intent: "delete", kind: "cluster", slug: "typo-clustr" });
    expect(deleted.status).toBe(303);
    expect(rowSlugs((await adminClient.get(deleted.location!)).text, "cluster")).not.toContain("typo-clustr");
  });

  it("malformed requests: 4xx, never 500", async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { intent: "explode", kind: "category", slug: "tax-relief" },
      { intent: "add", kind: "planet", slug: "mars", nameEn: "Mars", nameUr: "مریخ" },
      { intent: "add", kind: "stage", slug: "design", nameEn: "Design", nameUr: "ڈیزائن" },
      { intent: "archive", kind: "stage", slug: "finance" },
      { intent: "delete", kind: "stage", slug: "finance" },
      { intent: "rename", kind: "category", id: "abc", nameEn: "X", nameUr: "ایکس" },
      { intent: "rename", kind: "category", id: "99999999999999", nameEn: "X", nameUr: "ایکس" },
      { intent: "rename", kind: "stage", id: "1", nameEn: "X", nameUr: "ایکس" },
      { intent: "move", kind: "category", slug: "tax-relief" },
      { intent: "move", kind: "category", slug: "tax-relief", direction: "sideways" },
      { intent: "archive", kind: "category" },
      { intent: "archive", kind: "category", slug: "../../etc" },
    ];
    for (const form of cases) {
      const res = await post(form);
      expect(res.status, JSON.stringify(form)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(form)).toBeLessThan(500);
    }
    expect((await post({ intent: "add", kind: "stage", slug: "design", nameEn: "Design", nameUr: "ڈیزائن" })).status).toBe(400);
    expect(pageText((await post({ intent: "archive", kind: "stage", slug: "finance" })).text)).toContain(
      en.admin.taxonomy.refused.fixedStages,
    );
    const json = await adminClient.request("/admin/taxonomy", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json", Origin: server.url },
    });
    expect(json.status).toBe(415);
    expect(server.output()).not.toMatch(/"status":5\d\d/);
  });
});
