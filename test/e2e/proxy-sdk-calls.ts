/**
 * One chat call per SDK, streamed or not, reduced to what the SDK parsed: text, reasoning, tool calls,
 * usage and finish reason, in the client's own terms.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type OpenAI from "openai";
import type { Expected, Kind } from "../mock-upstream/recordings.js";

export const weatherTool = {
  name: "get_weather",
  description: "The weather at a place",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
};

export interface OpenAIResult {
  id: string;
  text: string;
  reasoning: string;
  /** reasoning_details as sent (OpenRouter convention; carries Anthropic signatures). */
  reasoningDetails: unknown[];
  toolCalls: Array<{ id: string; name: string; arguments: unknown }>;
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number } | undefined;
  finish: string | null;
  chunks: number;
}

export interface AnthropicResult {
  message: Anthropic.Message;
  text: string;
  reasoning: string;
  signatures: string[];
  toolCalls: Array<{ id: string; name: string; arguments: unknown }>;
  usage: Anthropic.Usage;
  stopReason: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: the SDK types know nothing of reasoning_content / reasoning_details.
type Loose = any;

export function openaiParams(model: string, kind: Kind | "tools-no-args"): Loose {
  return {
    model,
    messages: [{ role: "user", content: "Hello" }],
    ...(kind === "text" ? {} : { tools: [{ type: "function", function: weatherTool }] }),
    ...(kind === "thinking" ? { reasoning_effort: "low" } : {}),
  };
}

export function anthropicParams(model: string, kind: Kind | "tools-no-args"): Loose {
  return {
    model,
    max_tokens: 4096,
    messages: [{ role: "user", content: "Hello" }],
    ...(kind === "text"
      ? {}
      : {
          tools: [
            {
              name: weatherTool.name,
              description: weatherTool.description,
              input_schema: weatherTool.parameters,
            },
          ],
        }),
    ...(kind === "thinking" ? { thinking: { type: "enabled", budget_tokens: 1024 } } : {}),
  };
}

function parseArguments(text: string): unknown {
  return JSON.parse(text === "" ? "{}" : text);
}

function openaiUsage(usage: Loose): OpenAIResult["usage"] {
  if (!usage) return undefined;
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    // Absent details (Mistral) read as no cached tokens, as clients do.
    cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

export async function callOpenAI(
  client: OpenAI,
  params: Loose,
  stream: boolean,
  options: { includeUsage?: boolean } = {},
): Promise<OpenAIResult> {
  if (!stream) {
    const completion: Loose = await client.chat.completions.create({ ...params, stream: false });
    const message = completion.choices[0].message;
    return {
      id: completion.id,
      text: message.content ?? "",
      reasoning: message.reasoning_content ?? "",
      reasoningDetails: message.reasoning_details ?? [],
      toolCalls: (message.tool_calls ?? []).map((call: Loose) => ({
        id: call.id,
        name: call.function.name,
        arguments: parseArguments(call.function.arguments),
      })),
      usage: openaiUsage(completion.usage),
      finish: completion.choices[0].finish_reason,
      chunks: 0,
    };
  }
  const includeUsage = options.includeUsage ?? true;
  const response: Loose = await client.chat.completions.create({
    ...params,
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  const result: OpenAIResult = {
    id: "",
    text: "",
    reasoning: "",
    reasoningDetails: [],
    toolCalls: [],
    usage: undefined,
    finish: null,
    chunks: 0,
  };
  // Tool calls by index; Mistral's whole-call chunks carry no index, only an id.
  const calls = new Map<string | number, { id: string; name: string; arguments: string }>();
  let lastKey: string | number = 0;
  for await (const chunk of response as AsyncIterable<Loose>) {
    result.chunks++;
    if (chunk.id) result.id = chunk.id;
    if (chunk.usage) result.usage = openaiUsage(chunk.usage);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string") result.text += delta.content;
      if (typeof delta.reasoning_content === "string") result.reasoning += delta.reasoning_content;
      if (Array.isArray(delta.reasoning_details)) result.reasoningDetails.push(...delta.reasoning_details);
      for (const call of delta.tool_calls ?? []) {
        const key: string | number = typeof call.index === "number" ? call.index : (call.id ?? lastKey);
        lastKey = key;
        let entry = calls.get(key);
        if (!entry) {
          entry = { id: call.id ?? "", name: "", arguments: "" };
          calls.set(key, entry);
        }
        if (call.function?.name) entry.name = call.function.name;
        if (typeof call.function?.arguments === "string") entry.arguments += call.function.arguments;
      }
      if (choice.finish_reason) result.finish = choice.finish_reason;
    }
  }
  result.toolCalls = [...calls.values()].map((call) => ({
    ...call,
    arguments: parseArguments(call.arguments),
  }));
  return result;
}

export async function callAnthropic(
  client: Anthropic,
  params: Loose,
  stream: boolean,
): Promise<AnthropicResult> {
  // Streamed: the SDK's MessageStream accumulates the events (partial tool JSON included) into a Message.
  const message: Anthropic.Message = stream
    ? await client.messages.stream(params).finalMessage()
    : await client.messages.create({ ...params, stream: false });
  const blocks = message.content as Loose[];
  return {
    message,
    text: blocks
      .filter((block) => block.type === "text")
      .map((block) => block.text)
      .join(""),
    reasoning: blocks
      .filter((block) => block.type === "thinking")
      .map((block) => block.thinking)
      .join(""),
    signatures: blocks
      .filter((block) => block.type === "thinking" && block.signature)
      .map((block) => block.signature),
    toolCalls: blocks
      .filter((block) => block.type === "tool_use")
      .map((block) => ({ id: block.id, name: block.name, arguments: block.input })),
    usage: message.usage,
    stopReason: message.stop_reason,
  };
}

/** The usage an OpenAI client must see for a recording's canonical usage. */
export function openaiUsageFor(usage: Expected["usage"]): OpenAIResult["usage"] {
  if (!usage) return undefined;
  return { prompt_tokens: usage.input, completion_tokens: usage.output, cached_tokens: usage.cacheRead };
}

/** The usage an Anthropic client must see: its input_tokens exclude cache reads and writes. */
export function anthropicUsageFor(usage: Expected["usage"]) {
  const value = usage ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  return {
    input_tokens: value.input - value.cacheRead - value.cacheWrite,
    output_tokens: value.output,
    cache_read_input_tokens: value.cacheRead,
    cache_creation_input_tokens: value.cacheWrite,
  };
}

export const anthropicStopReason = {
  stop: "end_turn",
  tool_calls: "tool_use",
  length: "max_tokens",
} as const;
