// The password rules: 8–256 characters counted as characters (code
// points, not UTF-16 units), no composition rules, refused when common or
// built on the product's own words or the user's own words; argon2id hashes.
import { describe, expect, it } from "vitest";
import commonPasswords from "~/auth/common-passwords.json";
import { PASSWORD_MAX, PASSWORD_MIN, checkPassword, dummyPasswordHash, hashPassword, verifyPassword } from "~/auth/password.server";

const ARGON2_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$";

describe("checkPassword: length", () => {
  it("uses the limits of the spec", () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(256);
  });

  it("refuses fewer than 8 characters", () => {
    expect(checkPassword("")).toBe("tooShort");
    expect(checkPassword("a")).toBe("tooShort");
    expect(checkPassword("kx7!vq2")).toBe("tooShort"); // 7
  });

  it("accepts exactly 8 characters with no composition rules", () => {
    expect(checkPassword("kx7!vq2#")).toBeNull();
    // only lower-case letters: no composition rules
    expect(checkPassword("zvrqmbkt")).toBeNull();
    // only digits
    expect(checkPassword("90417263")).toBeNull();
  });

  it("accepts 256 characters and refuses 257", () => {
    const base = "quiet river under margalla hills ";
    const long = base.repeat(Math.ceil(300 / base.length));
    expect(checkPassword(long.slice(0, 256))).toBeNull();
    expect(checkPassword(long.slice(0, 257))).toBe("tooLong");
    expect(checkPassword("x".repeat(10_000))).toBe("tooLong");
  });

  it("counts characters, not UTF-16 units (astral characters)", () => {
    const four = "😀🌙🌲🎈"; // 4 characters, 8 UTF-16 units
    expect(four.length).toBe(8);
    expect(checkPassword(four)).toBe("tooShort");
    const max = "🌙".repeat(256); // 256 characters, 512 units
    expect(max.length).toBe(512);
    expect(checkPassword(max)).toBeNull();
    expect(checkPassword("🌙".repeat(257))).toBe("tooLong");
  });

  it("accepts an Urdu passphrase and counts Urdu letters as characters", () => {
    expect(checkPassword("میرا شہر سیالکوٹ ہے")).toBeNull();
    expect(checkPassword("پاکستانی")).toBeNull(); // 8 letters
    expect(checkPassword("پاکستان")).toBe("tooShort"); // 7 letters
  });

  it("keeps spaces and does not trim (paste allowed, every character counts)", () => {
    expect(checkPassword(" kx7!vq ")).toBeNull(); // 8 only with the two spaces: nothing is trimmed
    expect(checkPassword(" kx7!vq2")).toBeNull(); // 8 with the leading space
    expect(checkPassword("kx7!vq2 ")).toBeNull();
  });
});

describe("checkPassword: common passwords", () => {
  it("refuses well-known passwords, case-insensitively", () => {
    expect(checkPassword("password123")).toBe("common");
    expect(checkPassword("PASSWORD123")).toBe("common");
    expect(checkPassword("Qwerty123")).toBe("common");
    expect(checkPassword("iloveyou")).toBe("common");
  });

  it("refuses every entry of the shipped list", () => {
    const list = commonPasswords as string[];
    expect(list.length).toBeGreaterThan(10_000);
    const accepted = list.filter((p) => {
      const r = checkPassword(p);
      return r !== "common" && r !== "tooShort";
    });
    expect(accepted).toEqual([]);
  });
});

describe("checkPassword: context words", () => {
  it.each([
    "Mashwara2026!",
    "mashwara",
    "MASHWARA!!1",
    "leather123",
    "Leather@2026",
    "consultation1",
    "smeda12345",
    "Pharmaceutical1",
    "surgical!!99",
    "instruments#1",
    "foodprocessing",
    "information2026",
    "technology!1",
    "surgicalinstruments",
  ])("refuses %s", (password) => {
    expect(checkPassword(password)).toBe("context");
  });

  it("accepts a long passphrase that merely mentions a cluster word", () => {
    expect(checkPassword("our leather goes to Milan every spring")).toBeNull();
    expect(checkPassword("Mashwara is where Sialkot tanners talk")).toBeNull();
  });

  it("refuses the user's own words (email name, display name, organisation)", () => {
    const personal = ["amina.sheikh", "Amina Sheikh", "Sialkot Tanners Ltd"];
    expect(checkPassword("amina2024!", personal)).toBe("context");
    expect(checkPassword("Sheikh123456", personal)).toBe("context");
    expect(checkPassword("tanners#2026", personal)).toBe("context");
    expect(checkPassword("SIALKOT-1947", personal)).toBe("context");
    // without the personal words the same passwords are fine
    expect(checkPassword("amina2024!")).toBeNull();
    expect(checkPassword("tanners#2026")).toBeNull();
  });

  it("splits personal words on spaces and the separators of email names", () => {
    expect(checkPassword("zainab!!2026", ["zainab_k-q"])).toBe("context");
    expect(checkPassword("farooqui2026", ["m.farooqui@example.pk"])).toBe("context");
  });

  it("ignores personal words shorter than 4 characters and empty entries", () => {
    expect(checkPassword("kx7!vq2#ali", ["ali", null, undefined, ""])).toBeNull();
  });

  it("accepts a passphrase that contains the user's name among other words", () => {
    expect(checkPassword("amina walks to the bazaar at dawn", ["Amina Sheikh"])).toBeNull();
  });

  // Each context/personal word is checked on its own, so a password made only
  // of two of them leaves the other word as "the rest" and passes: a cluster's
  // two-word name ("Food processing", "Surgical instruments") or a user's full
  // display name with a little decoration. password.server.ts checkPassword.
  it("refuses a two-word cluster name with decoration (several context words together)", () => {
    expect(checkPassword("Food-Processing-1")).toBe("context");
    expect(checkPassword("Surgical Instruments 2026")).toBe("context");
    expect(checkPassword("MashwaraLeather1")).toBe("context");
  });

  it("refuses the display name itself as the password (several personal words together)", () => {
    expect(checkPassword("AminaSheikh2026", ["amina.sheikh", "Amina Sheikh"])).toBe("context");
    expect(checkPassword("Amina Sheikh 1!", ["Amina Sheikh"])).toBe("context");
  });
});

describe("hashPassword / verifyPassword", () => {
  it("hashes with argon2id, 19 MiB, 2 iterations, a fresh salt each time", async () => {
    const a = await hashPassword("quiet river under Margalla hills");
    const b = await hashPassword("quiet river under Margalla hills");
    expect(a.startsWith(ARGON2_PREFIX)).toBe(true);
    expect(b.startsWith(ARGON2_PREFIX)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain("quiet river");
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const h = await hashPassword("میرا شہر سیالکوٹ ہے");
    expect(await verifyPassword(h, "میرا شہر سیالکوٹ ہے")).toBe(true);
    expect(await verifyPassword(h, "میرا شہر سیالکوٹ ہے ")).toBe(false);
    expect(await verifyPassword(h, "")).toBe(false);
  });

  it("returns false (does not throw) for a malformed hash", async () => {
    await expect(verifyPassword("not-a-hash", "whatever1")).resolves.toBe(false);
    await expect(verifyPassword("", "whatever1")).resolves.toBe(false);
  });

  it("keeps one dummy hash for unknown emails, an argon2id hash that matches nothing obvious", async () => {
    const d1 = await dummyPasswordHash();
    const d2 = await dummyPasswordHash();
    expect(d1).toBe(d2);
    expect(d1.startsWith(ARGON2_PREFIX)).toBe(true);
    expect(await verifyPassword(d1, "")).toBe(false);
    expect(await verifyPassword(d1, "dummy-")).toBe(false);
  });
});
