// Pages go over the wire as one gzip stream of whole blocks, not a block per
// streamed chunk (server/send-response.ts): for readers on slow mobile links
// the compressed page must be about as small as gzip can make it, whether it
// was just rendered (a signed-in reader) or came from the page cache. Over
// real HTTP against the built server (run `npm run build` first).
import http from "node:http";
import zlib from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestDb } from "../support/db";
import { makePublishedSubmission, makeUser, type MadeUser } from "../support/factories";
import { Client, SESSION_COOKIE, signIn } from "../support/http";
import { useServer } from "../support/suite";

const { server } = useServer({ seed });
let reader: MadeUser;
let sessionCookie = "";

/** What the server finds when it starts: twenty published suggestions in one cluster. */
async function seed(t: TestDb) {
  const author = await makeUser(t.db);
  const moderator = await makeUser(t.db, { role: "moderator" });
  reader = await makeUser(t.db);
  for (let i = 0; i < 20; i++) {
    await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: moderator.id,
      input: { title: `Export finance window number ${i} for tanneries` },
    });
  }
}

/** The raw (still compressed) bytes of a GET with Accept-Encoding: gzip. */
function rawGet(path: string, cookie?: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(server.url + path, { headers: { "Accept-Encoding": "gzip", ...(cookie ? { Cookie: cookie } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

describe("compressed pages", () => {
  beforeAll(async () => {
    const client = new Client(server.url);
    await signIn(client, reader.email, reader.password);
    sessionCookie = `${SESSION_COOKIE}=${client.cookies.get(SESSION_COOKIE)}`;
  }, 120_000);

  for (const who of ["anonymous (first render, then kept)", "anonymous (from the page cache)", "signed in (rendered every time)"]) {
    it(`${who}: within 5 % of gzip over the whole page`, async () => {
      const { encoding, body } = await rawGet("/clusters/leather?sort=top", who.startsWith("signed") ? sessionCookie : undefined);
      expect(encoding).toBe("gzip");
      const html = zlib.gunzipSync(body);
      expect(html.toString("utf8")).toContain("Export finance window number 7");
      const best = zlib.gzipSync(html).length;
      expect(body.length).toBeLessThan(best * 1.05);
    });
  }
});
