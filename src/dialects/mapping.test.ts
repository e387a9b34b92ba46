import { describe, expect, it } from "vitest";
import type { CanonicalFinish } from "../canonical/finish-reason.js";
import type { CanonicalUsage } from "../canonical/usage.js";
import { anthropicStopToCanonical, canonicalFinishToAnthropic } from "./anthropic/anthropic-finish-reason.js";
import { anthropicUsageToCanonical, canonicalUsageToAnthropic } from "./anthropic/anthropic-usage.js";
import { createAnthropicUsageTap, readAnthropicUsage } from "./anthropic/anthropic-usage-tap.js";
import { canonicalFinishToOpenAI, openaiFinishToCanonical } from "./openai/openai-finish-reason.js";
import { canonicalUsageToOpenAI, openaiUsageToCanonical } from "./openai/openai-usage.js";
import { createOpenAIUsageTap, readOpenAIUsage } from "./openai/openai-usage-tap.js";

describe("finish reasons", () => {
  it.each([
    ["stop", "stop", "stop", "end_turn"],
    ["length", "length", "length", "max_tokens"],
    ["tool_calls", "tool_calls", "tool_calls", "tool_use"],
    ["function_call", "tool_calls", "function_call", "tool_use"],
    ["content_filter", "content_filter", "content_filter", "refusal"],
    ["model_length", "length", "length", "max_tokens"],
    ["error", "error", "stop", "end_turn"],
    ["something_new", "other", "stop", "end_turn"],
  ])("openai %s → %s → openai %s, anthropic %s", (raw, unified, openai, anthropic) => {
    const finish = openaiFinishToCanonical(raw);
    expect(finish).toEqual({ unified, raw });
    expect(canonicalFinishToOpenAI(finish)).toBe(openai);
    expect(canonicalFinishToAnthropic(finish)).toBe(anthropic);
  });

  it.each([
    ["end_turn", "stop", "end_turn", "stop"],
    ["stop_sequence", "stop", "stop_sequence", "stop"],
    ["pause_turn", "stop", "pause_turn", "stop"],
    ["max_tokens", "length", "max_tokens", "length"],
    ["model_context_window_exceeded", "length", "model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls", "tool_use", "tool_calls"],
    ["refusal", "content_filter", "refusal", "content_filter"],
    ["brand_new", "other", "end_turn", "stop"],
  ])("anthropic %s → %s → anthropic %s, openai %s", (raw, unified, anthropic, openai) => {
    const finish = anthropicStopToCanonical(raw);
    expect(finish).toEqual({ unified, raw });
    expect(canonicalFinishToAnthropic(finish)).toBe(anthropic);
    expect(canonicalFinishToOpenAI(finish)).toBe(openai);
  });

  it("keeps the matched stop sequence and says stop_sequence when one is known", () => {
    expect(anthropicStopToCanonical("stop_sequence", "###")).toEqual({
      unified: "stop",
      raw: "stop_sequence",
      stopSequence: "###",
    });
    const fromElsewhere: CanonicalFinish = { unified: "stop", raw: "STOP", stopSequence: "###" };
    expect(canonicalFinishToAnthropic(fromElsewhere)).toBe("stop_sequence");
    expect(openaiFinishToCanonical(null)).toEqual({ unified: "other", raw: undefined });
  });
});

describe("usage", () => {
  const cases: Array<[string, Record<string, unknown>, CanonicalUsage]> = [
    [
      "openai with cache and reasoning",
      {
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 80 },
        completion_tokens_details: { reasoning_tokens: 20 },
      },
      { inputTokens: 100, outputTokens: 50, cacheReadTokens: 80, cacheWriteTokens: 0, reasoningTokens: 20 },
    ],
    [
      "openai without details",
      { prompt_tokens: 124, completion_tokens: 22, total_tokens: 146 },
      { inputTokens: 124, outputTokens: 22, cacheReadTokens: 0, cacheWriteTokens: 0 },
    ],
    [
      "deepseek cache hit counter",
      { prompt_tokens: 339, completion_tokens: 83, prompt_cache_hit_tokens: 320 },
      { inputTokens: 339, outputTokens: 83, cacheReadTokens: 320, cacheWriteTokens: 0 },
    ],
  ];
  it.each(cases)("openai: %s", (_name, wire, canonical) => {
    expect(openaiUsageToCanonical(wire)).toEqual(canonical);
    const back = canonicalUsageToOpenAI(canonical);
    expect(back.prompt_tokens).toBe(wire.prompt_tokens);
    expect(back.completion_tokens).toBe(wire.completion_tokens);
    expect(back.total_tokens).toBe((wire.prompt_tokens as number) + (wire.completion_tokens as number));
    expect(back.prompt_tokens_details.cached_tokens).toBe(canonical.cacheReadTokens);
  });

  it("anthropic input_tokens excludes cache; canonical input includes it; the round trip is exact", () => {
    const wire = {
      input_tokens: 3,
      cache_read_input_tokens: 9511,
      cache_creation_input_tokens: 1956,
      cache_creation: { ephemeral_5m_input_tokens: 1956, ephemeral_1h_input_tokens: 0 },
      output_tokens: 12,
    };
    const canonical = anthropicUsageToCanonical(wire);
    expect(canonical).toEqual({
      inputTokens: 11470,
      outputTokens: 12,
      cacheReadTokens: 9511,
      cacheWriteTokens: 1956,
      cacheWrite5mTokens: 1956,
      cacheWrite1hTokens: 0,
    });
    expect(canonicalUsageToAnthropic(canonical!)).toEqual(wire);
    // Across dialects: OpenAI's prompt_tokens is the total, cached_tokens the reads.
    expect(canonicalUsageToOpenAI(canonical!).prompt_tokens).toBe(11470);
    const fromOpenAI = openaiUsageToCanonical({
      prompt_tokens: 100,
      completion_tokens: 5,
      prompt_tokens_details: { cached_tokens: 80 },
    });
    expect(canonicalUsageToAnthropic(fromOpenAI!)).toEqual({
      input_tokens: 20,
      cache_read_input_tokens: 80,
      cache_creation_input_tokens: 0,
      output_tokens: 5,
    });
  });

  it("reads thinking tokens and ignores garbage leniently", () => {
    expect(
      anthropicUsageToCanonical({
        input_tokens: 1,
        output_tokens: 9,
        output_tokens_details: { thinking_tokens: 7 },
      })?.reasoningTokens,
    ).toBe(7);
    expect(anthropicUsageToCanonical(null)).toBeUndefined();
    expect(openaiUsageToCanonical({ prompt_tokens: "x", completion_tokens: -1 })).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });
});

describe("usage taps", () => {
  it("reads the OpenAI usage chunk and skips chunks without usage", () => {
    const tap = createOpenAIUsageTap();
    tap.onData('{"id":"a","choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}');
    expect(tap.result()).toBeUndefined();
    tap.onData('{"id":"a","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}');
    tap.onData("[DONE]");
    expect(tap.result()).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(readOpenAIUsage({ usage: { prompt_tokens: 1, completion_tokens: 2 } })?.outputTokens).toBe(2);
  });

  it("merges Anthropic message_start and cumulative message_delta usage", () => {
    const tap = createAnthropicUsageTap();
    tap.onData(
      '{"type":"message_start","message":{"usage":{"input_tokens":43,"cache_read_input_tokens":10,"output_tokens":1}}}',
    );
    tap.onData('{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}');
    tap.onEvent({
      type: "message_delta",
      delta: { stop_reason: "end_turn" },
      usage: { input_tokens: 61, output_tokens: 30 },
    });
    expect(tap.result()).toEqual({
      inputTokens: 71,
      outputTokens: 30,
      cacheReadTokens: 10,
      cacheWriteTokens: 0,
    });
    expect(readAnthropicUsage({ usage: { input_tokens: 2, output_tokens: 3 } })?.inputTokens).toBe(2);
  });
});
