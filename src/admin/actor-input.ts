import { z } from "zod";
import { actorId, budget, featureLimits } from "../config/schema/tollgate.js";
import { storableText } from "./text.js";

/**
 * An actor's fields as the admin API (POST and PATCH /admin/api/actors) and `tollgate actors` accept them: the
 * limits and budget schemas are the config file's own, so every way of setting an actor refuses the same values
 * with the same messages.
 */

export const role = z.enum(["admin", "readonly", "user"]);
export const actorName = storableText.trim().min(1, "must not be empty").max(200);

const actorFields = {
  role: role.optional(),
  status: z.enum(["active", "disabled"]).optional(),
  allowedModels: z.array(storableText.min(1)).nullable().optional(),
  limits: featureLimits.nullable().optional(),
  budget: budget.nullable().optional(),
};

export const newActorInput = z.strictObject({ id: actorId.optional(), name: actorName, ...actorFields });
export const actorChangesInput = z.strictObject({ name: actorName.optional(), ...actorFields });
