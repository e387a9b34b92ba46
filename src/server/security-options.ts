import { AuthFailureLimiter } from "../auth/auth-failure-limiter.js";
import type { TollgateConfig } from "../config/index.js";
import type { GatewayMetrics } from "../telemetry/metrics.js";
import type { AppOptions } from "./app.js";
import { CorsPolicy } from "./cors.js";

/**
 * The app's security options from `server` (read once at start, like the rest of the section): the failed
 * authentication limiter, with its refusals counted in the metrics, and browser access when configured.
 */
export function securityOptions(
  server: TollgateConfig["server"],
  metrics?: GatewayMetrics,
): Pick<AppOptions, "authFailures" | "cors"> {
  const options: Pick<AppOptions, "authFailures" | "cors"> = {};
  const { limit, window } = server.authFailures;
  if (limit > 0) {
    const limiter = new AuthFailureLimiter({ limit, windowMs: window });
    metrics?.counter(
      "auth_failure_refusals_total",
      "Requests refused (429) because their client address failed authentication too often (server.authFailures), in this replica.",
      () => limiter.refusals,
    );
    options.authFailures = limiter;
  }
  if (server.cors) options.cors = new CorsPolicy(server.cors);
  return options;
}
