import type { z } from "zod";
import { AccessError } from "../auth/access-admin.js";
import { LineIndex } from "../config/load/location.js";
import { problemsFromZod } from "../config/load/zod-problems.js";
import { actorId, featureLimits } from "../config/schema/tollgate.js";

export { actorChangesInput, newActorInput } from "../admin/actor-input.js";

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
