import { z } from "zod";
import { budget, featureLimits } from "../config/schema/tollgate.js";

/**
 * The answers of the admin API, as zod schemas for its OpenAPI document. They describe what the handlers return
 * (the views in access-admin, provider-view, model-view); a test checks real answers against them.
 */

const instant = z.string().describe("ISO 8601 date-time");
const role = z.enum(["admin", "readonly", "user"]);

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  actorId: z.string(),
  hint: z.string().describe("`tg_…abcd`: enough to recognise a token, useless to use it"),
  state: z.enum(["active", "revoked", "expired"]),
  createdAt: instant,
  expiresAt: instant.nullable(),
  revokedAt: instant.nullable(),
  lastUsedAt: instant.nullable(),
});

export const createdToken = z.object({
  id: z.string(),
  actorId: z.string(),
  token: z.string().describe("the token itself: shown once, never again"),
});

export const actorView = z.object({
  id: z.string(),
  name: z.string(),
  role,
  status: z.enum(["active", "disabled"]),
  allowedModels: z.array(z.string()).nullable(),
  limits: featureLimits.nullable().describe("per feature, intervals as written (`1m`)"),
  budget: budget.nullable(),
  source: z.enum(["config", "database", "external"]),
  createdAt: instant,
  updatedAt: instant,
});

export const whoAmI = z.object({
  actorId: z.string(),
  name: z.string(),
  role,
  tokenId: z.string(),
});

export const deleted = (what: string) =>
  z.object({ id: z.string().describe(`the ${what}'s id`), deleted: z.literal(true) });

/** Answers whose fields depend on the configuration (the explain report, the effective configuration). */
export const openObject = z.record(z.string(), z.unknown());
