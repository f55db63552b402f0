// The journey of each role, in English and in Urdu, each with JavaScript on and
// again with it off (describe.each over language × JavaScript):
//
//   stakeholder: register → confirm the address → submit → support → comment → read the government's
//                response to a recommendation built on their suggestion (the
//                notification leads there);
//   moderator:   queue → publish with categories → merge → import a CSV file;
//   organiser:   create a recommendation → download the recommendations CSV
//                (its bytes start with the UTF-8 BOM, and it holds the new one);
//   admin:       close the submission window (consultation settings) → change a
//                user's role.
//
// Buttons, headings and announcements are found by their text in the page's
// language (from app/locales, so a missing key fails the test); fields by their
// form names (docs/contract.md). With JavaScript, support, comment and the similar
// suggestions list must update in place (no document navigation) and say so in
// an aria-live region. Each journey's main pages are checked with axe-core.
// One more journey is done with the keyboard alone, with visible focus.
//
// The detailed English journeys (suggestions-journey, moderation,
// workshop-import-journey) stay: they check what a person sees step by step;
// these check that every role gets through in both languages, both ways.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { approveSubmission } from "~/models/moderation.server";
import { createRecommendation, linkSource, recordResponse } from "~/models/recommendation.server";
import { confirmLinkFor } from "../support/confirm-email";
import { testDialect } from "../support/db";
import { GOOD_PASSWORD, makePublishedSubmission, makeSubmission, makeUser, uniqueEmail } from "../support/factories";
import { importCsv, importRow } from "../support/import-csv";
import { expectNoAxeViolations, LANGS, languageContext, tr, type Lang } from "./a11y";
import { browserHarness, expectClean, hydrated, markDocument, sameDocument, see, signIn, type Watched, uniqueWord } from "./helpers";

const h = browserHarness();
const url = (path: string) => h.url(path);
const main = (page: Page) => page.getByRole("main");
const h1 = (page: Page) => page.getByRole("heading", { level: 1 });
const navigations = (w: Watched) => w.requests.filter((r) => r.isNavigation).length;
const button = (page: Page, name: string) => main(page).getByRole("button", { name, exact: true });

async function open(lang: Lang, js: boolean, expected: string[] = []): Promise<Watched> {
  return h.openPage(await languageContext(url("/"), lang, { javaScriptEnabled: js }), expected);
}

/** Goes to `path` and, with JavaScript, waits for React to take over. */
async function visit(w: Watched, js: boolean, path: string) {
  await w.page.goto(url(path));
  if (js) await hydrated(w);
}

const moderatorActor = async () => makeUser(h.t.db, { role: "moderator" });

describe.each(LANGS.flatMap((lang) => [true, false].map((js) => [lang, js] as const)))(
  `role journeys (%s, JavaScript %s, ${testDialect})`,
  (lang, js) => {
    const t = (key: string, values?: Record<string, string | number>) => tr(lang, key, values);

    it("stakeholder: register → submit → support → comment → read the response", async () => {
      const w = await open(lang, js);
      const { page } = w;
      const word = uniqueWord();
      const mod = await moderatorActor();
      const other = await makeUser(h.t.db, { displayName: "Bilal Ahmed" });
      const otherTitle = `Bonded ${word} warehouse for tanning chemicals`;
      const otherId = await makePublishedSubmission(h.t.db, {
        authorId: other.id,
        moderatorId: mod.id,
        input: { cluster: "leather", title: otherTitle },
      });

      // register
      const email = uniqueEmail("journey");
      await visit(w, js, "/register");
      await see(h1(page)).text(t("register.title"));
      await page.locator("input[name=displayName]").fill("امینہ شیخ Amina");
      await page.locator("input[name=email]").fill(email);
      await page.locator("input[name=password]").fill(GOOD_PASSWORD);
      await page.locator("input[name=organisationName]").fill("Sialkot Tanners");
      await page.locator("select[name=organisationType]").selectOption("firm");
      await page.locator("select[name=sizeBand]").selectOption("small");
      await page.locator("select[name=cluster]").selectOption("leather");
      await page.locator("input[name=city]").fill("Sialkot");
      await page.locator("select[name=province]").selectOption("punjab");
      await button(page, t("register.submit")).click();
      await page.waitForURL(url("/me"));
      const me = await h.t.db.selectFrom("users").select(["id"]).where("email", "=", email).executeTakeFirstOrThrow();

      // confirm the address with the emailed link (supporting and commenting need it: issue 15)
      await visit(w, js, await confirmLinkFor(h.t.db, email));
      await button(page, t("confirmEmail.submit")).click();
      await page.waitForURL(url("/me?emailConfirmed=1"));
      await see(main(page).getByRole("status").first()).text(t("confirmEmail.done"));

      // submit, with the similar suggestions listed on the way
      await visit(w, js, "/submissions/new");
      if (js) await markDocument(page);
      const similar = page.getByRole("region", { name: t("submission.similar.title"), exact: true });
      await page.locator("select[name=cluster]").selectOption("leather");
      const title = `Tanning chemicals in a bonded ${word} warehouse`;
      if (js) {
        const before = navigations(w);
        await page.locator("input[name=title]").pressSequentially(title, { delay: 5 });
        await see(similar.getByRole("link", { name: otherTitle, exact: true })).visible();
        // in place, and how many were found is announced in a polite live region (the list itself is not read out)
        expect(navigations(w)).toBe(before);
        const found = similar.getByRole("status");
        await expect.poll(async () => ((await found.textContent()) ?? "").trim()).not.toBe("");
        expect(await found.getAttribute("aria-live")).toBe("polite");
      } else {
        await page.locator("input[name=title]").fill(title);
        await similar.getByRole("button", { name: t("submission.similar.check"), exact: true }).click();
        await see(similar.getByRole("link", { name: otherTitle, exact: true })).visible();
      }
      await page
        .locator("textarea[name=problem]")
        .fill(`Tanners wait weeks for ${word} chemicals at the port and pay duty before they export.`);
      await page.locator("textarea[name=proposal]").fill("A bonded warehouse run by the tanners' association, open to every member.");
      await button(page, t("submission.new.submit")).click();
      await page.waitForURL(/\/submissions\/\d+$/);
      const mine = Number(new URL(page.url()).pathname.split("/").pop());
      await see(h1(page)).text(title);
      await see(main(page).locator(".status")).text(t("status.pending"));
      if (js) expect(await sameDocument(page)).toBe(true);

      // support another's suggestion
      await visit(w, js, `/submissions/${otherId}`);
      if (js) await markDocument(page);
      const before = navigations(w);
      await page
        .locator("#support")
        .getByRole("button", { name: t("support.support"), exact: true })
        .click();
      await see(page.locator("#support").getByRole("button", { name: t("support.withdraw"), exact: true })).visible();
      await expect
        .poll(
          async () =>
            (
              await h.t.db
                .selectFrom("supports")
                .select("user_id")
                .where("submission_id", "=", otherId)
                .where("user_id", "=", me.id)
                .execute()
            ).length,
        )
        .toBe(1);
      if (js) {
        expect(navigations(w)).toBe(before);
        expect(await sameDocument(page)).toBe(true);
        const status = page.locator("#support").getByRole("status");
        await see(status).text(t("support.done"));
        expect(await status.getAttribute("aria-live")).toBe("polite");
      }

      // comment on it
      const body = `ہم اخراجات میں حصہ ڈالیں گے — we would share the running costs (${word}).`;
      await page.locator("#comment-body").fill(body);
      const beforeComment = navigations(w);
      await button(page, t("comment.post")).click();
      await page.waitForURL(new RegExp(`/submissions/${otherId}#comment-\\d+$`));
      await see(main(page).getByText(body, { exact: true })).visible();
      if (js) {
        expect(navigations(w)).toBe(beforeComment);
        expect(await sameDocument(page)).toBe(true);
        const news = main(page)
          .getByRole("status")
          .filter({ hasText: t("comment.posted") });
        await see(news).count(1);
        expect(await news.getAttribute("aria-live")).toBe("polite");
      }
      await expectNoAxeViolations(page, `submission page after support and comment (${lang}, js ${js})`);

      // the government responds to a recommendation built on the stakeholder's suggestion (published by a moderator, linked by an organiser)
      const organiser = await makeUser(h.t.db, { role: "organiser" });
      expect(
        (await approveSubmission(h.t.db, { id: mine, moderatorId: mod.id, moderatorRole: "moderator", categorySlugs: ["export-markets"] }))
          .ok,
      ).toBe(true);
      const actor = { actorId: organiser.id, actorRole: "organiser" };
      const rec = await createRecommendation(h.t.db, {
        ...actor,
        input: {
          title: `Bonded ${word} warehouses for tanning chemicals`,
          text: "Open bonded warehouses for tanning chemicals in Kasur and Sialkot within a year.",
          cluster: ["leather"],
          category: ["export-markets"],
          priority: "1",
          dissent: "",
          status: "final",
        },
      });
      if (!rec.ok) throw new Error(JSON.stringify(rec));
      expect((await linkSource(h.t.db, { ...actor, id: rec.id, submissionId: mine })).ok).toBe(true);
      const responseText = `Approved for the ${word} budget year.`;
      expect(
        (
          await recordResponse(h.t.db, {
            ...actor,
            id: rec.id,
            input: { responseStatus: "accepted", responseText, responsibleAgency: "Ministry of Commerce", responseDate: "2026-06-01" },
          })
        ).ok,
      ).toBe(true);

      await visit(w, js, "/me/notifications");
      await see(h1(page)).text(t("notifications.title"));
      const link = main(page).locator(`a[href="/recommendations/${rec.id}"]`).first();
      await see(link).visible();
      await link.click();
      await page.waitForURL(url(`/recommendations/${rec.id}`));
      await see(main(page).getByText(responseText, { exact: true })).visible();
      await see(main(page).getByText(t("recommendation.response.statuses.accepted"), { exact: false }).first()).visible();
      expectClean(w);
    });

    it("moderator: queue → publish with categories → merge → import a CSV file", async () => {
      const w = await open(lang, js);
      const { page } = w;
      const word = uniqueWord();
      const author = await makeUser(h.t.db);
      const firstTitle = `Bonded ${word} warehouse for tanning chemicals`;
      const secondTitle = `Tanning chemicals need a bonded ${word} warehouse`;
      const first = await makeSubmission(h.t.db, { authorId: author.id, input: { cluster: "leather", title: firstTitle } });
      const second = await makeSubmission(h.t.db, { authorId: author.id, input: { cluster: "leather", title: secondTitle } });
      const moderator = await makeUser(h.t.db, { role: "moderator" });

      await signIn(h, w, moderator, { to: "/moderation", js, lang });
      await see(h1(page)).text(t("moderation.title"));
      await main(page).locator(`th[scope=row] a[href="/moderation/submissions/${first}"]`).click();
      await page.waitForURL(url(`/moderation/submissions/${first}`));
      const publish = main(page).getByRole("region", { name: t("moderation.approveTitle"), exact: true });
      await publish.locator("input[name=category][value=value-addition]").check();
      await publish.locator("input[name=category][value=export-markets]").check();
      await publish.getByRole("button", { name: t("moderation.approve"), exact: true }).click();
      await page.waitForURL(url(`/submissions/${first}`));
      await see(main(page).locator(".status")).text(t("status.published"));
      const cats = await h.t.db
        .selectFrom("submission_categories as sc")
        .innerJoin("categories as c", "c.id", "sc.category_id")
        .select("c.slug")
        .where("sc.submission_id", "=", first)
        .orderBy("c.slug")
        .execute();
      expect(cats.map((c) => c.slug)).toEqual(["export-markets", "value-addition"]);

      await visit(w, js, `/moderation/submissions/${second}`);
      const merge = main(page).getByRole("region", { name: t("moderation.merge.title"), exact: true });
      await merge.locator("input[name=into]").fill(String(first));
      await merge.getByRole("button", { name: t("moderation.merge.submit"), exact: true }).click();
      await page.waitForURL(url(`/submissions/${second}`));
      await see(main(page).locator(".status")).text(t("status.merged"));
      expect(
        await h.t.db.selectFrom("submissions").select(["status", "merged_into_id"]).where("id", "=", second).executeTakeFirstOrThrow(),
      ).toEqual({
        status: "merged",
        merged_into_id: first,
      });

      await visit(w, js, "/moderation/import");
      const csv = importCsv(
        [importRow({ title: `Imported ${word} suggestion one` }), importRow({ title: `Imported ${word} suggestion two` })],
        { bom: true },
      );
      await page
        .locator("input[type=file][name=file]")
        .setInputFiles({ name: "workshop.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await button(page, t("import.submit")).click();
      await page.waitForURL(url("/moderation/import?imported=2"));
      await see(main(page).getByRole("status")).visible();
      const imported = await h.t.db
        .selectFrom("submissions")
        .select("status")
        .where("title", "like", `Imported ${word} suggestion%`)
        .execute();
      expect(imported.map((r) => r.status)).toEqual(["pending", "pending"]);
      await expectNoAxeViolations(page, `import confirmation (${lang}, js ${js})`);
      expectClean(w);
    });

    it("organiser: create a recommendation → download the recommendations CSV", async () => {
      const w = await open(lang, js);
      const { page } = w;
      const word = uniqueWord();
      const organiser = await makeUser(h.t.db, { role: "organiser" });
      await signIn(h, w, organiser, { to: "/organiser/recommendations", js, lang });
      const form = page.locator("form#create-recommendation");
      const title = `Duty drawback for ${word} leather exporters within thirty days`;
      await form.locator("input[name=title]").fill(title);
      await form
        .locator("textarea[name=text]")
        .fill("Exporters of finished leather goods should get the duty on imported inputs back within thirty days.");
      await form.locator("input[name=cluster][value=leather]").check();
      await form.locator("input[name=category][value=export-markets]").check();
      await form.locator("select[name=priority]").selectOption("2");
      await form.locator("select[name=status]").selectOption("final");
      await form.getByRole("button", { name: t("recommendation.createSubmit"), exact: true }).click();
      await page.waitForURL(/\/organiser\/recommendations\/\d+$/);
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      await see(h1(page)).visible();
      expect(await h.t.db.selectFrom("recommendations").select(["title", "status"]).where("id", "=", id).executeTakeFirstOrThrow()).toEqual(
        { title, status: "final" },
      );

      await visit(w, js, "/exports");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        main(page).locator('a[href="/exports/recommendations.csv"]').click(),
      ]);
      const stream = await download.createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.toString("utf8")).toContain(title);
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
      expectClean(w);
    });

    it("admin: close the submission window → change a user's role", async () => {
      const w = await open(lang, js);
      const { page } = w;
      const admin = await makeUser(h.t.db, { role: "admin" });
      const person = await makeUser(h.t.db, { displayName: `Kamran ${uniqueWord()}` });
      // The seed opens the window when the database is made: open it a day earlier, so "a minute ago" is after it opened.
      await h.t.db
        .updateTable("consultations")
        .set({ submission_opens_at: new Date(Date.now() - 86_400_000).toISOString() })
        .where("is_active", "=", 1)
        .execute();
      const consultation = await h.t.db.selectFrom("consultations").selectAll().where("is_active", "=", 1).executeTakeFirstOrThrow();
      try {
        await signIn(h, w, admin, { to: "/admin/consultation", js, lang });
        // Closes it a minute ago (the form's times are UTC, minute precision).
        const closed = new Date(Date.now() - 60_000).toISOString().slice(0, 16);
        await page.locator("input[name=submissionClosesAt]").fill(closed);
        await button(page, t("admin.consultation.save")).click();
        await page.waitForURL(/\/admin\/consultation\?/);
        await see(main(page).getByRole("status")).visible();
        const after = await h.t.db
          .selectFrom("consultations")
          .select("submission_closes_at")
          .where("id", "=", consultation.id)
          .executeTakeFirstOrThrow();
        expect(after.submission_closes_at.slice(0, 16)).toBe(closed);
        // The new-suggestion page says it is closed.
        await visit(w, js, "/submissions/new");
        await see(
          main(page)
            .getByRole("status")
            .filter({ hasText: t("submission.new.closedOn") }),
        ).count(1);

        await visit(w, js, `/admin/users/${person.id}`);
        await main(page).locator("select[name=role]").selectOption("moderator");
        await button(page, t("admin.users.changeRole")).click();
        await page.waitForURL(url(`/admin/users/${person.id}?done=role`));
        await see(main(page).getByRole("status")).visible();
        expect((await h.t.db.selectFrom("users").select("role").where("id", "=", person.id).executeTakeFirstOrThrow()).role).toBe(
          "moderator",
        );
        await expectNoAxeViolations(page, `user page after a role change (${lang}, js ${js})`);
        expectClean(w);
      } finally {
        // The other journeys of this file need the window open again.
        await h.t.db
          .updateTable("consultations")
          .set({ submission_closes_at: consultation.submission_closes_at })
          .where("id", "=", consultation.id)
          .execute();
      }
    });
  },
);

/** Where focus is, and whether it can be seen (an outline or a ring, not `outline: none` alone). */
async function focusInfo(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: "body", name: "", visible: false };
    const s = getComputedStyle(el);
    const visible = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
    return { tag: el.tagName.toLowerCase(), name: (el.getAttribute("name") ?? el.textContent ?? "").trim(), id: el.id, visible };
  });
}

/** Presses Tab (Shift+Tab with `back`) until `match` is focused; every stop on the way must show its focus. */
async function tabTo(page: Page, match: (f: Awaited<ReturnType<typeof focusInfo>>) => boolean, back = false) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const f = await focusInfo(page);
    // Nothing focused (the document itself, e.g. right after the router replaced the focused form) is no element to outline.
    if (f.tag === "body") continue;
    expect(f.visible, `focus is visible on ${f.tag}#${f.id} "${f.name}"`).toBe(true);
    if (match(f)) return;
  }
  throw new Error("never reached the element with the keyboard");
}

describe.each(LANGS)(`keyboard only (%s, ${testDialect})`, (lang) => {
  it("skip link → sign in → support → comment, with Tab, Shift+Tab, Enter and Space alone", async () => {
    const t = (key: string) => tr(lang, key);
    const mod = await moderatorActor();
    const author = await makeUser(h.t.db);
    const title = `Leather design institute ${uniqueWord()}`;
    const id = await makePublishedSubmission(h.t.db, { authorId: author.id, moderatorId: mod.id, input: { cluster: "leather", title } });
    const user = await makeUser(h.t.db);
    const w = await open(lang, true);
    const { page } = w;
    await visit(w, true, `/login?redirectTo=${encodeURIComponent(`/submissions/${id}`)}`);

    // The first Tab reaches the skip link, shown on focus; Enter moves to the main content.
    await page.keyboard.press("Tab");
    const skip = await focusInfo(page);
    expect(skip.tag).toBe("a");
    expect(skip.visible).toBe(true);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).getBoundingClientRect().bottom > 0)).toBe(true);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName.toLowerCase())).toBe("main");

    await tabTo(page, (f) => f.name === "email");
    await page.keyboard.type(user.email);
    await tabTo(page, (f) => f.name === "password");
    await page.keyboard.type(user.password);
    // back and forth: Shift+Tab returns to the email field, Tab to the password again
    await tabTo(page, (f) => f.name === "email", true);
    await tabTo(page, (f) => f.name === "password");
    await page.keyboard.press("Enter");
    await page.waitForURL(url(`/submissions/${id}`));
    await hydrated(w);

    await tabTo(page, (f) => f.tag === "button" && f.name === t("support.support"));
    await page.keyboard.press("Space");
    await see(page.locator("#support").getByRole("status")).text(t("support.done"));
    await expect
      .poll(
        async () =>
          (await h.t.db.selectFrom("supports").select("user_id").where("submission_id", "=", id).where("user_id", "=", user.id).execute())
            .length,
      )
      .toBe(1);

    await tabTo(page, (f) => f.id === "comment-body");
    await page.keyboard.type("Typed without a mouse.");
    await tabTo(page, (f) => f.tag === "button" && f.name === t("comment.post"));
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/submissions/${id}#comment-\\d+$`));
    await see(main(page).getByText("Typed without a mouse.", { exact: true })).visible();
    await see(
      main(page)
        .getByRole("status")
        .filter({ hasText: t("comment.posted") }),
    ).count(1);
    expectClean(w);
  });
});
