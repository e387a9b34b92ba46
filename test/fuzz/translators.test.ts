/**
 * Property-based fuzzing (fast-check) of the translators: canonical requests (arbitrary ones, and those parsed
 * from mutated recorded client requests) built into every upstream dialect's request. A build either succeeds
 * with a body that serialises, or refuses with a field error (or a 4xx GatewayError); never a TypeError or a
 * RangeError. On failure fast-check prints the seed and the shrunk counterexample.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import type { ContentPart } from "../../src/canonical/content.js";
import type { BuildResult } from "../../src/canonical/errors.js";
import { type CanonicalRequest, reasoningEfforts } from "../../src/canonical/request.js";
import {
  canonicalToAnthropicCountTokensRequest,
  canonicalToAnthropicRequest,
} from "../../src/dialects/anthropic/anthropic-request-build.js";
import { anthropicToCanonicalRequest } from "../../src/dialects/anthropic/anthropic-request-parse.js";
import { canonicalToConverseRequest } from "../../src/dialects/bedrock-converse/converse-request-build.js";
import { canonicalToGeminiRequest } from "../../src/dialects/gemini/gemini-request-build.js";
import { canonicalToOpenAIChatRequest } from "../../src/dialects/openai/openai-chat-request-build.js";
import { openaiChatToCanonicalRequest } from "../../src/dialects/openai/openai-chat-request-parse.js";
import { canonicalToOpenAICompletionsRequest } from "../../src/dialects/openai/openai-completions.js";
import { responsesToCanonicalRequest } from "../../src/dialects/openai-responses/responses-request-parse.js";
import { GatewayError } from "../../src/errors/index.js";
import { fuzzRuns, mutatedBodies, recordedBodies } from "./fuzz-inputs.js";

/** Every upstream request builder, with the settings a routed model would give it. */
const builders: Array<[string, (request: CanonicalRequest) => BuildResult<unknown>]> = [
  ["OpenAI chat", (request) => canonicalToOpenAIChatRequest(request, { model: "m" })],
  [
    "OpenAI chat (OpenRouter settings)",
    (request) =>
      canonicalToOpenAIChatRequest(request, {
        model: "m",
        maxTokensField: "max_tokens",
        reasoningParam: "reasoning",
        reasoningHistory: "reasoning_details",
        supportsTopK: true,
      }),
  ],
  ["OpenAI completions", (request) => canonicalToOpenAICompletionsRequest(request, { model: "m" })],
  ["Anthropic", (request) => canonicalToAnthropicRequest(request, { model: "m", defaultMaxTokens: 1024 })],
  ["Anthropic count_tokens", (request) => canonicalToAnthropicCountTokensRequest(request, { model: "m" })],
  [
    "Gemini",
    (request) => canonicalToGeminiRequest(request, { model: "gemini-3-pro", defaultMaxTokens: 1024 }),
  ],
  [
    "Bedrock Converse",
    (request) => canonicalToConverseRequest(request, { defaultMaxTokens: 1024, modelFamily: "anthropic" }),
  ],
];

function buildsOrRefuses(
  build: (request: CanonicalRequest) => BuildResult<unknown>,
  request: CanonicalRequest,
) {
  let result: BuildResult<unknown>;
  try {
    result = build(request);
  } catch (error) {
    if (error instanceof GatewayError && error.status >= 400 && error.status < 500) return;
    throw error;
  }
  // The upstream body is sent as JSON text: it must serialise.
  if (result.ok) JSON.stringify(result.body);
  else if (typeof result.error.field !== "string" || result.error.message === "")
    throw new Error(`a refusal without a field or message: ${JSON.stringify(result.error)}`);
}

const text = fc.string({ maxLength: 20 });
const cacheControl = fc.option(fc.constant({ type: "ephemeral" as const }), { nil: undefined });
const jsonText = fc.oneof(
  text,
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
);
const dialect = fc.constantFrom("openai" as const, "anthropic" as const, "openai-responses" as const);
const image = fc.oneof(
  fc.record({
    type: fc.constant("url" as const),
    url: fc.oneof(fc.webUrl(), text, fc.constant("gs://b/cat.png")),
  }),
  fc.record({
    type: fc.constant("base64" as const),
    mediaType: fc.constantFrom("image/png", "image/jpeg", "image/webp", "image/gif", "image/heic", ""),
    data: fc.base64String({ maxLength: 24 }),
  }),
);

const part: fc.Arbitrary<ContentPart> = fc.oneof(
  fc.record({ type: fc.constant("text" as const), text, cacheControl }, { requiredKeys: ["type", "text"] }),
  fc.record(
    { type: fc.constant("image" as const), source: image, detail: fc.option(text, { nil: undefined }) },
    { requiredKeys: ["type", "source"] },
  ),
  fc.record({ type: fc.constant("tool-call" as const), id: text, name: text, arguments: jsonText }),
  fc.record(
    {
      type: fc.constant("tool-result" as const),
      toolCallId: text,
      content: fc.oneof(
        jsonText,
        fc.array(fc.record({ type: fc.constant("text" as const), text }), { maxLength: 2 }),
      ),
      isError: fc.option(fc.boolean(), { nil: undefined }),
    },
    { requiredKeys: ["type", "toolCallId", "content"] },
  ),
  fc.record(
    { type: fc.constant("reasoning" as const), text, signature: fc.option(text, { nil: undefined }) },
    { requiredKeys: ["type", "text"] },
  ),
  fc.record(
    {
      type: fc.constant("redacted-reasoning" as const),
      data: text,
      format: fc.option(text, { nil: undefined }),
    },
    { requiredKeys: ["type", "data"] },
  ),
  fc.record({ type: fc.constant("refusal" as const), text }),
  fc.record({
    type: fc.constant("opaque" as const),
    dialect,
    value: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })),
  }),
);

const schema = fc.oneof(
  fc.constant({ type: "object", properties: { a: { type: "string" } }, required: ["a"] }),
  fc.dictionary(
    fc.constantFrom(
      "type",
      "properties",
      "items",
      "anyOf",
      "oneOf",
      "allOf",
      "$ref",
      "$defs",
      "enum",
      "const",
      "nullable",
      "additionalProperties",
    ),
    fc.jsonValue({ maxDepth: 3 }),
  ),
);

const canonicalRequest: fc.Arbitrary<CanonicalRequest> = fc.record(
  {
    model: fc.option(text, { nil: undefined }),
    system: fc.array(fc.record({ type: fc.constant("text" as const), text }), { maxLength: 2 }),
    messages: fc.array(
      fc.record({
        role: fc.constantFrom("user" as const, "assistant" as const, "tool" as const),
        content: fc.array(part, { maxLength: 4 }),
      }),
      { maxLength: 5 },
    ),
    prompt: fc.option(
      fc.record({ text, suffix: fc.option(text, { nil: undefined }) }, { requiredKeys: ["text"] }),
      { nil: undefined },
    ),
    tools: fc.option(
      fc.array(
        fc.oneof(
          fc.record(
            {
              type: fc.constant("function" as const),
              name: text,
              description: fc.option(text, { nil: undefined }),
              inputSchema: fc.option(schema, { nil: undefined }),
              strict: fc.option(fc.boolean(), { nil: undefined }),
            },
            { requiredKeys: ["type", "name"] },
          ),
          fc.record({
            type: fc.constant("opaque" as const),
            dialect,
            value: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })),
          }),
        ),
        { maxLength: 3 },
      ),
      { nil: undefined },
    ),
    toolChoice: fc.option(
      fc.oneof(
        fc.constantFrom({ type: "auto" as const }, { type: "none" as const }, { type: "required" as const }),
        fc.record({ type: fc.constant("tool" as const), name: text }),
      ),
      { nil: undefined },
    ),
    maxOutputTokens: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: undefined }),
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
    topP: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    topK: fc.option(fc.nat(), { nil: undefined }),
    stopSequences: fc.option(fc.array(text, { maxLength: 6 }), { nil: undefined }),
    choices: fc.option(fc.integer({ min: 1, max: 128 }), { nil: undefined }),
    reasoning: fc.option(
      fc.record(
        {
          enabled: fc.boolean(),
          effort: fc.constantFrom(...reasoningEfforts),
          budgetTokens: fc.nat({ max: 100_000 }),
          adaptive: fc.boolean(),
          exclude: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
    responseFormat: fc.option(
      fc.oneof(
        fc.constantFrom({ type: "text" as const }, { type: "json" as const }),
        fc.record({
          type: fc.constant("json-schema" as const),
          name: text,
          schema: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 })),
        }),
      ),
      { nil: undefined },
    ),
    stream: fc.boolean(),
    includeUsage: fc.boolean(),
    user: fc.option(text, { nil: undefined }),
    metadata: fc.option(fc.dictionary(text, text, { maxKeys: 3 }), { nil: undefined }),
    extra: fc.record(
      { openai: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["model", "system", "messages", "stream", "includeUsage", "extra"] },
) as fc.Arbitrary<CanonicalRequest>;

/** Canonical requests as the parsers make them from mutated recorded requests (the ones that parse). */
function parsedFrom(parse: (body: unknown) => { ok: boolean }, path: string): fc.Arbitrary<CanonicalRequest> {
  return mutatedBodies(recordedBodies(path))
    .map((body) => parse(body) as { ok: true; request: CanonicalRequest } | { ok: false })
    .filter((result): result is { ok: true; request: CanonicalRequest } => result.ok)
    .map((result) => result.request);
}

describe("translators never crash", () => {
  for (const [name, build] of builders) {
    it(`${name}: arbitrary canonical requests`, () => {
      fc.assert(
        fc.property(canonicalRequest, (request) => buildsOrRefuses(build, request)),
        { numRuns: fuzzRuns },
      );
    });
  }

  it.each([
    ["Anthropic messages", anthropicToCanonicalRequest, "/v1/messages"],
    ["OpenAI Responses", responsesToCanonicalRequest, "/v1/responses"],
    ["OpenAI chat", openaiChatToCanonicalRequest, "/v1/chat/completions"],
  ] as const)("requests parsed from mutated %s recordings, into every dialect", (_name, parse, path) => {
    fc.assert(
      fc.property(parsedFrom(parse, path), (request) => {
        for (const [, build] of builders) buildsOrRefuses(build, request);
      }),
      { numRuns: Math.round(fuzzRuns / 6) },
    );
  });
});
