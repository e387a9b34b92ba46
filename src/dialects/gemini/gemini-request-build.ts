/**
 * Canonical request → Gemini `generateContent` / `streamGenerateContent` body (wire-formats §4.2; the same body
 * serves Vertex AI, §5.1). The model and the choice of streaming are in the URL, so the body has neither.
 */
import type { BuildResult, TranslationWarning } from "../../canonical/errors.js";
import type { CanonicalRequest, ReasoningEffort } from "../../canonical/request.js";
import { catchFieldError, fail, type JsonObject } from "../../canonical/validate.js";
import { geminiContents } from "./gemini-contents.js";
import { geminiParameters } from "./gemini-schema.js";

export interface GeminiSettings {
  /** The upstream's model name (for behaviour that depends on it: Gemini 3's thought-signature check). */
  model?: string;
  /** `generationConfig.maxOutputTokens` when the client gave none (Gemini does not require one). */
  defaultMaxTokens?: number;
  /**
   * `thinkingConfig.includeThoughts`: return thought summaries. Default: on when the client asked for
   * reasoning (and did not ask to exclude it), else not sent.
   */
  includeThoughts?: boolean;
  /**
   * Send tool schemas whole as `parametersJsonSchema` (Gemini 2.5 and later) rather than as `parameters`, the
   * OpenAPI subset every Gemini model takes, from which unsupported keywords are left out.
   */
  parametersJsonSchema?: boolean;
}

type Warn = (field: string, message: string) => void;

/**
 * Thinking budgets for OpenAI-style efforts, each within every Gemini 2.5 model's range (Pro 128–32768,
 * Flash 0–24576, Flash-Lite 512–24576).
 */
export const geminiThinkingBudgets: Record<Exclude<ReasoningEffort, "none">, number> = {
  minimal: 512,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 24576,
  max: 24576,
};

/** Gemini 3 and later refuse replayed function calls without a thought signature. */
export function isGemini3OrLater(model: string | undefined): boolean {
  const major = /(?:^|\/)gemini-(\d+)/.exec(model ?? "")?.[1];
  return major !== undefined && Number(major) >= 3;
}

const choiceModes = { auto: "AUTO", none: "NONE", required: "ANY" } as const;

function thinkingConfig(
  request: CanonicalRequest,
  settings: GeminiSettings,
  warn: Warn,
): JsonObject | undefined {
  const reasoning = request.reasoning;
  if (reasoning === undefined)
    return settings.includeThoughts === undefined ? undefined : { includeThoughts: settings.includeThoughts };
  const config: JsonObject = {};
  if (reasoning.enabled === false || reasoning.effort === "none") config.thinkingBudget = 0;
  else if (reasoning.budgetTokens !== undefined) config.thinkingBudget = reasoning.budgetTokens;
  else if (reasoning.effort !== undefined) {
    config.thinkingBudget = geminiThinkingBudgets[reasoning.effort];
    warn("reasoning_effort", `sent as a thinking budget of ${config.thinkingBudget} tokens`);
  } else if (reasoning.adaptive) config.thinkingBudget = -1; // Gemini's dynamic thinking.
  if (config.thinkingBudget !== 0)
    config.includeThoughts = reasoning.exclude ? false : (settings.includeThoughts ?? true);
  return config;
}

function generationConfig(request: CanonicalRequest, settings: GeminiSettings, warn: Warn): JsonObject {
  const config: JsonObject = {};
  const maxTokens = request.maxOutputTokens ?? settings.defaultMaxTokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.temperature !== undefined) {
    if (request.temperature < 0 || request.temperature > 2)
      fail("temperature", `must be between 0 and 2 for Gemini, got ${request.temperature}`);
    config.temperature = request.temperature;
  }
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stopSequences !== undefined) {
    if (request.stopSequences.length > 5)
      fail("stop_sequences", `Gemini accepts at most 5 stop sequences, got ${request.stopSequences.length}`);
    config.stopSequences = request.stopSequences;
  }
  if (request.choices !== undefined) {
    // Gemini could make more (candidateCount), but a translated answer carries one choice.
    if (request.choices > 1) fail("n", `one choice can be returned from Gemini; got n=${request.choices}`);
    config.candidateCount = request.choices;
  }
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  const format = request.responseFormat;
  if (format?.type === "json") config.responseMimeType = "application/json";
  else if (format?.type === "json-schema") {
    // responseJsonSchema takes JSON Schema as is (responseSchema would need the OpenAPI subset).
    config.responseMimeType = "application/json";
    config.responseJsonSchema = format.schema;
    if (format.description !== undefined)
      warn("response_format.json_schema.description", "Gemini has no schema description; not sent");
  }
  const thinking = thinkingConfig(request, settings, warn);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return config;
}

function tools(request: CanonicalRequest, settings: GeminiSettings, warn: Warn): JsonObject[] {
  const declarations: JsonObject[] = [];
  request.tools?.forEach((tool, index) => {
    const field = `tools[${index}]`;
    if (tool.type === "opaque") {
      warn(field, `the ${tool.dialect} ${String(tool.value.type)} tool has no Gemini equivalent; not sent`);
      return;
    }
    const declaration: JsonObject = { name: tool.name };
    if (tool.description !== undefined) declaration.description = tool.description;
    if (tool.inputSchema !== undefined && settings.parametersJsonSchema)
      declaration.parametersJsonSchema = tool.inputSchema;
    else if (tool.inputSchema !== undefined) {
      const { schema, dropped } = geminiParameters(tool.inputSchema, `${field}.parameters`);
      if (schema !== undefined) declaration.parameters = schema;
      if (dropped.length > 0)
        warn(`${field}.parameters`, `left out what Gemini's schema subset lacks: ${dropped.join(", ")}`);
    }
    if (tool.strict !== undefined) warn(`${field}.strict`, "Gemini has no strict function schemas; not sent");
    if (tool.cacheControl) warn(`${field}.cache_control`, "Gemini caches prompts implicitly; not sent");
    for (const key in tool.extra?.fields ?? {})
      warn(`${field}.${key}`, `a ${tool.extra?.dialect} tool setting; not sent to Gemini`);
    declarations.push(declaration);
  });
  return declarations.length > 0 ? [{ functionDeclarations: declarations }] : [];
}

function build(request: CanonicalRequest, settings: GeminiSettings, warn: Warn): JsonObject {
  const contents = geminiContents(request, { signatureFallback: isGemini3OrLater(settings.model) }, warn);
  if (contents.length === 0) fail("messages", "Gemini needs at least one message with content");
  const body: JsonObject = { contents };
  const system: JsonObject[] = [];
  request.system.forEach((part, index) => {
    if (part.cacheControl)
      warn(`system[${index}].cache_control`, "Gemini caches prompts implicitly; cache_control is not sent");
    if (part.text !== "") system.push({ text: part.text });
  });
  if (system.length > 0) body.systemInstruction = { parts: system };
  const declared = tools(request, settings, warn);
  if (declared.length > 0) body.tools = declared;
  const choice = request.toolChoice;
  if (choice !== undefined) {
    body.toolConfig = {
      functionCallingConfig:
        choice.type === "tool"
          ? { mode: "ANY", allowedFunctionNames: [choice.name] }
          : { mode: choiceModes[choice.type] },
    };
  }
  if (request.parallelToolCalls === false)
    warn("parallel_tool_calls", "Gemini cannot be told to make one call at a time; it may make several");
  const config = generationConfig(request, settings, warn);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  if (request.user !== undefined) warn("user", "Gemini has no end-user field; not sent");
  if (request.metadata !== undefined) warn("metadata", "not supported by Gemini; not sent");
  for (const [dialect, fields] of Object.entries(request.extra))
    for (const key of Object.keys(fields ?? {})) warn(key, `a ${dialect}-only parameter; not sent to Gemini`);
  return body;
}

export function canonicalToGeminiRequest(
  request: CanonicalRequest,
  settings: GeminiSettings,
): BuildResult<JsonObject> {
  const warnings: TranslationWarning[] = [];
  const result = catchFieldError(() =>
    build(request, settings, (field, message) => warnings.push({ field, message })),
  );
  return result.ok ? { ok: true, body: result.value, warnings } : result;
}
