// `npm run cli -- export:submissions`: the command line writes the same bytes
// as the organisers' web export (CSV, compared whole), to a file or stdout;
// an unknown cluster is refused with exit 1.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeUser } from "../support/factories";
import { signIn } from "../support/http";
import { Client } from "../support/http";
import { useServer } from "../support/suite";

const ROOT = path.resolve(__dirname, "../..");

function cli(databaseUrl: string, ...args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: databaseUrl, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

describe(`export:submissions (${testDialect})`, { timeout: 120_000 }, () => {
  const { t, server } = useServer();
  let organiser: Client;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mashwara-export-"));

  beforeAll(async () => {
    const moderator = await makeUser(t.db, { role: "moderator" });
    const author = await makeUser(t.db, { showOrganisation: false });
    const org = await makeUser(t.db, { role: "organiser" });
    for (const [i, title] of [
      'Duty drawback, "fast" for exporters',
      "=cmd|' /C calc'!A0 in a title",
      "چمڑے کی برآمد کے لیے ڈیوٹی کی واپسی",
    ].entries()) {
      await makePublishedSubmission(t.db, {
        authorId: author.id,
        moderatorId: moderator.id,
        input: { title, cluster: i === 2 ? "it" : "leather" },
      });
    }
    organiser = new Client(server.url);
    expect((await signIn(organiser, org.email, org.password)).status).toBe(302);
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const webBytes = async (query: string) => {
    const res = await fetch(`${server.url}/exports/submissions.csv${query}`, {
      headers: { Cookie: [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };

  it("--format csv --out FILE writes exactly the bytes of the web CSV", async () => {
    const file = path.join(dir, "all.csv");
    const r = await cli(t.url, "export:submissions", "--format", "csv", "--out", file);
    expect(r.code, r.stderr).toBe(0);
    const web = await webBytes("");
    expect(fs.readFileSync(file).equals(web)).toBe(true);
    expect(web.toString("utf8")).toContain("'=cmd|");
  });

  it("--cluster narrows it the same way as ?cluster=, and without --out it writes to stdout", async () => {
    const r = await cli(t.url, "export:submissions", "--format", "csv", "--cluster", "it");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.equals(await webBytes("?cluster=it"))).toBe(true);
    expect(r.stdout.toString("utf8")).toContain("چمڑے کی برآمد");
  });

  it("json and xlsx formats; an unknown cluster or format is refused with exit 1", async () => {
    const json = await cli(t.url, "export:submissions", "--format", "json");
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout.toString("utf8"))).toHaveLength(3);
    const xlsx = path.join(dir, "s.xlsx");
    expect((await cli(t.url, "export:submissions", "--format", "xlsx", "--out", xlsx)).code).toBe(0);
    expect(fs.readFileSync(xlsx).subarray(0, 2).toString()).toBe("PK");
    const bad = await cli(t.url, "export:submissions", "--format", "csv", "--cluster", "nope");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown cluster");
    expect((await cli(t.url, "export:submissions", "--format", "pdf")).code).toBe(1);
  });
});
