/** Canonical request → OpenAI Chat Completions body (for OpenAI-family upstreams). */
import type { CanonicalMessage, ContentPart, ImagePart, TextPart } from "../../canonical/content.js";
import type { BuildResult, TranslationWarning } from "../../canonical/errors.js";
import type { CanonicalRequest, ReasoningEffort } from "../../canonical/request.js";
import { catchFieldError, fail, type JsonObject } from "../../canonical/validate.js";
import {
  needsReasoningDetails,
  partsToReasoningDetails,
  type ReasoningParts,
  reasoningContentText,
} from "./openai-reasoning.js";

export interface OpenAIChatSettings {
  /** The upstream's model name. */
  model: string;
  /** OpenAI wants `max_completion_tokens` (reasoning models reject `max_tokens`); some vendors only know `max_tokens`. */
  maxTokensField?: "max_completion_tokens" | "max_tokens";
  /** `reasoning_effort` (OpenAI) or OpenRouter's `reasoning` object, which can also carry a token budget. */
  reasoningParam?: "reasoning_effort" | "reasoning";
  /** How earlier assistant reasoning is sent back: not at all (OpenAI), `reasoning_content` (DeepSeek), `reasoning_details` (OpenRouter). */
  reasoningHistory?: "drop" | "reasoning_content" | "reasoning_details";
  /** The upstream accepts `top_k` (vLLM, Fireworks, OpenRouter). */
  supportsTopK?: boolean;
  /** Ask for usage in streams even when the client did not (DESIGN §8 "Metering streams"). Default true. */
  forceStreamUsage?: boolean;
  /**
   * The upstream knows the `developer` role (OpenAI, Azure); elsewhere developer instructions are sent as
   * `system`, which every chat template accepts.
   */
  developerRole?: boolean;
}

type Warn = (field: string, message: string) => void;

function imageUrl(part: ImagePart): JsonObject {
  const url =
    part.source.type === "url" ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
  return { type: "image_url", image_url: part.detail === undefined ? { url } : { url, detail: part.detail } };
}

function userContent(parts: ContentPart[], field: string, warn: Warn): string | JsonObject[] {
  const out: JsonObject[] = [];
  parts.forEach((part, index) => {
    const partField = `${field}[${index}]`;
    if ("cacheControl" in part && part.cacheControl)
      warn(`${partField}.cache_control`, "OpenAI caches prompts automatically; cache_control is not sent");
    if (part.type === "text") out.push({ type: "text", text: part.text });
    else if (part.type === "image") out.push(imageUrl(part));
    else if (part.type === "opaque" && part.dialect === "openai") out.push(part.value);
    else
      warn(
        partField,
        `a ${part.type === "opaque" ? String(part.value.type) : part.type} part cannot be sent in an OpenAI user message`,
      );
  });
  const only = out[0];
  return out.length === 1 && only?.type === "text" ? (only.text as string) : out;
}

function assistantMessage(
  message: CanonicalMessage,
  field: string,
  settings: OpenAIChatSettings,
  warn: Warn,
): JsonObject {
  const result: JsonObject = { role: "assistant" };
  const texts: string[] = [];
  const refusals: string[] = [];
  const reasoning: ReasoningParts = [];
  const toolCalls: JsonObject[] = [];
  message.content.forEach((part, index) => {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "refusal") refusals.push(part.text);
    else if (part.type === "reasoning" || part.type === "redacted-reasoning") reasoning.push(part);
    else if (part.type === "tool-call") {
      toolCalls.push({
        id: part.id,
        type: "function",
        function: { name: part.name, arguments: part.arguments },
      });
    } else warn(`${field}[${index}]`, `a ${part.type} part cannot be sent in an OpenAI assistant message`);
  });
  result.content = texts.length > 0 ? texts.join("") : null;
  if (refusals.length > 0) result.refusal = refusals.join("");
  if (toolCalls.length > 0) result.tool_calls = toolCalls;
  const history = settings.reasoningHistory ?? "drop";
  if (reasoning.length > 0) {
    if (history === "drop") warn(field, "earlier reasoning is not sent to this upstream");
    else if (history === "reasoning_details") result.reasoning_details = partsToReasoningDetails(reasoning);
    else {
      result.reasoning_content = reasoningContentText(reasoning);
      if (needsReasoningDetails(reasoning))
        warn(field, "reasoning signatures cannot be sent to this upstream");
    }
  }
  if (message.name !== undefined) result.name = message.name;
  return result;
}

function toolMessages(message: CanonicalMessage, field: string, warn: Warn): JsonObject[] {
  return message.content.flatMap((part, index) => {
    const partField = `${field}[${index}]`;
    if (part.type !== "tool-result") {
      warn(partField, `a ${part.type} part cannot be sent in an OpenAI tool message`);
      return [];
    }
    if (part.isError)
      warn(`${partField}.is_error`, "OpenAI tool messages have no error flag; the content is sent as is");
    let content: string | JsonObject[];
    if (typeof part.content === "string") content = part.content;
    else {
      content = [];
      for (const item of part.content) {
        if (item.type === "text") content.push({ type: "text", text: item.text });
        else warn(partField, "OpenAI tool results cannot hold images; the image is not sent");
      }
    }
    return [{ role: "tool", tool_call_id: part.toolCallId, content }];
  });
}

/** OpenAI has no budget knob; approximate one by effort (wire-formats §8.6). */
export function effortForBudget(budget: number): ReasoningEffort {
  if (budget < 2048) return "low";
  if (budget < 16384) return "medium";
  return "high";
}

function build(request: CanonicalRequest, settings: OpenAIChatSettings, warn: Warn): JsonObject {
  // One system message, first: many self-hosted chat templates (Qwen's, Llama's) accept no other.
  const messages: JsonObject[] = [];
  if (request.system.length > 0) {
    const parts: Array<TextPart & { developer?: boolean }> = request.system;
    parts.forEach((part, index) => {
      if (part.cacheControl)
        warn(
          `system[${index}].cache_control`,
          "OpenAI caches prompts automatically; cache_control is not sent",
        );
    });
    messages.push({
      role: settings.developerRole && parts.every((part) => part.developer) ? "developer" : "system",
      content: parts.map((part) => part.text).join("\n\n"),
    });
  }
  request.messages.forEach((message, index) => {
    const field = `messages[${index}].content`;
    if (message.role === "assistant") {
      const assistant = assistantMessage(message, field, settings, warn);
      // Neither text nor tool calls (its parts were another dialect's): the chat format refuses it; left out.
      if (
        assistant.content === null &&
        assistant.tool_calls === undefined &&
        assistant.refusal === undefined
      ) {
        if (message.content.length > 0)
          warn(field, "nothing of this assistant turn can be sent to this upstream; left out");
        return;
      }
      messages.push(assistant);
    } else if (message.role === "tool") messages.push(...toolMessages(message, field, warn));
    else {
      const user: JsonObject = { role: "user", content: userContent(message.content, field, warn) };
      if (message.name !== undefined) user.name = message.name;
      messages.push(user);
    }
  });
  if (request.prompt) {
    warn("prompt", "a raw prompt is sent to a chat model as one user message");
    messages.push({ role: "user", content: request.prompt.text });
    if (request.prompt.suffix !== undefined)
      warn("suffix", "chat models have no fill-in-the-middle suffix; it is not sent");
  }
  const body: JsonObject = { model: settings.model, messages };
  if (request.maxOutputTokens !== undefined)
    body[settings.maxTokensField ?? "max_completion_tokens"] = request.maxOutputTokens;
  if (request.temperature !== undefined) {
    if (request.temperature < 0 || request.temperature > 2)
      fail("temperature", `must be between 0 and 2 for OpenAI, got ${request.temperature}`);
    body.temperature = request.temperature;
  }
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) {
    if (settings.supportsTopK) body.top_k = request.topK;
    else warn("top_k", "not supported by this upstream; not sent");
  }
  if (request.choices !== undefined) body.n = request.choices;
  if (request.stopSequences !== undefined) {
    if (request.stopSequences.length > 4)
      fail("stop_sequences", `OpenAI accepts at most 4 stop sequences, got ${request.stopSequences.length}`);
    body.stop = request.stopSequences;
  }
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.tools !== undefined) {
    body.tools = request.tools.flatMap((tool, index) => {
      if (tool.type === "opaque") {
        if (tool.dialect === "openai") return [tool.value];
        warn(`tools[${index}]`, `the ${String(tool.value.type)} tool has no OpenAI equivalent; not sent`);
        return [];
      }
      const fn: JsonObject = { name: tool.name };
      if (tool.description !== undefined) fn.description = tool.description;
      if (tool.inputSchema !== undefined) fn.parameters = tool.inputSchema;
      if (tool.strict !== undefined) fn.strict = tool.strict;
      if (tool.cacheControl)
        warn(`tools[${index}].cache_control`, "OpenAI caches prompts automatically; not sent");
      if (tool.extra?.dialect === "openai") Object.assign(fn, tool.extra.fields);
      else if (tool.extra)
        for (const key in tool.extra.fields)
          warn(`tools[${index}].${key}`, "an Anthropic-only tool setting; not sent to an OpenAI upstream");
      return [{ type: "function", function: fn }];
    });
  }
  const choice = request.toolChoice;
  if (choice !== undefined)
    body.tool_choice =
      choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  const format = request.responseFormat;
  if (format !== undefined) {
    if (format.type === "json-schema") {
      const spec: JsonObject = { name: format.name, schema: format.schema };
      if (format.strict !== undefined) spec.strict = format.strict;
      if (format.description !== undefined) spec.description = format.description;
      body.response_format = { type: "json_schema", json_schema: spec };
    } else body.response_format = { type: format.type === "json" ? "json_object" : "text" };
  }
  const reasoning = request.reasoning;
  if (reasoning !== undefined) {
    if ((settings.reasoningParam ?? "reasoning_effort") === "reasoning") {
      const object: JsonObject = {};
      if (reasoning.effort !== undefined) object.effort = reasoning.effort;
      else if (reasoning.budgetTokens !== undefined) object.max_tokens = reasoning.budgetTokens;
      if (reasoning.exclude !== undefined) object.exclude = reasoning.exclude;
      if (reasoning.enabled !== undefined) object.enabled = reasoning.enabled;
      body.reasoning = object;
    } else if (reasoning.effort !== undefined) body.reasoning_effort = reasoning.effort;
    else if (reasoning.enabled === false) body.reasoning_effort = "none";
    else if (reasoning.adaptive)
      warn(
        "thinking",
        "adaptive thinking has no OpenAI equivalent without an effort; the model's default applies",
      );
    else if (reasoning.budgetTokens !== undefined) {
      body.reasoning_effort = effortForBudget(reasoning.budgetTokens);
      warn(
        "reasoning",
        `a thinking budget of ${reasoning.budgetTokens} tokens is sent as reasoning_effort ${String(body.reasoning_effort)}`,
      );
    }
  }
  if (request.stream) {
    body.stream = true;
    if (request.includeUsage || (settings.forceStreamUsage ?? true))
      body.stream_options = { include_usage: true };
  }
  if (request.user !== undefined) body.user = request.user;
  if (request.metadata !== undefined) body.metadata = request.metadata;
  for (const [key, value] of Object.entries(request.extra.openai ?? {}))
    if (!(key in body)) body[key] = value;
  for (const key of Object.keys(request.extra.anthropic ?? {}))
    warn(key, "an Anthropic-only parameter; not sent to an OpenAI upstream");
  return body;
}

export function canonicalToOpenAIChatRequest(
  request: CanonicalRequest,
  settings: OpenAIChatSettings,
): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() =>
    build(request, settings, (field, message) => warnings.push({ field, message })),
  );
  return result.ok ? { ok: true, body: result.value, warnings } : result;
}
