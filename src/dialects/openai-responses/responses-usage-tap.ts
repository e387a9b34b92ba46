/**
 * Usage taps for Responses pass-through (see openai-usage-tap.ts): the bytes go to the client unchanged and
 * usage is read on the side, from the response object that ends the stream (`response.completed`,
 * `response.incomplete` or `response.failed`). Other events are not parsed.
 */
import type { CanonicalUsage, UsageTap } from "../../canonical/usage.js";
import { isObject } from "../../canonical/validate.js";
import { responsesUsageToCanonical } from "./responses-usage.js";

const finalEvents = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** Cheap pre-check: only the final event (the last and largest) carries usage. */
const mayEnd = (data: string): boolean =>
  data.includes('"response.completed"') ||
  data.includes('"response.incomplete"') ||
  data.includes('"response.failed"');

/** Usage of a non-streamed Responses body (a `response` object). */
export function readResponsesUsage(body: unknown): CanonicalUsage | undefined {
  return isObject(body) ? responsesUsageToCanonical(body.usage) : undefined;
}

/** The message of a failed response's `error` (`{"code":"server_error","message":…}`), when it has one. */
function failureMessage(response: unknown): string | undefined {
  if (!isObject(response) || !isObject(response.error)) return undefined;
  const message = response.error.message;
  return typeof message === "string" && message !== "" ? message : undefined;
}

/**
 * `onFailed` hears a `response.failed`: the stream ended properly, but with the upstream's failure, which the
 * request's outcome must record as an error rather than a success.
 */
export function createResponsesUsageTap(onFailed?: (message: string | undefined) => void): UsageTap {
  let usage: CanonicalUsage | undefined;
  const onEvent = (event: unknown): void => {
    if (!isObject(event) || typeof event.type !== "string" || !finalEvents.has(event.type)) return;
    if (isObject(event.response)) usage = responsesUsageToCanonical(event.response.usage) ?? usage;
    if (event.type === "response.failed") onFailed?.(failureMessage(event.response));
  };
  return {
    onEvent,
    onData(data) {
      if (!mayEnd(data)) return;
      try {
        onEvent(JSON.parse(data));
      } catch {
        // Not JSON: the relay forwards it anyway; there is no usage to read.
      }
    },
    result: () => usage,
  };
}

/** True for the record that completes a Responses stream: the final response object, however it ended. */
export function responsesStreamEnds(event: string | undefined, data: string): boolean {
  return event === undefined || !event.startsWith("response.") ? mayEnd(data) : finalEvents.has(event);
}
