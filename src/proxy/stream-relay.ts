import type { CanonicalStreamEvent } from "../canonical/stream-events.js";
import type { JsonObject } from "../canonical/validate.js";
import { anthropicErrorToCanonical } from "../dialects/anthropic/anthropic-errors.js";
import { openaiErrorToCanonical } from "../dialects/openai/openai-errors.js";
import { formatSse } from "../dialects/sse.js";
import { GatewayError } from "../errors/index.js";
import { createFrameReader, type FrameEvent, type Framing } from "../upstream/framing/index.js";
import { scrubSecrets } from "../upstream/scrub.js";
import {
  type AnswerContext,
  codecs,
  type Dialect,
  type ProviderDialect,
  type Shape,
  translators,
} from "./codecs.js";
import type { RequestOutcome } from "./outcome.js";
import { providerFailureCode } from "./provider-failure.js";

export interface StreamRelayInput {
  body: AsyncIterable<Buffer>;
  /** How the upstream's records are carried (SSE, AWS event-stream). */
  framing: Framing;
  passthrough: boolean;
  /** The provider's native dialect, decoded when the answer is translated. */
  providerDialect: ProviderDialect;
  clientDialect: Dialect;
  /** The client's body (a Responses answer echoes its settings). */
  clientRequest: JsonObject;
  /** What the provider's answer may not say itself (its model, its request id). */
  answer: AnswerContext;
  clientShape: Shape;
  /** The client asked for usage in the stream. */
  includeUsage: boolean;
  /** The gateway added `stream_options.include_usage`; drop the usage-only chunk. */
  injectedStreamUsage: boolean;
  /** The credentials of this call: upstream error events that echo them are scrubbed. */
  secrets?: readonly string[];
  /** Maps what a failed upstream body threw to the client's error (the total deadline's, when it fired). */
  failure?: (error: unknown) => unknown;
}

/** What a relay records in the request's outcome as it goes: usage, events relayed, the error that ended it. */
export type StreamResult = Pick<RequestOutcome, "usage" | "relayedEvents" | "status" | "errorCode">;

/** A provider's error record in a stream (OpenAI `{"error":…}`, Anthropic `event: error`) as the request's error. */
function providerStreamError(dialect: Dialect, json: unknown, fallback: string): GatewayError {
  const parsed =
    dialect === "anthropic" ? anthropicErrorToCanonical(200, json) : openaiErrorToCanonical(200, json);
  const status = parsed.status >= 400 ? parsed.status : 502;
  return new GatewayError(providerFailureCode(status), parsed.message || fallback);
}

function failed(result: StreamResult, error: GatewayError): void {
  if (result.errorCode !== undefined) return;
  result.status = error.status;
  result.errorCode = error.code;
}

const mayHoldError = /"error"\s*:/;

/** Every string in a parsed JSON value with credentials removed. */
function scrubJson(value: unknown, secrets: readonly string[] | undefined): unknown {
  if (typeof value === "string") return scrubSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => scrubJson(item, secrets));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubJson(item, secrets)]));
  }
  return value;
}

/**
 * An upstream error record (OpenAI `data: {"error":…}`, Anthropic `event: error`) may echo the key the
 * gateway sent, like the error bodies the upstream layer scrubs; it is relayed with credentials removed.
 */
function scrubErrorRecord(
  event: FrameEvent,
  dialect: Dialect,
  secrets: readonly string[] | undefined,
  result: StreamResult,
): string {
  if (event.event !== "error" && !mayHoldError.test(event.data)) return event.data;
  const fallback = "the upstream stream failed";
  try {
    const json = JSON.parse(event.data) as unknown;
    const isError = event.event === "error" || (typeof json === "object" && json !== null && "error" in json);
    if (!isError) return event.data;
    const scrubbed = scrubJson(json, secrets);
    failed(result, providerStreamError(dialect, scrubbed, fallback));
    return JSON.stringify(scrubbed);
  } catch {
    if (event.event !== "error") return event.data;
    failed(result, new GatewayError("upstream_error", fallback));
    return scrubSecrets(event.data, secrets);
  }
}

function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError("upstream_error", "the upstream stream failed");
}

/**
 * Mistral streams each tool call whole, without the `index` and `type` the OpenAI chunk format
 * requires; the official SDK's stream helper rejects such chunks. Calls without one get the index of their id (new ids
 * in order of arrival, no id: the last call); everything else in the chunk is left as it came.
 */
function toolCallIndexer() {
  const indexes = new Map<string, number>();
  let last = 0;
  return (data: string): string => {
    if (!data.includes('"tool_calls"')) return data;
    let json: { choices?: unknown };
    try {
      json = JSON.parse(data) as { choices?: unknown };
    } catch {
      return data;
    }
    let changed = false;
    for (const choice of Array.isArray(json.choices) ? json.choices : []) {
      const calls = (choice as { delta?: { tool_calls?: unknown } } | null)?.delta?.tool_calls;
      for (const call of Array.isArray(calls) ? (calls as Array<Record<string, unknown>>) : []) {
        if (typeof call?.index === "number") {
          last = call.index;
          if (typeof call.id === "string") indexes.set(call.id, call.index);
          continue;
        }
        if (typeof call !== "object" || call === null) continue;
        const id = typeof call.id === "string" ? call.id : undefined;
        let index = id === undefined ? last : indexes.get(id);
        if (index === undefined) {
          index = indexes.size;
          indexes.set(id!, index);
          // The call's first chunk names its type too (Mistral leaves it out).
          call.type ??= "function";
        }
        last = index;
        call.index = index;
        changed = true;
      }
    }
    return changed ? JSON.stringify(json) : data;
  };
}

/**
 * Same dialect: each upstream event is written again as it came (data unchanged, so unknown
 * fields survive), while the dialect's tap reads usage on the side. One write per upstream chunk.
 */
function passthroughHandler(input: StreamRelayInput, result: StreamResult) {
  let out = "";
  // A pass-through speaks the client's dialect both ways.
  const tap = codecs[input.clientDialect].streamTap({ injectedStreamUsage: input.injectedStreamUsage });
  const indexToolCalls = input.clientDialect === "openai" ? toolCallIndexer() : undefined;
  const onEvent = (event: FrameEvent) => {
    result.relayedEvents++;
    let data = scrubErrorRecord(event, input.clientDialect, input.secrets, result);
    if (indexToolCalls) data = indexToolCalls(data);
    if (!tap.onData(data)) return;
    out += formatSse(data, event.event);
  };
  return {
    reader: createFrameReader(input.framing, onEvent),
    take() {
      const text = out;
      out = "";
      return text;
    },
    finish() {
      result.usage = tap.usage();
      return "";
    },
  };
}

/** Other dialect: upstream events → canonical events → the client's dialect. */
function translatingHandler(input: StreamRelayInput, result: StreamResult) {
  const decoder = translators[input.providerDialect].streamDecoder(input.answer);
  const encoder = codecs[input.clientDialect].streamEncoder(
    input.clientShape,
    input.includeUsage,
    input.clientRequest,
  );
  let out = "";
  const emit = (events: CanonicalStreamEvent[]) => {
    for (const event of events) {
      if (event.type === "usage") result.usage = event.usage;
      if (event.type === "error") {
        event.error.message = scrubSecrets(event.error.message, input.secrets);
        // The client sees the gateway's catalogue code, as for every other error; the provider's message stays.
        const code = providerFailureCode(event.error.status);
        event.error.code = code;
        failed(result, new GatewayError(code, event.error.message));
      }
      out += encoder.encode(event);
    }
  };
  return {
    reader: createFrameReader(input.framing, (event) => {
      result.relayedEvents++;
      // Event-stream records name their type outside the payload (Bedrock Converse); SSE decoders read the data.
      emit(
        event.event !== undefined && decoder.pushEvent
          ? decoder.pushEvent(event.event, event.data)
          : decoder.pushData(event.data),
      );
    }),
    take() {
      const text = out;
      out = "";
      return text;
    },
    finish() {
      emit(decoder.end());
      return this.take() + encoder.end();
    },
  };
}

/** Relays an upstream SSE body to the client, chunk by chunk, ending with an error record on failure. */
export async function* relayStream(input: StreamRelayInput, result: StreamResult): AsyncGenerator<string> {
  const handler = input.passthrough ? passthroughHandler(input, result) : translatingHandler(input, result);
  try {
    for await (const chunk of input.body) {
      handler.reader.feedBytes(chunk);
      const text = handler.take();
      if (text) yield text;
    }
    // An SSE body may lack its last blank line; AWS frames cut short are a broken stream, not a complete one.
    if (!handler.reader.end() && input.framing !== "sse")
      throw new GatewayError("upstream_error", "the upstream stream ended in the middle of a frame");
    const tail = handler.take() + handler.finish();
    if (tail) yield tail;
  } catch (error) {
    const failure = asGatewayError(input.failure ? input.failure(error) : error);
    failed(result, failure);
    if (input.passthrough) handler.finish();
    const pending = handler.take();
    yield pending + codecs[input.clientDialect].streamError(failure);
  }
}
