// Accounts and organisations through the real model on a real database:
// registration, organisation matching, password rules, hashing, the audit
// entry in the same transaction, authentication and role changes.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import commonPasswords from "~/auth/common-passwords.json";
import { createAuth } from "~/auth/session.server";
import { authenticate, createUser, normaliseRegistrationNumber, type CreateUserInput, type OrganisationInput } from "~/models/user.server";
import { setUserRole } from "~/models/admin-users.server";
import { decideJoinRequest } from "~/models/membership.server";
import { testDialect } from "../support/db";
import { useTestDb } from "../support/suite";
import { GOOD_PASSWORD, makeUser, uniqueEmail } from "../support/factories";

const ARGON2_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$";

const t = useTestDb();

function organisation(overrides: Partial<OrganisationInput> = {}): OrganisationInput {
  return {
    name: `Sialkot Tanners ${randomBytes(3).toString("hex")}`,
    type: "firm",
    sizeBand: "small",
    city: "Sialkot",
    province: "punjab",
    clusterSlug: "leather",
    ...overrides,
  };
}

function input(overrides: Partial<CreateUserInput> = {}): CreateUserInput {
  return {
    email: uniqueEmail("reg"),
    password: GOOD_PASSWORD,
    displayName: "Test Person",
    organisation: organisation(),
    ...overrides,
  };
}

/** A registration number nobody else in this file uses. */
function regNo(): string {
  return `NTN${randomBytes(4).toString("hex").toUpperCase()}`;
}

async function counts() {
  const n = async (table: "users" | "organisations" | "audit_log" | "sessions") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { users: await n("users"), organisations: await n("organisations"), audit: await n("audit_log") };
}

async function userRow(id: number) {
  return t.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

describe(`createUser (${testDialect})`, () => {
  it("creates the user and their organisation, with the organisation's cluster", async () => {
    const now = new Date("2026-12-01T08:00:00.000Z");
    const org = organisation({ name: "  Sialkot   Leather Works  ", city: " Sialkot ", registrationNumber: null });
    const r = await createUser(
      t.db,
      input({
        email: "  Amina.Sheikh@Example.PK ",
        displayName: " Amina Sheikh ",
        organisation: org,
        showOrganisation: true,
        locale: "ur",
      }),
      now,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.organisationMatched).toBe(false);
    expect(r.organisationId).toEqual(expect.any(Number));

    const u = await userRow(r.userId);
    expect(u.email).toBe("Amina.Sheikh@Example.PK");
    expect(u.email_normalised).toBe("amina.sheikh@example.pk");
    expect(u.display_name).toBe("Amina Sheikh");
    expect(u.role).toBe("stakeholder");
    expect(u.status).toBe("active");
    expect(u.organisation_id).toBe(r.organisationId);
    expect(Number(u.show_organisation)).toBe(1);
    expect(u.locale).toBe("ur");
    expect(u.created_at).toBe(now.toISOString());
    expect(u.updated_at).toBe(now.toISOString());
    expect(u.deleted_at).toBeNull();

    const o = await t.db.selectFrom("organisations").selectAll().where("id", "=", r.organisationId!).executeTakeFirstOrThrow();
    const leather = await t.db.selectFrom("clusters").select("id").where("slug", "=", "leather").executeTakeFirstOrThrow();
    expect(o.name).toBe("Sialkot   Leather Works");
    expect(o.name_normalised).toBe("sialkot leather works");
    expect(o.city).toBe("Sialkot");
    expect(o.cluster_id).toBe(leather.id);
    expect(o.registration_number).toBeNull();
    expect(Number(o.verified)).toBe(0);
    expect(o.created_at).toBe(now.toISOString());
  });

  it("defaults: stakeholder, English, organisation hidden unless chosen", async () => {
    const r = await createUser(t.db, input());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const u = await userRow(r.userId);
    expect(u.role).toBe("stakeholder");
    expect(u.locale).toBe("en");
    expect(Number(u.show_organisation)).toBe(0);
  });

  it("creates a user without an organisation (operator accounts)", async () => {
    const r = await createUser(t.db, input({ organisation: null, role: "admin" }));
    expect(r).toMatchObject({ ok: true, organisationId: null, organisationMatched: false });
    if (!r.ok) return;
    expect((await userRow(r.userId)).role).toBe("admin");
  });

  it("stores an argon2id hash (19 MiB, 2 iterations) that verifies, never the password", async () => {
    const r = await createUser(t.db, input());
    if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
    const u = await userRow(r.userId);
    expect(u.password_hash.startsWith(ARGON2_PREFIX)).toBe(true);
    expect(u.password_hash).not.toContain(GOOD_PASSWORD);
  });

  it("writes a user.create audit entry with the organisation outcome", async () => {
    const now = new Date("2026-12-02T09:30:00.000Z");
    const r = await createUser(t.db, input({ organisation: organisation({ registrationNumber: regNo() }) }), now);
    if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
    const rows = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "user.create")
      .where("target_id", "=", String(r.userId))
      .execute();
    expect(rows).toHaveLength(1);
    const a = rows[0]!;
    expect(a.actor_id).toBe(r.userId);
    expect(a.actor_role).toBe("stakeholder");
    expect(a.target_type).toBe("user");
    expect(a.created_at).toBe(now.toISOString());
    expect(JSON.parse(a.after!)).toEqual({ role: "stakeholder", organisationId: r.organisationId, organisationMatched: false });
    expect(a.before).toBeNull();
    expect(JSON.stringify(a)).not.toContain(GOOD_PASSWORD);
  });

  it("asks to join the organisation with the same registration number, whatever its spacing and case; members approve", async () => {
    const first = await createUser(t.db, input({ organisation: organisation({ registrationNumber: "ntn 12-ab 34x" }) }));
    if (!first.ok) throw new Error(JSON.stringify(first.fieldErrors));
    const before = await counts();
    const joiners: number[] = [];
    for (const spelling of ["NTN12-AB34X", "  Ntn 12-Ab  34x ", "n t n 1 2 - a b 3 4 x"]) {
      const r = await createUser(
        t.db,
        input({ organisation: organisation({ name: "A different name", city: "Lahore", registrationNumber: spelling }) }),
      );
      // Issue 15: a request to join, not a membership, until a member approves.
      expect(r).toMatchObject({ ok: true, organisationId: null, organisationMatched: true, requestedOrganisationId: first.organisationId });
      if (r.ok) joiners.push(r.userId);
    }
    const after = await counts();
    expect(after.organisations).toBe(before.organisations);
    expect(after.users).toBe(before.users + 3);
    const org = await t.db.selectFrom("organisations").selectAll().where("id", "=", first.organisationId!).executeTakeFirstOrThrow();
    expect(org.registration_number).toBe("NTN12-AB34X");
    expect(org.city).toBe("Sialkot"); // the joining users' details do not overwrite it
    expect(await t.db.selectFrom("users").select("id").where("organisation_id", "=", first.organisationId!).execute()).toHaveLength(1);
    for (const userId of joiners) {
      expect(await decideJoinRequest(t.db, { actorId: first.userId, requesterId: userId, decision: "approve", as: "member" })).toEqual({
        ok: true,
      });
    }
    const members = await t.db.selectFrom("users").select("id").where("organisation_id", "=", first.organisationId!).execute();
    expect(members).toHaveLength(4);
    const audits = await t.db.selectFrom("audit_log").select("after").where("action", "=", "user.create").execute();
    const matched = audits
      .map((a) => JSON.parse(a.after!))
      .filter((a) => (a.organisationId ?? a.requestedOrganisationId) === first.organisationId);
    expect(matched.filter((a) => a.organisationMatched)).toHaveLength(3);
  });

  it("normalises registration numbers (upper case, no whitespace, empty = none)", () => {
    expect(normaliseRegistrationNumber(" ab 12\t34 ")).toBe("AB1234");
    expect(normaliseRegistrationNumber("   ")).toBeNull();
    expect(normaliseRegistrationNumber("")).toBeNull();
    expect(normaliseRegistrationNumber(undefined)).toBeNull();
    expect(normaliseRegistrationNumber(null)).toBeNull();
  });

  it("never matches organisations without a registration number (same name → two organisations)", async () => {
    const name = `Same Name Traders ${randomBytes(2).toString("hex")}`;
    const a = await createUser(t.db, input({ organisation: organisation({ name, registrationNumber: "   " }) }));
    const b = await createUser(t.db, input({ organisation: organisation({ name, registrationNumber: undefined }) }));
    expect(a).toMatchObject({ ok: true, organisationMatched: false });
    expect(b).toMatchObject({ ok: true, organisationMatched: false });
    if (!a.ok || !b.ok) return;
    expect(a.organisationId).not.toBe(b.organisationId);
    const orgs = await t.db.selectFrom("organisations").select("registration_number").where("name", "=", name).execute();
    expect(orgs).toEqual([{ registration_number: null }, { registration_number: null }]);
  });

  it("different registration numbers make different organisations", async () => {
    const a = await createUser(t.db, input({ organisation: organisation({ registrationNumber: regNo() }) }));
    const b = await createUser(t.db, input({ organisation: organisation({ registrationNumber: regNo() }) }));
    if (!a.ok || !b.ok) throw new Error("registration failed");
    expect(a.organisationId).not.toBe(b.organisationId);
  });

  it("refuses a taken email case-insensitively and writes nothing", async () => {
    const email = uniqueEmail("taken");
    const first = await createUser(t.db, input({ email }));
    expect(first.ok).toBe(true);
    const before = await counts();
    for (const variant of [email, email.toUpperCase(), `  ${email.replace(/^./, (c) => c.toUpperCase())}  `]) {
      const r = await createUser(t.db, input({ email: variant, organisation: organisation({ registrationNumber: regNo() }) }));
      expect(r).toEqual({ ok: false, fieldErrors: { email: ["errors.emailTaken"] } });
    }
    expect(await counts()).toEqual(before);
  });

  it("reports every problem at once and writes nothing", async () => {
    const email = uniqueEmail("multi");
    await makeUser(t.db, { email });
    const before = await counts();
    const r = await createUser(
      t.db,
      input({ email: email.toUpperCase(), password: "short", organisation: organisation({ clusterSlug: "no-such-cluster" }) }),
    );
    expect(r).toEqual({
      ok: false,
      fieldErrors: { password: ["errors.passwordTooShort"], cluster: ["errors.invalid"], email: ["errors.emailTaken"] },
    });
    expect(await counts()).toEqual(before);
  });

  it("refuses an unknown or archived cluster as a cluster field error", async () => {
    const before = await counts();
    const unknown = await createUser(t.db, input({ organisation: organisation({ clusterSlug: "textiles" }) }));
    expect(unknown).toEqual({ ok: false, fieldErrors: { cluster: ["errors.invalid"] } });

    await t.db
      .insertInto("clusters")
      .values({ slug: "archived-cluster", name_en: "Archived", name_ur: "آرکائیو", sort_order: 99, archived: 1 })
      .execute();
    const archived = await createUser(t.db, input({ organisation: organisation({ clusterSlug: "archived-cluster" }) }));
    expect(archived).toEqual({ ok: false, fieldErrors: { cluster: ["errors.invalid"] } });
    expect(await counts()).toEqual(before);
  });

  describe("password rules", () => {
    const refused: Array<[string, string, Partial<CreateUserInput>]> = [
      ["7 characters", "errors.passwordTooShort", { password: "kx7!vq2" }],
      ["257 characters", "errors.passwordTooLong", { password: "a quiet river ".repeat(19).slice(0, 257) }],
      ["a common password", "errors.passwordCommon", { password: "password123" }],
      ["a common password in capitals", "errors.passwordCommon", { password: "PASSWORD123" }],
      ["the product's name", "errors.passwordContext", { password: "Mashwara2026!" }],
      ["a cluster name", "errors.passwordContext", { password: "leather123" }],
      ["the email's local part", "errors.passwordContext", { email: uniqueEmail("zubairkhan"), password: "zubairkhan!99" }],
      ["the display name", "errors.passwordContext", { displayName: "Rukhsana Bibi", password: "Rukhsana#2026" }],
      [
        "the organisation's name",
        "errors.passwordContext",
        { organisation: organisation({ name: "Wazirabad Cutlery" }), password: "wazirabad-1234" },
      ],
    ];

    it.each(refused)("refuses %s and writes nothing", async (_label, key, overrides) => {
      const before = await counts();
      const r = await createUser(t.db, input(overrides));
      expect(r).toEqual({ ok: false, fieldErrors: { password: [key] } });
      expect(await counts()).toEqual(before);
    });

    it("refuses a password taken from the shipped common list", async () => {
      const list = commonPasswords as string[];
      const sample = list[Math.floor(list.length / 2)]!;
      const r = await createUser(t.db, input({ password: sample }));
      expect(r).toEqual({ ok: false, fieldErrors: { password: ["errors.passwordCommon"] } });
    });

    it("accepts 8 and 256 characters", async () => {
      expect((await createUser(t.db, input({ password: "kx7!vq2#" }))).ok).toBe(true);
      const long = "a quiet river under the margalla hills ".repeat(7).slice(0, 256);
      expect([...long]).toHaveLength(256);
      const r = await createUser(t.db, input({ password: long }));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(await authenticate(t.db, (await userRow(r.userId)).email, long)).toEqual({ ok: true, userId: r.userId });
    });

    it("accepts a long passphrase that contains a cluster word", async () => {
      const password = "our leather goes to Milan every spring";
      const r = await createUser(t.db, input({ password }));
      expect(r.ok).toBe(true);
    });

    it("accepts an Urdu passphrase and signs in with it", async () => {
      const email = uniqueEmail("urdu");
      const password = "میرا شہر سیالکوٹ ہے";
      const r = await createUser(t.db, input({ email, password, displayName: "عائشہ" }));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(await authenticate(t.db, email, password)).toEqual({ ok: true, userId: r.userId });
    });
  });

  it("one of two simultaneous registrations with one email wins; nothing half-written", async () => {
    const email = uniqueEmail("race");
    const before = await counts();
    const results = await Promise.all([
      createUser(t.db, input({ email, organisation: organisation({ registrationNumber: regNo() }) })),
      createUser(t.db, input({ email: email.toUpperCase(), organisation: organisation({ registrationNumber: regNo() }) })),
    ]);
    const ok = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(ok).toHaveLength(1);
    expect(refused).toEqual([{ ok: false, fieldErrors: { email: ["errors.emailTaken"] } }]);
    const after = await counts();
    // the loser's organisation was rolled back with it
    expect(after).toEqual({ users: before.users + 1, organisations: before.organisations + 1, audit: before.audit + 1 });
  });

  // On PostgreSQL (READ COMMITTED) two registrations with one new registration
  // number both find no organisation, both insert one, and the loser hits the
  // unique index on organisations.registration_number, which createUser
  // reports as errors.emailTaken although its email is free.
  // Issue 15: the first founds the organisation (its member); the others ask to join it.
  it("simultaneous registrations with one new registration number: one founds the organisation, the others ask to join it", async () => {
    for (let round = 0; round < 5; round++) {
      const number = regNo();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => createUser(t.db, input({ organisation: organisation({ registrationNumber: number }) }))),
      );
      expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
      const ids = new Set(results.map((r) => (r.ok ? (r.organisationId ?? r.requestedOrganisationId) : null)));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.ok && !r.organisationMatched)).toHaveLength(1);
      expect(results.filter((r) => r.ok && r.organisationId != null)).toHaveLength(1);
      expect(results.filter((r) => r.ok && r.requestedOrganisationId != null)).toHaveLength(5);
      const orgs = await t.db.selectFrom("organisations").select("id").where("registration_number", "=", number).execute();
      expect(orgs).toHaveLength(1);
      const members = await t.db.selectFrom("users").select("id").where("organisation_id", "=", orgs[0]!.id).execute();
      expect(members).toHaveLength(1);
    }
  });
});

describe(`authenticate (${testDialect})`, () => {
  it("accepts the right password", async () => {
    const u = await makeUser(t.db);
    expect(await authenticate(t.db, u.email, u.password)).toEqual({ ok: true, userId: u.id });
  });

  it("accepts the email in any case and with surrounding spaces", async () => {
    const u = await makeUser(t.db);
    expect(await authenticate(t.db, u.email.toUpperCase(), u.password)).toEqual({ ok: true, userId: u.id });
    expect(await authenticate(t.db, `  ${u.email}  `, u.password)).toEqual({ ok: true, userId: u.id });
  });

  it("refuses a wrong password", async () => {
    const u = await makeUser(t.db);
    expect(await authenticate(t.db, u.email, `${u.password}!`)).toEqual({ ok: false, reason: "invalid", userId: u.id });
    expect(await authenticate(t.db, u.email, u.password.toUpperCase())).toEqual({ ok: false, reason: "invalid", userId: u.id });
    expect(await authenticate(t.db, u.email, "")).toEqual({ ok: false, reason: "invalid", userId: u.id });
  });

  it("refuses an unknown email the same way, without naming a user", async () => {
    expect(await authenticate(t.db, uniqueEmail("nobody"), GOOD_PASSWORD)).toEqual({ ok: false, reason: "invalid", userId: null });
  });

  it("says 'disabled' for a disabled account only with the right password", async () => {
    const u = await makeUser(t.db);
    await t.db.updateTable("users").set({ status: "disabled" }).where("id", "=", u.id).execute();
    expect(await authenticate(t.db, u.email, u.password)).toEqual({ ok: false, reason: "disabled", userId: u.id });
    // a wrong password does not reveal that the account exists but is disabled
    expect(await authenticate(t.db, u.email, "wrong password here")).toEqual({ ok: false, reason: "invalid", userId: u.id });
  });

  it("treats a deleted account as unknown", async () => {
    const u = await makeUser(t.db);
    await t.db.updateTable("users").set({ status: "deleted" }).where("id", "=", u.id).execute();
    expect(await authenticate(t.db, u.email, u.password)).toEqual({ ok: false, reason: "invalid", userId: null });
  });
});

describe(`setUserRole (${testDialect})`, () => {
  it("changes the role, ends every session of that user only, and audits before/after", async () => {
    const u = await makeUser(t.db);
    const other = await makeUser(t.db);
    const auth = createAuth(t.db, { secureCookies: false });
    const cookies = await Promise.all([auth.signIn(u.id), auth.signIn(u.id), auth.signIn(other.id)]);
    const tokens = cookies.map((c) => auth.readToken(c)!);
    const sessionsOf = async (id: number) => (await t.db.selectFrom("sessions").select("id").where("user_id", "=", id).execute()).length;
    expect(await sessionsOf(u.id)).toBe(2);

    const r = await setUserRole(t.db, { email: u.email.toUpperCase(), role: "moderator", actorId: other.id, actorRole: "admin" });
    expect(r).toEqual({ ok: true, userId: u.id, previous: "stakeholder" });
    expect((await userRow(u.id)).role).toBe("moderator");
    expect(await sessionsOf(u.id)).toBe(0);
    expect(await sessionsOf(other.id)).toBe(1);
    expect(await auth.validate(tokens[0]!)).toBeNull();
    expect(await auth.validate(tokens[1]!)).toBeNull();
    expect((await auth.validate(tokens[2]!))?.user.id).toBe(other.id);

    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "user.role")
      .where("target_id", "=", String(u.id))
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: other.id, actor_role: "admin", target_type: "user" });
    expect(JSON.parse(audit[0]!.before!)).toEqual({ role: "stakeholder" });
    expect(JSON.parse(audit[0]!.after!)).toEqual({ role: "moderator" });
  });

  it("records the operator (CLI) as the actor when none is given", async () => {
    const u = await makeUser(t.db);
    const r = await setUserRole(t.db, { email: u.email, role: "admin" });
    expect(r).toEqual({ ok: true, userId: u.id, previous: "stakeholder" });
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "user.role")
      .where("target_id", "=", String(u.id))
      .executeTakeFirstOrThrow();
    expect(audit.actor_id).toBeNull();
    expect(audit.actor_role).toBe("operator");
    const again = await setUserRole(t.db, { email: u.email, role: "organiser" });
    expect(again).toEqual({ ok: true, userId: u.id, previous: "admin" });
  });

  it("answers notFound for an unknown or deleted email and changes nothing", async () => {
    const before = await counts();
    expect(await setUserRole(t.db, { email: uniqueEmail("ghost"), role: "admin" })).toEqual({ ok: false, reason: "notFound" });
    const u = await makeUser(t.db);
    await t.db.updateTable("users").set({ status: "deleted" }).where("id", "=", u.id).execute();
    const mid = await counts();
    expect(await setUserRole(t.db, { email: u.email, role: "admin" })).toEqual({ ok: false, reason: "notFound" });
    expect((await userRow(u.id)).role).toBe("stakeholder");
    expect(await counts()).toEqual(mid);
    expect(mid.audit).toBe(before.audit + 1); // only makeUser's user.create
  });
});
