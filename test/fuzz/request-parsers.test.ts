/**
 * Property-based fuzzing (fast-check) of the request side of every client dialect: the body reader and each
 * route's strict parser, fed arbitrary JSON and mutations of recorded client requests. A parse either succeeds
 * or refuses with a field error (or a 4xx GatewayError); never a TypeError, a RangeError or a 5xx. On failure
 * fast-check prints the seed and the shrunk counterexample.
 */
import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldError } from "../../src/canonical/errors.js";
import {
  anthropicCountTokensToCanonicalRequest,
  anthropicToCanonicalRequest,
} from "../../src/dialects/anthropic/anthropic-request-parse.js";
import { chatEnvelope } from "../../src/dialects/envelope.js";
import { openaiChatToCanonicalRequest } from "../../src/dialects/openai/openai-chat-request-parse.js";
import { openaiCompletionsToCanonicalRequest } from "../../src/dialects/openai/openai-completions.js";
import { openaiEmbeddingsToCanonicalRequest } from "../../src/dialects/openai/openai-embeddings.js";
import { responsesEnvelope } from "../../src/dialects/openai-responses/responses-envelope.js";
import { responsesToCanonicalRequest } from "../../src/dialects/openai-responses/responses-request-parse.js";
import { GatewayError } from "../../src/errors/index.js";
import { readJsonBody } from "../../src/server/lane/read-json-body.js";
import { anyBody, type Body, fuzzRuns, mutatedBodies, recordedBodies } from "./fuzz-inputs.js";

type Parse = (body: unknown) => { ok: true } | { ok: false; error: FieldError };

/** Parses, and checks the answer is a success or a refusal a client can read. */
function parsesOrRefuses(parse: Parse, body: unknown): void {
  let result: ReturnType<Parse>;
  try {
    result = parse(body);
  } catch (error) {
    if (error instanceof GatewayError && error.status >= 400 && error.status < 500) return;
    throw error;
  }
  if (!result.ok) {
    expect(typeof result.error.field).toBe("string");
    expect(result.error.message.length).toBeGreaterThan(0);
  }
}

const png =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** Per route: its parser, its recorded or hand-written valid bodies, its top-level field names. */
const routes: Array<{ name: string; parse: Parse; bodies: Body[]; fields: string[] }> = [
  {
    name: "OpenAI chat completions",
    parse: openaiChatToCanonicalRequest,
    bodies: [
      ...recordedBodies("/v1/chat/completions"),
      {
        model: "m",
        messages: [
          { role: "system", content: "be brief" },
          {
            role: "user",
            content: [
              { type: "text", text: "hi" },
              { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
            ],
          },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
          },
          { role: "tool", tool_call_id: "c1", content: "42" },
        ],
        tools: [
          {
            type: "function",
            function: { name: "f", parameters: { type: "object", properties: { a: { type: "number" } } } },
          },
        ],
        tool_choice: "auto",
        response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object" } } },
        max_tokens: 10,
        stream: true,
        stream_options: { include_usage: true },
      },
    ],
    fields: ["model", "messages", "max_tokens", "tools", "tool_choice", "stream", "temperature", "stop", "n"],
  },
  {
    name: "OpenAI completions",
    parse: openaiCompletionsToCanonicalRequest,
    bodies: [
      {
        model: "m",
        prompt: "def f(",
        suffix: "\n",
        max_tokens: 16,
        temperature: 0.2,
        stop: ["\n\n"],
        stream: false,
      },
    ],
    fields: ["model", "prompt", "suffix", "max_tokens", "stop", "stream"],
  },
  {
    name: "OpenAI embeddings",
    parse: openaiEmbeddingsToCanonicalRequest,
    bodies: [
      { model: "m", input: ["a", "b"], encoding_format: "float", dimensions: 8 },
      { model: "m", input: [[1, 2, 3]] },
    ],
    fields: ["model", "input", "encoding_format", "dimensions", "user"],
  },
  {
    name: "OpenAI Responses",
    parse: responsesToCanonicalRequest,
    bodies: recordedBodies("/v1/responses"),
    fields: ["model", "input", "instructions", "tools", "tool_choice", "reasoning", "text", "stream"],
  },
  {
    name: "Anthropic messages",
    parse: anthropicToCanonicalRequest,
    bodies: [
      ...recordedBodies("/v1/messages"),
      {
        model: "m",
        max_tokens: 100,
        system: [{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "hi" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
            ],
          },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: { a: 1 } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "42" }] },
        ],
        tools: [{ name: "f", input_schema: { type: "object" } }],
        tool_choice: { type: "tool", name: "f" },
        thinking: { type: "enabled", budget_tokens: 2048 },
      },
    ],
    fields: ["model", "messages", "max_tokens", "system", "tools", "tool_choice", "thinking", "stream"],
  },
  {
    name: "Anthropic count_tokens",
    parse: anthropicCountTokensToCanonicalRequest,
    bodies: recordedBodies("/v1/messages/count_tokens"),
    fields: ["model", "messages", "system", "tools"],
  },
];

describe("request parsers never crash on bad input", () => {
  for (const route of routes) {
    it(`${route.name}: arbitrary JSON`, () => {
      expect(route.bodies.length).toBeGreaterThan(0);
      fc.assert(
        fc.property(anyBody(route.fields), (body) => parsesOrRefuses(route.parse, body)),
        { numRuns: fuzzRuns },
      );
    });

    it(`${route.name}: mutations of valid requests (a field dropped, another type, nested deeper)`, () => {
      for (const body of route.bodies) expect(route.parse(body)).toMatchObject({ ok: true });
      fc.assert(
        fc.property(mutatedBodies(route.bodies), (body) => parsesOrRefuses(route.parse, body)),
        {
          numRuns: fuzzRuns,
        },
      );
    });
  }

  it("the pass-through envelopes read any object without throwing", () => {
    const fields = [
      "model",
      "messages",
      "stream",
      "max_tokens",
      "input",
      "max_output_tokens",
      "previous_response_id",
    ];
    const objects = fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(objects, (body) => {
        chatEnvelope(body, ["max_tokens"]);
        responsesEnvelope(body);
      }),
      { numRuns: fuzzRuns },
    );
  });
});

/** The lane's body reader over a stream carrying `bytes`, as node:http hands it a request. */
async function readBody(bytes: Uint8Array, contentType = "application/json"): Promise<unknown> {
  const stream = new PassThrough() as PassThrough & { headers: Record<string, string>; complete: boolean };
  stream.headers = { "content-type": contentType, "content-length": String(bytes.length) };
  stream.complete = false;
  stream.on("end", () => {
    stream.complete = true;
  });
  const reading = readJsonBody(stream as unknown as IncomingMessage, 1024 * 1024);
  stream.end(Buffer.from(bytes));
  return reading;
}

describe("the body reader never crashes on bad bytes", () => {
  async function readsOrRefuses(bytes: Uint8Array): Promise<void> {
    try {
      await readBody(bytes);
    } catch (error) {
      if (error instanceof GatewayError && error.status >= 400 && error.status < 500) return;
      throw error;
    }
  }

  it("arbitrary bytes", async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), readsOrRefuses), {
      numRuns: fuzzRuns,
    });
  });

  it("valid JSON with bytes flipped, cut or inserted", async () => {
    const text = Buffer.from(
      JSON.stringify({ model: "m", messages: [{ role: "user", content: "héllo ✓ 🙂" }] }),
    );
    const edit = fc.record({
      at: fc.nat({ max: text.length }),
      byte: fc.integer({ min: 0, max: 255 }),
      cut: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 5 }), async (edits) => {
        let bytes = Buffer.from(text);
        for (const { at, byte, cut } of edits)
          bytes = cut
            ? Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])
            : Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]);
        await readsOrRefuses(bytes);
      }),
      { numRuns: fuzzRuns },
    );
  });

  it("refuses deep nesting and invalid UTF-8 by name", async () => {
    await expect(readBody(Buffer.from(`{"a":${"[".repeat(50_000)}${"]".repeat(50_000)}}`))).rejects.toThrow(
      /nested more than 128 levels deep \(at a\[0\]/,
    );
    await expect(readBody(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).rejects.toThrow(
      /not valid UTF-8/,
    );
  });
});
