// Factories: build data through the real models, with unique values per call.
import { randomBytes } from "node:crypto";
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { createUser, type CreateUserInput } from "../../app/models/user.server";

export const GOOD_PASSWORD = "quiet river under Margalla hills";

let counter = 0;
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}.${counter}.${randomBytes(3).toString("hex")}@example.pk`;
}

export interface MadeUser {
  id: number;
  email: string;
  password: string;
  organisationId: number | null;
}

export async function makeUser(db: DB, overrides: Partial<CreateUserInput> & { role?: Role } = {}): Promise<MadeUser> {
  const email = overrides.email ?? uniqueEmail(overrides.role ?? "stakeholder");
  const password = overrides.password ?? GOOD_PASSWORD;
  const result = await createUser(db, {
    displayName: "Test Person",
    organisation: {
      name: `Test Organisation ${randomBytes(3).toString("hex")}`,
      type: "firm",
      sizeBand: "small",
      city: "Sialkot",
      province: "punjab",
      clusterSlug: "leather",
    },
    ...overrides,
    email,
    password,
  });
  if (!result.ok) throw new Error(`makeUser failed: ${JSON.stringify(result.fieldErrors)}`);
  return { id: result.userId, email, password, organisationId: result.organisationId };
}

/** A registration form as the Contract names its fields. */
export function registrationForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    email: uniqueEmail("reg"),
    password: GOOD_PASSWORD,
    displayName: "Amina Sheikh",
    organisationName: "Sialkot Tanners",
    organisationType: "firm",
    sizeBand: "small",
    city: "Sialkot",
    province: "punjab",
    cluster: "leather",
    ...overrides,
  };
}
