// Password rules (OWASP ASVS 5.0): 8–256 characters, no composition rules,
// refused when common or built on the product's own words; hashed with
// argon2id at 19 MiB, 2 iterations.
import { hash, verify } from "@node-rs/argon2";
import commonPasswords from "./common-passwords.json";
import taxonomy from "../../db/taxonomy.json";
import { RULE_NUMBERS } from "~/lib/rules";

export const PASSWORD_MIN = RULE_NUMBERS.passwordMin;
export const PASSWORD_MAX = RULE_NUMBERS.passwordMax;

// argon2id = 2 in @node-rs/argon2's Algorithm enum (a const enum, so spelt out here).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

let common: Set<string> | undefined;
function commonSet(): Set<string> {
  common ??= new Set(commonPasswords as string[]);
  return common;
}

/** Words a guesser tries first against this site: the product and its clusters. */
const CONTEXT_WORDS = [
  "mashwara",
  "consultation",
  "smeda",
  ...taxonomy.clusters.flatMap((c) => [c.slug.replace(/-/g, ""), ...c.en.toLowerCase().split(/\s+/)]),
].filter((w) => w.length >= 4);

export type PasswordProblem = "tooShort" | "tooLong" | "common" | "context";

/**
 * Returns why a password is refused, or null when it is acceptable.
 * `personal` adds the user's own words (email name, display name, organisation).
 */
export function checkPassword(password: string, personal: Array<string | undefined | null> = []): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return "tooShort";
  if (length > PASSWORD_MAX) return "tooLong";
  const lower = password.toLowerCase();
  if (commonSet().has(lower)) return "common";
  const personalWords = personal.flatMap((w) => (w ?? "").toLowerCase().split(/[\s@._-]+/)).filter((w) => w.length >= 4);
  // "Mashwara2026!", "Food-Processing-1" or "AminaSheikh2026" are the site's or
  // the person's own words with decoration; a long passphrase that merely
  // mentions "leather" is fine. Remove every such word, then refuse when fewer
  // than four letters are left.
  let rest = lower;
  let matched = false;
  for (const word of [...CONTEXT_WORDS, ...personalWords]) {
    if (!rest.includes(word)) continue;
    matched = true;
    rest = rest.split(word).join(" ");
  }
  if (matched && rest.replace(/[^\p{L}]/gu, "").length < 4) return "context";
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random string, verified against when the email is unknown, so
 * "no such account" and "wrong password" take the same time. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
  return dummyHash;
}
