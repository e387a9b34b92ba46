import { describe, expect, it } from "vitest";
import { readFixtureJson } from "../../../test/fixtures-helpers/fixtures.js";
import { converseStopToCanonical } from "./converse-finish-reason.js";
import { converseResponseToCanonical } from "./converse-response.js";
import { converseUsageToCanonical, readConverseUsage } from "./converse-usage.js";

function answer(body: unknown, context = {}) {
  const result = converseResponseToCanonical(body, 200, context);
  if (!result.ok) throw new Error(result.error.message);
  return result.response;
}

describe("Converse response → canonical, recorded", () => {
  it("reads vercel's text answer with its usage", () => {
    const response = answer(readFixtureJson("vercel-ai/amazon-bedrock/amazon-bedrock-text.json"));
    expect(response.content).toEqual([
      {
        type: "text",
        text: 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."',
      },
    ]);
    expect(response.finish).toEqual({ unified: "stop", raw: "end_turn" });
    expect(response.usage).toEqual({
      inputTokens: 22,
      outputTokens: 57,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it("reads vercel's reasoning answer: signed reasoning, then text", () => {
    const response = answer(readFixtureJson("vercel-ai/amazon-bedrock/amazon-bedrock-reasoning.json"));
    expect(response.content).toHaveLength(2);
    const [reasoning, text] = response.content;
    expect(reasoning).toMatchObject({
      type: "reasoning",
      text: "Let me count the r's in \"strawberry\":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r's.",
    });
    expect(reasoning?.type === "reasoning" && reasoning.signature).toMatch(/^EvYBCkgICxAB.*GAE=$/);
    expect(text).toEqual({
      type: "text",
      text: 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y',
    });
    expect(response.usage).toEqual({
      inputTokens: 51,
      outputTokens: 78,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });
});

describe("Converse response → canonical", () => {
  it("reads tool calls, redacted reasoning, the model and request id from the context", () => {
    const response = answer(
      {
        output: {
          message: {
            role: "assistant",
            content: [
              { reasoningContent: { redactedContent: "ZW5jcnlwdGVk" } },
              { text: "Checking." },
              {
                toolUse: {
                  toolUseId: "tooluse_1",
                  name: "weather",
                  input: { city: "Paris" },
                  type: "tool_use",
                },
              },
              { toolUse: { toolUseId: "tooluse_2", name: "clock", input: {} } },
              { citationsContent: { citations: [] } },
            ],
          },
        },
        stopReason: "tool_use",
        usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      },
      { model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", requestId: "req-1" },
    );
    expect(response).toEqual({
      id: "req-1",
      model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      content: [
        { type: "redacted-reasoning", data: "ZW5jcnlwdGVk" },
        { type: "text", text: "Checking." },
        { type: "tool-call", id: "tooluse_1", name: "weather", arguments: '{"city":"Paris"}' },
        { type: "tool-call", id: "tooluse_2", name: "clock", arguments: "{}" },
      ],
      finish: { unified: "tool_calls", raw: "tool_use" },
      usage: { inputTokens: 3, outputTokens: 4, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it("takes Claude's matched stop sequence from additionalModelResponseFields", () => {
    const response = answer({
      output: { message: { role: "assistant", content: [{ text: "1, 2" }] } },
      stopReason: "stop_sequence",
      additionalModelResponseFields: { stop_sequence: "3" },
      usage: { inputTokens: 1, outputTokens: 1 },
    });
    expect(response.finish).toEqual({ unified: "stop", raw: "stop_sequence", stopSequence: "3" });
  });

  it("turns an error status or a body that is not a response into an error", () => {
    const refused = converseResponseToCanonical({ message: "Too many tokens" }, 429, {
      errorType: "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
    });
    expect(refused).toEqual({
      ok: false,
      error: { status: 429, type: "rate_limit", code: "ThrottlingException", message: "Too many tokens" },
    });
    const odd = converseResponseToCanonical({ something: "else" }, 200);
    expect(odd.ok).toBe(false);
    if (!odd.ok) expect(odd.error.status).toBe(502);
  });
});

describe("Converse stop reasons", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["guardrail_intervened", "content_filter"],
    ["content_filtered", "content_filter"],
    ["malformed_model_output", "error"],
    ["malformed_tool_use", "error"],
    ["something_new", "other"],
  ])("%s → %s", (raw, unified) => {
    expect(converseStopToCanonical(raw)).toEqual({ unified, raw });
  });

  it("reads the stream's shape of the stop sequence and ignores null", () => {
    expect(converseStopToCanonical("stop_sequence", { delta: { stop_sequence: "END" } }).stopSequence).toBe(
      "END",
    );
    expect(converseStopToCanonical("end_turn", { delta: { stop_sequence: null } })).toEqual({
      unified: "stop",
      raw: "end_turn",
    });
    expect(converseStopToCanonical(undefined)).toEqual({ unified: "other", raw: undefined });
  });
});

describe("Converse usage", () => {
  it("counts cache reads and writes into the input, as Converse's totalTokens does", () => {
    const usage = converseUsageToCanonical({
      inputTokens: 2,
      outputTokens: 5,
      totalTokens: 1329,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 1322,
    });
    expect(usage).toEqual({ inputTokens: 1324, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 1322 });
    expect((usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0)).toBe(1329);
  });

  it("falls back to the older …TokenCount names and splits cache writes by TTL", () => {
    expect(
      converseUsageToCanonical({
        inputTokens: 10,
        outputTokens: 1,
        cacheReadInputTokenCount: 100,
        cacheWriteInputTokenCount: 30,
        cacheDetails: [
          { ttl: "5m", inputTokens: 10 },
          { ttl: "1h", inputTokens: 20 },
        ],
      }),
    ).toEqual({
      inputTokens: 140,
      outputTokens: 1,
      cacheReadTokens: 100,
      cacheWriteTokens: 30,
      cacheWrite5mTokens: 10,
      cacheWrite1hTokens: 20,
    });
  });

  it("reads usage from a response body or a stream's metadata payload", () => {
    const metadata = {
      metrics: { latencyMs: 493 },
      usage: { inputTokens: 64, outputTokens: 40, totalTokens: 104 },
    };
    expect(readConverseUsage(metadata)).toEqual({
      inputTokens: 64,
      outputTokens: 40,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(readConverseUsage({ output: {} })).toBeUndefined();
    expect(readConverseUsage("nope")).toBeUndefined();
  });
});
