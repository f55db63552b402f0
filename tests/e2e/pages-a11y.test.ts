// Every main page, in English and in Urdu, as the role that uses it, checked
// with axe-core at WCAG 2.2 AA (zero violations) and photographed full-page into
// tests/e2e/screenshots/<lang>-<page>.png (git-ignored; CI keeps them as
// artefacts). The refused states (a form sent back with its errors) and the
// 403 and 404 pages are pages too. JavaScript is on: the pages as most people
// get them once hydrated; the journeys (role-journeys.test.ts) check pages with
// JavaScript off as well.
//
// One browser, one server and one seeded database for the file; one signed-in
// context per role and language.
import type { Cookie, Page } from "playwright-core";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addComment, COMMENT_THREADS_PER_PAGE } from "~/models/comment.server";
import { createRecommendation, linkSource, recordResponse } from "~/models/recommendation.server";
import { recordProgress } from "~/models/progress.server";
import { reportItem } from "~/models/report.server";
import { supportSubmission } from "~/models/support.server";
import { testDialect } from "../support/db";
import { makePublishedSubmission, makeSubmission, makeUser, type MadeUser } from "../support/factories";
import { importCsv, importRow } from "../support/import-csv";
import {
  axeViolations,
  describeViolations,
  expectNoAxeViolations,
  LANGS,
  languageContext,
  screenshot,
  SCREENSHOT_DIR,
  tr,
  type Lang,
} from "./a11y";
import { browserHarness, expectClean, hydrated, see, type Watched } from "./helpers";

const h = browserHarness();

type Role = "visitor" | "stakeholder" | "moderator" | "organiser" | "admin";

interface Seeded {
  users: Record<Exclude<Role, "visitor">, MadeUser>;
  published: number;
  /** more threads than one page of comments holds */
  discussed: number;
  pending: number;
  recommendation: number;
}
let seeded: Seeded;

beforeAll(async () => {
  const db = h.t.db;
  const stakeholder = await makeUser(db, { displayName: "Amina Sheikh" });
  const other = await makeUser(db, { displayName: "Bilal Ahmed" });
  const moderator = await makeUser(db, { displayName: "Farah Moderator", role: "moderator" });
  const organiser = await makeUser(db, { displayName: "Omar Organiser", role: "organiser" });
  const admin = await makeUser(db, { displayName: "Ayesha Admin", role: "admin" });
  const published = await makePublishedSubmission(db, {
    authorId: stakeholder.id,
    moderatorId: moderator.id,
    input: { cluster: "leather", title: "Common effluent treatment plant for Kasur tanneries" },
    categories: ["value-addition"],
  });
  await makePublishedSubmission(db, {
    authorId: other.id,
    moderatorId: moderator.id,
    input: { cluster: "leather", title: "Bonded warehouse for tanning chemicals" },
  });
  const pending = await makeSubmission(db, {
    authorId: other.id,
    input: { cluster: "leather", title: "Shared testing laboratory for Sialkot leather" },
  });
  expect((await supportSubmission(db, { submissionId: published, userId: other.id })).ok).toBe(true);
  const comment = await addComment(db, {
    submissionId: published,
    authorId: other.id,
    body: "We would share the running costs.\nKasur needs it most.",
  });
  expect(comment.ok).toBe(true);
  await addComment(db, { submissionId: published, authorId: stakeholder.id, body: "Thank you: the association agrees." });
  const discussed = await makePublishedSubmission(db, {
    authorId: other.id,
    moderatorId: moderator.id,
    input: { cluster: "leather", title: "Export credit for small tanneries" },
  });
  for (let i = 0; i <= COMMENT_THREADS_PER_PAGE; i++) {
    const thread = await addComment(db, {
      submissionId: discussed,
      authorId: i % 2 ? other.id : stakeholder.id,
      body: `Point ${i + 1}: banks ask for collateral small tanneries do not have.`,
    });
    if (!thread.ok) throw new Error(thread.reason);
    if (i === 0)
      await addComment(db, { submissionId: discussed, authorId: other.id, body: "Agreed, and the fees are high.", parentId: thread.id });
  }
  expect(
    (
      await reportItem(db, {
        target: { type: "submission", id: published },
        reporterId: other.id,
        reason: "off-topic",
        details: "Not about exports.",
      })
    ).ok,
  ).toBe(true);
  const actor = { actorId: organiser.id, actorRole: "organiser" };
  const rec = await createRecommendation(db, {
    ...actor,
    input: {
      title: "Common effluent treatment in every tannery cluster",
      text: "Build and run shared effluent treatment plants in Kasur and Sialkot, financed by the export development fund.",
      cluster: ["leather"],
      category: ["value-addition"],
      priority: "1",
      dissent: "",
      status: "final",
    },
  });
  if (!rec.ok) throw new Error(`recommendation refused: ${JSON.stringify(rec)}`);
  expect((await linkSource(db, { ...actor, id: rec.id, submissionId: published })).ok).toBe(true);
  const response = await recordResponse(db, {
    ...actor,
    id: rec.id,
    input: {
      responseStatus: "accepted",
      responseText: "Funded in next year's budget.",
      responsibleAgency: "Ministry of Commerce",
      responseDate: "2026-06-01",
    },
  });
  expect(response.ok).toBe(true);
  const progress = await recordProgress(db, {
    ...actor,
    id: rec.id,
    input: {
      progressStatus: "in-progress",
      progressText: "Budget line approved.",
      progressDate: "2026-07-01",
      evidenceUrl: "https://example.org/budget",
    },
  });
  expect(progress.ok).toBe(true);
  seeded = { users: { stakeholder, moderator, organiser, admin }, published, discussed, pending, recommendation: rec.id };
});

afterAll(() => {
  const shots = fs.existsSync(SCREENSHOT_DIR) ? fs.readdirSync(SCREENSHOT_DIR).filter((f) => f.endsWith(".png")).length : 0;
  console.info(`screenshots of every main page in English and Urdu: ${SCREENSHOT_DIR} (${shots} files)`);
});

/** A page to check: who opens it, where, and what to do there first (a refused form, say). */
interface PageCase {
  name: string;
  role: Role;
  path: () => string;
  /** responses that are the point of the page (a refused form's 400, the 403 and 404 pages) */
  expected?: string[];
  /** what to do once the page is open, before the check (e.g. send a form that is refused) */
  act?: (page: Page, lang: Lang) => Promise<void>;
}

const BAD_CSV = () => importCsv([importRow(), importRow({ title: "Too short" })]);

const PAGES: PageCase[] = [
  { name: "home", role: "visitor", path: () => "/" },
  { name: "cluster-filtered", role: "visitor", path: () => "/clusters/leather?category=value-addition&sort=top" },
  { name: "submission-visitor", role: "visitor", path: () => `/submissions/${seeded.published}` },
  { name: "submission-stakeholder", role: "stakeholder", path: () => `/submissions/${seeded.published}` },
  { name: "submission-comments-page-1", role: "stakeholder", path: () => `/submissions/${seeded.discussed}` },
  { name: "submission-comments-page-2", role: "stakeholder", path: () => `/submissions/${seeded.discussed}?comments=2#comments` },
  { name: "register", role: "visitor", path: () => "/register" },
  {
    name: "register-refused",
    role: "visitor",
    path: () => "/register",
    expected: ["400 POST /register"],
    act: async (page, lang) => {
      await page.locator("input[name=email]").fill("not an address");
      await page.locator("main form button[type=submit]").click();
      await see(page.getByRole("alert").getByRole("heading", { name: tr(lang, "form.errorSummary") })).visible();
    },
  },
  { name: "login", role: "visitor", path: () => "/login" },
  {
    name: "login-refused",
    role: "visitor",
    path: () => "/login",
    expected: ["400 POST /login", "401 POST /login"],
    act: async (page, lang) => {
      await page.locator("input[name=email]").fill("nobody@example.pk");
      await page.locator("input[name=password]").fill("not the password at all");
      await page.locator("main form button[type=submit]").click();
      await see(page.getByRole("alert").getByRole("heading", { name: tr(lang, "form.errorSummary") })).visible();
    },
  },
  { name: "submission-new", role: "stakeholder", path: () => "/submissions/new" },
  {
    name: "submission-new-refused",
    role: "stakeholder",
    path: () => "/submissions/new",
    expected: ["400 POST /submissions/new"],
    act: async (page, lang) => {
      await page.locator("input[name=title]").fill("Too short");
      await page.locator("main form button[type=submit]").last().click();
      await see(page.getByRole("alert").getByRole("heading", { name: tr(lang, "form.errorSummary") })).visible();
    },
  },
  { name: "me", role: "stakeholder", path: () => "/me" },
  { name: "me-profile", role: "stakeholder", path: () => "/me/profile" },
  { name: "me-organisation", role: "stakeholder", path: () => "/me/organisation" },
  { name: "me-password", role: "stakeholder", path: () => "/me/password" },
  { name: "me-sessions", role: "stakeholder", path: () => "/me/sessions" },
  // Two-factor not on yet: the QR code (inline SVG) and the otpauth:// address.
  { name: "me-two-factor", role: "stakeholder", path: () => "/me/two-factor" },
  { name: "me-notifications", role: "stakeholder", path: () => "/me/notifications" },
  { name: "forbidden-403", role: "stakeholder", path: () => "/moderation", expected: ["403 GET /moderation"] },
  { name: "moderation-queue", role: "moderator", path: () => "/moderation" },
  { name: "moderation-decision", role: "moderator", path: () => `/moderation/submissions/${seeded.pending}` },
  { name: "moderation-reports", role: "moderator", path: () => "/moderation/reports" },
  { name: "moderation-import", role: "moderator", path: () => "/moderation/import" },
  {
    name: "moderation-import-refused",
    role: "moderator",
    path: () => "/moderation/import",
    expected: ["400 POST /moderation/import"],
    act: async (page) => {
      await page.locator("input[type=file]").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(BAD_CSV()) });
      await page.locator("form#import button[type=submit]").click();
      await see(page.locator("main table")).visible();
    },
  },
  { name: "moderation-workshop", role: "moderator", path: () => "/moderation/workshop" },
  { name: "moderation-organisations", role: "moderator", path: () => "/moderation/organisations" },
  {
    name: "moderation-organisation",
    role: "moderator",
    path: () => `/moderation/organisations/${seeded.users.stakeholder.organisationId}`,
  },
  { name: "organiser-dashboard", role: "organiser", path: () => "/organiser" },
  { name: "organiser-recommendations", role: "organiser", path: () => "/organiser/recommendations" },
  { name: "organiser-recommendation", role: "organiser", path: () => `/organiser/recommendations/${seeded.recommendation}` },
  { name: "organiser-briefing", role: "organiser", path: () => "/organiser/briefing" },
  { name: "exports", role: "organiser", path: () => "/exports" },
  { name: "recommendations", role: "visitor", path: () => "/recommendations" },
  { name: "recommendation", role: "visitor", path: () => `/recommendations/${seeded.recommendation}` },
  { name: "stats", role: "visitor", path: () => "/stats" },
  { name: "accountability", role: "visitor", path: () => "/accountability" },
  { name: "admin", role: "admin", path: () => "/admin" },
  { name: "admin-consultation", role: "admin", path: () => "/admin/consultation" },
  { name: "admin-users", role: "admin", path: () => "/admin/users" },
  { name: "admin-user", role: "admin", path: () => `/admin/users/${seeded.users.stakeholder.id}` },
  { name: "admin-taxonomy", role: "admin", path: () => "/admin/taxonomy" },
  { name: "admin-glossary", role: "admin", path: () => "/admin/glossary" },
  { name: "admin-glossary-edit", role: "admin", path: () => "/admin/glossary?edit=1" },
  { name: "admin-audit", role: "admin", path: () => "/admin/audit" },
  { name: "admin-outbox", role: "admin", path: () => "/admin/outbox" },
  { name: "not-found-404", role: "visitor", path: () => "/no-such-page", expected: ["404 GET /no-such-page"] },
];

/** The cookies of a signed-in session per role: each role signs in through /login once for the file. */
const sessions = new Map<Role, Cookie[]>();

/** A page in `lang`, signed in as `role` (through the /login form the first time). */
async function pageAs(role: Role, lang: Lang, expected: string[]): Promise<Watched> {
  const options = await languageContext(h.url("/"), lang);
  const signedIn = sessions.get(role);
  if (signedIn) options.storageState = { cookies: [...(options.storageState as { cookies: Cookie[] }).cookies, ...signedIn], origins: [] };
  const w = await h.openPage(options, expected);
  if (role !== "visitor" && !signedIn) {
    const user = seeded.users[role];
    await w.page.goto(h.url("/login?redirectTo=%2Fme"));
    await hydrated(w);
    await w.page.locator("input[name=email]").fill(user.email);
    await w.page.locator("input[name=password]").fill(user.password);
    await w.page.locator("main form button[type=submit]").click();
    await w.page.waitForURL(h.url("/me"));
    sessions.set(
      role,
      (await w.page.context().cookies()).filter((c) => c.name !== "lng"),
    );
  }
  return w;
}

describe.each(LANGS)(`every page passes axe-core at WCAG 2.2 AA (%s, ${testDialect})`, (lang) => {
  it.each(PAGES.map((p) => [p.name, p] as const))("%s", async (_name, p) => {
    const w = await pageAs(p.role, lang, p.expected ?? []);
    const { page } = w;
    await page.goto(h.url(p.path()));
    await hydrated(w, { networkIdle: false });
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      lang,
      lang === "ur" ? "rtl" : "ltr",
    ]);
    if (p.act) {
      await p.act(page, lang);
      await page.waitForLoadState("load");
    }
    const file = await screenshot(page, `${lang}-${p.name}`);
    await expectNoAxeViolations(page, `${p.name} in ${lang} as ${p.role}`);
    expectClean(w);
    await page.context().close();
    expect(file.startsWith(SCREENSHOT_DIR)).toBe(true);
  });
});

// The check itself can fail: a page with an unlabelled field and an image without a text alternative is refused, by rule.
describe("the axe-core check", () => {
  it("finds what is wrong on a page, with rule, impact, target and snippet", async () => {
    const w = await h.openPage();
    await w.page.goto(h.url("/"));
    await hydrated(w, { networkIdle: false });
    await w.page.evaluate(() => {
      const main = document.querySelector("main")!;
      main.insertAdjacentHTML("beforeend", '<input id="e2e-unlabelled" type="text"><img id="e2e-no-alt" src="/favicon.ico">');
    });
    const lines = describeViolations(await axeViolations(w.page));
    expect(lines.some((l) => l.startsWith("label (critical) at #e2e-unlabelled: <input"))).toBe(true);
    expect(lines.some((l) => l.startsWith("image-alt (critical) at #e2e-no-alt: <img"))).toBe(true);
    await expect(expectNoAxeViolations(w.page, "a broken page")).rejects.toThrow(/axe-core .* on a broken page/);
  });
});
