// React 18.3.1's server renderer writes its whole 2,048-byte buffer when a
// string does not fit in what is left of it, even though TextEncoder.encodeInto
// stopped before a multi-byte character: the unused tail (1-2 bytes) goes out
// as NUL bytes. Urdu text is all multi-byte, so Urdu pages carried stray NULs:
// dropped by the browser in text, but turned into U+FFFD inside attribute
// values (a form field's value, a title), so an Urdu edit form could send
// corrupted text back. The page stream now drops them (`appendAtEnd` in
// app/lib/i18n-page.server.ts). This test reads the raw bytes of Urdu pages full of short
// Urdu strings and requires not one NUL and valid UTF-8.
import { describe, expect, it } from "vitest";
import { testDialect, type TestDb } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { useServer } from "../support/suite";

describe(`Urdu pages are valid UTF-8 without NUL bytes (${testDialect})`, () => {
  const { server } = useServer({ env: { PAGE_CACHE_SECONDS: "0" }, seed });
  const ids: number[] = [];

  /** What the server finds when it starts. */
  async function seed(t: TestDb) {
    const author = await makeUser(t.db);
    const moderator = await makeUser(t.db, { role: "moderator" });
    for (let i = 0; i < 24; i++) {
      ids.push(
        await makePublishedSubmission(t.db, {
          authorId: author.id,
          moderatorId: moderator.id,
          input: {
            title: `چمڑے کی برآمد پر ٹیکس میں چھوٹ ${"ب".repeat(i % 7)} نمبر ${i}`,
            problem: `درآمد شدہ کیمیکلز پر ڈیوٹی ${"ی".repeat(i)} برآمد کنندگان کو مہنگی پڑتی ہے اور مقابلہ مشکل ہو جاتا ہے۔`,
            proposal: `برآمدی ترسیل کے تیس دن کے اندر ڈیوٹی واپس کی جائے ${"ں".repeat(i % 5)}۔`,
          },
        }),
      );
    }
  }

  async function rawPage(path: string): Promise<Buffer> {
    const res = await fetch(server.url + path, { headers: { Cookie: "lng=ur" } });
    expect(res.status, path).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }

  it("cluster pages and suggestion pages in Urdu", async () => {
    const paths = [
      "/",
      "/clusters/leather",
      "/clusters/leather?sort=newest",
      "/clusters/leather?page=2",
      ...ids.slice(0, 6).map((id) => `/submissions/${id}`),
    ];
    const problems: string[] = [];
    for (const path of paths) {
      const bytes = await rawPage(path);
      const nul = bytes.indexOf(0);
      if (nul >= 0) problems.push(`${path}: NUL at byte ${nul} of ${bytes.length}`);
      if (bytes.toString("utf8").includes("\ufffd")) problems.push(`${path}: invalid UTF-8`);
    }
    expect(problems).toEqual([]);
  });
});
