import { z } from "zod";
import { durationBoundProblem, parseDuration } from "../duration.js";
import { findPlaceholder } from "../endpoint.js";
import { Secret } from "../secret.js";

/** Marks the message of an unknown-key issue so the problem formatter can offer "did you mean". */
export const UNKNOWN_KEYS_MARKER = "\u0000allowed-keys:";

/** A strict object whose unknown-key issues carry the allowed keys of this level. */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = JSON.stringify(Object.keys(shape));
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `${UNKNOWN_KEYS_MARKER}${allowed}` : undefined),
  });
}

function noPlaceholder(value: string, context: z.RefinementCtx) {
  const placeholder = findPlaceholder(value);
  if (placeholder) {
    context.addIssue({
      code: "custom",
      message: `\`${placeholder}\` is a documentation placeholder, not a value; replace it with the real one`,
    });
  }
}

/** A string that must not be a pasted documentation placeholder such as `<ARN>`. */
export const concreteString = z.string().superRefine(noPlaceholder);

/** A credential: kept as a `Secret` so it never prints. */
export const secret = z
  .string()
  .superRefine(noPlaceholder)
  .transform((value) => new Secret(value));

export const url = z.string().superRefine((value, context) => {
  noPlaceholder(value, context);
  if (findPlaceholder(value)) return;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    context.addIssue({
      code: "custom",
      message: `\`${value}\` is not a URL; write it with a scheme, e.g. https://host/path`,
    });
    return;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    context.addIssue({ code: "custom", message: `\`${value}\` must be an http:// or https:// URL` });
  }
});

/** `"30s"` → 30000 milliseconds. */
export const duration = z.string().transform((value, context) => {
  const milliseconds = parseDuration(value);
  if (milliseconds === undefined) {
    context.addIssue({
      code: "custom",
      message: `\`${value}\` is not a duration; write <number><unit> with unit ms, s, m, h or d (e.g. "30s", "1m")`,
    });
    return z.NEVER;
  }
  const tooLong = durationBoundProblem(milliseconds);
  if (tooLong !== undefined) {
    context.addIssue({ code: "custom", message: tooLong });
    return z.NEVER;
  }
  return milliseconds;
});

/** A duration that must be longer than zero (windows, intervals). */
export const positiveDuration = duration.refine((milliseconds) => milliseconds > 0, {
  error: "must be longer than zero",
});

export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();
export const nonNegativeNumber = z.number().nonnegative();

/** Integers that may come from `${PORT}` interpolation, which always yields a string. */
export const portNumber = z.preprocess(
  (value) => (typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
  z.number().int().min(0).max(65535),
);

export const timeouts = strictObject({
  connect: duration.optional(),
  firstByte: duration.optional(),
  idle: duration.optional(),
  /** The whole request, first byte to last: bounds an upstream that trickles bytes or keep-alive comments. */
  total: positiveDuration.optional(),
});
