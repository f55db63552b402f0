// The route fuzzer (issue 13, ADR 0023): every route of app/routes.ts, as a
// signed-out visitor and as each role, gets a corpus of bad input over real
// HTTP against the built server, then a fast-check run of generated requests.
// Each answer must: not be a 5xx; arrive (no reset connection); carry no
// Location to another origin; and respect the role a URL prefix needs.
//
// Nothing here names a route: templates come from the route table, parameter
// values and form fields from the pages themselves (links and <form>s seen
// while crawling as each role), so a new route is fuzzed without editing this.
//
// FUZZ_SEED (default fixed) and FUZZ_RUNS (generated requests, default 400)
// choose the run; `npm run test:fuzz` runs a longer one. A failure names the
// route, role, method, input and what came back.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../db/schema";
import { addComment } from "~/models/comment.server";
import { createRecommendation, linkSource } from "~/models/recommendation.server";
import { bodyLimitFor } from "../../server/app";
import { testDialect, type TestDb } from "../support/db";
import { GOOD_PASSWORD, makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import {
  BAD_NUMBERS,
  OPAQUE_NUMBERS,
  BOUNDARY,
  INVALID_UTF8,
  KNOWN_FIELDS,
  multipart,
  ODD_STRINGS,
  parseForms,
  parseLinks,
  PROTOTYPE_KEYS,
  query,
  RAW_PATH_SEGMENTS,
  REDIRECT_TARGETS,
  RouteKnowledge,
  send,
  showFields,
  urlencoded,
  type Fields,
  type FieldValue,
  type RawRequest,
  type SendResult,
} from "../support/fuzz";
import { Client, SESSION_COOKIE } from "../support/http";
import { fillTemplate, matchTemplate, routeTemplates, type RouteTemplate } from "../support/route-table";
import { useServer } from "../support/suite";

/** The ids every template with parameters gets in the role test (the rest of BAD_NUMBERS: generated part). */
const PATH_NUMBERS = ["0", "-1", "1.5", "0x10", " 1", "abc", "2147483648", "9223372036854775808", "1e309", "٣"];
/** Numbers sent in every field at once, and one field at a time, in the fixed corpus. */
const BODY_NUMBERS = ["2147483648", "9223372036854775808", "1e309", "-1", "1.5", "abc"];
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
/** Requests in flight at once for the fixed corpus. */
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 4);

type Who = "visitor" | Role;
const ROLES: Role[] = ["stakeholder", "moderator", "organiser", "admin"];
const WHO: Who[] = ["visitor", ...ROLES];
const RANK: Record<Who, number> = { visitor: -1, stakeholder: 0, moderator: 1, organiser: 2, admin: 3 };

/** Who may see what, by URL prefix: new routes under these prefixes are held to the same rule. */
const NEEDS: Array<[prefix: string, need: Role | "signed-in"]> = [
  ["/moderation", "moderator"],
  ["/organiser", "organiser"],
  ["/exports", "organiser"],
  ["/admin", "admin"],
  ["/me", "signed-in"],
];

function needFor(pathname: string): Role | "signed-in" | null {
  return NEEDS.find(([p]) => pathname === p || pathname.startsWith(`${p}/`))?.[1] ?? null;
}

const allowed = (who: Who, need: Role | "signed-in" | null) =>
  need === null || (who !== "visitor" && (need === "signed-in" || RANK[who] >= RANK[need]));

fc.configureGlobal({ seed: SEED });

describe(`route fuzzer (${testDialect}; seed ${SEED}, ${RUNS} generated runs)`, () => {
  const { t, server } = useServer({
    env: {
      LOGIN_FAILURES_PER_ACCOUNT: "100000",
      LOGIN_FAILURES_PER_IP: "100000",
      REGISTRATIONS_PER_IP: "100000",
      PAGE_CACHE_SECONDS: "0",
      LOG_LEVEL: "error",
    },
    seed,
  });
  let base: URL;
  const templates = routeTemplates();
  const knowledge = new RouteKnowledge(templates);
  const users = {} as Record<Role, MadeUser>;
  let loginUser: MadeUser;
  const sessions: Partial<Record<Role, string>> = {};
  const pending = new Map<Role, Promise<void>>();
  /** templates that answered JSON in the crawl (an API: every common query field is tried on them) */
  const jsonTemplates = new Set<string>();
  const failures = new Map<string, { message: string; count: number }>();
  let sent = 0;

  // ------------------------------------------------------------ sessions

  async function signInAs(role: Role) {
    const client = new Client(server.url);
    const res = await client.post("/login", { email: users[role].email, password: users[role].password });
    if (res.status !== 302) throw new Error(`could not sign in as ${role}: ${res.status}`);
    sessions[role] = `${SESSION_COOKIE}=${client.cookies.get(SESSION_COOKIE)}`;
  }

  /** Puts the fuzzer's own users back as they were (an admin's fuzzed post may have changed a role or disabled one). */
  async function restoreUsers() {
    // A read first: a write per admin request (an fsync each on SQLite) would dominate the run.
    const rows = await t.db
      .selectFrom("users")
      .select(["id", "role", "status", "deleted_at"])
      .where(
        "id",
        "in",
        ROLES.map((role) => users[role].id),
      )
      .execute();
    for (const role of ROLES) {
      const row = rows.find((r) => r.id === users[role].id);
      if (row && row.role === role && row.status === "active" && row.deleted_at === null) continue;
      await t.db.updateTable("users").set({ role, status: "active", deleted_at: null }).where("id", "=", users[role].id).execute();
    }
  }

  async function renewSession(role: Role) {
    if (!pending.has(role)) {
      pending.set(
        role,
        (async () => {
          await restoreUsers();
          await signInAs(role);
        })().finally(() => pending.delete(role)),
      );
    }
    await pending.get(role);
  }

  /** The answer ended the session cookie it was sent with (the session was gone, or the request ended it). */
  const blanked = (r: SendResult) =>
    r.ok &&
    r.res.setCookie.some(
      (line) => line.startsWith(`${SESSION_COOKIE}=;`) || (line.startsWith(`${SESSION_COOKIE}=`) && /max-age=0/i.test(line)),
    );

  /**
   * Sends as `who`. A session that a fuzzed request ended (sign-out, "end my
   * other sessions", an admin disabling the account) is renewed and the request
   * sent once more, so an answer is always judged for the role it was sent as.
   */
  async function exec(who: Who, req: RawRequest): Promise<SendResult> {
    const once = async () => {
      if (who !== "visitor") await pending.get(who);
      const headers = { ...req.headers };
      if (who !== "visitor") headers.Cookie = [headers.Cookie, sessions[who]].filter(Boolean).join("; ");
      sent += 1;
      return send(server.url, { ...req, headers });
    };
    let result = await once();
    if (who !== "visitor" && blanked(result)) {
      await renewSession(who);
      result = await once();
      if (blanked(result)) await renewSession(who);
    }
    if (who === "admin" && req.method !== "GET" && req.method !== "HEAD") await restoreUsers();
    return result;
  }

  // ------------------------------------------------------------ judging

  function describeRequest(who: Who, req: RawRequest, detail: string) {
    const headers = Object.entries(req.headers ?? {})
      .filter(([k]) => k !== "Cookie")
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
    const body = req.body === undefined ? "" : ` body(${req.body.length} bytes)${detail ? `: ${detail}` : ""}`;
    return `${req.method} ${JSON.stringify(req.path)} as ${who}${headers ? ` [${headers}]` : ""}${body}`;
  }

  function effectivePath(path: string): string {
    // The request target is a path, even one like "//%ff" that would resolve to a host as a URL reference.
    let pathname: string;
    try {
      pathname = new URL(server.url + path).pathname;
    } catch {
      pathname = path.split("?")[0];
    }
    try {
      return decodeURIComponent(pathname);
    } catch {
      return pathname;
    }
  }

  /** What is wrong with this answer (empty: nothing). */
  function problems(who: Who, req: RawRequest, result: SendResult, expectStatus?: number[]): string[] {
    if (!result.ok) return [`no answer: ${result.error}`];
    const { res } = result;
    const out: string[] = [];
    if (res.status >= 500) out.push(`status ${res.status}`);
    // A cross-site request (expected 403) to an address refused before any route or the
    // cross-site check sees it is refused all the same: Node's HTTP parser answers a request
    // line it cannot read (a raw 0xFF byte in the path) with a bare 400, and server/app.ts
    // answers a NUL or a path the router cannot render with its plain 400/404 page.
    const refusedAddress =
      expectStatus?.includes(403) && [400, 404].includes(res.status) && (res.text === "" || /<title>40[04]<\/title>/.test(res.text));
    if (expectStatus && !expectStatus.includes(res.status) && !refusedAddress)
      out.push(`status ${res.status}, expected ${expectStatus.join(" or ")}`);
    if (res.location !== null) {
      let target: URL | null = null;
      try {
        target = new URL(res.location, server.url);
      } catch {
        out.push(`Location ${JSON.stringify(res.location)} does not parse`);
      }
      if (target && target.origin !== base.origin)
        out.push(`Location ${JSON.stringify(res.location)} leaves the site (a browser goes to ${target.origin})`);
      // A path that resolves to "//host…" is another site to the client-side router, which takes
      // the redirect's path as a URL of its own (Remix with JavaScript).
      else if (target && target.pathname.startsWith("//"))
        out.push(
          `Location ${JSON.stringify(res.location)} resolves to the path ${JSON.stringify(target.pathname)}, another site as a URL of its own`,
        );
    }
    const need = needFor(effectivePath(req.path));
    if (!allowed(who, need)) {
      if (who === "visitor") {
        if (res.status < 300) out.push(`status ${res.status} for a signed-out visitor on a page that needs ${need}`);
        else if (res.status < 400 && !(res.location && new URL(res.location, server.url).pathname === "/login"))
          out.push(`redirect to ${JSON.stringify(res.location)} (a signed-out visitor on a page that needs ${need} goes to /login)`);
      } else if (res.status < 400) out.push(`status ${res.status} for ${who} on a page that needs ${need}`);
    }
    return out;
  }

  function record(group: string, who: Who, req: RawRequest, result: SendResult, found: string[], detail = "") {
    if (!found.length) return;
    const status = result.ok ? result.res.status : "no answer";
    // One line per kind of failure; the first example shows how to reproduce it.
    const template = matchTemplate(templates, effectivePath(req.path))?.template.path ?? "?";
    const key = `${group} | ${template} | ${req.method} | ${who} | ${found.map((f) => f.replace(/"[^"]*"/g, "…")).join("; ")} | ${status}`;
    const seen = failures.get(key);
    if (seen) seen.count += 1;
    else failures.set(key, { message: `[${group}] ${describeRequest(who, req, detail)} → ${found.join("; ")}`, count: 1 });
  }

  const timing = new Map<string, { n: number; ms: number }>();
  function timings() {
    return [...timing].map(([g, { n, ms }]) => `${g}: ${n} requests, ${Math.round(ms / n)} ms each`).join("; ");
  }

  async function check(group: string, who: Who, req: RawRequest, detail = "", expectStatus?: number[]) {
    const result = await exec(who, req);
    const tm = timing.get(group) ?? { n: 0, ms: 0 };
    tm.n += 1;
    tm.ms += result.ms;
    timing.set(group, tm);
    record(group, who, req, result, problems(who, req, result, expectStatus), detail);
    // A Location on this site that is not in canonical form ("/.//evil.example") can become another
    // site's address on the next hop, when the server normalises it: follow such redirects (3 hops).
    let hop = result;
    for (let i = 0; i < 3 && hop.ok && hop.res.location; i++) {
      const location: string = hop.res.location;
      let target: URL;
      try {
        target = new URL(location, server.url);
      } catch {
        break;
      }
      const canonical = target.pathname + target.search;
      if (target.origin !== base.origin || (location === canonical && !canonical.startsWith("//"))) break;
      const next: RawRequest = { method: "GET", path: canonical };
      hop = await exec(who, next);
      const found = problems(who, next, hop);
      if (found.length)
        record(
          group,
          who,
          req,
          hop,
          found.map((f) => `after following ${JSON.stringify(location)}: ${f}`),
          detail,
        );
    }
    return result;
  }

  function report() {
    const lines = [...failures.values()].map((f) => (f.count > 1 ? `${f.message} (and ${f.count - 1} more like it)` : f.message));
    // A server that stopped answering: say how it ended and what it logged last (errors only: LOG_LEVEL=error).
    if (lines.length && server.process.exitCode !== null) {
      lines.unshift(`the server exited with code ${server.process.exitCode}; its last output:\n${server.output().slice(-4000)}`);
    } else if (lines.some((l) => / status 5\d\d/.test(l))) {
      lines.unshift(`the server's errors:\n${server.output().slice(-4000)}`);
    }
    return lines;
  }

  async function pool<T>(items: T[], run: (item: T) => Promise<void>) {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) await run(items[next++]);
      }),
    );
  }

  // ------------------------------------------------------------ what each route takes

  const DEFAULT_PARAM: Record<string, string> = { "*": "fuzz-no-such-page/deeper" };

  /** Real parameters for a template (seen in a link), else a plausible one. */
  function goodParams(template: RouteTemplate): Record<string, string> {
    const seen = knowledge.params.get(template.path)?.[0];
    const out: Record<string, string> = {};
    for (const name of template.params) out[name] = seen?.[name] ?? DEFAULT_PARAM[name] ?? knownParamValue(name) ?? "1";
    return out;
  }

  /** A value this parameter name had in any route (ids are ids everywhere). */
  function knownParamValue(name: string): string | undefined {
    for (const list of knowledge.params.values()) for (const p of list) if (p[name] !== undefined && name !== "*") return p[name];
    return undefined;
  }

  const encodeParams = (p: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(p).map(([k, v]) => [k, k === "*" ? v.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(v)]),
    );

  const goodPath = (template: RouteTemplate) => fillTemplate(template, encodeParams(goodParams(template)));

  /** A value for a field: what the page offered, else something that passes for a real answer. */
  function fieldDefault(name: string, who: Who, offered: Set<string> | undefined): string {
    const first = offered && [...offered][0];
    if (first) return first;
    if (/email/i.test(name)) return who === "visitor" ? loginUser.email : "someone@example.pk";
    // The visitor's sign-in works (so redirectTo is followed); a signed-in user's password is never
    // sent right, so a fuzzed post cannot change or delete the fuzzer's own accounts.
    if (/password/i.test(name)) return who === "visitor" && name === "password" ? GOOD_PASSWORD : "not the password at all";
    if (/id$/i.test(name)) return "1";
    return "Fuzzed text long enough to pass a length rule";
  }

  /** The form fields a route takes (from its pages), filled with plausible values. */
  function baseFields(template: RouteTemplate, who: Who): Fields {
    const known = knowledge.postFields.get(template.path);
    if (!known?.size) return KNOWN_FIELDS.map((name) => [name, "1"]);
    return [...known].filter(([name]) => name !== "website").map(([name, offered]) => [name, fieldDefault(name, who, offered)]);
  }

  const formHeaders = () => ({ "Content-Type": "application/x-www-form-urlencoded", Origin: server.url });
  const post = (path: string, fields: Fields, extra: Record<string, string> = {}, raw = false): RawRequest => ({
    method: "POST",
    path,
    headers: { ...formHeaders(), ...extra },
    body: urlencoded(fields, raw),
  });

  // ------------------------------------------------------------ setup

  /** What the server finds when it starts: a user of each role, suggestions, comments, a recommendation. */
  async function seed(t: TestDb) {
    for (const role of ROLES) users[role] = await makeUser(t.db, { role, displayName: `Fuzz ${role}` });
    loginUser = await makeUser(t.db, { displayName: "Fuzz visitor who signs in" });
    const author = await makeUser(t.db, { displayName: "Fuzz author" });
    await t.db
      .updateTable("consultations")
      .set({
        submission_opens_at: "2000-01-01T00:00:00.000Z",
        submission_closes_at: "2099-01-01T00:00:00.000Z",
        support_opens_at: "2000-01-01T00:00:00.000Z",
        support_closes_at: "2099-01-01T00:00:00.000Z",
      })
      .execute();
    const published = await makePublishedSubmission(t.db, {
      authorId: author.id,
      moderatorId: users.moderator.id,
      input: { title: "Bonded warehouses for leather chemicals" },
    });
    await makePublishedSubmission(t.db, {
      authorId: users.stakeholder.id,
      moderatorId: users.moderator.id,
      input: { title: "Testing lab for surgical exporters", cluster: "surgical-instruments" },
    });
    await makeSubmission(t.db, { authorId: users.stakeholder.id, input: { title: "A pending idea about tannery water" } });
    const comment = await addComment(t.db, { submissionId: published, authorId: author.id, body: "A first comment to reply to." });
    if (comment.ok)
      await addComment(t.db, { submissionId: published, authorId: users.stakeholder.id, body: "A reply.", parentId: comment.id });
    const rec = await createRecommendation(t.db, {
      actorId: users.organiser.id,
      actorRole: "organiser",
      input: {
        title: "Bonded warehouses for exporters",
        text: "Set up bonded warehouses for chemicals used by exporters.",
        cluster: ["leather"],
        category: ["export-markets"],
        priority: "1",
        status: "final",
      },
    });
    if (rec.ok) await linkSource(t.db, { actorId: users.organiser.id, actorRole: "organiser", id: rec.id, submissionId: published });
  }

  beforeAll(async () => {
    base = new URL(server.url);
    for (const role of ROLES) await signInAs(role);

    // Crawl: every page without parameters, then one page per template found in links, as each role.
    for (const who of WHO) {
      const visited = new Set<string>();
      let frontier = templates.filter((tpl) => tpl.params.length === 0).map((tpl) => tpl.path);
      const queued = new Set<string>(frontier);
      for (let depth = 0; depth < 3 && frontier.length; depth++) {
        const next: string[] = [];
        for (const path of frontier) {
          if (visited.has(path) || path === "/logout") continue;
          visited.add(path);
          const r = await exec(who, { method: "GET", path });
          if (!r.ok || r.res.status !== 200) continue;
          const type = String(r.res.headers["content-type"] ?? "");
          const url = new URL(path, server.url);
          if (type.includes("json")) jsonTemplates.add(knowledge.addUrl(path) ?? "");
          if (type.includes("html")) for (const form of parseForms(r.res.text, url)) knowledge.addForm(form, who);
          for (const link of parseLinks(r.res.text, url, type)) {
            const key = knowledge.addUrl(link);
            // One page per template is enough to learn its forms.
            if (key && !queued.has(key)) {
              queued.add(key);
              next.push(link);
            }
          }
        }
        frontier = next;
      }
    }
  }, 600_000);

  // ------------------------------------------------------------ the tests

  it("the crawl found the route table's forms (so the corpus posts real field names)", () => {
    expect(templates.length).toBeGreaterThan(10);
    expect(knowledge.postFields.get("/login")?.has("redirectTo")).toBe(true);
    expect(knowledge.postFields.size).toBeGreaterThan(5);
  });

  it("every route, as each role, with good and unknown parameters: the right answer for the role", async () => {
    failures.clear();
    const tasks: Array<() => Promise<void>> = [];
    for (const template of templates) {
      for (const who of WHO) {
        tasks.push(async () => {
          const path = goodPath(template);
          const result = await check("role", who, { method: "GET", path });
          if (!result.ok) return;
          const need = needFor(effectivePath(path));
          const { status, location } = result.res;
          const wrong: string[] = [];
          if (!allowed(who, need)) {
            if (who === "visitor" && !(status === 302 && location === `/login?redirectTo=${encodeURIComponent(path)}`))
              wrong.push(`expected 302 to /login?redirectTo=${encodeURIComponent(path)}, got ${status} ${location ?? ""}`);
            if (who !== "visitor" && status !== 403) wrong.push(`expected 403 for ${who} (needs ${need}), got ${status}`);
          }
          record("role", who, { method: "GET", path }, result, wrong);
        });
        if (template.params.length) {
          // Well-formed but unknown: a 404 for whoever may see the page (410 for an emailed link's token).
          tasks.push(async () => {
            const unknown = Object.fromEntries(
              template.params.map((p) => [p, p === "*" ? "fuzz-no-such-page" : /id$/i.test(p) ? "2147483647" : "no-such-thing"]),
            );
            const path = fillTemplate(template, unknown);
            const result = await check("unknown id", who, { method: "GET", path });
            if (!result.ok) return;
            const need = needFor(effectivePath(path));
            const { status, location } = result.res;
            const loginRedirect = status === 302 && location?.startsWith("/login?");
            // An emailed link that does not work (unknown, used, expired) is gone, not missing: 410 (docs/contract.md).
            const expected = template.params.includes("token") ? 410 : 404;
            if (allowed(who, need) && status !== expected && !(who === "visitor" && loginRedirect))
              record("unknown id", who, { method: "GET", path }, result, [
                `expected ${expected} for an unknown ${template.params.join("/")}, got ${status} ${location ?? ""}`,
              ]);
          });
          // Malformed: 400 or 404 for whoever may see it (and the role rule for the others).
          [...PATH_NUMBERS.map(encodeURIComponent), ...RAW_PATH_SEGMENTS.slice(0, 6)].forEach((bad, bi) => {
            // Each malformed value as a visitor and as one role in turn (all roles see some of them).
            if (who !== "visitor" && WHO.indexOf(who) !== 1 + ((bi + templates.indexOf(template)) % ROLES.length)) return;
            tasks.push(async () => {
              const path = fillTemplate(template, Object.fromEntries(template.params.map((p) => [p, bad])));
              await check("bad id", who, { method: "GET", path });
            });
          });
        }
      }
    }
    await pool(tasks, (task) => task());
    console.log(`fuzz (${testDialect}): ${sent} requests sent so far; ${timings()}`);
    expect(report(), `requests sent so far: ${sent}`).toEqual([]);
  }, 900_000);

  it("every route, as each role, gets the fixed corpus of bad requests", async () => {
    failures.clear();
    timing.clear();
    const tasks: Array<() => Promise<void>> = [];
    templates.forEach((template, ti) => {
      WHO.forEach((who, wi) => {
        const path = goodPath(template);
        const fields = baseFields(template, who);
        // The core below goes to every role; the rest of the corpus to one role per entry, in turn,
        // so each entry meets every role across the routes and the run stays short.
        let entry = 0;
        const add = (group: string, req: RawRequest, detail = "", statuses?: number[]) => {
          entry += 1;
          if ((entry + ti) % WHO.length !== wi) return;
          tasks.push(() => check(group, who, req, detail, statuses).then(() => undefined));
        };
        const core = (group: string, req: RawRequest, detail = "", statuses?: number[]) =>
          tasks.push(() => check(group, who, req, detail, statuses).then(() => undefined));
        const names = fields.map(([k]) => k as string);

        // Wrong methods (and POST on pages that only answer GET).
        for (const method of ["PUT", "DELETE", "PATCH"]) add("method", { ...post(path, fields), method }, showFields(fields));
        core("method", { method: "OPTIONS", path });
        add("method", { method: "HEAD", path });
        core("form", post(path, fields), showFields(fields));

        // Missing, repeated and odd fields.
        add("form", post(path, []), "(no fields)");
        add(
          "form",
          post(
            path,
            fields.map(([k]): [FieldValue, FieldValue] => [k, ""]),
          ),
          "(every field empty)",
        );
        add("form", post(path, fields.slice(1)), `(without ${names[0]})`);
        add("form", post(path, [...fields, ...fields.map(([k]) => [k, "2"] as [FieldValue, FieldValue])]), "(every field twice)");
        add(
          "form",
          post(path, [...fields, ...PROTOTYPE_KEYS.map((k) => [k, "1"] as [FieldValue, FieldValue])]),
          `prototype keys ${PROTOTYPE_KEYS.join(",")}`,
        );
        add(
          "form",
          post(
            path,
            PROTOTYPE_KEYS.flatMap((k) => names.map((n) => [`${k}[${n}]`, "1"] as [FieldValue, FieldValue])),
          ),
          "(fields under prototype keys)",
        );
        for (const bad of [...BODY_NUMBERS, ...OPAQUE_NUMBERS]) {
          const body: Fields = fields.map(([k]): [FieldValue, FieldValue] => [k, bad]);
          add("numbers", post(path, body), showFields(body));
        }
        // One field at a time, the others as the page offered them (so validation of the others
        // does not stop the request before the bad value is used), as someone who saw the form.
        const seers = [...(knowledge.formSeenBy.get(template.path) ?? [])] as Who[];
        if (seers.length && wi === 0) {
          let turn = ti;
          names.forEach((name, fi) => {
            for (const bad of BODY_NUMBERS.slice(0, 3)) {
              const as = seers[turn++ % seers.length];
              const body: Fields = fields.map(([k, v], i): [FieldValue, FieldValue] => [k, i === fi ? bad : v]);
              tasks.push(() => check("one field", as, post(path, body, {}), showFields(body)).then(() => undefined));
            }
            if (name !== "redirectTo") {
              const as = seers[turn++ % seers.length];
              const body: Fields = [...fields, [name, "2147483648"]];
              tasks.push(() => check("one field", as, post(path, body, {}), `${showFields(body)} (${name} twice)`).then(() => undefined));
            }
          });
        }
        // Every common query field at once with a number past the columns.
        for (const bad of [...BODY_NUMBERS.slice(0, 3), ...OPAQUE_NUMBERS])
          add("query", { method: "GET", path: `${path}${query(KNOWN_FIELDS.map((q) => [q, bad]))}` });
        for (const odd of ODD_STRINGS.slice(0, 5)) {
          const body: Fields = fields.map(([k]): [FieldValue, FieldValue] => [k, odd]);
          add("strings", post(path, body), showFields(body));
        }
        // Invalid UTF-8: raw bytes in the body, percent-encoded, in field names, and in the query.
        INVALID_UTF8.forEach((bytes, bi) => {
          // Each byte string in one of five places, in turn over the routes.
          const body: Fields = fields.map(([k]): [FieldValue, FieldValue] => [k, bytes]);
          const place = (bi + ti) % 5;
          if (place === 0) add("utf-8", post(path, body, {}, true), `raw ${showFields(body)}`);
          if (place === 1) add("utf-8", post(path, body), `percent-encoded ${showFields(body)}`);
          if (place === 2) add("utf-8", post(path, [[bytes, "1"], ...fields], {}, true), "raw bytes as a field name");
          if (place === 3)
            add("utf-8", { method: "GET", path: `${path}?${urlencoded(names.length ? [[names[0], bytes]] : [["q", bytes]])}` });
          if (place === 4) add("utf-8", { method: "GET", path: `${path}?q=${bytes.toString("latin1")}` });
        });
        add("nul", { method: "GET", path: `${path}?q=%00` });
        add("nul", { method: "GET", path: `${path}%00` });

        // Content types.
        const form = urlencoded(fields);
        add("content-type", {
          method: "POST",
          path,
          headers: { Origin: server.url, "Content-Type": "application/json" },
          body: Buffer.from(JSON.stringify(Object.fromEntries(fields.map(([k, v]) => [String(k), String(v)])))),
        });
        add(
          "content-type",
          { method: "POST", path, headers: { Origin: server.url, "Content-Type": "multipart/form-data" }, body: multipart(fields) },
          "multipart without boundary",
        );
        add(
          "content-type",
          {
            method: "POST",
            path,
            headers: { Origin: server.url, "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
            body: multipart(fields.map(([k]): [FieldValue, FieldValue] => [k, INVALID_UTF8[0]])),
          },
          "multipart, invalid UTF-8",
        );
        add(
          "content-type",
          {
            method: "POST",
            path,
            headers: { Origin: server.url, "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
            body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\ntruncated`),
          },
          "multipart, truncated",
        );
        add("content-type", { method: "POST", path, headers: { Origin: server.url, "Content-Type": "text/plain" }, body: form });
        add("content-type", { method: "POST", path, headers: { Origin: server.url }, body: form }, "no Content-Type");

        // Cross-site: refused with 403 whatever the route, before anything else looks at it.
        add("cross-site", post(path, fields, { Origin: "https://evil.example" }), "Origin https://evil.example", [403]);
        add("cross-site", post(path, fields, { "Sec-Fetch-Site": "cross-site" }), "Sec-Fetch-Site cross-site", [403]);
        add("cross-site", post(path, fields, { Origin: "null" }), "Origin null", [403]);
        add(
          "cross-site",
          { ...post(path, fields, { Origin: "https://evil.example" }), method: "DELETE" },
          "Origin https://evil.example",
          [403],
        );

        // Bodies: just over the cap (413), and a large one under it (answered, not reset), as every role.
        // As a visitor and as one signed-in role in turn (a route may answer before reading, by role).
        if (who === "visitor" || wi === 1 + (ti % ROLES.length)) {
          const limit = bodyLimitFor(path.split("?")[0]);
          const filler = names[0] ?? "x";
          const over = urlencoded([[filler, "x".repeat(limit - filler.length)], ...fields.slice(1)]);
          core("size", { ...post(path, []), body: over }, `${over.length} bytes (cap ${limit})`, [413]);
          const under = urlencoded([...fields, ["filler", "y".repeat(limit - 64 * 1024)]]);
          core("size", { ...post(path, []), body: under }, `${under.length} bytes (cap ${limit})`);
        }

        // Redirect targets, wherever a form or link takes redirectTo.
        if (knowledge.postFields.get(template.path)?.has("redirectTo")) {
          for (const target of REDIRECT_TARGETS) {
            const body: Fields = [...fields.filter(([k]) => k !== "redirectTo"), ["redirectTo", target]];
            core("redirect", post(path, body), showFields(body));
          }
        }
        if (knowledge.queryFields.get(template.path)?.has("redirectTo")) {
          for (const target of REDIRECT_TARGETS) core("redirect", { method: "GET", path: `${path}${query([["redirectTo", target]])}` });
        }
        // Query fields one at a time (the others absent, so they do not fail first), with a number past
        // the columns in plain and opaque form: the fields the pages use, and on an API every common one.
        const oneByOne = [
          ...new Set([
            ...(knowledge.queryFields.get(template.path)?.keys() ?? []),
            ...(jsonTemplates.has(template.path) ? KNOWN_FIELDS : []),
          ]),
        ];
        for (const q of oneByOne)
          for (const bad of ["2147483648", OPAQUE_NUMBERS[0]]) add("query", { method: "GET", path: `${path}${query([[q, bad]])}` });
        // Query fields the pages use, each given the bad numbers.
        const qnames = [...(knowledge.queryFields.get(template.path)?.keys() ?? [])];
        if (qnames.length)
          for (const bad of BODY_NUMBERS) add("query", { method: "GET", path: `${path}${query(qnames.map((q) => [q, bad]))}` });
      });
    });
    await pool(tasks, (task) => task());
    console.log(`fuzz (${testDialect}): ${sent} requests sent so far; ${timings()}`);
    expect(report(), `requests sent so far: ${sent}`).toEqual([]);
  }, 900_000);

  it("generated requests (fast-check) to every route as every role", async () => {
    failures.clear();
    timing.clear();
    const valueArb: fc.Arbitrary<FieldValue> = fc.oneof(
      fc.constantFrom<FieldValue>(...BAD_NUMBERS, ...OPAQUE_NUMBERS, ...ODD_STRINGS, ...REDIRECT_TARGETS, ...INVALID_UTF8),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
      fc.double().map(String),
      fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
    );
    const paramArb = fc.oneof(
      fc.constantFrom(...BAD_NUMBERS.map(encodeURIComponent), ...RAW_PATH_SEGMENTS, "2147483647", "1", "2", "3"),
      fc.nat().map(String),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const splatArb = fc
      .array(fc.oneof(fc.webSegment(), fc.constantFrom(...RAW_PATH_SEGMENTS)), { minLength: 1, maxLength: 4 })
      .map((s) => s.join("/"));
    const requestArb = fc.record({
      template: fc.constantFrom(...templates),
      who: fc.constantFrom(...WHO),
      method: fc.constantFrom("GET", "GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
      realParams: fc.boolean(),
      params: fc.dictionary(fc.constantFrom("id", "cluster", "*"), paramArb),
      splat: splatArb,
      // Which of the route's fields to send, mutate, repeat; and extra ones.
      keep: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      // Mostly the page's own value; about one field in six replaced.
      mutate: fc.array(fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: valueArb, weight: 1 }), {
        minLength: 12,
        maxLength: 12,
      }),
      asSeer: fc.boolean(),
      extra: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom<FieldValue>(...KNOWN_FIELDS, ...PROTOTYPE_KEYS), fc.string({ maxLength: 8 })), valueArb),
        { maxLength: 3 },
      ),
      queryExtra: fc.array(fc.tuple(fc.constantFrom(...KNOWN_FIELDS), valueArb), { maxLength: 2 }),
      encoding: fc.constantFrom("urlencoded", "urlencoded", "urlencoded", "raw", "multipart", "json", "none"),
      site: fc.constantFrom("same", "same", "same", "same", "none", "evil", "cross-site"),
    });
    await fc.assert(
      fc.asyncProperty(requestArb, async (g) => {
        const { template } = g;
        const seers = [...(knowledge.formSeenBy.get(template.path) ?? [])] as Who[];
        // Half the time as someone who saw the route's form (so the request gets past the guards).
        const who = g.asSeer && seers.length ? seers[WHO.indexOf(g.who) % seers.length] : g.who;
        const values = g.realParams ? encodeParams(goodParams(template)) : { ...g.params, "*": g.splat };
        const params = Object.fromEntries(template.params.map((p) => [p, values[p] ?? g.params[p] ?? "1"]));
        let path = fillTemplate(template, params);
        const qnames = [...(knowledge.queryFields.get(template.path)?.keys() ?? [])];
        const q: Fields = [...qnames.slice(0, 3).map((n, i) => [n, g.mutate[i] ?? "1"] as [FieldValue, FieldValue]), ...g.queryExtra];
        if (g.method === "GET" && q.length) path += query(q);
        const fields: Fields = [];
        baseFields(template, who).forEach(([k, v], i) => {
          if (g.keep[i % 12] === false && i % 3 === 0) return;
          fields.push([k, g.mutate[i % 12] ?? v]);
        });
        fields.push(...g.extra);
        const headers: Record<string, string> = {};
        if (g.site === "same") headers.Origin = server.url;
        if (g.site === "evil") headers.Origin = "https://evil.example";
        if (g.site === "cross-site") headers["Sec-Fetch-Site"] = "cross-site";
        let body: Buffer | undefined;
        if (!["GET", "HEAD", "OPTIONS"].includes(g.method)) {
          if (g.encoding === "multipart") {
            headers["Content-Type"] = `multipart/form-data; boundary=${BOUNDARY}`;
            body = multipart(fields);
          } else if (g.encoding === "json") {
            headers["Content-Type"] = "application/json";
            body = Buffer.from(JSON.stringify(Object.fromEntries(fields.map(([k, v]) => [String(k), String(v)]))));
          } else {
            if (g.encoding !== "none") headers["Content-Type"] = "application/x-www-form-urlencoded";
            body = urlencoded(fields, g.encoding === "raw");
          }
        }
        const req: RawRequest = { method: g.method, path, headers, body };
        const expectStatus = body && g.site !== "same" && g.site !== "none" ? [403] : undefined;
        await check("generated", who, req, showFields(fields), expectStatus);
        return true;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`fuzz (${testDialect}): ${sent} requests sent so far; ${timings()}`);
    expect(report(), `seed ${SEED}; requests sent so far: ${sent}`).toEqual([]);
  }, 900_000);
});
