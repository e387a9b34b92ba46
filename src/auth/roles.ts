import type { Role } from "./principal.js";

/**
 * What a role may do. `client`: the model routes (/v1/…). `admin:read`: GET on the admin API.
 * `admin:write`: changes through the admin API. A readonly actor is for people and tools that watch
 * (dashboards, auditors): it reads the admin API and cannot spend money on the client routes.
 */
export type Permission = "client" | "admin:read" | "admin:write";

const grants: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(["client", "admin:read", "admin:write"]),
  readonly: new Set(["admin:read"]),
  user: new Set(["client"]),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return grants[role].has(permission);
}

export const ROLES: readonly Role[] = ["admin", "readonly", "user"];
