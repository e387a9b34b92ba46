import type { IncomingHttpHeaders } from "node:http";
import { codyErrorAnswer, GatewayError } from "../../errors/index.js";
import type { Ingress } from "../ingress.js";
import { codyFeatureName } from "./cody-feature.js";

/**
 * Cody Gateway reads only `Authorization` and refuses a header without a type, or with a type other than
 * bearer, with a 400 of its own (reference/cody.md §1.3) rather than a 401.
 */
function checkAuthorization(headers: IncomingHttpHeaders): void {
  const authorization = headers.authorization;
  if (authorization === undefined) return;
  const space = authorization.indexOf(" ");
  if (space === -1)
    throw new GatewayError("invalid_request", "token type missing in Authorization header", {
      param: "authorization",
    });
  const type = authorization.slice(0, space);
  if (type.toLowerCase() !== "bearer")
    throw new GatewayError("invalid_request", `invalid token type ${type}`, { param: "authorization" });
}

/** Cody Gateway's client API (DESIGN §9): its Authorization checks, trace headers and error shapes. */
export const codyIngress: Ingress = {
  name: "cody",
  precheck: checkAuthorization,
  started(ids, answer) {
    // `X-Trace` is the lane's `x-trace` already (header names are case-insensitive); Cody adds the span's.
    answer.header("x-trace-span", ids.spanId);
  },
  renderError: (error, outcome) => codyErrorAnswer(error, codyFeatureName(outcome.feature), Date.now()),
};
