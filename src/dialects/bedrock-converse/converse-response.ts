/** Bedrock Converse non-streamed response → canonical (wire-formats §6.5). */
import type { ContentPart } from "../../canonical/content.js";
import type { ResponseResult } from "../../canonical/response.js";
import { emptyUsage } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";
import { readConverseBlock } from "./converse-content.js";
import { converseErrorToCanonical } from "./converse-errors.js";
import { converseStopToCanonical } from "./converse-finish-reason.js";
import { converseUsageToCanonical } from "./converse-usage.js";

/** What Converse leaves out of its body: the model is in the URL, the only id is the `x-amzn-requestid` header. */
export interface ConverseResponseContext {
  model?: string;
  requestId?: string;
  /** The `x-amzn-errortype` header of an error answer. */
  errorType?: string;
}

export function converseResponseToCanonical(
  body: unknown,
  status = 200,
  context: ConverseResponseContext = {},
): ResponseResult {
  if (status >= 400) return { ok: false, error: converseErrorToCanonical(status, body, context.errorType) };
  const output = isObject(body) && isObject(body.output) ? body.output : undefined;
  const message = output && isObject(output.message) ? output.message : undefined;
  if (!isObject(body) || !message)
    return { ok: false, error: converseErrorToCanonical(502, body, context.errorType) };
  const content: ContentPart[] = [];
  if (Array.isArray(message.content)) {
    for (const block of message.content) {
      const part = readConverseBlock(block);
      if (part) content.push(part);
    }
  }
  return {
    ok: true,
    response: {
      id: context.requestId ?? "",
      model: context.model ?? "",
      content,
      finish: converseStopToCanonical(body.stopReason, body.additionalModelResponseFields),
      usage: converseUsageToCanonical(body.usage) ?? emptyUsage(),
    },
  };
}
