/**
 * `POST /v1/responses` end to end, against recorded traffic: the official OpenAI SDK (text, stream or not; a
 * function-tool round trip), stored state, upstream errors, output limits, and the outcome each call leaves.
 * To OpenAI and Azure the client's body passes through (the mock answers with recorded Responses API
 * traffic); to Anthropic and an OpenAI-compatible server it is translated (the mock answers with their
 * recorded messages / chat completions). responses-replay.test.ts replays recorded client requests.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendJson, streamRecording } from "../mock-upstream/mock-upstream.js";
import { recordingFor, responsesRecording } from "../mock-upstream/recordings.js";
import { type Harness, outcomes, providerKeys, startHarness } from "./gateway-harness.js";
import {
  type Loose,
  postResponses,
  recordedAnswer,
  recordedCallId,
  sseEvents,
  targets,
  until,
  upstreamPath,
  warningsOf,
  weatherTool,
} from "./responses-calls.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

/** One SDK call, streamed through `responses.stream` (which checks the event sequence) or not. */
async function sdkCall(params: Loose, stream: boolean): Promise<{ response: Loose; events: Loose[] }> {
  if (!stream) return { response: await h.openai.responses.create(params), events: [] };
  const events: Loose[] = [];
  const running = h.openai.responses.stream(params);
  for await (const event of running) events.push(event);
  return { response: await running.finalResponse(), events };
}

/** The outcome the request after `before` outcomes left (streams finish theirs after the client's last byte). */
function outcomeAfter(before: number): Promise<Loose> {
  return until(() => outcomes(h.logs)[before]);
}

const post = (body: unknown) => postResponses(h.url, body);

const cells = targets.flatMap((provider) => [false, true].map((stream) => ({ provider, stream })));

describe("official SDK, text", () => {
  it.each(cells)("responses → $provider stream=$stream", async ({ provider, stream }) => {
    const params = {
      model: `${provider}::v1::text`,
      instructions: "Be brief.",
      input: "Hello",
      max_output_tokens: 500,
    };
    const expected = recordedAnswer(provider, "text", stream);
    const before = outcomes(h.logs).length;
    const { response, events } = await sdkCall(params, stream);

    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.id).toMatch(/\S/);
    expect(response.output_text).toBe(expected.text);
    expect(expected.text).not.toBe("");
    expect(response.usage).toMatchObject({
      input_tokens: expected.usage?.input,
      output_tokens: expected.usage?.output,
    });
    if (stream) {
      const types = events.map((event) => event.type);
      expect(types[0]).toBe("response.created");
      expect(types.at(-1)).toBe("response.completed");
      const deltas = events.filter((event) => event.type === "response.output_text.delta");
      expect(deltas.map((event) => event.delta).join("")).toBe(expected.text);
    }

    const sent = h.mock.last(`/${provider}/`);
    expect(sent.path).toBe(upstreamPath[provider]);
    expect(Boolean(sent.body.stream)).toBe(stream);
    if (provider === "openai") {
      // Passed through: the client's body, only the model rewritten.
      expect(sent.body).toEqual({ ...params, model: "text", ...(stream ? { stream: true } : {}) });
      expect(sent.headers.authorization).toBe(`Bearer ${providerKeys.openai}`);
    } else if (provider === "anthropic") {
      expect(sent.body.model).toBe("text");
      expect(JSON.stringify(sent.body.system)).toContain("Be brief.");
      expect(sent.body.messages).toHaveLength(1);
      expect(sent.body.messages[0].role).toBe("user");
      expect(JSON.stringify(sent.body.messages[0].content)).toContain("Hello");
      expect(sent.body.max_tokens).toBe(500);
      expect(sent.body.input).toBeUndefined();
    } else {
      expect(sent.body.model).toBe("text");
      expect(sent.body.messages.map((message: Loose) => message.role)).toEqual(["system", "user"]);
      expect(JSON.stringify(sent.body.messages)).toContain("Be brief.");
      expect(sent.body.max_tokens).toBe(500);
      expect(sent.body.input).toBeUndefined();
    }

    // Limits and usage as on the other routes: the outcome names the model, the feature and the usage.
    const outcome = await outcomeAfter(before);
    expect(outcome).toMatchObject({
      route: "/v1/responses",
      modelRef: `${provider}::v1::text`,
      providerId: provider,
      feature: "chat",
      status: 200,
      stream,
      usage: { inputTokens: expected.usage?.input, outputTokens: expected.usage?.output },
    });
  });

  it.each([false, true])(
    "responses → azure (pass-through to /openai/responses) stream=%s",
    async (stream) => {
      const params = { model: "azure::v1::text", input: "Hello" };
      const expected = recordedAnswer("openai", "text", stream);
      const { response } = await sdkCall(params, stream);
      expect(response.output_text).toBe(expected.text);
      const sent = h.mock.last("/azure/");
      // The Responses API is not per deployment: the deployment (modelName) goes in the body.
      expect(sent.path).toBe("/azure/openai/responses");
      expect(sent.query.get("api-version")).toBe("2025-04-01-preview");
      expect(sent.headers["api-key"]).toBe(providerKeys.azure);
      expect(sent.body).toEqual({ ...params, model: "text", ...(stream ? { stream: true } : {}) });
    },
  );

  it("pass-through relays OpenAI's recorded stream event for event (reasoning with encrypted content)", async () => {
    const recording = responsesRecording("thinking");
    const body = {
      model: "openai::v1::thinking",
      input: "Compute 12 + 7, times 3, times 10, step by step with the calculator.",
      reasoning: { effort: "low", summary: "auto" },
      include: ["reasoning.encrypted_content"],
      store: false,
      stream: true,
    };
    const response = await post(body);
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text());
    expect(events.map((event) => event.data)).toEqual(
      recording.payloads.map((payload) => JSON.parse(payload)),
    );
    for (const event of events) expect(event.event).toBe(event.data.type);
    expect(h.mock.last("/openai/").body).toEqual({ ...body, model: "thinking" });
  });

  it.each([false, true])(
    "translated thinking: Anthropic's thinking is a reasoning item whose sealed signature comes back (stream=%s)",
    async (stream) => {
      const blocks = recordingFor("anthropic", "thinking").body.content as Loose[];
      const thinking = blocks.find((block) => block.type === "thinking");
      const text = blocks
        .filter((block) => block.type === "text")
        .map((block) => block.text)
        .join("");
      const input: Loose[] = [{ role: "user", content: "Hello" }];
      const params: Loose = { model: "anthropic::v1::thinking", input, reasoning: { effort: "high" } };
      const { response } = await sdkCall(params, stream);
      const reasoning = response.output.find((item: Loose) => item.type === "reasoning");
      expect(reasoning.summary.map((part: Loose) => part.text).join("")).toBe(thinking.thinking);
      expect(reasoning.encrypted_content).toMatch(/\S/);
      expect(response.output_text).toBe(text);
      expect(thinking.thinking).not.toBe("");

      // The next turn carries the output back: Anthropic gets its thinking block with its own signature.
      await h.openai.responses.create({
        ...params,
        input: [...input, ...response.output, { role: "user", content: "And then?" }],
      });
      const sent = h.mock.last("/anthropic/").body;
      expect(sent.messages.map((message: Loose) => message.role)).toEqual(["user", "assistant", "user"]);
      expect(sent.messages[1].content).toEqual([
        { type: "thinking", thinking: thinking.thinking, signature: thinking.signature },
        { type: "text", text },
      ]);
    },
  );
});

describe("official SDK, function tool round trip", () => {
  it.each(cells)("→ $provider, first call stream=$stream", async ({ provider, stream }) => {
    const model = `${provider}::v1::tools`;
    const input: Loose[] = [{ role: "user", content: "What is the weather in Paris? Use the tool." }];
    const expected = recordedAnswer(provider, "tools", stream);
    const callId = recordedCallId(provider, stream);
    const { response: first } = await sdkCall({ model, input, tools: [weatherTool] }, stream);

    const calls = first.output.filter((item: Loose) => item.type === "function_call");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      type: "function_call",
      name: expected.toolCalls[0]?.name,
      call_id: callId,
    });
    expect(JSON.parse(calls[0].arguments)).toEqual(expected.toolCalls[0]?.arguments);
    const firstSent = h.mock.last(`/${provider}/`);
    if (provider === "anthropic") expect(firstSent.body.tools[0]).toMatchObject({ name: "get_weather" });
    if (provider === "compat")
      expect(firstSent.body.tools[0]).toMatchObject({ type: "function", function: { name: "get_weather" } });

    const output = '{"city":"Paris","forecast":"sunny","temperature_c":21}';
    const followUp = [...input, ...first.output, { type: "function_call_output", call_id: callId, output }];
    const second = await h.openai.responses.create({ model, input: followUp, tools: [weatherTool] });
    expect(second.status).toBe("completed");

    const sent = h.mock.last(`/${provider}/`);
    expect(sent).not.toBe(firstSent);
    if (provider === "openai") {
      expect(sent.body.input).toEqual(JSON.parse(JSON.stringify(followUp)));
    } else if (provider === "anthropic") {
      const blocks = sent.body.messages.flatMap((message: Loose) =>
        Array.isArray(message.content)
          ? message.content.map((block: Loose) => ({ role: message.role, block }))
          : [],
      );
      const use = blocks.find(({ block }: Loose) => block.type === "tool_use");
      expect(use).toMatchObject({
        role: "assistant",
        block: { id: callId, name: expected.toolCalls[0]?.name, input: expected.toolCalls[0]?.arguments },
      });
      const result = blocks.find(({ block }: Loose) => block.type === "tool_result");
      expect(result).toMatchObject({ role: "user", block: { tool_use_id: callId } });
      expect(JSON.stringify(result.block.content)).toContain("sunny");
    } else {
      const assistant = sent.body.messages.find((message: Loose) => message.role === "assistant");
      expect(assistant.tool_calls).toEqual([
        expect.objectContaining({
          id: callId,
          type: "function",
          function: expect.objectContaining({ name: expected.toolCalls[0]?.name }),
        }),
      ]);
      expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual(
        expected.toolCalls[0]?.arguments,
      );
      const tool = sent.body.messages.find((message: Loose) => message.role === "tool");
      expect(tool).toMatchObject({ role: "tool", tool_call_id: callId });
      expect(JSON.stringify(tool.content)).toContain("sunny");
    }
  });
});

describe("stored state", () => {
  it.each(["anthropic", "compat"] as const)(
    "previous_response_id → %s: 400 in OpenAI's error shape",
    async (provider) => {
      const response = await post({
        model: `${provider}::v1::text`,
        input: "And then?",
        previous_response_id: "resp_0123456789abcdef",
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as Loose;
      expect(Object.keys(body)).toEqual(["error"]);
      expect(body.error).toMatchObject({
        message: expect.stringContaining("previous_response_id"),
        type: "invalid_request_error",
        param: "previous_response_id",
      });
      expect(h.mock.received(`/${provider}/`)).toHaveLength(0);
      const error = await h.openai.responses
        .create({
          model: `${provider}::v1::text`,
          input: "And then?",
          previous_response_id: "resp_0123456789abcdef",
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    },
  );

  it("previous_response_id → openai: passed through", async () => {
    const params = {
      model: "openai::v1::text",
      input: "And then?",
      previous_response_id: "resp_0123456789abcdef",
    };
    const response = await h.openai.responses.create(params);
    expect(response.output_text).toBe(recordedAnswer("openai", "text", false).text);
    expect(h.mock.last("/openai/").body).toEqual({ ...params, model: "text" });
  });
});

describe("upstream errors reach the SDK as errors", () => {
  it("openai: the recorded insufficient_quota answer (429) → APIError 429", async () => {
    const recording = responsesRecording("error");
    h.mock.script("/openai/v1/responses", (_request, response) =>
      sendJson(response, recording.bodyStatus ?? 500, recording.body),
    );
    const error = (await h.openai.responses
      .create({ model: "openai::v1::text", input: "Hello" })
      .catch((caught: unknown) => caught)) as Loose;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(429);
  });

  it("openai: the recorded error stream → the SDK throws on its error event, nothing completes", async () => {
    h.mock.script("/openai/v1/responses", (_request, response) =>
      streamRecording(response, responsesRecording("error")),
    );
    const seen: string[] = [];
    let thrown: unknown;
    try {
      const stream = await h.openai.responses.create({
        model: "openai::v1::text",
        input: "Hello",
        stream: true,
      });
      for await (const event of stream) seen.push(event.type);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    expect(String((thrown as Error).message)).toContain("exceeded your current quota");
    expect(seen).toEqual(["response.created", "response.in_progress"]);
  });

  it.each(cells.filter((cell) => cell.provider !== "openai"))(
    "$provider answers 500 → APIError 502, stream=$stream",
    async ({ provider, stream }) => {
      h.mock.script(`/${provider}/`, (_request, response) =>
        sendJson(
          response,
          500,
          provider === "anthropic"
            ? { type: "error", error: { type: "api_error", message: "Internal server error" } }
            : { error: { message: "Internal server error", type: "server_error", param: null, code: null } },
        ),
      );
      const error = (await sdkCall({ model: `${provider}::v1::text`, input: "Hello" }, stream).catch(
        (caught: unknown) => caught,
      )) as Loose;
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error.status).toBe(502);
    },
  );

  it.each(["anthropic", "compat"] as const)(
    "%s breaks its stream midway → error then response.failed, never response.completed",
    async (provider) => {
      h.mock.script(`/${provider}/`, (_request, response) =>
        streamRecording(response, recordingFor(provider, "text"), { stopAfter: 4, after: "destroy" }),
      );
      const response = await post({ model: `${provider}::v1::text`, input: "Hello", stream: true });
      expect(response.status).toBe(200);
      const types = sseEvents(await response.text()).map((event) => event.data.type);
      expect(types[0]).toBe("response.created");
      expect(types).not.toContain("response.completed");
      expect(types.slice(-2)).toEqual(["error", "response.failed"]);

      h.mock.script(`/${provider}/`, (_request, answer) =>
        streamRecording(answer, recordingFor(provider, "text"), { stopAfter: 4, after: "destroy" }),
      );
      const error = await sdkCall({ model: `${provider}::v1::text`, input: "Hello" }, true).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OpenAI.APIError);
    },
  );
});

describe("model limits", () => {
  it.each(targets)(
    "max_output_tokens above the model's maximum → %s gets the maximum, with a warning",
    async (provider) => {
      const response = await post({
        model: `${provider}::v1::text`,
        input: "Hello",
        max_output_tokens: 100_000,
      });
      expect(response.status).toBe(200);
      await response.text();
      const sent = h.mock.last(`/${provider}/`).body;
      expect(provider === "openai" ? sent.max_output_tokens : sent.max_tokens).toBe(8192);
      expect(warningsOf(response)).toContain("max_output_tokens");
    },
  );
});
