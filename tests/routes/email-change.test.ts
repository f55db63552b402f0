// Changing the email address in /me/profile over HTTP (issue 15, item 1; ADR
// 0026): the new address takes effect only once the link sent to it is used;
// the old address is told at once and keeps working until then; an address
// another account has is a 400 that changes nothing; a burst of changes is
// limited (429).
import { describe, expect, it } from "vitest";
import en from "~/locales/en.json";
import { testDialect } from "../support/db";
import { makeUser, uniqueEmail, type MadeUser } from "../support/factories";
import { Client, pageText, signIn, signedIn } from "../support/http";
import { useServer } from "../support/suite";

describe(`changing the email address (${testDialect})`, () => {
  const { t, server } = useServer();

  // People without an organisation: the form then has no organisation fields.
  const profileForm = (_user: MadeUser, email: string) => ({ displayName: "Test Person", locale: "en", email });
  const person = () => makeUser(t.db, { organisation: undefined });
  const row = (id: number) =>
    t.db.selectFrom("users").select(["email", "pending_email", "display_name"]).where("id", "=", id).executeTakeFirstOrThrow();
  const mailTo = (email: string) => t.db.selectFrom("email_outbox").select("body").where("to_email", "=", email).orderBy("id").execute();

  it("the new address waits for its link; the old one is told and still signs in; the link makes the change", async () => {
    const user = await person();
    const client = await signedIn(server.url, user);
    const page = await client.get("/me/profile");
    expect(page.text).toContain(`name="email"`);
    expect(page.text).toContain(`value="${user.email}"`);

    const next = uniqueEmail("moved");
    const saved = await client.post("/me/profile", profileForm(user, next));
    expect([saved.status, saved.location]).toEqual([303, "/me/profile?saved=1&email=requested"]);
    expect(pageText((await client.get("/me/profile?saved=1&email=requested")).text)).toContain(
      en.account.profile.emailRequested.replace("{{email}}", next),
    );
    expect(await row(user.id)).toMatchObject({ email: user.email, pending_email: next });
    expect((await mailTo(user.email))[0].body).toContain(next);
    // Until confirmed, the old address is the one to sign in with.
    expect((await signIn(new Client(server.url), user.email, user.password)).status).toBe(302);

    const link = (await mailTo(next))[0].body.match(/\/confirm-email\/[a-z2-7]{32}/)![0];
    const token = link.split("/").pop()!;
    const { confirmEmail } = await import("~/models/account-email.server");
    expect((await confirmEmail(t.db, { token })).ok).toBe(true);
    expect(await row(user.id)).toMatchObject({ email: next, pending_email: null });
    expect((await signIn(new Client(server.url), next, user.password)).status).toBe(302);
  });

  it("an address another account has is a 400 with the reason; nothing is saved and nothing is sent", async () => {
    const user = await person();
    const other = await person();
    const client = await signedIn(server.url, user);
    const res = await client.post("/me/profile", { ...profileForm(user, other.email.toUpperCase()), displayName: "Not Saved Either" });
    expect(res.status).toBe(400);
    expect(pageText(res.text)).toContain(en.errors.emailTaken);
    expect(await row(user.id)).toMatchObject({ email: user.email, pending_email: null, display_name: "Test Person" });
    expect(await mailTo(other.email)).toEqual([]);
    const bad = await client.post("/me/profile", profileForm(user, "not an address"));
    expect(bad.status).toBe(400);
    expect(pageText(bad.text)).toContain(en.errors.email);
  });

  it("the current address again cancels the change; a form without the field leaves the address alone", async () => {
    const user = await person();
    const client = await signedIn(server.url, user);
    await client.post("/me/profile", profileForm(user, uniqueEmail("maybe")));
    const cancel = await client.post("/me/profile", profileForm(user, user.email));
    expect(cancel.location).toBe("/me/profile?saved=1&email=cancelled");
    expect(await row(user.id)).toMatchObject({ email: user.email, pending_email: null });
    const plain = await client.post("/me/profile", { displayName: "Only The Name", locale: "en" });
    expect([plain.status, plain.location]).toEqual([303, "/me/profile?saved=1"]);
    expect(await row(user.id)).toMatchObject({ email: user.email, pending_email: null, display_name: "Only The Name" });
  });

  it("five new addresses a day: the sixth is a 429 with Retry-After and changes nothing", async () => {
    const user = await person();
    const client = await signedIn(server.url, user);
    for (let i = 0; i < 5; i++) expect((await client.post("/me/profile", profileForm(user, uniqueEmail(`try${i}`)))).status).toBe(303);
    const pendingBefore = (await row(user.id)).pending_email;
    const sixth = await client.post("/me/profile", profileForm(user, uniqueEmail("sixth")));
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await row(user.id)).pending_email).toBe(pendingBefore);
  });
});
