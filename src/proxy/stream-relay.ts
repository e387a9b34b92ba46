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
  /** Names the upstream in error messages (the provider id; never a URL); default "the upstream". */
  providerName?: string;
  /** The upstream answer's `content-type`: an HTML page or a whole JSON answer is not a stream. */
  contentType?: string | string[] | undefined;
  /** How the upstream's records are carried (SSE, AWS event-stream). */
  framing: Framing;
  passthrough: boolean;
  /** The provider's native dialect, decoded when the answer is translated. */
  providerDialect: ProviderDialect;
  clientDialect: Dialect;
  /**
   * The client's body (a Responses answer echoes its settings), read only when the answer is translated. A
   * pass-through leaves it out: the relay lives as long as the stream, and would keep the parsed body with it.
   */
  clientRequest?: JsonObject;
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

/** Records the first error that ended the stream; later ones change nothing. */
type Fail = (error: GatewayError) => void;

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
  fail: Fail,
): string {
  if (event.event !== "error" && !mayHoldError.test(event.data)) return event.data;
  const fallback = "the upstream stream failed";
  try {
    const json = JSON.parse(event.data) as unknown;
    const isError = event.event === "error" || (typeof json === "object" && json !== null && "error" in json);
    // An error nested deeper (Responses' `response.failed`) is not this record's failure to report, but a key the
    // upstream echoed in its message must not reach the client either.
    if (!isError)
      return secrets?.some((secret) => event.data.includes(secret))
        ? scrubSecrets(event.data, secrets)
        : event.data;
    const scrubbed = scrubJson(json, secrets);
    fail(providerStreamError(dialect, scrubbed, fallback));
    return JSON.stringify(scrubbed);
  } catch {
    if (event.event !== "error") return event.data;
    fail(new GatewayError("upstream_error", fallback));
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
  // Made on the first tool call: most streams have none, and a held stream would keep an empty map.
  let indexes: Map<string, number> | undefined;
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
    indexes ??= new Map();
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
 * A record's data looks like a JSON object (first and last characters, not a parse: the pass-through never parses
 * records that hold no usage). Garbage (an HTML page's lines, plain text) fails the stream instead of being
 * relayed for the client's parser to choke on, or worse, to skip.
 */
function looksLikeJsonObject(data: string): boolean {
  if (data.charCodeAt(0) === 123 && data.charCodeAt(data.length - 1) === 125) return true;
  const trimmed = data.trim();
  return trimmed.startsWith("{") && trimmed.endsWith("}");
}

/**
 * Same dialect: each upstream event is written again as it came (data unchanged, so unknown
 * fields survive), while the dialect's tap reads usage on the side. One write per upstream chunk.
 * A record that is not JSON fails the stream; `complete` says whether the stream's final record came.
 */
function passthroughHandler(input: StreamRelayInput, result: StreamResult, fail: Fail) {
  let out = "";
  /** `[DONE]` came (the one record that is not JSON). */
  let done = false;
  /**
   * The last three JSON records, for the one that completes the stream: it is the last, or OpenAI's finish chunk
   * followed by the usage chunk (and `[DONE]`). Not every record is tested as it passes: a record pushed out by
   * later ones in the same upstream chunk never is. Once its chunk is relayed (`take`), a record still here is
   * kept only as whether it ends the stream: held until the next chunk, a second or more on a slow stream, each
   * record would outlive two young-generation GCs and be promoted to the old one with the chunk's text, which
   * grew the heap by ~1.3 MB/s at 5,000 held streams until the next full GC.
   */
  let last: FrameEvent | boolean = false;
  let beforeLast: FrameEvent | boolean = false;
  let third: FrameEvent | boolean = false;
  // A pass-through speaks the client's dialect both ways.
  const codec = codecs[input.clientDialect];
  const tap = codec.streamTap({
    injectedStreamUsage: input.injectedStreamUsage,
    onFailed: (message) =>
      fail(
        new GatewayError(
          "upstream_error",
          scrubSecrets(message ?? `${input.providerName ?? "the upstream"}'s response failed`, input.secrets),
        ),
      ),
  });
  const indexToolCalls = input.clientDialect === "openai" ? toolCallIndexer() : undefined;
  const ends = (record: FrameEvent | boolean) =>
    typeof record === "boolean" ? record : codec.streamEnds(record.event, record.data);
  const onEvent = (event: FrameEvent) => {
    if (!looksLikeJsonObject(event.data)) {
      // `[DONE]` is the one record that is not JSON; an empty keep-alive record says nothing.
      if (codec.streamEnds(event.event, event.data)) done = true;
      else if (event.data.trim() === "") return;
      else
        throw new GatewayError(
          "upstream_error",
          `${input.providerName ?? "the upstream"} sent a stream record that is not JSON`,
        );
    } else {
      third = beforeLast;
      beforeLast = last;
      last = event;
    }
    result.relayedEvents++;
    let data = scrubErrorRecord(event, input.clientDialect, input.secrets, fail);
    if (indexToolCalls) data = indexToolCalls(data);
    if (!tap.onData(data)) return;
    out += formatSse(data, event.event);
  };
  return {
    reader: createFrameReader(input.framing, onEvent),
    /** The stream ended normally: complete when its final record (or an upstream error record) came. */
    complete: () => done || result.errorCode !== undefined || ends(last) || ends(beforeLast) || ends(third),
    pending: () => out !== "",
    take() {
      if (typeof last !== "boolean") last = ends(last);
      if (typeof beforeLast !== "boolean") beforeLast = ends(beforeLast);
      if (typeof third !== "boolean") third = ends(third);
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
function translatingHandler(input: StreamRelayInput, result: StreamResult, fail: Fail) {
  const decoder = translators[input.providerDialect].streamDecoder(input.answer);
  const encoder = codecs[input.clientDialect].streamEncoder(
    input.clientShape,
    input.includeUsage,
    input.clientRequest ?? {},
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
        fail(new GatewayError(code, event.error.message));
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
    // The decoder says so itself at the end: an unfinished message becomes an error event.
    complete: () => true,
    pending: () => out !== "",
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

/** Media types that are certainly not a stream: an error page, or a whole answer where a stream was asked for. */
const notAStream = /^\s*(text\/html|application\/([\w.-]+\+)?json)\b/i;

function mediaType(contentType: string | string[] | undefined): string | undefined {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return value?.split(";")[0]?.trim().toLowerCase();
}

/**
 * Relays an upstream stream body to the client, chunk by chunk, ending with an error record on failure. With
 * `strictStart`, a failure before anything was yielded is thrown instead (see `openRelay`).
 */
export async function* relayStream(
  input: StreamRelayInput,
  result: StreamResult,
  strictStart = false,
): AsyncGenerator<string> {
  let firstError: GatewayError | undefined;
  let yielded = false;
  /**
   * The stream failed before any record of the answer was produced (garbage, an error record or the end first):
   * with `strictStart`, that is an HTTP error status rather than a 200 whose only event is an error. Decided on
   * what the upstream sent, not on how its bytes were chunked.
   */
  let failedFirst = false;
  const fail: Fail = (error) => {
    if (firstError !== undefined || result.errorCode !== undefined) return;
    firstError = error;
    failedFirst = !yielded && !handler.pending();
    result.status = error.status;
    result.errorCode = error.code;
  };
  const handler = input.passthrough
    ? passthroughHandler(input, result, fail)
    : translatingHandler(input, result, fail);
  const refuseAtStart = () => strictStart && failedFirst;
  try {
    for await (const chunk of input.body) {
      handler.reader.feedBytes(chunk);
      const text = handler.take();
      if (!text) continue;
      if (refuseAtStart()) throw firstError;
      yielded = true;
      yield text;
    }
    // An SSE body may lack its last blank line; AWS frames cut short are a broken stream, not a complete one.
    if (!handler.reader.end() && input.framing !== "sse")
      throw new GatewayError("upstream_error", "the upstream stream ended in the middle of a frame");
    // A clean close is not a complete answer: the client must not take a cut stream for a whole one.
    if (!handler.complete())
      throw new GatewayError(
        "upstream_error",
        `${input.providerName ?? "the upstream"}'s stream ended before its final record (the answer is incomplete)`,
      );
    const tail = handler.take() + handler.finish();
    if (refuseAtStart()) throw firstError;
    if (tail) yield tail;
  } catch (error) {
    const failure = asGatewayError(input.failure ? input.failure(error) : error);
    fail(failure);
    if (input.passthrough) handler.finish();
    if (refuseAtStart()) throw firstError;
    const pending = handler.take();
    yield pending + codecs[input.clientDialect].streamError(failure);
  }
}

/**
 * Gives `first` (unless the relay had already ended), then the rest of the relay. A consumer that stops while
 * `first` is out still closes the relay, and with it the upstream body, instead of leaving both open until the
 * call is aborted at the request's end. A plain iterator rather than an async generator: a generator would keep
 * `first` and its own frame and promises for the whole stream, and add a promise hop to every record.
 */
class Resumed implements AsyncIterableIterator<string> {
  constructor(
    private first: IteratorResult<string> | undefined,
    private readonly rest: AsyncGenerator<string>,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return this;
  }

  next(): Promise<IteratorResult<string>> {
    const first = this.first;
    if (first === undefined) return this.rest.next();
    this.first = undefined;
    return Promise.resolve(first);
  }

  return(): Promise<IteratorResult<string>> {
    this.first = undefined;
    return this.rest.return(undefined);
  }
}

/**
 * Starts relaying and waits for the first text for the client, so a stream that fails before any byte was sent
 * (an HTML page or a whole JSON answer with 200, garbage, an error record first, a body that ends at once) is
 * thrown as an HTTP error in the client's dialect instead of a 200 that carries an error event. Headers are not
 * flushed before the first write anyway, so the client waits no longer than it did.
 */
export async function openRelay(
  input: StreamRelayInput,
  result: StreamResult,
): Promise<AsyncIterable<string>> {
  const type = mediaType(input.contentType);
  if (type !== undefined && notAStream.test(type)) {
    // Nothing of it is read: the body is released at once.
    await input.body[Symbol.asyncIterator]().return?.();
    const error = new GatewayError(
      "upstream_error",
      `${input.providerName ?? "the upstream"} answered a stream request with ${type} instead of an event stream`,
    );
    result.status = error.status;
    result.errorCode = error.code;
    throw error;
  }
  const relay = relayStream(input, result, true);
  return new Resumed(await relay.next(), relay);
}
