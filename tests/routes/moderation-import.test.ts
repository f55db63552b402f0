// Workshop entry and CSV import over real HTTP against the built server:
// who may, the multipart upload as a browser without JavaScript sends it,
// refusals as 4xx pages with the problems named, never a 500.
import { beforeAll, describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { MAX_IMPORT_BYTES } from "~/lib/import-format";
import { testDialect } from "../support/db";
import { makeUser, type MadeUser } from "../support/factories";
import { importCsv, importRow } from "../support/import-csv";
import { Client, formHtml, inputValue, pageText, signedIn } from "../support/http";
import { useServer } from "../support/suite";
import { attr, controlTag, fieldBlock, selectedOption, textareaValue } from "../support/pages";

const SUGGESTION = {
  cluster: "leather",
  title: "Common finishing unit for small tanneries",
  problem: "Small tanneries send hides to Lahore for finishing and lose weeks on every order.",
  proposal: "Set up a common finishing unit in Kasur with equipment leased to members by the hour.",
  expectedImpact: "",
  stage: "",
  suggestedCategory: "",
  horizon: "",
};

/** The import form as a browser sends it: the file part, and the dry-run box when ticked. */
function uploadForm(file: string | Uint8Array<ArrayBuffer>, options: { name?: string; dryRun?: boolean } = {}): FormData {
  const form = new FormData();
  form.append("file", new Blob([file], { type: "text/csv" }), options.name ?? "workshop.csv");
  if (options.dryRun) form.append("dryRun", "on");
  return form;
}

describe(`workshop entry and CSV import over HTTP (${testDialect})`, () => {
  const { t, server } = useServer();
  let moderator: MadeUser;
  let mod: Client;
  let stakeholder: Client;

  beforeAll(async () => {
    moderator = await makeUser(t.db, { role: "moderator" });
    mod = await signedIn(server.url, moderator);
    stakeholder = await signedIn(server.url, await makeUser(t.db));
  });

  const count = async (table: "submissions" | "organisations", source?: "import" | "workshop") => {
    let q = t.db.selectFrom(table as "submissions").select((eb) => eb.fn.countAll<number>().as("n"));
    if (source) q = q.where("source", "=", source);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  /** What an import or an entry writes (a refused request only leaves a security event in the audit log). */
  const counts = async () => ({
    submissions: await count("submissions"),
    organisations: await count("organisations"),
    audit: Number(
      (
        await t.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("action", "like", "submission.%")
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });

  describe("who may", () => {
    it("a signed-out visitor is sent to sign in, for every page and post", async () => {
      const visitor = new Client(server.url);
      for (const path of ["/moderation/import", "/moderation/workshop", "/moderation/import/template.csv"]) {
        const res = await visitor.get(path);
        expect([302, 303], path).toContain(res.status);
        expect(res.location).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
      }
      const before = await counts();
      const upload = await visitor.postMultipart("/moderation/import", uploadForm(importCsv([importRow()])));
      expect([302, 303]).toContain(upload.status);
      expect(upload.location).toMatch(/^\/login\?redirectTo=/);
      const entry = await visitor.post("/moderation/workshop", { ...SUGGESTION, organisationName: "Visitor Org" });
      expect([302, 303]).toContain(entry.status);
      expect(await counts()).toEqual(before);
    });

    it("a stakeholder gets 403 on GET and POST, and nothing is written", async () => {
      for (const path of ["/moderation/import", "/moderation/workshop", "/moderation/import/template.csv"]) {
        expect((await stakeholder.get(path)).status, path).toBe(403);
      }
      const before = await counts();
      expect((await stakeholder.postMultipart("/moderation/import", uploadForm(importCsv([importRow()])))).status).toBe(403);
      const entry = await stakeholder.post("/moderation/workshop", {
        ...SUGGESTION,
        organisationName: "Stakeholder Org",
        organisationType: "firm",
        sizeBand: "small",
        city: "Sialkot",
        province: "punjab",
        intent: "submit",
      });
      expect(entry.status).toBe(403);
      expect(await counts()).toEqual(before);
    });

    it("a cross-site upload is refused with 403", async () => {
      const before = await counts();
      const res = await mod.postMultipart("/moderation/import", uploadForm(importCsv([importRow()])), { Origin: "https://evil.example" });
      expect(res.status).toBe(403);
      expect(await counts()).toEqual(before);
    });
  });

  describe("/moderation/import", () => {
    it("shows a multipart form that works without JavaScript, the columns, and the template", async () => {
      const res = await mod.get("/moderation/import");
      expect(res.status).toBe(200);
      const form = formHtml(res.text, "import");
      expect(form).toMatch(/^<form[^>]*method="post"/);
      expect(form.match(/^<form[^>]*>/)![0]).toMatch(/\senctype="multipart\/form-data"/i);
      const file = controlTag(form, "file");
      expect(attr(file, "type")).toBe("file");
      expect(attr(file, "accept")).toBe(".csv,text/csv");
      expect(form).toContain(`for="${attr(file, "id")}"`);
      expect(attr(controlTag(form, "dryRun"), "type")).toBe("checkbox");
      const text = pageText(res.text);
      for (const column of ["cluster", "title", "problem", "proposal", "expected_impact", "organisation", "city", "province", "stage"]) {
        expect(res.text).toContain(`<code>${column}</code>`);
      }
      expect(text).toContain(en.import.title);
      expect(res.text).toContain('href="/moderation/import/template.csv"');
      expect(res.text).toContain('href="/moderation/workshop"');
    });

    it("serves the template: UTF-8 with BOM, an attachment, the contract's header", async () => {
      const res = await fetch(`${server.url}/moderation/import/template.csv`, {
        headers: { Cookie: [...mod.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv; ?charset=utf-8/i);
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[a-z0-9.-]+\.csv"$/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.subarray(3).toString("utf8").split("\r\n")[0]).toBe(
        "cluster,title,problem,proposal,expected_impact,organisation,city,province,stage",
      );
    });

    it("a valid file: 303 to the confirmation, every row pending in the queue", async () => {
      const before = await count("submissions", "import");
      const rows = [
        importRow({ title: "درآمد شدہ تجویز: چمڑے کی صفائی کا مشترکہ پلانٹ" }),
        importRow({ cluster: "it", problem: 'Quoted "problem", with a comma\nand a second line of text.' }),
      ];
      const res = await mod.postMultipart("/moderation/import", uploadForm(importCsv(rows, { bom: true, newline: "\r\n" })));
      expect(res.status, pageText(res.text).slice(0, 400)).toBe(303);
      expect(res.location).toBe("/moderation/import?imported=2");
      const imported = await t.db
        .selectFrom("submissions")
        .selectAll()
        .where("source", "=", "import")
        .orderBy("id", "desc")
        .limit(2)
        .execute();
      expect(await count("submissions", "import")).toBe(before + 2);
      expect(imported.map((s) => [s.status, s.author_id, s.title]).reverse()).toEqual([
        ["pending", null, rows[0].title],
        ["pending", null, rows[1].title],
      ]);
      const confirmation = await mod.get(res.location!);
      expect(confirmation.status).toBe(200);
      expect(pageText(confirmation.text)).toContain("2 suggestions imported, waiting in the queue.");
      // The moderator sees it like any pending suggestion.
      const page = await mod.get(`/submissions/${imported[0].id}`);
      expect(page.status).toBe(200);
      expect(pageText(page.text)).toContain(en.source.import);
    });

    it("a dry run: 200 with what would be imported, nothing written", async () => {
      const before = await counts();
      const res = await mod.postMultipart(
        "/moderation/import",
        uploadForm(importCsv([importRow(), importRow(), importRow()]), { dryRun: true, name: "check-me.csv" }),
      );
      expect(res.status).toBe(200);
      const text = pageText(res.text);
      expect(text).toContain("check-me.csv");
      expect(text).toContain("Check passed: 3 rows are valid. Nothing was imported.");
      expect(await counts()).toEqual(before);
    });

    it("a bad file: 400 with each bad row named by line and column in a table, nothing imported", async () => {
      const before = await counts();
      const rows = [
        importRow(),
        importRow({ title: "Too short" }),
        importRow({ organisation: `Never made ${Date.now()}`, province: "atlantis" }),
      ];
      const res = await mod.postMultipart("/moderation/import", uploadForm(importCsv(rows), { name: "bad.csv" }));
      expect(res.status).toBe(400);
      expect(await counts()).toEqual(before);
      const table = res.text.match(/<table id="import-problems">[\s\S]*?<\/table>/)?.[0] ?? "";
      const cells = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
        .slice(1)
        .map((m) => [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => pageText(c[1])));
      expect(cells).toEqual([
        ["3", "title", en.errors.tooShort_other.replace("{{count}}", "10")],
        ["4", "province", en.import.errors.province],
      ]);
      const text = pageText(res.text);
      expect(text).toContain(en.import.refusedTitle);
      expect(text).toContain(en.import.refused.invalid);
      expect(text).toContain("bad.csv");
    });

    it("a header without the contract's columns: 400 naming them", async () => {
      const res = await mod.postMultipart("/moderation/import", uploadForm("cluster,title,summary\nleather,A title long enough,x\n"));
      expect(res.status).toBe(400);
      const text = pageText(res.text);
      expect(text).toContain(en.import.refused.columns);
      for (const column of ["summary", "problem", "proposal", "expected_impact", "organisation", "city", "province", "stage"])
        expect(text).toContain(column);
    });

    it("a file over 5 MB: 413 with a message (not a 500), nothing imported", async () => {
      const before = await counts();
      const big = Buffer.concat([Buffer.from(importCsv([importRow()])), Buffer.alloc(MAX_IMPORT_BYTES, "\n")]);
      const res = await mod.postMultipart("/moderation/import", uploadForm(big));
      expect(res.status).toBe(413);
      expect(pageText(res.text)).toContain(en.import.refused.tooLarge.replace("{{mb}}", "5"));
      // Over the server's cap for this address: refused before it is read, still a 413.
      const huge = await mod.postMultipart("/moderation/import", uploadForm(Buffer.alloc(7 * 1024 * 1024, "a")));
      expect(huge.status).toBe(413);
      expect(await counts()).toEqual(before);
    });

    it("a refused upload reaches the client as its 413 page every time, never a reset connection", async () => {
      // The server used to answer while the client was still sending and then
      // close the socket with bytes unread: now and then the client saw EPIPE.
      const big = Buffer.concat([Buffer.from(importCsv([importRow()])), Buffer.alloc(MAX_IMPORT_BYTES, "\n")]);
      const huge = Buffer.alloc(7 * 1024 * 1024, "a");
      const statuses: number[] = [];
      for (let round = 0; round < 15; round++) {
        for (const file of [big, huge]) statuses.push((await mod.postMultipart("/moderation/import", uploadForm(file))).status);
      }
      expect(statuses).toEqual(Array(30).fill(413));
    });

    it("no file, a form that is not multipart, a file that is not UTF-8: 4xx with a message", async () => {
      const empty = new FormData();
      empty.append("file", new Blob([]), "");
      const none = await mod.postMultipart("/moderation/import", empty);
      expect(none.status).toBe(400);
      expect(pageText(none.text)).toContain(en.import.refused.noFile);
      const plain = await mod.post("/moderation/import", { file: "cluster,title" });
      expect(plain.status).toBe(415);
      expect(pageText(plain.text)).toContain(en.import.refused.noFile);
      const latin1 = await mod.postMultipart(
        "/moderation/import",
        uploadForm(Buffer.from(importCsv([importRow({ city: "Mult\u00e2n" })]), "latin1")),
      );
      expect(latin1.status).toBe(400);
      expect(pageText(latin1.text)).toContain("The file is not UTF-8 text.");
    });
  });

  describe("/moderation/workshop", () => {
    const workshopForm = (overrides: Record<string, string> = {}) => ({
      ...SUGGESTION,
      organisationQuery: "",
      organisationId: "",
      organisationName: "",
      organisationType: "",
      sizeBand: "",
      city: "",
      province: "",
      intent: "submit",
      ...overrides,
    });

    it("shows the suggestion form's fields and the organisation fields", async () => {
      const res = await mod.get("/moderation/workshop");
      expect(res.status).toBe(200);
      const form = formHtml(res.text, "workshop");
      expect(form).toMatch(/^<form[^>]*method="post"/);
      for (const name of [
        "cluster",
        "title",
        "problem",
        "proposal",
        "expectedImpact",
        "stage",
        "suggestedCategory",
        "horizon",
        "organisationId",
        "organisationName",
        "organisationType",
        "sizeBand",
        "city",
        "province",
        "organisationQuery",
      ]) {
        const id = attr(controlTag(form, name), "id");
        expect(id, name).toBeTruthy();
        expect(form, name).toContain(`for="${id}"`);
      }
      expect(res.text).toContain('href="/moderation/import"');
    });

    it("with errors: 400, each error next to its field, a summary, the values kept", async () => {
      const before = await counts();
      const res = await mod.post(
        "/moderation/workshop",
        workshopForm({ title: "Too short", organisationName: "Lahore Leather Guild", city: "Lahore", stage: "finance" }),
      );
      expect(res.status).toBe(400);
      const form = formHtml(res.text, "workshop");
      const expectFieldError = (name: string, message: string) => {
        const block = fieldBlock(form, name);
        expect(pageText(block), name).toContain(message);
        expect(attr(controlTag(block, name), "aria-invalid"), name).toBe("true");
      };
      expectFieldError("title", en.errors.tooShort_other.replace("{{count}}", "10"));
      for (const name of ["organisationType", "sizeBand", "province"]) expectFieldError(name, en.errors.required);
      for (const name of ["problem", "organisationName", "city"])
        expect(fieldBlock(form, name), name).not.toContain('class="field-errors"');
      const summary = res.text.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0] ?? "";
      expect(pageText(summary)).toContain(en.form.errorSummary);
      expect(summary).toContain(`href="#${attr(controlTag(form, "title"), "id")}"`);
      expect(summary).toContain(`href="#${attr(controlTag(form, "province"), "id")}"`);
      expect(inputValue(form, "title")).toBe("Too short");
      expect(textareaValue(form, "problem")).toBe(SUGGESTION.problem);
      expect(inputValue(form, "organisationName")).toBe("Lahore Leather Guild");
      expect(inputValue(form, "city")).toBe("Lahore");
      expect(selectedOption(form, "cluster")).toBe("leather");
      expect(selectedOption(form, "stage")).toBe("finance");
      expect(await counts()).toEqual(before);
    });

    it("finds organisations of the cluster by name without JavaScript, keeping what was typed", async () => {
      const name = `Kasur Finishing House ${Date.now()}`;
      const known = await makeUser(t.db, {
        organisation: { name, type: "firm", sizeBand: "small", city: "Kasur", province: "punjab", clusterSlug: "leather" },
      });
      const res = await mod.post(
        "/moderation/workshop",
        workshopForm({ intent: "find", organisationQuery: name.slice(0, 20).toUpperCase(), title: "Typed before searching" }),
      );
      expect(res.status).toBe(200);
      const form = formHtml(res.text, "workshop");
      expect(form).toContain(`<option value="${known.organisationId}">`);
      expect(inputValue(form, "title")).toBe("Typed before searching");
      expect(form).not.toContain('class="field-errors"');
    });

    it("for a known organisation: 303, a pending workshop suggestion on its behalf", async () => {
      const name = `Sialkot Saddlery ${Date.now()}`;
      const known = await makeUser(t.db, {
        organisation: { name, type: "firm", sizeBand: "medium", city: "Sialkot", province: "punjab", clusterSlug: "leather" },
      });
      const res = await mod.post(
        "/moderation/workshop",
        workshopForm({ organisationId: String(known.organisationId), organisationName: "ignored when one is chosen" }),
      );
      expect(res.status, pageText(res.text).slice(0, 400)).toBe(303);
      const id = Number(res.location?.match(/^\/moderation\/workshop\?entered=(\d+)$/)?.[1]);
      expect(id).toBeGreaterThan(0);
      const row = await t.db.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        status: "pending",
        source: "workshop",
        author_id: null,
        organisation_id: known.organisationId,
        title: SUGGESTION.title,
      });
      const confirmation = await mod.get(res.location!);
      expect(pageText(confirmation.text)).toContain(`Suggestion #${id} was entered.`);
      expect(confirmation.text).toContain(`href="/moderation/submissions/${id}"`);
    });

    it("for a new organisation: 303, the organisation created; a second time with that name: 400, choose it", async () => {
      const name = `Peshawar Leather Makers ${Date.now()}`;
      const newOrg = {
        organisationName: name,
        organisationType: "association",
        sizeBand: "micro",
        city: "Peshawar",
        province: "khyber-pakhtunkhwa",
      };
      const res = await mod.post("/moderation/workshop", workshopForm(newOrg));
      expect(res.status, pageText(res.text).slice(0, 400)).toBe(303);
      const org = await t.db.selectFrom("organisations").selectAll().where("name", "=", name).executeTakeFirstOrThrow();
      expect(org).toMatchObject({ type: "association", size_band: "micro", city: "Peshawar", province: "khyber-pakhtunkhwa" });

      const before = await counts();
      const again = await mod.post("/moderation/workshop", workshopForm(newOrg));
      expect(again.status).toBe(400);
      const form = formHtml(again.text, "workshop");
      expect(pageText(fieldBlock(form, "organisationName"))).toContain(en.workshop.errors.organisationExists);
      // The known one is offered in the list.
      expect(form).toContain(`<option value="${org.id}">`);
      expect(await counts()).toEqual(before);
    });
  });
});
