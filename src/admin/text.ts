import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { GatewayError } from "../errors/index.js";

/**
 * Text the store can keep. Postgres refuses NUL in text and `\u0000` or an unpaired surrogate escape in JSON,
 * and failed with a 500 on them (issue 15); SQLite would keep them and hand them back broken. So every admin
 * string that may reach the database is checked once, here, where input is parsed. No backtracking: linear.
 */
const LONE_SURROGATE = "[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";
const UNSTORABLE = new RegExp(`\\x00|${LONE_SURROGATE}`);
/** Ids in a path: no control character either (`/admin/api/actors/%0a`); no id we issue has one. */
const UNFIT_PATH_VALUE = new RegExp(`[\\x00-\\x1f\\x7f]|${LONE_SURROGATE}`);

export const UNSTORABLE_MESSAGE = "must not contain NUL or unpaired surrogates";

export function isStorable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** A string that may be stored: the base of every free-text field of the admin API's bodies and queries. */
export const storableText = z.string().refine(isStorable, { error: UNSTORABLE_MESSAGE });

/** A path parameter (`:id`), refused with a 400 naming it when it holds what no id can. */
export function pathParam(request: FastifyRequest, name = "id"): string {
  const value = (request.params as Record<string, string | undefined>)[name] ?? "";
  if (UNFIT_PATH_VALUE.test(value)) {
    throw new GatewayError(
      "invalid_request",
      `\`${name}\` in the path must not contain control characters or unpaired surrogates`,
      { param: name },
    );
  }
  return value;
}
