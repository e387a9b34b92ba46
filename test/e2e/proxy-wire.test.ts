/**
 * What goes over the wire to each provider type, beyond the matrix: pass-through keeps unknown fields and
 * `anthropic-beta`, streams are metered, the openaicompatible auth variants, Mistral FIM, legacy
 * completions, embeddings, count_tokens, and multi-turn round trips: an answer translated into the
 * client's dialect and sent back as history reaches the provider as the provider first wrote it.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  completionRecording,
  embeddingBody,
  expectedFromStream,
  mistralFimBody,
  recordingFor,
} from "../mock-upstream/recordings.js";
import { type Harness, outcomes, providerKeys, startHarness } from "./gateway-harness.js";
import { anthropicParams, callAnthropic, callOpenAI, openaiParams } from "./proxy-sdk-calls.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

// biome-ignore lint/suspicious/noExplicitAny: request bodies with fields the SDK types do not know.
type Loose = any;

describe("pass-through", () => {
  it("OpenAI client → openai: unknown fields survive, only the model is rewritten", async () => {
    const params: Loose = {
      ...openaiParams("openai::v1::text", "text"),
      x_vendor_extension: { keep: [1, 2] },
      metadata: { trace: "abc" },
    };
    await h.openai.chat.completions.create(params);
    expect(h.mock.last("/openai/").body).toEqual({ ...params, model: "text" });
    expect(h.mock.last("/openai/").headers["content-type"]).toBe("application/json");
  });

  it("Anthropic client → anthropic: unknown fields survive and anthropic-beta is forwarded", async () => {
    const params: Loose = {
      ...anthropicParams("anthropic::v1::text", "text"),
      x_vendor_extension: { keep: true },
    };
    await h.anthropic.messages.create(params, {
      headers: { "anthropic-beta": "interleaved-thinking-2025-05-14,context-1m-2025-08-07" },
    });
    const received = h.mock.last("/anthropic/");
    expect(received.body).toEqual({ ...params, model: "text" });
    expect(received.headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14,context-1m-2025-08-07");
  });

  it("anthropic-beta does not travel to an OpenAI-dialect provider", async () => {
    await h.anthropic.messages.create(anthropicParams("openai::v1::text", "text"), {
      headers: { "anthropic-beta": "context-1m-2025-08-07" },
    });
    expect(h.mock.last("/openai/").headers["anthropic-beta"]).toBeUndefined();
  });

  it("a stream without include_usage is metered: usage asked upstream, its chunk kept from the client", async () => {
    const result = await callOpenAI(h.openai, openaiParams("openai::v1::text", "text"), true, {
      includeUsage: false,
    });
    expect(h.mock.last("/openai/").body.stream_options).toEqual({ include_usage: true });
    expect(result.usage).toBeUndefined();
    const recorded = expectedFromStream(recordingFor("openai", "text"));
    expect(result.text).toBe(recorded.text);
    // One chunk fewer than the recording: the usage-only chunk.
    expect(result.chunks).toBe(recordingFor("openai", "text").payloads.length - 1);
    const outcome = outcomes(h.logs).at(-1);
    expect(outcome?.usage).toMatchObject({
      inputTokens: recorded.usage?.input,
      outputTokens: recorded.usage?.output,
    });
  });

  it("Anthropic SDK parses a streamed text-then-tool message without arguments", async () => {
    const recording = recordingFor("anthropic", "tools-no-args");
    const expected = expectedFromStream(recording);
    const fromAnthropic = await callAnthropic(
      h.anthropic,
      anthropicParams("anthropic::v1::tools-no-args", "tools-no-args"),
      true,
    );
    expect(fromAnthropic.text).toBe(expected.text);
    expect(fromAnthropic.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(
      expected.toolCalls,
    );
    const fromOpenAI = await callOpenAI(
      h.openai,
      openaiParams("anthropic::v1::tools-no-args", "tools-no-args"),
      true,
    );
    expect(fromOpenAI.text).toBe(expected.text);
    expect(fromOpenAI.toolCalls).toEqual([
      { id: expect.stringMatching(/^toolu_/), name: "updateIssueList", arguments: {} },
    ]);
    expect(fromOpenAI.finish).toBe("tool_calls");
  });
});

describe("openaicompatible authentication variants", () => {
  it("accessTokenQuery sends the token as a query parameter and no Authorization header", async () => {
    await h.openai.chat.completions.create(openaiParams("compat-query::v1::text", "text"));
    const received = h.mock.last("/compat-query/");
    expect(received.path).toBe("/compat-query/v1/chat/completions");
    expect(received.query.get("key")).toBe(providerKeys.compatQuery);
    expect(received.headers.authorization).toBeUndefined();
  });

  it("custom headers replace the bearer token", async () => {
    await h.anthropic.messages.create(anthropicParams("compat-headers::v1::text", "text"));
    const received = h.mock.last("/compat-headers/");
    expect(received.headers["x-custom-auth"]).toBe(providerKeys.compatHeader);
    expect(received.headers.authorization).toBeUndefined();
  });
});

describe("completions, FIM, embeddings, count_tokens", () => {
  const completionText = (body: Loose) => body.choices.map((choice: Loose) => choice.text).join("");

  it.each([false, true])("legacy completions to openai pass through (stream=%s)", async (stream) => {
    const recording = completionRecording();
    let text = "";
    if (stream) {
      const response = await h.openai.completions.create({
        model: "openai::v1::text",
        prompt: "Hi",
        stream: true,
      });
      for await (const chunk of response) text += chunk.choices.map((choice) => choice.text).join("");
      expect(text).toBe(recording.payloads.map((payload) => completionText(JSON.parse(payload))).join(""));
    } else {
      const response = await h.openai.completions.create({ model: "openai::v1::text", prompt: "Hi" });
      expect(response.choices[0]?.text).toBe(completionText(recording.body));
      expect(response.choices[0]?.finish_reason).toBe("length");
      expect(response.usage).toEqual(recording.body.usage);
    }
    const received = h.mock.last("/openai/");
    expect(received.path).toBe("/openai/v1/completions");
    expect(received.body).toMatchObject({ model: "text", prompt: "Hi" });
  });

  it("a completion with a suffix goes to Mistral's FIM endpoint and comes back as text_completion", async () => {
    const response = await h.openai.completions.create({
      model: "mistral::v1::text",
      prompt: "def fib(n):",
      suffix: "    return result",
      max_tokens: 64,
    });
    const received = h.mock.last("/mistral/");
    expect(received.path).toBe("/mistral/v1/fim/completions");
    expect(received.headers.authorization).toBe(`Bearer ${providerKeys.mistral}`);
    expect(received.body).toEqual({
      model: "text",
      prompt: "def fib(n):",
      suffix: "    return result",
      max_tokens: 64,
      stream: false,
    });
    const recorded = mistralFimBody() as Loose;
    expect(response.object).toBe("text_completion");
    expect(response.choices[0]?.text).toBe(recorded.choices[0].message.content);
    expect(response.usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 434 });
  });

  it("a completion with a suffix to a chat-only model is refused, naming the field", async () => {
    const error: Loose = await h.openai.completions
      .create({ model: "anthropic::v1::text", prompt: "a", suffix: "b" })
      .catch((caught: unknown) => caught);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ param: "suffix" });
    expect(h.mock.requests).toHaveLength(0);
  });

  it.each([
    ["openai", "/openai/v1/embeddings"],
    ["azure", "/azure/openai/deployments/embed/embeddings"],
  ])("embeddings through %s", async (provider, path) => {
    const response = await h.openai.embeddings.create({
      model: `${provider}::v1::embed`,
      input: ["sunny day at the beach", "rainy day in the city"],
      encoding_format: "float",
    });
    expect(response.data.map((item) => item.embedding)).toEqual(
      (embeddingBody() as Loose).data.map((item: Loose) => item.embedding),
    );
    const received = h.mock.last(`/${provider}/`);
    expect(received.path).toBe(path);
    expect(received.body.input).toEqual(["sunny day at the beach", "rainy day in the city"]);
  });

  it("count_tokens: exact from an Anthropic provider, estimated for others", async () => {
    const params = { model: "anthropic::v1::text", messages: [{ role: "user" as const, content: "Hello" }] };
    const exact = await h.anthropic.messages.countTokens(params).withResponse();
    expect(exact.data.input_tokens).toBe(
      (recordingFor("anthropic", "text").body.usage as Loose).input_tokens,
    );
    const received = h.mock.last("/anthropic/");
    expect(received.path).toBe("/anthropic/v1/messages/count_tokens");
    expect(received.headers["x-api-key"]).toBe(providerKeys.anthropic);
    expect(received.headers["content-type"]).toBe("application/json");
    expect(received.body).toEqual({ ...params, model: "text" });

    const estimated = await h.anthropic.messages
      .countTokens({ ...params, model: "openai::v1::text" })
      .withResponse();
    expect(estimated.data.input_tokens).toBeGreaterThan(0);
    expect(estimated.response.headers.get("x-tollgate-estimate")).toBe("true");
    expect(h.mock.received("/openai/")).toHaveLength(0);
  });
});

describe("round trips: an answer sent back as history reaches the provider as it wrote it", () => {
  it.each([false, true])("OpenAI client ↔ Anthropic thinking (signature kept, stream=%s)", async (stream) => {
    const recording = recordingFor("anthropic", "thinking");
    const first = await callOpenAI(h.openai, openaiParams("anthropic::v1::thinking", "thinking"), stream);
    const assistant: Loose = {
      role: "assistant",
      content: first.text,
      reasoning_content: first.reasoning,
      reasoning_details: first.reasoningDetails,
    };
    await h.openai.chat.completions.create({
      ...openaiParams("anthropic::v1::thinking", "thinking"),
      messages: [{ role: "user", content: "Hello" }, assistant, { role: "user", content: "Go on" }],
    });
    const history = h.mock.last("/anthropic/").body.messages;
    expect(history[1]).toEqual({ role: "assistant", content: recording.body.content });
  });

  it.each([false, true])("OpenAI client ↔ Anthropic tool use (stream=%s)", async (stream) => {
    const recording = recordingFor("anthropic", "tools");
    const first = await callOpenAI(h.openai, openaiParams("anthropic::v1::tools", "tools"), stream);
    const toolCalls = first.toolCalls.map((call) => ({
      id: call.id,
      type: "function" as const,
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    await h.openai.chat.completions.create({
      ...openaiParams("anthropic::v1::tools", "tools"),
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: null, tool_calls: toolCalls },
        { role: "tool", tool_call_id: toolCalls[0]!.id, content: "done" },
      ],
    });
    const history = h.mock.last("/anthropic/").body.messages;
    expect(history[1]).toEqual({ role: "assistant", content: recording.body.content });
    expect(history[2]).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: toolCalls[0]!.id, content: "done" }],
    });
  });

  it.each([false, true])("Anthropic client ↔ OpenAI tool call (stream=%s)", async (stream) => {
    const recording = recordingFor("openai", "tools");
    const first = await callAnthropic(h.anthropic, anthropicParams("openai::v1::tools", "tools"), stream);
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      ...anthropicParams("openai::v1::tools", "tools"),
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: first.message.content as Anthropic.ContentBlockParam[] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: first.toolCalls[0]!.id, content: "sunny" }],
        },
      ],
    };
    await h.anthropic.messages.create(params);
    const history = h.mock.last("/openai/").body.messages;
    const recordedCall = (recording.body as Loose).choices[0].message.tool_calls[0];
    expect(history[1]).toMatchObject({
      role: "assistant",
      tool_calls: [{ id: recordedCall.id, type: "function", function: { name: recordedCall.function.name } }],
    });
    expect(JSON.parse(history[1].tool_calls[0].function.arguments)).toEqual(
      JSON.parse(recordedCall.function.arguments),
    );
    expect(history[2]).toEqual({ role: "tool", tool_call_id: recordedCall.id, content: "sunny" });
  });

  it.each([false, true])(
    "Anthropic client ↔ Fireworks reasoning_content and tool call (stream=%s)",
    async (stream) => {
      const recording = recordingFor("fireworks", "thinking");
      const recorded = (recording.body as Loose).choices[0].message;
      const first = await callAnthropic(
        h.anthropic,
        anthropicParams("fireworks::v1::thinking", "thinking"),
        stream,
      );
      await h.anthropic.messages.create({
        ...anthropicParams("fireworks::v1::thinking", "thinking"),
        messages: [
          { role: "user", content: "Hello" },
          { role: "assistant", content: first.message.content as Anthropic.ContentBlockParam[] },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: first.toolCalls[0]!.id, content: "ok" }],
          },
        ],
      } as Anthropic.MessageCreateParamsNonStreaming);
      const assistant = h.mock.last("/fireworks/").body.messages[1];
      expect(assistant.reasoning_content).toBe(recorded.reasoning_content);
      expect(assistant.tool_calls.map((call: Loose) => [call.id, call.function.name])).toEqual(
        recorded.tool_calls.map((call: Loose) => [call.id, call.function.name]),
      );
      expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual(
        JSON.parse(recorded.tool_calls[0].function.arguments),
      );
    },
  );

  it("Anthropic client ↔ OpenAI text", async () => {
    const first = await callAnthropic(h.anthropic, anthropicParams("openai::v1::text", "text"), false);
    await h.anthropic.messages.create({
      ...anthropicParams("openai::v1::text", "text"),
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: first.message.content as Anthropic.ContentBlockParam[] },
        { role: "user", content: "Thanks" },
      ],
    } as Anthropic.MessageCreateParamsNonStreaming);
    const history = h.mock.last("/openai/").body.messages;
    expect(history[1]).toMatchObject({
      role: "assistant",
      content: (recordingFor("openai", "text").body as Loose).choices[0].message.content,
    });
  });
});
