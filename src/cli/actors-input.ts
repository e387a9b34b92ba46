import { z } from "zod";
import { storableText } from "../admin/text.js";
import { AccessError } from "../auth/access-admin.js";
import { LineIndex } from "../config/load/location.js";
import { problemsFromZod } from "../config/load/zod-problems.js";
import { actorId, budget, featureLimits } from "../config/schema/tollgate.js";

/**
 * What `tollgate actors create` and `set` accept, field for field the admin API's actor input (POST and PATCH
 * /admin/api/actors): the limits and budget schemas are the config file's own, so every way of setting an actor
 * refuses the same values with the same messages.
 */

const role = z.enum(["admin", "readonly", "user"]);
const name = storableText.trim().min(1, "must not be empty").max(200);

const actorFields = {
  role: role.optional(),
  status: z.enum(["active", "disabled"]).optional(),
  allowedModels: z.array(storableText.min(1)).nullable().optional(),
  limits: featureLimits.nullable().optional(),
  budget: budget.nullable().optional(),
};

export const newActorInput = z.strictObject({ id: actorId.optional(), name, ...actorFields });
export const actorChangesInput = z.strictObject({ name: name.optional(), ...actorFields });

/** The features a limit may name (`*`: every feature without its own entry), from the schema itself. */
export const LIMIT_FEATURES: readonly string[] = Object.keys(featureLimits.shape);

/**
 * Parses input with a schema; the first problem is an `invalid` AccessError naming the field as the config check
 * would (`limits.chat.interval: …`), so the CLI reports it like AccessAdmin's own refusals (exit 1).
 */
export function validated<T>(schema: z.ZodType<T>, input: Record<string, unknown>): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problem = problemsFromZod(result.error.issues, {
    root: undefined,
    lines: new LineIndex(""),
    value: input,
  })[0]!;
  throw new AccessError("invalid", `${problem.path}: ${problem.message}`, problem.path);
}

/** Whether an id could name an actor at all (what every source of actors requires). */
export function isActorId(id: string): boolean {
  return actorId.safeParse(id).success;
}
