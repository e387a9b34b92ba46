/**
 * The google and awsBedrock provider types end to end: {OpenAI SDK, Anthropic SDK} × {Gemini API, Gemini on
 * Vertex, Anthropic on Vertex, Bedrock InvokeModel, Bedrock Converse} × {text, a tool round trip} × {stream, no
 * stream}, against the cloud mock, which checks each request's credentials (API key, OAuth bearer from the local
 * token server, SigV4 verified independently) and replays recorded traffic. Each cell checks what the SDK parsed,
 * the usage in the request's outcome, and what the provider received; a tool round trip's second turn must carry
 * the result back in the provider's own terms (functionResponse by name, toolResult / tool_result by id).
 */
import { describe, expect, it } from "vitest";
import type { CanonicalUsage } from "../../src/canonical/usage.js";
import {
  type CloudExpected,
  type CloudKind,
  type CloudTarget,
  cloudExpected,
} from "../mock-upstream/cloud-recordings.js";
import type { ReceivedRequest } from "../mock-upstream/mock-upstream.js";
import {
  awsKeyId,
  cloudToken,
  geminiKey,
  modelNames,
  outcomeFor,
  refs,
  useCloudHarness,
} from "./cloud-harness.js";
import { type AnthropicResult, callAnthropic, callOpenAI, type OpenAIResult } from "./proxy-sdk-calls.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON of any shape; tests pick fields.
type Loose = any;

const h = useCloudHarness();

const prompt = "What is the weather in San Francisco?";
const toolOutput = "Sunny, 18°C";

const targets: Record<CloudTarget, { ref: string; path: string; modelName: string }> = {
  gemini: { ref: refs.gemini, path: "/gemini/v1beta/models/", modelName: modelNames.gemini },
  vertex: {
    ref: refs.vertex,
    path: "/vertex/v1/projects/test-project/locations/us-central1/publishers/google/models/",
    modelName: modelNames.vertex,
  },
  "vertex-claude": {
    ref: refs.vertexClaude,
    path: "/vertex/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/",
    modelName: modelNames.vertexClaude,
  },
  "bedrock-invoke": { ref: refs.invoke, path: "/bedrock/model/", modelName: modelNames.invoke },
  "bedrock-converse": { ref: refs.converse, path: "/bedrock/model/", modelName: modelNames.converse },
};

const clients = ["openai", "anthropic"] as const;
type Client = (typeof clients)[number];
const cells = clients.flatMap((client) =>
  (Object.keys(targets) as CloudTarget[]).flatMap((target) =>
    (["text", "tools"] as CloudKind[]).flatMap((kind) =>
      [false, true].map((stream) => ({ client, target, kind, stream })),
    ),
  ),
);

/** The tool the recorded tool call names, declared as each client declares tools. */
function toolFor(client: Client, name: string): Loose {
  const parameters = { type: "object", properties: { location: { type: "string" } }, required: ["location"] };
  return client === "openai"
    ? { type: "function", function: { name, description: "The weather at a place", parameters } }
    : { name, description: "The weather at a place", input_schema: parameters };
}

interface Turn {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: unknown }>;
  finish: string | null;
  usage: { input: number; output: number } | undefined;
  raw: OpenAIResult | AnthropicResult;
}

async function call(
  client: Client,
  model: string,
  messages: Loose[],
  tools: Loose[],
  stream: boolean,
): Promise<Turn> {
  if (client === "openai") {
    const result = await callOpenAI(
      h.openai,
      { model, messages, ...(tools.length ? { tools } : {}) },
      stream,
    );
    return {
      text: result.text,
      toolCalls: result.toolCalls,
      finish: result.finish,
      usage: result.usage && { input: result.usage.prompt_tokens, output: result.usage.completion_tokens },
      raw: result,
    };
  }
  const result = await callAnthropic(
    h.anthropic,
    { model, max_tokens: 1024, messages, ...(tools.length ? { tools } : {}) },
    stream,
  );
  return {
    text: result.text,
    toolCalls: result.toolCalls,
    finish:
      result.stopReason === "tool_use"
        ? "tool_calls"
        : result.stopReason === "end_turn"
          ? "stop"
          : result.stopReason,
    // The Anthropic client's input_tokens exclude cache reads and writes.
    usage: {
      input:
        result.usage.input_tokens +
        (result.usage.cache_read_input_tokens ?? 0) +
        (result.usage.cache_creation_input_tokens ?? 0),
      output: result.usage.output_tokens,
    },
    raw: result,
  };
}

function expectTurn(turn: Turn, expected: CloudExpected) {
  expect(turn.text).toBe(expected.text);
  expect(turn.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(
    expected.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args })),
  );
  expect(turn.finish).toBe(expected.finish);
  expect(turn.usage).toEqual({ input: expected.usage.inputTokens, output: expected.usage.outputTokens });
}

async function expectOutcome(ref: string, usage: CanonicalUsage, stream: boolean) {
  const outcome = await outcomeFor(h, ref);
  expect(outcome).toMatchObject({ status: 200, errorCode: undefined, stream, upstreamSent: true });
  expect(outcome.providerId).toBe(ref.split("::")[0]);
  expect(outcome.usage).toMatchObject(usage);
}

/** The provider's own checks passed (the mock refuses otherwise); this asserts how each was authenticated. */
function expectUpstreamCall(target: CloudTarget, stream: boolean, received: ReceivedRequest) {
  const { path, modelName } = targets[target];
  const [, method] = /:([A-Za-z]+)$/.exec(received.path) ?? [];
  expect(received.method).toBe("POST");
  expect(received.path.startsWith(path)).toBe(true);
  // The client's gateway token stays at the gateway.
  expect(JSON.stringify(received.headers)).not.toContain(cloudToken);
  switch (target) {
    case "gemini":
    case "vertex": {
      expect(decodeURIComponent(received.path.slice(path.length).split(":")[0]!)).toBe(modelName);
      expect(method).toBe(stream ? "streamGenerateContent" : "generateContent");
      if (stream) expect(received.query.get("alt")).toBe("sse");
      if (target === "gemini") {
        expect(received.headers["x-goog-api-key"]).toBe(geminiKey);
        expect(received.headers.authorization).toBeUndefined();
      } else {
        expect(received.headers.authorization).toMatch(/^Bearer ya29\.mock-/);
        expect(received.headers["x-goog-api-key"]).toBeUndefined();
      }
      expect(received.body.contents[0]).toEqual({ role: "user", parts: [{ text: prompt }] });
      break;
    }
    case "vertex-claude":
      expect(decodeURIComponent(received.path.slice(path.length).split(":")[0]!)).toBe(modelName);
      expect(method).toBe(stream ? "streamRawPredict" : "rawPredict");
      expect(received.headers.authorization).toMatch(/^Bearer ya29\.mock-/);
      expect(received.body.anthropic_version).toBe("vertex-2023-10-16");
      expect(received.body).not.toHaveProperty("model");
      expect(Boolean(received.body.stream)).toBe(stream);
      expect(received.body.messages[0]).toMatchObject({ role: "user" });
      break;
    case "bedrock-invoke":
    case "bedrock-converse": {
      const bedrock = h.cloud.bedrockCalls.find((entry) => entry.request === received)!;
      const invoke = target === "bedrock-invoke";
      expect(bedrock.modelId).toBe(modelName);
      // The id is one encoded segment: its `:` goes out as %3A.
      expect(bedrock.rawModelId).toBe(encodeURIComponent(modelName));
      expect(bedrock.operation).toBe(
        invoke
          ? stream
            ? "invoke-with-response-stream"
            : "invoke"
          : stream
            ? "converse-stream"
            : "converse",
      );
      expect(bedrock.auth).toBe("sigv4");
      expect(bedrock.verdict).toEqual({ ok: true, accessKeyId: awsKeyId });
      expect(received.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=/,
      );
      if (invoke) expect(received.body.anthropic_version).toBe("bedrock-2023-05-31");
      else expect(received.body.messages[0]).toEqual({ role: "user", content: [{ text: prompt }] });
      break;
    }
  }
}

/** The tool declared to the provider, in its own terms. */
function declaredTools(target: CloudTarget, body: Loose): string[] {
  if (target === "gemini" || target === "vertex")
    return (body.tools ?? []).flatMap((tool: Loose) =>
      (tool.functionDeclarations ?? []).map((fn: Loose) => fn.name),
    );
  if (target === "bedrock-converse")
    return (body.toolConfig?.tools ?? []).map((tool: Loose) => tool.toolSpec?.name);
  return (body.tools ?? []).map((tool: Loose) => tool.name);
}

/** The second turn carries the call and its result back, linked as the provider links them. */
function expectToolResultSent(target: CloudTarget, body: Loose, call: { id?: string; name: string }) {
  if (target === "gemini" || target === "vertex") {
    const parts = body.contents.flatMap((turn: Loose) =>
      turn.parts.map((part: Loose) => ({ role: turn.role, part })),
    );
    const calls = parts.filter((entry: Loose) => entry.part.functionCall);
    const results = parts.filter((entry: Loose) => entry.part.functionResponse);
    expect(calls.map((entry: Loose) => [entry.role, entry.part.functionCall.name])).toEqual([
      ["model", call.name],
    ]);
    expect(results.map((entry: Loose) => [entry.role, entry.part.functionResponse.name])).toEqual([
      ["user", call.name],
    ]);
    expect(JSON.stringify(results[0].part.functionResponse.response)).toContain(toolOutput);
    // Gemini 3 refuses a replayed call without a signature: the recorded one, or Google's documented stand-in.
    if (target === "gemini") expect(calls[0].part.thoughtSignature).toMatch(/\S/);
    return;
  }
  const blocks = body.messages.flatMap((message: Loose) =>
    (Array.isArray(message.content) ? message.content : []).map((block: Loose) => ({
      role: message.role,
      block,
    })),
  );
  if (target === "bedrock-converse") {
    const uses = blocks.filter((entry: Loose) => entry.block.toolUse);
    const results = blocks.filter((entry: Loose) => entry.block.toolResult);
    expect(
      uses.map((entry: Loose) => [entry.role, entry.block.toolUse.toolUseId, entry.block.toolUse.name]),
    ).toEqual([["assistant", call.id, call.name]]);
    expect(results.map((entry: Loose) => [entry.role, entry.block.toolResult.toolUseId])).toEqual([
      ["user", call.id],
    ]);
    expect(JSON.stringify(results[0].block.toolResult.content)).toContain(toolOutput);
    return;
  }
  const uses = blocks.filter((entry: Loose) => entry.block.type === "tool_use");
  const results = blocks.filter((entry: Loose) => entry.block.type === "tool_result");
  expect(uses.map((entry: Loose) => [entry.role, entry.block.id, entry.block.name])).toEqual([
    ["assistant", call.id, call.name],
  ]);
  expect(results.map((entry: Loose) => [entry.role, entry.block.tool_use_id])).toEqual([["user", call.id]]);
  expect(JSON.stringify(results[0].block.content)).toContain(toolOutput);
}

/** The client's second turn: its history with the assistant's answer as the SDK gave it, then the result. */
function secondTurn(client: Client, first: Turn): Loose[] {
  const callRef = first.toolCalls[0]!;
  if (client === "openai") {
    return [
      { role: "user", content: prompt },
      {
        role: "assistant",
        content: first.text === "" ? null : first.text,
        tool_calls: first.toolCalls.map((entry) => ({
          id: entry.id,
          type: "function",
          function: { name: entry.name, arguments: JSON.stringify(entry.arguments) },
        })),
      },
      { role: "tool", tool_call_id: callRef.id, content: toolOutput },
    ];
  }
  return [
    { role: "user", content: prompt },
    { role: "assistant", content: (first.raw as AnthropicResult).message.content },
    { role: "user", content: [{ type: "tool_result", tool_use_id: callRef.id, content: toolOutput }] },
  ];
}

describe("SDK clients → Google and Bedrock", () => {
  it.each(cells)("$client → $target $kind stream=$stream", async ({ client, target, kind, stream }) => {
    const { ref } = targets[target];
    const expected = cloudExpected(target, kind, stream);
    const recordedCall = expected.toolCalls[0];
    const tools = kind === "tools" ? [toolFor(client, recordedCall!.name)] : [];
    const first = await call(client, ref, [{ role: "user", content: prompt }], tools, stream);
    expectTurn(first, expected);
    expect(expected.text !== "" || expected.toolCalls.length > 0).toBe(true);
    await expectOutcome(ref, expected.usage, stream);
    const received = h.cloud.last(targets[target].path);
    expectUpstreamCall(target, stream, received);
    expect(declaredTools(target, received.body)).toEqual(kind === "tools" ? [recordedCall!.name] : []);
    if (kind === "text") return;

    // The recorded id comes back to the client as the provider wrote it (Gemini has none: the gateway makes one).
    if (recordedCall!.id !== undefined) expect(first.toolCalls[0]!.id).toBe(recordedCall!.id);
    else expect(first.toolCalls[0]!.id).toMatch(/\S/);
    h.outcomes.length = 0;
    const second = await call(client, ref, secondTurn(client, first), tools, stream);
    // With the result in its history, the mock answers with the recorded text.
    const answer = cloudExpected(target, "text", stream);
    expectTurn(second, answer);
    await expectOutcome(ref, answer.usage, stream);
    const followUp = h.cloud.last(targets[target].path);
    expect(followUp).not.toBe(received);
    expectUpstreamCall(target, stream, followUp);
    expectToolResultSent(target, followUp.body, {
      ...(recordedCall!.id === undefined ? {} : { id: recordedCall!.id }),
      name: recordedCall!.name,
    });
  });
});

describe("secrets", () => {
  it("no provider credential reaches a log line", () => {
    const logs = h.logs.join("\n");
    for (const secret of h.secrets) expect(logs).not.toContain(secret);
  });
});
