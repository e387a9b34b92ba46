/**
 * The recorded answers the cloud mock (cloud-mock.ts) replays for Google (Gemini API, Vertex Gemini, Anthropic
 * on Vertex) and AWS Bedrock (InvokeModel, Converse), chosen by target and kind, and what each says (text, tool
 * calls, usage as the gateway must count it, finish), so tests can compare what a client parsed with what the
 * provider sent. test/fixtures/recorded, see SOURCES.md.
 *
 * Non-stream tool answers with no recorded body (Anthropic, Converse) are aggregated from the recorded stream,
 * as recordings.ts does; no value is invented.
 */
import type { CanonicalUsage } from "../../src/canonical/usage.js";
import { readChunks, readFixtureJson, readHadrian } from "../fixtures-helpers/fixtures.js";
import { aggregateAnthropic, recordingFor } from "./recordings.js";

export const cloudTargets = [
  "gemini",
  "vertex",
  "vertex-claude",
  "bedrock-invoke",
  "bedrock-converse",
] as const;
/** Which API a request reached: the Gemini API, Gemini on Vertex, Anthropic on Vertex, Bedrock's two APIs. */
export type CloudTarget = (typeof cloudTargets)[number];
export type CloudKind = "text" | "tools";

type Json = Record<string, unknown>;

/** One stream record: an SSE `data:` payload (Google, Anthropic) or an event-stream frame's type and payload. */
export interface StreamRecord {
  eventType?: string;
  payload: string;
}

export interface CloudExpected {
  text: string;
  toolCalls: Array<{ id?: string; name: string; arguments: unknown }>;
  /** What the gateway's outcome must hold. */
  usage: CanonicalUsage;
  finish: "stop" | "tool_calls";
}

export interface CloudRecording {
  source: string;
  stream: StreamRecord[];
  streamExpected: CloudExpected;
  body: Json;
  bodySource: string;
  bodyExpected: CloudExpected;
}

const files = {
  geminiText: "vercel-ai/google/google-text.chunks.txt",
  geminiTextJson: "vercel-ai/google/google-text.json",
  geminiTools: "vercel-ai/google/google-tool-call-gemini3.chunks.txt",
  geminiToolsJson: "vercel-ai/google/google-tool-call.json",
  vertexText: "hadrian/vertex/generate_content_streaming.json",
  vertexTools: "hadrian/vertex/tool_call_streaming.json",
  anthropicTools: "hadrian/anthropic/tool_call_streaming.json",
  converseText: "vercel-ai/amazon-bedrock/amazon-bedrock-text.chunks.txt",
  converseTextJson: "vercel-ai/amazon-bedrock/amazon-bedrock-text.json",
  converseTools: "hadrian/bedrock/tool_call_streaming.json",
} as const;

// ---- Gemini ----

function geminiUsage(metadata: Json | undefined): CanonicalUsage {
  const count = (name: string) => (metadata?.[name] as number | undefined) ?? 0;
  const thoughts = metadata?.thoughtsTokenCount as number | undefined;
  return {
    inputTokens: count("promptTokenCount") + count("toolUsePromptTokenCount"),
    outputTokens: count("candidatesTokenCount") + (thoughts ?? 0),
    cacheReadTokens: count("cachedContentTokenCount"),
    cacheWriteTokens: 0,
    ...(thoughts === undefined ? {} : { reasoningTokens: thoughts }),
  };
}

/** Every GenerateContentResponse of a stream (a body is a stream of one) folded into what it says. */
function geminiExpected(responses: Json[]): CloudExpected {
  let text = "";
  const toolCalls: CloudExpected["toolCalls"] = [];
  let usage: Json | undefined;
  for (const response of responses) {
    const metadata = response.usageMetadata as Json | undefined;
    if (metadata && typeof metadata.promptTokenCount === "number") usage = metadata;
    for (const candidate of (response.candidates as Json[] | undefined) ?? []) {
      for (const part of ((candidate.content as Json | undefined)?.parts as Json[] | undefined) ?? []) {
        if (typeof part.text === "string" && part.thought !== true) text += part.text;
        const call = part.functionCall as Json | undefined;
        if (call) toolCalls.push({ name: call.name as string, arguments: call.args ?? {} });
      }
    }
  }
  return {
    text,
    toolCalls,
    usage: geminiUsage(usage),
    finish: toolCalls.length > 0 ? "tool_calls" : "stop",
  };
}

function geminiRecording(source: string, stream: Json[], bodySource: string): CloudRecording {
  const body = readFixtureJson(bodySource) as Json;
  return {
    source,
    stream: stream.map((chunk) => ({ payload: JSON.stringify(chunk) })),
    streamExpected: geminiExpected(stream),
    body,
    bodySource,
    bodyExpected: geminiExpected([body]),
  };
}

const hadrianChunks = (relative: string) => (readHadrian(relative).response.chunks ?? []) as Json[];

// ---- Anthropic (Vertex rawPredict, Bedrock InvokeModel) ----

function anthropicExpected(message: Json): CloudExpected {
  const blocks = (message.content as Json[] | undefined) ?? [];
  const usage = (message.usage ?? {}) as Json;
  const read = (usage.cache_read_input_tokens as number | undefined) ?? 0;
  const write = (usage.cache_creation_input_tokens as number | undefined) ?? 0;
  const toolCalls = blocks
    .filter((block) => block.type === "tool_use")
    .map((block) => ({ id: block.id as string, name: block.name as string, arguments: block.input }));
  return {
    text: blocks
      .filter((block) => block.type === "text")
      .map((block) => block.text)
      .join(""),
    toolCalls,
    usage: {
      inputTokens: (usage.input_tokens as number) + read + write,
      outputTokens: usage.output_tokens as number,
      cacheReadTokens: read,
      cacheWriteTokens: write,
    },
    finish: toolCalls.length > 0 ? "tool_calls" : "stop",
  };
}

function anthropicRecording(kind: CloudKind): CloudRecording {
  const [source, payloads, body, bodySource] =
    kind === "text"
      ? (() => {
          const recording = recordingFor("anthropic", "text");
          return [recording.source, recording.payloads, recording.body, recording.bodySource] as const;
        })()
      : (() => {
          const payloads = hadrianChunks(files.anthropicTools).map((chunk) => JSON.stringify(chunk));
          return [
            files.anthropicTools,
            payloads,
            aggregateAnthropic(payloads),
            `aggregated from ${files.anthropicTools}`,
          ] as const;
        })();
  return {
    source,
    stream: payloads.map((payload) => ({
      eventType: (JSON.parse(payload) as Json).type as string,
      payload,
    })),
    streamExpected: anthropicExpected(aggregateAnthropic([...payloads])),
    body,
    bodySource,
    bodyExpected: anthropicExpected(body),
  };
}

// ---- Bedrock Converse ----

function converseUsage(usage: Json | undefined): CanonicalUsage {
  const count = (name: string) => (usage?.[name] as number | undefined) ?? 0;
  const read = count("cacheReadInputTokens");
  const write = count("cacheWriteInputTokens");
  return {
    inputTokens: count("inputTokens") + read + write,
    outputTokens: count("outputTokens"),
    cacheReadTokens: read,
    cacheWriteTokens: write,
  };
}

/** ConverseStream events → the Converse body the same call answers without streaming. */
export function aggregateConverse(events: StreamRecord[]): Json {
  const blocks: Json[] = [];
  const inputs = new Map<number, string>();
  let stopReason: unknown;
  let usage: unknown;
  let metrics: unknown;
  for (const { eventType, payload } of events) {
    const event = JSON.parse(payload) as Json;
    const index = event.contentBlockIndex as number;
    if (eventType === "contentBlockStart") {
      const toolUse = ((event.start as Json).toolUse ?? {}) as Json;
      blocks[index] = { toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name, input: {} } };
    } else if (eventType === "contentBlockDelta") {
      const delta = event.delta as Json;
      if (typeof delta.text === "string") {
        blocks[index] ??= { text: "" };
        const block = blocks[index]!;
        block.text = `${block.text as string}${delta.text}`;
      }
      const toolUse = delta.toolUse as Json | undefined;
      if (toolUse) inputs.set(index, (inputs.get(index) ?? "") + (toolUse.input as string));
    } else if (eventType === "contentBlockStop") {
      const input = inputs.get(index);
      if (input !== undefined) (blocks[index]!.toolUse as Json).input = input === "" ? {} : JSON.parse(input);
    } else if (eventType === "messageStop") stopReason = event.stopReason;
    else if (eventType === "metadata") {
      usage = event.usage;
      metrics = event.metrics;
    }
  }
  return { output: { message: { role: "assistant", content: blocks } }, stopReason, usage, metrics };
}

function converseExpected(body: Json): CloudExpected {
  const content = (((body.output as Json).message as Json).content as Json[] | undefined) ?? [];
  const toolCalls = content
    .filter((block) => block.toolUse)
    .map((block) => {
      const toolUse = block.toolUse as Json;
      return { id: toolUse.toolUseId as string, name: toolUse.name as string, arguments: toolUse.input };
    });
  return {
    text: content
      .filter((block) => typeof block.text === "string")
      .map((block) => block.text)
      .join(""),
    toolCalls,
    usage: converseUsage(body.usage as Json | undefined),
    finish: body.stopReason === "tool_use" ? "tool_calls" : "stop",
  };
}

function converseRecording(kind: CloudKind): CloudRecording {
  const stream: StreamRecord[] =
    kind === "text"
      ? (readChunks(files.converseText) as Json[]).map((line) => {
          const [eventType, payload] = Object.entries(line)[0]!;
          return { eventType, payload: JSON.stringify(payload) };
        })
      : (
          (readHadrian(files.converseTools).response as { events?: Json[] }).events as Array<{
            event_type: string;
            payload: unknown;
          }>
        ).map((event) => ({ eventType: event.event_type, payload: JSON.stringify(event.payload) }));
  const body =
    kind === "text" ? (readFixtureJson(files.converseTextJson) as Json) : aggregateConverse(stream);
  return {
    source: kind === "text" ? files.converseText : files.converseTools,
    stream,
    streamExpected: converseExpected(aggregateConverse(stream)),
    body,
    bodySource: kind === "text" ? files.converseTextJson : `aggregated from ${files.converseTools}`,
    bodyExpected: converseExpected(body),
  };
}

function build(target: CloudTarget, kind: CloudKind): CloudRecording {
  switch (target) {
    case "gemini":
      return kind === "text"
        ? geminiRecording(files.geminiText, readChunks(files.geminiText) as Json[], files.geminiTextJson)
        : geminiRecording(files.geminiTools, readChunks(files.geminiTools) as Json[], files.geminiToolsJson);
    case "vertex":
      // Vertex's own recorded streams (createTime, trafficType); no Vertex body is recorded, and Vertex answers
      // generateContent with the Gemini API's body shape, so the Gemini API's recorded bodies stand in.
      return kind === "text"
        ? geminiRecording(files.vertexText, hadrianChunks(files.vertexText), files.geminiTextJson)
        : geminiRecording(files.vertexTools, hadrianChunks(files.vertexTools), files.geminiToolsJson);
    case "vertex-claude":
    case "bedrock-invoke":
      return anthropicRecording(kind);
    case "bedrock-converse":
      return converseRecording(kind);
  }
}

const cache = new Map<string, CloudRecording>();

export function cloudRecording(target: CloudTarget, kind: CloudKind): CloudRecording {
  const key = `${target}/${kind}`;
  let recording = cache.get(key);
  if (!recording) {
    recording = build(target, kind);
    cache.set(key, recording);
  }
  return recording;
}

/** What a call answered by `cloudRecording(target, kind)` says, streamed or not. */
export function cloudExpected(target: CloudTarget, kind: CloudKind, stream: boolean): CloudExpected {
  const recording = cloudRecording(target, kind);
  return stream ? recording.streamExpected : recording.bodyExpected;
}
