/**
 * Canonical request → Bedrock Converse / ConverseStream body (wire-formats §6.5). The model id and the choice
 * between converse and converse-stream are in the URL, so the body has neither `model` nor `stream`.
 * Model-specific settings travel in `additionalModelRequestFields`, whose keys depend on the model family:
 * only Claude's (`thinking`, `top_k`) are known here, so every other family gets a warning instead.
 */
import type { BuildResult, TranslationWarning } from "../../canonical/errors.js";
import type { CanonicalRequest } from "../../canonical/request.js";
import { catchFieldError, fail, type JsonObject } from "../../canonical/validate.js";
import { claudeThinking, fitThinking } from "../anthropic/anthropic-thinking.js";
import { type ConverseModelFamily, cachePoint, converseBlocks, type Warn } from "./converse-content.js";

export interface ConverseSettings {
  /** `inferenceConfig.maxTokens` when the client gave none; Converse itself does not require one. */
  defaultMaxTokens?: number;
  /** `performanceConfig.latency: "optimized"` (only some models and regions have it: wire-formats §6.8). */
  latencyOptimized?: boolean;
  /** The model behind Converse; "other" (the default) sends nothing model-specific. */
  modelFamily?: ConverseModelFamily;
}

interface Turn {
  role: "user" | "assistant";
  content: JsonObject[];
}

function systemBlocks(request: CanonicalRequest, warn: Warn): JsonObject[] {
  const blocks: JsonObject[] = [];
  request.system.forEach((part, index) => {
    if (part.text === "") {
      warn(`system[${index}]`, "an empty system part is not sent: Converse rejects empty text");
      return;
    }
    blocks.push({ text: part.text });
    if (part.cacheControl) blocks.push(cachePoint(part.cacheControl));
  });
  return blocks;
}

/**
 * Tool messages become user turns, and consecutive turns of one role are merged: Converse requires the roles
 * to alternate. A message left with no blocks is not sent (Converse rejects empty content).
 */
function turns(request: CanonicalRequest, family: ConverseModelFamily, warn: Warn): Turn[] {
  const out: Turn[] = [];
  const append = (role: Turn["role"], content: JsonObject[]): void => {
    if (content.length === 0) return;
    const last = out[out.length - 1];
    if (last?.role === role) last.content.push(...content);
    else out.push({ role, content });
  };
  request.messages.forEach((message, index) => {
    const content: JsonObject[] = [];
    message.content.forEach((part, partIndex) => {
      const field = `messages[${index}].content[${partIndex}]`;
      const blocks = converseBlocks(part, field, family, warn);
      if (Array.isArray(blocks)) content.push(...blocks);
      else warn(field, blocks.warning);
    });
    append(message.role === "assistant" ? "assistant" : "user", content);
  });
  if (request.prompt) {
    warn("prompt", "a raw prompt is sent to Bedrock Converse as one user message");
    append("user", [{ text: request.prompt.text }]);
    if (request.prompt.suffix !== undefined)
      warn("suffix", "Bedrock Converse has no fill-in-the-middle suffix; it is not sent");
  }
  return out;
}

const hasToolBlocks = (messages: Turn[]): boolean =>
  messages.some((turn) => turn.content.some((block) => "toolUse" in block || "toolResult" in block));

/** `toolConfig`, or undefined when no tool is sent. Converse has no tool choice "none" (wire-formats §8.2). */
function toolConfig(request: CanonicalRequest, messages: Turn[], warn: Warn): JsonObject | undefined {
  const tools: JsonObject[] = [];
  (request.tools ?? []).forEach((tool, index) => {
    if (tool.type === "opaque") {
      warn(
        `tools[${index}]`,
        `the ${tool.dialect} ${String(tool.value.type)} tool has no Bedrock Converse equivalent; not sent`,
      );
      return;
    }
    const spec: JsonObject = { name: tool.name };
    if (tool.description !== undefined) spec.description = tool.description;
    spec.inputSchema = { json: tool.inputSchema ?? { type: "object", properties: {} } };
    // false is Converse's default; models without strict mode refuse the field, so it is sent only when on.
    if (tool.strict) spec.strict = true;
    if (tool.extra)
      for (const key in tool.extra.fields)
        warn(
          `tools[${index}].${key}`,
          `a ${tool.extra.dialect}-only tool setting; not sent to Bedrock Converse`,
        );
    tools.push({ toolSpec: spec });
    if (tool.cacheControl) tools.push(cachePoint(tool.cacheControl));
  });
  if (request.parallelToolCalls === false)
    warn("parallel_tool_calls", "Bedrock Converse cannot turn parallel tool calls off; not sent");
  const choice = request.toolChoice;
  if (tools.length === 0) {
    if (choice?.type === "required" || choice?.type === "tool")
      warn("tool_choice", "no tool is sent to Bedrock Converse, so neither is the tool choice");
    return undefined;
  }
  if (choice?.type === "none") {
    if (!hasToolBlocks(messages)) {
      warn("tool_choice", "Bedrock Converse has no tool choice none: the tools are not sent instead");
      return undefined;
    }
    // Converse refuses toolUse/toolResult blocks in the history without a toolConfig.
    warn(
      "tool_choice",
      "Bedrock Converse has no tool choice none, and a conversation with tool calls must declare its tools: they are sent and the model may call one",
    );
    return { tools };
  }
  const config: JsonObject = { tools };
  if (choice?.type === "auto") config.toolChoice = { auto: {} };
  else if (choice?.type === "required") config.toolChoice = { any: {} };
  else if (choice?.type === "tool") config.toolChoice = { tool: { name: choice.name } };
  return config;
}

/** Claude's extended thinking through `additionalModelRequestFields.thinking`, as for Anthropic (§3.4, §8.6). */
function applyReasoning(
  request: CanonicalRequest,
  family: ConverseModelFamily,
  inference: JsonObject,
  additional: JsonObject,
  warn: Warn,
): void {
  const reasoning = request.reasoning;
  if (!reasoning) return;
  if (family !== "anthropic") {
    warn(
      "reasoning",
      "Bedrock Converse takes reasoning settings per model family and only Claude's are known; not sent",
    );
    return;
  }
  if (reasoning.exclude)
    warn("reasoning.exclude", "Claude on Bedrock Converse cannot hide its reasoning; not sent");
  const claude = claudeThinking(reasoning, warn);
  if (!claude) return;
  additional.thinking = claude.thinking;
  const budget = claude.budget;
  if (budget === undefined) return;
  fitThinking(
    budget,
    {
      maxTokens: { holder: inference, key: "maxTokens" },
      sampling: [
        { holder: inference, key: "temperature", name: "temperature" },
        { holder: inference, key: "topP", name: "top_p" },
        { holder: additional, key: "top_k", name: "top_k" },
      ],
    },
    warn,
  );
}

// Converse's own limits on requestMetadata (API_runtime_Converse.html): at most 16 pairs of these characters.
const metadataText = /^[a-zA-Z0-9\s:_@$#=/+,.-]{0,256}$/;

function requestMetadata(metadata: Record<string, string>, warn: Warn): JsonObject | undefined {
  const entries = Object.entries(metadata);
  const valid =
    entries.length <= 16 &&
    entries.every(([key, value]) => key !== "" && metadataText.test(key) && metadataText.test(value));
  if (valid) return metadata;
  warn(
    "metadata",
    "Bedrock Converse request metadata takes at most 16 pairs of up to 256 letters, digits, spaces or :_@$#=/+,.-; not sent",
  );
  return undefined;
}

function build(request: CanonicalRequest, settings: ConverseSettings, warn: Warn): JsonObject {
  const family = settings.modelFamily ?? "other";
  const system = systemBlocks(request, warn);
  const messages = turns(request, family, warn);
  const body: JsonObject = { messages };
  if (system.length > 0) body.system = system;

  const inference: JsonObject = {};
  const maxTokens = request.maxOutputTokens ?? settings.defaultMaxTokens;
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  if (request.temperature !== undefined) {
    if (family === "anthropic" && (request.temperature < 0 || request.temperature > 1))
      fail("temperature", `must be between 0 and 1 for Claude models, got ${request.temperature}`);
    inference.temperature = request.temperature;
  }
  if (request.topP !== undefined) inference.topP = request.topP;
  if (request.stopSequences !== undefined) inference.stopSequences = request.stopSequences;

  const additional: JsonObject = {};
  if (request.topK !== undefined) {
    if (family === "anthropic") additional.top_k = request.topK;
    else warn("top_k", "Bedrock Converse has top_k only for Claude models here; not sent");
  }
  applyReasoning(request, family, inference, additional, warn);
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const tools = toolConfig(request, messages, warn);
  if (tools !== undefined) body.toolConfig = tools;
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;
  // Claude reports the stop sequence that matched only when asked, in the shape of its own stream or body.
  if (family === "anthropic" && request.stopSequences !== undefined && request.stopSequences.length > 0)
    body.additionalModelResponseFieldPaths = [request.stream ? "/delta/stop_sequence" : "/stop_sequence"];
  if (settings.latencyOptimized) body.performanceConfig = { latency: "optimized" };
  if (request.metadata !== undefined) {
    const metadata = requestMetadata(request.metadata, warn);
    if (metadata !== undefined) body.requestMetadata = metadata;
  }

  if (request.choices !== undefined && request.choices > 1)
    fail("n", `Bedrock Converse returns one choice; got n=${request.choices}`);
  const unsupported = [
    ["presence_penalty", request.presencePenalty],
    ["frequency_penalty", request.frequencyPenalty],
    ["seed", request.seed],
    ["response_format", request.responseFormat?.type === "text" ? undefined : request.responseFormat],
    ["user", request.user],
  ] as const;
  for (const [field, value] of unsupported)
    if (value !== undefined) warn(field, "not supported by Bedrock Converse; not sent");
  for (const [dialect, extra] of Object.entries(request.extra))
    for (const key of Object.keys(extra ?? {}))
      warn(key, `an ${dialect}-only parameter; not sent to Bedrock Converse`);
  return body;
}

export function canonicalToConverseRequest(
  request: CanonicalRequest,
  settings: ConverseSettings = {},
): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() =>
    build(request, settings, (field, message) => warnings.push({ field, message })),
  );
  return result.ok ? { ok: true, body: result.value, warnings } : result;
}
