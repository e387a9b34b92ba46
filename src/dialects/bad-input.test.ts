/**
 * Regression tests of issue 15's bad-input findings at the dialects: each parser refuses what no upstream can
 * take (an empty conversation, media bytes that are not what they claim, tool arguments or schemas nested past
 * the bound) with a field error marked fatal, so a same-dialect pass-through refuses it too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldError } from "../canonical/errors.js";
import type { CanonicalRequest } from "../canonical/request.js";
import { canonicalToAnthropicRequest } from "./anthropic/anthropic-request-build.js";
import {
  anthropicCountTokensToCanonicalRequest,
  readAfterMessages as anthropicReadAfter,
  anthropicRefusal,
  anthropicToCanonicalRequest,
} from "./anthropic/anthropic-request-parse.js";
import { canonicalToConverseRequest } from "./bedrock-converse/converse-request-build.js";
import { canonicalToGeminiRequest } from "./gemini/gemini-request-build.js";
import { maxSchemaDepth, maxSchemaNodes } from "./gemini/gemini-schema.js";
import {
  readAfterMessages as chatReadAfter,
  openaiChatRefusal,
  openaiChatToCanonicalRequest,
} from "./openai/openai-chat-request-parse.js";
import { openaiCompletionsToCanonicalRequest } from "./openai/openai-completions.js";
import {
  readAfterInput as responsesReadAfter,
  responsesRefusal,
  responsesToCanonicalRequest,
} from "./openai-responses/responses-request-parse.js";

const pngData = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString("base64");
const textData = Buffer.from("definitely not an image").toString("base64");

function refused(result: { ok: true } | { ok: false; error: FieldError }): FieldError {
  if (result.ok) throw new Error("expected a refusal");
  return result.error;
}

describe("an empty conversation is refused, not sent upstream", () => {
  it.each([
    ["OpenAI chat", () => openaiChatToCanonicalRequest({ model: "m", messages: [] }), "messages"],
    ["Anthropic", () => anthropicToCanonicalRequest({ model: "m", max_tokens: 5, messages: [] }), "messages"],
    ["count_tokens", () => anthropicCountTokensToCanonicalRequest({ model: "m", messages: [] }), "messages"],
    ["Responses, empty list", () => responsesToCanonicalRequest({ model: "m", input: [] }), "input"],
    ["Responses, empty text", () => responsesToCanonicalRequest({ model: "m", input: "" }), "input"],
    ["completions", () => openaiCompletionsToCanonicalRequest({ model: "m", prompt: "" }), "prompt"],
  ])("%s", (_dialect, parse, field) => {
    const error = refused(parse());
    expect(error).toMatchObject({ field, fatal: true });
    expect(error.message).toMatch(new RegExp(`^${field}: must not be empty`));
  });

  it("keeps what is not empty: a Responses input continuing a stored response, a FIM prompt with a suffix", () => {
    expect(responsesToCanonicalRequest({ input: [], previous_response_id: "resp_1" }).ok).toBe(true);
    expect(openaiCompletionsToCanonicalRequest({ prompt: "", suffix: "}\n" }).ok).toBe(true);
  });
});

describe("media whose bytes are not what they claim is refused, naming the part", () => {
  const anthropicImage = (data: string) => ({
    model: "m",
    max_tokens: 5,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "what is this?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data } },
        ],
      },
    ],
  });
  const chatImage = (url: string) => ({
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
  });

  it.each([
    [
      "Anthropic image, text bytes",
      () => anthropicToCanonicalRequest(anthropicImage(textData)),
      "messages[0].content[1].source.data",
      /not image\/png data/,
    ],
    [
      "Anthropic image, not base64",
      () => anthropicToCanonicalRequest(anthropicImage("%%% not base64 %%%")),
      "messages[0].content[1].source.data",
      /not valid base64/,
    ],
    [
      "Anthropic PDF document",
      () =>
        anthropicToCanonicalRequest({
          max_tokens: 5,
          messages: [
            {
              role: "user",
              content: [
                {
                  type: "document",
                  source: { type: "base64", media_type: "application/pdf", data: pngData },
                },
              ],
            },
          ],
        }),
      "messages[0].content[0].source.data",
      /not application\/pdf data/,
    ],
    [
      "OpenAI data URL",
      () => openaiChatToCanonicalRequest(chatImage(`data:image/jpeg;base64,${pngData}`)),
      "messages[0].content[0].image_url.url",
      /not image\/jpeg data/,
    ],
    [
      "OpenAI file part",
      () =>
        openaiChatToCanonicalRequest({
          messages: [
            {
              role: "user",
              content: [
                { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,@@@@" } },
              ],
            },
          ],
        }),
      "messages[0].content[0].file.file_data",
      /not valid base64/,
    ],
    [
      "Responses input_image",
      () =>
        responsesToCanonicalRequest({
          input: [
            {
              role: "user",
              content: [{ type: "input_image", image_url: `data:image/gif;base64,${textData}` }],
            },
          ],
        }),
      "input[0].content[0].image_url",
      /not image\/gif data/,
    ],
  ])("%s", (_case, parse, field, message) => {
    const error = refused(parse());
    expect(error).toMatchObject({ field, fatal: true });
    expect(error.message).toMatch(message);
  });

  it("accepts real image bytes", () => {
    expect(anthropicToCanonicalRequest(anthropicImage(pngData)).ok).toBe(true);
    expect(openaiChatToCanonicalRequest(chatImage(`data:image/png;base64,${pngData}`)).ok).toBe(true);
  });
});

describe("nesting past the bounds is a field error, never a stack overflow", () => {
  const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const canonical = (overrides: Partial<CanonicalRequest>): CanonicalRequest => ({
    model: "m",
    system: [],
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    stream: false,
    includeUsage: false,
    extra: {},
    ...overrides,
  });

  it("tool call arguments (a JSON string, so past the body's bound) nested 100,000 levels", () => {
    const messages: CanonicalRequest["messages"] = [
      { role: "user", content: [{ type: "text", text: "hi" }] },
      {
        role: "assistant",
        content: [{ type: "tool-call", id: "c1", name: "f", arguments: `{"a":${deep(100_000)}}` }],
      },
    ];
    for (const result of [
      canonicalToAnthropicRequest(canonical({ messages }), { model: "m", defaultMaxTokens: 100 }),
      canonicalToGeminiRequest(canonical({ messages }), {}),
      canonicalToConverseRequest(canonical({ messages }), {
        defaultMaxTokens: 100,
        modelFamily: "anthropic",
      }),
    ]) {
      expect(refused(result).message).toMatch(/messages\[1\].*arguments.*nested more than 128 levels/);
    }
  });

  it("a Gemini tool schema nested 20,000 levels, or fanning out through $refs", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let level = 0; level < 20_000; level++) schema = { type: "object", properties: { a: schema } };
    const tools = [{ type: "function" as const, name: "f", inputSchema: schema }];
    expect(refused(canonicalToGeminiRequest(canonical({ tools }), {})).message).toBe(
      `tools[0].parameters: nested more than ${maxSchemaDepth} levels (counting inlined $refs)`,
    );
    // Each definition uses the next twice: 2^20 subschemas once inlined.
    const $defs: Record<string, unknown> = { d20: { type: "string" } };
    for (let level = 0; level < 20; level++)
      $defs[`d${level}`] = {
        type: "object",
        properties: { x: { $ref: `#/$defs/d${level + 1}` }, y: { $ref: `#/$defs/d${level + 1}` } },
      };
    const fanOut = [{ type: "function" as const, name: "f", inputSchema: { $ref: "#/$defs/d0", $defs } }];
    expect(refused(canonicalToGeminiRequest(canonical({ tools: fanOut }), {})).message).toBe(
      `tools[0].parameters: has more than ${maxSchemaNodes} subschemas once its $refs are inlined`,
    );
  });
});

/**
 * Review finding 3: the strict parse stops at its first error. When that one is not fatal (a part type the
 * canonical form cannot read), a same-dialect pass-through forwards the body, so the fatal checks run again, alone,
 * over what the parse did not reach.
 */
describe("the fatal checks past a parse's first, non-fatal error", () => {
  const anthropicImage = (data: string) => ({
    type: "image",
    source: { type: "base64", media_type: "image/png", data },
  });
  const chatImage = (url: string) => ({ type: "image_url", image_url: { url } });
  type Body = Record<string, unknown>;
  type Refusal = (body: Body, stoppedAt: FieldError) => FieldError | undefined;
  type Parse = (body: unknown) => { ok: true } | { ok: false; error: FieldError };

  /** The parser's first error must be the non-fatal one; the refusal names the bad media after it. */
  function refusedPast(
    parse: Parse,
    refusal: Refusal,
    body: Body,
    stoppedAt: string,
  ): FieldError | undefined {
    const first = refused(parse(body));
    expect(first).toMatchObject({ field: expect.stringContaining(stoppedAt) });
    expect(first.fatal).toBeUndefined();
    return refusal(body, first);
  }

  it.each([
    [
      "Anthropic: an unknown block, then image data that is not base64 (the review's case)",
      anthropicToCanonicalRequest,
      anthropicRefusal,
      {
        max_tokens: 5,
        messages: [
          { role: "user", content: [{ type: "hologram" }] },
          { role: "user", content: [anthropicImage("%%%%")] },
        ],
      },
      "messages[0].content[0].type",
      "messages[1].content[0].source.data",
      /not valid base64/,
    ],
    [
      "Anthropic: an image inside a later tool result",
      anthropicToCanonicalRequest,
      anthropicRefusal,
      {
        max_tokens: 5,
        messages: [
          { role: "user", content: [{ type: "hologram" }] },
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "t", content: [anthropicImage(textData)] }],
          },
        ],
      },
      "messages[0]",
      "messages[2].content[0].content[0].source.data",
      /not image\/png data/,
    ],
    [
      "Anthropic: a bad system block, then an empty conversation",
      anthropicToCanonicalRequest,
      anthropicRefusal,
      { max_tokens: 5, system: [{ type: "hologram" }], messages: [] },
      "system[0].type",
      "messages",
      /must not be empty/,
    ],
    [
      "Anthropic: a bad image in system after a bad system block",
      anthropicToCanonicalRequest,
      anthropicRefusal,
      {
        max_tokens: 5,
        system: [{ type: "hologram" }, anthropicImage(textData)],
        messages: [{ role: "user", content: "hi" }],
      },
      "system[0].type",
      "system[1].source.data",
      /not image\/png data/,
    ],
    [
      "OpenAI chat: an unknown part, then a data URL that is not base64",
      openaiChatToCanonicalRequest,
      openaiChatRefusal,
      {
        messages: [
          { role: "user", content: [{ type: "video" }] },
          { role: "user", content: [{ type: "text", text: "and?" }, chatImage("data:image/png;base64,***")] },
        ],
      },
      "messages[0].content[0].type",
      "messages[1].content[1].image_url.url",
      /not valid base64/,
    ],
    [
      "OpenAI chat: an unknown part, then a file that is not a PDF",
      openaiChatToCanonicalRequest,
      openaiChatRefusal,
      {
        messages: [
          { role: "user", content: [{ type: "video" }] },
          {
            role: "user",
            content: [{ type: "file", file: { file_data: `data:application/pdf;base64,${pngData}` } }],
          },
        ],
      },
      "messages[0].content[0].type",
      "messages[1].content[0].file.file_data",
      /not application\/pdf data/,
    ],
    [
      "Responses: an unknown part, then a function call output's image",
      responsesToCanonicalRequest,
      responsesRefusal,
      {
        input: [
          { role: "user", content: [{ type: "input_hologram" }] },
          {
            type: "function_call_output",
            call_id: "c",
            output: [{ type: "input_image", image_url: `data:image/jpeg;base64,${pngData}` }],
          },
        ],
      },
      "input[0].content[0].type",
      "input[1].output[0].image_url",
      /not image\/jpeg data/,
    ],
    [
      "Responses: a bad extra, then an empty input",
      responsesToCanonicalRequest,
      responsesRefusal,
      { include: "all", input: [] },
      "include",
      "input",
      /must not be empty/,
    ],
  ] as const)("%s", (_case, parse, refusal, body, stoppedAt, field, message) => {
    const error = refusedPast(parse as Parse, refusal, body, stoppedAt);
    expect(error).toMatchObject({ field, fatal: true });
    expect(error?.message).toMatch(message);
  });

  it("passes what is only the upstream's to judge: real image bytes after an unknown block", () => {
    const body = {
      max_tokens: 5,
      messages: [
        { role: "user", content: [{ type: "hologram" }] },
        { role: "user", content: [anthropicImage(pngData)] },
      ],
    };
    expect(refusedPast(anthropicToCanonicalRequest, anthropicRefusal, body, "messages[0]")).toBeUndefined();
  });

  it("does not walk again what the parse read: the messages before the one it stopped in", () => {
    // Unreachable through the parser (it would have refused the image first): shows where the walk begins.
    const body = { messages: [{ role: "user", content: [anthropicImage("%%%%")] }, { role: "user" }] };
    const stoppedAt = { field: "messages[1].content", message: "messages[1].content: expected an array" };
    expect(anthropicRefusal(body, stoppedAt)).toBeUndefined();
    expect(anthropicRefusal(body, { ...stoppedAt, field: "messages[0].content[1].type" })).toMatchObject({
      field: "messages[0].content[0].source.data",
    });
  });

  // The refusal skips the conversation when the parse stopped at a field it reads after the conversation: so a
  // fatal problem in the conversation must be found first, whatever is wrong in those fields.
  it.each([
    [
      "Anthropic",
      anthropicReadAfter,
      anthropicToCanonicalRequest,
      anthropicRefusal,
      { max_tokens: 5, messages: [{ role: "user", content: [anthropicImage("%%%%")] }] },
    ],
    [
      "OpenAI chat",
      chatReadAfter,
      openaiChatToCanonicalRequest,
      openaiChatRefusal,
      { messages: [{ role: "user", content: [chatImage("data:image/png;base64,***")] }] },
    ],
    [
      "Responses",
      responsesReadAfter,
      responsesToCanonicalRequest,
      responsesRefusal,
      {
        input: [{ role: "user", content: [{ type: "input_image", image_url: "data:image/png;base64,***" }] }],
      },
    ],
  ] as const)(
    "%s reads the conversation before each field it skips",
    (_dialect, readAfter, parse, refusal, body) => {
      expect(readAfter.size).toBeGreaterThan(5);
      for (const field of readAfter) {
        const error = refused((parse as Parse)({ ...body, [field]: [[5]] }));
        expect({ field, fatal: error.fatal }).toEqual({ field, fatal: true });
        expect(refusal({ ...body, [field]: [[5]] }, { field, message: `${field}: bad` })).toBeUndefined();
      }
    },
  );
});

describe("the fatal-check passes on arbitrary bodies", () => {
  const part = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({
      type: fc.constantFrom(
        "image",
        "document",
        "tool_result",
        "image_url",
        "file",
        "input_image",
        "input_file",
      ),
      source: fc.record({ type: fc.constant("base64"), media_type: fc.string(), data: fc.string() }),
      image_url: fc.oneof(
        fc.string(),
        fc.record({ url: fc.string().map((text) => `data:image/png;base64,${text}`) }),
      ),
      file: fc.record({ file_data: fc.string() }),
      file_data: fc.string(),
      content: fc.array(fc.jsonValue({ maxDepth: 2 })),
    }),
  );
  const item = fc.record({
    role: fc.string(),
    type: fc.string(),
    content: fc.array(part),
    output: fc.array(part),
  });
  const list = fc.oneof(fc.array(item), fc.jsonValue({ maxDepth: 2 }));
  const stoppedAt = fc.constantFrom(
    "body",
    "model",
    "system[0]",
    "messages",
    "messages[1].content",
    "input[2]",
    "tools[0]",
  );

  it("never throw: they return nothing or a fatal error naming a field", () => {
    fc.assert(
      fc.property(list, list, stoppedAt, (messages, system, field) => {
        const body = { messages, input: messages, system };
        for (const refusal of [anthropicRefusal, openaiChatRefusal, responsesRefusal]) {
          const error = refusal(body, { field, message: `${field}: bad` });
          if (error !== undefined) expect(error).toMatchObject({ field: expect.any(String), fatal: true });
        }
      }),
      { numRuns: 300 },
    );
  });
});
