import { z } from "zod";
import { duration, nonNegativeInt, positiveDuration, strictObject } from "./common.js";

/** Failed token checks per client address (src/auth/auth-failure-limiter.ts); `limit: 0` turns it off. */
export const authFailures = strictObject({
  limit: nonNegativeInt.default(20),
  window: positiveDuration.default(60_000),
});

/** `https://app.example.com`: a scheme, a host and an optional port, as browsers send `Origin`. */
const origin = z.string().superRefine((value, context) => {
  if (value === "*" || value === "null") {
    context.addIssue({
      code: "custom",
      message: `\`${value}\` is not allowed; list each origin that may call the gateway, e.g. "https://app.example.com"`,
    });
    return;
  }
  const parsed = URL.canParse(value) ? new URL(value) : undefined;
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.origin !== value) {
    context.addIssue({
      code: "custom",
      message: `\`${value}\` is not an origin; write the scheme, host and port only, without a path or a trailing slash, e.g. "https://app.example.com"`,
    });
  }
});

/** Browser access (CORS): off unless origins are listed; exact matches only. */
export const cors = strictObject({
  origins: z.array(origin).min(1, { error: "list at least one origin, or leave `cors` out" }),
  /** How long a browser may cache a preflight's answer. */
  maxAge: duration.default(600_000),
});

export type AuthFailuresConfig = z.output<typeof authFailures>;
export type CorsConfig = z.output<typeof cors>;
