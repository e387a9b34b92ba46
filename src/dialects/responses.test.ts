import { describe, expect, it } from "vitest";
import { readFixtureJson, readHadrian } from "../../test/fixtures-helpers/fixtures.js";
import type { CanonicalResponse } from "../canonical/response.js";
import { canonicalErrorToAnthropic, canonicalErrorToOpenAI } from "../errors/index.js";
import { anthropicErrorToCanonical } from "./anthropic/anthropic-errors.js";
import {
  anthropicResponseToCanonical,
  canonicalToAnthropicResponse,
} from "./anthropic/anthropic-response.js";
import {
  canonicalToOpenAIChatResponse,
  openaiChatResponseToCanonical,
} from "./openai/openai-chat-response.js";
import {
  canonicalToOpenAICompletionResponse,
  canonicalToOpenAICompletionsRequest,
  openaiCompletionResponseToCanonical,
  openaiCompletionsToCanonicalRequest,
} from "./openai/openai-completions.js";
import {
  canonicalToOpenAIEmbeddingsRequest,
  canonicalToOpenAIEmbeddingsResponse,
  openaiEmbeddingsResponseToCanonical,
  openaiEmbeddingsToCanonicalRequest,
} from "./openai/openai-embeddings.js";
import { openaiErrorToCanonical } from "./openai/openai-errors.js";

// Recorded bodies are read freely in assertions.
// biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary fixture JSON
type Json = Record<string, any>;

function ok(result: ReturnType<typeof openaiChatResponseToCanonical>): CanonicalResponse {
  if (!result.ok) throw new Error(result.error.message);
  return result.response;
}

describe("non-stream responses", () => {
  it("round trips the OpenAI fixture (fields we support)", () => {
    const body = readFixtureJson("vercel-ai/openai/openai-text.json") as Json;
    const back = canonicalToOpenAIChatResponse(ok(openaiChatResponseToCanonical(body))) as Json;
    expect(back).toMatchObject({
      id: body.id,
      object: "chat.completion",
      created: body.created,
      model: body.model,
    });
    expect(back.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: body.choices[0].message.content, refusal: null },
      logprobs: null,
      finish_reason: "stop",
    });
    const { prompt_tokens, completion_tokens, total_tokens } = body.usage;
    expect(back.usage).toMatchObject({ prompt_tokens, completion_tokens, total_tokens });
    expect(back.usage.prompt_tokens_details.cached_tokens).toBe(
      body.usage.prompt_tokens_details.cached_tokens,
    );
    expect(back.usage.completion_tokens_details.reasoning_tokens).toBe(
      body.usage.completion_tokens_details.reasoning_tokens,
    );
  });

  it("round trips the Anthropic fixtures exactly on supported fields", () => {
    for (const path of [
      "vercel-ai/anthropic/anthropic-text.json",
      "vercel-ai/anthropic/anthropic-refusal.json",
    ]) {
      const body = readFixtureJson(path) as Json;
      const back = canonicalToAnthropicResponse(ok(anthropicResponseToCanonical(body))) as Json;
      const { service_tier, inference_geo, ...usage } = body.usage;
      expect(back).toEqual({
        id: body.id,
        type: "message",
        role: "assistant",
        model: body.model,
        content: body.content,
        stop_reason: body.stop_reason,
        stop_sequence: body.stop_sequence,
        usage: { ...usage, cache_creation: body.usage.cache_creation ?? usage.cache_creation },
      });
    }
  });

  it("translates an Anthropic thinking + tool response for an OpenAI client and back", () => {
    const response: CanonicalResponse = {
      id: "msg_1",
      model: "claude",
      created: 5,
      content: [
        { type: "reasoning", text: "Think", signature: "sig" },
        { type: "text", text: "Calling." },
        { type: "tool-call", id: "toolu_1", name: "f", arguments: '{"a":1}' },
      ],
      finish: { unified: "tool_calls", raw: "tool_use" },
      usage: { inputTokens: 30, outputTokens: 7, cacheReadTokens: 20, cacheWriteTokens: 5 },
    };
    const openai = canonicalToOpenAIChatResponse(response) as Json;
    expect(openai.choices[0].message).toEqual({
      role: "assistant",
      content: "Calling.",
      refusal: null,
      tool_calls: [{ id: "toolu_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
      reasoning_content: "Think",
      reasoning_details: [{ type: "reasoning.text", text: "Think", signature: "sig", index: 0 }],
    });
    expect(openai.choices[0].finish_reason).toBe("tool_calls");
    expect(openai.usage).toMatchObject({
      prompt_tokens: 30,
      prompt_tokens_details: { cached_tokens: 20, cache_write_tokens: 5 },
    });
    const back = ok(openaiChatResponseToCanonical(openai));
    expect(back.content).toEqual(response.content);
    expect(back.usage).toEqual(response.usage);
    expect(canonicalToAnthropicResponse(back)).toMatchObject({
      stop_reason: "tool_use",
      usage: {
        input_tokens: 5,
        cache_read_input_tokens: 20,
        cache_creation_input_tokens: 5,
        output_tokens: 7,
      },
      content: [
        { type: "thinking", thinking: "Think", signature: "sig" },
        { type: "text", text: "Calling." },
        { type: "tool_use", id: "toolu_1", name: "f", input: { a: 1 } },
      ],
    });
  });

  it("maps an OpenAI refusal and an upstream error body", () => {
    const refused = ok(
      openaiChatResponseToCanonical({
        id: "c",
        model: "m",
        choices: [{ message: { content: null, refusal: "No." }, finish_reason: "stop" }],
      }),
    );
    expect(refused.content).toEqual([{ type: "refusal", text: "No." }]);
    const failed = openaiChatResponseToCanonical(
      readFixtureJson("vercel-ai/openai/reasoning-model-legacy-parameter-error.json"),
      400,
    );
    expect(failed).toMatchObject({
      ok: false,
      error: { status: 400, type: "invalid_request", code: "unsupported_parameter", param: "max_tokens" },
    });
  });
});

describe("error bodies", () => {
  it("builds both dialects from one canonical error", () => {
    const error = {
      status: 429,
      type: "rate_limit" as const,
      code: "rate_limit_exceeded",
      message: "Slow down",
      param: "model",
    };
    expect(canonicalErrorToOpenAI(error)).toEqual({
      error: { message: "Slow down", type: "rate_limit_error", code: "rate_limit_exceeded", param: "model" },
    });
    expect(canonicalErrorToAnthropic(error)).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "Slow down" },
    });
    expect(canonicalErrorToAnthropic({ status: 503, type: "overloaded", message: "busy" }).error.type).toBe(
      "overloaded_error",
    );
  });

  it("parses upstream error bodies leniently, status first", () => {
    expect(
      anthropicErrorToCanonical(529, {
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
      }),
    ).toEqual({
      status: 529,
      type: "overloaded",
      code: "overloaded_error",
      message: "Overloaded",
    });
    expect(
      openaiErrorToCanonical(402, { error: { code: 402, message: "Insufficient credits" } }),
    ).toMatchObject({ status: 402, message: "Insufficient credits" });
    expect(openaiErrorToCanonical(422, { detail: [{ loc: ["body"], msg: "field required" }] }).message).toBe(
      "field required",
    );
    expect(openaiErrorToCanonical(500, "<html>")).toMatchObject({
      status: 500,
      type: "api_error",
      message: "<html>",
    });
    expect(anthropicErrorToCanonical(502, null).message).toBe("upstream returned HTTP 502");
  });
});

describe("legacy completions and embeddings", () => {
  it("round trips a FIM completions request and the recorded response", () => {
    const body = {
      model: "gpt-3.5-turbo-instruct",
      prompt: "def f(",
      suffix: "    return x",
      max_tokens: 16,
      temperature: 0,
      stop: ["\n\n"],
      echo: false,
    };
    const parsed = openaiCompletionsToCanonicalRequest(body);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.request.prompt).toEqual({ text: "def f(", suffix: "    return x" });
    expect(canonicalToOpenAICompletionsRequest(parsed.request, { model: "gpt-3.5-turbo-instruct" })).toEqual({
      ok: true,
      body,
      warnings: [],
    });
    expect(openaiCompletionsToCanonicalRequest({ prompt: [1, 2] })).toMatchObject({
      ok: false,
      error: { field: "prompt" },
    });
    const recorded = readFixtureJson("vercel-ai/openai/openai-completion-text.json") as Json;
    const response = ok(openaiCompletionResponseToCanonical(recorded));
    expect(canonicalToOpenAICompletionResponse(response)).toEqual({
      ...recorded,
      choices: [{ ...recorded.choices[0], logprobs: null }],
    });
  });

  it("round trips embeddings requests and the recorded responses", () => {
    const body = {
      model: "text-embedding-3-small",
      input: ["a", "b"],
      dimensions: 5,
      encoding_format: "float",
    };
    const parsed = openaiEmbeddingsToCanonicalRequest(body);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(
      canonicalToOpenAIEmbeddingsRequest(parsed.request, { model: "text-embedding-3-small" }).body,
    ).toEqual(body);
    expect(openaiEmbeddingsToCanonicalRequest({ input: ["a", ""] })).toMatchObject({
      ok: false,
      error: { field: "input[1]" },
    });
    expect(openaiEmbeddingsToCanonicalRequest({ input: "x", encoding_format: "hex" })).toMatchObject({
      ok: false,
      error: { field: "encoding_format" },
    });
    for (const recorded of [
      readFixtureJson("vercel-ai/openai/openai-embedding.json"),
      readHadrian("hadrian/openai/embedding_success.json").response.body,
    ]) {
      const result = openaiEmbeddingsResponseToCanonical(recorded);
      if (!result.ok) throw new Error(result.error.message);
      expect(result.response.inputTokens).toBeGreaterThan(0);
      expect(canonicalToOpenAIEmbeddingsResponse(result.response)).toEqual(recorded);
    }
  });
});
