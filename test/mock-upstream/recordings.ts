/**
 * The recorded provider answers the mock upstream replays (test/fixtures/recorded, see SOURCES.md), chosen by
 * provider flavour and kind, plus what each recording says (text, tool calls, reasoning, usage, finish) so
 * tests can compare what the SDKs parsed with what the provider sent.
 *
 * Non-stream answers for tool calls and thinking have no recorded JSON body: `aggregate*` builds one from
 * the recorded stream the way the provider's non-stream API reports the same message (no value invented).
 * OpenAI Responses API answers (`POST …/responses`) have their own recordings (`responsesRecording`).
 */
import { fixturePath, readFixtureJson, readFixtureText } from "../fixtures-helpers/fixtures.js";

/** The wire format of a recording: OpenAI chat/completions chunks, Anthropic events, or OpenAI Responses events. */
export type UpstreamDialect = "openai" | "anthropic" | "openai-responses";
/** The provider a request reached, named by the mock path prefix. */
export type Flavour = "openai" | "azure" | "anthropic" | "compat" | "mistral" | "fireworks";
/** What the upstream model (its `modelName`) answers with. */
export type Kind = "text" | "tools" | "thinking";

type Json = Record<string, unknown>;

export interface Recording {
  dialect: UpstreamDialect;
  /** Where the stream came from (fixture file). */
  source: string;
  /** Each stream payload as sent on the wire (the line of a chunks file, or the re-serialised hadrian chunk). */
  payloads: string[];
  /** The non-stream body: recorded when `bodyRecorded`, else aggregated from the stream. */
  body: Json;
  bodySource: string;
  /** The status the non-stream body is sent with (200 unless it is a recorded error body). */
  bodyStatus?: number;
}

/** What a recording says, independent of dialect. */
export interface Expected {
  text: string;
  reasoning: string;
  toolCalls: Array<{ name: string; arguments: unknown }>;
  /** Canonical: input is the whole prompt (cache included), as in src/canonical/usage.ts. */
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number } | undefined;
  finish: "stop" | "tool_calls" | "length";
}

function lines(relative: string): string[] {
  return readFixtureText(relative)
    .split("\n")
    .filter((line) => line.trim() !== "");
}

function hadrianPayloads(relative: string): string[] {
  const fixture = readFixtureJson(relative) as { response: { chunks: unknown[] } };
  return fixture.response.chunks.map((chunk) => JSON.stringify(chunk));
}

/** OpenAI chat chunks → the `chat.completion` the same call answers without streaming. */
export function aggregateOpenAI(payloads: string[]): Json {
  let first: Json | undefined;
  let content = "";
  let reasoning = "";
  let finish: unknown = null;
  let usage: unknown;
  const calls = new Map<string | number, { id: string; type: "function"; function: Json }>();
  let lastKey: string | number = 0;
  for (const payload of payloads) {
    const chunk = JSON.parse(payload) as Json;
    const choices = (chunk.choices as Json[] | undefined) ?? [];
    if (!first && choices.length > 0) first = chunk;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of choices) {
      const delta = (choice.delta ?? {}) as Json;
      if (typeof delta.content === "string") content += delta.content;
      if (typeof delta.reasoning_content === "string") reasoning += delta.reasoning_content;
      for (const call of (delta.tool_calls as Json[] | undefined) ?? []) {
        const fn = (call.function ?? {}) as Json;
        const key: string | number =
          typeof call.index === "number" ? call.index : typeof call.id === "string" ? call.id : lastKey;
        lastKey = key;
        let entry = calls.get(key);
        if (!entry) {
          entry = { id: String(call.id ?? ""), type: "function", function: { name: "", arguments: "" } };
          calls.set(key, entry);
        }
        if (typeof fn.name === "string" && fn.name !== "") entry.function.name = fn.name;
        if (typeof fn.arguments === "string") entry.function.arguments += fn.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  const message: Json = { role: "assistant", content: content === "" && calls.size > 0 ? null : content };
  if (reasoning !== "") message.reasoning_content = reasoning;
  if (calls.size > 0) message.tool_calls = [...calls.values()];
  const body: Json = {
    id: first?.id,
    object: "chat.completion",
    created: first?.created,
    model: first?.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
  };
  if (usage) body.usage = usage;
  return body;
}

/** Anthropic stream events → the `message` the same call answers without streaming. */
export function aggregateAnthropic(payloads: string[]): Json {
  let message: Json = {};
  const blocks: Json[] = [];
  const partialJson = new Map<number, string>();
  for (const payload of payloads) {
    const event = JSON.parse(payload) as Json;
    if (event.type === "message_start") message = { ...(event.message as Json) };
    else if (event.type === "content_block_start") {
      blocks[event.index as number] = { ...(event.content_block as Json) };
    } else if (event.type === "content_block_delta") {
      const index = event.index as number;
      const block = blocks[index]!;
      const delta = event.delta as Json;
      if (delta.type === "text_delta") block.text = `${block.text as string}${delta.text as string}`;
      if (delta.type === "thinking_delta")
        block.thinking = `${block.thinking as string}${delta.thinking as string}`;
      if (delta.type === "signature_delta") block.signature = delta.signature;
      if (delta.type === "input_json_delta")
        partialJson.set(index, (partialJson.get(index) ?? "") + (delta.partial_json as string));
    } else if (event.type === "content_block_stop") {
      const index = event.index as number;
      const json = partialJson.get(index);
      if (json !== undefined) blocks[index]!.input = json === "" ? {} : JSON.parse(json);
    } else if (event.type === "message_delta") {
      const delta = event.delta as Json;
      message.stop_reason = delta.stop_reason;
      message.stop_sequence = delta.stop_sequence;
      message.usage = { ...(message.usage as Json), ...(event.usage as Json) };
    }
  }
  return { ...message, content: blocks };
}

function openaiRecording(source: string, payloads: string[], bodyFile?: string): Recording {
  return {
    dialect: "openai",
    source,
    payloads,
    body: bodyFile ? (readFixtureJson(bodyFile) as Json) : aggregateOpenAI(payloads),
    bodySource: bodyFile ?? `aggregated from ${source}`,
  };
}

function anthropicRecording(source: string, payloads: string[], bodyFile?: string): Recording {
  return {
    dialect: "anthropic",
    source,
    payloads,
    body: bodyFile ? (readFixtureJson(bodyFile) as Json) : aggregateAnthropic(payloads),
    bodySource: bodyFile ?? `aggregated from ${source}`,
  };
}

const files = {
  openaiText: "vercel-ai/openai/openai-text.chunks.txt",
  openaiTextJson: "vercel-ai/openai/openai-text.json",
  azureText: "vercel-ai/openai/azure-model-router.1.chunks.txt",
  openaiTools: "hadrian/openai/tool_call_streaming.json",
  deepseekReasoning: "vercel-ai/deepseek/deepseek-tool-call.chunks.txt",
  mistralTextJson: "vercel-ai/mistral/mistral-text.json",
  mistralTools: "vercel-ai/mistral/mistral-tool-call.chunks.txt",
  anthropicText: "vercel-ai/anthropic/anthropic-text.chunks.txt",
  anthropicTextJson: "vercel-ai/anthropic/anthropic-text.json",
  anthropicTools: "vercel-ai/anthropic/anthropic-json-tool.1.chunks.txt",
  anthropicToolNoArgs: "vercel-ai/anthropic/anthropic-tool-no-args.chunks.txt",
  anthropicThinking: "hadrian/anthropic/thinking_streaming.json",
  completionText: "vercel-ai/openai/openai-completion-text.chunks.txt",
  completionTextJson: "vercel-ai/openai/openai-completion-text.json",
  embedding: "vercel-ai/openai/openai-embedding.json",
  responsesText: "vercel-ai/openai-responses/azure-text.1.chunks.txt",
  responsesTextJson: "vercel-ai/openai-responses/azure-text.1.json",
  responsesTools: "vercel-ai/openai-responses/azure-tool-call.1.chunks.txt",
  responsesToolsJson: "vercel-ai/openai-responses/azure-tool-call.1.json",
  responsesThinking: "vercel-ai/openai-responses/openai-reasoning-encrypted-content.1.chunks.txt",
  responsesThinkingJson: "vercel-ai/openai-responses/openai-reasoning-encrypted-content.1.json",
  responsesError: "vercel-ai/openai-responses/openai-error.1.chunks.txt",
  responsesErrorJson: "vercel-ai/openai-responses/openai-error.1.json",
} as const;

const cache = new Map<string, Recording>();

function build(flavour: Flavour, kind: Kind | "tools-no-args"): Recording {
  if (flavour === "anthropic") {
    if (kind === "text")
      return anthropicRecording(files.anthropicText, lines(files.anthropicText), files.anthropicTextJson);
    if (kind === "tools") return anthropicRecording(files.anthropicTools, lines(files.anthropicTools));
    if (kind === "tools-no-args")
      return anthropicRecording(files.anthropicToolNoArgs, lines(files.anthropicToolNoArgs));
    return anthropicRecording(files.anthropicThinking, hadrianPayloads(files.anthropicThinking));
  }
  if (kind === "text") {
    if (flavour === "azure")
      return openaiRecording(files.azureText, lines(files.azureText), files.openaiTextJson);
    if (flavour === "mistral")
      return openaiRecording(files.openaiText, lines(files.openaiText), files.mistralTextJson);
    return openaiRecording(files.openaiText, lines(files.openaiText), files.openaiTextJson);
  }
  if (kind === "tools") {
    if (flavour === "mistral") return openaiRecording(files.mistralTools, lines(files.mistralTools));
    return openaiRecording(files.openaiTools, hadrianPayloads(files.openaiTools));
  }
  // OpenAI-family reasoning: DeepSeek-style `reasoning_content` deltas (also Fireworks' and Mistral's field).
  return openaiRecording(files.deepseekReasoning, lines(files.deepseekReasoning));
}

/** The recording a flavour's upstream answers a chat request for `kind` with. */
export function recordingFor(flavour: Flavour, kind: Kind | "tools-no-args"): Recording {
  const key = `${flavour}/${kind}`;
  let recording = cache.get(key);
  if (!recording) {
    recording = build(flavour, kind);
    cache.set(key, recording);
  }
  return recording;
}

/** What an OpenAI Responses upstream answers with: the three chat kinds, and a recorded failure. */
export type ResponsesKind = Kind | "error";

/** The events that end a Responses stream, each with the whole `response`. */
const finalEvents = new Set(["response.completed", "response.incomplete", "response.failed"]);
const isFinal = (payload: string): boolean => finalEvents.has((JSON.parse(payload) as Json).type as string);

/** The events of the first call in a chunks file (one file may hold several calls' streams back to back). */
function firstCall(events: string[]): string[] {
  const end = events.findIndex(isFinal);
  return end === -1 ? events : events.slice(0, end + 1);
}

function buildResponses(kind: ResponsesKind): Recording {
  const [stream, body] =
    kind === "tools"
      ? [files.responsesTools, files.responsesToolsJson]
      : kind === "thinking"
        ? [files.responsesThinking, files.responsesThinkingJson]
        : kind === "error"
          ? [files.responsesError, files.responsesErrorJson]
          : [files.responsesText, files.responsesTextJson];
  return {
    dialect: "openai-responses",
    source: stream,
    payloads: firstCall(lines(stream)),
    body: readFixtureJson(body) as Json,
    bodySource: body,
    // OpenAI's status for the recorded `insufficient_quota` error (SOURCES.md).
    ...(kind === "error" ? { bodyStatus: 429 } : {}),
  };
}

/** The recording an OpenAI Responses upstream (OpenAI, Azure) answers `POST …/responses` for `kind` with. */
export function responsesRecording(kind: ResponsesKind): Recording {
  const key = `responses/${kind}`;
  let recording = cache.get(key);
  if (!recording) {
    recording = buildResponses(kind);
    cache.set(key, recording);
  }
  return recording;
}

export const completionRecording = (): Recording =>
  openaiRecording(files.completionText, lines(files.completionText), files.completionTextJson);
export const embeddingBody = (): Json => readFixtureJson(files.embedding) as Json;
export const mistralFimBody = (): Json => readFixtureJson(files.mistralTextJson) as Json;
export { fixturePath };

/** SSE framing per SOURCES.md "How to replay". */
export function frame(dialect: UpstreamDialect, payload: string): string {
  if (dialect === "openai") return `data: ${payload}\n\n`;
  const type = (JSON.parse(payload) as { type: string }).type;
  return `event: ${type}\ndata: ${payload}\n\n`;
}

export function streamEnd(dialect: UpstreamDialect): string {
  return dialect === "openai" ? "data: [DONE]\n\n" : "";
}

function openaiUsage(usage: Json | undefined): Expected["usage"] {
  if (!usage) return undefined;
  const details = (usage.prompt_tokens_details ?? {}) as Json;
  return {
    input: usage.prompt_tokens as number,
    output: usage.completion_tokens as number,
    cacheRead: (details.cached_tokens as number | undefined) ?? 0,
    cacheWrite: 0,
  };
}

function anthropicUsage(usage: Json | undefined): Expected["usage"] {
  if (!usage) return undefined;
  const read = (usage.cache_read_input_tokens as number | undefined) ?? 0;
  const write = (usage.cache_creation_input_tokens as number | undefined) ?? 0;
  return {
    input: (usage.input_tokens as number) + read + write,
    output: usage.output_tokens as number,
    cacheRead: read,
    cacheWrite: write,
  };
}

function responsesUsage(usage: Json | undefined): Expected["usage"] {
  if (!usage) return undefined;
  const details = (usage.input_tokens_details ?? {}) as Json;
  return {
    input: usage.input_tokens as number,
    output: usage.output_tokens as number,
    cacheRead: (details.cached_tokens as number | undefined) ?? 0,
    cacheWrite: 0,
  };
}

/** What a Responses `response` object says: its message text, reasoning summaries and function calls. */
function expectedFromResponse(response: Json): Expected {
  const items = (response.output as Json[] | undefined) ?? [];
  const calls = items.filter((item) => item.type === "function_call");
  const parts = (item: Json, field: string) => ((item[field] as Json[] | undefined) ?? []).map((p) => p.text);
  return {
    text: items
      .filter((item) => item.type === "message")
      .flatMap((item) =>
        ((item.content as Json[] | undefined) ?? []).filter((part) => part.type === "output_text"),
      )
      .map((part) => part.text)
      .join(""),
    reasoning: items
      .filter((item) => item.type === "reasoning")
      .flatMap((item) => parts(item, "summary"))
      .join(""),
    toolCalls: calls.map((call) => ({
      name: call.name as string,
      arguments: JSON.parse((call.arguments as string) || "{}"),
    })),
    usage: responsesUsage(response.usage as Json | undefined),
    finish:
      calls.length > 0
        ? "tool_calls"
        : (response.incomplete_details as Json | null | undefined)?.reason === "max_output_tokens"
          ? "length"
          : "stop",
  };
}

/** The `response` object that ends a recorded Responses stream. */
export function finalResponse(recording: Recording): Json {
  const final = recording.payloads.findLast(isFinal);
  if (!final) throw new Error(`${recording.source} has no final response event`);
  return (JSON.parse(final) as Json).response as Json;
}

/** What a non-stream body says (recorded or aggregated). */
export function expectedFromBody(dialect: UpstreamDialect, body: Json): Expected {
  if (dialect === "openai-responses") return expectedFromResponse(body);
  if (dialect === "openai") {
    const choice = (body.choices as Json[])[0]!;
    const message = choice.message as Json;
    const calls = (message.tool_calls as Json[] | undefined) ?? [];
    const reason = choice.finish_reason as string;
    return {
      text: (message.content as string | null) ?? "",
      reasoning: (message.reasoning_content as string | undefined) ?? "",
      toolCalls: calls.map((call) => {
        const fn = call.function as Json;
        return { name: fn.name as string, arguments: JSON.parse((fn.arguments as string) || "{}") };
      }),
      usage: openaiUsage(body.usage as Json | undefined),
      finish: reason === "tool_calls" ? "tool_calls" : reason === "length" ? "length" : "stop",
    };
  }
  const blocks = body.content as Json[];
  const reason = body.stop_reason as string;
  return {
    text: blocks
      .filter((block) => block.type === "text")
      .map((block) => block.text)
      .join(""),
    reasoning: blocks
      .filter((block) => block.type === "thinking")
      .map((block) => block.thinking)
      .join(""),
    toolCalls: blocks
      .filter((block) => block.type === "tool_use")
      .map((block) => ({ name: block.name as string, arguments: block.input })),
    usage: anthropicUsage(body.usage as Json | undefined),
    finish: reason === "tool_use" ? "tool_calls" : reason === "max_tokens" ? "length" : "stop",
  };
}

/** What the recorded stream says: the same as its aggregate. */
export function expectedFromStream(recording: Recording): Expected {
  if (recording.dialect === "openai-responses") return expectedFromResponse(finalResponse(recording));
  const body =
    recording.dialect === "openai"
      ? aggregateOpenAI(recording.payloads)
      : aggregateAnthropic(recording.payloads);
  return expectedFromBody(recording.dialect, body);
}
