// The role ladder. Shared by server guards and by components that decide what
// to show (showing is never the protection: guards.server.ts is).
export const ROLES = ["stakeholder", "moderator", "organiser", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Each role has every permission of the roles below it. */
export function hasRole(userRole: Role, required: Role): boolean {
  return ROLES.indexOf(userRole) >= ROLES.indexOf(required);
}
