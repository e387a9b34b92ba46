import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ContentPart } from "../../canonical/content.js";
import type { CanonicalResponse } from "../../canonical/response.js";
import { responsesToCanonicalRequest } from "./responses-request-parse.js";
import { canonicalToResponsesResponse } from "./responses-response.js";
import { createResponsesUsageTap, readResponsesUsage } from "./responses-usage-tap.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely in assertions
type Json = Record<string, any>;

const usage = {
  inputTokens: 120,
  outputTokens: 40,
  cacheReadTokens: 100,
  cacheWriteTokens: 0,
  reasoningTokens: 12,
};

function answer(
  content: ContentPart[],
  finish: CanonicalResponse["finish"] = { unified: "stop", raw: "end_turn" },
) {
  return { id: "msg_01ABC", model: "claude-sonnet-4-5", created: 1_790_000_000, content, finish, usage };
}

describe("canonicalToResponsesResponse", () => {
  it("writes message, function_call and reasoning items, usage and the echoed settings", () => {
    const body = canonicalToResponsesResponse(
      answer([
        { type: "reasoning", text: "The user wants weather.", signature: "sig-1" },
        { type: "text", text: "Let me check." },
        { type: "tool-call", id: "toolu_1", name: "weather", arguments: '{"city":"Paris"}' },
        { type: "tool-call", id: "toolu_2", name: "noop", arguments: "" },
      ]),
      {
        request: {
          model: "sonnet",
          instructions: "Be brief.",
          tools: [{ type: "function", name: "weather", parameters: { type: "object" } }],
          reasoning: { effort: "low" },
          metadata: { team: "a" },
          store: true,
        },
      },
    ) as Json;
    const [reasoning, ...rest] = body.output;
    expect(reasoning).toMatchObject({
      id: "rs_msg01ABC_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "The user wants weather." }],
    });
    expect(reasoning.encrypted_content).toMatch(/^tollgate\.v1:/);
    expect(rest).toEqual([
      {
        id: "msg_msg01ABC_1",
        type: "message",
        status: "completed",
        content: [{ type: "output_text", annotations: [], logprobs: [], text: "Let me check." }],
        role: "assistant",
      },
      {
        id: "fc_msg01ABC_2",
        type: "function_call",
        status: "completed",
        arguments: '{"city":"Paris"}',
        call_id: "toolu_1",
        name: "weather",
      },
      {
        id: "fc_msg01ABC_3",
        type: "function_call",
        status: "completed",
        arguments: "{}",
        call_id: "toolu_2",
        name: "noop",
      },
    ]);
    expect(body).toMatchObject({
      id: "resp_msg01ABC",
      object: "response",
      created_at: 1_790_000_000,
      status: "completed",
      error: null,
      incomplete_details: null,
      instructions: "Be brief.",
      model: "claude-sonnet-4-5",
      previous_response_id: null,
      reasoning: { effort: "low" },
      store: false,
      tool_choice: "auto",
      tools: [{ type: "function", name: "weather", parameters: { type: "object" } }],
      metadata: { team: "a" },
      usage: {
        input_tokens: 120,
        input_tokens_details: { cached_tokens: 100 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 12 },
        total_tokens: 160,
      },
    });
    expect(body.output_text).toBeUndefined();
  });

  it("round trips through the client: output items sent back as input give the same canonical content", () => {
    const content: ContentPart[] = [
      { type: "reasoning", text: "Signed thinking.", signature: "sig-1" },
      { type: "redacted-reasoning", data: "EncryptedByAnthropic" },
      { type: "text", text: "First." },
      { type: "refusal", text: "Not that." },
      { type: "tool-call", id: "toolu_1", name: "weather", arguments: '{"city":"Paris"}' },
      { type: "reasoning", text: "OpenRouter summary.", id: "rs_9", format: "openai-responses-v1" },
      { type: "reasoning", text: "More.", id: "rs_9", format: "openai-responses-v1" },
      { type: "redacted-reasoning", data: "gAAAAOpenAI", id: "rs_9", format: "openai-responses-v1" },
      { type: "reasoning", text: "DeepSeek thinking." },
    ];
    const body = canonicalToResponsesResponse(answer(content)) as Json;
    expect(body.output.map((item: Json) => item.type)).toEqual([
      "reasoning",
      "reasoning",
      "message",
      "function_call",
      "reasoning",
      "reasoning",
    ]);
    // OpenAI's own reasoning is one item again, with OpenAI's id and encrypted content unwrapped.
    expect(body.output[4]).toEqual({
      id: "rs_9",
      type: "reasoning",
      encrypted_content: "gAAAAOpenAI",
      summary: [
        { type: "summary_text", text: "OpenRouter summary." },
        { type: "summary_text", text: "More." },
      ],
    });
    expect(body.output[5]).not.toHaveProperty("encrypted_content");
    const next = responsesToCanonicalRequest({ input: [{ role: "user", content: "go" }, ...body.output] });
    if (!next.ok) throw new Error(next.error.message);
    expect(next.request.messages[1]).toEqual({ role: "assistant", content });
  });

  const incomplete: Array<[CanonicalResponse["finish"], string, unknown]> = [
    [{ unified: "length", raw: "max_tokens" }, "incomplete", { reason: "max_output_tokens" }],
    [{ unified: "content_filter", raw: "refusal" }, "incomplete", { reason: "content_filter" }],
    [{ unified: "tool_calls", raw: "tool_use" }, "completed", null],
    [{ unified: "other", raw: "pause_turn" }, "completed", null],
  ];
  it.each(incomplete)("finish %j is status %s", (finish, status, details) => {
    const body = canonicalToResponsesResponse(answer([{ type: "text", text: "x" }], finish)) as Json;
    expect(body.status).toBe(status);
    expect(body.incomplete_details).toEqual(details);
  });

  it("splits namespaced function calls back into namespace and name", () => {
    const body = canonicalToResponsesResponse(
      answer([{ type: "tool-call", id: "c1", name: "multi_agent_v1__spawn_agent", arguments: "{}" }]),
      {
        id: "resp_given",
        request: {
          tools: [
            {
              type: "namespace",
              name: "multi_agent_v1",
              description: "",
              tools: [{ type: "function", name: "spawn_agent" }],
            },
          ],
        },
      },
    ) as Json;
    expect(body.id).toBe("resp_given");
    expect(body.output[0]).toMatchObject({
      name: "spawn_agent",
      namespace: "multi_agent_v1",
      id: "fc_given_0",
    });
  });
});

describe("Responses usage", () => {
  const clients = resolve(fileURLToPath(new URL("../../../test/fixtures/clients", import.meta.url)));
  const recording = (name: string): Json => JSON.parse(readFileSync(resolve(clients, name), "utf8"));

  it("reads the usage of a non-streamed response", () => {
    const body = recording("openai-sdk-responses-nonstream-2.json").response;
    expect(readResponsesUsage(body)).toEqual({
      inputTokens: body.usage.input_tokens,
      outputTokens: body.usage.output_tokens,
      cacheReadTokens: body.usage.input_tokens_details.cached_tokens,
      cacheWriteTokens: 0,
      reasoningTokens: body.usage.output_tokens_details.reasoning_tokens,
    });
  });

  it("taps the usage of a recorded stream from response.completed", () => {
    const events = recording("codex-0.171.0-gpt-5.5-2.json").response as Json[];
    const tap = createResponsesUsageTap();
    for (const event of events) tap.onData(JSON.stringify(event.data));
    const completed = events.at(-1)?.data;
    expect(completed.type).toBe("response.completed");
    expect(tap.result()).toEqual({
      inputTokens: completed.response.usage.input_tokens,
      outputTokens: completed.response.usage.output_tokens,
      cacheReadTokens: completed.response.usage.input_tokens_details.cached_tokens,
      cacheWriteTokens: 0,
      reasoningTokens: completed.response.usage.output_tokens_details.reasoning_tokens,
    });
  });

  it("reads cached, cache-write and reasoning tokens from an OpenAI-shaped response.completed", () => {
    const tap = createResponsesUsageTap();
    tap.onData('{"type":"response.output_text.delta","sequence_number":3,"delta":"usage"}');
    expect(tap.result()).toBeUndefined();
    tap.onData(
      JSON.stringify({
        type: "response.completed",
        sequence_number: 11,
        response: {
          id: "resp_1",
          status: "completed",
          usage: {
            input_tokens: 45,
            input_tokens_details: { cache_write_tokens: 5, cached_tokens: 32 },
            output_tokens: 25,
            output_tokens_details: { reasoning_tokens: 10 },
            total_tokens: 70,
          },
        },
      }),
    );
    expect(tap.result()).toEqual({
      inputTokens: 45,
      outputTokens: 25,
      cacheReadTokens: 32,
      cacheWriteTokens: 5,
      reasoningTokens: 10,
    });
  });

  it("reads usage from response.failed and response.incomplete, and ignores bad JSON", () => {
    const tap = createResponsesUsageTap();
    tap.onData('{"type":"response.failed", broken');
    expect(tap.result()).toBeUndefined();
    tap.onEvent({ type: "response.incomplete", response: { usage: { input_tokens: 9, output_tokens: 3 } } });
    expect(tap.result()).toEqual({
      inputTokens: 9,
      outputTokens: 3,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });
});
