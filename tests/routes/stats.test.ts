// /stats and /stats.csv over real HTTP (issue 16, item 6): public, in English
// and Urdu, charts and tables with the same figures, CSV downloads of each
// table; a figure fewer than 5 people stand behind never appears; an unknown
// table is a 400.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import ur from "~/locales/ur.json";
import { supportSubmission } from "~/models/support.server";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { Client, pageText } from "../support/http";
import { useServer } from "../support/suite";

const org = (province: string) => ({
  name: `Stats Route Organisation ${randomBytes(3).toString("hex")}`,
  type: "association" as const,
  sizeBand: "medium" as const,
  city: "Quetta",
  province,
  clusterSlug: "leather",
});

describe(`/stats over HTTP (${testDialect})`, () => {
  const { server } = useServer({ seed });

  async function seed(t: TestDb) {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const author = await makeUser(t.db, { organisation: org("punjab") });
    const id = await makePublishedSubmission(t.db, { authorId: author.id, moderatorId: moderator.id });
    // Eight supporters in Punjab, six in Sindh, two in Balochistan (too few to show).
    for (let i = 0; i < 8; i++) {
      const p = await makeUser(t.db, { organisation: org("punjab") });
      await supportSubmission(t.db, { submissionId: id, userId: p.id });
    }
    for (let i = 0; i < 6; i++) {
      const p = await makeUser(t.db, { organisation: org("sindh") });
      await supportSubmission(t.db, { submissionId: id, userId: p.id });
    }
    for (let i = 0; i < 2; i++) {
      const p = await makeUser(t.db, { organisation: org("balochistan") });
      await supportSubmission(t.db, { submissionId: id, userId: p.id });
    }
  }

  it("shows every breakdown as a chart and a table, without signing in, with small figures held back", async () => {
    const res = await new Client(server.url).get("/stats");
    expect(res.status).toBe(200);
    const text = pageText(res.text);
    for (const heading of Object.values(en.stats.by)) expect(text).toContain(heading);
    // A bar chart per breakdown (one week of activity: no line yet).
    expect(res.text.match(/<svg/g)?.length).toBe(4);
    expect(res.text).toContain('id="stats-province"');
    expect(text).toContain(en.stats.suppressed.replace("{{n}}", "5"));
    // Balochistan's 2 participants are held back, and so is Sindh's 6 (the total less the rest would give 2).
    const province = res.text.slice(res.text.indexOf('id="stats-province"'));
    const table = province.slice(0, province.indexOf("</table>"));
    expect(table).toContain(en.province.balochistan);
    expect(table).not.toMatch(/>2</);
    expect(text).not.toContain("Stats Route Organisation");
    expect(res.text).toContain('href="/stats.csv?table=province"');
  });

  it("is in Urdu for an Urdu reader", async () => {
    const res = await new Client(server.url).get("/stats", { "Accept-Language": "ur-PK,ur;q=0.9" });
    expect(res.status).toBe(200);
    expect(pageText(res.text)).toContain(ur.stats.title);
    expect(res.text).toMatch(/<html[^>]*dir="rtl"/);
  });

  it('downloads each table as CSV, with "<5" for a held-back figure', async () => {
    for (const table of ["cluster", "province", "size", "type", "week"]) {
      const res = await new Client(server.url).get(`/stats.csv?table=${table}`);
      expect(res.status, table).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    }
    const res = await new Client(server.url).get("/stats.csv?table=province");
    const lines = res.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("group,label_en,label_ur,participants,organisations,suggestions,supports");
    const baloch = lines.find((l) => l.startsWith("balochistan,"));
    expect(baloch).toContain("<5");
    expect(lines.find((l) => l.startsWith("sindh,"))!.split(",")[3]).toBe("<5");
    const punjab = lines.find((l) => l.startsWith("punjab,"))!;
    // 9 people (the author and 8 supporters): shown.
    expect(punjab.split(",")[3]).toBe("9");
  });

  it("an unknown or missing table is a 400, never a 500", async () => {
    for (const q of ["", "?table=people", "?table=%00", "?table[]=week"]) {
      const res = await new Client(server.url).get(`/stats.csv${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});
