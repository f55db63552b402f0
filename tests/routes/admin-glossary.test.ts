// /admin/glossary over real HTTP against the built server, posted as a browser
// without JavaScript posts it: an admin adds a group of equivalent terms (the
// cluster page's search and the similar-suggestions hint use it at once),
// edits it from a link, and deletes it. Only admins; bad input 400 with what
// was typed kept and nothing changed; a term already in another group 409,
// naming the group; unknown groups 404; never a 500.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, decodeEntities, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";

/** The text of the textarea with this id, decoded, or null. */
function textareaById(html: string, id: string): string | null {
  const m = html.match(new RegExp(`<textarea[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</textarea>`));
  return m ? decodeEntities(m[1]) : null;
}

/** The group ids listed on the page, in order. */
function groupIds(html: string): number[] {
  return [...html.matchAll(/<tr id="group-(\d+)"/g)].map((m) => Number(m[1]));
}

describe(`/admin/glossary over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let admin: MadeUser;
  let adminClient: Client;
  let urduSuggestion: number;
  const groups = () => t.db.selectFrom("glossary_groups").selectAll().orderBy("id").execute();
  const terms = () => t.db.selectFrom("glossary_terms").selectAll().orderBy("id").execute();
  const audits = (action: string) => t.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();
  const post = (form: Record<string, string>) => adminClient.post("/admin/glossary", form);
  const clusterSearch = async (q: string) => {
    const res = await new Client(server.url).get(`/clusters/leather?${new URLSearchParams({ q })}`);
    expect(res.status).toBe(200);
    return res.text;
  };

  beforeAll(async () => {
    admin = await makeUser(t.db, { role: "admin" });
    adminClient = await signedIn(server.url, admin);
    const moderator = await makeUser(t.db, { role: "moderator" });
    urduSuggestion = await makePublishedSubmission(t.db, {
      authorId: (await makeUser(t.db)).id,
      moderatorId: moderator.id,
      input: {
        cluster: "leather",
        title: "جوتوں کے لیے سستا گوند",
        problem: "جوتوں کے اوپری حصے کے لیے درآمدی گوند پچھلے سال سے تین گنا مہنگا ہے۔",
        proposal: "جوتا ساز اپنی انجمن کے ذریعے مل کر گوند خریدیں تاکہ قیمت کم ہو۔",
      },
    });
  });

  it("only admins: a visitor is sent to sign in; other roles get 403 on GET and POST; nothing changes", async () => {
    const before = await terms();
    const visitor = await new Client(server.url).get("/admin/glossary");
    expect([302, 303]).toContain(visitor.status);
    expect(visitor.location).toMatch(/^\/login\?redirectTo=%2Fadmin%2Fglossary/);
    const visitorPost = await new Client(server.url).post("/admin/glossary", { intent: "create", termsEn: "glue", termsUr: "گوند" });
    expect(visitorPost.location).toMatch(/^\/login/);
    for (const role of ["stakeholder", "moderator", "organiser"] as const) {
      const client = await signedIn(server.url, await makeUser(t.db, { role }));
      expect((await client.get("/admin/glossary")).status, role).toBe(403);
      expect((await client.post("/admin/glossary", { intent: "create", termsEn: "glue", termsUr: "گوند" })).status, role).toBe(403);
      expect((await client.post("/admin/glossary", { intent: "delete", id: String(before[0].group_id) })).status, role).toBe(403);
    }
    expect(await terms()).toEqual(before);
    expect(await audits("glossary.create")).toHaveLength(0);
  });

  it("lists the starter set in an accessible table, is linked from the admin page, and has labelled bilingual fields", async () => {
    const index = await adminClient.get("/admin");
    expect(index.text).toContain('href="/admin/glossary"');
    const page = await adminClient.get("/admin/glossary");
    expect(page.status).toBe(200);
    expect(groupIds(page.text).length).toBe((await groups()).length);
    expect(pageText(page.text)).toContain("ٹیکس");
    expect(page.text).toMatch(/<th scope="col">/);
    for (const id of ["glossary-create-termsEn", "glossary-create-termsUr"]) expect(page.text).toContain(`<label for="${id}"`);
    expect(page.text).toMatch(/<textarea[^>]*id="glossary-create-termsUr"[^>]*>|<textarea[^>]*lang="ur"[^>]*id="glossary-create-termsUr"/);
    expect(page.text.match(/<textarea[^>]*id="glossary-create-termsUr"[^>]*>/)?.[0] ?? page.text).toMatch(/dir="rtl"/);
  });

  it("an admin adds a group: the cluster search and the similar hint find the Urdu suggestion for the English word at once", async () => {
    expect(await clusterSearch("glue")).not.toContain(`/submissions/${urduSuggestion}"`);
    const res = await post({ intent: "create", termsEn: "glue, adhesive", termsUr: "گوند" });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/admin\/glossary\?done=create#group-\d+$/);
    const page = await adminClient.get(res.location!);
    expect(pageText(page.text)).toContain(en.admin.glossary.done.create);
    expect(await clusterSearch("glue")).toContain(`/submissions/${urduSuggestion}"`);
    const similar = await new Client(server.url).get(`/submissions/similar?${new URLSearchParams({ title: "Cheaper glue for shoes" })}`);
    expect(similar.status).toBe(200);
    expect(similar.text).toContain(String(urduSuggestion));
    const [a] = await audits("glossary.create");
    expect(a).toMatchObject({ actor_id: admin.id, target_type: "glossary" });
    expect(JSON.parse(a.after!)).toEqual({ en: ["glue", "adhesive"], ur: ["گوند"] });
  });

  it("refuses a term already in another group with 409, naming it and linking its group; nothing changes", async () => {
    const before = await terms();
    const res = await post({ intent: "create", termsEn: "levy, Taxes", termsUr: "محصول" });
    expect(res.status).toBe(409);
    const text = pageText(res.text);
    expect(text).toContain(en.admin.glossary.refused.duplicate);
    expect(text).toContain("“Taxes”");
    const taxGroup = before.find((x) => x.term === "tax")!.group_id;
    expect(res.text).toContain(`href="/admin/glossary?edit=${taxGroup}#edit"`);
    // what was typed is kept
    expect(textareaById(res.text, "glossary-create-termsEn")).toBe("levy, Taxes");
    expect(await terms()).toEqual(before);
  });

  it("answers bad input with 400 and the reason, keeps what was typed, and changes nothing", async () => {
    const before = await terms();
    const one = await post({ intent: "create", termsEn: "solo", termsUr: "" });
    expect(one.status).toBe(400);
    expect(pageText(one.text)).toContain(en.admin.glossary.errors.tooFew);
    const script = await post({ intent: "create", termsEn: "cow", termsUr: "cow" });
    expect(script.status).toBe(400);
    expect(pageText(script.text)).toContain(en.admin.glossary.errors.urduScript);
    expect(textareaById(script.text, "glossary-create-termsEn")).toBe("cow");
    expect((await post({ intent: "update", id: "abc", termsEn: "cow", termsUr: "گائے" })).status).toBe(400);
    expect((await post({ intent: "delete", id: "2147483648" })).status).toBe(400);
    expect((await post({ intent: "rename", id: "1" })).status).toBe(400);
    expect((await post({ intent: "update", id: "99999999", termsEn: "cow", termsUr: "گائے" })).status).toBe(404);
    expect((await post({ intent: "delete", id: "99999999" })).status).toBe(404);
    expect((await adminClient.get("/admin/glossary?edit=99999999")).status).toBe(404);
    expect((await adminClient.get("/admin/glossary?edit=abc")).status).toBe(404);
    expect(await terms()).toEqual(before);
  });

  it("edits a group from a link (no JavaScript) and deletes it; the search follows each change", async () => {
    const id = (await terms()).find((x) => x.term === "glue")!.group_id;
    const form = await adminClient.get(`/admin/glossary?edit=${id}`);
    expect(form.status).toBe(200);
    expect(textareaById(form.text, `glossary-edit-${id}-termsEn`)).toBe("glue, adhesive");
    expect(textareaById(form.text, `glossary-edit-${id}-termsUr`)).toBe("گوند");
    const saved = await post({ intent: "update", id: String(id), termsEn: "adhesive", termsUr: "گوند" });
    expect(saved.status).toBe(303);
    expect(await clusterSearch("glue")).not.toContain(`/submissions/${urduSuggestion}"`);
    expect(await clusterSearch("adhesive")).toContain(`/submissions/${urduSuggestion}"`);
    const deleted = await post({ intent: "delete", id: String(id) });
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe("/admin/glossary?done=delete");
    expect(await clusterSearch("adhesive")).not.toContain(`/submissions/${urduSuggestion}"`);
    expect((await terms()).some((x) => x.group_id === id)).toBe(false);
    expect((await audits("glossary.update")).length).toBe(1);
    expect((await audits("glossary.delete")).length).toBe(1);
  });
});
