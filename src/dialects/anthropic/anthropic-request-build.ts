/** Canonical request → Anthropic Messages body (and count_tokens body). */
import type { CanonicalMessage } from "../../canonical/content.js";
import type { BuildResult, TranslationWarning } from "../../canonical/errors.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import { catchFieldError, fail, type JsonObject } from "../../canonical/validate.js";
import { anthropicBlock } from "./anthropic-content.js";
import { claudeThinking, fitThinking } from "./anthropic-thinking.js";

export interface AnthropicSettings {
  /** The upstream's model name. */
  model: string;
  /** Anthropic requires `max_tokens`; used when the client gave none (per model, from the catalogue). */
  defaultMaxTokens?: number;
}

type Warn = (field: string, message: string) => void;

function systemField(request: CanonicalRequest): string | JsonObject[] | undefined {
  const parts = request.system;
  if (parts.length === 0) return undefined;
  const only = parts[0];
  if (parts.length === 1 && only && !only.cacheControl) return only.text;
  return parts.map((part) =>
    part.cacheControl
      ? { type: "text", text: part.text, cache_control: part.cacheControl }
      : { type: "text", text: part.text },
  );
}

/** Tool messages and the user message after them become one user turn (tool_result blocks first). */
function messages(request: CanonicalRequest, warn: Warn): JsonObject[] {
  const out: Array<{ role: string; content: JsonObject[] | string }> = [];
  let previous: CanonicalMessage | undefined;
  request.messages.forEach((message, index) => {
    const field = `messages[${index}].content`;
    const blocks: JsonObject[] = [];
    message.content.forEach((part, partIndex) => {
      const block = anthropicBlock(part, `${field}[${partIndex}]`);
      if (typeof block === "string") warn(`${field}[${partIndex}]`, block);
      else blocks.push(block);
    });
    const role = message.role === "assistant" ? "assistant" : "user";
    if (role === "assistant" && blocks.length === 0) {
      // Everything in it was another dialect's (foreign reasoning, a tool Anthropic cannot take): Anthropic
      // refuses an empty turn, so the turn is left out.
      if (message.content.length > 0)
        warn(field, "nothing of this assistant turn can be sent to Anthropic; left out");
      return;
    }
    const last = out[out.length - 1];
    if (last && previous?.role === "tool" && message.role !== "assistant" && Array.isArray(last.content)) {
      last.content.push(...blocks);
    } else {
      const single = blocks[0];
      // A lone plain text block is written as a string, the common client form.
      const plain =
        blocks.length === 1 &&
        single?.type === "text" &&
        Object.keys(single).length === 2 &&
        message.role !== "tool";
      out.push({ role, content: plain ? (single.text as string) : blocks });
    }
    previous = message;
  });
  if (request.prompt) {
    warn("prompt", "a raw prompt is sent to Anthropic as one user message");
    out.push({ role: "user", content: request.prompt.text });
    if (request.prompt.suffix !== undefined)
      warn("suffix", "Anthropic has no fill-in-the-middle suffix; it is not sent");
  }
  return out;
}

function applyReasoning(request: CanonicalRequest, body: JsonObject, warn: Warn): void {
  const reasoning = request.reasoning;
  if (!reasoning) return;
  const claude = claudeThinking(reasoning, warn);
  if (!claude) return;
  body.thinking = claude.thinking;
  const budget = claude.budget;
  if (budget === undefined) return;
  fitThinking(
    budget,
    {
      maxTokens: { holder: body, key: "max_tokens" },
      sampling: ["temperature", "top_p", "top_k"].map((key) => ({ holder: body, key, name: key })),
    },
    warn,
  );
}

function build(
  request: CanonicalRequest,
  settings: AnthropicSettings,
  warn: Warn,
  countTokens: boolean,
): JsonObject {
  const body: JsonObject = { model: settings.model };
  if (!countTokens) {
    const maxTokens = request.maxOutputTokens ?? settings.defaultMaxTokens;
    if (maxTokens === undefined)
      fail("max_tokens", "is required by Anthropic and no default is configured for this model");
    body.max_tokens = maxTokens;
  }
  body.messages = messages(request, warn);
  const system = systemField(request);
  if (system !== undefined) body.system = system;
  if (request.temperature !== undefined) {
    if (request.temperature < 0 || request.temperature > 1)
      fail("temperature", `must be between 0 and 1 for Anthropic, got ${request.temperature}`);
    body.temperature = request.temperature;
  }
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stopSequences !== undefined) body.stop_sequences = request.stopSequences;
  if (request.stream && !countTokens) body.stream = true;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.tools !== undefined) {
    body.tools = request.tools.flatMap((tool, index) => {
      if (tool.type === "opaque") {
        if (tool.dialect === "anthropic") return [tool.value];
        warn(`tools[${index}]`, `the ${String(tool.value.type)} tool has no Anthropic equivalent; not sent`);
        return [];
      }
      const out: JsonObject = { name: tool.name };
      if (tool.description !== undefined) out.description = tool.description;
      out.input_schema = tool.inputSchema ?? { type: "object", properties: {} };
      if (tool.strict !== undefined) out.strict = tool.strict;
      if (tool.cacheControl) out.cache_control = tool.cacheControl;
      if (tool.extra?.dialect === "anthropic") Object.assign(out, tool.extra.fields);
      else if (tool.extra)
        for (const key in tool.extra.fields)
          warn(`tools[${index}].${key}`, "an OpenAI-only tool setting; not sent");
      return [out];
    });
  }
  const choice = request.toolChoice;
  if (choice !== undefined || request.parallelToolCalls !== undefined) {
    const type = choice === undefined ? "auto" : choice.type === "required" ? "any" : choice.type;
    const out: JsonObject = { type };
    if (choice?.type === "tool") out.name = choice.name;
    if (request.parallelToolCalls !== undefined && type !== "none")
      out.disable_parallel_tool_use = !request.parallelToolCalls;
    body.tool_choice = out;
  }
  applyReasoning(request, body, warn);
  if (request.choices !== undefined && request.choices > 1)
    fail("n", `Anthropic returns one choice; got n=${request.choices}`);
  const unsupported = [
    ["presence_penalty", request.presencePenalty],
    ["frequency_penalty", request.frequencyPenalty],
    ["seed", request.seed],
    ["response_format", request.responseFormat?.type === "text" ? undefined : request.responseFormat],
    ["metadata", request.metadata],
  ] as const;
  for (const [field, value] of unsupported)
    if (value !== undefined) warn(field, "not supported by Anthropic; not sent");
  for (const [key, value] of Object.entries(request.extra.anthropic ?? {}))
    if (!(key in body)) body[key] = value;
  for (const key of Object.keys(request.extra.openai ?? {}))
    warn(key, "an OpenAI-only parameter; not sent to Anthropic");
  return body;
}

export function canonicalToAnthropicRequest(
  request: CanonicalRequest,
  settings: AnthropicSettings,
): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() =>
    build(request, settings, (field, message) => warnings.push({ field, message }), false),
  );
  return result.ok ? { ok: true, body: result.value, warnings } : result;
}

/** The count_tokens body: the same without `max_tokens` and `stream` (wire-formats §3.10). */
export function canonicalToAnthropicCountTokensRequest(
  request: CanonicalRequest,
  settings: AnthropicSettings,
): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() =>
    build(request, settings, (field, message) => warnings.push({ field, message }), true),
  );
  return result.ok ? { ok: true, body: result.value, warnings } : result;
}

/** The count_tokens response body. */
export function anthropicCountTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}
